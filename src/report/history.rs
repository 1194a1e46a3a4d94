//! `netaccept history list` and `history show` as they are printed: the recorded runs, and
//! one node's results over a period, each as a table for people and as JSON for scripts
//! (`netaccept-history-runs/1`, `netaccept-history-series/1`).
//!
//! As in `diff` ([`super::diff`]), text from inventories and targets is shown in the tables on
//! one line with its control characters in caret form, and carried as it is in the JSON.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::diff::{JsonItem, Names, aligned, beijing, item, one_line, plural};
use crate::history::{RunRow, SeriesPoint};
use crate::report::text::cap;
use crate::results::{Shard, Status, Summary};

/// The JSON format of `history list`.
pub const RUNS_FORMAT: &str = "netaccept-history-runs/1";
/// The JSON format of `history show`.
pub const SERIES_FORMAT: &str = "netaccept-history-series/1";

/// Longest message a table row shows, in bytes (the whole one is in the JSON).
const MESSAGE_CAP: usize = 120;

/// The runs, one a row, as given (the store lists them newest first).
pub fn runs_table(runs: &[RunRow]) -> String {
    let head = [
        "ID",
        "STARTED",
        "SUITE",
        "SCOPE",
        "HOST",
        "COMPLETE",
        "PASSED",
        "FAILED",
        "ERRORED",
        "SKIPPED",
        "WAIVED",
        "NOT_REPORTED",
    ];
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let s = &r.summary;
            [
                one_line(&r.id),
                beijing(r.started),
                one_line(&r.suite),
                one_line(&r.scope),
                one_line(&r.host),
                if r.complete { "yes" } else { "no" }.to_string(),
                s.passed.to_string(),
                s.failed.to_string(),
                s.errored.to_string(),
                s.skipped.to_string(),
                s.waived.to_string(),
                s.not_reported.to_string(),
            ]
            .into()
        })
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        aligned(&mut out, "", &head, &rows);
    }
    let _ = writeln!(out, "{} {}", runs.len(), plural(runs.len(), "run", "runs"));
    out
}

/// Six counts, every one present (the record leaves `not_reported` out when 0; a script
/// reading history should not have to know that).
#[derive(Serialize)]
struct JsonSummary {
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
    waived: usize,
    not_reported: usize,
    total: usize,
}

fn summary(s: &Summary) -> JsonSummary {
    JsonSummary {
        passed: s.passed,
        failed: s.failed,
        errored: s.errored,
        skipped: s.skipped,
        waived: s.waived,
        not_reported: s.not_reported,
        total: s.total(),
    }
}

/// A run in the JSON of `history list` and of `diff` (its `a` and `b`).
#[derive(Serialize)]
pub(crate) struct JsonRun<'a> {
    id: &'a str,
    suite: &'a str,
    suite_name: &'a str,
    scope: &'a str,
    vantage: Option<&'a str>,
    host: &'a str,
    shard: Option<Shard>,
    merged: bool,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    complete: bool,
    summary: JsonSummary,
}

pub(crate) fn run_json(r: &RunRow) -> JsonRun<'_> {
    JsonRun {
        id: &r.id,
        suite: &r.suite,
        suite_name: &r.suite_name,
        scope: &r.scope,
        vantage: r.vantage_id.as_deref(),
        host: &r.host,
        shard: r.shard,
        merged: r.merged,
        started: r.started,
        finished: r.finished,
        complete: r.complete,
        summary: summary(&r.summary),
    }
}

#[derive(Serialize)]
struct JsonRuns<'a> {
    format: &'static str,
    runs: Vec<JsonRun<'a>>,
}

/// The runs as JSON (`netaccept-history-runs/1`), in the order given.
pub fn runs_json(runs: &[RunRow]) -> String {
    to_json(&JsonRuns {
        format: RUNS_FORMAT,
        runs: runs.iter().map(run_json).collect(),
    })
}

/// One node's results over time, one a row, oldest first: when, the run and its scope (a
/// series may hold a vantage's runs and merged ones), the check and app,
/// the status (a waived one with what it found), the duration, the numeric measurements and
/// the message.
pub fn series_table(points: &[SeriesPoint], names: &Names) -> String {
    let head = [
        "STARTED",
        "RUN",
        "SCOPE",
        "CHECK",
        "APP",
        "STATUS",
        "DURATION",
        "MEASUREMENTS",
        "MESSAGE",
    ];
    let mut out = String::new();
    let nodes: std::collections::BTreeSet<&str> =
        points.iter().map(|p| p.item.key.node.as_str()).collect();
    for node in nodes {
        let _ = writeln!(out, "node {}", one_line(&names.node_shown(node)));
    }
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let it = &p.item;
            let status = match (it.status, it.original) {
                (Status::Waived, Some(o)) => format!("waived ({})", o.as_str()),
                (s, _) => s.as_str().to_string(),
            };
            [
                beijing(it.started),
                one_line(&p.run),
                one_line(&p.scope),
                one_line(&it.key.check),
                one_line(it.key.app.as_deref().unwrap_or("-")),
                status,
                format!("{:.0} ms", it.duration_ms),
                one_line(&numbers(&it.measurements)),
                one_line(&cap(&it.message, MESSAGE_CAP)),
            ]
            .into()
        })
        .collect();
    if !rows.is_empty() {
        aligned(&mut out, "", &head, &rows);
    }
    let _ = writeln!(
        out,
        "{} {}",
        points.len(),
        plural(points.len(), "result", "results")
    );
    out
}

/// The numeric measurements, `key=value` in key order: what a trend is read from. The
/// structured ones (a certificate chain, a TLS finding) would not fit a row.
fn numbers(m: &crate::outcome::Measurements) -> String {
    let mut pairs: Vec<(&String, &serde_json::Value)> =
        m.iter().filter(|(_, v)| v.is_number()).collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let shown: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if shown.is_empty() {
        "-".into()
    } else {
        shown.join(" ")
    }
}

#[derive(Serialize)]
struct JsonSeries<'a> {
    format: &'static str,
    points: Vec<JsonPoint<'a>>,
}

#[derive(Serialize)]
struct JsonPoint<'a> {
    run: &'a str,
    scope: &'a str,
    #[serde(flatten)]
    item: JsonItem<'a>,
    status: Status,
    /// For a waived result, what the check found.
    original: Option<Status>,
    kind: Option<&'a str>,
    severity: &'static str,
    started: DateTime<Utc>,
    duration_ms: f64,
    message: &'a str,
    measurements: &'a crate::outcome::Measurements,
}

/// One node's results as JSON (`netaccept-history-series/1`), oldest first, each with the
/// names of its node, check and app.
pub fn series_json(points: &[SeriesPoint], names: &Names) -> String {
    to_json(&JsonSeries {
        format: SERIES_FORMAT,
        points: points
            .iter()
            .map(|p| JsonPoint {
                run: &p.run,
                scope: &p.scope,
                item: item(&p.item.key, names),
                status: p.item.status,
                original: p.item.original,
                kind: p.item.kind.as_deref(),
                severity: p.item.severity.as_str(),
                started: p.item.started,
                duration_ms: p.item.duration_ms,
                message: &p.item.message,
                measurements: &p.item.measurements,
            })
            .collect(),
    })
}

/// A document of `diff`, `history` or `availability` as pretty JSON, ending in a line feed.
pub(crate) fn to_json(v: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("the output's JSON always serialises");
    s.push('\n');
    s
}
