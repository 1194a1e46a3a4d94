//! `mtu:` across the chain, run by the real binary in the probe namespace: the whole path
//! at 1500; the prefecture–county link at 1400, reported by the prefectural router in its
//! "fragmentation needed" (the size iputils' `ping -M do` agrees on); the same link with
//! that report dropped by nftables, a black hole at 1400; and this host's own interface as
//! the limit.

use std::process::Command;

use crate::support::chain::{Chain, Link, Role};
use crate::support::host;
use crate::support::netaccept::assert_exit;
use crate::trace::{only, run};

fn suite(extra: &str) -> String {
    format!(
        "suite: path\nname: 路径\nchecks:\n  - id: path.mtu\n    name: 路径 MTU\n    timeout: 10s\n    mtu: {{ target: \"{{{{ node.host }}}}\", max: 1500{extra} }}\n"
    )
}

/// Whether `ping -M do` gets one echo of `size` bytes (IP header included) through.
fn ping_do(chain: &Chain, size: u32) -> bool {
    let mut c: Command = chain.command(Role::Probe, "ping");
    c.args([
        "-n",
        "-q",
        "-c",
        "1",
        "-W",
        "1",
        "-M",
        "do",
        "-s",
        &(size - 28).to_string(),
        Chain::HOST,
    ]);
    c.output().expect("ping").status.success()
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMP (CI runs it: --include-ignored)"]
fn a_clear_path_carries_max_in_one_echo() {
    host::assert_root("network namespaces and raw ICMP");
    let chain = Chain::new("mtc");
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite(", min_mtu: 1400"));
    let r = only(&record);
    assert_eq!(r["status"], "passed", "{r:#}");
    let m = &r["measurements"];
    assert_eq!(m["path_mtu"], 1500);
    assert_eq!(m["mtu_evidence"], "echo");
    assert_eq!(m["probes"], 1);
    assert_eq!(m["black_hole"], false);
    assert_eq!(m["limits"]["path_mtu"], 1400);
    assert!(ping_do(&chain, 1500));
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMP (CI runs it: --include-ignored)"]
fn a_smaller_link_is_reported_by_its_router_and_agreed_by_ping() {
    host::assert_root("network namespaces and raw ICMP");
    let chain = Chain::new("mtr");
    chain.set_mtu(Link::L3, 1400);
    let dir = tempfile::tempdir().unwrap();
    let (out, record) = run(&chain, dir.path(), Chain::HOST, &suite(", min_mtu: 1450"));
    assert_exit(&out, 1);
    let r = only(&record);
    assert_eq!(r["kind"], "MtuTooSmall", "{r:#}");
    let m = &r["measurements"];
    assert_eq!(m["path_mtu"], 1400);
    assert_eq!(m["mtu_evidence"], "router");
    assert_eq!(m["next_hop_mtu"], 1400);
    // The router's address toward the probe: the source of its ICMP errors.
    assert_eq!(m["reported_by"], Chain::PREF);
    assert_eq!(m["black_hole"], false);
    // 1500, then the reported 1400: two echoes.
    assert_eq!(m["probes"], 2);
    assert_eq!(r["measured"], "1400 bytes");
    // iputils agrees: 1400 passes, 1401 does not.
    assert!(ping_do(&chain, 1400));
    assert!(!ping_do(&chain, 1401));

    // Without `min_mtu` the same path passes, with its figures.
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite(""));
    let r = only(&record);
    assert_eq!(r["status"], "passed", "{r:#}");
    assert_eq!(r["measurements"]["path_mtu"], 1400);
    // The kernel has cached 1400 for the host since the first run: the echoes leave at
    // 1500 regardless, and the router says so again (not this host, `local`).
    assert_eq!(r["measurements"]["mtu_evidence"], "router", "{r:#}");
}

#[test]
#[ignore = "needs root: network namespaces, nftables and raw ICMP (CI runs it: --include-ignored)"]
fn a_link_whose_router_drops_fragmentation_needed_is_a_black_hole() {
    host::assert_root("network namespaces, nftables and raw ICMP");
    let chain = Chain::new("mtb");
    chain.set_mtu(Link::L3, 1400);
    chain.drop_frag_needed(Role::Pref);
    let dir = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let (out, record) = run(&chain, dir.path(), Chain::HOST, &suite(""));
    let took = t0.elapsed();
    assert_exit(&out, 1);
    let r = only(&record);
    assert_eq!(r["kind"], "MtuBlackHole", "{r:#}");
    let m = &r["measurements"];
    assert_eq!(m["path_mtu"], 1400);
    assert_eq!(m["mtu_evidence"], "black_hole");
    assert_eq!(m["black_hole"], true);
    assert!(m.get("reported_by").is_none(), "{m:#}");
    assert_eq!(r["measured"], "silence above 1400 bytes");
    eprintln!("black hole found in {took:?} with {} echoes", m["probes"]);
    // iputils sees the same: 1400 answered, 1401 silently lost (no "message too long").
    assert!(ping_do(&chain, 1400));
    assert!(!ping_do(&chain, 1401));
}

#[test]
#[ignore = "needs root: network namespaces and raw ICMP (CI runs it: --include-ignored)"]
fn this_hosts_own_interface_is_the_local_limit() {
    host::assert_root("network namespaces and raw ICMP");
    let chain = Chain::new("mtl");
    chain.set_mtu(Link::L1, 1280);
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite(""));
    let r = only(&record);
    assert_eq!(r["status"], "passed", "{r:#}");
    assert_eq!(r["measurements"]["path_mtu"], 1280);
    assert_eq!(r["measurements"]["mtu_evidence"], "local");
    // Below `min_mtu` it is this host's limit, not the network's failure.
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite(", min_mtu: 1400"));
    let r = only(&record);
    assert_eq!(r["status"], "errored", "{r:#}");
    assert_eq!(r["kind"], "Local", "{r:#}");
}

/// The county router refuses the host ("host unreachable", nftables `reject`): the MTU
/// search and the trace both fail as `Unreachable`, naming the router; a host that drops
/// every echo silently fails the search as `LossExceeded` (no size measured).
#[test]
#[ignore = "needs root: network namespaces, nftables and raw ICMP (CI runs it: --include-ignored)"]
fn an_unreachable_or_silent_host_has_no_path_mtu() {
    host::assert_root("network namespaces, nftables and raw ICMP");
    let chain = Chain::new("mtu");
    chain.nft(
        Role::County,
        &format!(
            "table inet refuse {{\n chain forward {{ type filter hook forward priority 0; policy accept;\n  ip daddr {} reject with icmp type host-unreachable\n }}\n}}\n",
            Chain::HOST
        ),
    );
    let both = format!(
        "{}  - id: path.trace\n    name: 路由\n    trace: {{ target: \"{{{{ node.host }}}}\", max_hops: 8 }}\n",
        suite("")
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &both);
    for r in record["results"].as_array().unwrap() {
        assert_eq!(r["kind"], "Unreachable", "{r:#}");
        let message = r["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("reported by {}", Chain::COUNTY)),
            "{message}"
        );
    }

    let chain = Chain::new("mts");
    chain.nft(
        Role::Host,
        "table inet mute {\n chain input { type filter hook input priority 0; policy accept;\n  icmp type echo-request drop\n }\n}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, record) = run(&chain, dir.path(), Chain::HOST, &suite(""));
    let r = only(&record);
    assert_eq!(r["kind"], "LossExceeded", "{r:#}");
    assert_eq!(r["measured"], "none");
    assert!(r["measurements"].get("path_mtu").is_none(), "{r:#}");
}
