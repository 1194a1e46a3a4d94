//! The verdict on a response: status, body text, JSON values, certificate validity and total
//! time, checked in that order against `expect`; the first unmet expectation is the failure.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::cert::Cert;
use super::label;
use crate::model::{HttpSpec, Text};
use crate::probe::{ErrorKind, FailKind, Failure, Problem, Verdict};

#[allow(clippy::too_many_arguments, reason = "one response's parts, read in one place")]
pub(super) fn judge(
    spec: &HttpSpec<Text>,
    status: u16,
    // The headers of the answer judged, for `expect.headers` (judged from the next commit).
    _headers: &HeaderMap,
    body: &[u8],
    truncated: bool,
    took: Duration,
    cert: Option<&Cert>,
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
    if !x.json.is_empty() {
        let doc: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return fail(
                    Failure::new(
                        FailKind::JsonMismatch,
                        format!("{at}: body is not JSON ({e}){partial}"),
                    )
                    .expected("a JSON body", "not JSON"),
                );
            }
        };
        for (path, want) in &x.json {
            let expected = format!("{path} = \"{want}\"");
            match path.first(&doc) {
                None => {
                    return fail(
                        Failure::new(FailKind::JsonMismatch, format!("{at}: no value at {path}"))
                            .expected(expected, "no value"),
                    );
                }
                Some(found) => {
                    let got = match found {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if got != want.expose() {
                        return fail(
                            Failure::new(
                                FailKind::JsonMismatch,
                                format!("{at}: {path} is \"{got}\", expected \"{want}\""),
                            )
                            .expected(expected, format!("\"{got}\"")),
                        );
                    }
                }
            }
        }
    }
    if let Some(days) = x.cert_valid_days {
        match cert {
            Some(c) if c.days_left < i64::from(days) => {
                return fail(
                    Failure::new(
                        FailKind::CertExpiring,
                        format!(
                            "{}: certificate expires {} ({} days left), expected at least {days}",
                            at, c.not_after, c.days_left
                        ),
                    )
                    .expected(
                        format!("certificate valid ≥ {days} days"),
                        format!("{} days", c.days_left),
                    ),
                );
            }
            Some(_) => {}
            None => {
                let why = match redirected {
                    None => "cert_valid_days needs an https URL".to_string(),
                    Some(u) => {
                        format!("cert_valid_days needs HTTPS, and the redirects ended at {u}")
                    }
                };
                return Verdict::Errored(Problem {
                    kind: ErrorKind::Config,
                    message: format!("{}: {why}", label(spec)),
                });
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
