//! The verdict on a probe's echoes: loss over the echoes sent, then the average round trip,
//! against the spec; the figures (sent, received, loss, round trips) as measurements and
//! each echo's fate as evidence.

use std::fmt::Write as _;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use serde_json::json;

use super::echo::Echo;
use crate::model::{IcmpSpec, Text};
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

    let mut m = Measurements::new();
    m.insert("sent".into(), json!(sent));
    m.insert("received".into(), json!(received));
    m.insert("loss_pct".into(), json!((loss * 100.0).round() / 100.0));
    let mut avg = Duration::ZERO;
    if received > 0 {
        let min = rtts.iter().min().copied().unwrap_or_default();
        let max = rtts.iter().max().copied().unwrap_or_default();
        let mean = rtts.iter().map(Duration::as_secs_f64).sum::<f64>() / received as f64;
        let var = rtts
            .iter()
            .map(|d| (d.as_secs_f64() - mean).powi(2))
            .sum::<f64>()
            / received as f64;
        avg = Duration::from_secs_f64(mean);
        m.insert("rtt_min_ms".into(), ms(min));
        m.insert("rtt_avg_ms".into(), ms(avg));
        m.insert("rtt_max_ms".into(), ms(max));
        m.insert(
            "rtt_stddev_ms".into(),
            ms(Duration::from_secs_f64(var.sqrt())),
        );
    }
    m.insert("address".into(), json!(ip.to_string()));

    let short = if (sent as u32) < planned {
        format!(" ({sent} of {planned} echoes fitted before the deadline)")
    } else {
        String::new()
    };
    let evidence = Some(evidence(echoes));

    if received == 0 {
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
            .expected(expected_loss(spec), "100 %"),
            m,
        )
        .with_evidence(evidence);
    }
    if let Some(max) = spec.max_loss
        && loss > max.0
    {
        return Outcome::failed(
            Failure::new(
                FailKind::LossExceeded,
                format!(
                    "{} loss: {received} of {sent} replies from {ip}, more than {max}{short}",
                    percent(loss)
                ),
            )
            .expected(expected_loss(spec), percent(loss)),
            m,
        )
        .with_evidence(evidence);
    }
    if let Some(max) = spec.max_rtt
        && avg > max.as_std()
    {
        let avg_ms = format!("{:.3} ms", avg.as_secs_f64() * 1e3);
        return Outcome::failed(
            Failure::new(
                FailKind::RttExceeded,
                format!("average round trip {avg_ms} from {ip}, more than {max}"),
            )
            .expected(format!("average rtt ≤ {max}"), avg_ms),
            m,
        )
        .with_evidence(evidence);
    }
    Outcome::passed(m)
}

/// A send refused for want of a route is the network's answer, not a local fault.
fn is_route_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable
    )
}

fn expected_loss(spec: &IcmpSpec<Text>) -> String {
    match spec.max_loss {
        Some(max) => format!("loss ≤ {max}"),
        None => "at least one reply".to_string(),
    }
}

/// `40 %`, `33.3 %`: the figure as a person reads it, the exact one is in the measurements.
fn percent(p: f64) -> String {
    let s = format!("{p:.1}");
    format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
}

/// Each echo's fate in order: `0.052 ms, lost, host unreachable, reported by 10.1.0.254`.
fn evidence(echoes: &[Echo]) -> String {
    let mut out = String::new();
    for (i, e) in echoes.iter().enumerate() {
        if i > 0 {
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
