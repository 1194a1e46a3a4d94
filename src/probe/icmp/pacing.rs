//! When each echo leaves: at its place in the probe's own schedule (`interval`), then
//! through the run's pacing gate (`--icmp-interval`, fping's `-i`), which may hold it so
//! long that it is not sent at all.

use std::net::IpAddr;
use std::time::Duration;

use surge_ping::{Client, PingIdentifier};
use tokio::time::Instant;

use super::Pinger;
use super::echo::{Echo, send_echo};

/// Spaces the run's echo requests at least `gap` apart, whatever their targets, as fping's
/// `-i` does: a sweep of thousands of nodes then arrives on a thin link as a trickle rather
/// than a burst.
pub(super) struct Pacer {
    pub(super) gap: Duration,
    /// The earliest moment the next echo may leave. Each echo reserves its moment under the
    /// lock (held for an addition, never across an await) and then sleeps until it, so echoes
    /// leave in the order they asked.
    pub(super) next: std::sync::Mutex<Instant>,
}

impl Pacer {
    /// Reserves the next free moment for one echo.
    pub(super) fn reserve(&self) -> Instant {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = (*next).max(Instant::now());
        *next = at + self.gap;
        at
    }
}

/// How long one echo, made when it is due (`on_schedule`), may wait for its reply.
pub(super) struct Schedule {
    /// The probe's first echo is sent even when its whole wait does not fit.
    pub(super) first: bool,
    pub(super) timeout: Duration,
    pub(super) cutoff: Instant,
}

/// `None` when pacing gave the echo its turn too late for its reply to be awaited: it was
/// not sent. `own_seq`: the echo's own sequence number (raw sockets), else the run's next.
pub(super) async fn echo(
    pinger: &Pinger,
    client: &Client,
    (ip, scope): (IpAddr, u32),
    ident: PingIdentifier,
    own_seq: Option<u16>,
    Schedule {
        first,
        timeout,
        cutoff,
    }: Schedule,
) -> Option<Echo> {
    if let Some(pace) = &pinger.pace {
        let turn = pace.reserve();
        let fits = if first {
            turn < cutoff
        } else {
            turn + timeout <= cutoff
        };
        if !fits {
            return None;
        }
        tokio::time::sleep_until(turn).await;
    }
    Some(
        send_echo(
            client,
            &pinger.next_seq,
            own_seq,
            (ip, scope),
            ident,
            timeout,
            cutoff,
        )
        .await,
    )
}
