//! What one attempt of a check found: a [`Verdict`] that says *why*, what was measured, and
//! what the target sent as evidence. Probers produce it, the runner turns it into an item
//! result, reporters read the words (`FailKind`, `ErrorKind`) it carries. It depends on
//! nothing else of the crate, so every stage can use it without depending on the probers.

pub mod tls;

use std::fmt;

use serde::{Deserialize, Serialize};

/// What was measured, by name: `time_ms`, `status`, `loss_pct`, … Numbers are plain JSON
/// numbers; milliseconds are fractional.
pub type Measurements = serde_json::Map<String, serde_json::Value>;

/// The result of one attempt.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub verdict: Verdict,
    pub measurements: Measurements,
    /// What the target sent, as evidence for a human: the first bytes of an HTTP body (control
    /// characters removed), the DNS answers. `None` when there is nothing worth showing.
    pub evidence: Option<String>,
}

impl Outcome {
    pub fn passed(measurements: Measurements) -> Outcome {
        Outcome {
            verdict: Verdict::Passed,
            measurements,
            evidence: None,
        }
    }

    pub fn failed(failure: Failure, measurements: Measurements) -> Outcome {
        Outcome {
            verdict: Verdict::Failed(failure),
            measurements,
            evidence: None,
        }
    }

    pub fn errored(kind: ErrorKind, message: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Errored(Problem {
                kind,
                message: message.into(),
            }),
            measurements: Measurements::new(),
            evidence: None,
        }
    }

    pub fn with_evidence(mut self, evidence: Option<String>) -> Outcome {
        self.evidence = evidence;
        self
    }
}

/// Failed and errored are different things, end to end: the target answered wrong or not in
/// time (a finding about the network), or we could not carry the check out (a problem here).
#[derive(Debug, Clone)]
pub enum Verdict {
    Passed,
    Failed(Failure),
    Errored(Problem),
}

/// The target answered, and an expectation was not met; or it did not answer in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailKind,
    /// One line: what went wrong, with the figures.
    pub message: String,
    /// The expectation, as the suite stated it (`status in [200]`).
    pub expected: Option<String>,
    /// What was seen instead (`503`).
    pub measured: Option<String>,
}

impl Failure {
    pub fn new(kind: FailKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            expected: None,
            measured: None,
        }
    }

    pub fn expected(mut self, expected: impl Into<String>, measured: impl Into<String>) -> Failure {
        self.expected = Some(expected.into());
        self.measured = Some(measured.into());
        self
    }
}

/// The check could not be carried out from here.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ErrorKind,
    pub message: String,
}

/// Why a check failed, as a domain word: JUnit's `type` attribute, report filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FailKind {
    /// No answer before the deadline.
    Timeout,
    /// The port answered with a reset: nothing listens.
    ConnectionRefused,
    /// The connection was reset or closed mid-exchange.
    ConnectionReset,
    /// The network said the host or net is unreachable (ICMP unreachable, no route).
    Unreachable,
    /// TCP connected, but slower than `max_connect`.
    ConnectSlow,
    LossExceeded,
    /// The mean round trip (or its 95th percentile, `max_p95`) above its limit.
    RttExceeded,
    /// IPDV (Y.1540: the 99.9th percentile of the round trips minus the least) above
    /// `max_ipdv`.
    IpdvExceeded,
    /// RFC 3550's interarrival jitter of the round trips above `max_jitter`.
    JitterExceeded,
    /// The DNS answers lack an expected record.
    AnswerMismatch,
    RcodeMismatch,
    StatusMismatch,
    BodyMismatch,
    JsonMismatch,
    /// A response header is missing, present where it must not be, or has another value.
    HeaderMismatch,
    /// The body does not match the check's JSON Schema (`expect.json_schema`).
    SchemaMismatch,
    /// The response came, slower than `max_time`.
    TimeExceeded,
    TooManyRedirects,
    /// A redirect the check's `redirects:` policy does not follow (to another host, or any
    /// under `none`): the answer came from elsewhere than the target.
    RedirectRefused,
    /// The TLS certificate does not verify (unknown issuer, wrong host name, expired).
    CertInvalid,
    /// The certificate verifies but expires sooner than `cert_valid_days`.
    CertExpiring,
    /// `expect.tls: required`, and the URL (or a redirect) is plain HTTP: nothing was sent
    /// on it.
    TlsRequired,
    /// The server completes a TLS handshake only with a protocol older than the check's
    /// `tls.min_version` (TLS 1.2 by default): found by a follow-up handshake that allows
    /// old protocols, and named with the suite it offers.
    LegacyTls,
    /// The server refused the client certificate the check presented (`client_cert`).
    ClientCertRejected,
    /// The target spoke, but not the protocol (garbage instead of HTTP or DNS).
    ProtocolError,
    /// The DNS server did not answer: it delegates the name to a child zone's servers.
    Referral,
    /// The DNS answer over UDP was truncated and the retry over TCP got no answer in time:
    /// TCP to the server's port is silently dropped on the way.
    TcpFallbackBlocked,
    /// `dnssec: true`, and the answer carries no RRSIG covering it.
    SignatureMissing,
    /// Servers of one zone (a replication check) serve different SOA serials, or, with
    /// `same_answers`, different answers.
    SerialMismatch,
    /// The throughput the receiver counted is below `min_mbps`.
    ThroughputLow,
    /// The path MTU (`mtu:`) is below the check's `min_mtu`.
    MtuTooSmall,
    /// Packets above some size vanish on the path without the ICMP "fragmentation needed"
    /// that path-MTU discovery relies on (RFC 2923): a path-MTU black hole.
    MtuBlackHole,
    /// The path (`trace:`) does not pass the routers of `expect_via` in their order.
    PathMismatch,
    /// The trace did not reach the target within `max_hops`.
    PathIncomplete,
}

impl FailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailKind::Timeout => "Timeout",
            FailKind::ConnectionRefused => "ConnectionRefused",
            FailKind::ConnectionReset => "ConnectionReset",
            FailKind::Unreachable => "Unreachable",
            FailKind::ConnectSlow => "ConnectSlow",
            FailKind::LossExceeded => "LossExceeded",
            FailKind::RttExceeded => "RttExceeded",
            FailKind::IpdvExceeded => "IpdvExceeded",
            FailKind::JitterExceeded => "JitterExceeded",
            FailKind::AnswerMismatch => "AnswerMismatch",
            FailKind::RcodeMismatch => "RcodeMismatch",
            FailKind::StatusMismatch => "StatusMismatch",
            FailKind::BodyMismatch => "BodyMismatch",
            FailKind::JsonMismatch => "JsonMismatch",
            FailKind::HeaderMismatch => "HeaderMismatch",
            FailKind::SchemaMismatch => "SchemaMismatch",
            FailKind::TimeExceeded => "TimeExceeded",
            FailKind::TooManyRedirects => "TooManyRedirects",
            FailKind::RedirectRefused => "RedirectRefused",
            FailKind::CertInvalid => "CertInvalid",
            FailKind::CertExpiring => "CertExpiring",
            FailKind::TlsRequired => "TlsRequired",
            FailKind::LegacyTls => "LegacyTls",
            FailKind::ClientCertRejected => "ClientCertRejected",
            FailKind::ProtocolError => "ProtocolError",
            FailKind::Referral => "Referral",
            FailKind::TcpFallbackBlocked => "TcpFallbackBlocked",
            FailKind::SignatureMissing => "SignatureMissing",
            FailKind::SerialMismatch => "SerialMismatch",
            FailKind::ThroughputLow => "ThroughputLow",
            FailKind::MtuTooSmall => "MtuTooSmall",
            FailKind::MtuBlackHole => "MtuBlackHole",
            FailKind::PathMismatch => "PathMismatch",
            FailKind::PathIncomplete => "PathIncomplete",
        }
    }
}

impl fmt::Display for FailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a check could not be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No permission for raw or unprivileged ICMP sockets.
    NoPermission,
    /// A host name of the target could not be resolved by the local resolver.
    LocalResolver,
    /// The suite's probe cannot be used as written here (unreadable CA file, invalid URL).
    Config,
    /// A local resource failed: sockets, file descriptors.
    Local,
    /// The server asks for a client certificate and the check has none (`client_cert`):
    /// the check could not be carried out, nothing is known of the application.
    ClientCertRequired,
    /// The test server (iperf3) could not run the test: busy with another client's test,
    /// or it reported an error of its own. Nothing is known of the link.
    TestServer,
    /// A bug in netaccept.
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NoPermission => "NoPermission",
            ErrorKind::LocalResolver => "LocalResolver",
            ErrorKind::Config => "Config",
            ErrorKind::Local => "Local",
            ErrorKind::ClientCertRequired => "ClientCertRequired",
            ErrorKind::TestServer => "TestServer",
            ErrorKind::Internal => "Internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Milliseconds as a JSON number with microsecond precision.
pub fn ms(d: std::time::Duration) -> serde_json::Value {
    let v = (d.as_secs_f64() * 1_000_000.0).round() / 1_000.0;
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// Text from the target, made safe to show: control characters (but newlines and tabs)
/// removed, at most `max` bytes on a character boundary.
pub fn evidence_text(bytes: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]);
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dns_kinds_are_spelled_alike_in_reports_and_in_results_json() {
        for k in [
            FailKind::Referral,
            FailKind::TcpFallbackBlocked,
            FailKind::SignatureMissing,
            FailKind::SerialMismatch,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(
                serde_json::from_value::<FailKind>(k.as_str().into()).unwrap(),
                k
            );
        }
    }
}
