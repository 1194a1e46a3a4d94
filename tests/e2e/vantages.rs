//! `netaccept run --vantage ID [--shard K/N]` against a TCP listener the test starts: the run
//! holds that vantage's share only, and its record says which vantage and shard it ran
//! (`run.vantage_id`, `run.shard`) and, on every result, the vantage of its node and the
//! probing machine's host name; a whole run records each item's own vantage.

use crate::run::{counting_listener, results};
use crate::support::netaccept::{assert_exit, run_case, write_case};

fn case(dir: &std::path::Path) {
    let open = counting_listener("127.0.0.1").addr;
    write_case(
        dir,
        &format!(
            "nodes:
  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", vars: {{ open: \"{open}\" }} }}
  - {{ id: p, name: 省局, level: provincial, parent: c, host: \"127.0.0.1\", probe: {{ host: probe-p.test }} }}
  - {{ id: p-a, name: 甲市, level: prefectural, parent: p, host: \"127.0.0.1\" }}
  - {{ id: p-b, name: 乙市, level: prefectural, parent: p, host: \"127.0.0.1\" }}
  - {{ id: q, name: 另一省, level: provincial, parent: c, host: \"127.0.0.1\" }}
"
        ),
        "suite: t
name: 测试
checks:
  - { id: up, name: 开放端口, tcp: { target: \"{{ node.vars.open }}\" } }
  - { id: again, name: 再连, needs: [up], tcp: { target: \"{{ node.vars.open }}\" } }
",
    );
}

/// `(node, vantage, host)` of every result.
fn who(r: &serde_json::Value) -> Vec<(String, String, String)> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["node"].as_str().unwrap().to_string(),
                x["vantage"].as_str().unwrap().to_string(),
                x["host"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_vantage_run_holds_its_share_and_records_vantage_and_host() {
    let dir = tempfile::tempdir().unwrap();
    case(dir.path());
    assert_exit(&run_case(dir.path(), "p", &["--vantage", "p"]), 0);
    let r = results(&dir.path().join("p"));
    let host = r["run"]["vantage"].as_str().unwrap().to_string();
    assert!(!host.is_empty());
    assert_eq!(r["run"]["vantage_id"], "p");
    assert!(r["run"].get("shard").is_none(), "{}", r["run"]);
    assert_eq!(r["run"]["selection"], serde_json::json!(["--vantage p"]));
    let p = |n: &str| (n.to_string(), "p".to_string(), host.clone());
    assert_eq!(
        who(&r),
        [p("p"), p("p"), p("p-a"), p("p-a"), p("p-b"), p("p-b")]
    );
    assert_eq!(r["summary"]["passed"], 6);
}

#[test]
fn a_whole_run_records_each_items_own_vantage_and_the_roots_id() {
    let dir = tempfile::tempdir().unwrap();
    case(dir.path());
    assert_exit(&run_case(dir.path(), "all", &[]), 0);
    let r = results(&dir.path().join("all"));
    assert_eq!(r["run"]["vantage_id"], "c");
    let vantages: Vec<(String, String)> = who(&r)
        .into_iter()
        .map(|(n, v, h)| {
            assert_eq!(h, r["run"]["vantage"].as_str().unwrap());
            (n, v)
        })
        .step_by(2)
        .collect();
    let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        vantages,
        [
            pair("c", "c"),
            pair("p", "p"),
            pair("p-a", "p"),
            pair("p-b", "p"),
            pair("q", "c")
        ]
    );
    // The journal's results carry them too: a record rebuilt from it keeps them.
    let journal = std::fs::read_to_string(dir.path().join("all/journal.jsonl")).unwrap();
    assert!(journal.contains("\"vantage\":\"p\""), "{journal}");
}

#[test]
fn a_shard_of_a_vantage_holds_whole_nodes_and_says_which_shard() {
    let dir = tempfile::tempdir().unwrap();
    case(dir.path());
    let mut nodes = Vec::new();
    for k in 1..=2 {
        let out = format!("p-{k}");
        assert_exit(
            &run_case(
                dir.path(),
                &out,
                &["--vantage", "p", "--shard", &format!("{k}/2")],
            ),
            0,
        );
        let r = results(&dir.path().join(&out));
        assert_eq!(r["run"]["vantage_id"], "p");
        assert_eq!(
            r["run"]["shard"],
            serde_json::json!({ "index": k, "count": 2 })
        );
        let mut part: Vec<String> = who(&r).into_iter().map(|(n, _, _)| n).collect();
        // A node's two checks (`again` needs `up`) are in the same shard.
        assert_eq!(part.len() % 2, 0);
        part.dedup();
        nodes.extend(part);
    }
    nodes.sort();
    assert_eq!(nodes, ["p", "p-a", "p-b"]);
}

#[test]
fn demo_runs_one_vantages_share() {
    let _demo = crate::DEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["demo", "--vantage", "sx", "-o"])
        .arg(out.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "true")
        .env_remove("NETACCEPT_SHARD")
        .output()
        .unwrap();
    // The demo fails on purpose (exit 1): 山西's share holds some of its faults.
    assert_exit(&run, 1);
    let r = results(out.path());
    assert_eq!(r["run"]["vantage_id"], "sx");
    assert_eq!(r["run"]["planned"], 69);
    let nodes: std::collections::BTreeSet<String> = who(&r)
        .into_iter()
        .map(|(n, v, _)| {
            assert_eq!(v, "sx");
            n
        })
        .collect();
    assert_eq!(
        nodes.into_iter().collect::<Vec<_>>(),
        [
            "sx",
            "sx-coal",
            "sx-taiyuan",
            "sx-taiyuan-qingxu",
            "sx-taiyuan-xiaodian"
        ]
    );
}
