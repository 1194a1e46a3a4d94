//! The command line: the only module that knows clap. It parses the arguments ([`args`]),
//! resolves them once into the engine's own requests and configs (`resolve`), calls the
//! [`crate::engine`], prints what the user reads, and maps the outcome to an exit code
//! ([`crate::error::Error::exit`] for errors). `main` only calls [`main`].

pub mod args;
mod demo;
mod generate;
mod history;
mod keygen;
mod merge;
pub mod output;
mod resolve;
mod run;
mod sim;
mod verify;

use std::io::Write;

use clap::Parser;

use crate::diag;
use crate::engine::{self, Prepared};
use crate::error::Error;
use crate::exit::Exit;
use crate::plan::MissingEnv;
use args::{Cli, Command, PlanFormat};

/// Runs one invocation and returns how it ended.
pub fn main() -> Exit {
    let cli = Cli::parse();
    output::init(&cli.output);
    match command(cli.command) {
        Ok(exit) => exit,
        Err(e) => {
            let exit = e.exit();
            tracing::error!(exit = exit.code(), "{}", exit.meaning());
            let _ = std::io::stderr().write_all(e.render().as_bytes());
            exit
        }
    }
}

fn command(command: Command) -> Result<Exit, Error> {
    match command {
        Command::Validate(a) => validate(&a),
        Command::Plan(a) => {
            let prepared = prepare(&a.planned.request(MissingEnv::Warn))?;
            let (loaded, plan) = (&prepared.loaded, prepared.plan.as_ref());
            let suite = loaded.suite.as_ref().expect("plan requires a suite");
            let plan = plan.expect("a suite was given, so there is a plan");
            let inv = &loaded.inventory;
            let out = match (a.vantages, a.format) {
                (false, PlanFormat::Table) => crate::report::plan::table(plan, inv, suite),
                (false, PlanFormat::Json) => crate::report::plan::json(plan, inv, suite),
                (true, format) => {
                    let shares = shares(&prepared, plan)?;
                    match format {
                        PlanFormat::Table => {
                            crate::report::plan::vantages_table(plan, inv, &shares)
                        }
                        PlanFormat::Json => crate::report::plan::vantages_json(plan, inv, &shares),
                    }
                }
            };
            print(&out)
        }
        Command::Run(a) => run::run(&a),
        Command::Report(a) => run::report(&a),
        Command::Merge(a) => merge::merge(&a),
        Command::Sim(a) => sim::sim(&a),
        Command::Demo(a) => demo::demo(&a),
        Command::Schema(a) => print(&(crate::schema::schema(a.which.into()) + "\n")),
        Command::Keygen(a) => keygen::keygen(&a),
        Command::Verify(a) => verify::verify(&a),
        Command::History(c) => history::history(&c),
        Command::Diff(a) => history::diff(&a),
        Command::Availability(a) => history::availability(&a),
        Command::Completions(a) => generate::completions(&a),
        Command::Manpages(a) => generate::manpages(&a),
    }
}

/// `validate`: load everything and, with a suite, plan everything, so that a template that
/// cannot be filled for some node is found now rather than at 2 a.m.
fn validate(a: &args::ValidateArgs) -> Result<Exit, Error> {
    let prepared = prepare(&a.request())?;
    let vantages = match &prepared.plan {
        Some(p) => {
            let shares = shares(&prepared, p)?;
            format!(
                "vantages: {}\n",
                crate::report::plan::exactly_one_line(p, &shares)
            )
        }
        None => String::new(),
    };
    let Prepared { loaded, plan, .. } = prepared;
    let nodes = loaded.inventory.nodes.len();
    let msg = match (&loaded.suite, plan) {
        (Some(s), Some(p)) => format!(
            "ok: {nodes} nodes, suite `{}` with {} checks, {} planned items{}\n{vantages}",
            s.id,
            s.checks.len(),
            p.items.len(),
            match &loaded.waivers {
                Some(w) => format!(", {} waivers", w.waivers.len()),
                None => String::new(),
            } + &match &loaded.faults {
                Some(f) => format!(", {} faults", f.len()),
                None => String::new(),
            }
        ),
        _ => format!("ok: {nodes} nodes\n"),
    };
    print(&msg)
}

/// Each vantage's share of the plan, checked: every item in exactly one, the one the rule
/// names. A failure is a bug (the loader checked every `probed_from`), reported as an
/// invalid input rather than a panic so the operator sees which items.
fn shares(prepared: &Prepared, plan: &crate::plan::Plan) -> Result<Vec<crate::plan::Share>, Error> {
    let inv = &prepared.loaded.inventory;
    let shares = crate::plan::assignment(inv, plan);
    crate::plan::exactly_one(inv, plan, &shares).map_err(|why| Error::Invalid {
        diagnostics: vec![crate::diag::Diagnostic::global(format!(
            "not every planned item belongs to exactly one vantage: {why}"
        ))],
        sources: prepared.loaded.sources.clone(),
    })?;
    Ok(shares)
}

/// [`engine::prepare`], with its warnings shown.
fn prepare(req: &engine::PlanRequest) -> Result<Prepared, Error> {
    prepare_edited(req, |_| {})
}

/// [`engine::prepare_edited`], with its warnings shown.
fn prepare_edited(
    req: &engine::PlanRequest,
    edit: impl FnOnce(&mut crate::load::Loaded),
) -> Result<Prepared, Error> {
    let mut prepared = engine::prepare_edited(req, edit)?;
    for w in &prepared.warnings {
        tracing::warn!(warning = %w.message, "input warning");
    }
    if !prepared.warnings.is_empty() && !output::get().quiet {
        let text = diag::render_all(&mut prepared.warnings, &prepared.loaded.sources);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    Ok(prepared)
}

/// Prints what the user reads beside the command's real output (a summary, where the reports
/// went): a stdout that is closed or full loses this text, and nothing else; never a panic.
/// Nothing under `-q`.
fn say(s: &str) {
    if output::get().quiet {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
}

/// [`say`] on stderr: the human text of a command whose stdout is a JSON document.
fn say_aside(s: &str) {
    if output::get().quiet {
        return;
    }
    let _ = std::io::stderr().write_all(s.as_bytes());
}

/// A line on stderr, on the same terms as [`say`]: an error, which `-q` keeps.
fn tell(s: &str) {
    let _ = writeln!(std::io::stderr(), "{s}");
}

/// A warning on stderr, and in the logs; `-q` leaves it to the logs.
fn warn(s: &str) {
    tracing::warn!("{s}");
    if !output::get().quiet {
        tell(s);
    }
}

/// The verdict line, last of the human output and all that `-q` leaves: on stdout, or on
/// stderr when stdout carries a JSON document (`aside`). `line` is built for the stream's
/// colour ([`output::Output`]).
fn verdict(line: &str, aside: bool) {
    let text = format!("{line}\n");
    if aside {
        let _ = std::io::stderr().write_all(text.as_bytes());
    } else {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }
}

/// Prints the command's output proper (`plan`, `validate`, `schema`); a closed pipe (`| head`)
/// is not an error worth a panic, a full disk is (exit 3).
fn print(s: &str) -> Result<Exit, Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(Error::Output(e)),
    }
}
