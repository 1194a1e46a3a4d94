//! The verdict on a response: status, headers, body text, JSON values, the JSON Schema,
//! certificate validity and total time, checked in that order against `expect`; the first
//! unmet expectation is the failure. JSON is judged in `judge_json`.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::cert::Cert;
use super::judge_json::{judge_json, judge_schema};
use super::label;
use super::wire::wire_header_name;
use crate::model::{HeaderCheck, HeaderExpect, HttpSpec, Text};
use crate::probe::{FailKind, Failure, Verdict};

/// Characters of a header's value a message quotes, at most.
const HEADER_SHOWN_CHARS: usize = 120;

#[allow(
    clippy::too_many_arguments,
    reason = "one response's parts, read in one place"
)]
pub(super) fn judge(
    spec: &HttpSpec<Text>,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    truncated: bool,
    took: Duration,
    cert: Option<&Cert>,
    plain: bool,
    redirected: Option<&Url>,
) -> Verdict {
    let x = &spec.expect;
    // After a redirect, every message names the URL whose answer it judges.
    let at = match redirected {
        Some(u) => format!("{} → {u}", label(spec)),
        None => label(spec),
    };
    let fail = |f: Failure| Verdict::Failed(f);
    let status_ok = if x.status.is_empty() {
        status < 400
    } else {
        x.status.contains(&status)
    };
    if !status_ok {
        let expected = if x.status.is_empty() {
            "status < 400".to_string()
        } else {
            format!("status in {:?}", x.status)
        };
        let wanted = if x.status.is_empty() {
            "expected below 400".to_string()
        } else {
            format!("expected one of {:?}", x.status)
        };
        return fail(
            Failure::new(
                FailKind::StatusMismatch,
                format!("{at}: status {status}, {wanted}"),
            )
            .expected(expected, status.to_string()),
        );
    }
    if let Some(f) = judge_headers(&at, &x.headers, headers) {
        return fail(f);
    }
    let partial = if truncated {
        " (in the first 1 MiB read)"
    } else {
        ""
    };
    if !x.body_contains.is_empty() {
        let text = String::from_utf8_lossy(body);
        if let Some(missing) = x
            .body_contains
            .iter()
            .find(|n| !text.contains(n.expose().as_str()))
        {
            return fail(
                Failure::new(
                    FailKind::BodyMismatch,
                    format!("{at}: body does not contain \"{missing}\"{partial}"),
                )
                .expected(format!("body contains \"{missing}\""), "absent"),
            );
        }
    }
    if !x.json.is_empty() || x.json_schema.is_some() {
        let doc: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                // The failure is the expectation's that needed JSON: the values' first.
                let kind = if x.json.is_empty() {
                    FailKind::SchemaMismatch
                } else {
                    FailKind::JsonMismatch
                };
                return fail(
                    Failure::new(kind, format!("{at}: body is not JSON ({e}){partial}"))
                        .expected("a JSON body", "not JSON"),
                );
            }
        };
        if let Some(v) = judge_json(&at, &x.json, &doc) {
            return v;
        }
        if let Some(v) = x
            .json_schema
            .as_ref()
            .and_then(|s| judge_schema(&at, s, &doc))
        {
            return v;
        }
    }
    // Over plain HTTP there is no certificate: `cert_valid_days` does not apply (the prober
    // records `tls: none`), and `expect.tls: required` was judged before sending.
    if let Some(days) = x.cert_valid_days.filter(|_| !plain) {
        match cert.map(|c| (c, c.expiring(days))) {
            Some((c, Some(finding))) => {
                return fail(
                    Failure::new(
                        FailKind::CertExpiring,
                        format!("{at}: {}", finding.message_en()),
                    )
                    .expected(
                        format!("certificate valid ≥ {days} days"),
                        format!("{} days", c.days_left),
                    ),
                );
            }
            Some((_, None)) => {}
            // HTTPS whose leaf could not be read (`insecure: true` and a certificate
            // OpenSSL cannot parse): its expiry is unknown.
            None => {
                return fail(
                    Failure::new(
                        FailKind::CertInvalid,
                        format!(
                            "{at}: the server's certificate could not be read, so \
                             cert_valid_days cannot be judged"
                        ),
                    )
                    .expected(format!("certificate valid ≥ {days} days"), "unreadable"),
                );
            }
        }
    }
    if let Some(max) = x.max_time
        && took > max.as_std()
    {
        let took_ms = took.as_secs_f64() * 1e3;
        return fail(
            Failure::new(
                FailKind::TimeExceeded,
                format!("{at}: response took {took_ms:.1} ms, more than {max}"),
            )
            .expected(format!("response ≤ {max}"), format!("{took_ms:.1} ms")),
        );
    }
    Verdict::Passed
}

/// The first header expectation the response does not meet. A header sent on several
/// lines is judged as one value, its lines joined with `, ` (RFC 9110 §5.3).
fn judge_headers(at: &str, expect: &[HeaderExpect<Text>], got: &HeaderMap) -> Option<Failure> {
    for (name, check) in expect {
        let lines: Vec<String> = got
            .get_all(wire_header_name(name))
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let value = (!lines.is_empty()).then(|| lines.join(", "));
        let quoted = value.as_deref().map(|v| {
            let v: String = v.chars().take(HEADER_SHOWN_CHARS).collect();
            let cut = if v.len() < value.as_deref().map_or(0, str::len) {
                "…"
            } else {
                ""
            };
            format!("\"{v}{cut}\"")
        });
        let (ok, wanted, expected) = match check {
            HeaderCheck::Is(want) => (
                value.as_deref() == Some(want.expose().as_str()),
                format!("expected \"{want}\""),
                format!("{name}: {want}"),
            ),
            HeaderCheck::Matches(p) => (
                value.as_deref().is_some_and(|v| p.is_match(v)),
                format!("expected to match `{}`", p.as_str()),
                format!("{name} matches `{}`", p.as_str()),
            ),
            HeaderCheck::Exists(want) => (
                value.is_some() == *want,
                if *want {
                    "expected one"
                } else {
                    "expected none"
                }
                .to_string(),
                format!("{name} exists: {want}"),
            ),
        };
        if ok {
            continue;
        }
        let message = match &quoted {
            Some(q) => format!("{at}: header {name} is {q}, {wanted}"),
            None => format!("{at}: no header {name}, {wanted}"),
        };
        return Some(
            Failure::new(FailKind::HeaderMismatch, message)
                .expected(expected, quoted.unwrap_or_else(|| "absent".into())),
        );
    }
    None
}
