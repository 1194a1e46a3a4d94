//! The simulator's DNS server: one authoritative server, UDP and TCP on one address, that
//! answers each node's name with the node's address, or plays a fault for it.
//!
//! Built on hickory-server's in-memory zones and catalog rather than on a hand-written
//! responder: the probers resolve through hickory-resolver, and a real server with real
//! zone semantics (SOA in the authority section of NXDOMAIN, REFUSED outside every zone,
//! truncation and TCP) is what they must face on site. No code is shared with
//! `crate::probe`: a bug in common would hide itself.
//!
//! Zones are derived from the names: every distinct parent domain (`sx.aq.gov.test.` →
//! `aq.gov.test.`) becomes one zone holding an SOA, and each record goes into the deepest
//! zone that contains it, which is the zone hickory's catalog will route its queries to (so
//! a name that is itself some other name's parent is answered at that zone's apex instead of
//! being shadowed by it).
//!
//! Every zone has a version: the current one (SOA serial [`SERIAL`], name servers
//! [`PRIMARY_NS`] and [`SECONDARY_NS`]) or, on a secondary that fell behind, the one before
//! (serial [`STALE_SERIAL`], without the NS record of [`SECONDARY_NS`] that the current
//! version added), so that a replication check sees an older serial and, comparing the zone's
//! NS answers, the record it lacks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::proto::rr::rdata::{A, AAAA, NS, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use tokio::net::{TcpListener, UdpSocket};

use crate::model::DnsFault;

/// What a `WrongAddress` fault answers for an IPv4 node: inside loopback, so a prober that
/// follows it never leaves the machine, and the last host address of 127/8, which the
/// bundled inventories give no node (they number from the bottom of each /16).
pub const WRONG_ADDRESS_V4: Ipv4Addr = Ipv4Addr::new(127, 255, 255, 254);
/// What a `WrongAddress` fault answers for an IPv6 node: `::2`, unassigned, never `::1`.
pub const WRONG_ADDRESS_V6: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 2);

/// The SOA serial of every zone in its current version (the change of 2026-12-03, in the
/// date-and-counter form zone files use).
pub const SERIAL: u32 = 2_026_120_301;
/// The SOA serial of every zone on a stale secondary: the version before [`SERIAL`].
pub const STALE_SERIAL: u32 = 2_026_112_901;
/// Every zone's primary name server, and the SOA's MNAME: fixed names outside every zone
/// (appending labels to a long origin could exceed the 255-byte limit, and nothing resolves
/// these anyway).
pub const PRIMARY_NS: &str = "ns.netaccept-sim.invalid.";
/// The name server the current version added to every zone's NS set (the provincial
/// secondaries), which a stale secondary does not serve yet.
pub const SECONDARY_NS: &str = "ns-secondary.netaccept-sim.invalid.";

/// TTL of every answer, and the negative-caching time in the SOA. Short, so that a resolver
/// kept across runs of the simulator with different faults does not hold on to old answers.
const TTL: u32 = 60;
/// How long an idle TCP connection is kept.
const TCP_IDLE: Duration = Duration::from_secs(5);
/// Responses queued per TCP connection; clients send one query at a time.
const TCP_RESPONSE_BUFFER: usize = 16;
/// Attempts at finding a port free for both UDP and TCP when the caller asks for port 0.
const BIND_ATTEMPTS: usize = 20;

/// One name the simulator answers for: `name` (fully qualified or not; normalise) → `addr`,
/// with an optional fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub addr: IpAddr,
    pub fault: Option<DnsFault>,
}

/// Which version of the zones a server serves; see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneVersion {
    /// Serial [`SERIAL`], NS [`PRIMARY_NS`] and [`SECONDARY_NS`].
    Current,
    /// Serial [`STALE_SERIAL`], NS [`PRIMARY_NS`] only: a secondary that fell behind.
    Stale,
}

/// A running DNS server (UDP and TCP on the same address); stops when dropped or on
/// `shutdown`.
pub struct DnsServer {
    addr: SocketAddr,
    // Owns the serving tasks (a `JoinSet`): dropping it aborts them and closes the sockets.
    server: Server<Catalog>,
}

impl fmt::Debug for DnsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl DnsServer {
    /// The address UDP and TCP both listen on (with the port chosen, if 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting queries and waits for the serving tasks to end; the port is free when
    /// this returns. Open TCP connections are dropped, not drained.
    pub async fn shutdown(mut self) {
        // A task that failed has already stopped serving, which is all shutdown wants.
        let _ = self.server.shutdown_gracefully().await;
    }
}

/// Serves `records` on `addr` (UDP + TCP).
///
/// Authoritative for the parent domain of every name (one zone per distinct parent),
/// answering A (or AAAA for IPv6 addresses) for each record and NXDOMAIN for other names in
/// those zones; names outside every zone get hickory's REFUSED. Faults: `Nxdomain` leaves
/// the name out (NXDOMAIN, unless other names sit below it, in which case it exists without
/// addresses: NOERROR with no answer); `WrongAddress` answers [`WRONG_ADDRESS_V4`] /
/// [`WRONG_ADDRESS_V6`] instead of the node's address.
///
/// Fails with `InvalidInput` for a name that is not a valid domain name (or is the root),
/// and with the bind error if the address cannot be had for both UDP and TCP.
pub async fn serve(addr: SocketAddr, records: Vec<Record>) -> io::Result<DnsServer> {
    serve_version(addr, records, ZoneVersion::Current).await
}

/// Serves `records` on `addr` as [`serve`] does, its zones at `version`: a primary or an
/// up-to-date secondary serves [`ZoneVersion::Current`], a stale one [`ZoneVersion::Stale`].
pub async fn serve_version(
    addr: SocketAddr,
    records: Vec<Record>,
    version: ZoneVersion,
) -> io::Result<DnsServer> {
    // Build everything before binding, so that bad input never holds a port.
    let catalog = catalog(&records, version)?;
    let (udp, tcp) = bind_pair(addr).await?;
    let addr = udp.local_addr()?;

    let mut server = Server::new(catalog);
    server.register_socket(udp);
    server.register_listener(tcp, TCP_IDLE, TCP_RESPONSE_BUFFER);
    Ok(DnsServer { addr, server })
}

/// The records' names, normalised to lower-case fully qualified names.
fn parse_name(raw: &str) -> io::Result<Name> {
    let invalid = |why: String| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("DNS name {raw:?}: {why}"),
        )
    };
    let trimmed = raw.trim();
    // `from_utf8` accepts internationalised names too (as punycode), and reads a trailing
    // dot as "fully qualified"; without one the name is made fully qualified here, since
    // the simulator has no search domain to append.
    let mut name = Name::from_utf8(trimmed).map_err(|e| invalid(e.to_string()))?;
    // The root (`.`, or nothing at all) has no parent to be a zone of.
    if name.num_labels() == 0 {
        return Err(invalid("the root cannot be a node's name".into()));
    }
    name.set_fqdn(true);
    Ok(name.to_lowercase())
}

/// The zones, keyed by origin, filled from `records`.
fn catalog(records: &[Record], version: ZoneVersion) -> io::Result<Catalog> {
    let names = records
        .iter()
        .map(|r| parse_name(&r.name))
        .collect::<io::Result<Vec<_>>>()?;

    // Every parent is a zone, including the parents of names faulted to NXDOMAIN: those
    // must be answered NXDOMAIN by a server authoritative for them, not REFUSED.
    let origins: BTreeSet<LowerName> = names
        .iter()
        .map(|n| LowerName::new(&n.base_name()))
        .collect();

    let mut zones: BTreeMap<LowerName, InMemoryZoneHandler> = origins
        .iter()
        .map(|origin| Ok((origin.clone(), empty_zone(origin, version)?)))
        .collect::<io::Result<_>>()?;

    for (record, name) in records.iter().zip(names) {
        let data = match (record.fault, record.addr) {
            (Some(DnsFault::Nxdomain), _) => continue,
            (Some(DnsFault::WrongAddress), IpAddr::V4(_)) => RData::A(A(WRONG_ADDRESS_V4)),
            (Some(DnsFault::WrongAddress), IpAddr::V6(_)) => RData::AAAA(AAAA(WRONG_ADDRESS_V6)),
            (None, IpAddr::V4(ip)) => RData::A(A(ip)),
            (None, IpAddr::V6(ip)) => RData::AAAA(AAAA(ip)),
        };
        let origin = deepest_zone(&origins, &name);
        let zone = zones
            .get_mut(&origin)
            .expect("deepest_zone returns one of the origins");
        // `false` means "already there" (the same name and address twice): nothing to do.
        zone.upsert_mut(
            hickory_server::proto::rr::Record::from_rdata(name, TTL, data),
            1,
        );
    }

    let mut catalog = Catalog::new();
    for (origin, zone) in zones {
        catalog.upsert(origin, vec![Arc::new(zone) as Arc<dyn ZoneHandler>]);
    }
    Ok(catalog)
}

/// The zone hickory's catalog routes queries for `name` to: the longest origin that is
/// `name` itself or one of its ancestors. There is always one, since every name's parent is
/// an origin.
fn deepest_zone(origins: &BTreeSet<LowerName>, name: &Name) -> LowerName {
    let mut candidate = LowerName::new(name);
    loop {
        if origins.contains(&candidate) || candidate.is_root() {
            return candidate;
        }
        candidate = candidate.base_name();
    }
}

/// A zone with only its apex records at `version`: the SOA, which hickory requires and sends
/// in the authority section of NXDOMAIN and NODATA answers, and the NS set.
fn empty_zone(origin: &LowerName, version: ZoneVersion) -> io::Result<InMemoryZoneHandler> {
    let origin = Name::from(origin);
    let mut zone = InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let name = |s: &str| Name::from_ascii(s).expect("constant name");
    let (serial, servers) = match version {
        ZoneVersion::Current => (SERIAL, &[PRIMARY_NS, SECONDARY_NS][..]),
        ZoneVersion::Stale => (STALE_SERIAL, &[PRIMARY_NS][..]),
    };
    let rname = name("hostmaster.netaccept-sim.invalid.");
    let soa = SOA::new(name(PRIMARY_NS), rname, serial, 3600, 600, 86400, TTL);
    let apex =
        std::iter::once(RData::SOA(soa)).chain(servers.iter().map(|ns| RData::NS(NS(name(ns)))));
    for data in apex {
        let record = hickory_server::proto::rr::Record::from_rdata(origin.clone(), TTL, data);
        // The SOA's serial doubles as the record's: any value, the zone is built whole.
        if !zone.upsert_mut(record, serial) {
            return Err(io::Error::other(format!(
                "zone {origin}: apex record not accepted"
            )));
        }
    }
    Ok(zone)
}

/// A UDP socket and a TCP listener on the same address. With port 0, the kernel picks the
/// UDP port and TCP may find it taken, so a few ports are tried.
async fn bind_pair(addr: SocketAddr) -> io::Result<(UdpSocket, TcpListener)> {
    if addr.port() != 0 {
        let udp = UdpSocket::bind(addr).await?;
        let tcp = TcpListener::bind(addr).await?;
        return Ok((udp, tcp));
    }
    let mut last = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind(addr).await?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no port free for both UDP and TCP")))
}
