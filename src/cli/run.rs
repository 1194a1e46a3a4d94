//! `netaccept run` and `netaccept report`: the engine runs (or reads back) the record; this
//! prints the summary, has the reports written, says where, and picks the exit code.

use super::args::{AfterArgs, NotifyFormatArg, ReportArgs, ReportingArgs, RunArgs, SummaryFormat};
use super::output;
use crate::bundle::SecretKey;
use crate::engine::history::After;
use crate::engine::{self, Finished, Reporting, Shutdown};
use crate::error::Error;
use crate::exit::{self, Exit};
use crate::notify;
use crate::report::Lang;
use crate::report::summary;
use crate::report::summary_doc::SummaryDoc;
use crate::results::Results;

pub fn run(args: &RunArgs) -> Result<Exit, Error> {
    // Every flag is checked before the first packet: a webhook URL that cannot be one is
    // found now.
    let after = args.after.resolve()?;
    let prepared = super::prepare(&args.request())?;
    let plan = prepared.plan.expect("run has a suite, so a plan");
    let key = sign_key(&args.reporting)?;
    let cfg = args.config();
    let finished = engine::run(prepared.loaded, plan, &cfg, Shutdown::Signals)?;
    let view = View {
        lang: cfg.terminal.lang,
        json: args.format == SummaryFormat::Json,
    };
    finish(&finished, cfg.reporting, &after, key.as_ref(), "", view)
}

/// How the end of a run is shown: the terminal's language, and whether stdout carries the
/// summary document (`--format json`; the human lines then go to stderr).
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub lang: Lang,
    pub json: bool,
}

impl AfterArgs {
    /// The history store (unless `--no-history`), the metrics file and the webhook.
    pub fn resolve(&self) -> Result<After, Error> {
        let notify = match &self.notify {
            None => None,
            Some(_) if self.no_history => {
                return Err(Error::Usage(
                    "--notify needs the history (it says what changed since the last run): \
                     drop --no-history"
                        .into(),
                ));
            }
            // The URL holds the robot's token: the error names the flag, never the value.
            Some(url) => Some((
                notify::WebhookUrl::parse(url)
                    .map_err(|why| Error::Usage(format!("--notify: {why}")))?,
                match self.notify_format {
                    NotifyFormatArg::Json => notify::Format::Json,
                    NotifyFormatArg::Wecom => notify::Format::Wecom,
                    NotifyFormatArg::Dingtalk => notify::Format::Dingtalk,
                },
            )),
        };
        Ok(After {
            history: (!self.no_history).then(|| self.store.location()),
            metrics: self.metrics.clone(),
            notify,
        })
    }
}

/// `--sign-key`, read before any traffic: a key that cannot sign is found now, not after
/// an hour of probing.
pub fn sign_key(args: &ReportingArgs) -> Result<Option<SecretKey>, Error> {
    args.sign_key
        .as_deref()
        .map(|path| {
            SecretKey::read(path).map_err(|e| Error::SignKey {
                path: path.to_path_buf(),
                why: e.to_string(),
            })
        })
        .transpose()
}

/// The end of a run (`run`, `demo` and `merge`): the history, the reports, the metrics file,
/// the summary, the webhook, and the exit code.
///
/// The run is recorded first, in one transaction, so that the report can show what changed
/// since the last run; a store that fails is a warning here and exit 5 at the end, and the
/// reports are written all the same (without the history section). The reports come before
/// the summary: they are what the run is for, and a terminal that is gone (a closed pipe,
/// `| head`, a full disk behind `> file`) may take the summary with it, never the reports or
/// the exit code. `done`: a line to print after where the reports went (`merge` names the
/// bundles, `demo` its HTML report). The verdict line comes last (and alone under `-q`);
/// with `--format json` the summary document is stdout's only text and the human lines go
/// to stderr.
pub fn finish(
    finished: &Finished,
    reporting: Reporting,
    after: &After,
    key: Option<&SecretKey>,
    done: &str,
    view: View,
) -> Result<Exit, Error> {
    let Finished { results, dir } = finished;
    let (history, history_failed) = match &after.history {
        None => (None, None),
        Some(location) => match engine::history::record(location, results) {
            Ok(h) => (Some(h), None),
            Err(e) => {
                tracing::error!(store = %location, error = %e, "the run is not in the history");
                (None, Some(e))
            }
        },
    };
    // The manifest covers the reports, so it comes after them, and only when they all were
    // written: a bundle is whole or is not one.
    let written = engine::write_reports_with_history(dir, results, &reporting, history.as_ref())
        .and_then(|()| engine::seal(dir, results, key));
    let metrics = after
        .metrics
        .as_deref()
        .map(|path| write_metrics(path, results))
        .transpose();
    let exit = exit::for_results(results, reporting.fail_on);
    let diff = history.as_ref().and_then(|h| h.diff.as_ref());
    let out = output::get();
    // Human text: on stdout, or beside a JSON document on stderr; nothing under -q.
    let human = |s: &str| {
        if view.json {
            super::say_aside(s);
        } else {
            super::say(s);
        }
    };
    let colour = if view.json {
        out.colour.stderr
    } else {
        out.colour.stdout
    };
    // The code the process ends with (the document states it): a report not written, then a
    // history not recorded, outrank the checks' verdict.
    let final_exit = match (&written, &metrics) {
        (Err(e), _) | (_, Err(e)) => e.exit(),
        _ if history_failed.is_some() && exit != Exit::Interrupted => Exit::HistoryFailed,
        _ => exit,
    };
    if view.json {
        let doc = SummaryDoc::new(
            results,
            dir,
            (final_exit.code(), final_exit.meaning()),
            diff,
        );
        // The document is the output proper: written even under -q, never coloured.
        let _ = super::print(&doc.to_json());
    } else {
        human(&summary::render_in(results, view.lang, colour));
    }
    if let Some(diff) = diff {
        let line = crate::report::html::history_strings::since_line(
            view.lang,
            &diff.a.id,
            [
                diff.new_failures.len(),
                diff.recoveries.len(),
                diff.still_failing.len(),
                diff.flapping.len(),
            ],
        );
        human(&format!("\n{line}\n"));
    }
    let t = crate::report::html::strings::strings(view.lang);
    human(&format!(
        "\n{}{}{}\n{done}",
        t.term_reports,
        t.colon,
        crate::diag::visible::line(&dir.display().to_string())
    ));
    if let Some(e) = &history_failed {
        // Two lines, each made visible on its own (a line break inside one would show as ^J).
        super::tell(&format!(
            "error: {}\nerror: the run is not in the history; once the store is back, record it with `netaccept history import {}`",
            crate::diag::visible::line(&e.to_string()),
            crate::diag::visible::line(&dir.display().to_string())
        ));
    }
    if let (Some((url, format)), Some(diff)) = (&after.notify, diff)
        && let Err(e) = notify::send(
            url,
            *format,
            diff,
            &notify::Context::of(results, &dir.display().to_string()),
        )
    {
        // A webhook that is down does not make the run fail.
        super::warn(&crate::diag::visible::line(&format!("warning: {e}")));
    }
    super::verdict(
        &summary::verdict_line(results, view.lang, colour),
        view.json,
    );
    written?;
    metrics?;
    Ok(final_exit)
}

/// `--metrics FILE`, written whole or not at all (node_exporter may read it at any moment).
fn write_metrics(path: &std::path::Path, results: &Results) -> Result<(), Error> {
    let text = crate::report::metrics::render(results);
    crate::report::write_atomic(path, text.as_bytes()).map_err(|e| Error::Reports {
        failures: vec![(path.to_path_buf(), e)],
        interrupted: !results.run.complete,
    })
}

/// `netaccept report`: the reports again from a results file, optionally with (new)
/// waivers; no traffic. Exit 0 unless a report cannot be written.
pub fn report(args: &ReportArgs) -> Result<Exit, Error> {
    let key = sign_key(&args.reporting)?;
    let (Finished { results, dir }, warnings) = engine::rerender(&args.request())?;
    for w in warnings {
        super::warn(&format!("warning: {w}"));
    }
    // The same document as the run's own: its history read back from the store.
    let history = if args.no_history {
        None
    } else {
        engine::history::recall(&args.store.location(), &results).unwrap_or_else(|e| {
            super::warn(&crate::diag::visible::line(&format!(
                "warning: {e}; the report is made without the history section"
            )));
            None
        })
    };
    let written = engine::write_reports_with_history(
        &dir,
        &results,
        &args.reporting.resolve(),
        history.as_ref(),
    )
    .and_then(|()| engine::seal(&dir, &results, key.as_ref()));
    let lang = args.reporting.terminal_lang();
    let colour = output::get().colour.stdout;
    super::say(&summary::render_in(&results, lang, colour));
    let t = crate::report::html::strings::strings(lang);
    super::say(&format!(
        "\n{}{}{}\n",
        t.term_reports,
        t.colon,
        crate::diag::visible::line(&dir.display().to_string())
    ));
    super::verdict(&summary::verdict_line(&results, lang, colour), false);
    match written {
        Ok(()) => Ok(Exit::Ok),
        // The record may be of an interrupted run; `report` itself was not interrupted.
        Err(Error::Reports { failures, .. }) => Err(Error::Reports {
            failures,
            interrupted: false,
        }),
        Err(e) => Err(e),
    }
}
