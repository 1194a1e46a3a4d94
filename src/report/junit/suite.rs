//! One `<testsuite>` per node that has results, written as it is made: the grouping of the
//! results by node, and each suite's attributes and properties; and, for an interrupted run,
//! the suite of the run itself, whose one test case is an error.

use std::collections::HashMap;
use std::io;

use chrono::{DateTime, TimeDelta, Utc};

use super::cases::{ERROR, FAILURE, SKIPPED, duration, seconds, tag_of, unique_names, write_case};
use super::clean::clean_line;
use super::xml::Xml;
use crate::results::{NodeInfo, ResultRecord, Results};

/// One node's `<testsuite>`, with a `<testcase>` per result.
pub(super) fn write_suite(
    xml: &mut Xml,
    results: &Results,
    node: &SuiteNode,
    records: &[&ResultRecord],
    lookup: &Names,
) -> io::Result<()> {
    let name = clean_line(&format!("{} ({})", node.name, node.id));
    let [tests, skipped, errors, failures] = counts(records).map(|n| n.to_string());
    // The node's wall span, not the sum of its checks' times: they run concurrently, and the
    // sums of a run's suites would add up to several times the run.
    let time = seconds(wall_span(records));
    let timestamp = records.iter().map(|r| r.started).min().map(ant_time);
    let hostname = clean_line(&results.run.vantage);
    let mut attrs: Vec<(&str, &str)> = vec![
        ("name", &name),
        ("tests", &tests),
        ("skipped", &skipped),
        ("errors", &errors),
        ("failures", &failures),
        ("time", &time),
    ];
    if let Some(t) = &timestamp {
        attrs.push(("timestamp", t));
    }
    attrs.push(("hostname", &hostname));
    xml.open("testsuite", &attrs)?;
    write_properties(xml, &suite_properties(results, node))?;

    let names = unique_names(records, node.name, &lookup.checks, &lookup.apps);
    let classname = clean_line(node.path);
    for (r, name) in records.iter().zip(names) {
        let probe = lookup.probes.get(r.check.as_str()).copied().unwrap_or("");
        write_case(xml, r, &name, &classname, probe)?;
    }
    xml.close("testsuite")
}

/// The names a suite's test cases are made from: the record's checks and apps, and each
/// check's probe kind (a link-quality check's figures go into its `<system-out>`).
pub(super) struct Names<'a> {
    pub(super) checks: HashMap<&'a str, &'a str>,
    pub(super) apps: HashMap<&'a str, &'a str>,
    pub(super) probes: HashMap<&'a str, &'a str>,
}

impl Names<'_> {
    pub(super) fn of(results: &Results) -> Names<'_> {
        let crate::results::Lookup { checks, apps, .. } = results.lookup();
        let probes = results
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.probe.as_str()))
            .collect();
        Names {
            checks,
            apps,
            probes,
        }
    }
}

/// A suite's `tests`, `skipped`, `errors` and `failures`: written before its cases, so
/// counted from the statuses first.
fn counts(records: &[&ResultRecord]) -> [usize; 4] {
    let mut n = [records.len(), 0, 0, 0];
    for r in records {
        match tag_of(r.status) {
            Some(SKIPPED) => n[1] += 1,
            Some(ERROR) => n[2] += 1,
            Some(FAILURE) => n[3] += 1,
            _ => {}
        }
    }
    n
}

/// A `timestamp` in the Ant convention every JUnit reader understands: UTC without a zone.
pub(super) fn ant_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn write_properties(xml: &mut Xml, props: &[(&str, String)]) -> io::Result<()> {
    xml.open("properties", &[])?;
    for (name, value) in props {
        xml.empty("property", &[("name", name), ("value", value)])?;
    }
    xml.close("properties")
}

/// From the earliest start of these results to the latest end (start plus duration). A
/// time that cannot be added (only a hand-edited file has one) counts as no time.
pub(super) fn wall_span(records: &[&ResultRecord]) -> std::time::Duration {
    let end = |r: &ResultRecord| -> DateTime<Utc> {
        TimeDelta::from_std(duration(r.duration_ms))
            .ok()
            .and_then(|d| r.started.checked_add_signed(d))
            .unwrap_or(r.started)
    };
    let first = records.iter().map(|r| r.started).min();
    let last = records.iter().map(|r| end(r)).max();
    match (first, last) {
        (Some(first), Some(last)) => (last - first).to_std().unwrap_or_default(),
        _ => std::time::Duration::ZERO,
    }
}

/// The suite of an interrupted run itself: one test case, an `<error>` that says how many
/// planned checks have no result. `run.complete` alone is a property, which GitLab ignores
/// and Jenkins drops; an error is what every consumer shows as "not passed".
pub(super) fn write_run_suite(xml: &mut Xml, results: &Results) -> io::Result<()> {
    let run = &results.run;
    let timestamp = ant_time(run.started);
    let hostname = clean_line(&run.vantage);
    xml.open(
        "testsuite",
        &[
            ("name", RUN_SUITE),
            ("tests", "1"),
            ("skipped", "0"),
            ("errors", "1"),
            ("failures", "0"),
            ("timestamp", &timestamp),
            ("hostname", &hostname),
        ],
    )?;
    write_properties(xml, &run_properties(results))?;
    let (message, body) = interrupted(results);
    xml.open(
        "testcase",
        &[("name", RUN_CASE), ("classname", "netaccept")],
    )?;
    xml.text(
        ERROR,
        &[("message", &message), ("type", "Interrupted")],
        &body,
    )?;
    xml.close("testcase")?;
    xml.close("testsuite")
}

/// The interrupted run's suite name: a fixed one, not one with the run id: GitLab keys a
/// test's history on suite, class name and name, and an interrupted run should join the
/// history of the ones before it. The run id is among the properties.
pub(super) const RUN_SUITE: &str = "netaccept run";
/// Its one test case's name.
pub(super) const RUN_CASE: &str = "运行完成 / run completed";

/// The interrupted run's error: its message and its text.
pub(super) fn interrupted(results: &Results) -> (String, String) {
    let run = &results.run;
    let not_run = results.not_run();
    let message = if run.planned == 0 {
        // A record without `planned` (written before the field existed) cannot say more.
        "运行被中断 / run interrupted".to_string()
    } else {
        format!(
            "运行被中断：计划 {planned} 项检查中 {not_run} 项没有结果 / run interrupted: \
             {not_run} of {planned} planned checks have no result",
            planned = run.planned
        )
    };
    let listed = results.results.iter().filter(|r| r.is_not_run()).count();
    let mut body = format!(
        "run: {}\nstarted: {}\nfinished: {}\nplanned: {}\nwithout a result: {not_run}\n",
        clean_line(&run.id),
        run.started
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        run.finished
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        run.planned,
    );
    if listed > 0 {
        body.push_str(&format!(
            "{listed} of them are listed as skipped (未执行 / not run) in their nodes' suites\n"
        ));
    }
    if listed < not_run {
        body.push_str(&format!(
            "{} are not listed: this record was rebuilt from a journal, which holds only \
             the checks that finished\n",
            not_run - listed
        ));
    }
    (message, body)
}

/// A node with results: described by the record, or only named by a result.
pub(super) struct SuiteNode<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) path: &'a str,
    info: Option<&'a NodeInfo>,
}

/// The nodes that have results, in `results.nodes` order, each with its results in record
/// order. A result naming a node the record does not describe (a hand-edited file) still
/// gets a suite, after the others, rather than vanishing from CI.
pub(super) fn group_by_node(results: &Results) -> Vec<(SuiteNode<'_>, Vec<&ResultRecord>)> {
    let mut by_node: HashMap<&str, Vec<&ResultRecord>> = HashMap::new();
    let mut first_seen: Vec<&str> = Vec::new();
    for r in &results.results {
        let v = by_node.entry(r.node.as_str()).or_default();
        if v.is_empty() {
            first_seen.push(r.node.as_str());
        }
        v.push(r);
    }
    let mut out = Vec::new();
    for n in &results.nodes {
        if let Some(records) = by_node.remove(n.id.as_str()) {
            let node = SuiteNode {
                id: &n.id,
                name: &n.name,
                path: &n.path,
                info: Some(n),
            };
            out.push((node, records));
        }
    }
    for id in first_seen {
        if let Some(records) = by_node.remove(id) {
            let node = SuiteNode {
                id,
                name: id,
                path: id,
                info: None,
            };
            out.push((node, records));
        }
    }
    out
}

/// A node suite's properties, each value cleaned.
pub(super) fn suite_properties(results: &Results, node: &SuiteNode) -> Vec<(&'static str, String)> {
    let mut props = vec![prop("node.id", node.id), prop("node.name", node.name)];
    if let Some(n) = node.info {
        props.push(prop("node.level", n.level.as_str()));
        props.push(prop("node.kind", n.kind.as_str()));
        if let Some(region) = &n.region {
            props.push(prop("node.region", region));
        }
        if let Some(host) = &n.host {
            props.push(prop("node.host", host));
        }
    }
    props.push(prop("node.path", node.path));
    // On every suite, not only the first: CI tools show suites one at a time, and a suite
    // copied out of the file should still say which run, suite and inventory it came from.
    props.extend(run_properties(results));
    props
}

/// The run's properties, each value cleaned.
pub(super) fn run_properties(results: &Results) -> Vec<(&'static str, String)> {
    let run = &results.run;
    vec![
        prop("run.id", &run.id),
        prop("run.suite", &run.suite),
        prop("run.suite_sha256", &run.suite_sha256),
        prop("run.inventory_sha256", &run.inventory_sha256),
        prop("run.netaccept_version", &run.netaccept_version),
        prop("run.complete", if run.complete { "true" } else { "false" }),
    ]
}

fn prop(name: &'static str, value: &str) -> (&'static str, String) {
    (name, clean_line(value))
}
