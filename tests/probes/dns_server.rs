//! A real authoritative DNS server for tests: hickory-server in the test process, UDP and TCP
//! on one loopback port, serving `aq.gov.test.` and `14.127.in-addr.arpa.` from memory. A
//! wrapping handler logs every query it receives (transport, name, type), so tests can tell
//! that a probe really reached the server and over which transport.
//!
//! The forward zone also holds what presentation and referral tests need: a delegation of
//! `hb.aq.gov.test` with glue, TXT records with control bytes, GBK bytes and Chinese, a null
//! MX, an SRV with the root target, a CAA record, and a 100-record RRset (truncated on UDP).
//!
//! Also: a "server" that reads queries and never answers, one that answers garbage, one
//! that answers as a test scripts it (with its TCP port closed or silent), and a loopback UDP
//! port that is known to be closed.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Message, ResponseCode};
use hickory_server::proto::rr::rdata::{A, PTR, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordSet, RecordType, RrKey};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use tokio::net::{TcpListener, UdpSocket};

pub const ZONE: &str = "aq.gov.test.";

/// `big.aq.gov.test` TXT: 8 strings of 200 bytes, more than the 1232 bytes EDNS allows on
/// UDP, so the server must truncate and the client must retry over TCP.
pub fn big_txt() -> Vec<String> {
    (0..8u8)
        .map(|i| char::from(b'a' + i).to_string().repeat(200))
        .collect()
}

/// TXT records by byte content, added to the zone as sent (the zone parser reads only
/// text): `ctl` has a tab and a NUL, `gbk` is 北京 in GBK (not UTF-8), `zh` is UTF-8
/// Chinese with a quote and a backslash, `split` is a UTF-8 character cut across strings.
pub fn byte_txts() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    vec![
        ("ctl", vec![b"a\tb\x00c".to_vec()]),
        ("gbk", vec![vec![0xb1, 0xb1, 0xbe, 0xa9]]),
        ("zh", vec!["应急 \"管理\" \\".as_bytes().to_vec()]),
        ("split", vec![vec![0xe5, 0xba], vec![0x94]]),
    ]
}

/// `many.aq.gov.test`: 100 A records, 127.15.0.1 to 127.15.0.100; 1,600 bytes of answers,
/// more than UDP carries.
pub fn many_ips() -> Vec<Ipv4Addr> {
    (1..=100u8).map(|i| Ipv4Addr::new(127, 15, 0, i)).collect()
}

fn zone_text() -> &'static str {
    r#"
$ORIGIN aq.gov.test.
$TTL 300
@           IN SOA   ns1.aq.gov.test. hostmaster.aq.gov.test. 1 3600 600 86400 60
@           IN NS    ns1.aq.gov.test.
@           IN NS    ns2.aq.gov.test.
@           IN MX    10 mail.aq.gov.test.
@           IN MX    20 mail2.aq.gov.test.
@           IN TXT   "v=spf1 ip4:127.14.0.0/16" " -all"
ns1         IN A     127.14.0.53
ns2         IN A     127.14.0.54
mail        IN A     127.14.0.25
sx          IN A     127.14.0.1
sx          IN AAAA  fd00:14::1
multi       IN A     127.14.0.2
multi       IN A     127.14.0.3
www         IN CNAME sx.aq.gov.test.
_https._tcp IN SRV   0 5 443 sx.aq.gov.test.
_none._tcp  IN SRV   0 0 0 .
null        IN MX    0 .
@           IN CAA   0 issue "ca.aq.gov.test"
; hb.aq.gov.test is delegated to its own servers, with glue.
hb          IN NS    ns1.hb.aq.gov.test.
hb          IN NS    ns2.hb.aq.gov.test.
ns1.hb      IN A     127.14.1.53
ns2.hb      IN A     127.14.1.54
; An IDN, 应急管理部.aq.gov.test (tests/probes/dns_names.rs; names hickory's zone parser
; refuses are added by `names_beyond_hostnames`).
xn--extu8ah31brfhgw1a IN A 127.14.0.8
idn         IN CNAME xn--extu8ah31brfhgw1a.aq.gov.test.
"#
}

fn reverse_text() -> &'static str {
    r"
$ORIGIN 14.127.in-addr.arpa.
$TTL 300
@           IN SOA   ns1.aq.gov.test. hostmaster.aq.gov.test. 1 3600 600 86400 60
@           IN NS    ns1.aq.gov.test.
1.0         IN PTR   sx.aq.gov.test.
"
}

fn zone(text: &str, origin: &str) -> (LowerName, InMemoryZoneHandler) {
    let origin = Name::from_ascii(origin).unwrap();
    let (origin, records) = Parser::new(text, None, Some(origin))
        .parse()
        .expect("zone text parses");
    let handler =
        InMemoryZoneHandler::new(origin.clone(), records, ZoneType::Primary, AxfrPolicy::Deny)
            .expect("zone builds");
    (LowerName::new(&origin), handler)
}

/// One query as the server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub protocol: Protocol,
    pub name: String,
    pub record_type: RecordType,
}

/// The catalog, plus a log of the queries that reach it.
struct Logging {
    inner: Catalog,
    log: Arc<Mutex<Vec<Seen>>>,
}

// `RequestHandler` is declared with `#[async_trait]`; without that macro at hand (no direct
// dependency), this is its expansion written out.
impl RequestHandler for Logging {
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: ResponseHandler + 'async_trait,
        T: Time + 'async_trait,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            if let Some(q) = request.queries.queries().first() {
                self.log.lock().unwrap().push(Seen {
                    protocol: request.protocol(),
                    name: q.name().to_string(),
                    record_type: q.query_type(),
                });
            }
            self.inner
                .handle_request::<R, T>(request, response_handle)
                .await
        })
    }
}

pub struct DnsServer {
    /// UDP and TCP both listen here.
    pub addr: SocketAddr,
    pub zone: Arc<InMemoryZoneHandler>,
    log: Arc<Mutex<Vec<Seen>>>,
    // Dropping the server aborts its tasks.
    _server: Server<Logging>,
}

impl DnsServer {
    pub async fn start() -> DnsServer {
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().unwrap();

        let (forward_origin, mut forward) = zone(zone_text(), ZONE);
        let big = Name::from_ascii("big.aq.gov.test.").unwrap();
        assert!(forward.upsert_mut(
            Record::from_rdata(big, 300, RData::TXT(TXT::new(big_txt()))),
            1
        ));
        for (label, strings) in byte_txts() {
            let name = Name::from_ascii(format!("{label}.{ZONE}")).unwrap();
            let txt = TXT::from_bytes(strings.iter().map(Vec::as_slice).collect());
            assert!(forward.upsert_mut(Record::from_rdata(name, 300, RData::TXT(txt)), 1));
        }
        let many = Name::from_ascii(format!("many.{ZONE}")).unwrap();
        for ip in many_ips() {
            assert!(forward.upsert_mut(Record::from_rdata(many.clone(), 300, RData::A(A(ip))), 1));
        }
        let (reverse_origin, mut reverse) = zone(reverse_text(), "14.127.in-addr.arpa.");
        names_beyond_hostnames(&mut forward, &mut reverse);
        let forward = Arc::new(forward);

        let mut catalog = Catalog::new();
        catalog.upsert(
            forward_origin,
            vec![forward.clone() as Arc<dyn ZoneHandler>],
        );
        catalog.upsert(
            reverse_origin,
            vec![Arc::new(reverse) as Arc<dyn ZoneHandler>],
        );

        let log = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Logging {
            inner: catalog,
            log: log.clone(),
        });
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 16);
        DnsServer {
            addr,
            zone: forward,
            log,
            _server: server,
        }
    }

    /// The same server, its zone at version `serial` (one server of a replicated zone, for
    /// `dns_replication`); `start`'s zone is at serial 1.
    pub async fn with_serial(serial: u32) -> DnsServer {
        let srv = DnsServer::start().await;
        let origin = Name::from_ascii(ZONE).unwrap();
        let soa = SOA::new(
            Name::from_ascii("ns1.aq.gov.test.").unwrap(),
            Name::from_ascii("hostmaster.aq.gov.test.").unwrap(),
            serial,
            3600,
            600,
            86400,
            60,
        );
        let mut set = RecordSet::with_ttl(origin.clone(), RecordType::SOA, 300);
        set.add_rdata(RData::SOA(soa));
        srv.zone.records_mut().await.insert(
            RrKey::new(LowerName::new(&origin), RecordType::SOA),
            Arc::new(set),
        );
        srv
    }

    /// The queries received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Replaces every A record of `name` (relative to the zone) by `ip`, while serving.
    pub async fn set_a(&self, name: &str, ip: Ipv4Addr) {
        let name = Name::from_ascii(name)
            .unwrap()
            .append_domain(&Name::from_ascii(ZONE).unwrap())
            .unwrap();
        let mut set = RecordSet::with_ttl(name.clone(), RecordType::A, 300);
        set.add_rdata(RData::A(A(ip)));
        self.zone.records_mut().await.insert(
            RrKey::new(LowerName::new(&name), RecordType::A),
            Arc::new(set),
        );
    }
}

/// Records under names that are DNS names but not hostnames, which hickory's zone-file
/// parser refuses (it reads owners as hostnames): `under_score` and `xn--zz` (not valid
/// punycode) A records, and an RFC 2317 PTR, `5.0/25.2.14.127.in-addr.arpa`.
fn names_beyond_hostnames(forward: &mut InMemoryZoneHandler, reverse: &mut InMemoryZoneHandler) {
    let name = |labels: &[&str]| Name::from_labels(labels.iter().map(|l| l.as_bytes())).unwrap();
    for (label, ip) in [
        ("under_score", [127, 14, 0, 7]),
        ("xn--zz", [127, 14, 0, 9]),
    ] {
        let owner = name(&[label, "aq", "gov", "test"]);
        let a = RData::A(A(Ipv4Addr::from(ip)));
        assert!(forward.upsert_mut(Record::from_rdata(owner, 300, a), 1));
    }
    let owner = name(&["5", "0/25", "2", "14", "127", "in-addr", "arpa"]);
    let target = RData::PTR(PTR(name(&["web", "aq", "gov", "test"])));
    assert!(reverse.upsert_mut(Record::from_rdata(owner, 300, target), 1));
}

/// A UDP socket and a TCP listener on the same loopback port.
async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()).await {
            return (udp, tcp);
        }
    }
    panic!("no loopback port free for both UDP and TCP");
}

/// A UDP "server" that reads every query and never answers. Dropping the handle stops it.
pub struct Silent {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn silent() -> Silent {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while sock.recv_from(&mut buf).await.is_ok() {}
    });
    Silent { addr, task }
}

/// A UDP "server" that answers every query with its id and then bytes that are not DNS.
pub async fn garbage() -> Silent {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            if n >= 2 {
                let reply = [buf[0], buf[1], 0xde, 0xad];
                let _ = sock.send_to(&reply, from).await;
            }
        }
    });
    Silent { addr, task }
}

/// A loopback UDP port nothing listens on (it was bound a moment ago, then released).
pub fn closed_udp_port() -> SocketAddr {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.local_addr().unwrap()
}

/// A UDP server that answers each query with whatever `reply` makes of it (`None`: no
/// answer), for behaviours hickory-server will not show: SERVFAIL, no EDNS support.
pub async fn scripted<F>(reply: F) -> Silent
where
    F: Fn(&Message) -> Option<Message> + Send + 'static,
{
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            if let Some(r) = reply(&query) {
                let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
            }
        }
    });
    Silent { addr, task }
}

/// What the TCP port of a [`truncating`] server does.
pub enum Tcp {
    /// Nothing listens: the connection is refused.
    Closed,
    /// Connections are accepted, and nothing is ever read or sent: TCP/53 dropped by a
    /// firewall looks the same to the client once it has connected, or never connects.
    Silent,
}

/// A UDP server that answers every query truncated (TC set, no answers), as a server does
/// whose answer is too large, with its TCP port on the same number closed or silent.
pub async fn truncating(tcp: Tcp) -> Silent {
    let (udp, listener) = bind_pair().await;
    let addr = udp.local_addr().unwrap();
    let listener = match tcp {
        Tcp::Closed => {
            drop(listener);
            None
        }
        Tcp::Silent => Some(listener),
    };
    let task = tokio::spawn(async move {
        // Accepted connections are kept open, never read, never answered.
        let mut held = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            let accept = async {
                match &listener {
                    Some(l) => l.accept().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                conn = accept => match conn {
                    Ok((conn, _)) => held.push(conn),
                    Err(_) => return,
                },
                got = udp.recv_from(&mut buf) => {
                    let Ok((n, from)) = got else { return };
                    let Ok(query) = Message::from_vec(&buf[..n]) else {
                        continue;
                    };
                    let mut r = reply_to(&query, ResponseCode::NoError);
                    r.metadata.truncation = true;
                    let _ = udp.send_to(&r.to_vec().unwrap(), from).await;
                }
            }
        }
    });
    Silent { addr, task }
}

/// The reply skeleton for `query`: same id and question, the given response code.
pub fn reply_to(query: &Message, rcode: ResponseCode) -> Message {
    let mut r = Message::error_msg(query.metadata.id, query.metadata.op_code, rcode);
    r.add_queries(query.queries.iter().cloned());
    r
}
