//! Probers: one per protocol, one signature. Each takes its filled probe specification, the
//! shared [`Context`] and the deadline of the attempt, and returns an [`Outcome`]: a
//! verdict that says *why*, and what was measured.
//!
//! The caller (the runner) owns the timeout: it also drops the probe's future at the
//! deadline, so a prober may use the deadline to finish gracefully (ICMP counts the echoes
//! still missing as lost) but never has to enforce it. Probers never print or format
//! reports; they send traffic only to the target their specification names.

pub mod dns;
pub mod http;
pub mod icmp;
pub mod tcp;

use std::fmt;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::model::{Probe, Text};

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
    RttExceeded,
    /// The DNS answers lack an expected record.
    AnswerMismatch,
    RcodeMismatch,
    StatusMismatch,
    BodyMismatch,
    JsonMismatch,
    HeaderMismatch,
    /// The response came, slower than `max_time`.
    TimeExceeded,
    TooManyRedirects,
    /// The TLS certificate does not verify (unknown issuer, wrong host name, expired).
    CertInvalid,
    /// The certificate verifies but expires sooner than `cert_valid_days`.
    CertExpiring,
    /// The target spoke, but not the protocol (garbage instead of HTTP or DNS).
    ProtocolError,
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
            FailKind::AnswerMismatch => "AnswerMismatch",
            FailKind::RcodeMismatch => "RcodeMismatch",
            FailKind::StatusMismatch => "StatusMismatch",
            FailKind::BodyMismatch => "BodyMismatch",
            FailKind::JsonMismatch => "JsonMismatch",
            FailKind::HeaderMismatch => "HeaderMismatch",
            FailKind::TimeExceeded => "TimeExceeded",
            FailKind::TooManyRedirects => "TooManyRedirects",
            FailKind::CertInvalid => "CertInvalid",
            FailKind::CertExpiring => "CertExpiring",
            FailKind::ProtocolError => "ProtocolError",
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
            ErrorKind::Internal => "Internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// State shared by all probes of a run. Built once before the first probe.
pub struct Context {
    pub icmp: icmp::Pinger,
    pub http: http::Clients,
}

impl Context {
    /// `base_dir` is the suite file's folder: relative `ca:` paths are relative to it.
    pub fn new(base_dir: &std::path::Path) -> Context {
        Context {
            icmp: icmp::Pinger::new(),
            http: http::Clients::new(base_dir),
        }
    }

    /// Lets an HTTP check reuse a connection a previous check of the same endpoint left open.
    pub fn reuse_connections(mut self, reuse: bool) -> Context {
        self.http = self.http.reuse_connections(reuse);
        self
    }

    /// Paces the run's ICMP echo requests at least `gap` apart (see [`icmp::Pinger::with_interval`]).
    pub fn icmp_interval(mut self, gap: std::time::Duration) -> Context {
        self.icmp = self.icmp.with_interval(gap);
        self
    }
}

/// Runs one attempt of a probe. The caller drops the future at `deadline`.
pub async fn probe(p: &Probe<Text>, cx: &Context, deadline: Instant) -> Outcome {
    match p {
        Probe::Icmp(s) => icmp::probe(s, cx, deadline).await,
        Probe::Tcp(s) => tcp::probe(s, cx, deadline).await,
        Probe::Dns(s) => dns::probe(s, cx, deadline).await,
        Probe::Http(s) => http::probe(s, cx, deadline).await,
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
