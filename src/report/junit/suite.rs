//! One `<testsuite>` per node that has results: the grouping of the results by node, and
//! each suite's attributes and properties; and, for an interrupted run, the suite of the run
//! itself, whose one test case is an error.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::cases::{duration, test_case, unique_names};
use super::clean::clean_line;
use crate::results::{NodeInfo, ResultRecord, Results};

/// One node's `<testsuite>`, with a `<testcase>` per result.
pub(super) fn test_suite(
    results: &Results,
    node: &SuiteNode,
    records: &[&ResultRecord],
    checks: &HashMap<&str, &str>,
    apps: &HashMap<&str, &str>,
    probes: &HashMap<&str, &str>,
) -> TestSuite {
    let mut suite = TestSuite::new(clean_line(&format!("{} ({})", node.name, node.id)));
    // The node's wall span, not the sum of its checks' times: they run concurrently, and the
    // sums of a run's suites would add up to several times the run.
    suite.set_time(wall_span(records));
    if let Some(first) = records.iter().map(|r| r.started).min() {
        suite.extra.insert(
            "timestamp".into(),
            first.format("%Y-%m-%dT%H:%M:%S").to_string().into(),
        );
    }
    suite
        .extra
        .insert("hostname".into(), clean_line(&results.run.vantage).into());
    suite.add_properties(suite_properties(results, node));

    let names = unique_names(records, node.name, checks, apps);
    for (r, name) in records.iter().zip(names) {
        let probe = probes.get(r.check.as_str()).copied().unwrap_or("");
        suite.add_test_case(test_case(r, name, node.path, probe));
    }
    suite
}

/// From the earliest start of these results to the latest end (start plus duration). A
/// time that cannot be added (only a hand-edited file has one) counts as no time.
fn wall_span(records: &[&ResultRecord]) -> std::time::Duration {
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
pub(super) fn run_suite(results: &Results) -> TestSuite {
    let run = &results.run;
    // A fixed name, not one with the run id: GitLab keys a test's history on suite, class
    // name and name, and an interrupted run should join the history of the ones before it.
    // The run id is among the properties.
    let mut suite = TestSuite::new("netaccept run");
    suite.extra.insert(
        "timestamp".into(),
        run.started.format("%Y-%m-%dT%H:%M:%S").to_string().into(),
    );
    suite
        .extra
        .insert("hostname".into(), clean_line(&run.vantage).into());
    suite.add_properties(run_properties(results));

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
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(message);
    status.set_type("Interrupted");
    status.set_description(body);
    let mut tc = TestCase::new("运行完成 / run completed", status);
    tc.set_classname("netaccept");
    suite.add_test_case(tc);
    suite
}

/// A node with results: described by the record, or only named by a result.
pub(super) struct SuiteNode<'a> {
    id: &'a str,
    name: &'a str,
    path: &'a str,
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

fn suite_properties(results: &Results, node: &SuiteNode) -> Vec<Property> {
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

fn run_properties(results: &Results) -> Vec<Property> {
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

fn prop(name: &str, value: &str) -> Property {
    Property::new(name, clean_line(value))
}
