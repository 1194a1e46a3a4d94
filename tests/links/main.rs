//! The `links` test binary: the link-quality checks (ICMP statistics, path MTU, path,
//! throughput) and the path evidence of a failed reachability check, each run by the real
//! `netaccept` binary, or through the library, across a routed chain of network namespaces
//! (`support/chain.rs`: national centre → provincial → prefectural → county routers → a
//! county host, all in 198.18.0.0/15), with loss made by nftables, MTU black holes by
//! dropping ICMP, rate limits by `tc tbf`, delay and jitter by the simulator's ICMP
//! responder, and Debian's `iperf3 -s` as the throughput server.
//!
//! Every test here needs root (namespaces, raw ICMP): each is
//! `#[ignore = "needs root: …"]` and starts with `host::assert_root`. CI runs them as root
//! with `--include-ignored`.
//!
//! Not here: a prober's verdict against a server on loopback (`tests/probes`), the golden
//! bad inputs of the new keys (`tests/cli`), how reports show the figures (`tests/reports`).

/// The chain itself: each router answers, a trace's hops are the routers, nothing is left.
mod chain;
/// Delay and jitter: the simulator's ICMP responder at the county host, measured by `run`.
mod delay;
/// The path evidence of a failed ICMP or TCP check: the last router that answered.
mod evidence;
/// Loss over 1,000 echoes against a deterministic one-in-200 drop, and iputils' ping alike.
mod loss;
/// `mtu:`: a link at MTU 1400, reported by the router or a black hole.
mod mtu;
/// `trace:` and `mtu:` over IPv6 across the same chain.
mod path6;
/// Throughput over a 20 Mbit/s link to Debian's `iperf3 -s`, up and down, `--check` only.
mod throughput;
/// `trace:`: the hop list through the chain, `expect_via`, the provincial router bypassed.
mod trace;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
/// (`host::skip` and `net::available` are for the tests of tools that may be missing.)
#[allow(dead_code, reason = "not every test module uses every helper")]
#[path = "../support"]
mod support {
    pub mod chain;
    pub mod host;
    pub mod net;
    pub mod netaccept;
}
