//! ICMP prober: `count` echo requests to one address, `interval` apart and overlapping as
//! fping sends them, judged on loss and average round trip.
//!
//! One socket per address family serves the whole run (surge-ping's `Client`, opened on the
//! first probe of that family); its receiving task hands each reply to the echo waiting for
//! that (address, identifier, sequence). Every echo takes a sequence number from one
//! counter shared by the run: an unprivileged (DGRAM) ICMP socket has the kernel overwrite
//! the identifier, so the sequence alone must keep concurrent probes to the same address
//! apart. Round trips are timed here, from just before the send to the reply's arrival:
//! surge-ping starts its clock after `send_to` returns, and on loopback the reply can beat
//! that, which reads as 0 ns.
//!
//! The parts, in the order a probe meets them: `pinger` holds the run's shared state,
//! `socket` opens and tunes the sockets (all the `unsafe` code is there), `receiver` runs
//! their receiving tasks on a thread of their own, `pacing` decides when each echo leaves,
//! `echo` sends one and reads its answer, and `judge` turns the echoes into a verdict.

mod echo;
mod judge;
mod pacing;
mod pinger;
mod receiver;
mod socket;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use surge_ping::PingIdentifier;
use tokio::time::Instant;

pub use pinger::Pinger;

use super::{Context, ErrorKind, Outcome};
use crate::model::{IcmpSpec, Text, limits};
use echo::Echo;
use judge::judge;
use pacing::{Schedule, echo};

/// Replies stop being awaited this long before the attempt's deadline, so the probe
/// returns its own figures before the runner drops it. The figure is the model's, where
/// `validate` checks that a check's echoes fit its timeout by this prober's own rules.
const DEADLINE_MARGIN: Duration = limits::ICMP_REPORT_MARGIN.0;

/// Sends the echoes that fit before `deadline`, waits for their replies, and judges loss
/// (over the echoes sent) and average round trip.
pub(crate) async fn probe(spec: &IcmpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let pinger = &cx.icmp;
    if let Some(message) = pinger.permission_problem() {
        return Outcome::errored(ErrorKind::NoPermission, message);
    }
    let target = spec.target.expose();
    let addr = match super::resolve::resolve(&target, 0).await {
        Ok(addr) => addr,
        Err(o) => return o,
    };
    let ip = addr.ip();
    // A link-local IPv6 target (`fe80::1%eth0`) needs its interface on every send.
    let scope = match addr {
        std::net::SocketAddr::V6(a) => a.scope_id(),
        std::net::SocketAddr::V4(_) => 0,
    };
    let client = match pinger.client(ip).await {
        Ok(c) => c,
        Err(o) => return o,
    };

    let start = Instant::now();
    let left = deadline.saturating_duration_since(start);
    let cutoff = start + left.saturating_sub(DEADLINE_MARGIN).max(left / 2);
    // How long each echo's reply is awaited: 1 s without `max_rtt`, as fping does; twice
    // `max_rtt` with it, but never less than 100 ms, or a tiny `max_rtt` would turn a slow
    // reply into loss instead of the round-trip failure the suite asked for.
    let timeout = limits::icmp_reply_wait(spec.max_rtt);
    let interval = spec.interval.as_std();
    // Only echoes that can wait their whole timeout before the deadline are sent (the first
    // always is): an echo cut short would count a slow reply as lost.
    let planned = spec.count.max(1);
    let fits = (1..planned)
        .take_while(|&i| start + interval * i + timeout <= cutoff)
        .count() as u32
        + 1;
    let ident = PingIdentifier(pinger.next_ident.fetch_add(1, Ordering::Relaxed));
    let echoes = (0..fits).map(|i| {
        let send_at = start + interval * i;
        echo(
            pinger,
            client,
            (ip, scope),
            ident,
            Schedule {
                send_at,
                first: i == 0,
                timeout,
                cutoff,
            },
        )
    });
    let results: Vec<Echo> = join_all(echoes).await.into_iter().flatten().collect();
    if results.is_empty() {
        let gap = pinger.pace.as_ref().map_or(Duration::ZERO, |p| p.gap);
        return Outcome::errored(
            ErrorKind::Local,
            format!(
                "no echo to {ip} could be sent before the deadline: the run's ICMP pacing \
                 ({} between echoes) queued it too long; lower --icmp-concurrency or raise \
                 the timeout",
                crate::model::Duration(gap)
            ),
        );
    }
    judge(spec, ip, &results, planned)
}

/// Runs the echoes together on this task: a handful of futures polled in turn costs less
/// than a spawned task each.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
