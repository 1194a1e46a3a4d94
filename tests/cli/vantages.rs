//! Vantages and shards: the assignment of planned items to vantages (the rule: nearest
//! vantage ancestor-or-self unless `probed_from`), every item in exactly one share, `--vantage`
//! keeping a share, `--shard K/N` cutting a selection by node (deterministic, node-complete,
//! the shards' union the whole), on a small inventory, the demo and the national inventory
//! through the library; and `plan --vantages`, `plan --vantage`, `--shard` /
//! `NETACCEPT_SHARD` and `validate`'s statement through the binary.

use std::collections::{BTreeMap, BTreeSet};

use netaccept::load::{Inputs, Loaded, load};
use netaccept::plan::{
    MissingEnv, Overrides, Plan, Selection, Shard, assignment, build, exactly_one,
};
use serde_json::Value;

use crate::{netaccept, root};

fn load_at(inventory: &std::path::Path, suite: &std::path::Path) -> Loaded {
    let inputs = Inputs {
        inventory: inventory.into(),
        suite: Some(suite.into()),
        waivers: None,
        faults: None,
    };
    load(&inputs).unwrap_or_else(|e| panic!("inputs should load: {:#?}", e.diagnostics))
}

fn plan(l: &Loaded, sel: &Selection) -> Plan {
    build(
        &l.inventory,
        l.suite.as_ref().unwrap(),
        sel,
        &|_| None,
        MissingEnv::Warn,
        Overrides::default(),
    )
    .unwrap_or_else(|d| panic!("plan should build: {d:#?}"))
    .0
}

/// `(node id, item label)` of every item: what identifies an item across plans.
fn keys(l: &Loaded, p: &Plan) -> Vec<(String, String)> {
    p.items
        .iter()
        .map(|it| (l.inventory.node(it.node).id.clone(), it.label.to_string()))
        .collect()
}

const SMALL: &str = "nodes:
  - { id: national, name: 总局, level: national, host: 127.0.0.1 }
  - { id: he, name: 河北, level: provincial, parent: national, host: 127.0.1.1,
      probe: { host: probe-he.test } }
  - { id: he-sjz, name: 石家庄, level: prefectural, parent: he, host: 127.0.1.2 }
  - { id: he-sjz-ca, name: 长安, level: county, parent: he-sjz, host: 127.0.1.3 }
  - { id: he-ts, name: 唐山, level: prefectural, parent: he, host: 127.0.1.4, vantage: true }
  - { id: he-ts-lb, name: 路北, level: county, parent: he-ts, host: 127.0.1.5 }
  - { id: he-coal, name: 河北煤监, level: provincial, kind: coal, parent: national,
      host: 127.0.1.6, probed_from: he }
  - { id: he-zjk, name: 张家口, level: prefectural, parent: he, host: 127.0.1.7,
      probed_from: national }
  - { id: sx, name: 山西, level: provincial, parent: national, host: 127.0.2.1 }
";

const SUITE: &str = "suite: t
name: T
checks:
  - { id: net.tcp, name: TCP, tcp: { target: \"{{ node.host }}:443\" } }
  - { id: net.web, name: Web, needs: [net.tcp], tcp: { target: \"{{ node.host }}:80\" } }
";

fn small() -> (tempfile::TempDir, Loaded) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv.yaml"), SMALL).unwrap();
    std::fs::write(dir.path().join("suite.yaml"), SUITE).unwrap();
    let l = load_at(&dir.path().join("inv.yaml"), &dir.path().join("suite.yaml"));
    (dir, l)
}

#[test]
fn each_node_is_probed_from_its_nearest_vantage_unless_it_names_one() {
    let (_dir, l) = small();
    let p = plan(&l, &Selection::default());
    let inv = &l.inventory;
    let shares = assignment(inv, &p);
    exactly_one(inv, &p, &shares).expect("every item in exactly one share");
    let by_vantage: BTreeMap<&str, Vec<&str>> = shares
        .iter()
        .map(|s| {
            (
                inv.node(s.vantage).id.as_str(),
                s.nodes.iter().map(|&n| inv.node(n).id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        by_vantage,
        BTreeMap::from([
            ("national", vec!["national", "he-zjk", "sx"]),
            ("he", vec!["he", "he-sjz", "he-sjz-ca", "he-coal"]),
            ("he-ts", vec!["he-ts", "he-ts-lb"]),
        ]),
        "he probes its subtree but he-ts's, and he-coal (probed_from: he); he-zjk is probed \
         from national; the root probes what no nearer vantage does"
    );
    // Each share is two items per node, and together they are the plan.
    let total: usize = shares.iter().map(|s| s.items.len()).sum();
    assert_eq!(total, p.items.len());
    for s in &shares {
        assert_eq!(s.items.len(), 2 * s.nodes.len());
    }
}

#[test]
fn vantage_selection_is_that_vantages_share_and_the_shares_make_the_plan() {
    let (_dir, l) = small();
    let whole = plan(&l, &Selection::default());
    let shares = assignment(&l.inventory, &whole);
    let mut union = Vec::new();
    for s in &shares {
        let id = l.inventory.node(s.vantage).id.clone();
        let part = plan(
            &l,
            &Selection {
                vantage: Some(id.clone()),
                ..Selection::default()
            },
        );
        let expected: Vec<_> = s
            .items
            .iter()
            .map(|&i| keys(&l, &whole)[i].clone())
            .collect();
        assert_eq!(keys(&l, &part), expected, "--vantage {id}");
        // `needs` stay within the share: a node's checks are together.
        for it in &part.items {
            assert!(it.needs.iter().all(|&n| part.items[n].node == it.node));
        }
        union.extend(keys(&l, &part));
    }
    union.sort();
    let mut all = keys(&l, &whole);
    all.sort();
    assert_eq!(union, all);
}

#[test]
fn a_vantage_selection_naming_no_vantage_is_an_error_with_a_suggestion() {
    let (_dir, l) = small();
    let err = |v: &str| {
        build(
            &l.inventory,
            l.suite.as_ref().unwrap(),
            &Selection {
                vantage: Some(v.into()),
                ..Selection::default()
            },
            &|_| None,
            MissingEnv::Warn,
            Overrides::default(),
        )
        .expect_err("an unknown vantage is an error")
        .iter()
        .map(|d| format!("{} / {}", d.message, d.hint.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
    };
    let e = err("he-tss");
    assert!(e.contains("--vantage `he-tss`: no such vantage"), "{e}");
    assert!(e.contains("did you mean `he-ts`?"), "{e}");
    let e = err("he-sjz");
    assert!(e.contains("node `he-sjz` is not a vantage"), "{e}");
    assert!(e.contains("probed from `he`"), "{e}");
}

/// Shards of `sel` with `n` parts: each part's `(node, label)` keys.
fn shard_keys(l: &Loaded, sel: &Selection, n: u32) -> Vec<Vec<(String, String)>> {
    (1..=n)
        .map(|k| {
            let sel = Selection {
                shard: Some(Shard { index: k, count: n }),
                ..sel.clone()
            };
            keys(l, &plan(l, &sel))
        })
        .collect()
}

/// The shards of `sel`: disjoint, node-complete (a node's items all in one part), their
/// union the selection, and the same twice.
fn check_shards(l: &Loaded, sel: &Selection, n: u32) {
    let parts = shard_keys(l, sel, n);
    assert_eq!(parts, shard_keys(l, sel, n), "deterministic");
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, part) in parts.iter().enumerate() {
        for (node, _) in part {
            let first = *owner.entry(node).or_insert(k);
            assert_eq!(first, k, "node {node} is in parts {first} and {k} of {n}");
        }
    }
    let mut union: Vec<_> = parts.concat();
    let before = union.len();
    union.sort();
    union.dedup();
    assert_eq!(union.len(), before, "parts overlap");
    let mut all = keys(l, &plan(l, sel));
    all.sort();
    assert_eq!(union, all, "the parts make the selection ({n} parts)");
}

#[test]
fn shards_are_deterministic_node_complete_and_make_the_selection() {
    let (_dir, l) = small();
    for n in [1, 2, 3, 7] {
        check_shards(&l, &Selection::default(), n);
        for v in ["national", "he", "he-ts"] {
            check_shards(
                &l,
                &Selection {
                    vantage: Some(v.into()),
                    ..Selection::default()
                },
                n,
            );
        }
    }
    // A node's part does not depend on `--vantage`: the parts are dealt per vantage.
    let he_2_of_2 = keys(
        &l,
        &plan(
            &l,
            &Selection {
                vantage: Some("he".into()),
                shard: Some(Shard { index: 2, count: 2 }),
                ..Selection::default()
            },
        ),
    );
    let all_2_of_2 = shard_keys(&l, &Selection::default(), 2).remove(1);
    assert!(!he_2_of_2.is_empty());
    assert!(he_2_of_2.iter().all(|k| all_2_of_2.contains(k)));
}

#[test]
fn shard_parses_k_of_n() {
    assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
    for bad in ["0/4", "5/4", "4", "a/b", "1/0", "1/10001", "-1/2"] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_national_inventory_has_33_vantages_and_their_shares_make_the_plan() {
    let l = load_at(
        &root().join("inventories/national"),
        &root().join("suites/acceptance.yaml"),
    );
    let p = plan(&l, &Selection::default());
    let shares = assignment(&l.inventory, &p);
    assert_eq!(shares.len(), 33);
    exactly_one(&l.inventory, &p, &shares).unwrap();
    // Each provincial centre probes its own subtree: every node of a share is the vantage
    // or below it (no national-inventory node names `probed_from`).
    for s in &shares[1..] {
        assert!(!s.items.is_empty());
        for &n in &s.nodes {
            assert!(l.inventory.is_self_or_descendant_of(n, s.vantage));
        }
    }
    let sx = plan(
        &l,
        &Selection {
            vantage: Some("sx".into()),
            ..Selection::default()
        },
    );
    let sx_share = shares
        .iter()
        .find(|s| l.inventory.node(s.vantage).id == "sx")
        .unwrap();
    assert_eq!(sx.items.len(), sx_share.items.len());
    check_shards(
        &l,
        &Selection {
            vantage: Some("sx".into()),
            ..Selection::default()
        },
        4,
    );
}

fn demo(args: &[&str]) -> std::process::Output {
    let mut all = vec!["-i", "inventories/demo", "-s", "suites/acceptance.yaml"];
    all.splice(0..0, args.iter().take(1).copied());
    all.extend(&args[1..]);
    netaccept(&all)
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn validate_states_that_every_item_is_in_exactly_one_vantage() {
    let out = ok(&demo(&["validate"]));
    assert!(
        out.contains("vantages: 1091 items over 5 vantages, each in exactly one\n"),
        "{out}"
    );
}

#[test]
fn plan_vantages_prints_the_assignment_as_text_and_json() {
    let text = ok(&demo(&["plan", "--vantages"]));
    assert!(
        text.contains("sx  山西省应急管理厅  probe host probe-sx.aq.gov.test: 5 nodes, 69 items\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  sx sx-taiyuan sx-taiyuan-qingxu sx-taiyuan-xiaodian sx-coal\n"),
        "{text}"
    );
    assert!(
        text.ends_with("\n1091 items over 5 vantages, each in exactly one\n"),
        "{text}"
    );

    let json: Value =
        serde_json::from_str(&ok(&demo(&["plan", "--vantages", "--format", "json"]))).unwrap();
    assert_eq!(json["format"], "netaccept-vantages/1");
    let vs = json["vantages"].as_array().unwrap();
    let ids: Vec<&str> = vs.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["national", "gd", "heb", "sc", "sx"]);
    assert!(vs[0]["probe_host"].is_null());
    assert_eq!(vs[4]["probe_host"], "probe-sx.aq.gov.test");
    let items: u64 = vs.iter().map(|v| v["items"].as_u64().unwrap()).sum();
    assert_eq!(items, 1091);
    assert_eq!(json["items"], 1091);
    // The nodes of all shares, each once, are the inventory's 54.
    let nodes: Vec<&str> = vs
        .iter()
        .flat_map(|v| v["nodes"].as_array().unwrap())
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(nodes.len(), 54);
    assert_eq!(nodes.iter().collect::<BTreeSet<_>>().len(), 54);
}

#[test]
fn plan_vantage_lists_that_share_and_each_item_names_its_vantage() {
    let json: Value =
        serde_json::from_str(&ok(&demo(&["plan", "--vantage", "sx", "--format", "json"]))).unwrap();
    let items = json["items"].as_array().unwrap();
    let nodes: BTreeSet<&str> = items.iter().map(|i| i["node"].as_str().unwrap()).collect();
    assert_eq!(
        nodes,
        BTreeSet::from([
            "sx",
            "sx-coal",
            "sx-taiyuan",
            "sx-taiyuan-qingxu",
            "sx-taiyuan-xiaodian"
        ])
    );
    assert!(items.iter().all(|i| i["vantage"] == "sx"));
}

#[test]
fn plan_vantage_unknown_is_exit_2_with_a_suggestion() {
    let out = demo(&["plan", "--vantage", "sxx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--vantage `sxx`: no such vantage in the inventory"),
        "{err}"
    );
    assert!(err.contains("did you mean `sx`?"), "{err}");
}

#[test]
fn shard_flag_and_env_cut_the_plan_the_same_way() {
    let part = |args: &[&str], env: Option<&str>| {
        let mut all = vec![
            "plan",
            "-i",
            "inventories/demo",
            "-s",
            "suites/acceptance.yaml",
        ];
        all.extend(args);
        all.extend(["--format", "json"]);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_netaccept"));
        cmd.args(&all)
            .current_dir(root())
            .env_remove("NETACCEPT_SHARD");
        if let Some(e) = env {
            cmd.env("NETACCEPT_SHARD", e);
        }
        let json: Value = serde_json::from_str(&ok(&cmd.output().unwrap())).unwrap();
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{} {} {}", i["node"], i["check"], i["app"]))
            .collect::<Vec<_>>()
    };
    let by_flag: Vec<Vec<String>> = (1..=3)
        .map(|k| part(&["--vantage", "heb", "--shard", &format!("{k}/3")], None))
        .collect();
    let by_env: Vec<Vec<String>> = (1..=3)
        .map(|k| part(&["--vantage", "heb"], Some(&format!("{k}/3"))))
        .collect();
    assert_eq!(by_flag, by_env);
    let mut union = by_flag.concat();
    union.sort();
    let mut all = part(&["--vantage", "heb"], None);
    all.sort();
    assert_eq!(union, all);
    assert!(by_flag.iter().all(|p| !p.is_empty()));

    let out = demo(&["plan", "--shard", "0/3"]);
    assert_eq!(out.status.code(), Some(2), "a bad --shard is a usage error");
}
