//! `netaccept report`: a record read back (a `results.json`, or the `journal.jsonl` of a run
//! that never wrote one), optionally with newer waivers and another operator, ready to be
//! written again. No traffic.

use std::path::{Path, PathBuf};

use super::Finished;
use crate::error::Error;
use crate::model::WaiverTargets;
use crate::report::json::{self, ReadError};
use crate::report::{journal, waive};
use crate::results::{Results, Summary};

/// A record as `report` and `history import` read it: a `results.json`, or the
/// `journal.jsonl` of a run that never wrote one (killed, powered off), with what the
/// journal's reading says (its cut line).
pub fn read_record(path: &Path) -> Result<(Results, Vec<String>), Error> {
    let not_results = |e| Error::NotResults {
        path: path.to_path_buf(),
        why: match e {
            ReadError::Io(e) => format!("cannot read: {e}"),
            ReadError::NotResults(m) | ReadError::Newer(m) => m,
        },
    };
    if journal::is_journal(path) {
        journal::read(path).map_err(not_results)
    } else {
        Ok((json::read(path).map_err(not_results)?, Vec::new()))
    }
}

/// What `report` is asked.
#[derive(Debug, Clone)]
pub struct Rerender {
    /// A `results.json` written by `run`, or its `journal.jsonl`.
    pub results: PathBuf,
    /// `None`: the results file's folder.
    pub output: Option<PathBuf>,
    pub waivers: Option<PathBuf>,
    /// Replaces the record's operator.
    pub operator: Option<String>,
}

/// The record, and what the operator should know about it (a journal's cut line, a summary
/// that did not match its results).
pub fn rerender(req: &Rerender) -> Result<(Finished, Vec<String>), Error> {
    let (mut results, mut warnings) = read_record(&req.results)?;
    // The counts are the results': a stored summary that says otherwise (an edited file, a
    // bug) is replaced, and said, never trusted over the results it summarises.
    let counted = Summary::of(&results.results);
    if counted != results.summary {
        let s = results.summary;
        warnings.push(format!(
            "{}: its summary ({} passed, {} failed, {} errored, {} skipped, {} waived) does not match its {} results; the reports use the counts of the results",
            req.results.display(),
            s.passed,
            s.failed,
            s.errored,
            s.skipped,
            s.waived,
            results.results.len()
        ));
        results.summary = counted;
    }
    if let Some(path) = &req.waivers {
        // The waivers name what the record holds: its nodes, checks (per app or not) and apps.
        let targets = WaiverTargets {
            nodes: results.nodes.iter().map(|n| n.id.clone()).collect(),
            checks: results
                .checks
                .iter()
                .map(|c| {
                    let per_app = results
                        .results
                        .iter()
                        .any(|x| x.check == c.id && x.app.is_some());
                    (c.id.clone(), per_app)
                })
                .collect(),
            apps: results.apps.iter().map(|a| a.id.clone()).collect(),
        };
        let (waivers, _) = crate::load::load_waivers(path, &targets)?;
        waive::apply(&mut results, &waivers.waivers);
    }
    if let Some(op) = &req.operator {
        results.run.operator.clone_from(op);
    }
    let dir = match &req.output {
        Some(d) => d.clone(),
        None => req
            .results
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::CreateOutput {
        dir: dir.clone(),
        source,
    })?;
    Ok((Finished { results, dir }, warnings))
}
