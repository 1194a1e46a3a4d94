//! Redirects, followed by hand (reqwest cannot say how many hops a response took): which
//! responses are redirects to follow, whether the check's `redirects:` policy follows one,
//! the failure when it does not, and what is recorded of the hops taken.

use reqwest::header;
use reqwest::{StatusCode, Url};
use serde_json::json;

use super::label;
use crate::model::{HttpSpec, RedirectPolicy, Text};
use crate::probe::{FailKind, Failure, Measurements};

/// Where a redirect response points, when it is one that is followed and says where to.
/// `at` is the URL that answered (a response made from hyper's does not carry it).
pub(super) fn redirect_target(resp: &reqwest::Response, at: &Url) -> Option<Url> {
    if !matches!(
        resp.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let loc = resp.headers().get(header::LOCATION)?.to_str().ok()?;
    // A Location that cannot be followed leaves the redirect itself as the answer to judge.
    let next = at.join(loc).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// Records how many redirects were followed and, when there were any, the URL whose
/// answer is judged: without it, another host's answer would read as the target's.
pub(super) fn redirects_taken(m: &mut Measurements, hops: u32, at: &Url) {
    m.insert("redirects".into(), json!(hops));
    if hops > 0 {
        m.insert("final_url".into(), json!(at.as_str()));
    }
}

/// Whether `policy` follows a redirect from `from` to `to`. The host is the name (or
/// address) alone: another port or scheme of it is the same node, as an upgrade to HTTPS is.
pub(super) fn follows(policy: RedirectPolicy, from: &Url, to: &Url) -> bool {
    match policy {
        RedirectPolicy::None => false,
        RedirectPolicy::SameHost => from.host() == to.host(),
        RedirectPolicy::Any => true,
    }
}

/// The failure of a redirect the policy does not follow, naming where it pointed.
pub(super) fn refused(
    spec: &HttpSpec<Text>,
    status: u16,
    hops: u32,
    at: &Url,
    next: &Url,
) -> Failure {
    let policy = spec.redirects;
    let rule = match policy {
        RedirectPolicy::None => "follows no redirect",
        RedirectPolicy::SameHost | RedirectPolicy::Any => "follows redirects to the same host only",
    };
    let from = if hops > 0 {
        format!(" at {at} (after {hops} redirects)")
    } else {
        String::new()
    };
    Failure::new(
        FailKind::RedirectRefused,
        format!(
            "{}: status {status}{from} redirects to {next}; `redirects: {policy}` {rule}",
            label(spec)
        ),
    )
    .expected(format!("redirects: {policy}"), next.as_str())
}

pub(super) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}
