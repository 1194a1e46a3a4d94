//! `trace:` and `mtu:` over IPv6 across the same chain (`Chain::add_ipv6`): the hop list
//! through the routers, as `traceroute -6 -n -I` sees it; a link at MTU 1400 reported by
//! its router's "packet too big" (as `ping -6 -M do` agrees), and a black hole when that
//! report is dropped.

use crate::support::chain::{Chain, Link, Role};
use crate::support::{host, net};
use crate::trace::{hops, run};

const SUITE: &str = r#"suite: path
name: 路径
checks:
  - id: path.trace
    name: 路由路径
    timeout: 5s
    trace: { target: "{{ node.host }}", max_hops: 8, expect_via: ["2001:2:0:1::/64", "2001:2:0:2::2"] }
  - id: path.mtu
    name: 路径 MTU
    timeout: 10s
    mtu: { target: "{{ node.host }}", max: 1500 }
"#;

fn by<'r>(record: &'r serde_json::Value, check: &str) -> &'r serde_json::Value {
    record["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no {check}: {record:#}"))
}

/// Whether `ping -6 -M do` gets one echo of `size` bytes (IPv6 header included) through.
fn ping6_do(chain: &Chain, size: u32) -> bool {
    chain
        .command(Role::Probe, "ping")
        .args(["-6", "-n", "-q", "-c", "1", "-W", "1", "-M", "do", "-s"])
        .arg((size - 48).to_string())
        .arg(Chain::HOST6)
        .output()
        .expect("ping")
        .status
        .success()
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMPv6 (CI runs it: --include-ignored)"]
fn the_ipv6_path_its_routers_and_its_mtu() {
    host::assert_root("network namespaces and raw ICMPv6");
    let chain = Chain::new("p6");
    chain.add_ipv6();
    chain.set_mtu(Link::L3, 1400);
    let dir = tempfile::tempdir().unwrap();
    let (out, record) = run(&chain, dir.path(), Chain::HOST6, SUITE);
    let trace = by(&record, "path.trace");
    assert_eq!(
        trace["status"],
        "passed",
        "{trace:#}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = hops(trace);
    assert_eq!(
        seen,
        [Chain::PROV6, Chain::PREF6, Chain::COUNTY6, Chain::HOST6]
    );
    if net::available("traceroute") {
        let tr = chain
            .command(Role::Probe, "traceroute")
            .args([
                "-6",
                "-n",
                "-I",
                "-q",
                "1",
                "-w",
                "2",
                "-m",
                "8",
                Chain::HOST6,
            ])
            .output()
            .expect("traceroute");
        let theirs: Vec<String> = String::from_utf8_lossy(&tr.stdout)
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().nth(1).unwrap_or("*").to_string())
            .collect();
        assert_eq!(theirs, seen);
    } else {
        host::skip("traceroute (Debian's `traceroute` package) is not installed: no comparison");
    }
    let mtu = by(&record, "path.mtu");
    assert_eq!(mtu["status"], "passed", "{mtu:#}");
    let m = &mtu["measurements"];
    assert_eq!(m["path_mtu"], 1400, "{mtu:#}");
    assert_eq!(m["mtu_evidence"], "router");
    assert_eq!(m["next_hop_mtu"], 1400);
    assert_eq!(m["reported_by"], Chain::PREF6);
    assert!(ping6_do(&chain, 1400));
    assert!(!ping6_do(&chain, 1401));
}

#[test]
#[ignore = "needs root: network namespaces, nftables and raw ICMPv6 (CI runs it: --include-ignored)"]
fn an_ipv6_router_that_drops_packet_too_big_is_a_black_hole() {
    host::assert_root("network namespaces, nftables and raw ICMPv6");
    let chain = Chain::new("b6");
    chain.add_ipv6();
    chain.set_mtu(Link::L3, 1400);
    chain.nft(
        Role::Pref,
        "table inet ptb {\n chain output { type filter hook output priority 0; policy accept;\n  icmpv6 type packet-too-big drop\n }\n}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let suite = SUITE.replace("max: 1500 }", "max: 1500, min_mtu: 1280 }");
    let (_, record) = run(&chain, dir.path(), Chain::HOST6, &suite);
    let mtu = by(&record, "path.mtu");
    assert_eq!(mtu["kind"], "MtuBlackHole", "{mtu:#}");
    assert_eq!(mtu["measurements"]["path_mtu"], 1400);
    assert_eq!(mtu["measurements"]["black_hole"], true);
}
