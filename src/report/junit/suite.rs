//! One `<testsuite>` per node that has results: the grouping of the results by node, and
//! each suite's attributes and properties.

use std::collections::HashMap;
use std::time::Duration;

use quick_junit::{Property, TestSuite};

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
) -> TestSuite {
    let mut suite = TestSuite::new(clean_line(&format!("{} ({})", node.name, node.id)));
    // Saturating: `Sum` for `Duration` panics on overflow, and absurd durations can be
    // typed into a results file.
    let time = records.iter().fold(Duration::ZERO, |t, r| {
        t.saturating_add(duration(r.duration_ms))
    });
    suite.set_time(time);
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

    let names = unique_names(records, checks, apps);
    for (r, name) in records.iter().zip(names) {
        suite.add_test_case(test_case(r, name, node.path));
    }
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
    let run = &results.run;
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
    props.extend([
        prop("run.id", &run.id),
        prop("run.suite", &run.suite),
        prop("run.suite_sha256", &run.suite_sha256),
        prop("run.inventory_sha256", &run.inventory_sha256),
        prop("run.netaccept_version", &run.netaccept_version),
        prop("run.complete", if run.complete { "true" } else { "false" }),
    ]);
    props
}

fn prop(name: &str, value: &str) -> Property {
    Property::new(name, clean_line(value))
}
