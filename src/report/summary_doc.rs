//! The summary of a run as one JSON document, for scripts: what `run --format json` prints
//! on stdout (FORMAT.md, "The summary document"), and its JSON Schema (`netaccept schema
//! summary`), derived from the same types so that the two cannot part ways.
//!
//! It says what a script wants without reading `results.json`: the verdict and the exit code
//! with its meaning, the counts, the files written, and each problem (failed, errored, not
//! reported) in one short line. Made from the finished [`Results`] alone, plus what only the
//! command knows (the exit code, the folder, the history's diff).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use super::text::{FIELD_CAP, cap};
use crate::results::{Results, Status};
use crate::trend::Diff;

/// The document's format, versioned as `results.json` is: a key removed or changed in
/// meaning is a new number; keys may be added within one.
pub const FORMAT: &str = "netaccept-summary/1";

/// The summary of one run (or merge), as `run --format json` prints it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "netaccept run summary", deny_unknown_fields)]
pub struct SummaryDoc {
    /// `netaccept-summary/1`.
    pub format: String,
    /// The version of netaccept that made the document.
    pub netaccept_version: String,
    pub run: RunPart,
    /// The HTML report's verdict (验收结论): `passed` when no result failed, errored or went
    /// unreported (waived ones pass), whatever `--fail-on` makes of the exit code.
    pub verdict: Verdict,
    pub counts: Counts,
    pub exit: ExitPart,
    /// The output folder, as given or made.
    pub output: String,
    /// Every file in the output folder once the reports were written (reports, the
    /// journal, the bundle's files), each as `output` joined with its name, in name order.
    pub files: Vec<String>,
    /// Every result that failed, errored or was not reported, in plan order.
    pub problems: Vec<Problem>,
    /// What changed since the previous comparable run in the history; `null` without a
    /// history, or for the first run of its suite and scope.
    pub since: Option<Since>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RunPart {
    /// The run's id, as `results.json` and the history know it.
    pub id: String,
    /// The suite's id and display name.
    pub suite: String,
    pub suite_name: String,
    /// RFC 3339, UTC.
    pub started: String,
    pub finished: String,
    pub duration_s: f64,
    /// False when the run was interrupted: some planned items have no result.
    pub complete: bool,
    /// The probing machine's host name.
    pub host: String,
    /// `--vantage`, or the root's id for a whole run.
    pub vantage: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    NotPassed,
}

/// Results by status (`total` is their sum; `planned` the items the plan held).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Counts {
    pub planned: usize,
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub waived: usize,
    /// Only a merge has any.
    pub not_reported: usize,
}

/// The process's exit code, and what it means (FORMAT.md, "Exit codes").
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExitPart {
    pub code: u8,
    pub meaning: String,
}

/// One result that needs looking at.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Problem {
    pub node: String,
    /// The check's id.
    pub check: String,
    pub app: Option<String>,
    /// `failed`, `errored` or `not_reported`.
    pub status: String,
    pub severity: String,
    /// The failure or error kind (`Timeout`, `NoPermission`, …), as in `results.json`.
    pub kind: Option<String>,
    /// The record's message, capped as the reports cap it.
    pub message: String,
    pub target: String,
}

/// The history's changes since the previous comparable run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Since {
    /// The previous run's id.
    pub run: String,
    pub new_failures: usize,
    pub recoveries: usize,
    pub still_failing: usize,
    pub flapping: usize,
}

impl SummaryDoc {
    /// The document of a finished record written to `dir`, ending with exit `code`
    /// (`meaning`: its words), with the history's `diff` when there is one.
    pub fn new(
        r: &Results,
        dir: &Path,
        (code, meaning): (u8, &str),
        diff: Option<&Diff>,
    ) -> SummaryDoc {
        let s = &r.summary;
        let problems = r
            .results
            .iter()
            .filter(|x| {
                matches!(
                    x.status,
                    Status::Failed | Status::Errored | Status::NotReported
                )
            })
            .map(|x| Problem {
                node: x.node.clone(),
                check: x.check.clone(),
                app: x.app.clone(),
                status: x.status.as_str().to_string(),
                severity: x.severity.as_str().to_string(),
                kind: x.kind.clone(),
                message: cap(&x.message, FIELD_CAP).into_owned(),
                target: x.target.clone(),
            })
            .collect();
        SummaryDoc {
            format: FORMAT.to_string(),
            netaccept_version: env!("CARGO_PKG_VERSION").to_string(),
            run: RunPart {
                id: r.run.id.clone(),
                suite: r.run.suite.clone(),
                suite_name: r.run.suite_name.clone(),
                started: r.run.started.to_rfc3339(),
                finished: r.run.finished.to_rfc3339(),
                duration_s: (r.run.finished - r.run.started).num_milliseconds() as f64 / 1e3,
                complete: r.run.complete,
                host: r.run.vantage.clone(),
                vantage: r.run.vantage_id.clone(),
            },
            verdict: if super::summary::passed(r) {
                Verdict::Passed
            } else {
                Verdict::NotPassed
            },
            counts: Counts {
                planned: r.run.planned,
                total: s.total(),
                passed: s.passed,
                failed: s.failed,
                errored: s.errored,
                skipped: s.skipped,
                waived: s.waived,
                not_reported: s.not_reported,
            },
            exit: ExitPart {
                code,
                meaning: meaning.to_string(),
            },
            output: dir.display().to_string(),
            files: files(dir),
            problems,
            since: diff.map(|d| Since {
                run: d.a.id.clone(),
                new_failures: d.new_failures.len(),
                recoveries: d.recoveries.len(),
                still_failing: d.still_failing.len(),
                flapping: d.flapping.len(),
            }),
        }
    }

    /// The document as pretty JSON, with a final line break.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a summary serialises") + "\n"
    }
}

/// The files in `dir` and its sub-folders (`provinces/`), each joined to `dir`, sorted: what
/// the run left there, read back rather than listed by the writers, so that it is what a
/// script will find.
fn files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() && depth > 0 => walk(&path, depth - 1, out),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, 1, &mut out);
    out.sort();
    out.into_iter().map(|p| p.display().to_string()).collect()
}
