//! The DNS prober against Knot DNS (`knotd`, started by the test on loopback, or in a network
//! namespace where nftables drops TCP/53): an authoritative server we did not write.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use netaccept::model::{DnsSpec, Probe, RecordType, Text};
use netaccept::probe::{Context, Outcome, Verdict};
use tokio::time::{Instant, timeout_at};

use crate::knot_zones::{self as zones, SERIAL};
use crate::support::knot::{Knot, Zone};

const TIMEOUT: Duration = Duration::from_secs(2);

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
        ],
    )?;
    Some(Lab {
        national,
        provincial,
    })
}

fn spec(server: SocketAddr, record_type: RecordType, name: &str) -> DnsSpec<Text> {
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

async fn run(s: &DnsSpec<Text>) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context::new(dir.path());
    let deadline = Instant::now() + TIMEOUT;
    let p = Probe::Dns(s.clone());
    timeout_at(deadline, netaccept::probe::probe(&p, &cx, deadline))
        .await
        .unwrap_or_else(|_| panic!("{s:?}: no verdict within {TIMEOUT:?}"))
}

#[track_caller]
fn assert_passed(o: &Outcome) {
    assert!(
        matches!(o.verdict, Verdict::Passed),
        "expected a pass, got {o:?}"
    );
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
    let _: IpAddr = lab.national.addr.ip();
}
