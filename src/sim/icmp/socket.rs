//! The responder's raw socket and the two conditions it needs: the kernel's own echo
//! replies switched off in this network namespace, and the right to open a raw socket.
//!
//! The replies are written whole, IP header included (IP_HDRINCL), rather than sent with
//! the source chosen by an IP_PKTINFO control message. Both give the reply the address the
//! echo asked (a node's address need not be the one the routing table would pick as
//! source, e.g. a /32 on `lo`), but IP_PKTINFO needs a control message built with the libc
//! CMSG macros, which are `unsafe` (the crate denies it outside the prober's socket module,
//! and the simulator shares no code with the probers), while IP_HDRINCL is one socket
//! option, and the header is twenty bytes we can test. Its cost: the kernel does not
//! fragment a header-included packet, so an echo larger than the reply path's MTU (one
//! that arrived in fragments) is not answered; `ping -s` up to the MTU minus 28 is.

use std::io;

use socket2::{Domain, Protocol, Socket, Type};

/// Replies queued faster than a busy simulator drains them would be dropped by the
/// default receive buffer (208 KiB), which a test would read as loss the fault never asked.
const RECV_BUFFER: usize = 4 << 20;

const ECHO_IGNORE_ALL: &str = "/proc/sys/net/ipv4/icmp_echo_ignore_all";

/// Fails, saying how to fix it, unless the kernel ignores every echo request in this
/// network namespace (`/proc/sys/net` shows the namespace of the process reading it).
/// With the kernel answering, every echo would get the kernel's immediate reply before
/// the responder's delayed one, and the faults would be invisible behind it.
pub fn require_kernel_echo_off() -> Result<(), String> {
    let v = std::fs::read_to_string(ECHO_IGNORE_ALL)
        .map_err(|e| format!("the ICMP responder cannot read {ECHO_IGNORE_ALL}: {e}"))?;
    if v.trim() == "1" {
        Ok(())
    } else {
        Err(format!(
            "the ICMP responder needs the kernel's own echo replies off in the simulator's network namespace, and net.ipv4.icmp_echo_ignore_all is {}: the kernel would answer every echo at once and the `icmp` faults would be invisible. Run `sysctl -w net.ipv4.icmp_echo_ignore_all=1` there (in a namespace of its own: `ip netns exec NS sysctl -w …`), then start the simulator again",
            v.trim()
        ))
    }
}

/// The raw ICMPv4 socket, writing its own IP headers; a read waits at most `poll`.
pub fn open(poll: std::time::Duration) -> Result<Socket, String> {
    let s = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)).map_err(|e| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            format!(
                "the ICMP responder needs a raw ICMP socket ({e}): run `netaccept sim` as root, or give it CAP_NET_RAW (`sudo setcap cap_net_raw+ep $(which netaccept)`)"
            )
        } else {
            format!("the ICMP responder cannot open a raw ICMP socket: {e}")
        }
    })?;
    s.set_header_included_v4(true)
        .and_then(|()| s.set_read_timeout(Some(poll)))
        .map_err(|e| format!("the ICMP responder's raw socket: {e}"))?;
    // Best effort: the kernel caps it at net.core.rmem_max, which is still better than
    // nothing, and no reply depends on it.
    let _ = s.set_recv_buffer_size(RECV_BUFFER);
    Ok(s)
}
