//! `--format json` of `netaccept availability`: `netaccept-availability/1`, the report's
//! numbers for scripts (FORMAT.md documents the fields).

use serde::Serialize;

use crate::report::history::to_json;
use crate::trend::{Availability, Counts, Row};

/// The format's name, in its `format` field.
pub const FORMAT: &str = "netaccept-availability/1";

#[derive(Serialize)]
struct Doc<'a> {
    format: &'static str,
    suite: &'a str,
    suite_name: &'a str,
    period: Period,
    scopes: &'a [String],
    generated: String,
    overall: Numbers,
    provinces: Vec<RowOut<'a>>,
    nodes: Vec<RowOut<'a>>,
    checks: Vec<RowOut<'a>>,
    apps: Vec<RowOut<'a>>,
    maintenance: Vec<Window<'a>>,
}

#[derive(Serialize)]
struct Period {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct Numbers {
    up: u64,
    down: u64,
    maintenance: u64,
    unknown: u64,
    /// up ÷ (up + down) × 100, unrounded; `null` without either.
    percent: Option<f64>,
}

#[derive(Serialize)]
struct RowOut<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(flatten)]
    numbers: Numbers,
}

#[derive(Serialize)]
struct Window<'a> {
    from: String,
    to: String,
    nodes: &'a [String],
    checks: &'a [String],
    apps: &'a [String],
    reason: &'a str,
}

fn numbers(c: &Counts) -> Numbers {
    Numbers {
        up: c.up,
        down: c.down,
        maintenance: c.maintenance,
        unknown: c.unknown,
        percent: c.percent(),
    }
}

fn rows(r: &[Row]) -> Vec<RowOut<'_>> {
    r.iter()
        .map(|r| RowOut {
            id: &r.id,
            name: &r.name,
            numbers: numbers(&r.counts),
        })
        .collect()
}

/// The report as pretty JSON, ending in a line feed.
pub fn json(a: &Availability) -> String {
    let doc = Doc {
        format: FORMAT,
        suite: &a.suite,
        suite_name: &a.suite_name,
        period: Period {
            from: a.period.from.to_string(),
            to: a.period.to.to_string(),
        },
        scopes: &a.scopes,
        generated: a
            .generated
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        overall: numbers(&a.overall),
        provinces: rows(&a.provinces),
        nodes: rows(&a.nodes),
        checks: rows(&a.checks),
        apps: rows(&a.apps),
        maintenance: a
            .maintenance
            .windows
            .iter()
            .map(|w| Window {
                from: w.from.to_rfc3339(),
                to: w.to.to_rfc3339(),
                nodes: &w.nodes,
                checks: &w.checks,
                apps: &w.apps,
                reason: &w.reason,
            })
            .collect(),
    };
    to_json(&doc)
}
