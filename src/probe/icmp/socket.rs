//! The ICMP sockets themselves: which kind this process may open (raw, unprivileged, or
//! none, with the message that says how to allow one), opening a family's socket, and
//! tuning it (a 4 MiB receive buffer; on raw sockets, a kernel filter).
//!
//! The crate's only `unsafe` code lives here: surge-ping hands out its socket as a raw
//! descriptor, and socket2 has no setter for SO_RCVBUFFORCE.

// Raw ICMP sockets need it: borrowing surge-ping's descriptor, setting SO_RCVBUFFORCE.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::BorrowedFd;

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use surge_ping::{Client, Config, ICMP};

/// Thousands of probes answered at once by a fast target (loopback, a LAN) queue their
/// replies faster than one receiving task drains them; the default buffer (208 KiB) then
/// drops replies, which would read as loss (measured: 762 of 2,000 simultaneous echoes to
/// 127.x lost with it, none with this).
const RECV_BUFFER: usize = 4 << 20;

/// Which kind of ICMP socket this process may open, decided once.
pub(super) enum Access {
    /// Root or CAP_NET_RAW. Preferred: it also sees ICMP errors (destination unreachable).
    Raw,
    /// An unprivileged ICMP socket, allowed by `net.ipv4.ping_group_range`.
    Dgram,
    Denied(String),
}

/// Tries a raw socket, then an unprivileged one, with socket2 directly: surge-ping falls
/// back from one kind to the other silently, and we must know which we have (and whether
/// we have none) before the first probe, outside any runtime.
pub(super) fn detect_access() -> Access {
    let Err(raw) = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)) else {
        return Access::Raw;
    };
    let Err(dgram) = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4)) else {
        return Access::Dgram;
    };
    if raw.kind() == io::ErrorKind::PermissionDenied
        && dgram.kind() == io::ErrorKind::PermissionDenied
    {
        Access::Denied(format!(
            "ICMP is not permitted here ({dgram}): netaccept needs a raw ICMP socket or an \
             unprivileged one. Fix one of: run as root; \
             `sudo setcap cap_net_raw+ep $(which netaccept)`; or allow unprivileged ICMP with \
             `sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`"
        ))
    } else {
        // Not a permission problem (IPv4 disabled, no descriptors left): opening the socket
        // again at the first probe reports it there, as a local error.
        Access::Raw
    }
}

/// Opens the family's socket as `ty`, then tunes it.
pub(super) fn open(kind: ICMP, ty: Type) -> io::Result<Client> {
    let config = Config::builder().kind(kind).sock_type_hint(ty).build();
    let client = Client::new(&config)?;
    let socket = client.get_socket();
    // The type surge-ping really opened: it falls back to the other kind on failure.
    let raw = socket.get_type() == Type::RAW;
    // SAFETY: the descriptor belongs to `client`, which outlives this borrow; socket options
    // are set through it and nothing is closed.
    let fd = unsafe { BorrowedFd::borrow_raw(socket.get_native_sock()) };
    let sock = SockRef::from(&fd);
    raise_recv_buffer(&sock)?;
    if raw {
        filter_replies(&sock, kind)?;
    }
    Ok(client)
}

/// Raises the receive buffer to [`RECV_BUFFER`]. SO_RCVBUF is capped by
/// `net.core.rmem_max`; as root the cap is lifted with SO_RCVBUFFORCE instead of changing
/// the sysctl. Where neither reaches it (CAP_NET_RAW alone), the socket keeps what it got.
fn raise_recv_buffer(sock: &SockRef<'_>) -> io::Result<()> {
    sock.set_recv_buffer_size(RECV_BUFFER)?;
    // Linux reports twice the size asked for (it counts its bookkeeping).
    if sock.recv_buffer_size()? < RECV_BUFFER * 2 {
        let _ = force_recv_buffer(sock, RECV_BUFFER);
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn force_recv_buffer(sock: &SockRef<'_>, size: usize) -> io::Result<()> {
    // socket2 has no setter for SO_RCVBUFFORCE.
    let value = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
    crate::probe::path::socket::set_int(sock, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, value)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn force_recv_buffer(_sock: &SockRef<'_>, _size: usize) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A raw socket receives every ICMP packet the host receives: on loopback our own echo
/// requests too, and on IPv6 neighbour discovery. A kernel filter keeps echo replies and
/// the errors that can answer an echo, halving the work at loopback rates.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn filter_replies(sock: &SockRef<'_>, kind: ICMP) -> io::Result<()> {
    use socket2::SockFilter;
    // Classic BPF: load the ICMP type, keep the packet if it is one of three, else drop.
    const LD_B_ABS: u16 = 0x30; // A = byte at k
    const LDX_B_MSH: u16 = 0xb1; // X = IPv4 header length
    const LD_B_IND: u16 = 0x50; // A = byte at X + k
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let mut prog = Vec::with_capacity(7);
    let keep = match kind {
        // IPv4 raw sockets see the IP header; the type follows it.
        ICMP::V4 => {
            prog.push(SockFilter::new(LDX_B_MSH, 0, 0, 0));
            prog.push(SockFilter::new(LD_B_IND, 0, 0, 0));
            [0, 3, 11] // echo reply, destination unreachable, time exceeded
        }
        // IPv6 raw sockets start at the ICMPv6 header.
        ICMP::V6 => {
            prog.push(SockFilter::new(LD_B_ABS, 0, 0, 0));
            [129, 1, 3]
        }
    };
    prog.push(SockFilter::new(JEQ_K, 3, 0, keep[0]));
    prog.push(SockFilter::new(JEQ_K, 2, 0, keep[1]));
    prog.push(SockFilter::new(JEQ_K, 1, 0, keep[2]));
    prog.push(SockFilter::new(RET_K, 0, 0, 0));
    prog.push(SockFilter::new(RET_K, 0, 0, u32::MAX));
    sock.attach_filter(&prog)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn filter_replies(_sock: &SockRef<'_>, _kind: ICMP) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::icmp::Pinger;

    /// The socket really is of the kind detected, and its receive buffer reached
    /// [`RECV_BUFFER`] wherever this process may have it: always with CAP_NET_ADMIN
    /// (SO_RCVBUFFORCE), else up to `net.core.rmem_max`.
    #[tokio::test]
    async fn the_socket_is_of_the_detected_kind_with_a_large_receive_buffer() {
        let pinger = Pinger::new();
        if let Some(why) = pinger.permission_problem() {
            eprintln!("skipped: {why}");
            return;
        }
        let Ok(client) = pinger.client("127.0.0.1".parse().unwrap()).await else {
            panic!("cannot open the ICMP socket");
        };
        let socket = client.get_socket();
        let expected = match pinger.access {
            Access::Raw => Type::RAW,
            _ => Type::DGRAM,
        };
        assert_eq!(socket.get_type(), expected);

        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let cap_eff = status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap();
        let net_admin = cap_eff & (1 << 12) != 0;
        let rmem_max: usize = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let want = if net_admin {
            RECV_BUFFER
        } else {
            RECV_BUFFER.min(rmem_max)
        };
        // SAFETY: `client` owns the descriptor for the whole borrow.
        let fd = unsafe { BorrowedFd::borrow_raw(socket.get_native_sock()) };
        let got = SockRef::from(&fd).recv_buffer_size().unwrap();
        assert!(
            got >= want * 2,
            "SO_RCVBUF {got}, want {} (rmem_max {rmem_max})",
            want * 2
        );
    }
}
