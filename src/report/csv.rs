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

/// The header row of `links.csv` under `--lang en`, in order: one line per figure of the
/// link-quality table ([`crate::results::links`]), in the long form a spreadsheet pivots.
pub const LINKS_HEADER: [&str; 17] = [
    "tier",
    "from",
    "from_name",
    "to",
    "to_name",
    "check",
    "figure",
    "figure_name",
    "value",
    "limit",
    "limit_broken",
    "status",
    "window_start",
    "window_end",
    "path",
    "last_hop",
    "row",
];

/// The header row of `links.csv` under `--lang zh`: [`LINKS_HEADER`] in Chinese.
pub const LINKS_HEADER_ZH: [&str; 17] = [
    "链路层级",
    "起点",
    "起点名称",
    "终点",
    "终点名称",
    "检查",
    "指标",
    "指标名称",
    "实测值",
    "限值",
    "超出限值",
    "状态",
    "测量开始",
    "测量结束",
    "路径",
    "最后应答的一跳",
    "行号",
];

/// The name of the link-quality file beside `results.csv`.
pub const LINKS_FILE: &str = "links.csv";

/// Whether the record has anything for `links.csv`: a link-quality result, or a check
/// that carries path evidence. Without either the file is not written, so that a run
/// without link-quality checks leaves the folder as it was.
pub fn has_links(results: &Results) -> bool {
    crate::results::links::any(results)
}

/// Writes `links.csv` (UTF-8 with a BOM, CRLF line ends, as `results.csv`): one line per
/// figure of each row of the link-quality table, with its limit, whether it breaks it, its
/// result's status, the row's window, hop list and last hop, and the row's number (from 1,
/// in the table's order) that ties a row's lines together. A row without figures (an
/// errored check) has one line with the figure empty. Then one line per other check that
/// carries path evidence (a failed `tcp` check): its `path_last_hop`, with the hop list.
pub fn write_links(results: &Results, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    write_links_with(results, &crate::results::links::derive(results), lang, out)
}

/// [`write_links`] with the link-quality table already derived (`rows`, which must be
/// [`crate::results::links::derive`] of `results`).
pub fn write_links_with(
    results: &Results,
    rows: &[crate::results::links::LinkRow<'_>],
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use crate::results::links::{self, Bound};
    out.write_all(BOM)?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(match lang {
        Lang::Zh => LINKS_HEADER_ZH,
        Lang::En => LINKS_HEADER,
    })?;
    let text = |s: &str| guard(&clean(s));
    let when = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let yes_no = |b: bool| match (lang, b) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    };
    for (n, row) in rows.iter().enumerate() {
        let last_hop = row
            .figure("path_last_hop")
            .and_then(|f| f.value.as_str())
            .unwrap_or("");
        let lead = [
            text(words::level(row.tier, lang)),
            text(row.from.unwrap_or("")),
            text(row.from_name.unwrap_or("")),
            text(row.to),
            text(row.to_name),
        ];
        let tail = [
            when(row.window_start),
            when(row.window_end),
            text(row.path.as_deref().unwrap_or("")),
            text(last_hop),
            (n + 1).to_string(),
        ];
        if row.figures.is_empty() {
            let mid = [
                text(&row.checks.join(" ")),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                text(words::status(row.status, lang)),
            ];
            w.write_record(lead.iter().chain(&mid).chain(&tail))?;
        }
        for f in &row.figures {
            let bound = links::bound_of(f.key);
            let judged = match bound {
                Bound::None => false,
                Bound::Max | Bound::Min => f.limit.is_some(),
                Bound::BadWhenTrue | Bound::BadWhenFalse => true,
            };
            let mid = [
                text(f.check),
                text(f.key),
                text(words::labels::label(f.key, lang)),
                cell_value(f.key, f.value, lang),
                f.limit.map_or(String::new(), number),
                if judged {
                    yes_no(f.breaks).to_string()
                } else {
                    String::new()
                },
                text(words::status(f.status, lang)),
            ];
            w.write_record(lead.iter().chain(&mid).chain(&tail))?;
        }
    }
    // Path evidence of checks that are not in the table.
    let ix = results.node_index();
    for r in links::other_paths(results) {
        let node = ix.get(&r.node);
        let parent = node.and_then(|n| n.parent.as_deref());
        let last_hop = links::last_hop(&r.measurements).unwrap_or("");
        let row = [
            text(node.map_or("", |n| words::level(n.level, lang))),
            text(parent.unwrap_or("")),
            text(
                parent
                    .and_then(|p| ix.get(p))
                    .map_or("", |n| n.name.as_str()),
            ),
            text(&r.node),
            text(node.map_or(r.node.as_str(), |n| n.name.as_str())),
            text(&r.check),
            "path_last_hop".to_string(),
            text(words::labels::label("path_last_hop", lang)),
            text(last_hop),
            String::new(),
            links::path_reached(&r.measurements)
                .map_or(String::new(), |reached| yes_no(!reached).to_string()),
            text(words::status(r.status, lang)),
            when(r.started),
            String::new(),
            text(&links::path_text(&r.measurements).unwrap_or_default()),
            text(last_hop),
            String::new(),
        ];
        w.write_record(&row)?;
    }
    w.flush()
}

/// A figure's value: numbers as numbers (a spreadsheet sums them), yes/no in the language,
/// text as it is.
fn cell_value(key: &str, v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map_or(n.to_string(), number),
        serde_json::Value::Bool(_) => words::labels::value(key, v, lang),
        serde_json::Value::String(s) if key == "direction" => guard(&clean(&words::labels::value(
            key,
            &serde_json::Value::String(s.clone()),
            lang,
        ))),
        serde_json::Value::String(s) => guard(&clean(s)),
        other => guard(&clean(&other.to_string())),
    }
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
