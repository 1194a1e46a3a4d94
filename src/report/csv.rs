//! `results.csv`: one row per result, for the spreadsheet an acceptance team keeps.
//!
//! Excel decides the encoding of a CSV file by its first bytes: without a UTF-8 byte order
//! mark it reads the system code page (GBK on a Chinese Windows) and every node name turns
//! to mojibake, hence the BOM. Rows end in CRLF, as Excel writes them; quoting is the csv
//! crate's (only where needed).
//!
//! Names, messages and expectations come from inventories and from the targets themselves,
//! so a cell that a spreadsheet would take for a formula (`=HYPERLINK(…)`, `@SUM(…)`) is
//! defused with a leading `'`, which Excel and LibreOffice hide and treat as "text". Numbers
//! are written as numbers and never touched, or sorting and sums would break.

use std::io::Write;

use chrono::SecondsFormat;

use crate::results::Results;

/// The header row, in order.
pub const HEADER: [&str; 22] = [
    "node",
    "node_name",
    "path",
    "level",
    "check",
    "check_name",
    "app",
    "app_name",
    "status",
    "severity",
    "kind",
    "message",
    "expected",
    "measured",
    "target",
    "attempts",
    "duration_ms",
    "started",
    "waiver_reason",
    "waiver_approved_by",
    "waiver_expires",
    "waiver_expired",
];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Renders the whole record as CSV bytes (UTF-8 with a BOM, CRLF line ends).
pub fn render(results: &Results) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(results, &mut bytes).expect("writing to memory cannot fail");
    bytes
}

/// Writes the whole record as CSV (UTF-8 with a BOM, CRLF line ends), row by row.
pub fn write(results: &Results, out: &mut dyn Write) -> std::io::Result<()> {
    let crate::results::Lookup {
        nodes,
        checks,
        apps,
    } = results.lookup();

    out.write_all(BOM)?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(HEADER)?;
    for r in &results.results {
        let node = nodes.get(r.node.as_str());
        let app = r.app.as_deref().unwrap_or("");
        let text = |s: &str| guard(&clean(s));
        let row = [
            text(&r.node),
            text(node.map_or("", |n| n.name.as_str())),
            text(node.map_or("", |n| n.path.as_str())),
            text(node.map_or("", |n| n.level.as_str())),
            text(&r.check),
            text(checks.get(r.check.as_str()).copied().unwrap_or("")),
            text(app),
            text(apps.get(app).copied().unwrap_or("")),
            text(r.status.as_str()),
            text(r.severity.as_str()),
            text(r.kind.as_deref().unwrap_or("")),
            text(&r.message),
            text(r.expected.as_deref().unwrap_or("")),
            text(r.measured.as_deref().unwrap_or("")),
            text(&r.target),
            r.attempts.to_string(),
            number(r.duration_ms),
            r.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            text(r.waiver.as_ref().map_or("", |w| w.reason.as_str())),
            text(r.waiver.as_ref().map_or("", |w| w.approved_by.as_str())),
            r.waiver
                .as_ref()
                .map_or(String::new(), |w| w.expires.to_string()),
            // A failure an expired waiver would have covered: the day it lapsed.
            r.waiver_expired
                .as_ref()
                .map_or(String::new(), |w| w.expires.to_string()),
        ];
        w.write_record(&row)?;
    }
    w.flush()
}

/// Defuses a cell a spreadsheet would evaluate (OWASP's list of leading characters).
fn guard(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Control characters other than tab and line breaks mean nothing in a cell, and a NUL
/// makes some spreadsheet importers stop reading the file there.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// A plain decimal a spreadsheet reads in any locale's import dialog (no exponent); a
/// non-finite value, possible only in a hand-edited file, is left empty.
fn number(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_prefixes_formula_starts_only() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(s), format!("'{s}"));
        }
        for s in ["", "1-1", "山西", "a=b", " =1"] {
            assert_eq!(guard(s), s);
        }
    }

    #[test]
    fn numbers_have_no_exponent() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(203.107), "203.107");
        assert_eq!(number(1e21), "1000000000000000000000");
        assert_eq!(number(f64::NAN), "");
    }
}
