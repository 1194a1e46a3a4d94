//! The `trace:` check: the hop list to the target ([`super::hops`]), judged in this order:
//! a router that says the target cannot be reached (`Unreachable`), the target not reached
//! within `max_hops` (`PathIncomplete`), the answering hops not passing `expect_via` in its
//! order (`PathMismatch`). The hop list is in the measurements (`path`) and, on a failure,
//! in the evidence as traceroute prints it.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::hops::{Trace, trace as run_trace};
use crate::model::{Cidr, Text, TraceSpec};
use crate::probe::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, ms};

/// Kept before the attempt's deadline to report.
const MARGIN: Duration = Duration::from_millis(50);

pub(crate) async fn probe(spec: &TraceSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    // The loader or the planner parsed every entry; one that fails here was built by hand.
    let mut via = Vec::with_capacity(spec.expect_via.len());
    for v in &spec.expect_via {
        match Cidr::parse(v.expose().trim()) {
            Ok(c) => via.push(c),
            Err(e) => {
                return Outcome::errored(ErrorKind::Config, format!("expect_via `{v}`: {e}"));
            }
        }
    }
    let ip = match super::resolve_ip(&spec.target.expose()).await {
        Ok(ip) => ip,
        Err(o) => return o,
    };
    let socket = match cx.path.open_for_check(ip) {
        Ok(s) => s,
        Err((kind, message)) => return Outcome::errored(kind, message),
    };
    let until = deadline.checked_sub(MARGIN).unwrap_or(deadline);
    let t = match run_trace(&socket, spec.max_hops, until).await {
        Ok(t) => t,
        Err(e) => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("cannot send the trace's echoes to {ip}: {e}"),
            );
        }
    };
    let texts: Vec<String> = spec.expect_via.iter().map(ToString::to_string).collect();
    judge(&t, ip, spec.max_hops, &via, &texts)
}

/// The verdict on a trace. `texts` are `via` as written (or filled).
fn judge(t: &Trace, ip: IpAddr, max_hops: u8, via: &[Cidr], texts: &[String]) -> Outcome {
    let mut m = path_measurements(t);
    let reached = t.reached();
    m.insert("hops".into(), json!(reached.map_or(max_hops, |r| r)));
    m.insert("address".into(), json!(ip.to_string()));
    m.insert("limits".into(), json!({ "hops": max_hops }));
    let answering: Vec<IpAddr> = t.shown().iter().filter_map(|h| h.addr).collect();
    let seen = if answering.is_empty() {
        "none".to_string()
    } else {
        join(&answering)
    };
    let missing = first_missing(via, &answering);
    if !via.is_empty() {
        m.insert("expect_via".into(), json!(texts));
        m.insert(
            "path_expected".into(),
            json!(reached.is_some() && missing.is_none()),
        );
    }
    let evidence = Some(hop_lines(t));

    if let Some((ttl, hop)) = t.unreachable() {
        let by = hop.addr.map_or("this host".to_string(), |a| a.to_string());
        let what = unreachable_words(hop.unreachable.unwrap_or(0));
        return Outcome::failed(
            Failure::new(
                FailKind::Unreachable,
                format!("{ip} unreachable: {what}, reported by {by} at hop {ttl}"),
            )
            .expected("echo replies", "unreachable"),
            m,
        )
        .with_evidence(evidence);
    }
    if reached.is_none() {
        let measured = match t.last_answered() {
            Some(a) => format!("last answered {a}"),
            None => "no hop answered".to_string(),
        };
        return Outcome::failed(
            Failure::new(
                FailKind::PathIncomplete,
                format!("{ip} not reached within {max_hops} hops ({measured}; hops seen: {seen})"),
            )
            .expected(format!("{ip} reached within {max_hops} hops"), measured),
            m,
        )
        .with_evidence(evidence);
    }
    if let Some(i) = missing {
        let after = if i == 0 {
            String::new()
        } else {
            format!(" after {}", texts[i - 1])
        };
        return Outcome::failed(
            Failure::new(
                FailKind::PathMismatch,
                format!(
                    "the path to {ip} does not pass {}{after}: hops seen {seen}",
                    texts[i]
                ),
            )
            .expected(format!("via {}", texts.join(", ")), seen),
            m,
        )
        .with_evidence(evidence);
    }
    Outcome::passed(m)
}

/// The index of the first block of `via` that the answering hops do not pass, in order: an
/// ordered subsequence, so silent hops and other routers between the expected ones are
/// allowed, and each expected block must be passed after the previous one.
fn first_missing(via: &[Cidr], answering: &[IpAddr]) -> Option<usize> {
    let mut rest = answering.iter();
    via.iter().position(|c| !rest.any(|&a| c.contains(a)))
}

/// `path`, `path_reached`, `path_last_hop`: what both the check and the path evidence of a
/// failed check record.
pub(super) fn path_measurements(t: &Trace) -> Measurements {
    let path: Vec<Value> = t
        .shown()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({
                "ttl": i + 1,
                "addr": h.addr.map(|a| a.to_string()),
                "rtt_ms": h.rtt.map(ms),
            })
        })
        .collect();
    let mut m = Measurements::new();
    m.insert("path".into(), Value::Array(path));
    m.insert("path_reached".into(), json!(t.reached().is_some()));
    if let Some(last) = t.last_answered() {
        m.insert("path_last_hop".into(), json!(last.to_string()));
    }
    m
}

/// `path: 198.18.1.2 → 198.18.2.2 → * → (last answered 198.18.2.2)`: the hops in one line,
/// silent ones `*`.
pub(super) fn path_line(t: &Trace) -> String {
    let hops: Vec<String> = t
        .shown()
        .iter()
        .map(|h| h.addr.map_or("*".to_string(), |a| a.to_string()))
        .collect();
    let end = match (t.reached(), t.unreachable(), t.last_answered()) {
        (Some(_), _, _) => "(reached)".to_string(),
        (None, Some((_, h)), _) => format!(
            "({}, reported by {})",
            unreachable_words(h.unreachable.unwrap_or(0)),
            h.addr.map_or("this host".to_string(), |a| a.to_string())
        ),
        (None, None, Some(a)) => format!("(last answered {a})"),
        (None, None, None) => "(no hop answered)".to_string(),
    };
    format!("path: {} → {end}", hops.join(" → "))
}

/// The hops as traceroute prints them: `1  198.18.1.2  0.081 ms`, `3  *`.
fn hop_lines(t: &Trace) -> String {
    let mut out = String::new();
    for (i, h) in t.shown().iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = match (h.addr, h.rtt) {
            (Some(a), Some(r)) => write!(out, "{}  {a}  {:.3} ms", i + 1, r.as_secs_f64() * 1e3),
            _ => write!(out, "{}  *", i + 1),
        };
    }
    out
}

fn join(addrs: &[IpAddr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An ICMP destination-unreachable code in words (RFC 792, RFC 1812).
fn unreachable_words(code: u8) -> String {
    match code {
        0 => "network unreachable".to_string(),
        1 => "host unreachable".to_string(),
        3 => "port unreachable".to_string(),
        4 => "fragmentation needed".to_string(),
        9 | 10 | 13 => "administratively prohibited".to_string(),
        c => format!("destination unreachable (code {c})"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::hops::Hop;
    use super::*;
    use crate::outcome::Verdict;

    fn chain(answers: &[Option<[u8; 4]>], reached: bool) -> Trace {
        let mut hops = vec![Hop::default(); 30];
        for (i, a) in answers.iter().enumerate() {
            if let Some(a) = a {
                hops[i] = Hop {
                    addr: Some(IpAddr::from(*a)),
                    rtt: Some(Duration::from_micros(120)),
                    reached: reached && i + 1 == answers.len(),
                    unreachable: None,
                };
            }
        }
        Trace { hops, sent: 60 }
    }

    const HOST: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 4, 2));

    fn via(v: &[&str]) -> (Vec<Cidr>, Vec<String>) {
        (
            v.iter().map(|s| Cidr::parse(s).unwrap()).collect(),
            v.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn expect_via_is_an_ordered_subsequence_that_tolerates_silent_hops() {
        let t = chain(
            &[
                Some([198, 18, 1, 2]),
                None,
                Some([198, 18, 3, 2]),
                Some([198, 18, 4, 2]),
            ],
            true,
        );
        let (c, s) = via(&["198.18.1.0/24", "198.18.3.2"]);
        let o = judge(&t, HOST, 30, &c, &s);
        assert!(matches!(o.verdict, Verdict::Passed), "{:?}", o.verdict);
        assert_eq!(o.measurements["path_expected"], json!(true));
        assert_eq!(o.measurements["hops"], json!(4));
        assert_eq!(
            o.measurements["path"][1],
            json!({"ttl": 2, "addr": null, "rtt_ms": null})
        );
        assert_eq!(o.measurements["path_last_hop"], json!("198.18.4.2"));
        assert_eq!(o.measurements["limits"], json!({"hops": 30}));
        // Out of order: the county router before the provincial one.
        let (c, s) = via(&["198.18.3.2", "198.18.1.0/24"]);
        let o = judge(&t, HOST, 30, &c, &s);
        let Verdict::Failed(f) = o.verdict else {
            panic!("{:?}", o.verdict)
        };
        assert_eq!(f.kind, FailKind::PathMismatch);
        assert!(
            f.message
                .contains("does not pass 198.18.1.0/24 after 198.18.3.2"),
            "{}",
            f.message
        );
        assert_eq!(
            f.measured.as_deref(),
            Some("198.18.1.2, 198.18.3.2, 198.18.4.2")
        );
        assert_eq!(o.measurements["path_expected"], json!(false));
        // The silent hop was the one expected: not passed, as far as anyone can tell.
        let (c, s) = via(&["198.18.2.0/24"]);
        let o = judge(&t, HOST, 30, &c, &s);
        assert!(matches!(o.verdict, Verdict::Failed(ref f) if f.kind == FailKind::PathMismatch));
    }

    #[test]
    fn a_target_not_reached_is_incomplete_and_names_the_last_hop() {
        let t = chain(&[Some([198, 18, 1, 2]), Some([198, 18, 2, 2])], false);
        let o = judge(&t, HOST, 8, &[], &[]);
        let Verdict::Failed(f) = o.verdict else {
            panic!("{:?}", o.verdict)
        };
        assert_eq!(f.kind, FailKind::PathIncomplete);
        assert_eq!(f.measured.as_deref(), Some("last answered 198.18.2.2"));
        assert_eq!(o.measurements["path_reached"], json!(false));
        assert_eq!(o.measurements["hops"], json!(8));
        assert!(o.measurements.get("path_expected").is_none());
        assert_eq!(
            path_line(&t),
            "path: 198.18.1.2 → 198.18.2.2 → * → (last answered 198.18.2.2)"
        );
        assert_eq!(
            o.evidence.as_deref(),
            Some("1  198.18.1.2  0.120 ms\n2  198.18.2.2  0.120 ms\n3  *")
        );
    }

    #[test]
    fn a_router_that_says_unreachable_fails_the_trace_as_unreachable() {
        let mut t = chain(&[Some([198, 18, 1, 2]), Some([198, 18, 2, 2])], false);
        t.hops[1].unreachable = Some(1);
        let o = judge(&t, HOST, 30, &[], &[]);
        let Verdict::Failed(f) = o.verdict else {
            panic!("{:?}", o.verdict)
        };
        assert_eq!(f.kind, FailKind::Unreachable);
        assert!(
            f.message
                .contains("host unreachable, reported by 198.18.2.2 at hop 2")
        );
        assert_eq!(
            path_line(&t),
            "path: 198.18.1.2 → 198.18.2.2 → (host unreachable, reported by 198.18.2.2)"
        );
    }
}
