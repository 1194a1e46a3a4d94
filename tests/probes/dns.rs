//! The DNS prober against a real authoritative server (hickory-server, in this process, on
//! loopback): each record type, `expect` / `expect_any`, response codes (NXDOMAIN wanted and
//! not, REFUSED, SERVFAIL), a server that never answers (a UDP timeout the prober reports
//! itself), a closed port, a server that answers
//! garbage, truncation and the retry over TCP, a server without EDNS, and that two probes share
//! no cache. Every probe runs under a tokio timeout at its deadline, as the runner runs it, and
//! its duration is checked.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::A;
use hickory_server::proto::rr::{RData, Record, RecordType as Rr};
use netaccept::model::{DnsSpec, Probe, Rcode, RecordType, Text, TextPart};
use netaccept::probe::{Context, FailKind, Outcome, Verdict};
use tokio::time::{Instant, timeout_at};

use crate::dns_server::{self, DnsServer, Seen};

pub(crate) const TIMEOUT: Duration = Duration::from_secs(2);
pub(crate) const SLACK: Duration = Duration::from_millis(500);

pub(crate) fn spec(server: SocketAddr, record_type: RecordType, name: &str) -> DnsSpec<Text> {
    DnsSpec {
        name: Text::plain(name),
        servers: vec![Text::plain(server.to_string())],
        record_type,
        expect: Vec::new(),
        expect_any: Vec::new(),
        rcode: None,
        dnssec: false,
        same_answers: false,
    }
}

/// One attempt, as the runner makes it: through `probe::probe`.
pub(crate) async fn probe(s: &DnsSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    netaccept::probe::probe(&Probe::Dns(s.clone()), cx, deadline).await
}

pub(crate) fn texts(v: &[&str]) -> Vec<Text> {
    v.iter().map(|s| Text::plain(*s)).collect()
}

/// Runs one attempt as the runner does: the deadline, and the future dropped at it. `None`
/// when the outer timeout fired.
pub(crate) async fn run_for(s: &DnsSpec<Text>, t: Duration) -> Option<Outcome> {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context::new(dir.path());
    let start = Instant::now();
    let deadline = start + t;
    let res = timeout_at(deadline, probe(s, &cx, deadline)).await;
    let took = start.elapsed();
    assert!(took <= t + SLACK, "probe took {took:?}, timeout {t:?}");
    res.ok()
}

pub(crate) async fn run(s: &DnsSpec<Text>) -> Outcome {
    run_for(s, TIMEOUT)
        .await
        .expect("a loopback DNS server answers well within the timeout")
}

#[track_caller]
pub(crate) fn assert_passed(o: &Outcome) {
    assert!(
        matches!(o.verdict, Verdict::Passed),
        "expected a pass, got {:?} (measured: {})",
        o.verdict,
        serde_json::Value::Object(o.measurements.clone())
    );
}

#[track_caller]
pub(crate) fn failure(o: &Outcome, kind: FailKind) -> &netaccept::probe::Failure {
    match &o.verdict {
        Verdict::Failed(f) if f.kind == kind => {
            assert!(
                !f.message.contains('\n'),
                "message is one line: {:?}",
                f.message
            );
            f
        }
        v => panic!("expected Failed({kind}), got {v:?}"),
    }
}

pub(crate) fn answers(o: &Outcome) -> Vec<String> {
    o.measurements["answers"]
        .as_array()
        .expect("answers is an array")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_matches_and_mismatches() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.expect = texts(&["127.14.0.1"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["rcode"], "NOERROR");
    assert_eq!(answers(&o), ["127.14.0.1"]);
    assert_eq!(o.measurements["server"], srv.addr.to_string());
    assert_eq!(o.measurements["transport"], "udp");
    assert!(o.measurements["time_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(o.evidence.as_deref(), Some("127.14.0.1"));
    // The name was asked fully qualified, once, over UDP.
    assert_eq!(
        srv.seen(),
        [Seen {
            protocol: Protocol::Udp,
            name: "sx.aq.gov.test.".into(),
            record_type: Rr::A
        }]
    );

    s.expect = texts(&["127.14.0.9"]);
    let o = run(&s).await;
    let f = failure(&o, FailKind::AnswerMismatch);
    assert_eq!(
        f.message,
        format!(
            "A sx.aq.gov.test @{}: answers [127.14.0.1], expected 127.14.0.9",
            srv.addr
        )
    );
    assert_eq!(f.expected.as_deref(), Some("127.14.0.9"));
    assert_eq!(f.measured.as_deref(), Some("127.14.0.1"));
    assert_eq!(o.evidence.as_deref(), Some("127.14.0.1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn expect_all_and_expect_any_over_two_answers() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "multi.aq.gov.test.");
    s.expect_any = texts(&["127.14.0.99", "127.14.0.3"]);
    let o = run(&s).await;
    assert_passed(&o);
    let mut got = answers(&o);
    got.sort();
    assert_eq!(got, ["127.14.0.2", "127.14.0.3"]);

    s.expect_any = texts(&["127.14.0.98", "127.14.0.99"]);
    let f = failure(&run(&s).await, FailKind::AnswerMismatch).clone();
    assert_eq!(
        f.expected.as_deref(),
        Some("any of 127.14.0.98, 127.14.0.99")
    );

    s.expect_any.clear();
    s.expect = texts(&["127.14.0.2", "127.14.0.3"]);
    assert_passed(&run(&s).await);

    s.expect = texts(&["127.14.0.2", "127.14.0.99"]);
    let f = failure(&run(&s).await, FailKind::AnswerMismatch).clone();
    assert_eq!(
        f.expected.as_deref(),
        Some("127.14.0.2, 127.14.0.99 (missing 127.14.0.99)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_record_type() {
    let srv = DnsServer::start().await;
    // (type, name, expect, expect_any): names and exchanges in any case, with or without the
    // root dot; MX and SRV by their full text or by the target alone.
    let cases: &[(RecordType, &str, &[&str], &[&str])] = &[
        (
            RecordType::AAAA,
            "sx.aq.gov.test",
            &["fd00:14:0:0:0:0:0:1"],
            &[],
        ),
        (
            RecordType::CNAME,
            "www.aq.gov.test",
            &["SX.aq.gov.test."],
            &[],
        ),
        (
            RecordType::MX,
            "aq.gov.test",
            &["10 mail.aq.gov.test", "MAIL2.aq.gov.test."],
            &[],
        ),
        (
            RecordType::TXT,
            "aq.gov.test",
            &["v=spf1 ip4:127.14.0.0/16 -all"],
            &[],
        ),
        (
            RecordType::SRV,
            "_https._tcp.aq.gov.test",
            &["0 5 443 sx.aq.gov.test."],
            &["nope.test", "sx.aq.gov.test"],
        ),
        (
            RecordType::NS,
            "aq.gov.test",
            &["ns1.aq.gov.test", "ns2.aq.gov.test"],
            &[],
        ),
        (
            RecordType::PTR,
            "1.0.14.127.in-addr.arpa",
            &["sx.aq.gov.test"],
            &[],
        ),
        // For PTR an address stands for its reverse name.
        (RecordType::PTR, "127.14.0.1", &["sx.aq.gov.test"], &[]),
        // An A query on an alias: only the A answer counts, the CNAME on the way is not one.
        (RecordType::A, "www.aq.gov.test", &["127.14.0.1"], &[]),
    ];
    for (t, name, expect, any) in cases {
        let mut s = spec(srv.addr, *t, name);
        s.expect = texts(expect);
        s.expect_any = texts(any);
        let o = run(&s).await;
        assert!(
            matches!(o.verdict, Verdict::Passed),
            "{} {name}: {:?}",
            t.as_str(),
            o.verdict
        );
        assert_eq!(o.measurements["rcode"], "NOERROR");
    }

    let shown = |t, name: &str| {
        let s = spec(srv.addr, t, name);
        async move {
            let o = run(&s).await;
            assert_passed(&o);
            let mut a = answers(&o);
            a.sort();
            a
        }
    };
    assert_eq!(
        shown(RecordType::MX, "aq.gov.test").await,
        ["10 mail.aq.gov.test", "20 mail2.aq.gov.test"]
    );
    assert_eq!(
        shown(RecordType::SRV, "_https._tcp.aq.gov.test").await,
        ["0 5 443 sx.aq.gov.test"]
    );
    assert_eq!(
        shown(RecordType::TXT, "aq.gov.test").await,
        ["v=spf1 ip4:127.14.0.0/16 -all"]
    );
    assert_eq!(
        shown(RecordType::AAAA, "sx.aq.gov.test").await,
        ["fd00:14::1"]
    );
    assert_eq!(
        shown(RecordType::A, "www.aq.gov.test").await,
        ["127.14.0.1"]
    );

    // Without expectations NOERROR needs an answer: a name with no record of the type fails.
    let o = run(&spec(srv.addr, RecordType::AAAA, "multi.aq.gov.test")).await;
    let f = failure(&o, FailKind::AnswerMismatch);
    assert_eq!(f.expected.as_deref(), Some("at least one AAAA answer"));
    assert_eq!(f.measured.as_deref(), Some("no answers"));
    assert_eq!(o.measurements["rcode"], "NOERROR");
    assert!(answers(&o).is_empty());
    // …unless NOERROR is all that was asked.
    let mut s = spec(srv.addr, RecordType::AAAA, "multi.aq.gov.test");
    s.rcode = Some(Rcode::NOERROR);
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn response_codes() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "missing.aq.gov.test");
    s.rcode = Some(Rcode::NXDOMAIN);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["rcode"], "NXDOMAIN");
    assert!(o.evidence.is_none());

    s.rcode = None;
    let o = run(&s).await;
    let f = failure(&o, FailKind::RcodeMismatch);
    assert_eq!(
        f.message,
        format!(
            "A missing.aq.gov.test @{}: NXDOMAIN, expected NOERROR",
            srv.addr
        )
    );
    assert_eq!(f.expected.as_deref(), Some("rcode NOERROR"));
    assert_eq!(f.measured.as_deref(), Some("NXDOMAIN"));

    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.rcode = Some(Rcode::NXDOMAIN);
    let o = run(&s).await;
    let f = failure(&o, FailKind::RcodeMismatch);
    assert_eq!(
        f.message,
        format!(
            "A sx.aq.gov.test @{}: NOERROR, answers [127.14.0.1], expected NXDOMAIN",
            srv.addr
        )
    );

    // A name outside the server's zones: hickory-server refuses it.
    let mut s = spec(srv.addr, RecordType::A, "example.org");
    s.expect = texts(&["127.0.0.1"]);
    let f = failure(&run(&s).await, FailKind::RcodeMismatch).clone();
    assert_eq!(f.measured.as_deref(), Some("REFUSED"));
    s.expect.clear();
    s.rcode = Some(Rcode::REFUSED);
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_server_is_a_udp_timeout_reported_by_the_prober() {
    let silent = dns_server::silent().await;
    let t = Duration::from_millis(800);
    let start = Instant::now();
    let o = run_for(&spec(silent.addr, RecordType::A, "sx.aq.gov.test"), t)
        .await
        .expect("the prober reports the silence before the runner's deadline");
    assert!(start.elapsed() + Duration::from_millis(100) >= t);
    let f = failure(&o, FailKind::Timeout);
    assert_eq!(
        f.message,
        format!(
            "A sx.aq.gov.test @{}: no answer over UDP within 800ms",
            silent.addr
        )
    );
    assert_eq!(o.measurements["server"], silent.addr.to_string());
    assert_eq!(o.measurements["transport"], "udp");
    assert_eq!(o.measurements["truncated"], false);
    assert!(o.measurements["time_ms"].as_f64().unwrap() >= 700.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_port_is_connection_refused() {
    let addr = dns_server::closed_udp_port();
    let start = Instant::now();
    let o = run(&spec(addr, RecordType::A, "sx.aq.gov.test")).await;
    // The connected UDP socket sees the ICMP port unreachable at once.
    let f = failure(&o, FailKind::ConnectionRefused);
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        f.message
            .starts_with(&format!("A sx.aq.gov.test @{addr}: UDP port unreachable")),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_reply_is_a_protocol_error() {
    let g = dns_server::garbage().await;
    let o = run(&spec(g.addr, RecordType::A, "sx.aq.gov.test")).await;
    failure(&o, FailKind::ProtocolError);
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_answer_is_asked_again_over_tcp() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::TXT, "big.aq.gov.test");
    let joined = dns_server::big_txt().concat();
    s.expect = vec![Text::plain(joined.clone())];
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["transport"], "tcp");
    assert_eq!(o.measurements["truncated"], true);
    assert_eq!(answers(&o), [joined]);
    let seen: Vec<Protocol> = srv.seen().iter().map(|q| q.protocol).collect();
    assert_eq!(seen, [Protocol::Udp, Protocol::Tcp]);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_cache_between_probes() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.expect = texts(&["127.14.0.1"]);
    assert_passed(&run(&s).await);

    srv.set_a("sx", Ipv4Addr::new(127, 14, 0, 7)).await;
    let o = run(&s).await;
    failure(&o, FailKind::AnswerMismatch);
    assert_eq!(answers(&o), ["127.14.0.7"]);
    s.expect = texts(&["127.14.0.7"]);
    assert_passed(&run(&s).await);
    // Each probe asked the server itself, exactly once.
    assert_eq!(srv.seen().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_stay_out_of_messages() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.expect = vec![Text {
        parts: vec![TextPart::Secret("127.14.0.42".into())],
    }];
    let o = run(&s).await;
    let f = failure(&o, FailKind::AnswerMismatch);
    assert!(!f.message.contains("127.14.0.42"), "{}", f.message);
    assert!(f.message.ends_with("expected ***"), "{}", f.message);
    assert_eq!(f.expected.as_deref(), Some("***"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_specs_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context::new(dir.path());
    let deadline = Instant::now() + TIMEOUT;
    let mut s = spec("127.0.0.1:53".parse().unwrap(), RecordType::A, "bad..name");
    let o = probe(&s, &cx, deadline).await;
    assert!(
        matches!(&o.verdict, Verdict::Errored(p) if p.kind == netaccept::probe::ErrorKind::Config),
        "{:?}",
        o.verdict
    );
    s.name = Text::plain("sx.aq.gov.test");
    s.servers = vec![Text::plain("dns.aq.gov.test")];
    let o = probe(&s, &cx, deadline).await;
    assert!(
        matches!(&o.verdict, Verdict::Errored(p) if p.kind == netaccept::probe::ErrorKind::Config),
        "{:?}",
        o.verdict
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn servfail_is_an_rcode_mismatch_unless_wanted() {
    let srv = dns_server::scripted(|q| Some(dns_server::reply_to(q, ResponseCode::ServFail))).await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    let f = failure(&run(&s).await, FailKind::RcodeMismatch).clone();
    assert_eq!(f.measured.as_deref(), Some("SERVFAIL"));
    s.rcode = Some(Rcode::SERVFAIL);
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_without_edns_is_asked_again_without_it() {
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = queries.clone();
    // An old server: FORMERR without an OPT record to any EDNS query, a plain answer otherwise.
    let srv = dns_server::scripted(move |q| {
        counter.fetch_add(1, Ordering::SeqCst);
        if q.edns.is_some() {
            return Some(dns_server::reply_to(q, ResponseCode::FormErr));
        }
        let mut r = dns_server::reply_to(q, ResponseCode::NoError);
        let name = q.queries[0].name().clone();
        r.add_answer(Record::from_rdata(
            name,
            60,
            RData::A(A::new(127, 14, 0, 1)),
        ));
        Some(r)
    })
    .await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.expect = texts(&["127.14.0.1"]);
    assert_passed(&run(&s).await);
    assert_eq!(queries.load(Ordering::SeqCst), 2);
}
