//! The pure merge ([`combine`]) on the example inventory and the acceptance suite, with
//! `sx` and `sx-taiyuan` made vantages: bundles built from the plan, one per vantage (or
//! per shard), each item passed.

use chrono::TimeZone;

use super::*;
use crate::engine::{PlanRequest, prepare};
use crate::load::{Inputs, Loaded};
use crate::model::Vantage;
use crate::plan::{MissingEnv, Overrides, Selection};
use crate::results::RunInfo;

fn inputs() -> (Loaded, Plan) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let prepared = prepare(&PlanRequest {
        inputs: Inputs {
            inventory: root.join("inventories/example"),
            suite: Some(root.join("suites/acceptance.yaml")),
            waivers: None,
            faults: None,
        },
        selection: Selection::default(),
        missing_env: MissingEnv::Warn,
        overrides: Overrides::default(),
    })
    .expect("the example plans");
    let mut loaded = prepared.loaded;
    for id in ["sx", "sx-taiyuan"] {
        let i = loaded.inventory.find(id).expect("example node");
        loaded.inventory.nodes[i.0 as usize].vantage = Some(Vantage { probe_host: None });
    }
    (loaded, prepared.plan.expect("a plan"))
}

/// The bundle of `vantage`'s items (those of shard `shard` only, when given), each passed.
fn bundle(loaded: &Loaded, plan: &Plan, vantage: &str, shard: Option<Shard>, hour: u32) -> Bundle {
    let inv = &loaded.inventory;
    let suite = loaded.suite.as_ref().unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 3, hour, 0, 0).unwrap();
    let results = plan
        .items
        .iter()
        .filter(|it| inv.node(inv.vantage_of(it.node)).id == vantage)
        .filter(|it| shard.is_none_or(|s| inv.shard_of(it.node, s.count) == s.index))
        .map(|it| {
            let mut r = not_reported(inv, suite, &Slot::of(it), vantage, String::new(), at);
            r.status = Status::Passed;
            r.attempts = 1;
            r.host = Some(format!("probe-{vantage}"));
            r
        })
        .collect::<Vec<_>>();
    let run_id = format!("acceptance-{vantage}-{}", shard.map_or(0, |s| s.index));
    let meta = RunMeta {
        id: run_id.clone(),
        vantage: format!("probe-{vantage}"),
        inventory_sha256: "i".into(),
        suite_sha256: "s".into(),
        selection: Vec::new(),
        operator: String::new(),
        vantage_id: vantage.to_string(),
        shard: None,
    };
    let mut record =
        RecordBook::new(plan, inv, suite, meta.vantage.clone()).outline(&meta, at, results.len());
    record.run = RunInfo {
        finished: at + chrono::Duration::minutes(5),
        complete: true,
        vantage_id: Some(vantage.into()),
        shard,
        ..record.run
    };
    record.summary = Summary::of(&results);
    record.results = results;
    Bundle {
        name: format!("b-{vantage}-{}", shard.map_or(0, |s| s.index)),
        verified: Verified {
            manifest_sha256: hex(&Sha256::digest(run_id.as_bytes())),
            signer: None,
        },
        results: record,
    }
}

fn merged(loaded: &Loaded, plan: &Plan, bundles: Vec<Bundle>) -> Result<Results, Error> {
    combine(
        plan,
        &loaded.inventory,
        loaded.suite.as_ref().unwrap(),
        bundles,
        "",
    )
}

#[test]
fn every_vantage_sent_its_items_so_every_item_is_reported_once() {
    let (l, p) = inputs();
    let all = ["national", "sx", "sx-taiyuan"].map(|v| bundle(&l, &p, v, None, 1));
    let r = merged(&l, &p, all.into()).unwrap();
    assert_eq!(r.results.len(), p.items.len());
    assert_eq!(r.summary.passed, p.items.len());
    assert_eq!(r.summary.not_reported, 0);
    assert_eq!(r.bundles.len(), 3);
    assert_eq!(
        r.run.started,
        Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap()
    );
    assert!(r.run.id.starts_with("merge-") && r.run.id.len() == "merge-".len() + 12);
    // Each result names its vantage and host.
    let x = r
        .results
        .iter()
        .find(|x| x.node == "sx-taiyuan-qingxu")
        .unwrap();
    assert_eq!(x.vantage.as_deref(), Some("sx-taiyuan"));
    assert_eq!(x.host.as_deref(), Some("probe-sx-taiyuan"));
}

#[test]
fn a_vantage_that_sent_nothing_leaves_exactly_its_items_not_reported() {
    let (l, p) = inputs();
    let two = ["national", "sx-taiyuan"].map(|v| bundle(&l, &p, v, None, 1));
    let r = merged(&l, &p, two.into()).unwrap();
    let inv = &l.inventory;
    for (x, it) in r.results.iter().zip(&p.items) {
        let of_sx = inv.node(inv.vantage_of(it.node)).id == "sx";
        assert_eq!(
            x.status == Status::NotReported,
            of_sx,
            "{}/{}",
            x.node,
            x.check
        );
        if of_sx {
            assert_eq!(x.message, "not reported: vantage sx sent no result");
            assert_eq!(x.vantage.as_deref(), Some("sx"));
            assert_eq!(x.host, None);
        }
    }
    assert!(r.summary.not_reported > 0);
    // Not passed, whatever --fail-on says.
    assert_eq!(
        crate::exit::for_results(&r, crate::model::Severity::Critical),
        crate::exit::Exit::ChecksFailed
    );
}

#[test]
fn an_item_reported_by_two_bundles_is_an_error_naming_both() {
    let (l, p) = inputs();
    let mut again = bundle(&l, &p, "sx", None, 2);
    again.name = "b-sx-again".into();
    again.results.run.id = "acceptance-sx-again".into();
    let bundles = vec![
        bundle(&l, &p, "national", None, 1),
        bundle(&l, &p, "sx", None, 1),
        again,
    ];
    let e = merged(&l, &p, bundles).unwrap_err().to_string();
    assert!(
        e.contains("is reported by two bundles: b-sx-0 and b-sx-again"),
        "{e}"
    );
}

#[test]
fn the_record_is_the_same_whatever_the_order_of_the_bundles() {
    let (l, p) = inputs();
    let make = || {
        vec![
            bundle(&l, &p, "national", None, 3),
            bundle(&l, &p, "sx", None, 1),
            bundle(&l, &p, "sx-taiyuan", None, 2),
        ]
    };
    let first = serde_json::to_string(&merged(&l, &p, make()).unwrap()).unwrap();
    for order in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        let mut given = make().into_iter().map(Some).collect::<Vec<_>>();
        let bundles = order.iter().map(|&i| given[i].take().unwrap()).collect();
        let json = serde_json::to_string(&merged(&l, &p, bundles).unwrap()).unwrap();
        assert!(json == first, "order {order:?} gave another record");
    }
}

#[test]
fn a_missing_shard_is_named_and_only_its_nodes_are_not_reported() {
    let (l, p) = inputs();
    let s = |index| Some(Shard { index, count: 3 });
    let bundles = vec![
        bundle(&l, &p, "national", s(1), 1),
        bundle(&l, &p, "national", s(3), 1),
        bundle(&l, &p, "sx", None, 1),
        bundle(&l, &p, "sx-taiyuan", None, 1),
    ];
    let r = merged(&l, &p, bundles).unwrap();
    let inv = &l.inventory;
    let mut missing = 0;
    for (x, it) in r.results.iter().zip(&p.items) {
        let lost =
            inv.node(inv.vantage_of(it.node)).id == "national" && inv.shard_of(it.node, 3) == 2;
        assert_eq!(
            x.status == Status::NotReported,
            lost,
            "{}/{}",
            x.node,
            x.check
        );
        if lost {
            missing += 1;
            assert_eq!(
                x.message,
                "not reported: vantage national shard 2/3 sent no result"
            );
        }
    }
    assert!(missing > 0, "shard 2/3 of the national vantage holds items");
}

#[test]
fn shards_that_disagree_on_their_count_or_come_twice_are_errors() {
    let (l, p) = inputs();
    let bundles = vec![
        bundle(&l, &p, "national", Some(Shard { index: 1, count: 2 }), 1),
        bundle(&l, &p, "national", Some(Shard { index: 2, count: 3 }), 1),
    ];
    let e = merged(&l, &p, bundles).unwrap_err().to_string();
    assert!(
        e.contains("the shards of vantage national disagree on their count"),
        "{e}"
    );

    let mut twice = bundle(&l, &p, "national", Some(Shard { index: 1, count: 2 }), 2);
    twice.name = "b-national-1-again".into();
    let bundles = vec![
        bundle(&l, &p, "national", Some(Shard { index: 1, count: 2 }), 1),
        twice,
    ];
    let e = merged(&l, &p, bundles).unwrap_err().to_string();
    assert!(
        e.contains(
            "shard 1/2 of vantage national is given twice: b-national-1 and b-national-1-again"
        ),
        "{e}"
    );
}

#[test]
fn a_folder_without_a_manifest_is_no_bundle_even_unsigned() {
    // Unsigned bundles are accepted with --allow-unsigned only when their files match their
    // SHA256SUMS (tests/e2e/merge.rs merges real ones); a folder with no manifest is refused
    // whatever the flags.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("results.json"), b"{}").unwrap();
    for allow in [false, true] {
        let e = verify_bundle(dir.path(), None, allow).unwrap_err();
        assert!(matches!(e.exit(), crate::exit::Exit::InvalidInput));
        assert!(e.to_string().contains("not a bundle"), "{e}");
    }
}
