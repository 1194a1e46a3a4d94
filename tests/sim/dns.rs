//! The simulator's DNS server, queried by a client written here: hickory's message types over
//! a raw tokio socket, not netaccept's prober, so that the two are checked against each other
//! and not against themselves.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_server::proto::op::{Message, Query, ResponseCode};
use hickory_server::proto::rr::{Name, RData, RecordType};
use netaccept::model::DnsFault;
use netaccept::sim::dns::{self, DnsServer, Record};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

const WAIT: Duration = Duration::from_secs(2);

fn record(name: &str, addr: &str) -> Record {
    Record {
        name: name.to_string(),
        addr: addr.parse().unwrap(),
        fault: None,
    }
}

fn faulted(name: &str, addr: &str, fault: DnsFault) -> Record {
    Record {
        fault: Some(fault),
        ..record(name, addr)
    }
}

async fn start(records: Vec<Record>) -> DnsServer {
    dns::serve("127.0.0.1:0".parse().unwrap(), records)
        .await
        .expect("server starts")
}

fn query_message(name: &str, rtype: RecordType) -> Message {
    let mut msg = Message::query();
    msg.add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    msg
}

/// Sends one query over UDP and returns the answer, checking it answers this query.
async fn udp(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
    let query = query_message(name, rtype);
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(&query.to_vec().unwrap(), server)
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let (n, from) = tokio::time::timeout(WAIT, sock.recv_from(&mut buf))
        .await
        .unwrap_or_else(|_| panic!("no UDP answer for {name} {rtype} within {WAIT:?}"))
        .unwrap();
    assert_eq!(from, server);
    let answer = Message::from_vec(&buf[..n]).unwrap();
    assert_eq!(answer.metadata.id, query.metadata.id);
    answer
}

/// Sends one query over TCP (RFC 1035 §4.2.2: two-byte length, then the message).
async fn tcp(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
    let query = query_message(name, rtype);
    let bytes = query.to_vec().unwrap();
    let exchange = async {
        let mut stream = TcpStream::connect(server).await.unwrap();
        stream
            .write_all(&u16::try_from(bytes.len()).unwrap().to_be_bytes())
            .await
            .unwrap();
        stream.write_all(&bytes).await.unwrap();
        let len = stream.read_u16().await.unwrap();
        let mut buf = vec![0u8; usize::from(len)];
        stream.read_exact(&mut buf).await.unwrap();
        buf
    };
    let buf = tokio::time::timeout(WAIT, exchange)
        .await
        .unwrap_or_else(|_| panic!("no TCP answer for {name} {rtype} within {WAIT:?}"));
    let answer = Message::from_vec(&buf).unwrap();
    assert_eq!(answer.metadata.id, query.metadata.id);
    answer
}

/// The addresses in the answer section.
fn addrs(msg: &Message) -> Vec<IpAddr> {
    msg.answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

fn rcode(msg: &Message) -> ResponseCode {
    msg.metadata.response_code
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_a_for_a_name() {
    let server = start(vec![
        record("sx.aq.gov.test.", "127.14.0.1"),
        record("sn.aq.gov.test.", "127.14.0.2"),
    ])
    .await;
    let answer = udp(server.local_addr(), "sx.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NoError);
    assert!(answer.metadata.authoritative, "{answer:?}");
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 1)]);
    assert_eq!(
        answer.answers[0].name,
        Name::from_ascii("sx.aq.gov.test.").unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn name_without_trailing_dot_or_in_capitals_is_served() {
    let server = start(vec![record("SX.aq.gov.test", "127.14.0.1")]).await;
    let addr = server.local_addr();
    for name in ["sx.aq.gov.test.", "Sx.AQ.gov.TEST."] {
        let answer = udp(addr, name, RecordType::A).await;
        assert_eq!(rcode(&answer), ResponseCode::NoError, "{name}");
        assert_eq!(addrs(&answer), [v4(127, 14, 0, 1)], "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_name_in_the_zone_is_nxdomain_with_the_soa() {
    let server = start(vec![record("sx.aq.gov.test.", "127.14.0.1")]).await;
    let answer = udp(server.local_addr(), "nowhere.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NXDomain);
    assert!(answer.answers.is_empty());
    assert!(
        answer
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::SOA
                && r.name == Name::from_ascii("aq.gov.test.").unwrap()),
        "{answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nxdomain_fault_is_nxdomain_while_its_neighbours_answer() {
    let server = start(vec![
        faulted("sx.aq.gov.test.", "127.14.0.1", DnsFault::Nxdomain),
        record("sn.aq.gov.test.", "127.14.0.2"),
        // The only name of its zone: the zone must still exist, to say NXDOMAIN.
        faulted("hz.zj.aq.gov.test", "127.33.1.1", DnsFault::Nxdomain),
    ])
    .await;
    let addr = server.local_addr();
    for name in ["sx.aq.gov.test.", "hz.zj.aq.gov.test."] {
        let answer = udp(addr, name, RecordType::A).await;
        assert_eq!(rcode(&answer), ResponseCode::NXDomain, "{name}: {answer:?}");
        assert!(answer.answers.is_empty(), "{name}");
    }
    let answer = udp(addr, "sn.aq.gov.test.", RecordType::A).await;
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 2)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_address_fault_answers_another_address() {
    let server = start(vec![
        faulted("sx.aq.gov.test.", "127.14.0.1", DnsFault::WrongAddress),
        faulted("v6.aq.gov.test.", "fd00:14::1", DnsFault::WrongAddress),
        record("sn.aq.gov.test.", "127.14.0.2"),
    ])
    .await;
    let addr = server.local_addr();
    let answer = udp(addr, "sx.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NoError);
    assert_eq!(addrs(&answer), [v4(127, 255, 255, 254)]);
    let answer = udp(addr, "v6.aq.gov.test.", RecordType::AAAA).await;
    assert_eq!(
        addrs(&answer),
        [IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 2))]
    );
    let answer = udp(addr, "sn.aq.gov.test.", RecordType::A).await;
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 2)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn ipv6_record_gets_aaaa_and_no_a() {
    let server = start(vec![record("v6.aq.gov.test.", "fd00:14::1")]).await;
    let addr = server.local_addr();
    let answer = udp(addr, "v6.aq.gov.test.", RecordType::AAAA).await;
    assert_eq!(rcode(&answer), ResponseCode::NoError);
    assert_eq!(addrs(&answer), ["fd00:14::1".parse::<IpAddr>().unwrap()]);
    assert_eq!(answer.answers[0].record_type(), RecordType::AAAA);
    // The name exists, without an IPv4 address: NOERROR and no answer, not NXDOMAIN.
    let answer = udp(addr, "v6.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NoError);
    assert!(answer.answers.is_empty(), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_answers_like_udp() {
    let server = start(vec![
        record("sx.aq.gov.test.", "127.14.0.1"),
        faulted("sn.aq.gov.test.", "127.14.0.2", DnsFault::Nxdomain),
    ])
    .await;
    let addr = server.local_addr();
    let answer = tcp(addr, "sx.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NoError);
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 1)]);
    let answer = tcp(addr, "sn.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NXDomain);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_name_is_answered_at_its_zone_apex() {
    // `aq.gov.test` is a node and also the parent of the others: its address must not be
    // shadowed by the `aq.gov.test.` zone that its children create.
    let server = start(vec![
        record("aq.gov.test", "127.1.0.1"),
        record("sx.aq.gov.test", "127.14.0.1"),
    ])
    .await;
    let addr = server.local_addr();
    let answer = udp(addr, "aq.gov.test.", RecordType::A).await;
    assert_eq!(addrs(&answer), [v4(127, 1, 0, 1)], "{answer:?}");
    let answer = udp(addr, "sx.aq.gov.test.", RecordType::A).await;
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 1)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn name_outside_every_zone_is_refused() {
    let server = start(vec![record("sx.aq.gov.test.", "127.14.0.1")]).await;
    let answer = udp(server.local_addr(), "example.com.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::Refused);
    assert!(answer.answers.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn national_scale_starts_fast_and_answers() {
    // 32 provinces × ~107 names in two levels of zones: 3,400 records, 385 zones.
    let mut records = Vec::new();
    for p in 0..32u8 {
        records.push(record(
            &format!("p{p}.aq.gov.test"),
            &format!("127.{p}.0.1"),
        ));
        for i in 0..106u16 {
            let [hi, lo] = i.to_be_bytes();
            let name = format!("n{i}.c{}.p{p}.aq.gov.test", i / 10);
            records.push(record(&name, &format!("127.{p}.{}.{}", hi + 1, lo)));
        }
    }
    records.truncate(3400);
    assert_eq!(records.len(), 3400);

    let started = Instant::now();
    let server = start(records.clone()).await;
    let took = started.elapsed();
    eprintln!("3,400 records served after {took:?}");
    assert!(took < Duration::from_secs(1), "3,400 records took {took:?}");

    let mut pick = RandomState::new().build_hasher();
    pick.write_u8(0);
    let addr = server.local_addr();
    for _ in 0..5 {
        let r = &records[usize::try_from(pick.finish() % 3400).unwrap()];
        pick.write_u8(1);
        let answer = udp(addr, &format!("{}.", r.name), RecordType::A).await;
        assert_eq!(rcode(&answer), ResponseCode::NoError, "{}", r.name);
        assert_eq!(addrs(&answer), [r.addr], "{}", r.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_frees_the_port() {
    let server = start(vec![record("sx.aq.gov.test.", "127.14.0.1")]).await;
    let addr = server.local_addr();
    assert_eq!(
        addrs(&udp(addr, "sx.aq.gov.test.", RecordType::A).await),
        [v4(127, 14, 0, 1)]
    );
    server.shutdown().await;
    // Both sockets are closed: the same port can be bound again for both protocols.
    let _udp = UdpSocket::bind(addr).await.expect("UDP port free again");
    let _tcp = TcpListener::bind(addr).await.expect("TCP port free again");
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_on_a_given_port() {
    // Find a port free for both, release it, and ask for it by number.
    let port = {
        let server = start(Vec::new()).await;
        let port = server.local_addr().port();
        server.shutdown().await;
        port
    };
    let wanted = SocketAddr::from(([127, 0, 0, 1], port));
    let server = dns::serve(wanted, vec![record("sx.aq.gov.test.", "127.14.0.1")])
        .await
        .expect("server starts on the given port");
    assert_eq!(server.local_addr(), wanted);
    assert_eq!(
        addrs(&tcp(wanted, "sx.aq.gov.test.", RecordType::A).await),
        [v4(127, 14, 0, 1)]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_name_is_refused_at_start() {
    for bad in ["", ".", "a..b.test", &"x".repeat(64)] {
        let err = dns::serve(
            "127.0.0.1:0".parse().unwrap(),
            vec![record(bad, "127.0.0.1")],
        )
        .await
        .expect_err(bad);
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::InvalidInput,
            "{bad:?}: {err}"
        );
    }
}

/// The serial of the SOA in `msg`'s answer, or else in its authority section.
fn soa_serial(msg: &Message) -> Option<u32> {
    msg.answers
        .iter()
        .chain(&msg.authorities)
        .find_map(|r| match &r.data {
            RData::SOA(soa) => Some(soa.serial),
            _ => None,
        })
}

/// The NS targets in `msg`'s answer, sorted.
fn name_servers(msg: &Message) -> Vec<String> {
    let mut v: Vec<String> = msg
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::NS(ns) => Some(ns.0.to_ascii()),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn every_zone_is_at_the_current_serial_with_both_name_servers() {
    let server = start(vec![
        record("sx.aq.gov.test.", "127.14.0.1"),
        record("ty.sx.aq.gov.test.", "127.14.1.1"),
    ])
    .await;
    let addr = server.local_addr();
    for zone in ["aq.gov.test.", "sx.aq.gov.test."] {
        let answer = udp(addr, zone, RecordType::SOA).await;
        assert_eq!(rcode(&answer), ResponseCode::NoError, "{zone}");
        assert_eq!(soa_serial(&answer), Some(dns::SERIAL), "{zone}: {answer:?}");
        let answer = udp(addr, zone, RecordType::NS).await;
        let mut both = vec![dns::PRIMARY_NS, dns::SECONDARY_NS];
        both.sort_unstable();
        assert_eq!(name_servers(&answer), both, "{zone}");
    }
    // Below the apex: NODATA, the serial in the authority section.
    let answer = udp(addr, "ty.sx.aq.gov.test.", RecordType::SOA).await;
    assert!(answer.answers.is_empty(), "{answer:?}");
    assert_eq!(soa_serial(&answer), Some(dns::SERIAL));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_copy_serves_the_previous_version_of_the_same_names() {
    let records = vec![
        record("sx.aq.gov.test.", "127.14.0.1"),
        faulted("nx.aq.gov.test.", "127.14.0.2", DnsFault::Nxdomain),
    ];
    let stale = dns::serve_version(
        "127.0.0.1:0".parse().unwrap(),
        records,
        dns::ZoneVersion::Stale,
    )
    .await
    .expect("server starts");
    let addr = stale.local_addr();
    let answer = udp(addr, "aq.gov.test.", RecordType::SOA).await;
    assert_eq!(soa_serial(&answer), Some(dns::STALE_SERIAL));
    const { assert!(dns::STALE_SERIAL < dns::SERIAL) };
    // The record the current version added is not there yet.
    let answer = udp(addr, "aq.gov.test.", RecordType::NS).await;
    assert_eq!(name_servers(&answer), [dns::PRIMARY_NS]);
    // The nodes' names are served as on the primary, faults included.
    let answer = udp(addr, "sx.aq.gov.test.", RecordType::A).await;
    assert_eq!(addrs(&answer), [v4(127, 14, 0, 1)]);
    let answer = udp(addr, "nx.aq.gov.test.", RecordType::A).await;
    assert_eq!(rcode(&answer), ResponseCode::NXDomain);
    assert_eq!(soa_serial(&answer), Some(dns::STALE_SERIAL));
}
