//! HTTP(S) prober: send one request, follow up to five redirects, read at most 1 MiB of the
//! body, and judge status, body, JSON values, total time and the certificate's remaining
//! validity.
//!
//! Clients are built once per TLS configuration and shared by every probe of the run, so a
//! CA bundle is parsed once. Every check opens its own connection, as blackbox_exporter's
//! probes do: a check measures the whole path (connect, TLS) and cannot inherit a connection
//! another check left in a bad state. `--reuse-connections` lets the next check of the same
//! endpoint reuse one left open less than a second ago, as Hurl and curl do.
//!
//! The parts, in the order a probe meets them: `client` picks the shared client,
//! `exchange` sends the request (`wire` gives it the method and header names the loader
//! parsed), follows redirects and reads the capped body, `cert` reads the peer
//! certificate, `judge` turns the response into a verdict, `classify` does the same for a
//! transport error, and `scrub` takes the spec's secrets out of all of it.

mod cert;
mod classify;
mod client;
mod exchange;
mod judge;
mod scrub;
mod wire;

use tokio::time::Instant;

pub use client::Clients;

use super::{Context, Outcome};
use crate::model::{HttpSpec, Text};

/// One attempt: the request, its redirects and the body, judged against `spec.expect`.
/// Secrets of the spec never appear in the outcome, even when the server echoes them.
pub async fn probe(spec: &HttpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let outcome = exchange::run(spec, cx, deadline).await;
    scrub::scrub(outcome, spec)
}

/// How every message of a check starts: `GET https://…`, secrets shown as `***`.
fn label(spec: &HttpSpec<Text>) -> String {
    format!("{} {}", spec.method, spec.url)
}
