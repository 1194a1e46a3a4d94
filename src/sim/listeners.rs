//! Which sockets serve the planned (address, port)s: one listener per address, as a small
//! inventory gets, or, for a port that many loopback addresses share, one wildcard listener
//! for all of them, which tells the nodes apart by each connection's local address. This is
//! what lets one process serve a network larger than its file-descriptor limit.
//!
//! The wildcard is used only where it widens nothing:
//! - only for a port with more than [`WILDCARD_ABOVE`] IPv4 loopback addresses, so that a
//!   small inventory keeps its listeners on its own addresses, and other servers can run
//!   beside it on other 127.x addresses and the same ports (the tests do: a wildcard bind
//!   makes every other specific bind on its port fail, on Linux);
//! - only for 127.0.0.0/8 addresses, and bound to the loopback interface
//!   (`SO_BINDTODEVICE lo`): nothing from another interface reaches it, so the simulator is
//!   not exposed beyond loopback; and a connection made to an address the port does not
//!   plan (the machine's own address, through `lo`, or an unplanned 127.x) is closed at
//!   once, never served;
//! - not on a port that also has a planned 198.18.0.0/15 address: that one needs its own
//!   listener (it is reached from other namespaces, not through `lo`), which the kernel
//!   would refuse beside the wildcard, so such a port keeps one listener per address.
//!
//! IPv6 loopback is the one address ::1, never more than one listener per port.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::Planned;

/// The most IPv4 loopback addresses one port serves with a listener each; above it, one
/// wildcard listener serves them all. Well above the bundled demo and example inventories
/// (tens of addresses) and the tests that run servers beside the simulator, well below the
/// national inventory (about 3,200 addresses on its HTTP port).
pub(super) const WILDCARD_ABOVE: usize = 256;

/// The listen backlog of a wildcard listener: it takes the connections of hundreds or
/// thousands of addresses, so more than std's default (the kernel caps it at
/// `net.core.somaxconn`).
const WILDCARD_BACKLOG: i32 = 4096;

/// One socket to bind and what it serves.
pub(super) struct Group {
    pub(super) bind: Bind,
    /// One (address, port) for [`Bind::One`]; every address it serves for a wildcard.
    pub(super) members: Vec<Planned>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bind {
    /// A listener on this address alone.
    One(SocketAddr),
    /// `0.0.0.0:port` on the loopback interface only, dispatching by local address.
    Wildcard(u16),
}

impl std::fmt::Display for Bind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bind::One(addr) => write!(f, "{addr}"),
            Bind::Wildcard(port) => write!(f, "0.0.0.0:{port} (loopback interface only)"),
        }
    }
}

fn wildcard_eligible(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.is_loopback())
}

/// The sockets for `planned`, in address order (each wildcard where its port's first
/// loopback address would be).
pub(super) fn group(planned: impl IntoIterator<Item = Planned>) -> Vec<Group> {
    let mut by_port: BTreeMap<u16, Vec<Planned>> = BTreeMap::new();
    for p in planned {
        by_port.entry(p.addr.port()).or_default().push(p);
    }
    let mut groups = Vec::new();
    for (port, members) in by_port {
        let loopback = members
            .iter()
            .filter(|p| wildcard_eligible(p.addr.ip()))
            .count();
        // Another IPv4 address on the port would need a specific bind, refused beside the
        // wildcard (see the module's doc).
        let other_v4 = members
            .iter()
            .any(|p| p.addr.is_ipv4() && !wildcard_eligible(p.addr.ip()));
        if loopback > WILDCARD_ABOVE && !other_v4 {
            let (wild, rest): (Vec<_>, Vec<_>) = members
                .into_iter()
                .partition(|p| wildcard_eligible(p.addr.ip()));
            groups.push(Group {
                bind: Bind::Wildcard(port),
                members: wild,
            });
            groups.extend(rest.into_iter().map(one));
        } else {
            groups.extend(members.into_iter().map(one));
        }
    }
    groups
}

fn one(p: Planned) -> Group {
    Group {
        bind: Bind::One(p.addr),
        members: vec![p],
    }
}

/// Binds and listens (non-blocking, for tokio).
pub(super) fn bind(b: Bind) -> std::io::Result<std::net::TcpListener> {
    match b {
        Bind::One(addr) => {
            let l = std::net::TcpListener::bind(addr)?;
            l.set_nonblocking(true)?;
            Ok(l)
        }
        Bind::Wildcard(port) => {
            use socket2::{Domain, Protocol, Socket, Type};
            let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
            // As std's `TcpListener::bind` does: a restart need not wait out TIME_WAIT.
            s.set_reuse_address(true)?;
            // Before the bind: never, even for a moment, listening on other interfaces. A
            // failure here is an error, not a reason to listen more widely.
            s.bind_device(Some(b"lo"))?;
            s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)).into())?;
            s.listen(WILDCARD_BACKLOG)?;
            s.set_nonblocking(true)?;
            Ok(s.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::tls::TlsFaults;

    fn planned(addr: &str) -> Planned {
        Planned {
            addr: addr.parse().unwrap(),
            https: false,
            node: addr.into(),
            tls_faults: TlsFaults::default(),
            names: Vec::new(),
            node_silent: false,
            endpoints: Vec::new(),
        }
    }

    fn loopback(n: usize, port: u16) -> impl Iterator<Item = Planned> {
        (0..n).map(move |i| planned(&format!("127.80.{}.{}:{port}", i / 200, i % 200 + 1)))
    }

    fn binds(groups: &[Group]) -> Vec<Bind> {
        groups.iter().map(|g| g.bind).collect()
    }

    #[test]
    fn a_port_gets_the_wildcard_only_above_the_threshold() {
        // At the threshold: one listener each, the port left to other servers.
        let g = group(loopback(WILDCARD_ABOVE, 8080));
        assert_eq!(g.len(), WILDCARD_ABOVE);
        assert!(g.iter().all(|g| matches!(g.bind, Bind::One(_))));
        // One more: one listener for all, the others ports' addresses as they were.
        let g = group(loopback(WILDCARD_ABOVE + 1, 8080).chain([planned("127.0.0.1:8443")]));
        assert_eq!(
            binds(&g),
            [
                Bind::Wildcard(8080),
                Bind::One("127.0.0.1:8443".parse().unwrap())
            ]
        );
        assert_eq!(g[0].members.len(), WILDCARD_ABOVE + 1);
    }

    #[test]
    fn a_port_with_a_benchmarking_address_keeps_one_listener_each() {
        // 198.18.0.1 needs a specific bind, which the kernel refuses beside a wildcard.
        let g = group(loopback(WILDCARD_ABOVE + 1, 8080).chain([planned("198.18.0.1:8080")]));
        assert_eq!(g.len(), WILDCARD_ABOVE + 2);
        assert!(g.iter().all(|g| matches!(g.bind, Bind::One(_))));
        // ::1 does not conflict with an IPv4 wildcard: it keeps its own listener beside it.
        let g = group(loopback(WILDCARD_ABOVE + 1, 8080).chain([planned("[::1]:8080")]));
        assert_eq!(
            binds(&g),
            [
                Bind::Wildcard(8080),
                Bind::One("[::1]:8080".parse().unwrap())
            ]
        );
    }
}
