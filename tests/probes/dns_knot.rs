//! The DNS prober against Knot DNS (`knotd`, started by the test on loopback, or in a network
//! namespace where nftables drops TCP/53): an authoritative server we did not write.

use std::net::SocketAddr;
use std::process::Command;

use netaccept::model::{Rcode, RecordType, Text};
use netaccept::probe::FailKind;

use crate::dns::{answers, assert_passed, failure, run, spec, texts};
use crate::knot_zones::{self as zones, OLD_SERIAL, SERIAL};
use crate::support::host;
use crate::support::knot::{Knot, Zone};
use crate::support::net::{available, nft, sh};

/// The national primary (parent and reverse zones, and a signed zone) and the provincial
/// server of the delegated child.
struct Lab {
    national: Knot,
    provincial: Knot,
}

fn lab() -> Option<Lab> {
    let provincial = Knot::start(
        "127.53.1.1".parse().unwrap(),
        &[Zone::new("sx.aq.gov.test.", &zones::provincial())],
    )?;
    let national = Knot::start(
        "127.53.0.1".parse().unwrap(),
        &[
            Zone::new(
                "aq.gov.test.",
                &zones::national(SERIAL, ["127.53.1.1", "127.53.1.2"]),
            ),
            Zone::new("100.51.198.in-addr.arpa.", &zones::reverse_24()),
            Zone::new("0/25.100.51.198.in-addr.arpa.", &zones::reverse_25()),
            Zone::signed("signed.test.", &zones::signed()),
            Zone::new("xn--extu8ah31brfhgw1a.xn--fiqs8s.", &zones::idn()),
        ],
    )?;
    Some(Lab {
        national,
        provincial,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn knot_serves_the_lab() {
    let Some(lab) = lab() else { return };
    let mut s = spec(lab.national.addr, RecordType::A, "national.aq.gov.test");
    s.expect = vec![Text::plain("198.18.0.1")];
    assert_passed(&run(&s).await);
    let mut s = spec(lab.provincial.addr, RecordType::A, "www.sx.aq.gov.test");
    s.expect = vec![Text::plain("198.18.2.1")];
    assert_passed(&run(&s).await);
}

/// Item 1: asked at the parent, a name under the delegated child gets a referral. It was
/// judged as an authoritative answer: `rcode: NOERROR` passed for a name the child does not
/// have (a false pass), `rcode: NXDOMAIN` failed as "NOERROR".
#[tokio::test(flavor = "multi_thread")]
async fn a_referral_is_not_an_authoritative_answer() {
    let Some(lab) = lab() else { return };
    for rcode in [Some(Rcode::NOERROR), Some(Rcode::NXDOMAIN), None] {
        let mut s = spec(lab.national.addr, RecordType::A, "nosuch.sx.aq.gov.test");
        s.rcode = rcode;
        let o = run(&s).await;
        let m = &failure(&o, FailKind::Referral).message;
        assert!(
            m.contains("sx.aq.gov.test") && m.contains("ns1.sx.aq.gov.test"),
            "names the child zone and its servers: {m}"
        );
        assert_eq!(o.measurements["aa"], false, "{o:?}");
        let authority = o.measurements["authority"].to_string();
        assert!(authority.contains("ns2.sx.aq.gov.test"), "{authority}");
    }
    // The child's own server answers it with authority.
    let mut s = spec(lab.provincial.addr, RecordType::A, "nosuch.sx.aq.gov.test");
    s.rcode = Some(Rcode::NXDOMAIN);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(o.measurements["aa"], true);
}

/// Item 1: an NS check for the delegation, asked at the parent, is judged from the referral:
/// the delegation exists, these are its servers, and the glue is recorded.
#[tokio::test(flavor = "multi_thread")]
async fn ns_at_the_parent_is_judged_from_the_referral() {
    let Some(lab) = lab() else { return };
    let mut s = spec(lab.national.addr, RecordType::NS, "sx.aq.gov.test");
    s.expect = texts(&["ns1.sx.aq.gov.test", "ns2.sx.aq.gov.test."]);
    let o = run(&s).await;
    assert_passed(&o);
    let glue = o.measurements["glue"].to_string();
    assert!(
        glue.contains("127.53.1.1") && glue.contains("127.53.1.2"),
        "{glue}"
    );
    s.expect = texts(&["ns3.sx.aq.gov.test"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);
}

/// Item 2: the ideographic and full-width full stops separate labels (UTS 46), and a name
/// that exists is no longer a false pass for `rcode: NXDOMAIN`.
#[tokio::test(flavor = "multi_thread")]
async fn chinese_full_stops_separate_labels() {
    let Some(lab) = lab() else { return };
    for name in [
        "应急管理部。aq.gov.test",
        "应急管理部．aq.gov.test",
        "应急管理部｡ＡＱ.gov.test",
        "xn--extu8ah31brfhgw1a.aq.gov.test",
    ] {
        let mut s = spec(lab.national.addr, RecordType::A, name);
        s.expect = texts(&["198.18.0.3"]);
        assert_passed(&run(&s).await);
        s.expect = Vec::new();
        s.rcode = Some(Rcode::NXDOMAIN);
        failure(&run(&s).await, FailKind::RcodeMismatch);
    }
}

/// Item 2, in a zone whose own name is an IDN: asked in Unicode with any full stop, answers
/// shown in Unicode with the A-label beside them, expectations met in either form.
#[tokio::test(flavor = "multi_thread")]
async fn a_zone_named_in_chinese() {
    let Some(lab) = lab() else { return };
    let at = lab.national.addr;
    let mut s = spec(at, RecordType::SOA, "应急管理部。中国");
    s.expect = texts(&["2026120301"]);
    assert_passed(&run(&s).await);
    let mut s = spec(at, RecordType::A, "值班．应急管理部。中国.");
    s.expect = texts(&["198.18.4.2"]);
    assert_passed(&run(&s).await);
    let mut s = spec(at, RecordType::CNAME, "duty.应急管理部.中国");
    s.expect = texts(&["xn--hxqz38f.xn--extu8ah31brfhgw1a.xn--fiqs8s"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(
        answers(&o),
        ["值班.应急管理部.中国 (xn--hxqz38f.xn--extu8ah31brfhgw1a.xn--fiqs8s)"]
    );
    let mut s = spec(at, RecordType::MX, "应急管理部.中国");
    s.expect = texts(&["10 值班。应急管理部。中国"]);
    assert_passed(&run(&s).await);
    s.expect = texts(&["10 值班二.应急管理部.中国"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);
}

/// Item 3: names DNS allows and hostname rules do not are asked as written.
#[tokio::test(flavor = "multi_thread")]
async fn legal_names_are_asked_as_written() {
    let Some(lab) = lab() else { return };
    let cases = [
        (RecordType::A, "under_score.aq.gov.test", "198.18.0.2"),
        (RecordType::A, "xn--zz.aq.gov.test", "198.18.0.4"),
        (
            RecordType::PTR,
            "5.0/25.100.51.198.in-addr.arpa",
            "national.aq.gov.test",
        ),
        (RecordType::TXT, "_dmarc.aq.gov.test", "v=DMARC1; p=reject"),
    ];
    for (t, name, want) in cases {
        let mut s = spec(lab.national.addr, t, name);
        s.expect = texts(&[want]);
        let o = run(&s).await;
        assert_passed(&o);
    }
}

/// Item 4 (the half without a firewall): 100 addresses do not fit a UDP answer; the TCP
/// retry brings them all, and the result says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_records_come_over_tcp() {
    let Some(lab) = lab() else { return };
    let mut s = spec(lab.national.addr, RecordType::A, "big.aq.gov.test");
    s.expect = texts(&["198.18.1.1", "198.18.1.100"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert_eq!(answers(&o).len(), 100);
    assert_eq!(o.measurements["transport"], "tcp");
    assert_eq!(o.measurements["truncated"], true);
}

/// Item 5: what is shown is what is compared, in dig's presentation format.
#[tokio::test(flavor = "multi_thread")]
async fn answers_in_presentation_format() {
    let Some(lab) = lab() else { return };
    let cases: [(RecordType, &str, &str); 6] = [
        (RecordType::TXT, "ctl.aq.gov.test", r"a\009b"),
        (RecordType::TXT, "gbk.aq.gov.test", r"\211\166\188\177"),
        (RecordType::TXT, "zh.aq.gov.test", "应急管理部"),
        (
            RecordType::TXT,
            "multi.aq.gov.test",
            "v=spf1 ip4:198.18.0.0/15 -all",
        ),
        (RecordType::MX, "nullmx.aq.gov.test", "0 ."),
        (RecordType::SRV, "_none._tcp.aq.gov.test", "0 0 0 ."),
    ];
    for (t, name, shown) in cases {
        let mut s = spec(lab.national.addr, t, name);
        s.expect = texts(&[shown]);
        let o = run(&s).await;
        assert_eq!(answers(&o), [shown], "{name}");
        assert_passed(&o);
    }
    // dig's own form of a multi-string TXT compares string by string.
    let mut s = spec(lab.national.addr, RecordType::TXT, "multi.aq.gov.test");
    s.expect = texts(&[r#""v=spf1 ip4:198.18.0.0/15" " -all""#]);
    assert_passed(&run(&s).await);
    // A tab written as a space is not the record.
    let mut s = spec(lab.national.addr, RecordType::TXT, "ctl.aq.gov.test");
    s.expect = texts(&["a b"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);
}

/// Item 6: SOA (serial), CAA, DS at the parent, DNSKEY of a signed zone.
#[tokio::test(flavor = "multi_thread")]
async fn soa_caa_ds_dnskey() {
    let Some(lab) = lab() else { return };
    let mut s = spec(lab.national.addr, RecordType::SOA, "aq.gov.test");
    s.expect = texts(&[&SERIAL.to_string()]);
    let o = run(&s).await;
    assert_passed(&o);
    assert!(answers(&o)[0].contains(&SERIAL.to_string()), "{o:?}");
    s.expect = texts(&["2020010101"]);
    failure(&run(&s).await, FailKind::AnswerMismatch);

    let mut s = spec(lab.national.addr, RecordType::CAA, "aq.gov.test");
    s.expect = texts(&[r#"0 issue "ca.aq.gov.test""#]);
    assert_passed(&run(&s).await);

    assert_passed(&run(&spec(lab.national.addr, RecordType::DS, "dsc.aq.gov.test")).await);
    failure(
        &run(&spec(lab.national.addr, RecordType::DS, "dsc2.aq.gov.test")).await,
        FailKind::RcodeMismatch,
    );
    assert_passed(&run(&spec(lab.national.addr, RecordType::DNSKEY, "signed.test")).await);
    failure(
        &run(&spec(lab.national.addr, RecordType::DNSKEY, "aq.gov.test")).await,
        FailKind::AnswerMismatch,
    );
}

/// Item 6: `dnssec: true` asks with the DO bit and requires signatures (not validated).
#[tokio::test(flavor = "multi_thread")]
async fn dnssec_requires_signatures() {
    let Some(lab) = lab() else { return };
    let mut s = spec(lab.national.addr, RecordType::A, "www.signed.test");
    s.dnssec = true;
    s.expect = texts(&["198.18.3.1"]);
    let o = run(&s).await;
    assert_passed(&o);
    assert!(
        o.measurements["rrsig"].to_string().contains("signed.test"),
        "{o:?}"
    );
    let mut s = spec(lab.national.addr, RecordType::A, "national.aq.gov.test");
    s.dnssec = true;
    failure(&run(&s).await, FailKind::SignatureMissing);
    s.dnssec = false;
    assert_passed(&run(&s).await);
}

/// Item 6: replication, one check over the primary and its secondaries: in sync passes, a
/// secondary behind is named with its serial.
#[tokio::test(flavor = "multi_thread")]
async fn secondaries_in_sync_and_behind() {
    let Some(lab) = lab() else { return };
    let zone = |serial| {
        Zone::new(
            "aq.gov.test.",
            &zones::national(serial, ["127.53.1.1", "127.53.1.2"]),
        )
    };
    let Some(in_sync) = Knot::start("127.53.0.2".parse().unwrap(), &[zone(SERIAL)]) else {
        return;
    };
    let Some(behind) = Knot::start("127.53.0.3".parse().unwrap(), &[zone(OLD_SERIAL)]) else {
        return;
    };
    let mut s = spec(lab.national.addr, RecordType::SOA, "aq.gov.test");
    s.servers = texts(&[&lab.national.addr.to_string(), &in_sync.addr.to_string()]);
    assert_passed(&run(&s).await);
    s.servers.push(Text::plain(behind.addr.to_string()));
    let o = run(&s).await;
    let m = &failure(&o, FailKind::SerialMismatch).message;
    assert!(
        m.contains(&behind.addr.to_string()) && m.contains(&OLD_SERIAL.to_string()),
        "names the secondary behind and its serial: {m}"
    );
    assert!(!m.contains(&format!("{} serves", in_sync.addr)), "{m}");
}

/// Item 4: TCP/53 silently dropped (nftables, in the server's namespace) behind a truncated
/// UDP answer is its own failure, with the server and transport recorded; UDP-sized answers
/// from the same server still pass.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root: a network namespace, a veth pair and nftables (CI runs it: --include-ignored)"]
async fn tcp_fallback_blocked_by_a_firewall() {
    host::assert_root("a network namespace, a veth pair and nftables");
    let Some(net) = Firewalled::new() else { return };
    let server: SocketAddr = "198.19.53.2:53".parse().unwrap();
    let Some(_knot) = Knot::start_in(
        &net.ns,
        server,
        &[Zone::new(
            "aq.gov.test.",
            &zones::national(SERIAL, ["127.53.1.1", "127.53.1.2"]),
        )],
    ) else {
        return;
    };
    let mut s = spec(server, RecordType::A, "national.aq.gov.test");
    s.expect = texts(&["198.18.0.1"]);
    assert_passed(&run(&s).await);
    let o = run(&spec(server, RecordType::A, "big.aq.gov.test")).await;
    let m = &failure(&o, FailKind::TcpFallbackBlocked).message;
    assert!(m.contains("TCP/53 blocked"), "{m}");
    assert_eq!(o.measurements["transport"], "tcp");
    assert_eq!(o.measurements["truncated"], true);
    assert_eq!(o.measurements["server"], "198.19.53.2:53");
}

/// A namespace reached over a veth pair (198.19.53.1 here, .2 there) whose input drops
/// TCP to port 53; deleted (with the veth) when dropped.
struct Firewalled {
    ns: String,
}

impl Firewalled {
    fn new() -> Option<Firewalled> {
        for tool in ["ip", "nft"] {
            if !available(tool) {
                host::skip(&format!("`{tool}` is not installed"));
                return None;
            }
        }
        let id = std::process::id() % 100_000;
        let net = Firewalled {
            ns: format!("na-knot-{id}"),
        };
        let (here, there) = (format!("vkh{id}"), format!("vkn{id}"));
        let _ = Command::new("ip").args(["netns", "del", &net.ns]).status();
        sh(&["ip", "netns", "add", &net.ns]);
        sh(&[
            "ip", "link", "add", &here, "type", "veth", "peer", "name", &there, "netns", &net.ns,
        ]);
        sh(&["ip", "addr", "add", "198.19.53.1/30", "dev", &here]);
        sh(&["ip", "link", "set", &here, "up"]);
        sh(&[
            "ip",
            "-n",
            &net.ns,
            "addr",
            "add",
            "198.19.53.2/30",
            "dev",
            &there,
        ]);
        sh(&["ip", "-n", &net.ns, "link", "set", &there, "up"]);
        sh(&["ip", "-n", &net.ns, "link", "set", "lo", "up"]);
        nft(
            &net.ns,
            "table inet firewall { chain input { type filter hook input priority 0; policy accept; tcp dport 53 drop; }; }\n",
        );
        Some(net)
    }
}

impl Drop for Firewalled {
    fn drop(&mut self) {
        // Deleting the namespace deletes the veth pair with it.
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
    }
}
