//! One echo on the wire: it takes a free sequence number, is sent, and what answered it (a
//! reply, an ICMP error, nothing, a failed send) becomes an [`Echo`].

use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::task::Poll;
use std::time::Duration;

use surge_ping::{Client, IcmpPacket, PingIdentifier, PingSequence, SurgeError};
use tokio::time::Instant;

/// The size ping sends by default, so that rules written with ping in mind treat us alike.
const PAYLOAD: [u8; 56] = [0x5a; 56];

/// An echo whose sequence number is still in flight to the same address (after the shared
/// counter wrapped, or a probe's identifier was reused) takes the run's next number; this
/// bounds the tries.
const SEQUENCE_TRIES: usize = 8;

/// What became of one echo request.
pub(super) enum Echo {
    Reply(Duration),
    /// No answer before its wait ended.
    Lost,
    /// An ICMP error answered it: what it said, and who said it.
    Unreachable(String),
    /// The send itself failed.
    SendFailed(io::Error),
    /// surge-ping's client went away under us: a bug here.
    Broken(String),
}
pub(super) async fn send_echo(
    client: &Client,
    seqs: &AtomicU16,
    own_seq: Option<u16>,
    (ip, scope): (IpAddr, u32),
    ident: PingIdentifier,
    timeout: Duration,
    cutoff: Instant,
) -> Echo {
    let mut pinger = client.pinger(ip, ident).await;
    pinger.scope_id(scope);
    for attempt in 0..SEQUENCE_TRIES {
        let seq = PingSequence(match own_seq {
            Some(own) if attempt == 0 => own,
            _ => seqs.fetch_add(1, Ordering::Relaxed),
        });
        let sent = Instant::now();
        pinger.timeout((sent + timeout).min(cutoff).saturating_duration_since(sent));
        let mut ping = std::pin::pin!(pinger.ping(seq, &PAYLOAD));
        // The first poll sends the echo (surge-ping starts its clock once `send_to` has
        // returned); `sending` is how long that took, so that the round trip can be
        // taken from the reply's arrival as the receiving thread stamped it, not from
        // when this task resumes: on a probe host running thousands of checks, that
        // resumption can come 200 ms later and would read as delay variation.
        let first = std::future::poll_fn(|cx| Poll::Ready(ping.as_mut().poll(cx))).await;
        let sending = sent.elapsed();
        let answer = match first {
            Poll::Ready(answer) => answer,
            Poll::Pending => ping.await,
        };
        return match answer {
            // Never under the truth: the reply came at most `sending` after the echo left
            // plus what surge-ping counted from its own clock (zero when a loopback reply
            // beat it).
            Ok((packet, after_send)) => classify(&packet, sending + after_send),
            Err(SurgeError::IdenticalRequests { .. }) => continue,
            Err(SurgeError::Timeout { .. }) => Echo::Lost,
            Err(SurgeError::IOError(e)) => Echo::SendFailed(e),
            Err(e) => Echo::Broken(e.to_string()),
        };
    }
    Echo::Broken(format!("no free ICMP sequence number for {ip}"))
}

fn classify(packet: &IcmpPacket, rtt: Duration) -> Echo {
    let (ty, code, from) = match packet {
        IcmpPacket::V4(p) => match p.get_icmp_type().0 {
            0 => return Echo::Reply(rtt),
            t => (t, p.get_icmp_code().0, IpAddr::V4(p.get_source())),
        },
        IcmpPacket::V6(p) => match p.get_icmpv6_type().0 {
            129 => return Echo::Reply(rtt),
            t => (t, p.get_icmpv6_code().0, IpAddr::V6(p.get_source())),
        },
    };
    let what = match (&packet, ty, code) {
        (IcmpPacket::V4(_), 3, 0) | (IcmpPacket::V6(_), 1, 0) => "network unreachable".to_string(),
        (IcmpPacket::V4(_), 3, 1) | (IcmpPacket::V6(_), 1, 3) => "host unreachable".to_string(),
        (IcmpPacket::V4(_), 3, 9 | 10 | 13) | (IcmpPacket::V6(_), 1, 1) => {
            "administratively prohibited".to_string()
        }
        (IcmpPacket::V4(_), 3, c) | (IcmpPacket::V6(_), 1, c) => {
            format!("destination unreachable (code {c})")
        }
        (IcmpPacket::V4(_), 11, _) | (IcmpPacket::V6(_), 3, _) => {
            "time to live exceeded in transit".to_string()
        }
        (_, t, c) => format!("ICMP type {t} code {c}"),
    };
    Echo::Unreachable(format!("{what}, reported by {from}"))
}
