//! The raw socket of one trace or MTU search: IPv4, ICMP, with IP_HDRINCL so that each
//! packet carries its own TTL and Don't Fragment bit (a shared socket option would race
//! between the probes of a trace sent at once), and a kernel filter that passes only the
//! echo replies and ICMP errors that carry this search's identifier, so that hundreds of
//! searches at once each read only their own answers.
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
//! and the `setsockopt` of IP_MTU_DISCOVER, which socket2 has no setter for.

// `AsyncFd::register` and one `setsockopt`: see above.
#![allow(unsafe_code)]

use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddrV4};

use socket2::{Domain, Protocol, SockAddr, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;

pub(super) struct RawIcmp {
    fd: AsyncFd<Socket>,
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

impl RawIcmp {
    /// A socket that reads the answers to echoes of `ident` only.
    pub(super) fn open(ident: u16) -> Result<RawIcmp, OpenError> {
        let socket = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)).map_err(|e| {
            if e.kind() == io::ErrorKind::PermissionDenied {
                OpenError::NoPermission(NO_PERMISSION.to_string())
            } else {
                OpenError::Other(e)
            }
        })?;
        let tune = || -> io::Result<AsyncFd<Socket>> {
            socket.set_header_included_v4(true)?;
            probe_mtu(&socket)?;
            socket.set_nonblocking(true)?;
            socket.attach_filter(&filter(ident))?;
            // Packets that arrived between opening and the filter: drop them unread.
            let mut buf = [0u8; 2048];
            while (&socket).read(&mut buf).is_ok() {}
            // SAFETY: `Socket` owns one open descriptor, closed only when it drops, and its
            // `as_raw_fd` always returns that one; the `AsyncFd` owns the `Socket`.
            unsafe { AsyncFd::register(socket) }.map_err(|e| e.into_parts().1)
        };
        tune().map(|fd| RawIcmp { fd }).map_err(OpenError::Other)
    }

    /// Sends one packet (IP header included) to `to`.
    pub(super) async fn send(&self, packet: &[u8], to: Ipv4Addr) -> io::Result<()> {
        let addr = SockAddr::from(SocketAddrV4::new(to, 0));
        loop {
            let mut guard = self.fd.writable().await?;
            match guard.try_io(|s| s.get_ref().send_to(packet, &addr)) {
                Ok(r) => return r.map(drop),
                Err(_would_block) => {}
            }
        }
    }

    /// The next packet the filter passed, IP header first.
    pub(super) async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|s| s.get_ref().read(buf)) {
                Ok(r) => return r,
                Err(_would_block) => {}
            }
        }
    }
}

/// `IP_MTU_DISCOVER = IP_PMTUDISC_PROBE`: Don't Fragment kept, the cached path MTU ignored.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn probe_mtu(socket: &Socket) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let value: libc::c_int = libc::IP_PMTUDISC_PROBE;
    // SAFETY: a valid descriptor, and a pointer to a c_int with its size.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
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

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn probe_mtu(_socket: &Socket) -> io::Result<()> {
    Ok(())
}

/// Classic BPF: keep an echo reply whose identifier is `ident`, or a destination
/// unreachable / time exceeded whose quoted echo has it (our echoes' IP header has no
/// options: the quoted identifier sits 8 + 20 + 4 bytes into the ICMP message); drop the
/// rest before it is copied to this socket.
fn filter(ident: u16) -> Vec<SockFilter> {
    const LDX_B_MSH: u16 = 0xb1; // X = 4 × (IHL of the byte at k)
    const LD_B_IND: u16 = 0x50; // A = byte at X + k
    const LD_H_IND: u16 = 0x48; // A = 16 bits at X + k
    const JA: u16 = 0x05;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let id = u32::from(ident);
    vec![
        SockFilter::new(LDX_B_MSH, 0, 0, 0),    // 0
        SockFilter::new(LD_B_IND, 0, 0, 0),     // 1: the ICMP type
        SockFilter::new(JEQ_K, 0, 2, 0),        // 2: echo reply → 3, else → 5
        SockFilter::new(LD_H_IND, 0, 0, 4),     // 3: its identifier
        SockFilter::new(JA, 0, 0, 3),           // 4: → 8
        SockFilter::new(JEQ_K, 1, 0, 3),        // 5: unreachable → 7
        SockFilter::new(JEQ_K, 0, 3, 11),       // 6: time exceeded → 7, else → 10
        SockFilter::new(LD_H_IND, 0, 0, 32),    // 7: the quoted identifier
        SockFilter::new(JEQ_K, 0, 1, id),       // 8: ours → 9, else → 10
        SockFilter::new(RET_K, 0, 0, u32::MAX), // 9: keep
        SockFilter::new(RET_K, 0, 0, 0),        // 10: drop
    ]
}
