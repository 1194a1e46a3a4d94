//! The command line: raw arguments ([`args`]) → resolved options → the pipeline, and the
//! exit code. `main` only calls [`main`].

pub mod args;
mod demo;
mod plan_out;
mod run;
mod sim;

use std::io::Write;
use std::path::Path;

use clap::Parser;

use crate::diag::{self, Diagnostic, Sources};
use crate::exit::Exit;
use crate::load::{self, Inputs, Loaded};
use crate::plan::{self, MissingEnv, Plan};
use args::{Cli, Command, DevCommand, PlanFormat};

/// Runs one invocation and returns how it ended.
pub fn main() -> Exit {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(a) => validate(&a.inputs()),
        Command::Plan(a) => {
            let inputs = a.planned.inputs();
            let selection = a.planned.selection.resolve();
            let Some((loaded, Some(plan))) = load_and_plan(&inputs, &selection, MissingEnv::Warn)
            else {
                return Exit::InvalidInput;
            };
            let suite = loaded.suite.as_ref().expect("plan requires a suite");
            let out = match a.format {
                PlanFormat::Table => plan_out::table(&plan, &loaded.inventory, suite),
                PlanFormat::Json => plan_out::json(&plan, &loaded.inventory, suite),
            };
            print_or_fail(&out)
        }
        Command::Run(a) => {
            let Some((loaded, Some(plan))) = load_and_plan(
                &a.inputs(),
                &a.planned.selection.resolve(),
                MissingEnv::Error,
            ) else {
                return Exit::InvalidInput;
            };
            run::run(&a, loaded, plan)
        }
        Command::Report(a) => run::report(&a),
        Command::Sim(a) => sim::sim(&a),
        Command::Demo(a) => demo::demo(&a),
        Command::Schema(a) => print_or_fail(&(crate::schema::schema(a.which) + "\n")),
        Command::Dev(d) => match d.command {
            DevCommand::GenNational { data, out } => gen_national(&data, &out),
        },
    }
}

/// `validate`: load everything and, with a suite, plan everything, so that a template that
/// cannot be filled for some node is found now rather than at 2 a.m.
fn validate(inputs: &Inputs) -> Exit {
    let Some((loaded, plan)) = load_and_plan(inputs, &plan::Selection::default(), MissingEnv::Warn)
    else {
        return Exit::InvalidInput;
    };
    let nodes = loaded.inventory.nodes.len();
    let msg = match (&loaded.suite, plan) {
        (Some(s), Some(p)) => format!(
            "ok: {nodes} nodes, suite `{}` with {} checks, {} planned items{}\n",
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
    print_or_fail(&msg)
}

/// Loads the inputs and plans (when a suite is given), printing every problem. `None` means
/// invalid input: the caller exits 2 before any traffic.
fn load_and_plan(
    inputs: &Inputs,
    selection: &plan::Selection,
    missing_env: MissingEnv,
) -> Option<(Loaded, Option<Plan>)> {
    let loaded = match load::load(inputs) {
        Ok(l) => l,
        Err(invalid) => {
            report(invalid.diagnostics, &invalid.sources);
            return None;
        }
    };
    let mut warnings = loaded.warnings.clone();
    let plan = match &loaded.suite {
        Some(suite) => {
            let env = |k: &str| std::env::var(k).ok();
            match plan::build(&loaded.inventory, suite, selection, &env, missing_env) {
                Ok((p, w)) => {
                    warnings.extend(w);
                    Some(p)
                }
                Err(mut errs) => {
                    errs.extend(warnings);
                    report(errs, &loaded.sources);
                    return None;
                }
            }
        }
        None => None,
    };
    if !warnings.is_empty() {
        report(warnings, &loaded.sources);
    }
    Some((loaded, plan))
}

/// The runtime of a command that sends traffic or serves; `None` (said) when it cannot start.
fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            None
        }
    }
}

fn report(mut diags: Vec<Diagnostic>, sources: &Sources) {
    let text = diag::render_all(&mut diags, sources);
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Prints to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_or_fail(s: &str) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            Exit::ReportFailed
        }
    }
}

fn gen_national(data: &Path, out: &Path) -> Exit {
    use crate::dev::national::{Divisions, generate};
    let read = |name: &str| std::fs::read_to_string(data.join(name));
    let div = match (read("provinces.csv"), read("cities.csv"), read("areas.csv")) {
        (Ok(p), Ok(c), Ok(a)) => Divisions::parse(&p, &c, &a),
        _ => Err(format!(
            "{}: expected provinces.csv, cities.csv and areas.csv",
            data.display()
        )),
    };
    let div = match div {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::InvalidInput;
        }
    };
    let files = generate(&div);
    let written = std::fs::create_dir_all(out).and_then(|_| {
        files
            .iter()
            .try_for_each(|f| std::fs::write(out.join(&f.name), &f.text))
    });
    match written {
        Ok(()) => {
            println!("wrote {} files to {}", files.len(), out.display());
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: cannot write to {}: {e}", out.display());
            Exit::ReportFailed
        }
    }
}
