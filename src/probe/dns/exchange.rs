//! One question, one answer, on our own sockets: UDP with EDNS from a connected socket, TCP
//! when the answer comes back truncated, and again without EDNS when the server rejects it;
//! a reply counts only when it answers our query.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_resolver::proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RecordType as Rr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

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

pub(super) enum ExchangeError {
    /// Sending or receiving failed: the network or the server said no.
    Io(Transport, std::io::Error),
    /// No socket could be made here.
    Local(std::io::Error),
    /// The server answered with something that is not a DNS answer to our question.
    Garbage(Transport, String),
    Encode(String),
}

/// One question, one answer: UDP first, TCP when the UDP answer is truncated.
pub(super) async fn exchange(
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
