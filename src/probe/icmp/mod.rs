//! ICMP prober: `count` echo requests to one address, `interval` apart and overlapping as
//! fping sends them, judged on loss and the round trips' mean, 95th percentile, IPDV and
//! jitter.
//!
//! One socket per address family serves the whole run (surge-ping's `Client`, opened on the
//! first probe of that family); its receiving task hands each reply to the echo waiting for
//! that (address, identifier, sequence). Every echo takes a sequence number from one
//! counter shared by the run: an unprivileged (DGRAM) ICMP socket has the kernel overwrite
//! the identifier, so the sequence alone must keep concurrent probes to the same address
//! apart; on a raw socket each probe numbers its own echoes under its own identifier.
//!
//! Round trips are taken from just before the send to the reply's arrival as the
//! receiving thread stamped it: surge-ping starts its clock after `send_to` returns, and on
//! loopback the reply can beat that (it then counts 0 ns), so the time the send itself took
//! is added (`echo`). A round trip is thus never under the truth, and does not include the
//! time this task takes to resume once the reply is in: on a probe host running thousands
//! of checks that wait reached 200 ms (the national run on 2 cores) and read as IPDV.
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
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

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
/// (over the echoes sent) and the round trips.
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
    let timeout = limits::icmp_reply_wait(spec.limits().wait_basis());
    let interval = spec.interval.as_std();
    // Only echoes that can wait their whole timeout before the deadline are sent (the first
    // always is): an echo cut short would count a slow reply as lost.
    let planned = spec.count.max(1);
    let fits = (1..planned)
        .take_while(|&i| start + interval * i + timeout <= cutoff)
        .count() as u32
        + 1;
    let ident = PingIdentifier(pinger.next_ident.fetch_add(1, Ordering::Relaxed));
    // On a raw socket the identifier is ours, so the probe numbers its own echoes 0, 1, …
    // (fewer than 65,536: `count` is at most 10,000) and no other probe's echo can take
    // the same (address, identifier, sequence) however many echoes the run sends. An
    // unprivileged socket has the kernel overwrite the identifier: there the run's shared
    // counter keeps concurrent probes to one address apart.
    let own_seqs = client.get_socket().get_type() == socket2::Type::RAW;
    let results: Vec<Echo> = on_schedule(fits, start, interval, |i| {
        echo(
            pinger,
            client,
            (ip, scope),
            ident,
            own_seqs.then_some(i as u16),
            Schedule {
                first: i == 0,
                timeout,
                cutoff,
            },
        )
    })
    .await
    .into_iter()
    .flatten()
    .collect();
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

/// Runs `make(i)` for each `i` below `n` on this task, each future made when it is due, at
/// `start + step × i`, and returns their outputs in that order. An echo's future holds its
/// whole state (the socket's pinger, its timers: about two kilobytes) from when it is made:
/// made when due, a probe holds only the echoes awaiting their reply (a thousand echoes
/// 10 ms apart, about a hundred; five 200 ms apart on a quick link, one), where making them
/// all at its start held every echo of every probe of a national run at once (tens of
/// megabytes).
async fn on_schedule<F: Future>(
    n: u32,
    start: Instant,
    step: Duration,
    mut make: impl FnMut(u32) -> F,
) -> Vec<F::Output> {
    let mut outputs: Vec<Option<F::Output>> = (0..n).map(|_| None).collect();
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0;
    let timer = tokio::time::sleep_until(start);
    tokio::pin!(timer);
    loop {
        let before = next;
        while next < n && start + step * next <= Instant::now() {
            in_flight.push(tagged(next, make(next)));
            next += 1;
        }
        if next != before && next < n {
            timer.as_mut().reset(start + step * next);
        }
        tokio::select! {
            Some((i, out)) = in_flight.next(), if !in_flight.is_empty() => {
                outputs[i as usize] = Some(out);
            }
            () = &mut timer, if next < n => {}
            else => break,
        }
    }
    outputs.into_iter().flatten().collect()
}

async fn tagged<F: Future>(i: u32, f: F) -> (u32, F::Output) {
    (i, f.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs come back in the order given however the futures finish; each future is made
    /// no earlier than it is due, and only those due and unfinished exist at once.
    #[tokio::test(start_paused = true)]
    async fn each_future_is_made_when_due_and_the_order_is_kept() {
        use std::sync::atomic::AtomicUsize;
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let start = Instant::now() + Duration::from_millis(5);
        let step = Duration::from_millis(10);
        let out = on_schedule(50, start, step, |i| {
            // Made when due, never before.
            let due = start + step * i;
            assert!(Instant::now() >= due, "future {i} made early");
            assert!(Instant::now() < due + step, "future {i} made late");
            let (running, most) = (&running, &most);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Each takes 65 ms, later ones less: at most 7 are running at once.
                tokio::time::sleep(Duration::from_millis(65 - u64::from(i % 3))).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i
            }
        })
        .await;
        assert_eq!(out, (0..50).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 7);
        // Nothing due: nothing made, nothing returned.
        let none: Vec<u32> = on_schedule(0, start, step, |i| async move { i }).await;
        assert!(none.is_empty());
        // No step: all at once.
        let all = on_schedule(5, Instant::now(), Duration::ZERO, |i| async move { i }).await;
        assert_eq!(all, [0, 1, 2, 3, 4]);
    }
}
