//! The verdict on a probe's echoes: loss over the echoes sent, then the round trips'
//! mean, 95th percentile, IPDV and jitter against the spec's limits (its class's filled in),
//! in that order, the first one over its limit failing the check; the figures (sent,
//! received, loss, round-trip statistics, the limits judged) as measurements and each
//! echo's fate as evidence.
//!
//! The statistics are over the replies received, in the order their echoes were sent
//! (FORMAT.md, "icmp"):
//! - percentiles `rtt_p50_ms`, `rtt_p95_ms`, `rtt_p99_ms` by nearest rank: the value of
//!   rank ⌈p · n⌉ among the n round trips sorted, a round trip that was measured (no
//!   interpolation);
//! - `ipdv_ms`, IP packet delay variation as ITU-T Y.1540 defines it (an upper quantile of
//!   delay minus the least delay), with Y.1541's quantile, 1 − 10⁻³, by nearest rank: below
//!   a thousand replies that is the largest, so IPDV is then `max − min`. It is measured on
//!   round trips, not on one-way delay, which needs synchronised clocks at both ends;
//! - `jitter_ms`, RFC 3550's interarrival jitter (§6.4.1), with the round trip standing for
//!   the transit time: `J += (|D| − J) / 16`, D the difference between successive replies'
//!   round trips, J starting at 0. It is a smoothed mean of successive differences, where
//!   IPDV is the spread of the whole distribution.

use std::fmt::Write as _;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use serde_json::json;

use super::echo::Echo;
use crate::model::{IcmpLimits, IcmpSpec, Percent, Text};
use crate::probe::{ErrorKind, FailKind, Failure, Measurements, Outcome, ms};

pub(super) fn judge(spec: &IcmpSpec<Text>, ip: IpAddr, echoes: &[Echo], planned: u32) -> Outcome {
    let sent = echoes.len();
    let rtts: Vec<Duration> = echoes
        .iter()
        .filter_map(|e| match e {
            Echo::Reply(d) => Some(*d),
            _ => None,
        })
        .collect();
    let received = rtts.len();
    let loss = (sent - received) as f64 * 100.0 / sent as f64;
    let limits = spec.limits();

    let mut m = Measurements::new();
    m.insert("sent".into(), json!(sent));
    m.insert("received".into(), json!(received));
    m.insert("loss_pct".into(), json!((loss * 100.0).round() / 100.0));
    let stats = Stats::of(&rtts);
    if let Some(s) = &stats {
        m.insert("rtt_min_ms".into(), ms(s.min));
        m.insert("rtt_avg_ms".into(), ms(s.avg));
        m.insert("rtt_max_ms".into(), ms(s.max));
        m.insert("rtt_stddev_ms".into(), ms(s.stddev));
        m.insert("rtt_p50_ms".into(), ms(s.p50));
        m.insert("rtt_p95_ms".into(), ms(s.p95));
        m.insert("rtt_p99_ms".into(), ms(s.p99));
        m.insert("ipdv_ms".into(), ms(s.ipdv));
        m.insert("jitter_ms".into(), ms(s.jitter));
    }
    m.insert("address".into(), json!(ip.to_string()));
    if let Some(class) = spec.class {
        m.insert("class".into(), json!(class.as_str()));
    }
    let judged = limits_judged(&limits);
    if !judged.is_empty() {
        m.insert("limits".into(), serde_json::Value::Object(judged));
    }

    let short = if (sent as u32) < planned {
        format!(" ({sent} of {planned} echoes fitted before the deadline)")
    } else {
        String::new()
    };
    let evidence = Some(evidence(echoes));
    // Said after a message whose limit came from the class rather than the check's own key.
    let from_class = |own: bool| match spec.class {
        Some(c) if !own => format!(" ({c} round-trip objective)"),
        _ => String::new(),
    };

    let Some(stats) = stats else {
        for e in echoes {
            match e {
                Echo::Broken(why) => {
                    return Outcome::errored(ErrorKind::Internal, format!("ICMP to {ip}: {why}"));
                }
                Echo::SendFailed(err) if !is_route_error(err) => {
                    return Outcome::errored(
                        ErrorKind::Local,
                        format!("cannot send ICMP echo to {ip}: {err}"),
                    );
                }
                _ => {}
            }
        }
        let unreachable = echoes.iter().find_map(|e| match e {
            Echo::Unreachable(what) => Some(what.clone()),
            Echo::SendFailed(err) => Some(format!("no route ({err})")),
            _ => None,
        });
        if let Some(what) = unreachable {
            return Outcome::failed(
                Failure::new(
                    FailKind::Unreachable,
                    format!("{ip} unreachable: {what}; 0 of {sent} replies{short}"),
                )
                .expected("echo replies", "unreachable"),
                m,
            )
            .with_evidence(evidence);
        }
        return Outcome::failed(
            Failure::new(
                FailKind::LossExceeded,
                format!("100 % loss: 0 of {sent} replies from {ip}{short}"),
            )
            .expected(expected_loss(limits.max_loss), "100 %"),
            m,
        )
        .with_evidence(evidence);
    };
    if let Some(max) = limits.max_loss
        && loss > max.0
    {
        return Outcome::failed(
            Failure::new(
                FailKind::LossExceeded,
                format!(
                    "{} loss: {received} of {sent} replies from {ip}, more than {max}{}{short}",
                    percent(loss),
                    from_class(spec.max_loss.is_some()),
                ),
            )
            .expected(expected_loss(limits.max_loss), percent(loss)),
            m,
        )
        .with_evidence(evidence);
    }
    // The delay figures, in the order they are judged.
    let delays = [
        (
            limits.max_rtt,
            stats.avg,
            spec.max_rtt.is_some(),
            FailKind::RttExceeded,
            "average round trip",
            "average rtt",
        ),
        (
            limits.max_p95,
            stats.p95,
            true,
            FailKind::RttExceeded,
            "95th percentile round trip",
            "p95 rtt",
        ),
        (
            limits.max_ipdv,
            stats.ipdv,
            spec.max_ipdv.is_some(),
            FailKind::IpdvExceeded,
            "delay variation (IPDV, 99.9th percentile minus least round trip)",
            "ipdv",
        ),
        (
            limits.max_jitter,
            stats.jitter,
            true,
            FailKind::JitterExceeded,
            "interarrival jitter (RFC 3550, over round trips)",
            "jitter",
        ),
    ];
    for (max, value, own, kind, what, short_name) in delays {
        let Some(max) = max else { continue };
        if value <= max.as_std() {
            continue;
        }
        let v = format!("{:.3} ms", value.as_secs_f64() * 1e3);
        return Outcome::failed(
            Failure::new(
                kind,
                format!("{what} {v} from {ip}, more than {max}{}", from_class(own)),
            )
            .expected(format!("{short_name} ≤ {max}"), v),
            m,
        )
        .with_evidence(evidence);
    }
    Outcome::passed(m)
}

/// The round-trip statistics of the replies received, in send order (the module's
/// documentation defines each).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stats {
    pub(super) min: Duration,
    pub(super) avg: Duration,
    pub(super) max: Duration,
    pub(super) stddev: Duration,
    pub(super) p50: Duration,
    pub(super) p95: Duration,
    pub(super) p99: Duration,
    pub(super) ipdv: Duration,
    pub(super) jitter: Duration,
}

impl Stats {
    /// `None` without a reply.
    pub(super) fn of(rtts: &[Duration]) -> Option<Stats> {
        let n = rtts.len();
        if n == 0 {
            return None;
        }
        let mut sorted = rtts.to_vec();
        sorted.sort_unstable();
        let mean = rtts.iter().map(Duration::as_secs_f64).sum::<f64>() / n as f64;
        let var = rtts
            .iter()
            .map(|d| (d.as_secs_f64() - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        let mut jitter = 0.0_f64;
        for w in rtts.windows(2) {
            let d = (w[1].as_secs_f64() - w[0].as_secs_f64()).abs();
            jitter += (d - jitter) / 16.0;
        }
        let min = sorted[0];
        Some(Stats {
            min,
            avg: Duration::from_secs_f64(mean),
            max: sorted[n - 1],
            stddev: Duration::from_secs_f64(var.sqrt()),
            p50: nearest_rank(&sorted, 500),
            p95: nearest_rank(&sorted, 950),
            p99: nearest_rank(&sorted, 990),
            ipdv: nearest_rank(&sorted, 999).saturating_sub(min),
            jitter: Duration::from_secs_f64(jitter),
        })
    }
}

/// The nearest-rank percentile of `sorted` (not empty) at `per_mille` / 1000: the value of
/// rank ⌈p · n⌉, in whole numbers so that 99.9 % of 1,000 is rank 999 exactly.
fn nearest_rank(sorted: &[Duration], per_mille: usize) -> Duration {
    let n = sorted.len();
    let rank = (n * per_mille).div_ceil(1000).clamp(1, n);
    sorted[rank - 1]
}

/// The `limits` measurement: each limit judged, under its figure's key.
fn limits_judged(l: &IcmpLimits) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if let Some(p) = l.max_loss {
        out.insert("loss_pct".into(), json!(p.0));
    }
    let pairs = [
        ("rtt_avg_ms", l.max_rtt),
        ("rtt_p95_ms", l.max_p95),
        ("ipdv_ms", l.max_ipdv),
        ("jitter_ms", l.max_jitter),
    ];
    for (key, d) in pairs {
        if let Some(d) = d {
            out.insert(key.into(), ms(d.as_std()));
        }
    }
    out
}

/// A send refused for want of a route is the network's answer, not a local fault.
fn is_route_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable
    )
}

fn expected_loss(max_loss: Option<Percent>) -> String {
    match max_loss {
        Some(max) => format!("loss ≤ {max}"),
        None => "at least one reply".to_string(),
    }
}

/// `40 %`, `33.3 %`: the figure as a person reads it, the exact one is in the measurements.
fn percent(p: f64) -> String {
    let s = format!("{p:.1}");
    format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
}

/// Echoes up to which the evidence lists every one; above, only those not answered.
const EVIDENCE_ALL: usize = 20;
/// Unanswered echoes listed at most.
const EVIDENCE_UNANSWERED: usize = 50;

/// Each echo's fate in order: `0.052 ms, lost, host unreachable, reported by 10.1.0.254`.
/// A long probe (a thousand echoes) lists only the echoes not answered, after a count: the
/// replies' figures are in the measurements.
fn evidence(echoes: &[Echo]) -> String {
    let mut out = String::new();
    let long = echoes.len() > EVIDENCE_ALL;
    if long {
        let replies = echoes
            .iter()
            .filter(|e| matches!(e, Echo::Reply(_)))
            .count();
        let _ = write!(
            out,
            "{} echoes: {replies} replies, {} not answered",
            echoes.len(),
            echoes.len() - replies
        );
    }
    let mut listed = 0;
    for (i, e) in echoes.iter().enumerate() {
        if long && matches!(e, Echo::Reply(_)) {
            continue;
        }
        if long && listed == EVIDENCE_UNANSWERED {
            let left = echoes[i..]
                .iter()
                .filter(|e| !matches!(e, Echo::Reply(_)))
                .count();
            let _ = write!(out, "\n… and {left} more not answered");
            break;
        }
        listed += 1;
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = match e {
            Echo::Reply(d) => write!(
                out,
                "echo {}: reply in {:.3} ms",
                i + 1,
                d.as_secs_f64() * 1e3
            ),
            Echo::Lost => write!(out, "echo {}: no reply", i + 1),
            Echo::Unreachable(what) => write!(out, "echo {}: {what}", i + 1),
            Echo::SendFailed(err) => write!(out, "echo {}: not sent: {err}", i + 1),
            Echo::Broken(why) => write!(out, "echo {}: {why}", i + 1),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Duration as Limit, QosClass};
    use crate::outcome::Verdict;

    fn ms_(v: f64) -> Duration {
        Duration::from_secs_f64(v / 1e3)
    }

    fn replies(v: &[f64]) -> Vec<Echo> {
        v.iter().map(|&x| Echo::Reply(ms_(x))).collect()
    }

    fn spec() -> IcmpSpec<Text> {
        IcmpSpec::new(Text::plain("192.0.2.1"))
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    fn close(a: Duration, b: f64) -> bool {
        (a.as_secs_f64() * 1e3 - b).abs() < 1e-6
    }

    /// Round trips 10, 30, 20, 40, 100 ms in send order, worked by hand:
    /// sorted 10 20 30 40 100; p50 = rank ⌈2.5⌉ = 3 → 30; p95 = rank ⌈4.75⌉ = 5 → 100;
    /// p99 → 100; IPDV = rank ⌈4.995⌉ = 5 → 100 − 10 = 90; jitter over |D| = 20, 10, 20, 60:
    /// 1.25, 1.796875, 2.934570…, 6.501160… (J += (|D| − J)/16).
    #[test]
    fn statistics_of_five_round_trips_by_hand() {
        let s = Stats::of(&[ms_(10.0), ms_(30.0), ms_(20.0), ms_(40.0), ms_(100.0)]).unwrap();
        assert!(close(s.min, 10.0) && close(s.max, 100.0), "{s:?}");
        assert!(close(s.avg, 40.0), "{s:?}");
        assert!(close(s.p50, 30.0), "{s:?}");
        assert!(close(s.p95, 100.0) && close(s.p99, 100.0), "{s:?}");
        assert!(close(s.ipdv, 90.0), "{s:?}");
        let mut j = 0.0;
        for d in [20.0, 10.0, 20.0, 60.0] {
            j += (d - j) / 16.0;
        }
        assert!((j - 6.501_159_667_968_75_f64).abs() < 1e-9, "{j}");
        assert!((s.jitter.as_secs_f64() * 1e3 - j).abs() < 1e-6, "{s:?}");
    }

    /// A thousand round trips 1 … 1000 ms: p50 is rank 500, p95 rank 950, p99 rank 990, and
    /// IPDV's 1 − 10⁻³ quantile rank 999, so IPDV is 999 − 1 = 998 ms, not the maximum.
    #[test]
    fn a_thousand_round_trips_take_the_ranks_of_the_quantiles() {
        let v: Vec<Duration> = (1..=1000).map(|i| ms_(f64::from(i))).collect();
        let s = Stats::of(&v).unwrap();
        assert!(close(s.p50, 500.0), "{s:?}");
        assert!(close(s.p95, 950.0), "{s:?}");
        assert!(close(s.p99, 990.0), "{s:?}");
        assert!(close(s.ipdv, 998.0), "{s:?}");
        // Each successive difference is 1 ms: J tends to 1 ms (1 − (15/16)^999).
        assert!((s.jitter.as_secs_f64() * 1e3 - 1.0).abs() < 1e-9, "{s:?}");
        // Steady round trips have no jitter and no IPDV.
        let s = Stats::of(&[ms_(5.0); 10]).unwrap();
        assert!(close(s.ipdv, 0.0) && close(s.jitter, 0.0), "{s:?}");
    }

    fn failed(o: &Outcome) -> &Failure {
        match &o.verdict {
            Verdict::Failed(f) => f,
            v => panic!("expected a failure, got {v:?}"),
        }
    }

    /// Loss, then the mean, p95, IPDV and jitter: the first over its limit is the verdict,
    /// and every figure and limit is written either way.
    #[test]
    fn limits_are_judged_in_order_and_all_written() {
        let echoes = replies(&[10.0, 30.0, 20.0, 40.0, 100.0]);
        let mut s = spec();
        s.max_rtt = Some(Limit::from_millis(50));
        s.max_p95 = Some(Limit::from_millis(90));
        s.max_ipdv = Some(Limit::from_millis(80));
        s.max_jitter = Some(Limit::from_millis(5));
        let o = judge(&s, IP, &echoes, 5);
        let f = failed(&o);
        assert_eq!(f.kind, FailKind::RttExceeded);
        assert_eq!(f.expected.as_deref(), Some("p95 rtt ≤ 90ms"));
        assert_eq!(f.measured.as_deref(), Some("100.000 ms"));
        assert_eq!(o.measurements["ipdv_ms"], json!(90.0));
        assert_eq!(
            o.measurements["limits"],
            json!({"rtt_avg_ms": 50.0, "rtt_p95_ms": 90.0, "ipdv_ms": 80.0, "jitter_ms": 5.0})
        );

        s.max_p95 = None;
        let f = failed(&judge(&s, IP, &echoes, 5)).clone();
        assert_eq!(f.kind, FailKind::IpdvExceeded);
        assert_eq!(f.expected.as_deref(), Some("ipdv ≤ 80ms"));
        assert_eq!(f.measured.as_deref(), Some("90.000 ms"));

        s.max_ipdv = Some(Limit::from_millis(90));
        let f = failed(&judge(&s, IP, &echoes, 5)).clone();
        assert_eq!(f.kind, FailKind::JitterExceeded);
        assert_eq!(f.expected.as_deref(), Some("jitter ≤ 5ms"));
        assert_eq!(f.measured.as_deref(), Some("6.501 ms"));

        s.max_jitter = Some(Limit::from_millis(7));
        assert!(matches!(judge(&s, IP, &echoes, 5).verdict, Verdict::Passed));

        // Loss comes first, even with every delay over its limit.
        let mut lossy = echoes;
        lossy.push(Echo::Lost);
        s.max_loss = Some(Percent(10.0));
        s.max_rtt = Some(Limit::from_millis(1));
        let o = judge(&s, IP, &lossy, 6);
        assert_eq!(failed(&o).kind, FailKind::LossExceeded);
        assert_eq!(o.measurements["limits"]["loss_pct"], json!(10.0));
        assert_eq!(o.measurements["rtt_p95_ms"], json!(100.0));
    }

    /// A class fills the limits the check leaves unset, round trip against twice the
    /// one-way delay objectives, and says so; the check's own keys win.
    #[test]
    fn a_class_fills_unset_limits_and_explicit_keys_win() {
        let mut s = spec();
        s.class = Some(QosClass::Y0);
        // Mean 210 ms: over class 0's 2 × 100 ms.
        let echoes = replies(&[200.0, 210.0, 220.0]);
        let o = judge(&s, IP, &echoes, 3);
        let f = failed(&o);
        assert_eq!(f.kind, FailKind::RttExceeded);
        assert_eq!(f.expected.as_deref(), Some("average rtt ≤ 200ms"));
        assert!(
            f.message.contains("(y1541-0 round-trip objective)"),
            "{}",
            f.message
        );
        assert_eq!(o.measurements["class"], json!("y1541-0"));
        assert_eq!(
            o.measurements["limits"],
            json!({"loss_pct": 0.1, "rtt_avg_ms": 200.0, "ipdv_ms": 100.0})
        );
        s.max_rtt = Some(Limit::from_millis(250));
        let o = judge(&s, IP, &echoes, 3);
        assert!(matches!(o.verdict, Verdict::Passed), "{o:?}");
        assert_eq!(o.measurements["limits"]["rtt_avg_ms"], json!(250.0));
    }

    /// A thousand echoes list only those not answered, after a count.
    #[test]
    fn long_probes_list_only_the_unanswered_echoes() {
        let mut echoes = replies(&[1.0; 1000]);
        echoes[199] = Echo::Lost;
        echoes[399] = Echo::Lost;
        let e = evidence(&echoes);
        assert_eq!(
            e,
            "1000 echoes: 998 replies, 2 not answered\necho 200: no reply\necho 400: no reply"
        );
        let mut many = replies(&[1.0; 100]);
        for e in many.iter_mut().take(60) {
            *e = Echo::Lost;
        }
        let e = evidence(&many);
        assert_eq!(e.lines().count(), 1 + 50 + 1, "{e}");
        assert!(e.ends_with("… and 10 more not answered"), "{e}");
        assert_eq!(evidence(&replies(&[1.0, 2.0])).lines().count(), 2);
    }
}
