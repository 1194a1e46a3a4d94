//! The planner's own rules on hand-built models: how `needs` link items of one node (app by
//! app when both checks are per app), and what a check not planned on a node imposes.
//! Planning from YAML (templates, selection, secrets) is tested in `tests/` through the
//! loader.

use super::*;
use crate::model::{App, Check, Duration, Selector, Severity, TcpSpec};

fn check(id: &str, for_each_app: bool, needs: &[u32]) -> Check {
    Check {
        id: id.into(),
        name: id.into(),
        severity: Severity::Major,
        selector: Selector::default(),
        for_each_app,
        needs: needs.iter().map(|&n| CheckIdx(n)).collect(),
        timeout: Duration::from_millis(1_000),
        retries: 0,
        probe: Probe::Tcp(TcpSpec {
            target: Template::literal("x:1", Loc::default()),
            max_connect: None,
        }),
        loc: Loc::default(),
    }
}

fn suite(checks: Vec<Check>) -> Suite {
    Suite {
        id: "t".into(),
        base_dir: ".".into(),
        name: "T".into(),
        apps: ["a", "b"]
            .map(|a| App {
                id: a.into(),
                name: a.into(),
            })
            .into(),
        checks,
    }
}

fn item(node: u32, check: u32, app: Option<u32>) -> PlanItem {
    PlanItem {
        node: NodeIdx(node),
        check: CheckIdx(check),
        app: app.map(AppIdx),
        needs: Vec::new(),
        probe: Probe::Tcp(crate::model::TcpSpec {
            target: Text::plain("x:1"),
            max_connect: None,
        }),
        timeout: std::time::Duration::from_secs(1),
        retries: 0,
        label: "x".into(),
    }
}

#[test]
fn needs_link_items_of_the_same_node_app_by_app_when_both_are_per_app() {
    // 0 net (plain), 1 health (per app, needs net), 2 login (per app, needs health and net).
    let s = suite(vec![
        check("net", false, &[]),
        check("health", true, &[0]),
        check("login", true, &[1, 0]),
    ]);
    let mut items = vec![
        item(0, 0, None),    // 0
        item(0, 1, Some(0)), // 1
        item(0, 1, Some(1)), // 2
        item(0, 2, Some(0)), // 3
        item(0, 2, Some(1)), // 4
        item(1, 0, None),    // 5: another node
        item(1, 1, Some(0)), // 6
    ];
    resolve_needs(&s, &mut items);
    let needs: Vec<&[ItemIdx]> = items.iter().map(|i| i.needs.as_slice()).collect();
    assert_eq!(
        needs,
        [&[][..], &[0], &[0], &[0, 1], &[0, 2], &[], &[5]],
        "health needs its node's net; login/a needs health/a (not health/b) and net"
    );
}

#[test]
fn a_plain_check_needing_a_per_app_check_waits_for_every_app() {
    let s = suite(vec![
        check("health", true, &[]),
        check("report", false, &[0]),
    ]);
    let mut items = vec![item(0, 0, Some(0)), item(0, 0, Some(1)), item(0, 1, None)];
    resolve_needs(&s, &mut items);
    assert_eq!(items[2].needs, [0, 1]);
}

#[test]
fn a_needed_check_not_planned_on_the_node_imposes_nothing() {
    // `net` is not planned on node 1 (its selector took only node 0).
    let s = suite(vec![check("net", false, &[]), check("tcp", false, &[0])]);
    let mut items = vec![item(0, 0, None), item(0, 1, None), item(1, 1, None)];
    resolve_needs(&s, &mut items);
    assert_eq!(items[1].needs, [0]);
    assert!(items[2].needs.is_empty());
}
