//! `trace:` across the chain, run by the real binary in the probe namespace: the hop list
//! to the county host passes the provincial and prefectural routers (`expect_via`), the
//! same list Debian's `traceroute -n -I` (an independent implementation) sees; with the
//! provincial router bypassed the same check fails as `PathMismatch`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::chain::{Chain, Role};
use crate::support::netaccept::assert_exit;
use crate::support::{host, net};

/// One node, the county host (or `host`), for every path test.
pub(crate) fn inventory(host: &str) -> String {
    format!(
        "nodes:\n  - id: county-host\n    name: 县局主机\n    level: county\n    host: {host}\n"
    )
}

/// `netaccept run` of `suite` against [`inventory`] inside the probe namespace, without a
/// history; its exit status and `results.json`.
pub(crate) fn run(chain: &Chain, dir: &Path, host: &str, suite: &str) -> (Output, Value) {
    std::fs::write(dir.join("inv.yaml"), inventory(host)).unwrap();
    std::fs::write(dir.join("suite.yaml"), suite).unwrap();
    let out = chain.netaccept_run(dir, &[]);
    let record = std::fs::read(dir.join("out/results.json")).unwrap_or_else(|e| {
        panic!(
            "no results.json ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, serde_json::from_slice(&record).unwrap())
}

/// The only result of a record.
pub(crate) fn only(record: &Value) -> &Value {
    let results = record["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{record:#}");
    &results[0]
}

/// The addresses of a result's `path`, silent hops as `*`.
pub(crate) fn hops(result: &Value) -> Vec<String> {
    result["measurements"]["path"]
        .as_array()
        .unwrap_or_else(|| panic!("no path: {result:#}"))
        .iter()
        .map(|h| h["addr"].as_str().unwrap_or("*").to_string())
        .collect()
}

const SUITE: &str = r#"suite: path
name: 路径
checks:
  - id: path.trace
    name: 路由路径
    timeout: 5s
    trace: { target: "{{ node.host }}", max_hops: 8, expect_via: ["198.18.1.0/24", "198.18.2.2"] }
"#;

/// What `traceroute -n -I` sees from the probe: one address per hop (the first column after
/// the hop number), `*` for a silent one.
fn traceroute(chain: &Chain, to: &str) -> Vec<String> {
    let out = chain
        .command(Role::Probe, "traceroute")
        .args(["-n", "-I", "-q", "1", "-w", "2", "-m", "8", to])
        .output()
        .expect("traceroute");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap_or("*").to_string())
        .collect()
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMP (CI runs it: --include-ignored)"]
fn the_trace_passes_the_expected_routers_and_fails_when_the_province_is_bypassed() {
    host::assert_root("network namespaces and raw ICMP");
    let chain = Chain::new("trc");
    let dir = tempfile::tempdir().unwrap();

    let (out, record) = run(&chain, dir.path(), Chain::HOST, SUITE);
    let r = only(&record);
    assert_eq!(
        r["status"],
        "passed",
        "{r:#}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = hops(r);
    assert_eq!(seen, [Chain::PROV, Chain::PREF, Chain::COUNTY, Chain::HOST]);
    let m = &r["measurements"];
    assert_eq!(m["path_reached"], true);
    assert_eq!(m["path_expected"], true);
    assert_eq!(m["hops"], 4);
    assert_eq!(m["path_last_hop"], Chain::HOST);
    assert_eq!(m["limits"]["hops"], 8);
    assert_eq!(
        m["expect_via"],
        serde_json::json!(["198.18.1.0/24", "198.18.2.2"])
    );
    assert!(m["path"][0]["rtt_ms"].as_f64().unwrap() > 0.0);
    // The independent implementation sees the same routers.
    let compare = net::available("traceroute");
    if compare {
        assert_eq!(traceroute(&chain, Chain::HOST), seen);
    } else {
        host::skip("traceroute (Debian's `traceroute` package) is not installed: no comparison");
    }

    chain.bypass_provincial();
    let dir = tempfile::tempdir().unwrap();
    let (out, record) = run(&chain, dir.path(), Chain::HOST, SUITE);
    assert_exit(&out, 1);
    let r = only(&record);
    assert_eq!(r["status"], "failed", "{r:#}");
    assert_eq!(r["kind"], "PathMismatch", "{r:#}");
    let seen = hops(r);
    assert_eq!(seen, [Chain::PREF_BYPASS, Chain::COUNTY, Chain::HOST]);
    if compare {
        assert_eq!(traceroute(&chain, Chain::HOST), seen);
    }
    let message = r["message"].as_str().unwrap();
    assert!(
        message.contains("does not pass 198.18.1.0/24")
            && message.contains("198.18.5.2, 198.18.3.2, 198.18.4.2"),
        "{message}"
    );
    assert_eq!(r["measurements"]["path_expected"], false);
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMP (CI runs it: --include-ignored)"]
fn a_target_beyond_max_hops_is_incomplete_and_a_silent_router_does_not_stop_the_trace() {
    host::assert_root("network namespaces and raw ICMP");
    let chain = Chain::new("trs");
    // The prefectural router sends no "time exceeded": its hop is silent.
    chain.nft(
        Role::Pref,
        "table inet silent {\n chain output { type filter hook output priority 0; policy accept;\n  icmp type time-exceeded drop\n }\n}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let suite = SUITE.replace("max_hops: 8", "max_hops: 3");
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite);
    let r = only(&record);
    assert_eq!(r["kind"], "PathIncomplete", "{r:#}");
    assert_eq!(hops(r), [Chain::PROV, "*", Chain::COUNTY]);
    assert_eq!(r["measurements"]["path_last_hop"], Chain::COUNTY);
    assert_eq!(r["measurements"]["hops"], 3);

    let dir = tempfile::tempdir().unwrap();
    let suite = SUITE.replace(r#""198.18.2.2""#, r#""198.18.3.2""#);
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite);
    let r = only(&record);
    assert_eq!(r["status"], "passed", "{r:#}");
    assert_eq!(hops(r), [Chain::PROV, "*", Chain::COUNTY, Chain::HOST]);
}
