//! `netaccept diff` as it is printed: a [`crate::trend::Diff`] as a table for people (sections NEW
//! FAILURES, RECOVERIES, STILL FAILING, FLAPPING, REGRESSIONS, each with its count) and as
//! JSON (`netaccept-diff/1`) for scripts and cron. [`Names`] turns the store's ids into the
//! display names of its catalog.
//!
//! Node names and messages come from inventories and targets: a table cell shows them on one
//! line with their control characters in caret form ([`visible::line`]), measured as shown,
//! so that they neither reach the terminal raw nor break the alignment. The JSON carries the
//! text as it is, escaped by JSON.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::diag::{visible, width};
use crate::history::{Catalog, ItemKey};
use crate::report::history::{JsonRun, run_json, to_json};
use crate::report::text::cap;
use crate::results::Status;
use crate::trend::{Change, Diff, Flap, Regression};

/// The JSON format's name; a new version when a field changes meaning or goes away.
pub const FORMAT: &str = "netaccept-diff/1";

/// Longest message a table row shows, in bytes: the table is for a terminal, the whole
/// message is in the JSON and the run's reports.
const MESSAGE_CAP: usize = 160;

/// Display names by id, from the store's catalog of a suite. An id the catalog does not
/// know (a node since removed from every run) shows as its id alone.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub nodes: HashMap<String, String>,
    pub checks: HashMap<String, String>,
    pub apps: HashMap<String, String>,
}

impl Names {
    pub fn from_catalog(catalog: &Catalog) -> Names {
        Names {
            nodes: catalog
                .nodes
                .iter()
                .map(|n| (n.id.clone(), n.name.clone()))
                .collect(),
            checks: catalog
                .checks
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            apps: catalog
                .apps
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect(),
        }
    }

    pub fn node(&self, id: &str) -> Option<&str> {
        self.nodes.get(id).map(String::as_str)
    }

    pub fn check(&self, id: &str) -> Option<&str> {
        self.checks.get(id).map(String::as_str)
    }

    pub fn app(&self, id: &str) -> Option<&str> {
        self.apps.get(id).map(String::as_str)
    }

    /// A node as a table shows it: `name (id)`, or the id alone when the name is unknown or
    /// the same.
    pub(crate) fn node_shown(&self, id: &str) -> String {
        match self.node(id) {
            Some(name) if name != id => format!("{name} ({id})"),
            _ => id.to_string(),
        }
    }
}

/// An instant as the tables show it: Beijing time, where the operators read the runs
/// (UTC+08:00, no daylight saving time), with its offset so that it cannot be misread.
pub(crate) fn beijing(at: DateTime<Utc>) -> String {
    let bj = crate::model::beijing::local(at);
    format!("{} +08:00", bj.format("%Y-%m-%d %H:%M:%S"))
}

/// A measurement's value with its unit, from the key's suffix (`_ms`, `_pct`), to one
/// decimal: as the diff table and the HTML report's regressions show it.
pub(crate) fn measure_value(measure: &str, v: f64) -> String {
    if measure.ends_with("_ms") {
        format!("{v:.1} ms")
    } else if measure.ends_with("_pct") {
        format!("{v:.1} %")
    } else {
        format!("{v:.1}")
    }
}

fn status(s: Option<Status>) -> &'static str {
    s.map_or("-", Status::as_str)
}

/// The plain-text table of a diff.
pub fn table(diff: &Diff, names: &Names) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "diff of suite {} ({}), scope {}",
        one_line(&diff.b.suite),
        one_line(&diff.b.suite_name),
        one_line(&diff.b.scope)
    );
    for (label, run) in [("a", &diff.a), ("b", &diff.b)] {
        let _ = write!(
            out,
            "  {label}: {}  started {}",
            one_line(&run.id),
            beijing(run.started)
        );
        // Runs named on the command line may be of two scopes: then each says its own.
        if diff.a.scope != diff.b.scope {
            let _ = write!(out, "  scope {}", one_line(&run.scope));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} compared: {} new {}, {} {}, {} still failing, {} flapping ({} started, {} stopped), {} {}",
        diff.compared,
        diff.new_failures.len(),
        plural(diff.new_failures.len(), "failure", "failures"),
        diff.recoveries.len(),
        plural(diff.recoveries.len(), "recovery", "recoveries"),
        diff.still_failing.len(),
        diff.flapping.len(),
        diff.flapping_started.len(),
        diff.flapping_stopped.len(),
        diff.regressions.len(),
        plural(diff.regressions.len(), "regression", "regressions"),
    );

    let key_cells = |k: &ItemKey| {
        vec![
            names.node_shown(&k.node),
            k.check.clone(),
            k.app.clone().unwrap_or_else(|| "-".into()),
        ]
    };

    section(
        &mut out,
        &format!("NEW FAILURES ({})", diff.new_failures.len()),
        &["NODE", "CHECK", "APP", "BEFORE", "NOW", "KIND", "MESSAGE"],
        diff.new_failures.iter().map(|c| change_row(&key_cells, c)),
    );
    section(
        &mut out,
        &format!("RECOVERIES ({})", diff.recoveries.len()),
        &["NODE", "CHECK", "APP", "BEFORE", "NOW"],
        diff.recoveries.iter().map(|c| {
            let mut row = key_cells(&c.key);
            row.push(status(c.before).into());
            row.push(c.after.as_str().into());
            row
        }),
    );
    section(
        &mut out,
        &format!("STILL FAILING ({})", diff.still_failing.len()),
        &["NODE", "CHECK", "APP", "NOW", "SINCE", "KIND", "MESSAGE"],
        diff.still_failing.iter().map(|c| {
            let mut row = key_cells(&c.key);
            row.push(c.after.as_str().into());
            row.push(c.since.map_or_else(|| "-".into(), beijing));
            row.push(c.kind.clone().unwrap_or_else(|| "-".into()));
            row.push(cap(&c.message, MESSAGE_CAP).into_owned());
            row
        }),
    );
    let flaps = flap_rows(diff);
    section(
        &mut out,
        &format!(
            "FLAPPING ({}; {} started, {} stopped)",
            diff.flapping.len(),
            diff.flapping_started.len(),
            diff.flapping_stopped.len()
        ),
        &["NODE", "CHECK", "APP", "CHANGE %", "STATE"],
        flaps.iter().map(|(f, state)| {
            let mut row = key_cells(&f.key);
            row.push(format!("{:.1}", f.percent));
            row.push((*state).into());
            row
        }),
    );
    section(
        &mut out,
        &format!("REGRESSIONS ({})", diff.regressions.len()),
        &["NODE", "CHECK", "APP", "MEASURE", "BEFORE → AFTER"],
        diff.regressions.iter().map(|r| {
            let mut row = key_cells(&r.key);
            row.push(r.measure.clone());
            row.push(format!(
                "{} → {}",
                measure_value(&r.measure, r.before),
                measure_value(&r.measure, r.after)
            ));
            row
        }),
    );
    out
}

fn change_row(key_cells: &dyn Fn(&ItemKey) -> Vec<String>, c: &Change) -> Vec<String> {
    let mut row = key_cells(&c.key);
    row.push(status(c.before).into());
    row.push(c.after.as_str().into());
    row.push(c.kind.clone().unwrap_or_else(|| "-".into()));
    row.push(cap(&c.message, MESSAGE_CAP).into_owned());
    row
}

/// The FLAPPING section's rows: what flaps at `b` (marked `started` when it began there)
/// and what stopped at `b`, in key order.
fn flap_rows(diff: &Diff) -> Vec<(&Flap, &'static str)> {
    let flapping: HashSet<&ItemKey> = diff.flapping.iter().map(|f| &f.key).collect();
    let started: HashSet<&ItemKey> = diff.flapping_started.iter().map(|f| &f.key).collect();
    let mut rows: Vec<(&Flap, &'static str)> = diff
        .flapping
        .iter()
        .map(|f| {
            let state = if started.contains(&f.key) {
                "started"
            } else {
                "flapping"
            };
            (f, state)
        })
        // A start at `b` is flapping at `b` too; one listed only as started is shown all the
        // same.
        .chain(
            diff.flapping_started
                .iter()
                .filter(|f| !flapping.contains(&f.key))
                .map(|f| (f, "started")),
        )
        .chain(diff.flapping_stopped.iter().map(|f| (f, "stopped")))
        .collect();
    rows.sort_by(|x, y| x.0.key.cmp(&y.0.key));
    rows
}

pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A cell shown on one line: control characters in caret form.
pub(crate) fn one_line(s: &str) -> String {
    visible::line(s).into_owned()
}

/// Writes a titled section: the title, then (when it has rows) the header and the rows in
/// aligned columns, indented; the last column is not padded.
pub(crate) fn section(
    out: &mut String,
    title: &str,
    head: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) {
    let _ = writeln!(out, "\n{title}");
    let rows: Vec<Vec<String>> = rows
        .map(|r| r.iter().map(|c| one_line(c)).collect())
        .collect();
    if rows.is_empty() {
        return;
    }
    aligned(out, "  ", head, &rows);
}

/// Rows in columns as wide as their widest cell (as the terminal measures it, wide
/// characters counting two), two spaces apart, each cell to the left.
pub(crate) fn aligned(out: &mut String, indent: &str, head: &[&str], rows: &[Vec<String>]) {
    aligned_from(out, indent, head, rows, usize::MAX);
}

/// [`aligned`], with the columns from `first_right` on (numbers) to the right.
pub(crate) fn aligned_from(
    out: &mut String,
    indent: &str,
    head: &[&str],
    rows: &[Vec<String>],
    first_right: usize,
) {
    let mut widths: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(cell));
        }
    }
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        out.push_str(indent);
        let cells: Vec<&str> = cells.collect();
        for (i, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i] - width(cell));
            let last = i + 1 == cells.len();
            if i >= first_right {
                out.push_str(&pad);
                out.push_str(cell);
            } else {
                out.push_str(cell);
                // A last cell to the left is not padded.
                if !last {
                    out.push_str(&pad);
                }
            }
            if !last {
                out.push_str("  ");
            }
        }
        out.push('\n');
    };
    line(&mut head.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    format: &'static str,
    a: JsonRun<'a>,
    b: JsonRun<'a>,
    compared: usize,
    counts: JsonCounts,
    new_failures: Vec<JsonChange<'a>>,
    recoveries: Vec<JsonChange<'a>>,
    still_failing: Vec<JsonChange<'a>>,
    flapping: Vec<JsonFlap<'a>>,
    flapping_started: Vec<JsonFlap<'a>>,
    flapping_stopped: Vec<JsonFlap<'a>>,
    regressions: Vec<JsonRegression<'a>>,
}

#[derive(Serialize)]
struct JsonCounts {
    new_failures: usize,
    recoveries: usize,
    still_failing: usize,
    flapping: usize,
    flapping_started: usize,
    flapping_stopped: usize,
    regressions: usize,
}

/// An item with its names (`null` where the catalog has none).
#[derive(Serialize)]
pub(crate) struct JsonItem<'a> {
    node: &'a str,
    node_name: Option<&'a str>,
    check: &'a str,
    check_name: Option<&'a str>,
    app: Option<&'a str>,
    app_name: Option<&'a str>,
}

pub(crate) fn item<'a>(key: &'a ItemKey, names: &'a Names) -> JsonItem<'a> {
    JsonItem {
        node: &key.node,
        node_name: names.node(&key.node),
        check: &key.check,
        check_name: names.check(&key.check),
        app: key.app.as_deref(),
        app_name: key.app.as_deref().and_then(|a| names.app(a)),
    }
}

#[derive(Serialize)]
struct JsonChange<'a> {
    #[serde(flatten)]
    item: JsonItem<'a>,
    before: Option<Status>,
    after: Status,
    kind: Option<&'a str>,
    message: &'a str,
    since: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct JsonFlap<'a> {
    #[serde(flatten)]
    item: JsonItem<'a>,
    percent: f64,
    flapping: bool,
}

#[derive(Serialize)]
struct JsonRegression<'a> {
    #[serde(flatten)]
    item: JsonItem<'a>,
    measure: &'a str,
    before: f64,
    after: f64,
}

/// The diff as JSON (`netaccept-diff/1`, FORMAT.md "diff and history output"): every list
/// always present, in key order, each item with its names.
pub fn json(diff: &Diff, names: &Names) -> String {
    fn change<'a>(c: &'a Change, names: &'a Names) -> JsonChange<'a> {
        JsonChange {
            item: item(&c.key, names),
            before: c.before,
            after: c.after,
            kind: c.kind.as_deref(),
            message: &c.message,
            since: c.since,
        }
    }
    fn flap<'a>(f: &'a Flap, names: &'a Names) -> JsonFlap<'a> {
        JsonFlap {
            item: item(&f.key, names),
            percent: f.percent,
            flapping: f.flapping,
        }
    }
    fn regression<'a>(r: &'a Regression, names: &'a Names) -> JsonRegression<'a> {
        JsonRegression {
            item: item(&r.key, names),
            measure: &r.measure,
            before: r.before,
            after: r.after,
        }
    }
    let doc = JsonDiff {
        format: FORMAT,
        a: run_json(&diff.a),
        b: run_json(&diff.b),
        compared: diff.compared,
        counts: JsonCounts {
            new_failures: diff.new_failures.len(),
            recoveries: diff.recoveries.len(),
            still_failing: diff.still_failing.len(),
            flapping: diff.flapping.len(),
            flapping_started: diff.flapping_started.len(),
            flapping_stopped: diff.flapping_stopped.len(),
            regressions: diff.regressions.len(),
        },
        new_failures: diff.new_failures.iter().map(|c| change(c, names)).collect(),
        recoveries: diff.recoveries.iter().map(|c| change(c, names)).collect(),
        still_failing: diff
            .still_failing
            .iter()
            .map(|c| change(c, names))
            .collect(),
        flapping: diff.flapping.iter().map(|f| flap(f, names)).collect(),
        flapping_started: diff
            .flapping_started
            .iter()
            .map(|f| flap(f, names))
            .collect(),
        flapping_stopped: diff
            .flapping_stopped
            .iter()
            .map(|f| flap(f, names))
            .collect(),
        regressions: diff
            .regressions
            .iter()
            .map(|r| regression(r, names))
            .collect(),
    };
    to_json(&doc)
}
