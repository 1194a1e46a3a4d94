//! One trace: echoes with TTL 1 to `max_hops`, [`PER_TTL`] each, all sent at once (as
//! mtr's and Dublin traceroute's fast modes do: the trace then takes one round trip's
//! wait, not one per hop), their answers collected until every hop below the target has
//! answered or the round's wait is over; then each TTL that stayed silent is sent once more
//! (routers rate-limit their ICMP errors, and a burst of probes meets the limit), within
//! the time left. The result is each TTL's first answering address and its round trip,
//! whether the target answered, and any router that said it cannot be reached.

use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::socket::RawIcmp;
use super::wire::Heard;

/// Echoes per TTL and round: two, so that one lost echo (or one error a router's rate
/// limit swallowed) does not leave the hop silent.
pub(super) const PER_TTL: usize = 2;
/// The size of a trace's echoes, IP header included: traceroute's 60 bytes.
const SIZE: usize = 60;
/// The longest a round waits for its answers.
const ROUND_WAIT: Duration = Duration::from_secs(1);
/// The checksum every echo of a trace carries (see `wire`: one flow).
const CHECKSUM: u16 = 0x4e41;

/// What one TTL found: who answered first, and the shortest round trip from it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Hop {
    pub addr: Option<IpAddr>,
    pub rtt: Option<Duration>,
    /// The answer was the target's echo reply.
    pub reached: bool,
    /// The answer was "destination unreachable" (its code).
    pub unreachable: Option<u8>,
}

/// The trace: `hops[i]` is TTL `i + 1`, for every TTL up to `max_hops`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Trace {
    pub hops: Vec<Hop>,
    pub sent: usize,
}

impl Trace {
    /// The TTL at which the target answered.
    pub fn reached(&self) -> Option<u8> {
        self.hops
            .iter()
            .position(|h| h.reached)
            .map(|i| i as u8 + 1)
    }

    /// The TTL and hop of the first "destination unreachable" (before the target, if
    /// reached at all).
    pub fn unreachable(&self) -> Option<(u8, Hop)> {
        let end = self.reached().map_or(self.hops.len(), usize::from);
        self.hops[..end]
            .iter()
            .enumerate()
            .find(|(_, h)| h.unreachable.is_some())
            .map(|(i, h)| (i as u8 + 1, *h))
    }

    /// The hops worth showing: up to the target, or to the router that said it cannot be
    /// reached; otherwise up to the last that answered and one silent TTL after it (the
    /// silence the engineer on site is looking for), at least one.
    pub fn shown(&self) -> &[Hop] {
        let end = if let Some(t) = self.reached() {
            usize::from(t)
        } else if let Some((t, _)) = self.unreachable() {
            usize::from(t)
        } else {
            let last = self.hops.iter().rposition(|h| h.addr.is_some());
            last.map_or(1, |i| i + 2).min(self.hops.len())
        };
        &self.hops[..end]
    }

    /// The last address that answered among the hops shown.
    pub fn last_answered(&self) -> Option<IpAddr> {
        self.shown().iter().rev().find_map(|h| h.addr)
    }

    /// The TTLs that still need an answer: below the target (or below the router that
    /// said unreachable); without either, up to two past the last that answered.
    fn wanted(&self) -> Vec<u8> {
        let end = match (self.reached(), self.unreachable()) {
            (Some(t), _) | (None, Some((t, _))) => usize::from(t) - 1,
            (None, None) => {
                let last = self.hops.iter().rposition(|h| h.addr.is_some());
                last.map_or(self.hops.len(), |i| i + 3).min(self.hops.len())
            }
        };
        (0..end)
            .filter(|&i| self.hops[i].addr.is_none())
            .map(|i| i as u8 + 1)
            .collect()
    }

    /// Every hop up to the target (or the unreachable router) has answered.
    fn complete(&self) -> bool {
        (self.reached().is_some() || self.unreachable().is_some()) && self.wanted().is_empty()
    }
}

/// Traces the target of `socket` up to `max_hops`, until `until` at the latest.
pub(super) async fn trace(
    socket: &RawIcmp,
    max_hops: u8,
    until: Instant,
) -> std::io::Result<Trace> {
    let mut trace = Trace {
        hops: vec![Hop::default(); usize::from(max_hops)],
        sent: 0,
    };
    // Sequence number → (TTL, when sent); a trace sends at most 2 × 2 × 64 echoes.
    let mut sent: Vec<(u8, Instant)> = Vec::new();
    let all: Vec<u8> = (1..=max_hops).collect();
    for round in 0..2 {
        let ttls = if round == 0 {
            all.clone()
        } else {
            trace.wanted()
        };
        let now = Instant::now();
        if ttls.is_empty() || now >= until {
            break;
        }
        // The first round leaves at least as long again for the retry.
        let left = until.saturating_duration_since(now);
        let wait = ROUND_WAIT.min(if round == 0 { left / 2 } else { left });
        for &ttl in &ttls {
            for _ in 0..PER_TTL {
                let seq = sent.len() as u16;
                sent.push((ttl, Instant::now()));
                match socket.send_echo(ttl, false, SIZE, seq, CHECKSUM).await {
                    Ok(()) => trace.sent += 1,
                    // No route at all: the first hop is this host's refusal.
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::NetworkUnreachable
                                | std::io::ErrorKind::HostUnreachable
                        ) =>
                    {
                        trace.hops[0].unreachable.get_or_insert(0);
                        return Ok(trace);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        collect(socket, &sent, &mut trace, Instant::now() + wait).await?;
        if trace.complete() {
            break;
        }
    }
    Ok(trace)
}

/// Reads answers into `trace` until it is complete or `until`.
async fn collect(
    socket: &RawIcmp,
    sent: &[(u8, Instant)],
    trace: &mut Trace,
    until: Instant,
) -> std::io::Result<()> {
    while !trace.complete() {
        let answer = tokio::select! {
            r = socket.recv() => r?,
            _ = tokio::time::sleep_until(until) => return Ok(()),
        };
        let Some((a, at)) = answer else {
            continue;
        };
        let Some(&(ttl, when)) = sent.get(usize::from(a.seq)) else {
            continue;
        };
        let rtt = at.saturating_duration_since(when);
        let hop = &mut trace.hops[usize::from(ttl) - 1];
        match hop.addr {
            None => {
                *hop = Hop {
                    addr: Some(a.from),
                    rtt: Some(rtt),
                    reached: a.heard == Heard::Reply,
                    unreachable: match a.heard {
                        Heard::Unreachable { code, .. } => Some(code),
                        _ => None,
                    },
                };
            }
            Some(first) if first == a.from => {
                hop.rtt = hop.rtt.map(|r| r.min(rtt));
            }
            // Another address at the same TTL (a balancer that hashes more than the flow):
            // the first answer stands.
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(a: [u8; 4]) -> Hop {
        Hop {
            addr: Some(IpAddr::from(a)),
            rtt: Some(Duration::from_millis(1)),
            ..Hop::default()
        }
    }

    #[test]
    fn the_hops_shown_end_at_the_target_or_one_silence_after_the_last_answer() {
        let mut t = Trace {
            hops: vec![Hop::default(); 30],
            sent: 60,
        };
        t.hops[0] = hop([198, 18, 1, 2]);
        t.hops[1] = hop([198, 18, 2, 2]);
        // Nothing beyond TTL 2: one silent hop shown, TTLs 3 and 4 still wanted.
        assert_eq!(t.shown().len(), 3);
        assert_eq!(t.last_answered(), Some(IpAddr::from([198, 18, 2, 2])));
        assert_eq!(t.wanted(), vec![3, 4]);
        assert!(!t.complete());
        // The target answers at TTL 4, TTL 3 stays silent: shown to 4, 3 wanted.
        t.hops[3] = Hop {
            reached: true,
            ..hop([198, 18, 4, 2])
        };
        assert_eq!(t.reached(), Some(4));
        assert_eq!(t.shown().len(), 4);
        assert_eq!(t.wanted(), vec![3]);
        t.hops[2] = hop([198, 18, 3, 2]);
        assert!(t.complete());
        // A router's "unreachable" ends the trace where it stands.
        let mut u = Trace {
            hops: vec![Hop::default(); 30],
            sent: 60,
        };
        u.hops[0] = hop([198, 18, 1, 2]);
        u.hops[1] = Hop {
            unreachable: Some(1),
            ..hop([198, 18, 2, 2])
        };
        assert_eq!(u.unreachable().map(|(t, _)| t), Some(2));
        assert_eq!(u.shown().len(), 2);
        assert!(u.complete());
        // Nothing answered at all: one silent hop.
        let none = Trace {
            hops: vec![Hop::default(); 30],
            sent: 60,
        };
        assert_eq!(none.shown().len(), 1);
        assert_eq!(none.last_answered(), None);
        assert_eq!(none.wanted().len(), 30);
    }
}
