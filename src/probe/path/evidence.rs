//! Path evidence: when an ICMP or TCP check has failed, a trace to its target right then,
//! so that its result says where the path stops (the last router that answered is what an
//! engineer on site needs). Bounded: [`BUDGET`] per trace, every TTL at once, and at most
//! [`super::EVIDENCE_TRACES`] traces at once over the run; a failure that finds no free
//! slot within [`SLOT_WAIT`] goes without, and says so.
//!
//! Without a raw socket (no root, no CAP_NET_RAW) there is no evidence and nothing is said:
//! the check's own verdict stands, and the missing privilege is not the network's fault.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::time::Instant;

use super::hops::trace;
use super::socket::OpenError;
use super::trace::{path_line, path_measurements};
use crate::model::{HostPort, Probe, Text};
use crate::probe::{Context, FailKind, Measurements, Outcome, Verdict};

/// How long one evidence trace may take, resolving the name included.
pub const BUDGET: Duration = Duration::from_secs(3);
/// How long a failure waits for a free trace slot before it goes without.
const SLOT_WAIT: Duration = Duration::from_millis(500);
/// Hops tried: traceroute's default.
const MAX_HOPS: u8 = 30;

/// The path to the target of a failed ICMP or TCP check: measurements (`path`,
/// `path_reached`, `path_last_hop`) and one line for its evidence. `None` for other checks,
/// other verdicts (and ICMP failures other than `Unreachable`, `LossExceeded` and
/// `Timeout`, TCP's `ConnectSlow`: the target answered), and when no trace can be taken
/// here (no raw socket).
pub async fn evidence(
    probe: &Probe<Text>,
    outcome: &Outcome,
    cx: &Context,
) -> Option<(Measurements, String)> {
    let Verdict::Failed(f) = &outcome.verdict else {
        return None;
    };
    // Reachability failures only: a slow answer or a high jitter came back, and its path
    // is not in question.
    let host = match probe {
        Probe::Icmp(s)
            if matches!(
                f.kind,
                FailKind::Unreachable | FailKind::LossExceeded | FailKind::Timeout
            ) =>
        {
            s.target.expose()
        }
        Probe::Tcp(s) if f.kind != FailKind::ConnectSlow => {
            HostPort::parse(&s.target.expose()).ok()?.host().to_string()
        }
        _ => return None,
    };
    let until = Instant::now() + BUDGET;
    let Ok(_slot) = tokio::time::timeout(SLOT_WAIT, cx.path.evidence_slots.acquire()).await else {
        return Some((
            Measurements::new(),
            "path not captured: too many traces at once".to_string(),
        ));
    };
    // The address the check reached, when it says (`address`); otherwise its target
    // resolved again (the runner's own timeout verdict carries no address).
    let ip = if let Some(ip) = address(outcome) {
        ip
    } else {
        let left = until.saturating_duration_since(Instant::now());
        tokio::time::timeout(left, super::resolve_ip(&host))
            .await
            .ok()?
            .ok()?
    };
    let socket = match cx.path.open(ip) {
        Ok(s) => s,
        Err(OpenError::NoPermission(_) | OpenError::Other(_)) => return None,
    };
    let t = trace(&socket, MAX_HOPS, until).await.ok()?;
    // A target named by a secret (`{{ env.HOST }}`) is an address the trace shows as a hop:
    // the addendum is scrubbed as the attempt's outcome was (`probe::probe`).
    let secrets = crate::probe::scrub::secrets(probe);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let added = Outcome::passed(path_measurements(&t)).with_evidence(Some(path_line(&t)));
    let added = crate::probe::scrub::scrub(added, &secrets, None);
    Some((added.measurements, added.evidence.unwrap_or_default()))
}

/// The address a failed check's measurements name (`address`: `ip` or `ip:port`).
fn address(o: &Outcome) -> Option<IpAddr> {
    let a = o.measurements.get("address")?.as_str()?;
    a.parse::<IpAddr>()
        .ok()
        .or_else(|| a.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TcpSpec;
    use crate::probe::Failure;

    /// With every slot taken, a failure waits [`SLOT_WAIT`] and goes without a trace,
    /// saying so; no socket is opened (so this holds without root too).
    #[tokio::test(start_paused = true)]
    async fn a_failure_that_finds_no_free_slot_says_so() {
        let cx = Context::new(std::path::Path::new("."));
        let _all = cx
            .path
            .evidence_slots
            .acquire_many(super::super::EVIDENCE_TRACES as u32)
            .await
            .unwrap();
        let probe = Probe::Tcp(TcpSpec {
            target: Text::plain("198.18.4.2:443"),
            max_connect: None,
        });
        let failed = Outcome::failed(
            Failure::new(FailKind::Timeout, "no answer within 1s"),
            Measurements::new(),
        );
        let t0 = Instant::now();
        let (m, line) = evidence(&probe, &failed, &cx).await.unwrap();
        assert!(m.is_empty());
        assert_eq!(line, "path not captured: too many traces at once");
        assert_eq!(t0.elapsed(), SLOT_WAIT);
        // A slow answer is no question of path: nothing is asked at all.
        let slow = Outcome::failed(
            Failure::new(FailKind::ConnectSlow, "connected in 900 ms"),
            Measurements::new(),
        );
        assert!(evidence(&probe, &slow, &cx).await.is_none());
        assert!(
            evidence(&probe, &Outcome::passed(Measurements::new()), &cx)
                .await
                .is_none()
        );
    }
}
