//! What is shown is what is compared: DNS answers in presentation form (FORMAT.md, "DNS
//! answers as shown"), each shown form also matching as an expectation. TXT with control
//! bytes, GBK bytes, Chinese with quotes and a backslash, a character cut across strings,
//! dig's multi-string form; a null MX, an SRV "no service" target, CAA, SOA; DNSKEY and DS
//! shown short.

use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::NULL;
use hickory_server::proto::rr::{RData, Record, RecordType as Rr};
use netaccept::model::RecordType;
use netaccept::probe::FailKind;

use crate::dns::{answers, assert_passed, failure, run, spec, texts};
use crate::dns_server::{self, DnsServer};

/// Asks `name` for `t` with `expect`, and returns what was shown; the check must pass.
async fn shown_and_matched(
    srv: &DnsServer,
    t: RecordType,
    name: &str,
    expect: &[&str],
) -> Vec<String> {
    let mut s = spec(srv.addr, t, name);
    s.expect = texts(expect);
    let o = run(&s).await;
    assert_passed(&o);
    answers(&o)
}

#[tokio::test(flavor = "multi_thread")]
async fn txt_bytes_are_shown_and_compared_as_dig_prints_them() {
    let srv = DnsServer::start().await;
    let cases: &[(&str, &str)] = &[
        ("ctl.aq.gov.test", r"a\009b\000c"),
        ("gbk.aq.gov.test", r"\177\177\190\169"),
        ("zh.aq.gov.test", r#"应急 \"管理\" \\"#),
        // Joined first, then read: the character cut across two strings is whole.
        ("split.aq.gov.test", "应"),
    ];
    for (name, shown) in cases {
        assert_eq!(
            shown_and_matched(&srv, RecordType::TXT, name, &[shown]).await,
            [*shown],
            "{name}"
        );
    }
    // What used to be shown (control bytes as spaces) is not what the record holds.
    let mut s = spec(srv.addr, RecordType::TXT, "ctl.aq.gov.test");
    s.expect = texts(&["a b c"]);
    let o = run(&s).await;
    let f = failure(&o, FailKind::AnswerMismatch);
    assert_eq!(f.measured.as_deref(), Some(r"a\009b\000c"));
    assert!(!f.message.contains('\t') && !f.message.contains('\0'));
}

#[tokio::test(flavor = "multi_thread")]
async fn digs_multi_string_form_compares_string_by_string() {
    let srv = DnsServer::start().await;
    shown_and_matched(
        &srv,
        RecordType::TXT,
        "aq.gov.test",
        &[r#""v=spf1 ip4:127.14.0.0/16" " -all""#],
    )
    .await;
    shown_and_matched(
        &srv,
        RecordType::TXT,
        "split.aq.gov.test",
        &[r#""\229\186" "\148""#],
    )
    .await;
    // The same text in one string is another record.
    let mut s = spec(srv.addr, RecordType::TXT, "aq.gov.test");
    s.expect = texts(&[r#""v=spf1 ip4:127.14.0.0/16 -all""#]);
    failure(&run(&s).await, FailKind::AnswerMismatch);
}

#[tokio::test(flavor = "multi_thread")]
async fn root_targets_soa_and_caa() {
    let srv = DnsServer::start().await;
    assert_eq!(
        shown_and_matched(&srv, RecordType::MX, "null.aq.gov.test", &["0 ."]).await,
        ["0 ."]
    );
    assert_eq!(
        shown_and_matched(
            &srv,
            RecordType::SRV,
            "_none._tcp.aq.gov.test",
            &["0 0 0 ."]
        )
        .await,
        ["0 0 0 ."]
    );
    assert_eq!(
        shown_and_matched(
            &srv,
            RecordType::CAA,
            "aq.gov.test",
            &[r#"0 issue "ca.aq.gov.test""#]
        )
        .await,
        [r#"0 issue "ca.aq.gov.test""#]
    );
    // SOA: the serial alone, or the whole record.
    let soa = "ns1.aq.gov.test hostmaster.aq.gov.test 1 3600 600 86400 60";
    assert_eq!(
        shown_and_matched(&srv, RecordType::SOA, "aq.gov.test", &["1"]).await,
        [soa]
    );
    shown_and_matched(&srv, RecordType::SOA, "aq.gov.test", &[soa]).await;
    let mut s = spec(srv.addr, RecordType::SOA, "aq.gov.test");
    s.expect = texts(&["2"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);
}

#[tokio::test(flavor = "multi_thread")]
async fn dnskey_and_ds_are_shown_short() {
    let srv = dns_server::scripted(|q| {
        let mut r = dns_server::reply_to(q, ResponseCode::NoError);
        let owner = q.queries[0].name().clone();
        let qtype = q.queries[0].query_type();
        let data = match qtype {
            // flags 257 (a key-signing key), protocol 3, algorithm 13, a made-up key.
            Rr::DNSKEY => vec![1, 1, 3, 13, 0xaa, 0xbb],
            // key tag 12345, algorithm 13, digest type 2 (SHA-256), 32 digest bytes.
            _ => [vec![0x30, 0x39, 13, 2, 0x49, 0xfd, 0x46, 0xe6], vec![0; 28]].concat(),
        };
        r.add_answer(Record::from_rdata(
            owner,
            300,
            RData::Unknown {
                code: qtype,
                rdata: NULL::with(data),
            },
        ));
        Some(r)
    })
    .await;
    // The key tag by RFC 4034 appendix B over 01 01 03 0d aa bb.
    let o = run(&spec(srv.addr, RecordType::DNSKEY, "aq.gov.test")).await;
    assert_passed(&o);
    assert_eq!(answers(&o), ["257 3 13 <key tag 44745>"]);
    let o = run(&spec(srv.addr, RecordType::DS, "hb.aq.gov.test")).await;
    assert_passed(&o);
    assert_eq!(answers(&o), ["12345 13 2 49FD46E6…"]);
}
