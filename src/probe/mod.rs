//! Probers: one per protocol, one signature. Each takes its filled probe specification, the
//! shared [`Context`] and the deadline of the attempt, and returns an [`Outcome`]: a
//! verdict that says *why*, and what was measured.
//!
//! The caller (the runner) owns the timeout: it also drops the probe's future at the
//! deadline, so a prober may use the deadline to finish gracefully (ICMP counts the echoes
//! still missing as lost) but never has to enforce it. Probers never print or format
//! reports; they send traffic only to the target their specification names.
//!
//! [`probe`] is the only way in: it dispatches to the prober and then takes the spec's
//! secrets out of the outcome (`scrub`), the same way for every protocol, so that no
//! prober has to remember which of its strings might hold one.

pub mod dns;
mod files;
pub mod http;
pub mod icmp;
pub mod path;
pub mod resolve;
mod scrub;
pub mod tcp;
mod throughput;
pub mod tls;

use tokio::time::Instant;

use crate::model::{Probe, Text};
pub use crate::outcome::{
    ErrorKind, FailKind, Failure, Measurements, Outcome, Problem, Verdict, evidence_text, ms,
};

/// State shared by all probes of a run. Built once before the first probe.
pub struct Context {
    pub icmp: icmp::Pinger,
    pub http: http::Clients,
    /// The trace and MTU probers' state, and the slots of path evidence traces.
    pub path: path::Paths,
}

impl Context {
    /// `base_dir` is the suite file's folder: relative `ca:` paths are relative to it.
    pub fn new(base_dir: &std::path::Path) -> Context {
        Context {
            icmp: icmp::Pinger::new(),
            http: http::Clients::new(base_dir),
            path: path::Paths::new(),
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

/// Runs one attempt of a probe. The caller drops the future at `deadline`. No secret of
/// `p` appears in the outcome, in any form the target may have sent it back in.
pub async fn probe(p: &Probe<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let outcome = match p {
        Probe::Icmp(s) => icmp::probe(s, cx, deadline).await,
        Probe::Tcp(s) => tcp::probe(s, cx, deadline).await,
        Probe::Dns(s) => dns::probe(s, cx, deadline).await,
        Probe::Http(s) => http::probe(s, cx, deadline).await,
        Probe::Throughput(s) => throughput::probe(s, cx, deadline).await,
        Probe::Trace(s) => path::trace(s, cx, deadline).await,
        Probe::Mtu(s) => path::mtu(s, cx, deadline).await,
    };
    // Only an HTTP body is cut for evidence; the scrubber cuts it, after masking.
    let evidence_cap = match p {
        Probe::Http(_) => Some(http::EVIDENCE_BYTES),
        Probe::Icmp(_)
        | Probe::Tcp(_)
        | Probe::Dns(_)
        | Probe::Throughput(_)
        | Probe::Trace(_)
        | Probe::Mtu(_) => None,
    };
    let secrets = scrub::secrets(p);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    scrub::scrub(outcome, &secrets, evidence_cap)
}

/// Whether an I/O error is this machine running out of something (file descriptors, kernel
/// buffers, memory): never a finding about the target, so the check is `errored` (`Local`),
/// whatever the network would have said.
pub(crate) fn local_exhaustion(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}
