//! The availability report as a plain-text table for the terminal: the period and scopes,
//! the overall figure, then each table (provinces, nodes, checks, apps) worst first, columns
//! aligned by display width (Chinese names take two columns a character).

use std::fmt::Write as _;

use super::percent;
use crate::diag::{visible, width};
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

/// One table: id, name, the four counts and the percent.
fn section(out: &mut String, rows: &[Row]) {
    let head = ["id", "name", "up", "down", "maint", "unknown", "avail %"];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
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
    let mut w = head.map(width);
    for c in &cells {
        for (i, s) in c.iter().enumerate() {
            w[i] = w[i].max(width(s));
        }
    }
    let line = |out: &mut String, c: &[&str]| {
        out.push_str("  ");
        for (i, s) in c.iter().enumerate() {
            let pad = " ".repeat(w[i] - width(s));
            // Text to the left, numbers to the right.
            if i < 2 {
                out.push_str(s);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(s);
            }
            out.push_str(if i + 1 < c.len() { "  " } else { "\n" });
        }
    };
    line(out, &head);
    for c in &cells {
        line(out, &c.each_ref().map(String::as_str));
    }
}
