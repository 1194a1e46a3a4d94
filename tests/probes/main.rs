//! The `probes` test binary: each prober of `netaccept::probe`, called through the library
//! against real servers on loopback that the test starts in this process (axum, raw TCP
//! listeners, hickory-server, the kernel's ICMP echo) or as a child (nginx, Knot DNS,
//! skipped by the skip rule where it is not installed): the verdict, the failure or error
//! kind, the measurements and the evidence for each way a server behaves, and that every
//! verdict arrives within its deadline.
//!
//! Not here: the `netaccept` binary (`tests/cli` for its inputs, `tests/e2e` for whole
//! runs), the simulator's servers (`tests/sim`) and the reporters (`tests/reports`). ICMP
//! loss cannot be made on loopback: it is tested across network namespaces in
//! `tests/e2e/netns.rs`. The index of the test binaries is `tests/README.md`.
//!
//! `icmp` needs raw ICMP (root, CAP_NET_RAW or a ping_group_range that includes the user);
//! without it each of its tests asserts the NoPermission error instead.

/// The DNS prober against hickory-server: record types, rcodes, silence, garbage, truncation.
mod dns;
/// DNS names on the wire: non-hostname labels as written, IDNs as A-labels, any full stop.
mod dns_names;
/// DNS answers in presentation form: TXT bytes, null MX, root SRV target, SOA, CAA, DNSKEY.
mod dns_present;
/// The DNS replication check (`servers:`) against servers at different serials.
mod dns_replication;
/// DNS replies read whole: referrals, a silent or refused TCP fallback, `dnssec`.
mod dns_replies;
/// The HTTP(S) prober against axum and misbehaving TCP listeners, certificates made here.
mod http;
/// HTTP bodies as sent: content codings, a decompression bomb, timing, nginx gzip.
mod http_bodies;
/// HTTP pages in GBK, GB18030, Big5, latin1, cp1256, by header or `<meta>`.
mod http_charsets;
/// `http.expect` from the suite's YAML (loaded and planned) to the verdict: JSON values by
/// type and their operators, operands from inventory vars.
mod http_expect;
/// `expect.json_schema` and `expect.headers`, on `http_expect`'s harness.
mod http_schema_headers;
/// The ICMP prober against loopback addresses.
mod icmp;
/// Secrets scrubbed from what servers send back, through `probe::probe`: DNS, HTTP.
mod secrets;
/// The throughput prober against Debian's `iperf3 -s`: up and down, 1 and 4 streams, the
/// figures against the server's own JSON, `ThroughputLow`, refused, busy, not iperf3.
mod throughput;
/// TLS chains judged whole without a server (`probe::tls::verify`, `describe`): every
/// finding's words, the earliest expiry over the chain, notes on what `ca:` hides.
mod tls_chain;
/// The HTTPS handshake against `openssl s_server`: suites only OpenSSL speaks, TLS 1.0/1.1
/// named as `LegacyTls`, client certificates (PEM, PKCS#12) missing or refused.
mod tls_handshake;

/// The DNS prober against Knot DNS, a server we did not write: delegations and referrals,
/// names only DNS allows, IDN, RFC 2317, TCP fallback (blocked in a namespace), presentation,
/// SOA/CAA/DS/DNSKEY, a signed zone, replication between servers.
mod dns_knot;
/// A real authoritative DNS server (and misbehaving ones) for `dns`.
mod dns_server;
/// The zones `dns_knot` serves.
mod knot_zones;
/// nginx on loopback for `http_bodies` and `tls_servers`: an HTTP(S) server we did not
/// write, OpenSSL behind it.
mod nginx;
/// `--reuse-connections` over HTTPS against nginx: the connection seen from the server.
mod tls_reuse;
/// HTTPS against nginx with a private root → intermediate → leaf PKI: SNI, IP SANs, `host:`,
/// ECDSA/Ed25519, HTTP/2; the whole chain's expiry, a missing intermediate, the chain
/// recorded, findings in words, CBC-only and TLS 1.0-only servers.
mod tls_servers;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    pub mod host;
    pub mod knot;
    pub mod net;
    pub mod pki;
    pub mod s_server;
    pub mod tls;
}
