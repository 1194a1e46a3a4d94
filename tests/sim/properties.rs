//! Property tests (proptest) of the simulator's servers, spoken to with bytes the test
//! builds itself (its own DNS query encoder, raw HTTP): the DNS server (hickory-server's
//! query parsing behind `netaccept::sim::dns::serve`) answers each generated query as
//! generated (the question echoed, the id, the flags, the rcode and addresses the records
//! call for), and neither server panics on random or mutated bytes, over UDP or TCP, and
//! both still answer a good query afterwards.
//!
//! One DNS server and one HTTP listener serve every case, on a runtime whose threads are
//! named [`SERVER_THREAD`]: a panic hook counts the panics on those threads, which the
//! servers would otherwise survive unseen (tokio catches a task's panic).
//!
//! Cases per property: see each `config(N)`; `PROPTEST_CASES=N` runs N of each instead.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_server::proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_server::proto::rr::RData;
use netaccept::model::{DnsFault, Level};
use netaccept::sim::dns::{self, DnsServer, Record};
use netaccept::sim::http::{Behaviour, Endpoint, ListenerConfig};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::runtime::Runtime;
use tokio::sync::watch;

use crate::support::props::config;

/// The name of the servers' runtime threads, which the panic hook watches.
const SERVER_THREAD: &str = "sim-properties-server";
/// Upper bound for an answer (generous: machines are noisy).
const WAIT: Duration = Duration::from_secs(5);

/// Panics seen on the servers' threads since the test binary started.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The names the DNS server serves: (name as given to the server, address, fault).
const RECORDS: [(&str, &str, Option<DnsFault>); 5] = [
    ("sx.aq.gov.test.", "127.14.0.1", None),
    ("v6.aq.gov.test", "fd00:14::1", None),
    ("nx.aq.gov.test.", "127.14.0.3", Some(DnsFault::Nxdomain)),
    (
        "wrong.aq.gov.test.",
        "127.14.0.4",
        Some(DnsFault::WrongAddress),
    ),
    ("HZ.zj.aq.gov.test.", "127.33.1.1", None),
];

/// The zones: every parent of a name.
const ZONES: [&str; 2] = ["aq.gov.test", "zj.aq.gov.test"];

struct Servers {
    rt: Runtime,
    dns: DnsServer,
    http: SocketAddr,
    _stop: watch::Sender<bool>,
}

static SERVERS: LazyLock<Servers> = LazyLock::new(|| {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(SERVER_THREAD) {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        previous(info);
    }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .unwrap();
    let records = RECORDS
        .iter()
        .map(|(name, addr, fault)| Record {
            name: (*name).to_string(),
            addr: addr.parse().unwrap(),
            fault: *fault,
        })
        .collect();
    let dns = rt
        .block_on(dns::serve("127.0.0.1:0".parse().unwrap(), records))
        .expect("the DNS server starts");
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let http = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    let cfg = ListenerConfig {
        tls: None,
        endpoints: vec![Endpoint {
            node: "sx".into(),
            app: "dispatch".into(),
            level: Level::Provincial,
            path: "/dispatch".into(),
            behaviour: Behaviour::default(),
        }],
        node_silent: false,
        seed: 7,
    };
    rt.spawn(netaccept::sim::http::serve(listener, cfg, rx));
    Servers {
        rt,
        dns,
        http,
        _stop: stop,
    }
});

// ---------------------------------------------------------------------------------------
// DNS

/// A query as the strategy builds it.
#[derive(Debug, Clone)]
struct Query {
    id: u16,
    recursion_desired: bool,
    /// Labels, in the letter case sent.
    labels: Vec<String>,
    qtype: u16,
    /// The UDP payload size of an EDNS OPT record, if one is sent.
    edns: Option<u16>,
    tcp: bool,
}

impl Query {
    fn name(&self) -> String {
        self.labels.join(".").to_ascii_lowercase()
    }

    /// RFC 1035 §4.1, written here rather than with hickory: a header, one question,
    /// maybe an OPT record (RFC 6891).
    fn encode(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(self.id.to_be_bytes());
        b.extend(if self.recursion_desired {
            [1u8, 0]
        } else {
            [0, 0]
        });
        b.extend([0, 1, 0, 0, 0, 0, 0, u8::from(self.edns.is_some())]);
        for l in &self.labels {
            b.push(l.len() as u8);
            b.extend(l.as_bytes());
        }
        b.push(0);
        b.extend(self.qtype.to_be_bytes());
        b.extend(1u16.to_be_bytes()); // IN
        if let Some(size) = self.edns {
            b.push(0); // the root
            b.extend(41u16.to_be_bytes());
            b.extend(size.to_be_bytes());
            b.extend([0, 0, 0, 0, 0, 0]); // extended rcode, version, flags; no options
        }
        b
    }
}

/// A name: one the server has (letter case changed at random), one of its zones, a new
/// name inside a zone, or a name outside every zone.
fn labels() -> impl Strategy<Value = Vec<String>> {
    let label = "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?";
    let split = |s: &str| {
        s.trim_end_matches('.')
            .split('.')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let known: Vec<Vec<String>> = RECORDS
        .iter()
        .map(|r| split(r.0))
        .chain(ZONES.iter().map(|z| split(z)))
        .collect();
    let zones: Vec<Vec<String>> = ZONES.iter().map(|z| split(z)).collect();
    let names = prop_oneof![
        2 => prop::sample::select(known),
        1 => (prop::collection::vec(label, 1..3), prop::sample::select(zones))
            .prop_map(|(mut l, z)| {
                l.extend(z);
                l
            }),
        1 => (prop::collection::vec(label, 1..4), "test|example|cn|invalid").prop_map(
            |(mut l, tld)| {
                l.push(tld);
                l
            }
        ),
    ];
    (names, any::<u64>()).prop_map(|(labels, case)| {
        let mut bit = 0;
        labels
            .into_iter()
            .map(|l| {
                l.chars()
                    .map(|c| {
                        bit = (bit + 1) % 64;
                        if case >> bit & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

fn query() -> impl Strategy<Value = Query> {
    // A and AAAA mostly; NS, SOA, MX, TXT, SRV, CAA.
    let qtype = prop_oneof![
        3 => prop::sample::select(vec![1u16, 28]),
        1 => prop::sample::select(vec![2u16, 6, 15, 16, 33, 257]),
    ];
    (
        any::<u16>(),
        any::<bool>(),
        labels(),
        qtype,
        prop::option::of(512u16..=4096),
        any::<bool>(),
    )
        .prop_map(|(id, recursion_desired, labels, qtype, edns, tcp)| Query {
            id,
            recursion_desired,
            labels,
            qtype,
            edns,
            tcp,
        })
}

/// What the server must answer: the rcode and the addresses.
fn expected(q: &Query) -> (ResponseCode, Vec<IpAddr>) {
    let name = q.name();
    let in_zone = ZONES
        .iter()
        .any(|z| name == *z || name.ends_with(&format!(".{z}")));
    if !in_zone {
        return (ResponseCode::Refused, Vec::new());
    }
    let record = RECORDS
        .iter()
        .find(|r| r.0.trim_end_matches('.').eq_ignore_ascii_case(&name));
    let Some((_, addr, fault)) = record else {
        let apex = ZONES.contains(&name.as_str());
        return if apex {
            (ResponseCode::NoError, Vec::new())
        } else {
            (ResponseCode::NXDomain, Vec::new())
        };
    };
    let addr: IpAddr = addr.parse().unwrap();
    let addr = match (fault, addr) {
        (Some(DnsFault::Nxdomain), _) => return (ResponseCode::NXDomain, Vec::new()),
        (Some(DnsFault::WrongAddress), IpAddr::V4(_)) => IpAddr::V4(dns::WRONG_ADDRESS_V4),
        (Some(DnsFault::WrongAddress), IpAddr::V6(_)) => IpAddr::V6(dns::WRONG_ADDRESS_V6),
        (None, a) => a,
    };
    let wanted = match addr {
        IpAddr::V4(_) => 1,
        IpAddr::V6(_) => 28,
    };
    if q.qtype == wanted {
        (ResponseCode::NoError, vec![addr])
    } else {
        (ResponseCode::NoError, Vec::new())
    }
}

/// Sends `bytes` over UDP and returns the answer, or `None` if none came within `wait`.
async fn udp(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(bytes, server).await.unwrap();
    let mut buf = vec![0u8; 65_535];
    let (n, _) = tokio::time::timeout(wait, sock.recv_from(&mut buf))
        .await
        .ok()?
        .ok()?;
    buf.truncate(n);
    Some(buf)
}

/// Sends `bytes` over TCP, framed with their length (RFC 1035 §4.2.2) or raw, closes the
/// sending side and returns what came back until the server closed (or `wait` passed).
async fn tcp(server: SocketAddr, bytes: &[u8], framed: bool, wait: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let exchange = async {
        let mut s = TcpStream::connect(server).await.unwrap();
        if framed {
            s.write_all(&(bytes.len() as u16).to_be_bytes()).await?;
        }
        s.write_all(bytes).await?;
        s.shutdown().await?;
        s.read_to_end(&mut out).await
    };
    let _ = tokio::time::timeout(wait, exchange).await;
    out
}

/// Sends a query over TCP and reads one answer (its length, then the message).
async fn tcp_query(server: SocketAddr, bytes: &[u8]) -> Option<Vec<u8>> {
    let exchange = async {
        let mut s = TcpStream::connect(server).await.unwrap();
        s.write_all(&(bytes.len() as u16).to_be_bytes())
            .await
            .ok()?;
        s.write_all(bytes).await.ok()?;
        let len = s.read_u16().await.ok()?;
        let mut buf = vec![0u8; usize::from(len)];
        s.read_exact(&mut buf).await.ok()?;
        Some(buf)
    };
    tokio::time::timeout(WAIT, exchange).await.ok().flatten()
}

/// Asks `q` and checks the answer against [`expected`].
async fn ask(server: SocketAddr, q: &Query) -> Result<(), TestCaseError> {
    let bytes = if q.tcp {
        tcp_query(server, &q.encode()).await
    } else {
        udp(server, &q.encode(), WAIT).await
    };
    let bytes = bytes.ok_or_else(|| TestCaseError::fail(format!("no answer to {q:?}")))?;
    let m = Message::from_vec(&bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let (rcode, addrs) = expected(q);
    prop_assert_eq!(m.metadata.id, q.id);
    prop_assert_eq!(m.metadata.message_type, MessageType::Response);
    prop_assert_eq!(m.metadata.op_code, OpCode::Query);
    prop_assert_eq!(m.metadata.recursion_desired, q.recursion_desired);
    // The question as sent (the name compared without letter case).
    prop_assert_eq!(m.queries.len(), 1);
    let asked = &m.queries[0];
    prop_assert_eq!(
        asked
            .name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase(),
        q.name()
    );
    prop_assert_eq!(u16::from(asked.query_type()), q.qtype);
    prop_assert_eq!(m.metadata.response_code, rcode, "{:?}", m);
    let got: Vec<IpAddr> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    prop_assert_eq!(got, addrs);
    if rcode != ResponseCode::Refused {
        prop_assert!(m.metadata.authoritative);
    }
    prop_assert_eq!(m.edns.is_some(), q.edns.is_some(), "EDNS in, EDNS out");
    Ok(())
}

/// A change to a query's bytes.
#[derive(Debug, Clone)]
enum ByteEdit {
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
}

fn edit_bytes(b: &mut Vec<u8>, e: &ByteEdit) {
    match e {
        ByteEdit::Truncate(i) => b.truncate(i.index(b.len() + 1)),
        ByteEdit::Flip(i, x) if !b.is_empty() => {
            let n = i.index(b.len());
            b[n] ^= x;
        }
        ByteEdit::Flip(..) => {}
        ByteEdit::Insert(i, new) => {
            let n = i.index(b.len() + 1);
            b.splice(n..n, new.iter().copied());
        }
    }
}

fn garbage() -> impl Strategy<Value = (Vec<u8>, u8)> {
    let edit = prop_oneof![
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), 1u8..).prop_map(|(i, x)| ByteEdit::Flip(i, x)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
    ];
    let mutated = (query(), prop::collection::vec(edit, 1..5)).prop_map(|(q, edits)| {
        let mut b = q.encode();
        for e in &edits {
            edit_bytes(&mut b, e);
        }
        b
    });
    (
        prop_oneof![prop::collection::vec(any::<u8>(), 0..600), mutated],
        // How to send it: UDP, TCP framed, TCP raw.
        0u8..3,
    )
}

// ---------------------------------------------------------------------------------------
// HTTP

/// Bytes for the HTTP server: random, pieces of requests, or a request with bytes changed;
/// mostly ended by a blank line, so that the server has a head to parse.
fn http_garbage() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"GET"[..],
        b"HEAD",
        b"POST",
        b" ",
        b"/dispatch/health",
        b"/dispatch/",
        b"/x",
        b"?q",
        b"*",
        b"http://h/dispatch",
        b"HTTP/1.1",
        b"HTTP/1.0",
        b"HTTP/2.0",
        b"\r\n",
        b"\n",
        b"Host: h",
        b"Content-Length: 3",
        b"Content-Length: x",
        b"Transfer-Encoding: chunked",
        b"Connection: close",
        b"Expect: 100-continue",
        b":",
        b"\x00",
        b"\xff",
        b"abc",
    ]);
    let edit = prop_oneof![
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), 1u8..).prop_map(|(i, x)| ByteEdit::Flip(i, x)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
    ];
    let request = b"GET /dispatch/health?x=1 HTTP/1.1\r\nHost: sim\r\nContent-Length: 2\r\n\r\nab";
    let mutated = prop::collection::vec(edit, 1..4).prop_map(move |edits| {
        let mut b = request.to_vec();
        for e in &edits {
            edit_bytes(&mut b, e);
        }
        b
    });
    (
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            prop::collection::vec(piece, 0..40).prop_map(|v| v.concat()),
            mutated,
        ],
        prop::bool::weighted(0.8),
    )
        .prop_map(|(mut b, end)| {
            if end {
                b.extend_from_slice(b"\r\n\r\n");
            }
            b
        })
}

/// The status of the first response in `bytes`, if they start with one.
fn first_status(bytes: &[u8]) -> Option<u16> {
    let rest = bytes.strip_prefix(b"HTTP/1.1 ")?;
    std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()
}

/// `GET /dispatch/health` on a new connection answers 200.
async fn healthy(server: SocketAddr) -> Result<(), TestCaseError> {
    let req = b"GET /dispatch/health HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n";
    let out = tcp(server, req, false, WAIT).await;
    prop_assert_eq!(
        first_status(&out),
        Some(200),
        "{}",
        String::from_utf8_lossy(&out)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------

fn no_panics_since(before: usize) -> Result<(), TestCaseError> {
    let now = PANICS.load(Ordering::SeqCst);
    prop_assert_eq!(now, before, "the servers panicked (their output is above)");
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn dns_answers_each_query_as_generated(q in query()) {
        let s = &*SERVERS;
        let before = PANICS.load(Ordering::SeqCst);
        s.rt.block_on(ask(s.dns.local_addr(), &q))?;
        no_panics_since(before)?;
    }

    #[test]
    fn dns_survives_random_and_mutated_bytes(
        (bytes, how) in garbage(),
        then in query(),
    ) {
        let s = &*SERVERS;
        let before = PANICS.load(Ordering::SeqCst);
        let addr = s.dns.local_addr();
        s.rt.block_on(async {
            match how {
                // An answer to garbage, if any, is not checked: only that the server lives.
                0 => drop(udp(addr, &bytes, Duration::from_millis(50)).await),
                1 => drop(tcp(addr, &bytes[..bytes.len().min(65_535)], true, WAIT).await),
                _ => drop(tcp(addr, &bytes, false, WAIT).await),
            }
            ask(addr, &then).await
        })?;
        no_panics_since(before)?;
    }

    #[test]
    fn http_survives_random_and_mutated_requests(bytes in http_garbage()) {
        let s = &*SERVERS;
        let before = PANICS.load(Ordering::SeqCst);
        s.rt.block_on(async {
            let out = tcp(s.http, &bytes, false, WAIT).await;
            // Nothing, or an answer of the server's: a route's, or an error for the head.
            if !out.is_empty() {
                let status = first_status(&out);
                prop_assert!(
                    matches!(status, Some(100 | 200 | 404 | 400 | 411 | 431 | 505)),
                    "{:?}",
                    String::from_utf8_lossy(&out)
                );
            }
            healthy(s.http).await
        })?;
        no_panics_since(before)?;
    }
}

#[test]
fn the_servers_answer_a_plain_query_and_request() {
    let s = &*SERVERS;
    let q = Query {
        id: 7,
        recursion_desired: true,
        labels: vec!["sx".into(), "aq".into(), "gov".into(), "test".into()],
        qtype: 1,
        edns: None,
        tcp: false,
    };
    assert_eq!(
        expected(&q),
        (
            ResponseCode::NoError,
            vec![IpAddr::V4(Ipv4Addr::new(127, 14, 0, 1))]
        )
    );
    let aaaa = Query {
        labels: vec!["V6".into(), "aq".into(), "gov".into(), "test".into()],
        qtype: 28,
        tcp: true,
        ..q.clone()
    };
    assert_eq!(
        expected(&aaaa).1,
        [IpAddr::V6("fd00:14::1".parse::<Ipv6Addr>().unwrap())]
    );
    s.rt.block_on(async {
        ask(s.dns.local_addr(), &q).await.unwrap();
        ask(s.dns.local_addr(), &aaaa).await.unwrap();
        healthy(s.http).await.unwrap();
    });
}
