//! One question, one answer, on our own sockets: UDP with EDNS from a connected socket, TCP
//! when the answer comes back truncated, and again without EDNS when the server rejects it;
//! a reply counts only when it answers our query. Every wait ends at the prober's own
//! deadline, so that a silence is reported with the transport that met it.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_resolver::proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RecordType as Rr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};

/// The EDNS buffer size of the DNS Flag Day 2020: large enough for most answers, small
/// enough not to be fragmented on any path.
const EDNS_PAYLOAD: u16 = 1232;

#[derive(Clone, Copy, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }
}

/// A reply to our question, and how it came.
pub(super) struct Reply {
    pub(super) message: Message,
    /// The transport of the reply: TCP only ever as the retry of a truncated UDP answer.
    pub(super) transport: Transport,
    /// Whether a UDP answer came back truncated (then `transport` is TCP).
    pub(super) truncated: bool,
}

pub(super) enum ExchangeError {
    /// Sending or receiving failed: the network or the server said no.
    Io(Transport, std::io::Error),
    /// Nothing came back over this transport before the deadline.
    Silent(Transport),
    /// No socket could be made here.
    Local(std::io::Error),
    /// The server answered with something that is not a DNS answer to our question.
    Garbage(Transport, String),
    Encode(String),
}

/// What to ask: the name, the type, and whether to set the DO bit (`dnssec: true`).
#[derive(Clone, Copy)]
pub(super) struct Question<'a> {
    pub(super) name: &'a Name,
    pub(super) rtype: Rr,
    pub(super) dnssec: bool,
}

/// One question, one answer: UDP first, TCP when the UDP answer is truncated. Gives up at
/// `stop_at` with [`ExchangeError::Silent`] naming the transport that was waited on.
pub(super) async fn exchange(
    server: SocketAddr,
    q: Question<'_>,
    stop_at: Instant,
) -> Result<Reply, ExchangeError> {
    let mut edns = true;
    loop {
        let query = build_query(q, edns);
        let bytes = query
            .to_vec()
            .map_err(|e| ExchangeError::Encode(e.to_string()))?;
        let mut reply = timeout_at(stop_at, udp(server, &query, &bytes))
            .await
            .map_err(|_| ExchangeError::Silent(Transport::Udp))??;
        let mut transport = Transport::Udp;
        let truncated = reply.metadata.truncation;
        if truncated {
            reply = timeout_at(stop_at, tcp(server, &query, &bytes))
                .await
                .map_err(|_| ExchangeError::Silent(Transport::Tcp))??;
            transport = Transport::Tcp;
        }
        if edns && reply.metadata.response_code == ResponseCode::FormErr && reply.edns.is_none() {
            edns = false;
            continue;
        }
        return Ok(Reply {
            message: reply,
            transport,
            truncated,
        });
    }
}

fn build_query(question: Question<'_>, edns: bool) -> Message {
    let (name, rtype) = (question.name, question.rtype);
    let mut q = Message::query();
    // As dig does: a recursive resolver answers for any name, an authoritative server ignores it.
    q.metadata.recursion_desired = true;
    q.add_query(Query::query(name.clone(), rtype));
    if edns {
        let mut e = Edns::new();
        // DO asks for the RRSIGs (RFC 3225); without it a signed zone answers unsigned.
        e.set_max_payload(EDNS_PAYLOAD)
            .set_version(0)
            .set_dnssec_ok(question.dnssec);
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
            // Not an answer to this question: wait for the next datagram.
            Ok(_) => {}
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
