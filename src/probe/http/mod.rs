//! HTTP(S) prober: send one request, follow up to five redirects, read at most 1 MiB of the
//! body (decoded from its content codings and its charset), and judge status, headers,
//! body, JSON values, the JSON Schema, the certificate's remaining validity and total time.
//!
//! Plain `http://` hops go through reqwest; `https://` hops through the prober's own
//! connection (`conn`: `probe::tls` for the handshake and the chain, hyper for HTTP), since
//! reqwest reports neither the chain as sent, nor the cipher, nor a client-certificate
//! request. What the run shares (`client`: reqwest clients, trust stores, client
//! certificates, TLS setups) is built once and reused, so a CA bundle is parsed once.
//! Every check opens its own connection, as blackbox_exporter's probes do: a check measures the whole path (connect, TLS) and cannot inherit a connection
//! another check left in a bad state. `--reuse-connections` lets the next check of the same
//! endpoint reuse one left open less than a second ago, as Hurl and curl do.
//!
//! The parts, in the order a probe meets them: `client` picks the shared client,
//! `exchange` sends the request (`wire` gives it the method and header names the loader
//! parsed) and follows redirects (`redirect`: which ones, and what is recorded of them),
//! `body` reads the body undoing its content codings up to the cap, `charset` (with
//! `prescan` for a page's `<meta>`) makes it text, `cert` holds the chain's earliest expiry,
//! `judge` turns the response into a verdict (the JSON body in `judge_json`; a refusal
//! status after a client-certificate request in `client_cert`), `classify` does the same
//! for a transport error. The spec's secrets are taken out of all of it by
//! `probe::probe`, which also cuts the evidence (see `probe::scrub`).

mod body;
mod cert;
mod charset;
mod classify;
mod client;
mod client_cert;
mod conn;
mod exchange;
mod judge;
mod judge_json;
mod prescan;
mod redirect;
mod wire;

use tokio::time::Instant;

pub use client::Clients;

use super::{Context, Outcome};
use crate::model::{HttpSpec, Text};

/// Bytes of body shown as evidence. The prober hands over more (`exchange`), so that the
/// scrubber sees a secret that straddles this cut whole before it cuts.
pub(super) const EVIDENCE_BYTES: usize = 512;

/// One attempt: the request, its redirects and the body, judged against `spec.expect`.
/// The outcome still holds what the server echoed, secrets included, and evidence longer
/// than [`EVIDENCE_BYTES`]: [`super::probe`] scrubs and cuts it.
pub(crate) async fn probe(spec: &HttpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    exchange::run(spec, cx, deadline).await
}

/// What every request says it is, over either path (reqwest's or `conn`'s).
const USER_AGENT: &str = concat!("netaccept/", env!("CARGO_PKG_VERSION"));

/// How long a connection a check left open waits for the next check of its endpoint, with
/// `--reuse-connections`, on either path: a node's checks follow each other within
/// milliseconds once their `needs` pass, and idle connections kept longer would only hold
/// memory.
const IDLE_REUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// How every message of a check starts: `GET https://…`, secrets shown as `***`.
fn label(spec: &HttpSpec<Text>) -> String {
    format!("{} {}", spec.method, spec.url)
}
