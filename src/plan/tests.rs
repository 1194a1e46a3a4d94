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
        on_demand: false,
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

/// Property tests (proptest): a template filled for a node gives back its literal text and
/// the node's values in order, with `{{ env.* }}` values as secrets that only `expose`
/// shows.
mod proptests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::model::{AppEndpoint, Kind, Node};
    use crate::props::config;

    /// Plain values never hold a `§`; secrets always do.
    fn plain() -> impl Strategy<Value = String> {
        "[^§]{0,10}"
    }

    fn secret() -> impl Strategy<Value = String> {
        "[^§]{0,4}§[^§]{0,4}"
    }

    fn node(id: &str, parent: Option<u32>, host: Option<String>, region: Option<String>) -> Node {
        Node {
            id: id.into(),
            name: String::new(),
            level: Level::National,
            kind: Kind::Safety,
            parent: parent.map(NodeIdx),
            children: Vec::new(),
            region,
            host,
            tags: Vec::new(),
            vars: BTreeMap::new(),
            apps: Vec::new(),
            loc: Loc::default(),
            vantage: None,
            probed_from: None,
        }
    }

    /// What the test fills: a root with vars `x` and `y`, its child (the node filled) with
    /// its own `y`, a name, maybe a host and a region, and an endpoint for app `a`.
    #[derive(Debug, Clone)]
    struct World {
        name: String,
        host: Option<String>,
        region: Option<String>,
        root_vars: (String, String),
        own_y: String,
        url: String,
        /// `env.S` is set to this, `env.M` is not set.
        env_s: String,
        app: Option<u32>,
    }

    fn world() -> impl Strategy<Value = World> {
        (
            plain(),
            prop::option::of(plain()),
            prop::option::of(plain()),
            (plain(), plain()),
            plain(),
            plain(),
            secret(),
            prop::option::of(0u32..2),
        )
            .prop_map(
                |(name, host, region, root_vars, own_y, url, env_s, app)| World {
                    name,
                    host,
                    region,
                    root_vars,
                    own_y,
                    url,
                    env_s,
                    app,
                },
            )
    }

    fn segment() -> impl Strategy<Value = Segment> {
        prop_oneof![
            plain().prop_map(Segment::Lit),
            prop::sample::select(vec![
                "node.id",
                "node.name",
                "node.host",
                "node.level",
                "node.kind",
                "node.region",
                "node.vars.x",
                "node.vars.y",
                "node.vars.z",
                "app.id",
                "app.name",
                "app.url",
                "env.S",
                "env.M",
            ])
            .prop_map(|v| Segment::Var(VarRef::parse(v).unwrap())),
        ]
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn filled_text_round_trips(
            w in world(),
            segments in prop::collection::vec(segment(), 0..8),
        ) {
            let mut root = node("r", None, None, None);
            root.children = vec![NodeIdx(1)];
            root.vars.insert("x".into(), w.root_vars.0.clone());
            root.vars.insert("y".into(), w.root_vars.1.clone());
            let mut child = node("c", Some(0), w.host.clone(), w.region.clone());
            child.name.clone_from(&w.name);
            child.level = Level::Provincial;
            child.vars.insert("y".into(), w.own_y.clone());
            child.apps.push(AppEndpoint { app: "a".into(), url: w.url.clone() });
            let inv = Inventory::new(vec![root, child], NodeIdx(0));
            let s = suite(Vec::new());
            let t = Template {
                segments: segments.clone(),
                loc: Loc { line: 3, col: 7, ..Loc::default() },
            };
            let env_s = w.env_s.clone();
            let env = move |name: &str| (name == "S").then(|| env_s.clone());
            let mut missing = BTreeMap::new();
            let filled = fill(&inv, &s, NodeIdx(1), w.app.map(AppIdx), &t, &env, &mut missing);

            // What each variable is, by hand: a value, a secret, or missing.
            let app_id = w.app.map(|a| ["a", "b"][a as usize]);
            let mut parts: Vec<(String, bool)> = Vec::new();
            let mut missing_m = 0;
            let mut first_missing = None;
            for seg in &segments {
                let v = match seg {
                    Segment::Lit(l) => {
                        parts.push((l.clone(), false));
                        continue;
                    }
                    Segment::Var(v) => v,
                };
                let value = match v.to_string().as_str() {
                    "node.id" => Some("c".to_string()),
                    "node.name" => Some(w.name.clone()),
                    "node.host" => w.host.clone(),
                    "node.level" => Some("provincial".into()),
                    "node.kind" => Some("safety".into()),
                    "node.region" => w.region.clone(),
                    "node.vars.x" => Some(w.root_vars.0.clone()),
                    "node.vars.y" => Some(w.own_y.clone()),
                    "app.id" | "app.name" => app_id.map(str::to_string),
                    // Only app `a` has an endpoint on the node.
                    "app.url" => (app_id == Some("a")).then(|| w.url.clone()),
                    "env.S" => {
                        parts.push((w.env_s.clone(), true));
                        continue;
                    }
                    "env.M" => {
                        missing_m += 1;
                        parts.push((String::new(), true));
                        continue;
                    }
                    _ => None,
                };
                match value {
                    Some(value) => parts.push((value, false)),
                    None => {
                        first_missing.get_or_insert_with(|| v.clone());
                    }
                }
            }
            if let Some(v) = first_missing {
                prop_assert_eq!(filled.unwrap_err(), v);
                return Ok(());
            }
            let text = filled.unwrap();
            let exposed: String = parts.iter().map(|(s, _)| s.as_str()).collect();
            let shown: String =
                parts.iter().map(|(s, secret)| if *secret { "***" } else { s.as_str() }).collect();
            let secrets: Vec<&str> =
                parts.iter().filter(|(_, secret)| *secret).map(|(s, _)| s.as_str()).collect();
            prop_assert_eq!(text.expose(), exposed);
            prop_assert_eq!(text.to_string(), shown);
            prop_assert_eq!(text.secrets().collect::<Vec<_>>(), secrets);
            let debug = format!("{text:?}");
            prop_assert!(!debug.contains('§'), "{}", debug);
            // Plain pieces side by side are one part.
            let plain_twice =
                |p: &[TextPart]| matches!(p, [TextPart::Plain(_), TextPart::Plain(_)]);
            prop_assert!(!text.parts.windows(2).any(plain_twice));
            let expected_missing: BTreeMap<String, (Loc, usize)> = if missing_m > 0 {
                [("M".to_string(), (t.loc, missing_m))].into()
            } else {
                BTreeMap::new()
            };
            prop_assert_eq!(missing, expected_missing);
        }
    }
}
