//! The DNS replication check (`servers:`) against two or three real authoritative servers
//! (hickory-server, in this process, on loopback) whose zones are at chosen serials: the same
//! serial passes, a lagging server fails as `SerialMismatch` naming it beside the reference,
//! the serial of a name below the apex comes from the authority section, a server that is
//! down or silent fails the check by name (within the deadline: the servers are asked at
//! once), `same_answers` names what a server lacks, an expectation is held against every
//! server, and a secret server address stays `***`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use netaccept::model::{DnsSpec, RecordType, Text, TextPart};
use netaccept::probe::{FailKind, Outcome};
use serde_json::Value;
use tokio::time::Instant;

use crate::dns::{SLACK, assert_passed, failure, run};
use crate::dns_server::{self, DnsServer};

const CURRENT: u32 = 2_026_120_301;
const OLD: u32 = 2_026_112_901;

/// A check over `servers`, otherwise as [`crate::dns::spec`] makes one.
fn spec(servers: &[SocketAddr], record_type: RecordType, name: &str) -> DnsSpec<Text> {
    DnsSpec {
        servers: servers.iter().map(|s| Text::plain(s.to_string())).collect(),
        ..crate::dns::spec(servers[0], record_type, name)
    }
}

/// One attempt as the runner makes it ([`crate::dns::run_for`]), which the check must beat
/// with a verdict of its own.
/// The replication check of `aq.gov.test`'s SOA across `servers`, the first the reference.
async fn soa(servers: &[SocketAddr]) -> Outcome {
    run(&spec(servers, RecordType::SOA, "aq.gov.test")).await
}

async fn run_for(s: &DnsSpec<Text>, t: Duration) -> Outcome {
    crate::dns::run_for(s, t)
        .await
        .expect("the check gives its own verdict before the runner's deadline")
}

/// The `servers` measurement: one object per server, in the order of `servers:`.
fn servers(o: &Outcome) -> &Vec<Value> {
    o.measurements["servers"]
        .as_array()
        .expect("servers is an array")
}

#[tokio::test(flavor = "multi_thread")]
async fn servers_at_the_same_serial_pass() {
    let (a, b) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(CURRENT).await,
    );
    let o = soa(&[a.addr, b.addr]).await;
    assert_passed(&o);
    let each = servers(&o);
    assert_eq!(each.len(), 2);
    for (entry, srv) in each.iter().zip([&a, &b]) {
        assert_eq!(entry["server"], srv.addr.to_string());
        assert_eq!(entry["serial"], CURRENT);
        assert_eq!(entry["rcode"], "NOERROR");
        assert_eq!(entry["transport"], "udp");
        assert!(entry["time_ms"].as_f64().unwrap() > 0.0, "{entry}");
    }
    // Each server was asked the SOA, once: `type: SOA` needs no second question.
    for srv in [&a, &b] {
        let seen = srv.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].name, "aq.gov.test.");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lagging_server_fails_by_name_beside_the_reference() {
    let (primary, secondary) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(OLD).await,
    );
    let o = soa(&[primary.addr, secondary.addr]).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert_eq!(
        f.message,
        format!(
            "SOA aq.gov.test: {} serves serial {OLD}, {} (the reference) {CURRENT}",
            secondary.addr, primary.addr
        )
    );
    assert_eq!(
        f.expected.as_deref(),
        Some(format!("serial {CURRENT} on every server").as_str())
    );
    assert_eq!(
        f.measured.as_deref(),
        Some(format!("{}: {OLD}", secondary.addr).as_str())
    );
    assert_eq!(servers(&o)[1]["serial"], OLD);

    // The first server is the reference, whichever is newer: here the primary is the one
    // named, as the server that differs.
    let o = soa(&[secondary.addr, primary.addr]).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert!(
        f.message.starts_with(&format!(
            "SOA aq.gov.test: {} serves serial {CURRENT}",
            primary.addr
        )),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_server_that_differs_is_named() {
    let (a, b, c) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(OLD).await,
        DnsServer::with_serial(OLD - 1).await,
    );
    let o = soa(&[a.addr, b.addr, c.addr]).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert_eq!(
        f.message,
        format!(
            "SOA aq.gov.test: {} serves serial {OLD}, {} serves serial {}, {} (the reference) {CURRENT}",
            b.addr,
            c.addr,
            OLD - 1,
            a.addr
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn below_the_apex_the_serial_comes_from_the_authority_section() {
    let (a, b) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(OLD).await,
    );
    // `type: SOA` on a name inside the zone: NOERROR without an answer, the SOA in the
    // authority section.
    let o = run(&spec(&[a.addr, b.addr], RecordType::SOA, "sx.aq.gov.test")).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert!(
        f.message.contains(&format!("serves serial {OLD}")),
        "{}",
        f.message
    );

    // Another type: its answers are judged on every server, the serial still compared.
    let mut s = spec(&[a.addr, b.addr], RecordType::A, "sx.aq.gov.test");
    s.expect = vec![Text::plain("127.14.0.1")];
    let o = run(&s).await;
    failure(&o, FailKind::SerialMismatch);
    assert_eq!(servers(&o)[0]["answers"][0], "127.14.0.1");
    // Each server was asked both questions.
    for srv in [&a, &b] {
        let types: Vec<String> = srv
            .seen()
            .iter()
            .filter(|q| q.name == "sx.aq.gov.test.")
            .map(|q| q.record_type.to_string())
            .collect();
        assert!(
            types.contains(&"SOA".to_string()) && types.contains(&"A".to_string()),
            "{types:?}"
        );
    }

    let c = DnsServer::with_serial(CURRENT).await;
    let o = run(&spec(&[a.addr, c.addr], RecordType::A, "sx.aq.gov.test")).await;
    assert_passed(&o);
    assert_eq!(servers(&o)[1]["serial"], CURRENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_down_fails_the_check_by_name() {
    let up = DnsServer::with_serial(CURRENT).await;
    let down = dns_server::closed_udp_port();
    let o = soa(&[up.addr, down]).await;
    let f = failure(&o, FailKind::ConnectionRefused);
    assert!(
        f.message.contains(&format!("@{down}")) && !f.message.contains(&up.addr.to_string()),
        "{}",
        f.message
    );
    // The server that answered is recorded with its serial; the one down with none.
    let each = servers(&o);
    assert_eq!(each[0]["serial"], CURRENT);
    assert_eq!(each[1]["server"], down.to_string());
    assert_eq!(each[1]["serial"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_servers_are_named_within_one_deadline() {
    let up = DnsServer::with_serial(CURRENT).await;
    let (quiet1, quiet2) = (dns_server::silent().await, dns_server::silent().await);
    let t = Duration::from_secs(1);
    let start = Instant::now();
    let o = run_for(
        &spec(
            &[up.addr, quiet1.addr, quiet2.addr],
            RecordType::SOA,
            "aq.gov.test",
        ),
        t,
    )
    .await;
    // Asked at once: two silent servers cost one deadline, not two.
    assert!(start.elapsed() < t + SLACK, "{:?}", start.elapsed());
    let f = failure(&o, FailKind::Timeout);
    assert!(
        f.message.starts_with(&format!(
            "SOA aq.gov.test @{}: no answer over UDP within",
            quiet1.addr
        )),
        "{}",
        f.message
    );
    assert!(
        f.message
            .ends_with(&format!("; also not passing: {}", quiet2.addr)),
        "{}",
        f.message
    );
    assert_eq!(servers(&o)[0]["serial"], CURRENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn same_answers_names_what_a_server_lacks() {
    let (a, b) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(CURRENT).await,
    );
    // The secondary missed a change: `multi` has one address there, two at the reference.
    b.set_a("multi", Ipv4Addr::new(127, 14, 0, 2)).await;
    let mut s = spec(&[a.addr, b.addr], RecordType::A, "multi.aq.gov.test");
    // Without `same_answers` only the serial is compared: it is the same.
    assert_passed(&run(&s).await);

    s.same_answers = true;
    let o = run(&s).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert_eq!(
        f.message,
        format!(
            "A multi.aq.gov.test: {} answers [127.14.0.2] (lacks 127.14.0.3), {} (the reference) [127.14.0.2, 127.14.0.3]",
            b.addr, a.addr
        )
    );

    // The same set in another order is the same answer.
    let c = DnsServer::with_serial(CURRENT).await;
    s.servers = vec![
        Text::plain(a.addr.to_string()),
        Text::plain(c.addr.to_string()),
    ];
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn expectations_hold_on_every_server() {
    let (a, b) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(CURRENT).await,
    );
    b.set_a("sx", Ipv4Addr::new(127, 14, 9, 9)).await;
    let mut s = spec(&[a.addr, b.addr], RecordType::A, "sx.aq.gov.test");
    s.expect = vec![Text::plain("127.14.0.1")];
    let o = run(&s).await;
    let f = failure(&o, FailKind::AnswerMismatch);
    assert!(f.message.contains(&format!("@{}", b.addr)), "{}", f.message);
    assert_eq!(servers(&o)[1]["answers"][0], "127.14.9.9");

    // A name the servers do not have: NXDOMAIN where NOERROR was wanted, named.
    let o = run(&spec(
        &[a.addr, b.addr],
        RecordType::A,
        "nowhere.aq.gov.test",
    ))
    .await;
    let f = failure(&o, FailKind::RcodeMismatch);
    assert!(f.message.contains(&format!("@{}", a.addr)), "{}", f.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_server_stays_masked() {
    let (a, b) = (
        DnsServer::with_serial(CURRENT).await,
        DnsServer::with_serial(OLD).await,
    );
    let mut s = spec(&[a.addr], RecordType::SOA, "aq.gov.test");
    s.servers.push(Text {
        parts: vec![TextPart::Secret(b.addr.to_string())],
    });
    let o = run(&s).await;
    let f = failure(&o, FailKind::SerialMismatch);
    assert_eq!(
        f.message,
        format!(
            "SOA aq.gov.test: *** serves serial {OLD}, {} (the reference) {CURRENT}",
            a.addr
        )
    );
    let all = serde_json::to_string(&o.measurements).unwrap();
    assert!(!all.contains(&b.addr.to_string()), "{all}");
    assert_eq!(servers(&o)[1]["server"], "***");
}
