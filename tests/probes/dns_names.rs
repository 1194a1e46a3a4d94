//! DNS names on the wire (issue 13): the prober sends every legal name as written and every
//! Unicode name as its A-label, whichever of the four full stops separates it, against the
//! in-process hickory server of `dns_server`. An IDN that exists must not pass as NXDOMAIN
//! (it once went out as one malformed label, and the server said no such name), and IDN
//! answers compare in whichever form the expectation is written.

use hickory_server::net::xfer::Protocol;
use hickory_server::proto::rr::RecordType as Rr;
use netaccept::model::dns_name::DnsName;
use netaccept::model::{Rcode, RecordType, Text};
use netaccept::probe::{FailKind, Verdict};

use crate::dns::{assert_passed, run, spec};
use crate::dns_server::{DnsServer, Seen};

/// The name of the last query the server received.
fn last_query(srv: &DnsServer) -> Seen {
    srv.seen().pop().expect("the server saw a query")
}

#[tokio::test(flavor = "multi_thread")]
async fn names_that_are_not_hostnames_go_out_as_written() {
    let srv = DnsServer::start().await;
    for (name, t, answer) in [
        ("under_score.aq.gov.test", RecordType::A, "127.14.0.7"),
        ("xn--zz.aq.gov.test.", RecordType::A, "127.14.0.9"),
        (
            "5.0/25.2.14.127.in-addr.arpa",
            RecordType::PTR,
            "web.aq.gov.test",
        ),
    ] {
        let mut s = spec(srv.addr, t, name);
        s.expect = vec![Text::plain(answer)];
        let o = run(&s).await;
        assert_passed(&o);
        let seen = last_query(&srv);
        assert_eq!(seen.protocol, Protocol::Udp);
        // hickory shows the name in presentation form (`0\/25`): compared as names.
        let went = DnsName::parse(&seen.name).unwrap();
        assert!(
            went.eq_ignore_case(&DnsName::parse(name).unwrap()),
            "{name} went out as {}",
            seen.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unicode_names_go_out_as_a_labels_with_any_full_stop() {
    let srv = DnsServer::start().await;
    for name in [
        "应急管理部。aq.gov.test",
        "应急管理部．aq.gov.test",
        "应急管理部｡aq｡gov｡test｡",
        "应急管理部.AQ.gov.test",
    ] {
        let mut s = spec(srv.addr, RecordType::A, name);
        s.expect = vec![Text::plain("127.14.0.8")];
        let o = run(&s).await;
        assert_passed(&o);
        let seen = last_query(&srv);
        assert_eq!(seen.record_type, Rr::A);
        // hickory shows a valid A-label as its U-label: four labels, the first the A-label
        // of 应急管理部 (one malformed label holding `。` would show as itself).
        assert_eq!(
            seen.name.to_lowercase(),
            "应急管理部.aq.gov.test.",
            "{name} went out as {}",
            seen.name
        );
    }
    // Full-width letters map to ASCII ones (UTS 46).
    let mut s = spec(srv.addr, RecordType::A, "sx.ＡＱ.gov.test");
    s.expect = vec![Text::plain("127.14.0.1")];
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_idn_does_not_pass_as_nxdomain() {
    let srv = DnsServer::start().await;
    let mut s = spec(srv.addr, RecordType::A, "应急管理部。aq.gov.test");
    s.rcode = Some(Rcode::NXDOMAIN);
    let o = run(&s).await;
    match &o.verdict {
        Verdict::Failed(f) => {
            assert_eq!(f.kind, FailKind::RcodeMismatch);
            assert_eq!(f.measured.as_deref(), Some("NOERROR"));
        }
        v => panic!("an existing name passed as NXDOMAIN: {v:?}"),
    }
    // A Unicode name that does not exist is NXDOMAIN, as wanted.
    let mut s = spec(srv.addr, RecordType::A, "不存在。aq.gov.test");
    s.rcode = Some(Rcode::NXDOMAIN);
    assert_passed(&run(&s).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn idn_answers_compare_in_whichever_form_is_written() {
    let srv = DnsServer::start().await;
    for expected in [
        "应急管理部。aq.gov.test",
        "应急管理部．AQ.gov.test.",
        "XN--EXTU8AH31BRFHGW1A.aq.gov.test",
        "xn--extu8ah31brfhgw1a.aq.gov.test.",
    ] {
        let mut s = spec(srv.addr, RecordType::CNAME, "idn.aq.gov.test");
        s.expect = vec![Text::plain(expected)];
        assert_passed(&run(&s).await);
    }
    // Shown in Unicode, with the A-label beside it.
    let o = run(&spec(srv.addr, RecordType::CNAME, "idn.aq.gov.test")).await;
    assert_eq!(
        o.measurements["answers"],
        serde_json::json!(["应急管理部.aq.gov.test (xn--extu8ah31brfhgw1a.aq.gov.test)"])
    );
    let mut s = spec(srv.addr, RecordType::CNAME, "idn.aq.gov.test");
    s.expect = vec![Text::plain("应急管理厅。aq.gov.test")];
    match run(&s).await.verdict {
        Verdict::Failed(f) => assert_eq!(f.kind, FailKind::AnswerMismatch),
        v => panic!("another IDN matched: {v:?}"),
    }
}
