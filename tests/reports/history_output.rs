//! What `netaccept diff`, `history list` and `history show` print (`report::diff`,
//! `report::history`), from hand-built store rows: the table's sections, counts, names and
//! alignment, the JSON schemas FORMAT.md documents, and hostile names kept off the terminal.

use chrono::{DateTime, Utc};
use netaccept::history::{Catalog, ItemKey, ItemRow, RunRow, SeriesPoint};
use netaccept::model::{Kind, Level, Severity};
use netaccept::report::diff::{self, Names};
use netaccept::report::history;
use netaccept::results::{AppInfo, CheckInfo, NodeInfo, Shard, Status, Summary};
use netaccept::trend::{Change, Diff, Flap, Regression};
use serde_json::Value;

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

/// A run of suite `phase1` at vantage `bj`, started at `started`.
pub(crate) fn run_row(id: &str, started: &str) -> RunRow {
    RunRow {
        key: 1,
        id: id.into(),
        suite: "phase1".into(),
        suite_name: "一期验收".into(),
        scope: "vantage:bj".into(),
        vantage_id: Some("bj".into()),
        host: "probe-01".into(),
        shard: None,
        merged: false,
        started: at(started),
        finished: at(started) + chrono::TimeDelta::minutes(3),
        complete: true,
        summary: Summary {
            passed: 10,
            failed: 2,
            errored: 1,
            skipped: 0,
            waived: 1,
            not_reported: 0,
        },
        inventory_sha256: "00".repeat(32),
        suite_sha256: "11".repeat(32),
        netaccept_version: "0.1.0".into(),
    }
}

pub(crate) fn key(node: &str, check: &str, app: Option<&str>) -> ItemKey {
    ItemKey {
        node: node.into(),
        check: check.into(),
        app: app.map(Into::into),
    }
}

fn node(id: &str, name: &str) -> NodeInfo {
    NodeInfo {
        id: id.into(),
        name: name.into(),
        level: Level::Provincial,
        kind: Kind::Safety,
        parent: Some("national".into()),
        path: format!("national.{id}"),
        region: None,
        host: None,
    }
}

fn catalog() -> Catalog {
    Catalog {
        nodes: vec![
            node("sx", "山西省应急管理厅"),
            node("ah", "安徽省应急管理厅"),
            // A hostile name: an escape sequence that would retitle a terminal.
            node("evil", "bad\u{1b}]0;owned\u{7}name"),
        ],
        checks: vec![CheckInfo {
            id: "net.icmp".into(),
            name: "网络连通性（ICMP）".into(),
            severity: Severity::Critical,
            probe: "icmp".into(),
        }],
        apps: vec![AppInfo {
            id: "dispatch".into(),
            name: "调度系统".into(),
        }],
    }
}

fn change(k: ItemKey, before: Option<Status>, after: Status, message: &str) -> Change {
    Change {
        key: k,
        before,
        after,
        kind: (after != Status::Passed).then(|| "timeout".to_string()),
        message: message.into(),
        since: None,
    }
}

fn flap(k: ItemKey, percent: f64, flapping: bool) -> Flap {
    Flap {
        key: k,
        percent,
        flapping,
    }
}

/// A diff with something in every list.
pub(crate) fn sample_diff() -> Diff {
    let mut still = change(
        key("ah", "app.health", Some("dispatch")),
        Some(Status::Failed),
        Status::Errored,
        "connection refused",
    );
    still.since = Some(at("2026-11-20T18:00:00Z"));
    Diff {
        a: run_row("run-a", "2026-11-28T18:00:00Z"),
        b: run_row("run-b", "2026-11-29T18:00:00Z"),
        new_failures: vec![
            change(
                key("evil", "net.icmp", None),
                Some(Status::Passed),
                Status::Failed,
                "loss\u{1b}[2J 100%",
            ),
            change(
                key("sx", "net.icmp", None),
                None,
                Status::Failed,
                "100% loss",
            ),
        ],
        recoveries: vec![change(
            key("sx", "net.dns", None),
            Some(Status::Waived),
            Status::Passed,
            "",
        )],
        still_failing: vec![still],
        flapping: vec![
            flap(key("ah", "net.icmp", None), 42.46, true),
            flap(key("sx", "net.tcp", None), 35.0, true),
        ],
        flapping_started: vec![flap(key("sx", "net.tcp", None), 35.0, true)],
        flapping_stopped: vec![flap(key("ah", "net.dns", None), 20.0, false)],
        regressions: vec![Regression {
            key: key("sx", "net.icmp", None),
            measure: "rtt_avg_ms".into(),
            before: 12.0,
            after: 30.5,
        }],
        compared: 120,
    }
}

/// The lines of a table's section, from its title to the next blank line.
fn section_lines<'a>(table: &'a str, title: &str) -> Vec<&'a str> {
    table
        .split("\n\n")
        .find(|s| s.starts_with(title))
        .unwrap_or_else(|| panic!("no section {title} in\n{table}"))
        .lines()
        .collect()
}

#[test]
fn diff_table_has_every_section_with_counts_names_and_both_runs() {
    let names = Names::from_catalog(&catalog());
    let t = diff::table(&sample_diff(), &names);
    // Both runs, their ids and start times in Beijing time (18:00Z is 02:00 the next day).
    assert!(
        t.contains("a: run-a  started 2026-11-29 02:00:00 +08:00\n"),
        "{t}"
    );
    assert!(
        t.contains("b: run-b  started 2026-11-30 02:00:00 +08:00"),
        "{t}"
    );
    assert!(t.contains("120 compared: 2 new failures, 1 recovery, 1 still failing, 2 flapping (1 started, 1 stopped), 1 regression"), "{t}");

    let new = section_lines(&t, "NEW FAILURES (2)");
    assert_eq!(new.len(), 4, "title, header, two rows: {new:?}");
    assert!(new[1].trim_start().starts_with("NODE"));
    // Key order; the node with its name and id; the status before and now.
    assert!(new[2].contains("bad^[]0;owned^Gname (evil)"), "{}", new[2]);
    assert!(new[2].contains("loss^[[2J 100%"), "{}", new[2]);
    assert!(new[3].contains("山西省应急管理厅 (sx)"), "{}", new[3]);
    assert!(
        new[3].contains("-  ") && new[3].contains("failed"),
        "{}",
        new[3]
    );
    // Aligned: every row's CHECK column starts where the header's does, as a terminal
    // measures it (a Chinese character is two columns wide).
    let col = |line: &str, col_of: usize| {
        netaccept::diag::width(&line[..line.char_indices().nth(col_of).unwrap().0])
    };
    let head_at = new[1].find("CHECK").unwrap();
    for row in &new[2..] {
        let i = row.find("net.icmp").unwrap();
        let chars_before = row[..i].chars().count();
        assert_eq!(col(row, chars_before), head_at, "{row}");
    }

    let rec = section_lines(&t, "RECOVERIES (1)");
    assert!(rec[2].contains("net.dns") && rec[2].contains("waived") && rec[2].ends_with("passed"));

    let still = section_lines(&t, "STILL FAILING (1)");
    assert!(still[1].contains("SINCE"));
    assert!(
        still[2].contains("errored") && still[2].contains("2026-11-21 02:00:00 +08:00"),
        "{}",
        still[2]
    );

    let flapping = section_lines(&t, "FLAPPING (2; 1 started, 1 stopped)");
    assert_eq!(flapping.len(), 5, "{flapping:?}");
    // In key order: ah net.dns (stopped), ah net.icmp (flapping), sx net.tcp (started).
    assert!(flapping[2].contains("net.dns") && flapping[2].ends_with("stopped"));
    assert!(flapping[3].contains("42.5") && flapping[3].ends_with("flapping"));
    assert!(flapping[4].contains("net.tcp") && flapping[4].ends_with("started"));

    let reg = section_lines(&t, "REGRESSIONS (1)");
    assert!(
        reg[2].contains("rtt_avg_ms") && reg[2].ends_with("12.0 ms → 30.5 ms"),
        "{}",
        reg[2]
    );

    // No control character reaches the terminal.
    assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
}

#[test]
fn diff_table_of_no_change_says_zero_in_each_section() {
    let mut d = sample_diff();
    d.new_failures.clear();
    d.recoveries.clear();
    d.still_failing.clear();
    d.flapping.clear();
    d.flapping_started.clear();
    d.flapping_stopped.clear();
    d.regressions.clear();
    let t = diff::table(&d, &Names::default());
    for title in [
        "NEW FAILURES (0)",
        "RECOVERIES (0)",
        "STILL FAILING (0)",
        "FLAPPING (0; 0 started, 0 stopped)",
        "REGRESSIONS (0)",
    ] {
        assert_eq!(section_lines(&t, title), vec![title], "{t}");
    }
    assert!(!t.contains("NODE"), "no header without rows: {t}");
}

#[test]
fn diff_json_follows_its_schema() {
    let names = Names::from_catalog(&catalog());
    let text = diff::json(&sample_diff(), &names);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "netaccept-diff/1");
    assert_eq!(v["a"]["id"], "run-a");
    assert_eq!(v["b"]["id"], "run-b");
    assert_eq!(v["b"]["started"], "2026-11-29T18:00:00Z");
    assert_eq!(v["b"]["scope"], "vantage:bj");
    assert_eq!(v["b"]["vantage"], "bj");
    assert_eq!(v["b"]["shard"], Value::Null);
    assert_eq!(v["b"]["summary"]["not_reported"], 0);
    assert_eq!(v["b"]["summary"]["total"], 14);
    assert_eq!(v["compared"], 120);
    assert_eq!(v["counts"]["new_failures"], 2);
    assert_eq!(v["counts"]["flapping_stopped"], 1);

    let first = &v["new_failures"][0];
    assert_eq!(first["node"], "evil");
    // The JSON carries names as they are: JSON escapes them.
    assert_eq!(first["node_name"], "bad\u{1b}]0;owned\u{7}name");
    assert_eq!(first["check_name"], "网络连通性（ICMP）");
    assert_eq!(first["app"], Value::Null);
    assert_eq!(first["before"], "passed");
    assert_eq!(first["after"], "failed");
    assert_eq!(first["kind"], "timeout");
    assert_eq!(v["new_failures"][1]["before"], Value::Null);
    assert_eq!(v["recoveries"][0]["before"], "waived");

    let still = &v["still_failing"][0];
    assert_eq!(still["app"], "dispatch");
    assert_eq!(still["app_name"], "调度系统");
    assert_eq!(still["since"], "2026-11-20T18:00:00Z");
    // A check the catalog does not know has no name.
    assert_eq!(still["check_name"], Value::Null);

    assert_eq!(v["flapping"][0]["percent"], 42.46);
    assert_eq!(v["flapping"][0]["flapping"], true);
    assert_eq!(v["flapping_started"][0]["check"], "net.tcp");
    assert_eq!(v["flapping_stopped"][0]["flapping"], false);
    assert_eq!(v["regressions"][0]["measure"], "rtt_avg_ms");
    assert_eq!(v["regressions"][0]["before"], 12.0);
    assert_eq!(v["regressions"][0]["after"], 30.5);
    // The raw control characters are escaped by JSON, never written as they are.
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn runs_table_and_json_list_every_run() {
    let mut merged = run_row("run-m", "2026-11-29T20:00:00Z");
    merged.scope = "merged".into();
    merged.merged = true;
    merged.vantage_id = None;
    merged.summary.not_reported = 3;
    let mut shard = run_row("run-s\u{1b}[31m", "2026-11-28T18:00:00Z");
    shard.shard = Some(Shard { index: 2, count: 4 });
    shard.scope = "vantage:bj shard:2/4".into();
    shard.complete = false;
    let runs = vec![merged, shard];

    let t = history::runs_table(&runs);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 4, "{t}");
    assert!(lines[0].starts_with("ID") && lines[0].ends_with("NOT_REPORTED"));
    assert!(lines[1].starts_with("run-m ") && lines[1].contains("2026-11-30 04:00:00 +08:00"));
    assert!(
        lines[1].contains("merged") && lines[1].ends_with('3'),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("run-s^[[31m") && lines[2].contains(" no "),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "2 runs");
    assert_eq!(history::runs_table(&[]), "0 runs\n");

    let v: Value = serde_json::from_str(&history::runs_json(&runs)).unwrap();
    assert_eq!(v["format"], "netaccept-history-runs/1");
    let r = &v["runs"];
    assert_eq!(r.as_array().unwrap().len(), 2);
    assert_eq!(r[0]["merged"], true);
    assert_eq!(r[0]["vantage"], Value::Null);
    assert_eq!(r[0]["summary"]["not_reported"], 3);
    assert_eq!(r[1]["shard"]["index"], 2);
    assert_eq!(r[1]["shard"]["count"], 4);
    assert_eq!(r[1]["complete"], false);
    assert_eq!(r[1]["host"], "probe-01");
    assert_eq!(r[1]["suite"], "phase1");
    assert_eq!(r[1]["finished"], "2026-11-28T18:03:00Z");
}

fn point(run: &str, started: &str, status: Status, rtt: f64) -> SeriesPoint {
    let mut measurements = serde_json::Map::new();
    measurements.insert("rtt_avg_ms".into(), rtt.into());
    measurements.insert("address".into(), "127.0.0.1".into());
    SeriesPoint {
        run: run.into(),
        scope: "vantage:bj".into(),
        item: ItemRow {
            key: key("sx", "net.icmp", None),
            status,
            original: (status == Status::Waived).then_some(Status::Failed),
            kind: (status != Status::Passed).then(|| "loss".to_string()),
            severity: Severity::Critical,
            started: at(started),
            duration_ms: 1002.4,
            message: if status == Status::Passed {
                String::new()
            } else {
                "100% loss\u{7}".into()
            },
            measurements,
        },
    }
}

#[test]
fn series_table_and_json_show_one_link_over_time() {
    let names = Names::from_catalog(&catalog());
    let points = vec![
        point("run-1", "2026-11-27T18:00:00Z", Status::Passed, 12.5),
        point("run-2", "2026-11-28T18:00:00Z", Status::Waived, 0.0),
    ];
    let t = history::series_table(&points, &names);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "node 山西省应急管理厅 (sx)");
    assert!(lines[1].starts_with("STARTED"));
    assert!(
        lines[2].starts_with("2026-11-28 02:00:00 +08:00  run-1  vantage:bj  net.icmp"),
        "{}",
        lines[2]
    );
    // Numbers only among the measurements: the address is not a trend.
    assert!(lines[2].contains("rtt_avg_ms=12.5") && !lines[2].contains("127.0.0.1"));
    assert!(
        lines[3].contains("waived (failed)") && lines[3].ends_with("100% loss^G"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "2 results");

    let v: Value = serde_json::from_str(&history::series_json(&points, &names)).unwrap();
    assert_eq!(v["format"], "netaccept-history-series/1");
    let p = &v["points"];
    assert_eq!(p[0]["run"], "run-1");
    assert_eq!(p[0]["node"], "sx");
    assert_eq!(p[0]["node_name"], "山西省应急管理厅");
    assert_eq!(p[0]["status"], "passed");
    assert_eq!(p[0]["original"], Value::Null);
    assert_eq!(p[0]["measurements"]["rtt_avg_ms"], 12.5);
    assert_eq!(p[1]["status"], "waived");
    assert_eq!(p[1]["original"], "failed");
    assert_eq!(p[1]["severity"], "critical");
    assert_eq!(p[1]["started"], "2026-11-28T18:00:00Z");
    assert_eq!(p[1]["message"], "100% loss\u{7}");
}

/// The `json` blocks of FORMAT.md's section "diff and history output", in order.
fn format_md_examples() -> Vec<Value> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let start = doc
        .find("\n## diff and history output")
        .expect("the section");
    let len = doc[start + 1..].find("\n## ").unwrap();
    doc[start..start + 1 + len]
        .split("```json\n")
        .skip(1)
        .map(|b| serde_json::from_str(b.split("```").next().unwrap()).expect("valid JSON"))
        .collect()
}

/// The keys of an object, and of the first element of each of its arrays of objects, and of
/// its objects, one level down: what the examples must name as the output does.
fn keys(v: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for (k, x) in v.as_object().unwrap() {
        out.insert(k.clone());
        let inner = match x {
            Value::Array(a) => a.first(),
            Value::Object(_) => Some(x),
            _ => None,
        };
        if let Some(Value::Object(o)) = inner {
            // "…" stands for fields given in full elsewhere in the example.
            if !o.contains_key("…") {
                out.extend(o.keys().map(|i| format!("{k}.{i}")));
            }
        }
    }
    out
}

#[test]
fn format_md_examples_name_every_field_of_the_output() {
    let examples = format_md_examples();
    assert_eq!(examples.len(), 3, "diff, runs, series");
    let names = Names::from_catalog(&catalog());
    let diff: Value = serde_json::from_str(&diff::json(&sample_diff(), &names)).unwrap();
    let runs: Value =
        serde_json::from_str(&history::runs_json(&[run_row("r", "2026-11-28T18:00:00Z")])).unwrap();
    let points = [point("r", "2026-11-28T18:00:00Z", Status::Passed, 1.0)];
    let series: Value = serde_json::from_str(&history::series_json(&points, &names)).unwrap();
    for (example, output) in examples.iter().zip([&diff, &runs, &series]) {
        assert_eq!(example["format"], output["format"]);
        let (documented, written) = (keys(example), keys(output));
        // Measurements are the record's own map, whatever its keys; a list or object the
        // example elides ("…", or an empty list) is given in full elsewhere in it.
        let elided = |k: &String| {
            let (parent, _) = k.split_once('.').unwrap_or((k, ""));
            let v = &example[parent];
            parent == "points" && k.starts_with("points.measurements.")
                || v.get("…").is_some()
                || v.as_array()
                    .is_some_and(|a| a.is_empty() || a[0].get("…").is_some())
        };
        for k in &documented {
            assert!(
                written.contains(k),
                "FORMAT.md names {k}, the output has none"
            );
        }
        for k in &written {
            assert!(
                documented.contains(k) || elided(k),
                "FORMAT.md does not name {k}"
            );
        }
    }
}

#[test]
fn diff_table_of_two_scopes_names_each_runs_scope() {
    let mut d = sample_diff();
    d.a.scope = "merged".into();
    let t = diff::table(&d, &Names::default());
    assert!(
        t.contains("a: run-a  started 2026-11-29 02:00:00 +08:00  scope merged\n"),
        "{t}"
    );
    assert!(
        t.contains("b: run-b  started 2026-11-30 02:00:00 +08:00  scope vantage:bj\n"),
        "{t}"
    );
    // Without names, a node is its id.
    assert!(t.contains("\n  sx  "), "{t}");
}
