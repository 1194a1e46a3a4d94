//! Transport errors (nothing usable came back) made into verdicts: which failures are the
//! target's (refused, reset, certificate, protocol) and which are this machine's (resolver,
//! local address), with the most specific text of the error chain.

use std::error::Error as StdError;
use std::io::ErrorKind as Io;

use super::conn::HopError;
use super::label;
use crate::model::{HttpSpec, Text};
use crate::outcome::tls::TlsFinding;
use crate::probe::resolve::ResolveError;
use crate::probe::{ErrorKind, FailKind, Failure, Measurements, Outcome, Problem, Verdict};

/// Errors along `e`'s source chain, looking inside `io::Error`s (whose own `source` skips
/// the error they wrap, where rustls and resolver errors live).
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(e);
    std::iter::from_fn(move || {
        let cur = next?;
        next = match cur.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => cur.source(),
        };
        Some(cur)
    })
}

/// The most specific text of an error chain. reqwest's own outermost text names the URL,
/// which may hold a secret; the innermost never does.
pub(super) fn innermost(e: &(dyn StdError + 'static)) -> String {
    chain(e).last().map(ToString::to_string).unwrap_or_default()
}

enum Cause {
    Fail(FailKind, &'static str),
    Error(ErrorKind),
}

/// What a transport error means for the verdict. Kinds of `io::Error` are the reliable
/// signal; rustls and hyper errors are only reachable as text here (neither is a direct
/// dependency), so their stable messages are matched.
fn classify(e: &(dyn StdError + 'static)) -> Cause {
    if let Some(cause) = cause_in_chain(e) {
        return cause;
    }
    if e.downcast_ref::<reqwest::Error>()
        .is_some_and(reqwest::Error::is_builder)
    {
        return Cause::Error(ErrorKind::Config);
    }
    // Anything else that went wrong after connecting: garbage instead of HTTP, a broken TLS
    // handshake, an HTTP/2 protocol error.
    Cause::Fail(FailKind::ProtocolError, "not a valid HTTP exchange")
}

/// The first error along the chain that says what happened, if any does.
fn cause_in_chain(e: &(dyn StdError + 'static)) -> Option<Cause> {
    for c in chain(e) {
        if c.is::<ResolveError>() {
            return Some(Cause::Error(ErrorKind::LocalResolver));
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            // Out of file descriptors here reads as a failed connect or a broken handshake;
            // it is this machine's, not the target's.
            if crate::probe::local_exhaustion(io) {
                return Some(Cause::Error(ErrorKind::Local));
            }
            match io.kind() {
                Io::ConnectionRefused => {
                    return Some(Cause::Fail(
                        FailKind::ConnectionRefused,
                        "connection refused",
                    ));
                }
                Io::ConnectionReset
                | Io::ConnectionAborted
                | Io::BrokenPipe
                | Io::UnexpectedEof => {
                    return Some(Cause::Fail(FailKind::ConnectionReset, "connection reset"));
                }
                Io::HostUnreachable | Io::NetworkUnreachable => {
                    return Some(Cause::Fail(FailKind::Unreachable, "unreachable"));
                }
                Io::TimedOut => return Some(Cause::Fail(FailKind::Timeout, "timed out")),
                Io::AddrNotAvailable | Io::PermissionDenied | Io::AddrInUse => {
                    return Some(Cause::Error(ErrorKind::Local));
                }
                _ => {}
            }
        }
        let text = c.to_string();
        // hyper's words for a connection the target closed (or reset) before the response
        // was complete, or before the request could even be written on it: both are the
        // target hanging up, whichever side noticed first.
        if text.contains("connection closed before message completed")
            || text.contains("connection was not ready")
        {
            return Some(Cause::Fail(FailKind::ConnectionReset, "connection closed"));
        }
    }
    None
}

/// The verdict on an error that left no response: `connect` when no connection (TCP and
/// TLS) was made.
pub(super) fn transport_failure(
    spec: &HttpSpec<Text>,
    e: &(dyn StdError + 'static),
    connect: bool,
    m: Measurements,
    context: Option<&str>,
) -> Outcome {
    let detail = innermost(e);
    let prefix = match context {
        Some(c) => format!("{}: {c}", label(spec)),
        None => label(spec),
    };
    match classify(e) {
        Cause::Fail(FailKind::ProtocolError, _) if connect => {
            // TCP errors were classified above, so what is left of connecting is TLS.
            let what = "TLS handshake failed";
            Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{prefix}: {what}: {detail}"),
                )
                .expected("a TLS handshake", what),
                m,
            )
        }
        Cause::Fail(kind, what) => Outcome::failed(
            Failure::new(kind, format!("{prefix}: {}", explain(what, &detail)))
                .expected("an HTTP response", what),
            m,
        ),
        Cause::Error(kind) => Outcome {
            verdict: Verdict::Errored(Problem {
                kind,
                message: format!("{prefix}: {detail}"),
            }),
            measurements: m,
            evidence: None,
        },
    }
}

/// The verdict on a hop that brought no response: a transport error, a broken handshake, or
/// what TLS showed about the server (recorded as `tls_finding`, worded by the finding).
pub(super) fn hop_failure(
    spec: &HttpSpec<Text>,
    e: HopError,
    m: Measurements,
    context: Option<&str>,
) -> Outcome {
    let prefix = match context {
        Some(c) => format!("{}: {c}", label(spec)),
        None => label(spec),
    };
    match e {
        HopError::Transport { error, connect } => {
            transport_failure(spec, &*error, connect, m, context)
        }
        HopError::Handshake(words) => {
            let what = "TLS handshake failed";
            Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{prefix}: {what}: {words}"),
                )
                .expected("a TLS handshake", what),
                m,
            )
        }
        HopError::Finding(f) => finding_outcome(&prefix, &f, m),
    }
}

/// The outcome a finding makes: its kind and words (after `prefix`, the check's label),
/// recorded as `tls_finding`.
pub(super) fn finding_outcome(prefix: &str, f: &TlsFinding, mut m: Measurements) -> Outcome {
    m.insert("tls_finding".into(), serde_json::json!(f));
    let message = format!("{prefix}: {}", f.message_en());
    match f.kind() {
        Ok(kind) => {
            let (expected, measured) = finding_values(f);
            Outcome::failed(Failure::new(kind, message).expected(expected, measured), m)
        }
        Err(kind) => Outcome {
            verdict: Verdict::Errored(Problem { kind, message }),
            measurements: m,
            evidence: None,
        },
    }
}

/// The expected and measured values of a failure a finding makes: short, the message says
/// the rest.
fn finding_values(f: &TlsFinding) -> (String, String) {
    match f {
        TlsFinding::LegacyProtocol {
            protocol,
            cipher,
            min_version,
        } => (
            format!("TLSv{min_version} or later"),
            format!("{protocol} ({cipher})"),
        ),
        TlsFinding::NoCommonSuite { .. } => (
            "a TLS handshake".into(),
            "no protocol version or cipher suite in common".into(),
        ),
        TlsFinding::ClientCertRejected { alert } => (
            "the client certificate accepted".into(),
            format!("refused ({alert})"),
        ),
        other => {
            // The finding's code (`expired`, `missing_intermediate`): what went wrong, in one
            // word the reports can look up.
            let code = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
                .unwrap_or_default();
            ("a certificate that verifies".into(), code)
        }
    }
}

/// `what` with the error's own text, without saying the same thing twice: the system's
/// "Connection refused (os error 111)" becomes "connection refused (os error 111)".
fn explain(what: &str, detail: &str) -> String {
    match detail.get(..what.len()) {
        Some(head) if head.eq_ignore_ascii_case(what) => format!("{what}{}", &detail[what.len()..]),
        _ => format!("{what}: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that wraps another, as hyper's "tcp connect error" wraps the system's.
    #[derive(Debug)]
    struct Wrapped(std::io::Error);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("tcp connect error")
        }
    }

    impl StdError for Wrapped {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn out_of_file_descriptors_is_this_machines_not_the_targets() {
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS] {
            let e = Wrapped(std::io::Error::from_raw_os_error(errno));
            assert!(
                matches!(cause_in_chain(&e), Some(Cause::Error(ErrorKind::Local))),
                "errno {errno}"
            );
        }
        let refused = Wrapped(std::io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert!(matches!(
            cause_in_chain(&refused),
            Some(Cause::Fail(FailKind::ConnectionRefused, _))
        ));
    }
}
