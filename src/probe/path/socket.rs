//! The raw sockets of traces and MTU searches. IPv4: one socket for the whole run,
//! filtered in the kernel to echo replies and ICMP errors, whose answers `shared` routes to
//! each search by identifier. IPv6: a socket per search, filtered in the kernel to the
//! replies and errors that carry its identifier (its hop limit is a socket option, set
//! before each send, which shared searches would race on).
//!
//! IPv4: IP_HDRINCL, so that each packet carries its own TTL and Don't Fragment bit in the
//! header we write. IPv6 has no such option (the kernel writes the header and, for ICMPv6,
//! the checksum): the hop limit is set on the socket before each send (one task owns its
//! socket and sends in turn, so nothing races), IPV6_DONTFRAG keeps packets whole, and the
//! echo's checksum is made constant through the pseudo-header (`wire`), which needs the
//! source address the kernel will use (asked of a connected UDP socket).
//!
//! A packet with Don't Fragment set is never fragmented here, but the kernel still holds
//! it to the path MTU it has cached for the destination (learnt from an earlier
//! "fragmentation needed", ours or anyone's): the send fails with EMSGSIZE as if this
//! host's interface were that small. `IP_MTU_DISCOVER = IP_PMTUDISC_PROBE` makes the
//! socket ignore that cache and hold packets to the interface's own MTU only, so that
//! every search measures the path again and EMSGSIZE means this host's interface (found
//! by a test: the second search of a path read `local` without it).
//!
//! The module's `unsafe` calls: registering the socket with tokio's reactor
//! (`AsyncFd::register`, whose safe forerunner is deprecated as unsound for types that may
//! change their descriptor; a `socket2::Socket` owns its descriptor for its whole life),
//! the `setsockopt`s socket2 has no setter for (IP_MTU_DISCOVER, IPV6_MTU_DISCOVER,
//! IPV6_DONTFRAG), and lending a `u8` buffer to `recv_from` as `MaybeUninit<u8>`.

// `AsyncFd::register`, `setsockopt`, one buffer cast: see above.
#![allow(unsafe_code)]

use std::io::{self, Read};
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use socket2::{Domain, Protocol, SockAddr, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;
use tokio::time::Instant;

use super::shared::Route;
use super::wire::{self, Answer};

pub(super) struct RawIcmp {
    io: Io,
    ident: u16,
    target: IpAddr,
    /// IPv6: the source address the kernel uses toward `target` (the checksum covers it).
    source: Option<Ipv6Addr>,
}

/// Where a search's packets go out and its answers come in.
enum Io {
    /// IPv4: the run's one socket (`shared`), answers routed by identifier.
    Shared(Route),
    /// IPv6: a socket of its own, filtered in the kernel to its identifier.
    Own(AsyncFd<Socket>),
}

/// Why a socket could not be opened: no permission (the fix in words), or anything else.
pub(super) enum OpenError {
    NoPermission(String),
    Other(io::Error),
}

/// The fix in words, for every check that needs a raw socket.
pub(super) const NO_PERMISSION: &str = "trace and mtu checks need a raw ICMP socket, and \
    this process may not open one. Fix one of: run as root, or \
    `sudo setcap cap_net_raw+ep $(which netaccept)` (an unprivileged ICMP socket, which \
    `ping_group_range` allows, cannot set the TTL or Don't Fragment of each packet nor \
    receive the routers' errors)";

/// The receive buffer of the shared socket: the answers of every search of the run land
/// there, bursts of them when a few hundred searches start together.
const SHARED_RCVBUF: libc::c_int = 8 << 20;

/// A raw ICMP socket of the family of `v6`, non-blocking, Don't Fragment kept and the
/// kernel's cached path MTU ignored; IPv4 with the header written here.
fn raw_socket(v6: bool) -> Result<Socket, OpenError> {
    let (domain, protocol) = if v6 {
        (Domain::IPV6, Protocol::ICMPV6)
    } else {
        (Domain::IPV4, Protocol::ICMPV4)
    };
    let socket = Socket::new(domain, Type::RAW, Some(protocol)).map_err(|e| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            OpenError::NoPermission(NO_PERMISSION.to_string())
        } else {
            OpenError::Other(e)
        }
    })?;
    let tune = || -> io::Result<()> {
        if v6 {
            set_int(
                &socket,
                libc::IPPROTO_IPV6,
                libc::IPV6_MTU_DISCOVER,
                libc::IPV6_PMTUDISC_PROBE,
            )?;
            set_int(&socket, libc::IPPROTO_IPV6, libc::IPV6_DONTFRAG, 1)?;
        } else {
            socket.set_header_included_v4(true)?;
            set_int(
                &socket,
                libc::IPPROTO_IP,
                libc::IP_MTU_DISCOVER,
                libc::IP_PMTUDISC_PROBE,
            )?;
        }
        socket.set_nonblocking(true)
    };
    tune().map_err(OpenError::Other)?;
    Ok(socket)
}

/// Packets that arrived between opening a socket and attaching its filter: dropped unread.
fn drain(socket: &Socket) {
    let mut buf = [0u8; 2048];
    while (&*socket).read(&mut buf).is_ok() {}
}

/// The run's one IPv4 socket for traces and MTU searches (see `shared`): every echo reply
/// and ICMP error, whoever's, with room to queue bursts of them.
pub(super) fn shared_v4() -> Result<Socket, OpenError> {
    let socket = raw_socket(false)?;
    let tune = || -> io::Result<()> {
        socket.attach_filter(&answers_filter())?;
        // SO_RCVBUFFORCE passes the system's cap as root; without it the capped size stands.
        if set_int(
            &socket,
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            SHARED_RCVBUF,
        )
        .is_err()
        {
            socket.set_recv_buffer_size(SHARED_RCVBUF as usize)?;
        }
        drain(&socket);
        Ok(())
    };
    tune().map_err(OpenError::Other)?;
    Ok(socket)
}

impl RawIcmp {
    /// A search toward the IPv4 `target` on the shared socket, under its route's identifier.
    pub(super) fn shared(route: Route, target: std::net::Ipv4Addr) -> RawIcmp {
        RawIcmp {
            ident: route.ident,
            io: Io::Shared(route),
            target: IpAddr::V4(target),
            source: None,
        }
    }

    /// A socket of its own toward `target` that reads the answers to echoes of `ident` only.
    pub(super) fn own(ident: u16, target: IpAddr) -> Result<RawIcmp, OpenError> {
        let socket = raw_socket(target.is_ipv6())?;
        let tune = || -> io::Result<(AsyncFd<Socket>, Option<Ipv6Addr>)> {
            let source = match target {
                IpAddr::V4(_) => None,
                IpAddr::V6(v6) => Some(source_toward(v6)?),
            };
            socket.attach_filter(&filter(ident, target.is_ipv6()))?;
            drain(&socket);
            // SAFETY: `Socket` owns one open descriptor, closed only when it drops, and its
            // `as_raw_fd` always returns that one; the `AsyncFd` owns the `Socket`.
            let fd = unsafe { AsyncFd::register(socket) }.map_err(|e| e.into_parts().1)?;
            Ok((fd, source))
        };
        tune()
            .map(|(fd, source)| RawIcmp {
                io: Io::Own(fd),
                ident,
                target,
                source,
            })
            .map_err(OpenError::Other)
    }

    fn fd(&self) -> &AsyncFd<Socket> {
        match &self.io {
            Io::Shared(route) => &route.shared.fd,
            Io::Own(fd) => fd,
        }
    }

    /// Sends an echo request of `size` bytes in all (IP header included), with this TTL or
    /// hop limit, sequence number `seq` and its ICMP checksum forced to `checksum`; Don't
    /// Fragment with `df` (IPv6 packets are never fragmented on the way).
    pub(super) async fn send_echo(
        &self,
        ttl: u8,
        df: bool,
        size: usize,
        seq: u16,
        checksum: u16,
    ) -> io::Result<()> {
        let (packet, to) = match (self.target, self.source) {
            (IpAddr::V6(dst), Some(src)) => (
                wire::echo_request_v6(src, dst, size, (self.ident, seq), checksum),
                SockAddr::from(SocketAddrV6::new(dst, 0, 0, 0)),
            ),
            (IpAddr::V4(dst), _) => (
                wire::echo_request(dst, ttl, df, size, (self.ident, seq), checksum),
                SockAddr::from(SocketAddrV4::new(dst, 0)),
            ),
            (IpAddr::V6(_), None) => unreachable!("an IPv6 socket has its source"),
        };
        if self.target.is_ipv6() {
            self.fd().get_ref().set_unicast_hops_v6(u32::from(ttl))?;
        }
        loop {
            let mut guard = self.fd().writable().await?;
            match guard.try_io(|s| s.get_ref().send_to(&packet, &to)) {
                Ok(r) => return r.map(drop),
                Err(_would_block) => {}
            }
        }
    }

    /// The next answer to one of this search's echoes, and when it was read (`None`: a
    /// packet that is not one).
    pub(super) async fn recv(&self) -> io::Result<Option<(Answer, Instant)>> {
        let fd = match &self.io {
            Io::Shared(route) => {
                let p = route.next().await?;
                return Ok(match self.target {
                    IpAddr::V4(t) => wire::parse(&p.bytes, self.ident, t).map(|a| (a, p.at)),
                    IpAddr::V6(_) => None,
                });
            }
            Io::Own(fd) => fd,
        };
        loop {
            let mut guard = fd.readable().await?;
            let mut buf = [0u8; 9216];
            // SAFETY: `u8` and `MaybeUninit<u8>` have one layout, and `recv_from` only
            // writes initialised bytes into the buffer it is lent.
            let lent =
                unsafe { &mut *(std::ptr::from_mut::<[u8]>(&mut buf) as *mut [MaybeUninit<u8>]) };
            match guard.try_io(|s| s.get_ref().recv_from(lent)) {
                Ok(Ok((n, from))) => {
                    let at = Instant::now();
                    let answer = match (self.target, from.as_socket()) {
                        (IpAddr::V4(t), _) => wire::parse(&buf[..n], self.ident, t),
                        (IpAddr::V6(t), Some(SocketAddr::V6(f))) => {
                            wire::parse_v6(&buf[..n], *f.ip(), self.ident, t)
                        }
                        (IpAddr::V6(_), _) => None,
                    };
                    return Ok(answer.map(|a| (a, at)));
                }
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => {}
            }
        }
    }
}

/// The source address the kernel picks toward `dst`: a UDP socket connected there (no
/// packet is sent) says.
fn source_toward(dst: Ipv6Addr) -> io::Result<Ipv6Addr> {
    let udp = std::net::UdpSocket::bind((Ipv6Addr::UNSPECIFIED, 0))?;
    udp.connect((dst, 9))?;
    match udp.local_addr()? {
        SocketAddr::V6(a) => Ok(*a.ip()),
        SocketAddr::V4(_) => Err(io::Error::other("no IPv6 source address")),
    }
}

/// An integer socket option socket2 has no setter for: `IP_MTU_DISCOVER =
/// IP_PMTUDISC_PROBE` (Don't Fragment kept, the cached path MTU ignored), its IPv6 twin,
/// `IPV6_DONTFRAG`; and the ICMP prober's `SO_RCVBUFFORCE`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(in crate::probe) fn set_int(
    socket: &Socket,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor, and a pointer to a c_int with its size.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Classic BPF for the shared IPv4 socket: keep echo replies and the errors an echo may
/// draw (destination unreachable, time exceeded); drop the rest (echo requests above all,
/// which loopback and the simulator's targets bring in as many as replies).
fn answers_filter() -> Vec<SockFilter> {
    const LDX_B_MSH: u16 = 0xb1;
    const LD_B_IND: u16 = 0x50;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    vec![
        SockFilter::new(LDX_B_MSH, 0, 0, 0), // 0: X = the IP header's length
        SockFilter::new(LD_B_IND, 0, 0, 0),  // 1: the ICMP type
        SockFilter::new(JEQ_K, 2, 0, 0),     // 2: echo reply → 5
        SockFilter::new(JEQ_K, 1, 0, 3),     // 3: unreachable → 5
        SockFilter::new(JEQ_K, 0, 1, 11),    // 4: time exceeded → 5, else → 6
        SockFilter::new(RET_K, 0, 0, u32::MAX), // 5: keep
        SockFilter::new(RET_K, 0, 0, 0),     // 6: drop
    ]
}

/// Classic BPF: keep an echo reply whose identifier is `ident`, or an error (destination
/// unreachable, time exceeded; IPv6's packet too big) whose quoted echo has it; drop the
/// rest before it is copied to this socket. An IPv4 raw socket reads from the IP header
/// (its length in X); an IPv6 one from the ICMPv6 header. Our echoes' IP header has no
/// options or extension headers, so the quoted identifier sits 8 + 20 + 4 (8 + 40 + 4)
/// bytes into the ICMP message.
fn filter(ident: u16, v6: bool) -> Vec<SockFilter> {
    const LDX_B_MSH: u16 = 0xb1; // X = 4 × (IHL of the byte at k)
    const LDX_IMM: u16 = 0x01; // X = k
    const LD_B_IND: u16 = 0x50; // A = byte at X + k
    const LD_H_IND: u16 = 0x48; // A = 16 bits at X + k
    const JA: u16 = 0x05;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let id = u32::from(ident);
    let (start, reply, unreachable, exceeded, too_big, quoted) = if v6 {
        (SockFilter::new(LDX_IMM, 0, 0, 0), 129, 1, 3, 2, 8 + 40 + 4)
    } else {
        // IPv4 has no "packet too big": 3 (destination unreachable) stands in twice.
        (SockFilter::new(LDX_B_MSH, 0, 0, 0), 0, 3, 11, 3, 8 + 20 + 4)
    };
    vec![
        start,                                     // 0
        SockFilter::new(LD_B_IND, 0, 0, 0),        // 1: the ICMP type
        SockFilter::new(JEQ_K, 0, 2, reply),       // 2: echo reply → 3, else → 5
        SockFilter::new(LD_H_IND, 0, 0, 4),        // 3: its identifier
        SockFilter::new(JA, 0, 0, 4),              // 4: → 9
        SockFilter::new(JEQ_K, 2, 0, unreachable), // 5: → 8
        SockFilter::new(JEQ_K, 1, 0, exceeded),    // 6: → 8
        SockFilter::new(JEQ_K, 0, 3, too_big),     // 7: → 8, else → 11
        SockFilter::new(LD_H_IND, 0, 0, quoted),   // 8: the quoted identifier
        SockFilter::new(JEQ_K, 0, 1, id),          // 9: ours → 10, else → 11
        SockFilter::new(RET_K, 0, 0, u32::MAX),    // 10: keep
        SockFilter::new(RET_K, 0, 0, 0),           // 11: drop
    ]
}
