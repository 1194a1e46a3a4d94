//! The path evidence of a failed reachability check, run by the real binary in the probe
//! namespace: the county host goes dark behind its county router (nftables drops what is
//! forwarded to it), and the failed ICMP and TCP checks each carry the hop list, whose last
//! answering hop is the county router; a check that passes carries none.

use crate::support::chain::{Chain, Role};
use crate::support::host;
use crate::trace::{hops, run};

const SUITE: &str = r#"suite: path
name: 路径
checks:
  - id: net.icmp
    name: 连通性
    timeout: 2s
    icmp: { target: "{{ node.host }}", count: 2 }
  - id: net.tcp
    name: 端口
    timeout: 1s
    tcp: { target: "{{ node.host }}:443" }
  - id: net.icmp-router
    name: 县局路由器
    timeout: 2s
    where: { level: [county] }
    icmp: { target: "198.18.3.2", count: 1 }
"#;

#[test]
#[ignore = "needs root: network namespaces, nftables and raw ICMP (CI runs it: --include-ignored)"]
fn a_dark_county_host_fails_with_a_path_ending_at_the_county_router() {
    host::assert_root("network namespaces, nftables and raw ICMP");
    let chain = Chain::new("evd");
    chain.nft(
        Role::County,
        &format!(
            "table inet dark {{\n chain forward {{ type filter hook forward priority 0; policy accept;\n  ip daddr {} drop\n }}\n}}\n",
            Chain::HOST
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let (out, record) = run(&chain, dir.path(), Chain::HOST, SUITE);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = record["results"].as_array().unwrap();
    let by = |check: &str| {
        results
            .iter()
            .find(|r| r["check"] == check)
            .unwrap_or_else(|| panic!("no {check}: {record:#}"))
    };
    for check in ["net.icmp", "net.tcp"] {
        let r = by(check);
        assert_eq!(r["status"], "failed", "{r:#}");
        let m = &r["measurements"];
        assert_eq!(m["path_last_hop"], Chain::COUNTY, "{check}: {r:#}");
        assert_eq!(m["path_reached"], false, "{check}");
        assert_eq!(
            hops(r),
            [Chain::PROV, Chain::PREF, Chain::COUNTY, "*"],
            "{check}"
        );
        let evidence = r["evidence"].as_str().unwrap();
        assert!(
            evidence.ends_with(&format!(
                "path: {} → {} → {} → * → (last answered {})",
                Chain::PROV,
                Chain::PREF,
                Chain::COUNTY,
                Chain::COUNTY
            )),
            "{check}: {evidence}"
        );
    }
    // The county router answers: passed, and no trace was taken for it.
    let r = by("net.icmp-router");
    assert_eq!(r["status"], "passed", "{r:#}");
    assert!(r["measurements"].get("path").is_none(), "{r:#}");
}
