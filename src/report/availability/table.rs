//! The availability report as a plain-text table for the terminal: the period and scopes,
//! the overall figure, then each table (provinces, nodes, checks, apps) worst first, columns
//! aligned by display width (Chinese names take two columns a character).

use std::fmt::Write as _;

use super::percent;
use crate::diag::visible;
use crate::report::diff::aligned_from;
use crate::trend::{Availability, Row};

/// The table text, ending in a line feed.
pub fn table(a: &Availability) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "availability {} – {} (Beijing days) · suite {} ({})",
        a.period.from,
        a.period.to,
        visible::line(&a.suite),
        visible::line(&a.suite_name)
    );
    if !a.scopes.is_empty() {
        let _ = writeln!(out, "scopes: {}", visible::line(&a.scopes.join(", ")));
    }
    let o = &a.overall;
    let _ = writeln!(
        out,
        "overall: {} %  (up {}, down {}, maintenance {}, unknown {})",
        percent(o),
        o.up,
        o.down,
        o.maintenance,
        o.unknown
    );
    for (title, rows) in [
        ("provinces", &a.provinces),
        ("nodes", &a.nodes),
        ("checks", &a.checks),
        ("apps", &a.apps),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.push('\n');
        let _ = writeln!(out, "{title} (worst first)");
        section(&mut out, rows);
    }
    if !a.maintenance.windows.is_empty() {
        let _ = writeln!(out, "\nmaintenance windows");
        for w in &a.maintenance.windows {
            let scope = [
                ("nodes", &w.nodes),
                ("checks", &w.checks),
                ("apps", &w.apps),
            ]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {}", v.join(",")))
            .collect::<Vec<_>>()
            .join("; ");
            let _ = writeln!(
                out,
                "  {} – {}  {}  {}",
                w.from.to_rfc3339(),
                w.to.to_rfc3339(),
                visible::line(if scope.is_empty() { "all" } else { &scope }),
                visible::line(&w.reason)
            );
        }
    }
    out
}

/// One table: id, name, the four counts and the percent (text to the left, numbers to the
/// right).
fn section(out: &mut String, rows: &[Row]) {
    let head = ["id", "name", "up", "down", "maint", "unknown", "avail %"];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                visible::line(&r.id).into_owned(),
                visible::line(&r.name).into_owned(),
                r.counts.up.to_string(),
                r.counts.down.to_string(),
                r.counts.maintenance.to_string(),
                r.counts.unknown.to_string(),
                percent(&r.counts),
            ]
        })
        .collect();
    aligned_from(out, "  ", &head, &cells, 2);
}
