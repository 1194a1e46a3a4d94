//! The `sim` test binary: the simulator (`netaccept sim`, `netaccept::sim`). Its HTTP(S)
//! and DNS servers spoken to by clients written in the tests, never by netaccept's probers
//! (the simulator exists to test the probers, so a shared client would let a shared bug
//! hide); and the real binary serving an inventory with faults, each fault giving its
//! verdict when the real `netaccept run` probes it.
//!
//! Not here: the probers against servers of the test's own (`tests/probes`), and
//! `netaccept demo` (`tests/e2e`). The index of the test binaries is `tests/README.md`.
//!
//! Nothing here needs root but `icmp` (a namespace of its own, a raw socket): its tests are
//! `#[ignore = "needs root: …"]`, run by CI with `--include-ignored`.

/// `netaccept sim` with the real binary: what it serves, each fault kind, Ctrl-C.
mod command;
/// The simulator's DNS server, queried with hickory's message types over a raw socket.
mod dns;
/// The simulator's HTTP(S) server, spoken to with raw bytes, tokio-rustls and tokio-openssl
/// (the chain as sent, TLS 1.0).
mod http;
/// The simulator's ICMP responder (an `icmp` fault's delay, jitter and loss) answering
/// Debian's `ping` in a network namespace; its refusals (root).
mod icmp;
/// Property tests (proptest): generated DNS queries answered as generated; random and
/// mutated bytes at both servers.
mod properties;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    pub mod host;
    #[path = "../../src/props.rs"]
    pub mod props;
}
