//! The throughput prober against Debian's own `iperf3 -s` on loopback (a server we did not
//! write, speaking its own protocol): up and down, one and four streams, the figures
//! compared with what the server itself reports (`iperf3 -s -J`'s `sum_received` and
//! `sum_sent`), `min_mbps` failing as `ThroughputLow`, a refused port, and a server busy
//! with another client's test (`TestServer`, errored: nothing was measured).
//!
//! Without iperf3 on the machine each test is skipped by the skip rule; CI installs it.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use netaccept::model::{Direction, Duration, Probe, Text, ThroughputSpec};
use netaccept::probe::{Context, ErrorKind, FailKind, Outcome, Verdict};
use serde_json::Value;
use tokio::time::Instant;

use crate::support::host::skip;

/// A free port on loopback (bound, then released for the server).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a socket listens on 127.0.0.1:`port` (`/proc/net/tcp`, state 0A).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3 && f[1] == local && f[3] == "0A"
    })
}

/// `iperf3 -s -1 -J` on 127.0.0.1: one test, then its JSON on stdout and exit.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(test: &str) -> Option<Server> {
        Server::start_with(test, &["-1", "-J"])
    }

    fn start_with(test: &str, args: &[&str]) -> Option<Server> {
        if Command::new("iperf3")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            skip(&format!(
                "{test}: iperf3 is not installed (apt-get install iperf3)"
            ));
            return None;
        }
        let port = free_port();
        let child = Command::new("iperf3")
            .args(["-s", "-B", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("iperf3 -s");
        // Listening, as the kernel says: a connect to find out would be taken as a client
        // (and with `-1` end the server).
        for _ in 0..250 {
            if listening(port) {
                break;
            }
            std::thread::sleep(StdDuration::from_millis(20));
        }
        Some(Server { child, port })
    }

    /// The server's JSON report of its one test.
    fn report(mut self) -> Value {
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let _ = self.child.wait();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("iperf3 -J: {e}: {out}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spec(port: u16, secs: u64, streams: u32, direction: Direction) -> ThroughputSpec<Text> {
    ThroughputSpec {
        target: Text::plain("127.0.0.1"),
        port,
        duration: Duration::from_millis(secs * 1_000),
        streams,
        direction,
        min_mbps: None,
    }
}

async fn probe(s: &ThroughputSpec<Text>) -> Outcome {
    let cx = Context::new(std::path::Path::new("."));
    let deadline = Instant::now() + s.duration.as_std() + StdDuration::from_secs(5);
    tokio::time::timeout_at(
        deadline,
        netaccept::probe::probe(&Probe::Throughput(s.clone()), &cx, deadline),
    )
    .await
    .expect("the prober ends within its check's timeout")
}

fn mbps(o: &Outcome) -> f64 {
    o.measurements["mbps"].as_f64().unwrap()
}

/// Our figure against the server's own, within 3 %.
fn agrees(ours: f64, server: f64, what: &str) {
    let off = (ours - server).abs() / server;
    assert!(
        off < 0.03,
        "{what}: we measured {ours} Mbit/s, the server {server} Mbit/s ({:.1} % apart)",
        off * 100.0
    );
}

async fn measured_against_the_server(test: &str, streams: u32, direction: Direction) {
    let Some(server) = Server::start(test) else {
        return;
    };
    let o = probe(&spec(server.port, 2, streams, direction)).await;
    assert!(matches!(o.verdict, Verdict::Passed), "{:?}", o.verdict);
    let m = &o.measurements;
    assert_eq!(m["streams"], streams);
    assert_eq!(m["direction"], direction.as_str());
    assert_eq!(m["address"], format!("127.0.0.1:{}", server.port));
    let seconds = m["seconds"].as_f64().unwrap();
    assert!((1.9..2.5).contains(&seconds), "{seconds} s");
    let bytes = m["bytes"].as_u64().unwrap();
    let ours = mbps(&o);
    assert!(
        (ours - bytes as f64 * 8.0 / seconds / 1e6).abs() / ours < 0.01,
        "mbps {ours} is not bytes {bytes} over {seconds} s"
    );
    assert!(ours > 100.0, "loopback carried only {ours} Mbit/s");
    let report = server.report();
    let end = &report["end"];
    assert_eq!(
        report["start"]["test_start"]["num_streams"], streams,
        "{report}"
    );
    let server_bps = |key: &str| end[key]["bits_per_second"].as_f64().unwrap() / 1e6;
    match direction {
        Direction::Up => {
            // The server was the receiver: we report its own count.
            agrees(ours, server_bps("sum_received"), "up, received");
            assert_eq!(bytes, end["sum_received"]["bytes"].as_u64().unwrap());
            assert!(m.get("retransmits").is_none());
        }
        Direction::Down => {
            // We were the receiver; the server counted what it sent.
            agrees(ours, server_bps("sum_sent"), "down, sent");
            assert_eq!(
                m["retransmits"].as_u64().unwrap(),
                end["sum_sent"]["retransmits"].as_u64().unwrap()
            );
        }
    }
}

#[tokio::test]
async fn up_one_stream_agrees_with_the_server() {
    measured_against_the_server("up_one_stream", 1, Direction::Up).await;
}

#[tokio::test]
async fn up_four_streams_agree_with_the_server() {
    measured_against_the_server("up_four_streams", 4, Direction::Up).await;
}

#[tokio::test]
async fn down_one_stream_agrees_with_the_server() {
    measured_against_the_server("down_one_stream", 1, Direction::Down).await;
}

#[tokio::test]
async fn down_four_streams_agree_with_the_server() {
    measured_against_the_server("down_four_streams", 4, Direction::Down).await;
}

#[tokio::test]
async fn below_min_mbps_fails_as_throughput_low_with_its_limit() {
    let Some(server) = Server::start("below_min_mbps") else {
        return;
    };
    let mut s = spec(server.port, 1, 1, Direction::Up);
    // Loopback carries gigabits; a terabit is out of reach.
    s.min_mbps = Some(100_000.0);
    let o = probe(&s).await;
    match &o.verdict {
        Verdict::Failed(f) => {
            assert_eq!(f.kind, FailKind::ThroughputLow);
            assert_eq!(f.expected.as_deref(), Some("throughput ≥ 100000 Mbit/s"));
            assert_eq!(f.measured, Some(format!("{} Mbit/s", mbps(&o))));
            assert!(
                f.message.contains("less than 100000 Mbit/s"),
                "{}",
                f.message
            );
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(
        o.measurements["limits"],
        serde_json::json!({"mbps": 100_000.0})
    );
}

#[tokio::test]
async fn back_to_back_tests_pass_though_iperf3_reopens_its_port() {
    // iperf3 closes its listening socket after each test and opens another: the next test,
    // started at once, may meet a refusal for a moment.
    let Some(server) = Server::start_with("back_to_back", &[]) else {
        return;
    };
    for (i, d) in [Direction::Up, Direction::Down, Direction::Up]
        .into_iter()
        .enumerate()
    {
        let o = probe(&spec(server.port, 1, 1, d)).await;
        assert!(
            matches!(o.verdict, Verdict::Passed),
            "test {i}: {:?}",
            o.verdict
        );
    }
}

#[tokio::test]
async fn a_refused_port_fails_as_connection_refused() {
    let o = probe(&spec(free_port(), 1, 1, Direction::Up)).await;
    match &o.verdict {
        Verdict::Failed(f) => assert_eq!(f.kind, FailKind::ConnectionRefused, "{f:?}"),
        v => panic!("{v:?}"),
    }
    assert!(o.measurements.get("mbps").is_none());
}

#[tokio::test]
async fn a_server_busy_with_another_client_is_errored_not_failed() {
    let Some(server) = Server::start("server_busy") else {
        return;
    };
    // The real iperf3 client holds the server for 3 s.
    let mut other = Command::new("iperf3")
        .args(["-c", "127.0.0.1", "-p", &server.port.to_string(), "-t", "3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(StdDuration::from_millis(800));
    let o = probe(&spec(server.port, 1, 1, Direction::Up)).await;
    let _ = other.wait();
    match &o.verdict {
        Verdict::Errored(p) => {
            assert_eq!(p.kind, ErrorKind::TestServer);
            assert!(p.message.contains("busy"), "{}", p.message);
        }
        v => panic!("{v:?}"),
    }
}

#[tokio::test]
async fn a_peer_that_is_not_iperf3_fails_as_a_protocol_error() {
    // A listener that answers a greeting of its own, as an SSH or SMTP server would.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            use std::io::Write;
            let _ = c.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
            std::thread::sleep(StdDuration::from_secs(2));
        }
    });
    let o = probe(&spec(port, 1, 1, Direction::Up)).await;
    match &o.verdict {
        Verdict::Failed(f) => assert_eq!(f.kind, FailKind::ProtocolError, "{f:?}"),
        v => panic!("{v:?}"),
    }
}
