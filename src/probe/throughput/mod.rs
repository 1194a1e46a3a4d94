//! Throughput prober: one iperf3 test against a standard `iperf3 -s` (the protocol is
//! spoken here, `iperf3`), judged on the throughput the receiver counted: the server's for
//! `up` (its results, bytes over its own time, as `iperf3 -s` prints as `receiver`), ours
//! for `down`. Megabits are 10^6 bit.
//!
//! Failed and errored, as everywhere: a server that cannot be reached (refused, reset,
//! unreachable, silent), a link that drops the test mid-way, a peer that does not speak
//! iperf3, and a throughput below `min_mbps` are findings about the target or the link
//! (**failed**). A server busy with another client's test (iperf3 serves one at a time and
//! answers `ACCESS_DENIED`), one that reports an error of its own or is stopped mid-test,
//! measured nothing of the link: **errored** with `TestServer`, so that a busy server at the
//! far end does not turn into a link that failed its acceptance.

mod iperf3;

use serde_json::json;
use tokio::time::Instant;

use super::resolve::resolve;
use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome};
use crate::model::{Direction, Text, ThroughputSpec};

/// The longest wait for each step of the exchange before and after the data flows (the
/// connect, each state, the results); the loader keeps `THROUGHPUT_SETUP` for all of them.
const STEP: std::time::Duration = std::time::Duration::from_secs(3);

pub(crate) async fn probe(
    spec: &ThroughputSpec<Text>,
    _cx: &Context,
    _deadline: Instant,
) -> Outcome {
    let host = spec.target.expose();
    let addr = match resolve(host.trim(), spec.port).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let test = iperf3::Test {
        addr,
        duration: spec.duration.as_std(),
        streams: spec.streams,
        reverse: spec.direction == Direction::Down,
        step: STEP,
    };
    let mut m = Measurements::new();
    m.insert("address".into(), json!(addr.to_string()));
    m.insert("direction".into(), json!(spec.direction.as_str()));
    m.insert("streams".into(), json!(spec.streams));
    if let Some(min) = spec.min_mbps {
        m.insert("limits".into(), json!({ "mbps": min }));
    }
    match iperf3::run(test).await {
        Ok(f) => judge(spec, addr, f, m),
        Err(e) => not_measured(addr, e, &m),
    }
}

fn judge(
    spec: &ThroughputSpec<Text>,
    addr: std::net::SocketAddr,
    f: iperf3::Figures,
    mut m: Measurements,
) -> Outcome {
    let mbps = if f.seconds > 0.0 {
        f.bytes as f64 * 8.0 / f.seconds / 1e6
    } else {
        0.0
    };
    let mbps = (mbps * 1_000.0).round() / 1_000.0;
    m.insert("mbps".into(), json!(mbps));
    m.insert("bytes".into(), json!(f.bytes));
    m.insert(
        "seconds".into(),
        json!((f.seconds * 1_000.0).round() / 1_000.0),
    );
    if let Some(r) = f.retransmits {
        m.insert("retransmits".into(), json!(r));
    }
    match spec.min_mbps {
        Some(min) if mbps < min => Outcome::failed(
            Failure::new(
                FailKind::ThroughputLow,
                format!(
                    "{mbps} Mbit/s {} with {addr} over {} stream(s), less than {min} Mbit/s",
                    spec.direction.as_str(),
                    spec.streams
                ),
            )
            .expected(
                format!("throughput ≥ {min} Mbit/s"),
                format!("{mbps} Mbit/s"),
            ),
            m,
        ),
        _ => Outcome::passed(m),
    }
}

fn not_measured(addr: std::net::SocketAddr, e: iperf3::Error, m: &Measurements) -> Outcome {
    use iperf3::Error as E;
    let fail = |kind, message: String, measured: &str| {
        Outcome::failed(
            Failure::new(kind, message).expected("an iperf3 test", measured),
            m.clone(),
        )
    };
    match e {
        E::Connect(e) => super::tcp::connect_failed(addr, &e, m.clone()),
        E::StreamConnect(e) => match super::tcp::connect_failed(addr, &e, m.clone()) {
            Outcome {
                verdict: super::Verdict::Failed(mut f),
                measurements,
                evidence,
            } => {
                f.message = format!("a data stream to {}", f.message);
                Outcome {
                    verdict: super::Verdict::Failed(f),
                    measurements,
                    evidence,
                }
            }
            other => other,
        },
        E::Busy => Outcome::errored(
            ErrorKind::TestServer,
            format!(
                "the iperf3 server at {addr} is busy running another client's test (ACCESS_DENIED): nothing was measured"
            ),
        ),
        E::Server { code, errno } => Outcome::errored(
            ErrorKind::TestServer,
            if errno > 0 {
                format!(
                    "the iperf3 server at {addr} reported its error {code} ({})",
                    std::io::Error::from_raw_os_error(errno)
                )
            } else {
                format!("the iperf3 server at {addr} reported its error {code}")
            },
        ),
        E::Terminated => Outcome::errored(
            ErrorKind::TestServer,
            format!("the iperf3 server at {addr} was stopped during the test"),
        ),
        E::Closed(phase) => fail(
            FailKind::ConnectionReset,
            format!("{addr}: connection closed during {phase}"),
            "connection closed",
        ),
        E::Stalled(phase) => fail(
            FailKind::Timeout,
            format!(
                "{addr}: no answer during {phase} within {}s",
                STEP.as_secs()
            ),
            "timed out",
        ),
        E::Protocol(what) => fail(
            FailKind::ProtocolError,
            format!("{addr} does not speak iperf3: {what}"),
            "not iperf3",
        ),
        E::Io(e) if super::local_exhaustion(&e) => Outcome::errored(
            ErrorKind::Local,
            format!("cannot carry on a test with {addr} here: {e}"),
        ),
        E::Io(e) => Outcome::errored(
            ErrorKind::Local,
            format!("the test with {addr} failed here: {e}"),
        ),
    }
}
