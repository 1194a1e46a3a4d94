//! The file descriptors a run needs, checked before it starts: each check in flight holds a
//! socket or two (HTTP and DNS may also look up a name or fall back to TCP), and a process
//! out of descriptors would see every further connect fail with EMFILE. The soft limit is
//! raised toward the hard one when that is enough; when even the hard limit is too low, the
//! run's concurrency is lowered to fit, and the operator is told once, rather than healthy
//! nodes turning red (or, since the probers class EMFILE as this machine's, `errored`).

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

use crate::run::Limits;

/// Descriptors a check in flight may hold at once.
const PER_CHECK: u64 = 2;
/// Descriptors kept for everything else the run opens as it goes (the report files, the
/// runtime's, the ICMP sockets, connections being closed).
const HEADROOM: u64 = 8;

/// Fits `limits.concurrency` to this process's file limit, raising the soft limit first if
/// the hard one allows; the warning to show when the concurrency had to be lowered.
pub fn fit(limits: &mut Limits) -> Option<String> {
    let open = open_now();
    let wanted = limits.concurrency as u64;
    let need = open + wanted * PER_CHECK + HEADROOM;
    let lim = getrlimit(Resource::Nofile);
    // `None` is unlimited.
    let mut soft = lim.current.unwrap_or(u64::MAX);
    let hard = lim.maximum.unwrap_or(u64::MAX);
    if soft < need {
        let raised = need.min(hard);
        let applied = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(raised),
                maximum: lim.maximum,
            },
        );
        if applied.is_ok() {
            soft = raised;
        }
    }
    if soft >= need {
        return None;
    }
    let fits = (soft.saturating_sub(open + HEADROOM) / PER_CHECK).max(1);
    limits.concurrency = fits as usize;
    Some(format!(
        "this process may open {soft} files (ulimit -n) and has {open} open: about {fits} checks fit at once, so --concurrency is lowered from {wanted} to {fits}; raise the limit (`ulimit -n {need}`, or LimitNOFILE= in a systemd unit) to run faster"
    ))
}

/// Descriptors this process has open now.
fn open_now() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as u64)
        .unwrap_or(16)
}
