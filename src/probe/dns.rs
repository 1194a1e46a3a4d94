//! DNS prober: ask one named server one question, directly, and judge its response code and
//! answers against the suite's expectations.
//!
//! The transport is our own, over tokio sockets; hickory only encodes and decodes messages.
//! hickory's clients send UDP from an unconnected socket, which never sees the ICMP "port
//! unreachable" of a closed port, so a dead DNS service would look like a silent one; a
//! connected socket tells the two apart. It also keeps every probe independent: no resolver
//! configuration, no cache, no shared connection, exactly one query (the runner retries).
//!
//! The query goes over UDP with EDNS (1232-byte buffer, as dig sends) and is repeated over
//! TCP when the answer comes back truncated; a server that rejects EDNS with FORMERR is asked
//! again without it (RFC 6891 §6.2.2). Only answers of the asked type count: a CNAME on the
//! way to an A record is not an A answer.

use std::io::ErrorKind as Io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_resolver::proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType as Rr};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::Instant;

use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, ms};
use crate::model::{DnsSpec, RecordType, Text};

/// The EDNS buffer size of the DNS Flag Day 2020: large enough for most answers, small
/// enough not to be fragmented on any path.
const EDNS_PAYLOAD: u16 = 1232;

/// Answers listed in a message; the measurements keep them all.
const MESSAGE_ANSWERS: usize = 10;

/// Asks `spec.server` for `spec.name` once and judges the response; see the module doc.
pub async fn probe(spec: &DnsSpec<Text>, _cx: &Context, _deadline: Instant) -> Outcome {
    let server = match server_addr(&spec.server.expose()) {
        Some(a) => a,
        None => {
            return Outcome::errored(
                ErrorKind::Config,
                format!(
                    "dns server `{}` is not an IP address with an optional port",
                    spec.server
                ),
            );
        }
    };
    let name = match query_name(&spec.name.expose(), spec.record_type) {
        Ok(n) => n,
        Err(e) => {
            return Outcome::errored(
                ErrorKind::Config,
                format!("`{}` is not a DNS name: {e}", spec.name),
            );
        }
    };
    // A secret server address stays `***`; otherwise show the port the query really went to.
    let shown_server = if spec.server.has_secret() {
        spec.server.to_string()
    } else {
        server.to_string()
    };
    let what = format!(
        "{} {} @{}",
        spec.record_type.as_str(),
        spec.name,
        shown_server
    );
    let rtype = wire_type(spec.record_type);

    let mut m = Measurements::new();
    m.insert("server".into(), json!(shown_server));
    // The caller drops this future at the deadline: no timer of our own is needed.
    let start = std::time::Instant::now();
    let res = exchange(server, &name, rtype).await;
    m.insert("time_ms".into(), ms(start.elapsed()));
    let (reply, transport) = match res {
        Ok(r) => r,
        Err(e) => return exchange_failed(e, &what, m),
    };

    let rcode = rcode_str(reply.metadata.response_code);
    let answers: Vec<Answer> = reply
        .answers
        .iter()
        .filter(|r| r.record_type() == rtype)
        .filter_map(answer)
        .collect();
    let shown: Vec<&str> = answers.iter().map(|a| a.shown.as_str()).collect();
    m.insert("rcode".into(), json!(rcode));
    m.insert("answers".into(), json!(shown));
    m.insert("transport".into(), json!(transport));
    let evidence = (!shown.is_empty()).then(|| shown.join(", "));
    let measured = if shown.is_empty() {
        "no answers".to_string()
    } else {
        shown.join(", ")
    };

    let verdict = judge(spec, &rcode, &answers);
    let outcome = match verdict {
        None => Outcome::passed(m),
        Some(Miss::Rcode(want)) => {
            let seen = if shown.is_empty() {
                String::new()
            } else {
                format!(", answers {}", list(&shown))
            };
            Outcome::failed(
                Failure::new(
                    FailKind::RcodeMismatch,
                    format!("{what}: {rcode}{seen}, expected {want}"),
                )
                .expected(format!("rcode {want}"), rcode.clone()),
                m,
            )
        }
        Some(Miss::Answers(expected)) => Outcome::failed(
            Failure::new(
                FailKind::AnswerMismatch,
                format!("{what}: answers {}, expected {expected}", list(&shown)),
            )
            .expected(expected, measured),
            m,
        ),
    };
    outcome.with_evidence(evidence)
}

enum Miss {
    /// The response code that was required.
    Rcode(&'static str),
    /// The expectation on the answers, as a human reads it.
    Answers(String),
}

fn judge(spec: &DnsSpec<Text>, rcode: &str, answers: &[Answer]) -> Option<Miss> {
    let want = spec.rcode.map_or("NOERROR", |r| r.as_str());
    if rcode != want {
        return Some(Miss::Rcode(want));
    }
    let t = spec.record_type;
    let found = |e: &Text| {
        let e = normalise_expected(t, &e.expose());
        answers.iter().any(|a| a.matches(&e))
    };
    if !spec.expect.is_empty() {
        let missing: Vec<&Text> = spec.expect.iter().filter(|e| !found(e)).collect();
        if !missing.is_empty() {
            let all = join(&spec.expect);
            return Some(Miss::Answers(if missing.len() == spec.expect.len() {
                all
            } else {
                format!("{all} (missing {})", join(missing))
            }));
        }
    }
    if !spec.expect_any.is_empty() && !spec.expect_any.iter().any(found) {
        return Some(Miss::Answers(format!("any of {}", join(&spec.expect_any))));
    }
    // With nothing stated, "resolves" is the expectation; an explicit rcode (NXDOMAIN, or
    // NOERROR for "exists, maybe without this type") says all there is to say.
    if spec.rcode.is_none()
        && spec.expect.is_empty()
        && spec.expect_any.is_empty()
        && answers.is_empty()
    {
        return Some(Miss::Answers(format!("at least one {} answer", t.as_str())));
    }
    None
}

fn join<'a>(v: impl IntoIterator<Item = &'a Text>) -> String {
    v.into_iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[a, b, c]`, cut after a few: a message stays one readable line.
fn list(shown: &[&str]) -> String {
    if shown.len() <= MESSAGE_ANSWERS {
        format!("[{}]", shown.join(", "))
    } else {
        format!(
            "[{}, … {} more]",
            shown[..MESSAGE_ANSWERS].join(", "),
            shown.len() - MESSAGE_ANSWERS
        )
    }
}

/// One answer record: how it is shown, and the normalised forms an expectation may match.
struct Answer {
    shown: String,
    full: String,
    /// The target alone, for MX and SRV: `mail.example` matches `10 mail.example`.
    short: Option<String>,
}

impl Answer {
    fn matches(&self, expected: &str) -> bool {
        self.full == expected || self.short.as_deref() == Some(expected)
    }
}

fn answer(r: &Record) -> Option<Answer> {
    let plain = |s: String| Answer {
        shown: s.clone(),
        full: s,
        short: None,
    };
    let named = |n: &Name| Answer {
        shown: show_name(n),
        full: norm_wire_name(n),
        short: None,
    };
    Some(match &r.data {
        RData::A(a) => plain(a.0.to_string()),
        RData::AAAA(a) => plain(a.0.to_string()),
        RData::CNAME(n) => named(&n.0),
        RData::NS(n) => named(&n.0),
        RData::PTR(n) => named(&n.0),
        RData::MX(mx) => Answer {
            shown: format!("{} {}", mx.preference, show_name(&mx.exchange)),
            full: format!("{} {}", mx.preference, norm_wire_name(&mx.exchange)),
            short: Some(norm_wire_name(&mx.exchange)),
        },
        RData::SRV(s) => Answer {
            shown: format!(
                "{} {} {} {}",
                s.priority,
                s.weight,
                s.port,
                show_name(&s.target)
            ),
            full: format!(
                "{} {} {} {}",
                s.priority,
                s.weight,
                s.port,
                norm_wire_name(&s.target)
            ),
            short: Some(norm_wire_name(&s.target)),
        },
        RData::TXT(t) => {
            let bytes: Vec<u8> = t.txt_data.iter().flat_map(|s| s.iter().copied()).collect();
            let full = String::from_utf8_lossy(&bytes).into_owned();
            // A report line must stay one line, whatever bytes the record holds.
            let shown = full
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            Answer {
                shown,
                full,
                short: None,
            }
        }
        _ => return None,
    })
}

/// A name as people write it: Unicode labels, no root dot.
fn show_name(n: &Name) -> String {
    let s = n.to_utf8();
    s.strip_suffix('.').map(str::to_string).unwrap_or(s)
}

/// A name as compared: ASCII (punycode), lower case, no root dot.
fn norm_wire_name(n: &Name) -> String {
    n.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

fn norm_name(s: &str) -> String {
    let s = s.trim();
    match Name::from_utf8(s) {
        Ok(n) => norm_wire_name(&n),
        Err(_) => s.trim_end_matches('.').to_lowercase(),
    }
}

/// An expected value in the form [`Answer::full`] or [`Answer::short`] takes.
fn normalise_expected(t: RecordType, e: &str) -> String {
    let words: Vec<&str> = e.split_whitespace().collect();
    let numbers = |w: &[&str]| w.iter().all(|x| x.parse::<u16>().is_ok());
    match t {
        RecordType::A | RecordType::AAAA => e
            .trim()
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .unwrap_or_else(|_| e.trim().to_string()),
        RecordType::CNAME | RecordType::NS | RecordType::PTR => norm_name(e),
        RecordType::MX if words.len() == 2 && numbers(&words[..1]) => {
            format!(
                "{} {}",
                words[0].parse::<u16>().unwrap_or(0),
                norm_name(words[1])
            )
        }
        RecordType::SRV if words.len() == 4 && numbers(&words[..3]) => {
            let n: Vec<u16> = words[..3].iter().map(|x| x.parse().unwrap_or(0)).collect();
            format!("{} {} {} {}", n[0], n[1], n[2], norm_name(words[3]))
        }
        RecordType::MX | RecordType::SRV => norm_name(e),
        RecordType::TXT => e.to_string(),
    }
}

fn wire_type(t: RecordType) -> Rr {
    match t {
        RecordType::A => Rr::A,
        RecordType::AAAA => Rr::AAAA,
        RecordType::CNAME => Rr::CNAME,
        RecordType::MX => Rr::MX,
        RecordType::TXT => Rr::TXT,
        RecordType::SRV => Rr::SRV,
        RecordType::PTR => Rr::PTR,
        RecordType::NS => Rr::NS,
    }
}

/// The suite's spelling of a response code (`NXDOMAIN`), so it compares with [`crate::model::Rcode`].
fn rcode_str(c: ResponseCode) -> String {
    match c {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::Unknown(n) => format!("RCODE{n}"),
        other => format!("{other:?}").to_uppercase(),
    }
}

fn server_addr(s: &str) -> Option<SocketAddr> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

/// The name to ask, always fully qualified so that no search domain could apply. For PTR an
/// address may be given as is: it is turned into its `in-addr.arpa`/`ip6.arpa` name.
fn query_name(s: &str, t: RecordType) -> Result<Name, String> {
    let s = s.trim();
    let mut n = match s.parse::<IpAddr>() {
        Ok(ip) if t == RecordType::PTR => Name::from(ip),
        _ => Name::from_utf8(s).map_err(|e| e.to_string())?,
    };
    n.set_fqdn(true);
    Ok(n)
}

#[derive(Clone, Copy, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }
}

enum ExchangeError {
    /// Sending or receiving failed: the network or the server said no.
    Io(Transport, std::io::Error),
    /// No socket could be made here.
    Local(std::io::Error),
    /// The server answered with something that is not a DNS answer to our question.
    Garbage(Transport, String),
    Encode(String),
}

fn exchange_failed(e: ExchangeError, what: &str, m: Measurements) -> Outcome {
    let (transport, e) = match e {
        ExchangeError::Io(t, e) => (t, e),
        ExchangeError::Local(e) => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("{what}: cannot open a socket here: {e}"),
            );
        }
        ExchangeError::Encode(e) => {
            return Outcome::errored(
                ErrorKind::Internal,
                format!("{what}: cannot encode the query: {e}"),
            );
        }
        ExchangeError::Garbage(t, why) => {
            return Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{what}: {} reply is not DNS: {why}", t.as_str()),
                )
                .expected("a DNS answer", "not DNS"),
                m,
            );
        }
    };
    let t = transport.as_str();
    let (kind, how) = match e.kind() {
        Io::ConnectionRefused => (
            FailKind::ConnectionRefused,
            match transport {
                Transport::Udp => "port unreachable",
                Transport::Tcp => "connection refused",
            },
        ),
        Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe => (
            FailKind::ConnectionReset,
            "connection closed before the answer",
        ),
        Io::HostUnreachable | Io::NetworkUnreachable => (FailKind::Unreachable, "unreachable"),
        Io::TimedOut => (FailKind::Timeout, "timed out"),
        Io::AddrNotAvailable | Io::PermissionDenied => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("{what}: cannot send from here: {e}"),
            );
        }
        _ => (FailKind::Unreachable, "failed"),
    };
    Outcome::failed(
        Failure::new(kind, format!("{what}: {t} {how} ({e})")).expected("a DNS answer", how),
        m,
    )
}

/// One question, one answer: UDP first, TCP when the UDP answer is truncated.
async fn exchange(
    server: SocketAddr,
    name: &Name,
    rtype: Rr,
) -> Result<(Message, Transport), ExchangeError> {
    let mut edns = true;
    loop {
        let query = build_query(name, rtype, edns);
        let bytes = query
            .to_vec()
            .map_err(|e| ExchangeError::Encode(e.to_string()))?;
        let mut reply = udp(server, &query, &bytes).await?;
        let mut transport = Transport::Udp;
        if reply.metadata.truncation {
            reply = tcp(server, &query, &bytes).await?;
            transport = Transport::Tcp;
        }
        if edns && reply.metadata.response_code == ResponseCode::FormErr && reply.edns.is_none() {
            edns = false;
            continue;
        }
        return Ok((reply, transport));
    }
}

fn build_query(name: &Name, rtype: Rr, edns: bool) -> Message {
    let mut q = Message::query();
    // As dig does: a recursive resolver answers for any name, an authoritative server ignores it.
    q.metadata.recursion_desired = true;
    q.add_query(Query::query(name.clone(), rtype));
    if edns {
        let mut e = Edns::new();
        e.set_max_payload(EDNS_PAYLOAD).set_version(0);
        q.set_edns(e);
    }
    q
}

/// Whether `reply` answers `query`. A reply without a question section is accepted: some
/// servers drop it from FORMERR and NOTIMP replies, and the id and address already match.
fn answers_query(reply: &Message, query: &Message) -> bool {
    reply.metadata.message_type == MessageType::Response
        && reply.metadata.id == query.metadata.id
        && (reply.queries.is_empty() || reply.queries == query.queries)
}

async fn udp(server: SocketAddr, query: &Message, bytes: &[u8]) -> Result<Message, ExchangeError> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let sock = UdpSocket::bind(local).await.map_err(ExchangeError::Local)?;
    // Connected: the kernel drops datagrams from anyone else, and reports the server's ICMP
    // port unreachable as ECONNREFUSED on the next receive.
    let io = |e| ExchangeError::Io(Transport::Udp, e);
    sock.connect(server).await.map_err(io)?;
    sock.send(bytes).await.map_err(io)?;
    let mut buf = vec![0u8; 65535];
    loop {
        let n = sock.recv(&mut buf).await.map_err(io)?;
        let pkt = &buf[..n];
        // Another id is a late answer to someone else's query (or a spoof): wait for ours.
        if pkt.len() < 2 || pkt[..2] != query.metadata.id.to_be_bytes() {
            continue;
        }
        match Message::from_vec(pkt) {
            Ok(reply) if answers_query(&reply, query) => return Ok(reply),
            Ok(_) => continue,
            Err(e) => return Err(ExchangeError::Garbage(Transport::Udp, e.to_string())),
        }
    }
}

async fn tcp(server: SocketAddr, query: &Message, bytes: &[u8]) -> Result<Message, ExchangeError> {
    let io = |e| ExchangeError::Io(Transport::Tcp, e);
    let mut stream = TcpStream::connect(server).await.map_err(io)?;
    let len = u16::try_from(bytes.len())
        .map_err(|_| ExchangeError::Encode("query longer than 65535 bytes".into()))?;
    let mut framed = Vec::with_capacity(bytes.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(bytes);
    stream.write_all(&framed).await.map_err(io)?;
    let n = stream.read_u16().await.map_err(io)?;
    let mut buf = vec![0u8; usize::from(n)];
    stream.read_exact(&mut buf).await.map_err(io)?;
    let reply = Message::from_vec(&buf)
        .map_err(|e| ExchangeError::Garbage(Transport::Tcp, e.to_string()))?;
    if !answers_query(&reply, query) {
        return Err(ExchangeError::Garbage(
            Transport::Tcp,
            "the reply answers another question".into(),
        ));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_values_normalise_like_answers() {
        assert_eq!(normalise_expected(RecordType::AAAA, "0:0::1"), "::1");
        assert_eq!(
            normalise_expected(RecordType::CNAME, "WWW.Aq.Gov.Test."),
            "www.aq.gov.test"
        );
        assert_eq!(
            normalise_expected(RecordType::MX, "10  Mail.aq.gov.test"),
            "10 mail.aq.gov.test"
        );
        assert_eq!(
            normalise_expected(RecordType::MX, "mail.aq.gov.test."),
            "mail.aq.gov.test"
        );
        assert_eq!(
            normalise_expected(RecordType::SRV, "0 5 443 Web.aq.gov.test"),
            "0 5 443 web.aq.gov.test"
        );
        assert_eq!(
            normalise_expected(RecordType::TXT, "v=spf1 -all"),
            "v=spf1 -all"
        );
        // Unicode names compare in their punycode form, whichever form was written.
        assert_eq!(
            normalise_expected(RecordType::CNAME, "应急.中国"),
            normalise_expected(RecordType::CNAME, "XN--EXTU8A.xn--fiqs8s.")
        );
    }

    #[test]
    fn names_are_fully_qualified_and_ptr_takes_addresses() {
        assert!(
            query_name("sx.aq.gov.test", RecordType::A)
                .unwrap()
                .is_fqdn()
        );
        assert_eq!(
            query_name("127.14.0.9", RecordType::PTR)
                .unwrap()
                .to_ascii(),
            "9.0.14.127.in-addr.arpa."
        );
        assert_eq!(
            server_addr("127.0.0.53"),
            Some("127.0.0.53:53".parse().unwrap())
        );
        assert_eq!(
            server_addr("[::1]:5353"),
            Some("[::1]:5353".parse().unwrap())
        );
        assert_eq!(rcode_str(ResponseCode::NXDomain), "NXDOMAIN");
        assert_eq!(rcode_str(ResponseCode::YXDomain), "YXDOMAIN");
    }
}
