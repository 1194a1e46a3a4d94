//! How the DNS prober reads a whole reply, not only its answers: referrals from the parent
//! of a delegation (hickory-server's, which set AA, and an RFC-style one without AA from a
//! scripted server), a recursive resolver's non-authoritative answer, a truncated UDP
//! answer whose TCP retry is silent or refused, a 100-record RRset over TCP, and
//! `dnssec: true` (the DO bit, RRSIGs required).

use hickory_server::proto::op::{Message, ResponseCode};
use hickory_server::proto::rr::rdata::{A, NS, NULL};
use hickory_server::proto::rr::{Name, RData, Record, RecordType as Rr};
use netaccept::model::{Rcode, RecordType};
use netaccept::probe::FailKind;
use std::time::Duration;
use tokio::time::Instant;

use crate::dns::{TIMEOUT, answers, assert_passed, failure, run, run_for, spec, texts};
use crate::dns_server::{self, DnsServer, Tcp};

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_under_a_delegation_is_a_referral_whatever_rcode_says() {
    let srv = DnsServer::start().await;
    let referral = format!(
        "A x.hb.aq.gov.test @{}: referral to hb.aq.gov.test (ns1.hb.aq.gov.test, \
         ns2.hb.aq.gov.test): this server delegates the name; ask the child's server",
        srv.addr
    );
    // The false pass of issue 13: the parent's empty NOERROR said nothing about the name.
    let mut s = spec(srv.addr, RecordType::A, "x.hb.aq.gov.test");
    s.rcode = Some(Rcode::NOERROR);
    let o = run(&s).await;
    let f = failure(&o, FailKind::Referral);
    assert_eq!(f.message, referral);
    assert_eq!(f.expected.as_deref(), Some("an authoritative answer"));
    assert_eq!(f.measured.as_deref(), Some("referral to hb.aq.gov.test"));
    assert_eq!(o.measurements["rcode"], "NOERROR");
    assert_eq!(o.measurements["referral"], true);
    assert!(answers(&o).is_empty());
    let mut authority: Vec<String> = o.measurements["authority"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    authority.sort();
    assert_eq!(
        authority,
        [
            "hb.aq.gov.test NS ns1.hb.aq.gov.test",
            "hb.aq.gov.test NS ns2.hb.aq.gov.test"
        ]
    );

    // NXDOMAIN wanted: the parent cannot say, so not "NOERROR, expected NXDOMAIN".
    s.rcode = Some(Rcode::NXDOMAIN);
    assert_eq!(
        failure(&run(&s).await, FailKind::Referral).message,
        referral
    );
    // Nothing stated, or an address expected: a referral all the same.
    s.rcode = None;
    failure(&run(&s).await, FailKind::Referral);
    s.expect = texts(&["127.14.1.9"]);
    failure(&run(&s).await, FailKind::Referral);

    // The parent's own names are answered as before: not referrals.
    let o = run(&spec(srv.addr, RecordType::A, "sx.aq.gov.test")).await;
    assert_passed(&o);
    assert_eq!(o.measurements["aa"], true);
    assert!(o.measurements.get("referral").is_none());
}

/// What Knot, BIND and NSD send for a name under a delegation, asked at the parent: AA
/// clear, no answer, the child's NS in authority, their addresses as glue.
fn rfc_referral(q: &Message) -> Message {
    let mut r = dns_server::reply_to(q, ResponseCode::NoError);
    let child = name("hb.aq.gov.test.");
    for (ns, ip) in [
        ("ns1.hb.aq.gov.test.", [198, 18, 1, 53]),
        ("ns2.hb.aq.gov.test.", [198, 18, 1, 54]),
    ] {
        r.add_authority(Record::from_rdata(
            child.clone(),
            300,
            RData::NS(NS(name(ns))),
        ));
        r.add_additional(Record::from_rdata(
            name(ns),
            300,
            RData::A(A::new(ip[0], ip[1], ip[2], ip[3])),
        ));
    }
    r
}

#[tokio::test(flavor = "multi_thread")]
async fn ns_of_a_delegation_asked_at_the_parent_is_judged_from_the_referral() {
    let srv = dns_server::scripted(|q| Some(rfc_referral(q))).await;
    let mut s = spec(srv.addr, RecordType::NS, "hb.aq.gov.test");
    s.expect = texts(&["ns1.hb.aq.gov.test", "ns2.hb.aq.gov.test"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(answers(&o), ["ns1.hb.aq.gov.test", "ns2.hb.aq.gov.test"]);
    assert_eq!(o.measurements["referral"], true);
    assert_eq!(o.measurements["aa"], false);
    assert_eq!(
        o.measurements["glue"],
        serde_json::json!([
            "ns1.hb.aq.gov.test 198.18.1.53",
            "ns2.hb.aq.gov.test 198.18.1.54"
        ])
    );
    // The delegation's servers are judged: a missing one fails as an answer mismatch.
    s.expect = texts(&["ns3.hb.aq.gov.test"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);

    // Any other question under the delegation, from the same parent, is a referral.
    let mut s = spec(srv.addr, RecordType::A, "www.hb.aq.gov.test");
    s.rcode = Some(Rcode::NOERROR);
    let o = run(&s).await;
    failure(&o, FailKind::Referral);
    assert_eq!(o.measurements["aa"], false);

    // hickory-server answers NS at the delegation point in the answer section: passes too.
    let parent = DnsServer::start().await;
    let mut s = spec(parent.addr, RecordType::NS, "hb.aq.gov.test");
    s.expect = texts(&["ns1.hb.aq.gov.test", "ns2.hb.aq.gov.test"]);
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recursive_resolvers_answer_is_judged_as_it_is() {
    // AA clear, an answer, and the zone's NS in authority: a resolver's answer, no referral.
    let srv = dns_server::scripted(|q| {
        let mut r = rfc_referral(q);
        r.add_answer(Record::from_rdata(
            q.queries[0].name().clone(),
            60,
            RData::A(A::new(198, 18, 1, 80)),
        ));
        Some(r)
    })
    .await;
    let mut s = spec(srv.addr, RecordType::A, "www.hb.aq.gov.test");
    s.expect = texts(&["198.18.1.80"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["aa"], false);
    assert!(o.measurements.get("referral").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_tcp_fallback_is_its_own_finding() {
    let srv = dns_server::truncating(Tcp::Silent).await;
    let s = spec(srv.addr, RecordType::TXT, "big.aq.gov.test");
    let start = Instant::now();
    let o = run_for(&s, TIMEOUT)
        .await
        .expect("the prober reports the silent fallback before the runner's deadline");
    assert!(start.elapsed() + Duration::from_millis(200) >= TIMEOUT);
    let f = failure(&o, FailKind::TcpFallbackBlocked);
    assert_eq!(
        f.message,
        format!(
            "TXT big.aq.gov.test @{}: UDP answer truncated; TCP fallback got no answer within \
             2s (TCP/{} blocked?)",
            srv.addr,
            srv.addr.port()
        )
    );
    assert_eq!(o.measurements["server"], srv.addr.to_string());
    assert_eq!(o.measurements["transport"], "tcp");
    assert_eq!(o.measurements["truncated"], true);
    assert!(o.measurements["time_ms"].as_f64().unwrap() > 1500.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_tcp_fallback_says_so() {
    let srv = dns_server::truncating(Tcp::Closed).await;
    let o = run(&spec(srv.addr, RecordType::TXT, "big.aq.gov.test")).await;
    let f = failure(&o, FailKind::ConnectionRefused);
    assert!(
        f.message.starts_with(&format!(
            "TXT big.aq.gov.test @{}: UDP answer truncated; TCP fallback refused (",
            srv.addr
        )),
        "{}",
        f.message
    );
    assert_eq!(o.measurements["transport"], "tcp");
    assert_eq!(o.measurements["server"], srv.addr.to_string());
    assert!(o.measurements.contains_key("time_ms"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_record_rrset_comes_whole_over_tcp() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "many.aq.gov.test");
    s.expect = texts(&["127.15.0.1", "127.15.0.100"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["truncated"], true);
    assert_eq!(o.measurements["transport"], "tcp");
    let mut got = answers(&o);
    got.sort();
    let mut want: Vec<String> = dns_server::many_ips()
        .iter()
        .map(ToString::to_string)
        .collect();
    want.sort();
    assert_eq!(got, want);
}

/// RRSIG data (RFC 4034 §3.1) covering `covered`, signed by `aq.gov.test.`: the fields
/// the prober reads are real, the signature is not (nothing is validated).
fn rrsig(owner: Name, covered: Rr) -> Record {
    let mut b = Vec::new();
    b.extend_from_slice(&u16::from(covered).to_be_bytes());
    b.extend_from_slice(&[13, 3]); // ECDSA P-256, 3 labels
    b.extend_from_slice(&300u32.to_be_bytes());
    b.extend_from_slice(&[0; 8]); // expiration, inception
    b.extend_from_slice(&12345u16.to_be_bytes());
    b.extend_from_slice(b"\x02aq\x03gov\x04test\x00");
    b.extend_from_slice(&[0xab; 64]);
    Record::from_rdata(
        owner,
        300,
        RData::Unknown {
            code: Rr::RRSIG,
            rdata: NULL::with(b),
        },
    )
}

/// A signed zone's server: with the DO bit, the A answer and its RRSIG; without, the answer
/// alone (RFC 3225). `strip`: a middlebox that drops the signatures whatever was asked.
async fn signed(strip: bool) -> dns_server::Silent {
    dns_server::scripted(move |q| {
        let mut r = dns_server::reply_to(q, ResponseCode::NoError);
        r.metadata.authoritative = true;
        let owner = q.queries[0].name().clone();
        r.add_answer(Record::from_rdata(
            owner.clone(),
            300,
            RData::A(A::new(127, 14, 0, 1)),
        ));
        let dnssec_ok = q.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
        if dnssec_ok && !strip {
            r.add_answer(rrsig(owner, Rr::A));
        }
        Some(r)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn dnssec_asks_with_the_do_bit_and_requires_the_rrsig() {
    let srv = signed(false).await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.dnssec = true;
    s.expect = texts(&["127.14.0.1"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["rrsig"], "aq.gov.test");
    // The RRSIG is not an A answer.
    assert_eq!(answers(&o), ["127.14.0.1"]);

    let stripped = signed(true).await;
    let mut s = spec(stripped.addr, RecordType::A, "sx.aq.gov.test");
    s.dnssec = true;
    let o = run(&s).await;
    let f = failure(&o, FailKind::SignatureMissing);
    assert_eq!(
        f.message,
        format!(
            "A sx.aq.gov.test @{}: no RRSIG for the A answer; the zone is not signed or the \
             server strips signatures",
            stripped.addr
        )
    );
    assert_eq!(o.measurements["rrsig"], false);
    // Without `dnssec` no signature is wanted, nor recorded.
    s.dnssec = false;
    let o = run(&s).await;
    assert_passed(&o);
    assert!(o.measurements.get("rrsig").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_rrsig_over_another_type_is_not_one_over_the_answer() {
    let srv = dns_server::scripted(|q| {
        let mut r = dns_server::reply_to(q, ResponseCode::NoError);
        let owner = q.queries[0].name().clone();
        r.add_answer(Record::from_rdata(
            owner.clone(),
            300,
            RData::A(A::new(127, 14, 0, 1)),
        ));
        r.add_answer(rrsig(owner, Rr::AAAA));
        Some(r)
    })
    .await;
    let mut s = spec(srv.addr, RecordType::A, "sx.aq.gov.test");
    s.dnssec = true;
    failure(&run(&s).await, FailKind::SignatureMissing);
}
