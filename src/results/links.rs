//! The link-quality table every report shows (FORMAT.md, "Link quality"): from the results'
//! measurements alone, one row per link (parent → node) and tier, each figure with its limit
//! and its verdict. Pure: no I/O, nothing read but the record, so `results.json`, the HTML
//! report, the CSV file and JUnit show the same figures, and an older `results.json` gets its
//! table derived again when it is read (the `link_quality` array a file holds is never read
//! back).
//!
//! A result is a link-quality result by its check's probe kind (`CheckInfo::probe`):
//! `mtu`, `trace` and `throughput` always; `icmp` when it carries the statistics or limits
//! a link-quality ping writes (`rtt_p95_ms`, `ipdv_ms`, `jitter_ms`, `limits`, …) or path
//! evidence. A plain ping written before those existed is a reachability check and stays
//! out, so that a report of an older record is what it was. A result that sent nothing
//! (an interrupted run's `NotRun`) is no figure of any link.
//!
//! The link is the node's parent → the node, named from the record's `nodes`; its tier is
//! the node's level (a provincial node's row is the national → provincial link). A node's
//! link-quality results are put side by side in one row, one check of each kind per row:
//! a node with two `icmp` checks (say, small and large packets) has two rows, the first
//! holding the first `icmp` check with the node's `mtu`, `trace` and `throughput` results,
//! the second the second `icmp` check, in plan order. Each row lists its checks.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{ResultRecord, Results, Status};
use crate::model::Level;
use crate::outcome::Measurements;

/// The probe kinds whose results can be link-quality results, in the order their figures
/// are shown.
pub const KINDS: [&str; 4] = ["icmp", "mtu", "trace", "throughput"];

/// An icmp result's measurements that make it a link-quality result (the statistics and
/// limits of issue 18, or path evidence).
const ICMP_MARKS: [&str; 7] = [
    "rtt_p50_ms",
    "rtt_p95_ms",
    "rtt_p99_ms",
    "ipdv_ms",
    "jitter_ms",
    "limits",
    "path",
];

/// How a figure is judged against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// No limit: shown for what it is (`sent`, `direction`, the last hop).
    None,
    /// The limit is a maximum (RTT, IPDV, jitter, loss, hops).
    Max,
    /// The limit is a minimum (path MTU, throughput).
    Min,
    /// A yes/no figure that breaks the link when true (`black_hole`).
    BadWhenTrue,
    /// A yes/no figure that breaks the link when false (`path_expected`, `path_reached`).
    BadWhenFalse,
}

/// Every figure of the table: (measurement key, probe kind it comes from, how it is
/// judged), in column order. The key is the measurement's and its limit's in `limits`.
pub const FIGURES: [(&str, &str, Bound); 16] = [
    ("sent", "icmp", Bound::None),
    ("rtt_min_ms", "icmp", Bound::Max),
    ("rtt_avg_ms", "icmp", Bound::Max),
    ("rtt_p95_ms", "icmp", Bound::Max),
    ("rtt_max_ms", "icmp", Bound::Max),
    ("ipdv_ms", "icmp", Bound::Max),
    ("jitter_ms", "icmp", Bound::Max),
    ("loss_pct", "icmp", Bound::Max),
    ("path_mtu", "mtu", Bound::Min),
    ("black_hole", "mtu", Bound::BadWhenTrue),
    ("hops", "trace", Bound::Max),
    ("path_expected", "trace", Bound::BadWhenFalse),
    ("path_reached", "trace", Bound::BadWhenFalse),
    ("path_last_hop", "trace", Bound::None),
    ("mbps", "throughput", Bound::Min),
    ("direction", "throughput", Bound::None),
];

/// The path keys a failed icmp (or tcp) result carries as evidence, shown in its row when
/// the row has no trace of its own.
const PATH_KEYS: [&str; 2] = ["path_reached", "path_last_hop"];

/// One row of the table: a link and its figures. It borrows from the record it is derived
/// from (a national record's table is several thousand rows, derived by each report as it is
/// written, side by side), and is only ever written, never read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow<'a> {
    /// The node's level: `provincial` for a national → provincial link.
    pub tier: Level,
    /// The parent's id (`None` for the root, whose link has no far end in the inventory).
    pub from: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub to: &'a str,
    pub to_name: &'a str,
    /// The checks of this row, in plan order.
    pub checks: Vec<&'a str>,
    /// From the first of these results' start to the last one's end.
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// The row's verdict: the worst of its results' statuses.
    pub status: Status,
    /// The figures measured, in [`FIGURES`] order; absent ones left out.
    pub figures: Vec<Figure<'a>>,
    /// The hop list (trace, or a failed check's path evidence), as text:
    /// `198.18.1.2 → 198.18.2.2 → *`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// One figure of a row, with its limit and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure<'a> {
    /// The measurement key (`rtt_p95_ms`).
    pub key: &'static str,
    pub value: &'a Value,
    /// The limit from the result's `limits` object, under the same key; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// The check it comes from.
    pub check: &'a str,
    /// That result's status.
    pub status: Status,
    /// The figure breaks its limit (or is a yes/no figure with the bad answer).
    pub breaks: bool,
}

impl<'a> LinkRow<'a> {
    /// The figure of `key`, if measured.
    pub fn figure(&self, key: &str) -> Option<&Figure<'a>> {
        self.figures.iter().find(|f| f.key == key)
    }
}

/// Whether `r`, a result of a check of probe kind `probe`, is a link-quality result.
pub fn is_link_result(probe: &str, r: &ResultRecord) -> bool {
    if r.is_not_run() {
        return false;
    }
    match probe {
        "mtu" | "trace" | "throughput" => true,
        "icmp" => ICMP_MARKS.iter().any(|k| r.measurements.contains_key(*k)),
        _ => false,
    }
}

/// A row in the making: its results, each with its probe kind.
type Slot<'a> = Vec<(&'a str, &'a ResultRecord)>;

/// The table of a record: rows in tier order (national, provincial, prefectural, county,
/// township),
/// then in tree order of their node, then in plan order of their checks. Empty when the
/// record holds no link-quality result.
pub fn derive(res: &Results) -> Vec<LinkRow<'_>> {
    let probe_of: std::collections::HashMap<&str, &str> = res
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.probe.as_str()))
        .collect();
    let ix = res.node_index();
    // (tier, tree position, node id) → the node's rows, each a list of (kind, result).
    let mut rows: std::collections::BTreeMap<(Level, usize, &str), Vec<Slot<'_>>> =
        std::collections::BTreeMap::new();
    for r in &res.results {
        let Some(&probe) = probe_of.get(r.check.as_str()) else {
            continue;
        };
        if !is_link_result(probe, r) {
            continue;
        }
        let node = ix.get(&r.node);
        let level = node.map_or(Level::County, |n| n.level);
        let pos = ix.position(&r.node).unwrap_or(usize::MAX);
        let slots = rows.entry((level, pos, r.node.as_str())).or_default();
        match slots
            .iter_mut()
            .find(|s| s.iter().all(|(k, _)| *k != probe))
        {
            Some(slot) => slot.push((probe, r)),
            None => slots.push(vec![(probe, r)]),
        }
    }
    let mut out = Vec::new();
    for ((level, _, id), slots) in rows {
        let node = ix.get(id);
        let parent = node.and_then(|n| n.parent.as_deref());
        let parent_name = parent.map(|p| ix.get(p).map_or(p, |n| n.name.as_str()));
        for slot in slots {
            let name = node.map(|n| n.name.as_str());
            out.push(row(level, id, name, parent, parent_name, &slot));
        }
    }
    out
}

/// Whether the record holds any link-quality result or path evidence: what [`derive()`] and
/// [`other_paths`] would find something in, without making either.
pub fn any(res: &Results) -> bool {
    let probe_of: std::collections::HashMap<&str, &str> = res
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.probe.as_str()))
        .collect();
    res.results.iter().any(|r| {
        r.measurements.contains_key("path")
            || probe_of
                .get(r.check.as_str())
                .is_some_and(|p| is_link_result(p, r))
    })
}

/// The figures of one result of a check of probe kind `probe`, as its row would show them
/// (empty for a result that is no link-quality result): what JUnit writes per test case.
pub fn figures_of<'a>(probe: &'a str, r: &'a ResultRecord) -> Vec<Figure<'a>> {
    if !is_link_result(probe, r) {
        return Vec::new();
    }
    row(Level::County, &r.node, None, None, None, &[(probe, r)]).figures
}

/// The results that carry path evidence (`path`) and are no link-quality result (a failed
/// `tcp` check), in plan order: their hop list belongs in the reports all the same.
pub fn other_paths(res: &Results) -> Vec<&ResultRecord> {
    let probe_of: std::collections::HashMap<&str, &str> = res
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.probe.as_str()))
        .collect();
    res.results
        .iter()
        .filter(|r| r.measurements.contains_key("path"))
        .filter(|r| {
            !probe_of
                .get(r.check.as_str())
                .is_some_and(|p| is_link_result(p, r))
        })
        .collect()
}

fn row<'a>(
    tier: Level,
    id: &'a str,
    name: Option<&'a str>,
    parent: Option<&'a str>,
    parent_name: Option<&'a str>,
    slot: &[(&'a str, &'a ResultRecord)],
) -> LinkRow<'a> {
    let has_trace = slot.iter().any(|(k, _)| *k == "trace");
    let mut figures = Vec::new();
    for (key, kind, bound) in FIGURES {
        // A path key comes from the trace, or else from a failed ping's evidence.
        let source = slot.iter().find(|(k, r)| {
            (*k == kind || (!has_trace && PATH_KEYS.contains(&key) && *k == "icmp"))
                && r.measurements.contains_key(key)
        });
        let Some((_, r)) = source else { continue };
        let value = &r.measurements[key];
        let limit = limit_of(&r.measurements, key);
        figures.push(Figure {
            key,
            breaks: breaks(bound, value, limit),
            value,
            limit,
            check: &r.check,
            status: r.status,
        });
    }
    // The trace's hops, or else those a failed ping carries as evidence.
    let path = slot
        .iter()
        .filter(|(k, _)| *k == "trace")
        .chain(slot.iter())
        .find_map(|(_, r)| path_text(&r.measurements));
    let start = slot.iter().map(|(_, r)| r.started).min();
    let end = slot.iter().map(|(_, r)| end_of(r)).max();
    LinkRow {
        tier,
        from: parent,
        from_name: parent_name,
        to: id,
        to_name: name.unwrap_or(id),
        checks: slot.iter().map(|(_, r)| r.check.as_str()).collect(),
        window_start: start.unwrap_or_default(),
        window_end: end.unwrap_or_default(),
        status: worst(slot.iter().map(|(_, r)| r.status)),
        figures,
        path,
    }
}

/// When a result ended: its start and its attempts' time.
fn end_of(r: &ResultRecord) -> DateTime<Utc> {
    let ms = if r.duration_ms.is_finite() && r.duration_ms > 0.0 {
        r.duration_ms
    } else {
        0.0
    };
    // Microseconds: a duration of days is still far inside the range.
    r.started + TimeDelta::microseconds((ms * 1e3).min(1e15) as i64)
}

/// The row's verdict: a failure outweighs an error, which outweighs the rest.
fn worst(statuses: impl Iterator<Item = Status>) -> Status {
    let rank = |s: Status| match s {
        Status::Failed => 5,
        Status::Errored => 4,
        Status::NotReported => 3,
        Status::Waived => 2,
        Status::Skipped => 1,
        Status::Passed => 0,
    };
    statuses.max_by_key(|&s| rank(s)).unwrap_or(Status::Passed)
}

/// The limit of `key` in the result's `limits` object, if a number.
pub fn limit_of(m: &Measurements, key: &str) -> Option<f64> {
    m.get("limits")?.get(key)?.as_f64()
}

/// Whether `value` breaks its limit as `bound` reads it.
fn breaks(bound: Bound, value: &Value, limit: Option<f64>) -> bool {
    match bound {
        Bound::None => false,
        Bound::Max => matches!((value.as_f64(), limit), (Some(v), Some(l)) if v > l),
        Bound::Min => matches!((value.as_f64(), limit), (Some(v), Some(l)) if v < l),
        Bound::BadWhenTrue => value.as_bool() == Some(true),
        Bound::BadWhenFalse => value.as_bool() == Some(false),
    }
}

/// How the `limits` of `key` binds ([`FIGURES`]); `Bound::None` for a key not in the table.
pub fn bound_of(key: &str) -> Bound {
    FIGURES
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(Bound::None, |(_, _, b)| *b)
}

/// The path a result carries (`path`: the hops in TTL order, a silent hop `null`) as one
/// line: `198.18.1.2 → 198.18.2.2 → *`; `None` without a path.
pub fn path_text(m: &Measurements) -> Option<String> {
    let hops = m.get("path")?.as_array()?;
    let text: Vec<&str> = hops
        .iter()
        .map(|h| h.get("addr").and_then(Value::as_str).unwrap_or("*"))
        .collect();
    Some(text.join(" → "))
}

/// The last address that answered on the path (`path_last_hop`), if any.
pub fn last_hop(m: &Measurements) -> Option<&str> {
    m.get("path_last_hop")?.as_str()
}

/// Whether the path reached the target (`path_reached`), if said.
pub fn path_reached(m: &Measurements) -> Option<bool> {
    m.get("path_reached")?.as_bool()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CheckInfo, NodeInfo, RunInfo, Summary};
    use serde_json::json;

    fn node(id: &str, level: Level, parent: Option<&str>, path: &str) -> NodeInfo {
        NodeInfo {
            id: id.into(),
            name: id.to_uppercase(),
            level,
            kind: crate::model::Kind::Safety,
            parent: parent.map(str::to_string),
            path: path.into(),
            region: None,
            host: None,
        }
    }

    fn check(id: &str, probe: &str) -> CheckInfo {
        CheckInfo {
            id: id.into(),
            name: id.into(),
            severity: crate::model::Severity::Major,
            probe: probe.into(),
        }
    }

    fn result(node: &str, check: &str, status: Status, at: u32, m: Value) -> ResultRecord {
        let mut r: ResultRecord = serde_json::from_value(json!({
            "node": node, "check": check, "app": null, "status": status,
            "severity": "major", "started": format!("2026-12-03T10:00:{at:02}Z"),
            "duration_ms": 1500.0, "attempts": 1, "message": "", "measurements": {},
            "target": "t"}))
        .unwrap();
        let Value::Object(m) = m else { panic!() };
        r.measurements = m;
        r
    }

    fn record(results: Vec<ResultRecord>) -> Results {
        Results {
            format: crate::results::FORMAT.into(),
            run: RunInfo {
                id: "r".into(),
                suite: "s".into(),
                suite_name: "S".into(),
                started: "2026-12-03T10:00:00Z".parse().unwrap(),
                finished: "2026-12-03T10:01:00Z".parse().unwrap(),
                complete: true,
                vantage: "v".into(),
                inventory_sha256: String::new(),
                suite_sha256: String::new(),
                netaccept_version: "0".into(),
                selection: vec![],
                planned: results.len(),
                operator: String::new(),
                vantage_id: None,
                shard: None,
            },
            summary: Summary::of(&results),
            results,
            nodes: vec![
                node("cn", Level::National, None, "cn"),
                node("sx", Level::Provincial, Some("cn"), "cn.sx"),
                node("sx-dt", Level::Prefectural, Some("sx"), "cn.sx.sx-dt"),
                node(
                    "sx-dt-zy",
                    Level::County,
                    Some("sx-dt"),
                    "cn.sx.sx-dt.sx-dt-zy",
                ),
            ],
            checks: vec![
                check("link.icmp", "icmp"),
                check("link.icmp-big", "icmp"),
                check("link.mtu", "mtu"),
                check("link.trace", "trace"),
                check("link.tput", "throughput"),
                check("net.tcp", "tcp"),
            ],
            apps: vec![],
            waivers: vec![],
            bundles: vec![],
        }
    }

    fn icmp(p95: f64) -> Value {
        json!({"sent": 1000, "received": 995, "loss_pct": 0.5, "rtt_min_ms": 1.0,
            "rtt_avg_ms": 2.0, "rtt_p95_ms": p95, "rtt_max_ms": 9.0, "ipdv_ms": 3.0,
            "jitter_ms": 0.5, "limits": {"loss_pct": 0.1, "rtt_p95_ms": 50.0}})
    }

    #[test]
    fn figures_by_tier_with_limits_and_the_broken_ones_marked() {
        let res = record(vec![
            result("sx-dt-zy", "link.icmp", Status::Passed, 9, icmp(4.0)),
            result("sx", "link.icmp", Status::Failed, 1, icmp(60.0)),
            result(
                "sx",
                "link.mtu",
                Status::Failed,
                3,
                json!({"path_mtu": 1400, "black_hole": true, "limits": {"path_mtu": 1500}}),
            ),
            result(
                "sx",
                "net.tcp",
                Status::Passed,
                2,
                json!({"connect_ms": 1.0}),
            ),
        ]);
        let rows = derive(&res);
        assert_eq!(rows.len(), 2);
        let sx = &rows[0];
        assert_eq!(sx.tier, Level::Provincial);
        assert_eq!(
            (sx.from, sx.from_name, sx.to_name),
            (Some("cn"), Some("CN"), "SX")
        );
        assert_eq!(
            sx.checks,
            ["link.icmp", "link.mtu"],
            "tcp is no link figure"
        );
        assert_eq!(sx.status, Status::Failed);
        assert_eq!(sx.window_start.to_rfc3339(), "2026-12-03T10:00:01+00:00");
        assert_eq!(sx.window_end.to_rfc3339(), "2026-12-03T10:00:04.500+00:00");
        let p95 = sx.figure("rtt_p95_ms").unwrap();
        assert_eq!((p95.limit, p95.breaks), (Some(50.0), true));
        let loss = sx.figure("loss_pct").unwrap();
        assert_eq!((loss.limit, loss.breaks), (Some(0.1), true));
        assert!(
            !sx.figure("rtt_avg_ms").unwrap().breaks,
            "no limit, no mark"
        );
        let mtu = sx.figure("path_mtu").unwrap();
        assert_eq!((mtu.value, mtu.breaks), (&json!(1400), true));
        assert!(sx.figure("black_hole").unwrap().breaks);
        assert_eq!(sx.figure("sent").unwrap().value, &json!(1000));
        assert_eq!(rows[1].tier, Level::County);
        assert!(!rows[1].figure("rtt_p95_ms").unwrap().breaks);
        assert_eq!(rows[1].status, Status::Passed);
    }

    #[test]
    fn a_plain_ping_is_no_link_result_and_an_empty_table_is_empty() {
        let plain = json!({"sent": 2, "received": 2, "loss_pct": 0.0, "rtt_avg_ms": 1.0});
        let res = record(vec![result("sx", "link.icmp", Status::Passed, 1, plain)]);
        assert!(derive(&res).is_empty());
        assert!(!any(&res));
        let tcp = json!({"connect_ms": 1.0, "path": [], "path_reached": false});
        let res = record(vec![result("sx", "net.tcp", Status::Failed, 1, tcp)]);
        assert!(derive(&res).is_empty() && any(&res), "path evidence alone");
        assert_eq!(other_paths(&res).len(), 1);
    }

    #[test]
    fn two_checks_of_one_kind_make_two_rows_of_one_node() {
        let res = record(vec![
            result("sx-dt", "link.icmp", Status::Passed, 1, icmp(4.0)),
            result("sx-dt", "link.icmp-big", Status::Passed, 2, icmp(5.0)),
            result(
                "sx-dt",
                "link.tput",
                Status::Passed,
                3,
                json!({"mbps": 19.2, "direction": "up", "limits": {"mbps": 15}}),
            ),
        ]);
        let rows = derive(&res);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].checks, ["link.icmp", "link.tput"]);
        assert_eq!(rows[1].checks, ["link.icmp-big"]);
        assert_eq!(rows[0].figure("direction").unwrap().value, &json!("up"));
        assert!(!rows[0].figure("mbps").unwrap().breaks);
        assert_eq!(rows[0].tier, Level::Prefectural);
        assert_eq!(rows[0].from, Some("sx"));
    }

    #[test]
    fn the_path_comes_from_the_trace_or_else_from_a_failed_pings_evidence() {
        let path = json!([{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.1},
            {"ttl": 2, "addr": null, "rtt_ms": null}]);
        let res = record(vec![
            result(
                "sx-dt-zy",
                "link.icmp",
                Status::Failed,
                1,
                json!({"sent": 10, "received": 0, "loss_pct": 100.0, "path": path,
                    "path_reached": false, "path_last_hop": "198.18.1.2"}),
            ),
            result(
                "sx",
                "link.trace",
                Status::Failed,
                1,
                json!({"path": [{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.1}],
                    "path_reached": true, "path_last_hop": "198.18.1.2", "hops": 1,
                    "path_expected": false, "limits": {"hops": 30}}),
            ),
        ]);
        let rows = derive(&res);
        assert_eq!(rows[0].path.as_deref(), Some("198.18.1.2"));
        assert!(rows[0].figure("path_expected").unwrap().breaks);
        assert!(!rows[0].figure("hops").unwrap().breaks);
        let county = &rows[1];
        assert_eq!(county.path.as_deref(), Some("198.18.1.2 → *"));
        assert_eq!(
            county.figure("path_last_hop").unwrap().value,
            &json!("198.18.1.2")
        );
        assert!(county.figure("path_reached").unwrap().breaks);
        assert_eq!(county.figure("path_reached").unwrap().check, "link.icmp");
    }

    #[test]
    fn an_interrupted_item_and_an_unknown_check_are_left_out() {
        let mut not_run = result("sx", "link.mtu", Status::Skipped, 1, json!({}));
        not_run.kind = Some(crate::results::NOT_RUN.into());
        let res = record(vec![
            not_run,
            result("sx", "gone", Status::Passed, 1, icmp(1.0)),
        ]);
        assert!(derive(&res).is_empty());
    }
}
