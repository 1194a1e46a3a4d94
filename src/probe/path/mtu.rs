//! The `mtu:` check: the largest echo request (a whole IP packet, Don't Fragment set) that
//! gets an answer from the target. `max` is tried first, so a path that carries it costs
//! one echo; below it the search narrows: to the next-hop MTU a router reported in its
//! "fragmentation needed" (RFC 1191), or else by halves, each size retried once before it
//! counts as not passing (one lost echo is not a smaller MTU).
//!
//! How the size that did not pass failed tells the evidence apart: a router's
//! "fragmentation needed" (`router`, with its next-hop MTU and its address), this host's
//! own interface refusing the send with EMSGSIZE (`local`), or nothing at all although
//! smaller echoes are answered (`black_hole`: the ICMP that path-MTU discovery relies on
//! is lost or filtered on the way, RFC 2923; TCP connections that send full-size segments
//! then hang).

use std::net::IpAddr;
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::socket::RawIcmp;
use super::wire::{Heard, IPV6_MIN_MTU};
use crate::model::{MtuSpec, Text};
use crate::probe::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome};

/// Kept before the attempt's deadline to report.
const MARGIN: Duration = Duration::from_millis(50);
/// The wait for an echo before any has been answered: the first size is `max`, and a
/// path that carries it answers in a round trip.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// Once an echo has been answered, the wait is four times the longest round trip seen,
/// within these bounds: a lost big echo then costs a fraction of a second, not a second.
const MIN_WAIT: Duration = Duration::from_millis(100);
/// IPv4's least MTU (RFC 791), the search's floor.
const FLOOR: u16 = 68;
/// Tried first below a size that vanished: every IPv4 host must accept 576 bytes (RFC 791),
/// so its answer tells "the target answers at all" from "big packets vanish" at once.
const SAFE: u16 = 576;
/// The checksum of a search's echoes: like a trace's, one flow (see `wire`).
const CHECKSUM: u16 = 0x4d54;

/// How one size fared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Seen {
    Passed(Duration),
    /// A router said the packet needs fragmenting; its next-hop MTU, when it gave one.
    TooBig {
        by: IpAddr,
        mtu: Option<u16>,
    },
    /// This host's interface refused the send (EMSGSIZE).
    Local,
    /// No answer, twice.
    Silent,
    /// A router or the target said the target cannot be reached.
    Unreachable {
        by: IpAddr,
        code: u8,
    },
}

struct Search<'a> {
    socket: &'a RawIcmp,
    /// The least size searched, and the size tried first below an unanswered one:
    /// [`FLOOR`] and [`SAFE`] over IPv4, both [`IPV6_MIN_MTU`] over IPv6.
    floor: u16,
    safe: u16,
    seq: u16,
    probes: u32,
    /// The longest round trip of an answered echo so far.
    longest: Duration,
    wait: Duration,
    until: Instant,
}

impl Search<'_> {
    /// Sends `size` (`tries` times while nothing answers), and reads what came of it.
    /// `None` when the deadline comes first.
    async fn try_size(&mut self, size: u16, tries: u8) -> Result<Option<Seen>, std::io::Error> {
        for _ in 0..tries {
            let now = Instant::now();
            if now >= self.until {
                return Ok(None);
            }
            let seq = self.seq;
            self.seq = self.seq.wrapping_add(1);
            match self
                .socket
                .send_echo(64, true, usize::from(size), seq, CHECKSUM)
                .await
            {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => return Ok(Some(Seen::Local)),
                Err(e) => return Err(e),
            }
            self.probes += 1;
            let sent = Instant::now();
            let end = (sent + self.wait).min(self.until);
            loop {
                let answer = tokio::select! {
                    r = self.socket.recv() => r?,
                    _ = tokio::time::sleep_until(end) => break,
                };
                let Some((a, at)) = answer else {
                    continue;
                };
                if a.seq != seq {
                    continue;
                }
                return Ok(Some(match a.heard {
                    Heard::Reply => {
                        let rtt = at.saturating_duration_since(sent);
                        self.longest = self.longest.max(rtt);
                        self.wait = (self.longest * 4).clamp(MIN_WAIT, FIRST_WAIT);
                        Seen::Passed(rtt)
                    }
                    Heard::Unreachable {
                        code: 4,
                        next_hop_mtu,
                    } => Seen::TooBig {
                        by: a.from,
                        mtu: next_hop_mtu,
                    },
                    Heard::Unreachable { code, .. } => Seen::Unreachable { by: a.from, code },
                    // TTL 64 ran out: a routing loop; as good as no answer.
                    Heard::TimeExceeded => continue,
                }));
            }
        }
        Ok(Some(Seen::Silent))
    }
}

pub(crate) async fn probe(spec: &MtuSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let ip = match super::resolve_ip(&spec.target.expose()).await {
        Ok(ip) => ip,
        Err(o) => return o,
    };
    let (floor, safe) = match ip {
        IpAddr::V4(_) => (FLOOR, SAFE),
        IpAddr::V6(_) if spec.max < IPV6_MIN_MTU => {
            return Outcome::errored(
                ErrorKind::Config,
                format!(
                    "{ip} is an IPv6 address, and every IPv6 link carries {IPV6_MIN_MTU} bytes: `max: {}` is below that; raise `max`",
                    spec.max
                ),
            );
        }
        IpAddr::V6(_) => (IPV6_MIN_MTU, IPV6_MIN_MTU),
    };
    let socket = match cx.path.open_for_check(ip) {
        Ok(s) => s,
        Err((kind, message)) => return Outcome::errored(kind, message),
    };
    let mut s = Search {
        socket: &socket,
        floor,
        safe,
        seq: 0,
        probes: 0,
        longest: Duration::ZERO,
        wait: FIRST_WAIT,
        until: deadline.checked_sub(MARGIN).unwrap_or(deadline),
    };
    match search(&mut s, spec.max).await {
        Ok(found) => judge(spec, ip, s.probes, floor, found),
        Err(e) => Outcome::errored(
            ErrorKind::Local,
            format!("cannot send the path-MTU echoes to {ip}: {e}"),
        ),
    }
}

/// What the search found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Found {
    /// The largest size that passed, and how the next size up failed (`None`: it is `max`).
    Mtu(u16, Option<Seen>),
    /// Nothing passed, down to the floor: the target does not answer echoes at all.
    Nothing(Option<Seen>),
    Unreachable {
        by: IpAddr,
        code: u8,
    },
    /// The deadline came first, with the bounds known then.
    OutOfTime {
        lo: Option<u16>,
        hi: u16,
    },
}

async fn search(s: &mut Search<'_>, max: u16) -> Result<Found, std::io::Error> {
    // `lo` passed; `hi` did not (how: `why`); the path MTU is in [lo, hi).
    let mut lo: Option<u16> = None;
    let mut hi = max + 1;
    let mut why: Option<Seen> = None;
    // `max` is sent once at first. When it goes unanswered its retry is deferred until an
    // echo of 576 bytes has been answered: the retry then waits a few round trips, not the
    // second an unknown path needs (a black hole costs a second less).
    let mut first = max > s.safe;
    let mut deferred = false;
    let mut next = max;
    loop {
        let retrying_max = deferred && next == max;
        let tries = if first || retrying_max { 1 } else { 2 };
        let Some(seen) = s.try_size(next, tries).await? else {
            return Ok(Found::OutOfTime { lo, hi });
        };
        if std::mem::take(&mut first) && seen == Seen::Silent {
            deferred = true;
            next = s.safe;
            continue;
        }
        if retrying_max {
            deferred = false;
        }
        let mut hint = None;
        match seen {
            Seen::Passed(_) => lo = Some(next),
            Seen::Unreachable { by, code } => return Ok(Found::Unreachable { by, code }),
            Seen::TooBig { mtu, .. } => {
                hi = next;
                why = Some(seen);
                hint = mtu.filter(|&m| m < next && Some(m) > lo && m >= s.floor);
            }
            Seen::Local | Seen::Silent => {
                hi = next;
                why = Some(seen);
            }
        }
        if lo == Some(max) {
            return Ok(Found::Mtu(max, None));
        }
        // A router's next-hop MTU that passed is the answer: it said anything larger
        // cannot cross it.
        if let (Some(l), Some(Seen::TooBig { mtu: Some(m), .. })) = (lo, why)
            && l == m
        {
            return Ok(Found::Mtu(l, why));
        }
        // The deferred retry of `max`, once a smaller echo has been answered (when 576 is not
        // answered either, `max` is beyond the bounds searched and needs no retry).
        if deferred && lo.is_some() && hi > max {
            next = max;
            continue;
        }
        next = match (hint, lo) {
            (Some(m), _) => m,
            (None, Some(l)) if hi - l <= 1 => return Ok(Found::Mtu(l, why)),
            (None, Some(l)) => l + (hi - l) / 2,
            (None, None) if hi > s.safe => s.safe,
            (None, None) if hi > s.floor => s.floor,
            (None, None) => return Ok(Found::Nothing(why)),
        };
    }
}

fn judge(spec: &MtuSpec<Text>, ip: IpAddr, probes: u32, floor: u16, found: Found) -> Outcome {
    let mut m = Measurements::new();
    m.insert("probes".into(), json!(probes));
    m.insert("address".into(), json!(ip.to_string()));
    if let Some(min) = spec.min_mtu {
        m.insert("limits".into(), json!({ "path_mtu": min }));
    }
    let (mtu, why) = match found {
        Found::Mtu(mtu, why) => (mtu, why),
        Found::Unreachable { by, code } => {
            return Outcome::failed(
                Failure::new(
                    FailKind::Unreachable,
                    format!(
                        "{ip} unreachable: destination unreachable (code {code}), reported by {by}"
                    ),
                )
                .expected("echo replies", "unreachable"),
                m,
            );
        }
        Found::Nothing(Some(Seen::Local)) => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("this host cannot send even a {floor}-byte echo to {ip}"),
            );
        }
        Found::Nothing(_) => {
            return Outcome::failed(
                Failure::new(
                    FailKind::LossExceeded,
                    format!("no echo to {ip} was answered, down to {floor} bytes: the path MTU cannot be measured"),
                )
                .expected("echo replies", "none"),
                m,
            );
        }
        Found::OutOfTime { lo, hi } => {
            let known = match lo {
                Some(l) => format!("between {l} and {} bytes", hi - 1),
                None => format!("below {hi} bytes"),
            };
            return Outcome::errored(
                ErrorKind::Config,
                format!(
                    "the path-MTU search to {ip} did not finish within the check's timeout (the path MTU is {known} so far): raise the check's `timeout` (10s covers a black hole)"
                ),
            );
        }
    };
    m.insert("path_mtu".into(), json!(mtu));
    let evidence = match why {
        None => "echo",
        Some(Seen::TooBig { by, mtu: hop_mtu }) => {
            if let Some(n) = hop_mtu {
                m.insert("next_hop_mtu".into(), json!(n));
            }
            m.insert("reported_by".into(), json!(by.to_string()));
            "router"
        }
        Some(Seen::Local) => "local",
        Some(_) => "black_hole",
    };
    m.insert("mtu_evidence".into(), json!(evidence));
    m.insert("black_hole".into(), json!(evidence == "black_hole"));
    if evidence == "black_hole" {
        return Outcome::failed(
            Failure::new(
                FailKind::MtuBlackHole,
                format!(
                    "path-MTU black hole toward {ip}: echoes of {mtu} bytes are answered, larger ones vanish with no \"fragmentation needed\" from any router"
                ),
            )
            .expected("fragmentation needed reported", format!("silence above {mtu} bytes")),
            m,
        );
    }
    match spec.min_mtu {
        Some(min) if mtu < min && evidence == "local" => Outcome::errored(
            ErrorKind::Local,
            format!(
                "this host's interface toward {ip} has an MTU of {mtu} bytes, below min_mtu {min}: the path beyond it was not measured"
            ),
        ),
        Some(min) if mtu < min => {
            let by = match why {
                Some(Seen::TooBig { by, .. }) => format!(", reported by {by}"),
                _ => String::new(),
            };
            Outcome::failed(
                Failure::new(
                    FailKind::MtuTooSmall,
                    format!("path MTU to {ip} is {mtu} bytes{by}, below {min}"),
                )
                .expected(format!("path MTU ≥ {min}"), format!("{mtu} bytes")),
                m,
            )
        }
        _ => Outcome::passed(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Verdict;

    fn spec(min: Option<u16>) -> MtuSpec<Text> {
        MtuSpec {
            target: Text::plain("198.18.4.2"),
            max: 1500,
            min_mtu: min,
            min_mtu_from: None,
        }
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 4, 2));
    const PREF: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 2, 2));

    #[test]
    fn the_evidence_says_who_set_the_limit() {
        let o = judge(&spec(Some(1400)), IP, 1, FLOOR, Found::Mtu(1500, None));
        assert!(matches!(o.verdict, Verdict::Passed));
        assert_eq!(o.measurements["mtu_evidence"], json!("echo"));
        assert_eq!(o.measurements["limits"], json!({"path_mtu": 1400}));

        let router = Seen::TooBig {
            by: PREF,
            mtu: Some(1400),
        };
        let o = judge(
            &spec(Some(1400)),
            IP,
            2,
            FLOOR,
            Found::Mtu(1400, Some(router)),
        );
        assert!(matches!(o.verdict, Verdict::Passed));
        assert_eq!(o.measurements["next_hop_mtu"], json!(1400));
        assert_eq!(o.measurements["reported_by"], json!("198.18.2.2"));
        assert_eq!(o.measurements["black_hole"], json!(false));

        let o = judge(
            &spec(Some(1450)),
            IP,
            2,
            FLOOR,
            Found::Mtu(1400, Some(router)),
        );
        let Verdict::Failed(f) = o.verdict else {
            panic!()
        };
        assert_eq!(f.kind, FailKind::MtuTooSmall);
        assert_eq!(f.measured.as_deref(), Some("1400 bytes"));

        let o = judge(
            &spec(None),
            IP,
            23,
            FLOOR,
            Found::Mtu(1400, Some(Seen::Silent)),
        );
        let Verdict::Failed(f) = o.verdict else {
            panic!()
        };
        assert_eq!(f.kind, FailKind::MtuBlackHole);
        assert_eq!(o.measurements["black_hole"], json!(true));
        assert_eq!(o.measurements["path_mtu"], json!(1400));

        // This host's own interface below the minimum is not the network's failure.
        let o = judge(
            &spec(Some(1450)),
            IP,
            1,
            FLOOR,
            Found::Mtu(1400, Some(Seen::Local)),
        );
        assert!(matches!(o.verdict, Verdict::Errored(ref p) if p.kind == ErrorKind::Local));
    }
}
