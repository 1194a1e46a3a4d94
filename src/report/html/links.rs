//! The section "link quality" of the report (链路质量): the table of
//! [`crate::results::links`] as one table per tier (provincial, prefectural, county, township links),
//! each figure with its limit and a mark where it breaks it, and the path a failed check
//! carries, as the failure list shows it. Its strings, in both languages, are here rather
//! than in `strings`, which a document without link-quality results does not need.
//!
//! A record without link-quality results has no section, and its document is byte for byte
//! what it was before the section existed.

use serde_json::Value;

use super::rows::{StatusLabel, status_label};
use super::strings::Strings;
use crate::model::Level;
use crate::report::Lang;
use crate::report::text::{FIELD_CAP, cap};
use crate::results::links::{self, Bound, LinkRow};
use crate::results::{ResultRecord, Results};

/// The section's strings in one language.
pub(super) struct LinkStrings {
    pub(super) heading: &'static str,
    pub(super) note: &'static str,
    pub(super) link: &'static str,
    pub(super) window: &'static str,
    pub(super) probes: &'static str,
    pub(super) rtt: &'static str,
    pub(super) ipdv: &'static str,
    pub(super) jitter: &'static str,
    pub(super) loss: &'static str,
    pub(super) mtu: &'static str,
    pub(super) path: &'static str,
    pub(super) throughput: &'static str,
    pub(super) verdict: &'static str,
    /// Before a cell's limits.
    pub(super) limit: &'static str,
    /// The mark's meaning, under the tables.
    pub(super) legend: &'static str,
    /// After the readiness matrix's rule: the network column rolls up the new kinds too.
    pub(super) matrix_rule: &'static str,
    tiers: [&'static str; 5],
    black_hole: &'static str,
    expected: &'static str,
    not_expected: &'static str,
    reached: &'static str,
    not_reached: &'static str,
    last_hop: &'static str,
    no_hop: &'static str,
    hops: &'static str,
    /// `hops` of one hop.
    hop: &'static str,
    up: &'static str,
    down: &'static str,
    /// The failure list's line: `{path}` and `{hop}` are filled in.
    failure_path: &'static str,
    failure_no_hop: &'static str,
    failure_not_reached: &'static str,
    failure_reached: &'static str,
}

static ZH: LinkStrings = LinkStrings {
    heading: "六、链路质量",
    note: "每条链路为上级节点 → 本节点，按层级分表；时延、时延变化、丢包率、路径 MTU、路径和吞吐量各附限值（取自检查的 limits），超出限值者以 ✘ 标出。IPDV 为 ITU-T Y.1540 定义的时延变化（时延的上分位数减最小值），抖动为 RFC 3550 的到达间隔抖动。时间为北京时间。",
    link: "链路",
    window: "测量时间",
    probes: "探测包数",
    rtt: "往返时间（毫秒）最小 / 平均 / P95 / 最大",
    ipdv: "IPDV（毫秒）",
    jitter: "抖动（毫秒）",
    loss: "丢包率",
    mtu: "路径 MTU（字节）",
    path: "路径",
    throughput: "吞吐量（Mbit/s）",
    verdict: "结论",
    limit: "限值",
    legend: "✘ 超出限值；限值栏中 ≤ 为上限，≥ 为下限；空白为未测该项。",
    matrix_rule: "网络连通一列也汇总路径 MTU、路径和吞吐量检查。",
    tiers: [
        "国家级节点",
        "省级链路（国家 → 省）",
        "地市级链路（省 → 地市）",
        "县级链路（地市 → 县）",
        "乡镇级链路（县 → 乡镇）",
    ],
    black_hole: "黑洞",
    expected: "符合预期",
    not_expected: "不符合预期",
    reached: "已到达目标",
    not_reached: "未到达目标",
    last_hop: "最后应答",
    no_hop: "无一跳应答",
    hops: "跳",
    hop: "跳",
    up: "上行",
    down: "下行",
    failure_path: "失败时的路径：{path}；最后应答的一跳：{hop}",
    failure_no_hop: "无一跳应答",
    failure_not_reached: "（未到达目标）",
    failure_reached: "（已到达目标）",
};

static EN: LinkStrings = LinkStrings {
    heading: "6. Link quality",
    note: "Each link is the parent node → the node, one table per tier; delay, delay variation, loss, path MTU, path and throughput each with its limit (the check's limits), a figure beyond its limit marked ✘. IPDV is ITU-T Y.1540's delay variation (an upper quantile of delay minus its minimum); jitter is RFC 3550's interarrival jitter. Times are Beijing time.",
    link: "Link",
    window: "Measured",
    probes: "Probes",
    rtt: "RTT (ms) min / avg / p95 / max",
    ipdv: "IPDV (ms)",
    jitter: "Jitter (ms)",
    loss: "Loss",
    mtu: "Path MTU (bytes)",
    path: "Path",
    throughput: "Throughput (Mbit/s)",
    verdict: "Verdict",
    limit: "limit",
    legend: "✘ beyond its limit; in the limits, ≤ is a maximum and ≥ a minimum; an empty cell was not measured.",
    matrix_rule: " The network column rolls up the path MTU, path and throughput checks too.",
    tiers: [
        "National centre",
        "Provincial links (national → provincial)",
        "Prefectural links (provincial → prefectural)",
        "County links (prefectural → county)",
        "Township links (county → township)",
    ],
    black_hole: "black hole",
    expected: "as expected",
    not_expected: "not as expected",
    reached: "target reached",
    not_reached: "target not reached",
    last_hop: "last answered",
    no_hop: "no hop answered",
    hops: "hops",
    hop: "hop",
    up: "up",
    down: "down",
    failure_path: "Path at the failure: {path}; last hop that answered: {hop}",
    failure_no_hop: "none",
    failure_not_reached: " (target not reached)",
    failure_reached: " (target reached)",
};

pub(super) fn link_strings(lang: Lang) -> &'static LinkStrings {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// One table: a tier's links.
pub(super) struct LinkTier<'a> {
    pub(super) title: &'static str,
    pub(super) rows: Vec<LinkLine<'a>>,
}

/// One row as the template writes it.
pub(super) struct LinkLine<'a> {
    pub(super) from: &'a str,
    pub(super) from_id: &'a str,
    pub(super) to: &'a str,
    pub(super) to_id: &'a str,
    pub(super) checks: String,
    pub(super) window: String,
    pub(super) cells: Vec<LinkCell>,
    pub(super) status: StatusLabel,
}

/// One cell: its figures (several for the RTT), and the limits below them.
pub(super) struct LinkCell {
    pub(super) parts: Vec<Part>,
    pub(super) limits: String,
    /// Some figure of the cell breaks its limit.
    pub(super) broken: bool,
    /// Small text under the figures (the path's hop list).
    pub(super) more: String,
    /// Between the figures: ` / ` between the RTT's four, ` · ` between statements.
    pub(super) sep: &'static str,
}

pub(super) struct Part {
    pub(super) text: String,
    pub(super) broken: bool,
    /// Words that may break across lines (the last hop); a figure is kept on one line.
    pub(super) wrap: bool,
}

/// The section's tables. `provincial_only`: the national summary of `--split provincial`,
/// which shows the national → provincial links (each province's document has its own).
pub(super) fn tiers<'a>(
    res: &'a Results,
    t: &Strings,
    lang: Lang,
    provincial_only: bool,
) -> Vec<LinkTier<'a>> {
    let s = link_strings(lang);
    let rows = links::derive(res);
    let mut out: Vec<LinkTier<'a>> = Vec::new();
    for level in Level::ALL {
        if provincial_only && level != Level::Provincial {
            continue;
        }
        let lines: Vec<LinkLine<'a>> = rows
            .iter()
            .filter(|r| r.tier == level)
            .map(|r| line(r, t, s, lang))
            .collect();
        if !lines.is_empty() {
            out.push(LinkTier {
                title: s.tiers[level as usize],
                rows: lines,
            });
        }
    }
    out
}

fn line<'a>(r: &LinkRow<'a>, t: &Strings, s: &LinkStrings, lang: Lang) -> LinkLine<'a> {
    let bj = |at| crate::model::beijing::local(at);
    let (start, end) = (bj(r.window_start), bj(r.window_end));
    let window = if start.date_naive() == end.date_naive() {
        format!(
            "{} {}–{}",
            start.format("%Y-%m-%d"),
            start.format("%H:%M:%S"),
            end.format("%H:%M:%S")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%Y-%m-%d %H:%M:%S"),
            end.format("%Y-%m-%d %H:%M:%S")
        )
    };
    let cells = vec![
        cell(r, &["sent"], lang),
        cell(
            r,
            &["rtt_min_ms", "rtt_avg_ms", "rtt_p95_ms", "rtt_max_ms"],
            lang,
        ),
        cell(r, &["ipdv_ms"], lang),
        cell(r, &["jitter_ms"], lang),
        cell(r, &["loss_pct"], lang),
        mtu_cell(r, s, lang),
        path_cell(r, s),
        throughput_cell(r, s, lang),
    ];
    LinkLine {
        from: r.from_name.or(r.from).unwrap_or("—"),
        from_id: r.from.unwrap_or_default(),
        to: r.to_name,
        to_id: r.to,
        checks: r.checks.join(", "),
        window,
        cells,
        status: status_label(t, r.status),
    }
}

/// A number as the table shows it: as recorded (the probers write milliseconds to three
/// decimals), a percentage with its sign.
fn number(key: &str, v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if key == "loss_pct" {
        format!("{text}%")
    } else {
        text
    }
}

/// A limit as the table shows it: `≤ 50` for a maximum, `≥ 1500` for a minimum.
fn limit_text(key: &str, limit: f64) -> String {
    let n = if key == "loss_pct" {
        format!("{limit}%")
    } else {
        limit.to_string()
    };
    // A no-break space: the sign stays with its number.
    match links::bound_of(key) {
        Bound::Min => format!("≥\u{a0}{n}"),
        _ => format!("≤\u{a0}{n}"),
    }
}

/// The short name of an RTT figure in the limits line, as the column's heading names it.
fn short(key: &str, lang: Lang) -> &'static str {
    match (key, lang) {
        ("rtt_min_ms", Lang::Zh) => "最小",
        ("rtt_avg_ms", Lang::Zh) => "平均",
        ("rtt_p95_ms", Lang::Zh) => "P95",
        ("rtt_max_ms", Lang::Zh) => "最大",
        ("rtt_min_ms", Lang::En) => "min",
        ("rtt_avg_ms", Lang::En) => "avg",
        ("rtt_p95_ms", Lang::En) => "p95",
        ("rtt_max_ms", Lang::En) => "max",
        _ => "",
    }
}

/// A cell of plain figures: each one's value, marked when it breaks its limit, and their
/// limits below (named when the cell holds several figures).
fn cell(r: &LinkRow, keys: &[&str], lang: Lang) -> LinkCell {
    let mut parts = Vec::new();
    let mut limits = Vec::new();
    let several = keys.len() > 1;
    let mut any = false;
    for key in keys {
        match r.figure(key) {
            Some(f) => {
                any = true;
                parts.push(Part {
                    text: number(key, f.value),
                    broken: f.breaks,
                    wrap: false,
                });
                if let Some(l) = f.limit {
                    let l = limit_text(key, l);
                    limits.push(if several {
                        format!("{} {l}", short(key, lang))
                    } else {
                        l
                    });
                }
            }
            None => parts.push(Part {
                text: "—".to_string(),
                broken: false,
                wrap: false,
            }),
        }
    }
    if !any {
        parts.clear();
    }
    LinkCell {
        broken: parts.iter().any(|p| p.broken),
        parts,
        limits: limits.join(" · "),
        more: String::new(),
        sep: if several { " / " } else { " · " },
    }
}

fn mtu_cell(r: &LinkRow, s: &LinkStrings, lang: Lang) -> LinkCell {
    let mut c = cell(r, &["path_mtu"], lang);
    if let Some(f) = r.figure("black_hole")
        && f.value.as_bool() == Some(true)
    {
        c.parts.push(Part {
            text: s.black_hole.to_string(),
            broken: true,
            wrap: false,
        });
        c.broken = true;
    }
    c
}

fn path_cell(r: &LinkRow, s: &LinkStrings) -> LinkCell {
    let mut parts = Vec::new();
    let mut limits = String::new();
    if let Some(f) = r.figure("path_expected") {
        parts.push(Part {
            text: if f.breaks { s.not_expected } else { s.expected }.to_string(),
            broken: f.breaks,
            wrap: false,
        });
    }
    if let Some(f) = r.figure("path_reached") {
        parts.push(Part {
            text: if f.breaks { s.not_reached } else { s.reached }.to_string(),
            broken: f.breaks,
            wrap: false,
        });
    }
    if let Some(f) = r.figure("hops") {
        let unit = if f.value.as_u64() == Some(1) {
            s.hop
        } else {
            s.hops
        };
        parts.push(Part {
            text: format!("{} {unit}", number("hops", f.value)),
            broken: f.breaks,
            wrap: false,
        });
        if let Some(l) = f.limit {
            limits = format!("{} {}", limit_text("hops", l), s.hops);
        }
    }
    if r.figure("path_reached").is_some() || r.path.is_some() {
        let hop = r
            .figure("path_last_hop")
            .and_then(|f| f.value.as_str())
            .map_or_else(|| s.no_hop.to_string(), |h| format!("{} {h}", s.last_hop));
        parts.push(Part {
            text: hop,
            broken: false,
            wrap: true,
        });
    }
    LinkCell {
        broken: parts.iter().any(|p| p.broken),
        parts,
        limits,
        sep: " · ",
        more: r
            .path
            .as_deref()
            .map_or(String::new(), |p| cap(p, FIELD_CAP).into_owned()),
    }
}

fn throughput_cell(r: &LinkRow, s: &LinkStrings, lang: Lang) -> LinkCell {
    let mut c = cell(r, &["mbps"], lang);
    if let Some(d) = r.figure("direction").and_then(|f| f.value.as_str()) {
        let d = match d {
            "up" => s.up,
            "down" => s.down,
            _ => "",
        };
        if !d.is_empty() {
            c.parts.push(Part {
                text: d.to_string(),
                broken: false,
                wrap: false,
            });
        }
    }
    c
}

/// The line a failed (or errored) result's entry in the failure list gains when it carries
/// path evidence: the hop list and the last hop that answered, in the report's language.
pub(super) fn failure_path(r: &ResultRecord, lang: Lang) -> Option<String> {
    let s = link_strings(lang);
    let path = links::path_text(&r.measurements)?;
    let hop = links::last_hop(&r.measurements).unwrap_or(s.failure_no_hop);
    let mut text = super::strings::fill(
        s.failure_path,
        &[("path", &cap(&path, FIELD_CAP)), ("hop", hop)],
    );
    match links::path_reached(&r.measurements) {
        Some(false) => text.push_str(s.failure_not_reached),
        Some(true) => text.push_str(s.failure_reached),
        None => {}
    }
    Some(text)
}
