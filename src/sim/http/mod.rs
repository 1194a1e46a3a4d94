//! The simulator's HTTP/1.1 server: a small hand-written server on tokio (no hyper, no
//! axum), one task per connection, keep-alive and pipelining, HTTPS through tokio-rustls
//! when the listener has a TLS config (through tokio-openssl when that config is a
//! TLS-1.0-only one). The apps of one (address, port) are routed by the longest path
//! prefix, each playing its faults; a listener serves one such address, or (`serve_many`,
//! a port's wildcard) many, each connection served as its local address says.
//!
//! What an app answers, under its path prefix `P`:
//! - `GET|HEAD P/health`: 200 `application/json`
//!   `{"status":"UP","app":…,"node":…,"version":"2.3.1","time":…}` (with the
//!   `nonconformant` fault: no `version`, `time` in epoch milliseconds);
//! - `GET|HEAD P/api/records/summary`: 200 `application/json`, the accident-statistics
//!   records migrated to the app, `{"app":…,"node":…,"records":{"total":N,
//!   "migrated_from":"2015-01-01","by_year":[{"year":2015,"count":n},…]}}` (see
//!   `records`: a total fixed by the node's level and its ids, or the `records` fault's);
//! - `GET|HEAD P/` and `P`: 200 `text/html; charset=utf-8`, a small login page;
//! - anything else (and any path no app claims): 404 JSON.
//!
//! Framing is strict where a prober could be fooled and lenient where real servers are:
//! a request head of more than 16 KiB is answered 431, a malformed one 400, a
//! `Transfer-Encoding` request body 411, an HTTP version other than 1.0 and 1.1 505, each
//! followed by a close. Bodies with `Content-Length` are read and discarded. Bare-LF line
//! ends and empty lines before a request are accepted. Every response carries
//! `Content-Length` (except 1xx/204, which may not), `Server: netaccept-sim`, and
//! `Connection: keep-alive` unless the client asked to close (or spoke HTTP/1.0 without
//! asking to keep it alive), and is written in one write.
//!
//! No code is shared with `crate::probe`: a bug in common would hide itself.
//!
//! The parts: `listener` accepts connections and does the TLS handshake, `routes` maps a
//! path to its app, `session` serves a connection's requests in order, `framing` reads
//! request heads and bodies off the connection, `request` parses a head, `answer` decides
//! what an app answers (with `flaky` drawing its 503s and `records` counting the migrated
//! records), and `response` writes it.

mod answer;
mod flaky;
mod framing;
mod listener;
mod records;
mod request;
mod response;
mod routes;
mod session;

use std::time::Duration;

use crate::model::Level;
use crate::sim::tls::ServerTls;

pub use listener::{serve, serve_many};

/// The `Server` header of every response.
pub const SERVER: &str = "netaccept-sim";
/// The `version` every health answer reports.
pub const APP_VERSION: &str = "2.3.1";
/// The largest request head (request line and headers, with line ends) accepted; more is
/// answered 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may wait for the TLS handshake or for the next request before it
/// is closed. Longer than the idle time of common client pools (reqwest: 90 s), so that a
/// pooled connection is not closed under a client that is about to reuse it.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// What one app endpoint does. Built by the orchestrator from the inventory and faults.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Node id, for the JSON.
    pub node: String,
    /// App id.
    pub app: String,
    /// The node's level, which sets the size of the app's migrated records.
    pub level: Level,
    /// URL path prefix of the app, e.g. "/dispatch" ("" or "/" for an app at the root; a
    /// trailing `/` is ignored). It matches whole segments: "/dispatch" claims
    /// "/dispatch" and "/dispatch/…", not "/dispatcher".
    pub path: String,
    pub behaviour: Behaviour,
}

/// The faults one endpoint plays; the default is a healthy app. When several are set,
/// `down` wins over `silent`, and `slow` delays whatever is answered. On health requests,
/// `status` (fixed) wins over `flaky` (drawn), and `body` replaces the body of any answer
/// but a flaky 503, which, like `status` without `body`, is the app's JSON with `DOWN`.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Per-app "down": the connection is closed without an answer (the port is shared with
    /// other apps, so it cannot be unbound).
    pub down: bool,
    /// Read the request, never answer (keep the connection open).
    pub silent: bool,
    /// Wait this long before each answer.
    pub slow: Option<Duration>,
    /// Health answers this status with `{"status":"DOWN",...}`.
    pub status: Option<u16>,
    /// Health answers 200 with exactly this body.
    pub body: Option<String>,
    /// 0.0..=1.0: this share of health requests answered 503 (deterministic: the n-th health
    /// request of an endpoint gets the same answer for the same seed, node and app).
    pub flaky: Option<f64>,
    /// The records summary reports this total instead of the usual one.
    pub records: Option<u64>,
    /// The app's own health JSON (UP or DOWN) breaks the interface standard: no `version`,
    /// `time` as epoch milliseconds.
    pub nonconformant: bool,
}

/// One (address, port): its TLS config (HTTPS) or none (HTTP), and the apps it serves.
pub struct ListenerConfig {
    pub tls: Option<ServerTls>,
    pub endpoints: Vec<Endpoint>,
    /// Node-level "silent": accept and never answer anything (the TLS handshake is not even
    /// started). Incoming bytes are read and dropped, only so that the connection ends when
    /// the client leaves instead of holding a file descriptor until shutdown.
    pub node_silent: bool,
    /// Seed of the `flaky` draws.
    pub seed: u64,
}
