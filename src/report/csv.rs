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
//!
//! With `--lang zh` (the default) the header row, the statuses, severities and levels are in
//! Chinese and the message, expected and measured columns explain each record in Chinese
//! ([`crate::report::words`]), the prober's own line kept after it (`（原始信息：…）`) where
//! it says more; with `--lang en` the file is as the record holds it. The columns are the same in
//! both, in the same order, so a script reads either by position.

use std::io::Write;

use chrono::SecondsFormat;

use crate::report::Lang;
use crate::report::words::{self, Names};
use crate::results::Results;

/// The header row of `--lang en`, in order.
pub const HEADER: [&str; 24] = [
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
    "vantage",
    "host",
];

/// The header row of `--lang zh`: [`HEADER`] in Chinese, column for column.
pub const HEADER_ZH: [&str; 24] = [
    "节点",
    "节点名称",
    "路径",
    "级别",
    "检查",
    "检查名称",
    "应用",
    "应用名称",
    "状态",
    "严重程度",
    "类型",
    "说明",
    "期望",
    "实测",
    "目标",
    "尝试次数",
    "耗时（毫秒）",
    "开始时间",
    "豁免原因",
    "豁免批准人",
    "豁免到期日",
    "豁免已过期（到期日）",
    "探测点",
    "探测主机",
];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Renders the whole record as CSV bytes (UTF-8 with a BOM, CRLF line ends).
pub fn render(results: &Results, lang: Lang) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(results, lang, &mut bytes).expect("writing to memory cannot fail");
    bytes
}

/// Writes the whole record as CSV (UTF-8 with a BOM, CRLF line ends), row by row.
pub fn write(results: &Results, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let crate::results::Lookup {
        nodes,
        checks,
        apps,
    } = results.lookup();

    out.write_all(BOM)?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(match lang {
        Lang::Zh => HEADER_ZH,
        Lang::En => HEADER,
    })?;
    let dir = Names::new(results);
    for r in &results.results {
        let x = words::explain(r, lang, &dir);
        let message = match x.raw {
            // On the same line, as the HTML report's details show it: a cell of one line
            // keeps the file one row per line for the tools that read it by lines.
            Some(raw) => format!("{}（{}：{raw}）", x.sentence, words::raw_label(lang)),
            None => x.sentence.into_owned(),
        };
        let node = nodes.get(r.node.as_str());
        let app = r.app.as_deref().unwrap_or("");
        let text = |s: &str| guard(&clean(s));
        let row = [
            text(&r.node),
            text(node.map_or("", |n| n.name.as_str())),
            text(node.map_or("", |n| n.path.as_str())),
            text(node.map_or("", |n| words::level(n.level, lang))),
            text(&r.check),
            text(checks.get(r.check.as_str()).copied().unwrap_or("")),
            text(app),
            text(apps.get(app).copied().unwrap_or("")),
            text(words::status(r.status, lang)),
            text(words::severity(r.severity, lang)),
            text(r.kind.as_deref().unwrap_or("")),
            text(&message),
            text(x.expected.as_deref().unwrap_or("")),
            text(x.measured.as_deref().unwrap_or("")),
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
            // Where it was probed from (empty in records written before vantages): last, so
            // that a script reading the older columns by position still reads them.
            text(r.vantage.as_deref().unwrap_or("")),
            text(r.host.as_deref().unwrap_or("")),
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
