//! The simulator: serves an inventory's network on loopback or in the benchmarking range
//! 198.18.0.0/15 of a test network (HTTP and HTTPS app endpoints, the DNS servers the
//! inventory names, and with an `icmp` fault the nodes' echo replies), with faults on
//! request. It shares no code with the
//! probers it is used to test: a bug shared by both would hide itself.
//!
//! Every (address, port) that the nodes' app URLs name is served, all in one process; the
//! apps of a node that share a port are told apart by their URL paths. Each gets a listener
//! of its own, except that a port shared by more than `listeners::WILDCARD_ABOVE` loopback
//! addresses gets one wildcard listener on the loopback interface for all of them, which
//! tells them apart by the connection's local address (`listeners`: why, and where not).
//! One DNS server per address that a node's `dns_server` or `dns_secondary` var names (both
//! inherited), every one serving every node's name: the secondaries are copies of the
//! primary, as a zone transfer makes them, unless a `stale_secondary` fault makes one serve
//! the zones' previous version.
//! HTTPS listeners serve a chain from the simulator's own CA (`tls`), or play the TLS faults
//! given for any of their apps (`cert`, `missing_intermediate`, `legacy_tls`): a certificate
//! belongs to the listener, not to one path. When any fault is an `icmp` fault, the ICMP
//! responder (`icmp`) answers the echo requests to every node's IPv4 host, each with its
//! node's fault (none: at once), in place of the kernel.
//!
//! Addresses: loopback (127.0.0.0/8, ::1), or 198.18.0.0/15, the range RFC 2544 sets aside
//! for benchmarking network devices (RFC 6890: not forwarded on the Internet), in which the
//! tests build their namespaces; never another network's addresses.

pub mod dns;
pub mod http;
pub mod icmp;
mod listeners;
pub mod tls;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::model::{Fault, FaultKind, Inventory};
use http::{Behaviour, Endpoint, ListenerConfig};
use tls::TlsFaults;

/// File descriptors kept free for everything but the listeners (stdio, DNS sockets, the
/// connections being served).
const FD_MARGIN: u64 = 256;

#[derive(Debug, Clone)]
pub struct Options {
    /// Seeds the `flaky` faults, so a run can be repeated exactly.
    pub seed: u64,
    /// Where to write the simulator's CA certificate (PEM), for suites' `ca:`.
    pub ca_out: Option<PathBuf>,
}

/// A running simulator. Dropping it stops nothing; call [`Running::stop`].
pub struct Running {
    /// Turned to `true` once, to stop every listener.
    shutdown: watch::Sender<bool>,
    /// The listeners' tasks, joined on stop.
    tasks: JoinSet<()>,
    dns: Vec<dns::DnsServer>,
    pub listeners: usize,
    pub endpoints: usize,
    pub dns_addrs: Vec<SocketAddr>,
    /// The addresses the ICMP responder answers (0: it is off, the kernel answers).
    pub icmp_addresses: usize,
    pub ca_pem: String,
}

impl Running {
    pub async fn stop(mut self) {
        self.shutdown.send_replace(true);
        while self.tasks.join_next().await.is_some() {}
        for d in self.dns {
            d.shutdown().await;
        }
    }
}

/// One (address, port) to serve: where, with TLS or not, which endpoints.
struct Planned {
    addr: SocketAddr,
    https: bool,
    node: String,
    /// The TLS faults of the listener: a certificate is per listener, so a fault given for
    /// one app applies to every app sharing its port.
    tls_faults: TlsFaults,
    names: Vec<String>,
    node_silent: bool,
    endpoints: Vec<Endpoint>,
}

/// Why the simulator could not start.
#[derive(Debug)]
pub enum SimError {
    /// The inventory asks for what the simulator will not do (a host off loopback).
    Input(String),
    /// A local resource failed (a port in use, too few file descriptors).
    Start(String),
}

/// Starts serving. Errors name what is wrong; nothing is left listening after an error.
pub async fn start(inv: &Inventory, faults: &[Fault], opts: &Options) -> Result<Running, SimError> {
    let listeners = plan(inv, faults).map_err(SimError::Input)?;
    serve_planned(listeners, opts)
        .await
        .map_err(SimError::Start)
}

/// What to serve, from the inventory and the faults: listeners and DNS.
struct Layout {
    planned: BTreeMap<SocketAddr, Planned>,
    records: Vec<dns::Record>,
    dns_addrs: Vec<SocketAddr>,
    /// The DNS addresses that serve the zones' previous version (`stale_secondary`).
    stale: BTreeSet<SocketAddr>,
    /// What the ICMP responder answers: empty when no fault is an `icmp` fault (it is off).
    icmp: Vec<icmp::Target>,
}

/// The address a node's `var` (`dns_server`, `dns_secondary`) names, which must be on
/// loopback or in 198.18.0.0/15; added to `dns_addrs` (each address once).
fn dns_addr(
    node: &str,
    var: &str,
    value: &str,
    dns_addrs: &mut Vec<SocketAddr>,
) -> Result<SocketAddr, String> {
    let addr = parse_server(value).ok_or_else(|| {
        format!("node `{node}`: {var} `{value}` is not an address with an optional port")
    })?;
    require_test_address(node, addr.ip())?;
    if !dns_addrs.contains(&addr) {
        dns_addrs.push(addr);
    }
    Ok(addr)
}

fn plan(inv: &Inventory, faults: &[Fault]) -> Result<Layout, String> {
    let mut planned: BTreeMap<SocketAddr, Planned> = BTreeMap::new();
    let mut records = Vec::new();
    let mut dns_addrs: Vec<SocketAddr> = Vec::new();
    let (mut primaries, mut stale) = (BTreeSet::new(), BTreeSet::new());
    let responder = faults
        .iter()
        .any(|f| matches!(f.kind, FaultKind::Icmp { .. }));
    let mut icmp: Vec<icmp::Target> = Vec::new();
    for &i in &inv.order {
        let node = inv.node(i);
        // The faults that apply to the node as a whole, or to `app` of it.
        let of_node = |app: Option<String>| {
            faults
                .iter()
                .filter(move |f| f.node == node.id && (f.app.is_none() || f.app == app))
        };
        if let Some(server) = inv.var(i, "dns_server") {
            primaries.insert(dns_addr(&node.id, "dns_server", server, &mut dns_addrs)?);
        }
        let stale_fault = of_node(None).any(|f| f.kind == FaultKind::StaleSecondary);
        match inv.var(i, "dns_secondary") {
            Some(s) => {
                let addr = dns_addr(&node.id, "dns_secondary", s, &mut dns_addrs)?;
                if stale_fault {
                    stale.insert(addr);
                }
            }
            None if stale_fault => {
                return Err(format!(
                    "node `{}` has a `stale_secondary` fault and no `dns_secondary` var",
                    node.id
                ));
            }
            None => {}
        }
        let Some(host) = &node.host else {
            continue;
        };
        let ip: IpAddr = host.parse().map_err(|_| {
            format!(
                "node `{}` has host `{host}`: the simulator serves loopback addresses (127.0.0.0/8) and 198.18.0.0/15 only",
                node.id
            )
        })?;
        require_test_address(&node.id, ip)?;
        if let (true, IpAddr::V4(addr)) = (responder, ip) {
            let fault = of_node(None).find_map(|f| match f.kind {
                FaultKind::Icmp {
                    delay,
                    jitter,
                    loss,
                } => Some((delay, jitter, loss)),
                _ => None,
            });
            // Two nodes on one address: the one with a fault says how it answers.
            match icmp.iter_mut().find(|t| t.addr == addr) {
                Some(t) if t.fault.is_none() => {
                    t.node.clone_from(&node.id);
                    t.fault = fault;
                }
                Some(_) => {}
                None => icmp.push(icmp::Target {
                    addr,
                    node: node.id.clone(),
                    fault,
                }),
            }
        }
        if let Some(fqdn) = node.vars.get("fqdn") {
            let fault = of_node(None).find_map(|f| match f.kind {
                FaultKind::Dns(d) => Some(d),
                _ => None,
            });
            records.push(dns::Record {
                name: fqdn.clone(),
                addr: ip,
                fault,
            });
        }
        if of_node(None).any(|f| f.app.is_none() && f.kind == FaultKind::Down) {
            continue;
        }
        let node_silent = of_node(None).any(|f| f.app.is_none() && f.kind == FaultKind::Silent);
        for ep in &node.apps {
            let url = reqwest::Url::parse(&ep.url)
                .map_err(|e| format!("node `{}`: app url `{}`: {e}", node.id, ep.url))?;
            let https = match url.scheme() {
                "https" => true,
                "http" => false,
                other => {
                    return Err(format!(
                        "node `{}`: app url `{}`: scheme {other}",
                        node.id, ep.url
                    ));
                }
            };
            let ep_ip: IpAddr = url
                .host_str()
                .unwrap_or("")
                .trim_matches(|c| c == '[' || c == ']')
                .parse()
                .map_err(|_| {
                    format!(
                        "node `{}`: app url `{}` must name a loopback address or one in 198.18.0.0/15",
                        node.id, ep.url
                    )
                })?;
            require_test_address(&node.id, ep_ip)?;
            let addr = SocketAddr::new(ep_ip, url.port_or_known_default().unwrap_or(80));
            let mut behaviour = Behaviour::default();
            let mut tls_faults = TlsFaults::default();
            // Node-wide faults first, then the app's own, which win.
            let mut fs: Vec<&Fault> = of_node(Some(ep.app.clone())).collect();
            fs.sort_by_key(|f| f.app.is_some());
            for f in fs {
                match &f.kind {
                    FaultKind::Down => behaviour.down = true,
                    FaultKind::Silent => behaviour.silent = true,
                    FaultKind::Slow(d) => behaviour.slow = Some(d.as_std()),
                    FaultKind::Status(s) => behaviour.status = Some(*s),
                    FaultKind::Body(b) => behaviour.body = Some(b.clone()),
                    FaultKind::Flaky(p) => behaviour.flaky = Some(p.0 / 100.0),
                    FaultKind::Records(n) => behaviour.records = Some(u64::from(*n)),
                    FaultKind::Nonconformant => behaviour.nonconformant = true,
                    FaultKind::Cert(c) => tls_faults.cert = Some(*c),
                    FaultKind::MissingIntermediate => tls_faults.missing_intermediate = true,
                    FaultKind::LegacyTls => tls_faults.legacy_tls = true,
                    FaultKind::Dns(_) | FaultKind::StaleSecondary | FaultKind::Icmp { .. } => {}
                }
            }
            let entry = planned.entry(addr).or_insert_with(|| Planned {
                addr,
                https,
                node: node.id.clone(),
                tls_faults: TlsFaults::default(),
                names: node.vars.get("fqdn").cloned().into_iter().collect(),
                node_silent,
                endpoints: Vec::new(),
            });
            if entry.node != node.id || entry.https != https {
                return Err(format!(
                    "{addr} is claimed twice (by `{}` and `{}`, or as both http and https)",
                    entry.node, node.id
                ));
            }
            let t = &mut entry.tls_faults;
            t.cert = t.cert.or(tls_faults.cert);
            t.missing_intermediate |= tls_faults.missing_intermediate;
            t.legacy_tls |= tls_faults.legacy_tls;
            entry.endpoints.push(Endpoint {
                node: node.id.clone(),
                app: ep.app.clone(),
                level: node.level,
                path: url.path().trim_end_matches('/').to_string(),
                behaviour,
            });
        }
    }

    // One server is one version of the zones: a primary cannot also be a stale copy.
    if let Some(addr) = stale.intersection(&primaries).next() {
        return Err(format!(
            "{addr} is a dns_server and a stale dns_secondary: a `stale_secondary` fault needs a secondary of its own"
        ));
    }
    Ok(Layout {
        planned,
        records,
        dns_addrs,
        stale,
        icmp,
    })
}

async fn serve_planned(layout: Layout, opts: &Options) -> Result<Running, String> {
    let Layout {
        planned,
        records,
        dns_addrs,
        stale,
        icmp,
    } = layout;
    // First: it is the likeliest to refuse (no root, the kernel's echo on), and then nothing
    // has been bound yet.
    let responder = if icmp.is_empty() {
        None
    } else {
        Some(icmp::Responder::open(&icmp, opts.seed)?)
    };
    // The sockets as they will be: a wildcard listener counts once, however many
    // addresses it serves.
    let groups = listeners::group(planned.into_values());
    ensure_file_limit(groups.len() as u64)?;
    let ca = tls::SimCa::new("netaccept simulator CA");
    let ca_pem = ca.pem();

    // Bind everything before serving anything: a failure leaves nothing half-started.
    let mut bound = Vec::with_capacity(groups.len());
    for g in groups {
        let l = listeners::bind(g.bind).map_err(|e| format!("cannot listen on {}: {e}", g.bind))?;
        bound.push((l, g));
    }
    let mut dns = Vec::new();
    for &addr in &dns_addrs {
        let version = if stale.contains(&addr) {
            dns::ZoneVersion::Stale
        } else {
            dns::ZoneVersion::Current
        };
        dns.push(
            dns::serve_version(addr, records.clone(), version)
                .await
                .map_err(|e| format!("cannot serve DNS on {addr}: {e}"))?,
        );
    }
    // The CA goes out only once every address is ours: a second simulator that cannot bind
    // (one is running already) must not replace the CA the running one serves under.
    if let Some(path) = &opts.ca_out {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(path, &ca_pem)
            .map_err(|e| format!("cannot write the CA to {}: {e}", path.display()))?;
    }
    let (shutdown, rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let (listeners, mut endpoints) = (bound.len(), 0);
    for (l, g) in bound {
        let listener =
            tokio::net::TcpListener::from_std(l).map_err(|e| format!("{}: {e}", g.bind))?;
        let mut cfgs: Vec<(IpAddr, ListenerConfig)> = g
            .members
            .into_iter()
            .map(|p| {
                endpoints += p.endpoints.len();
                let cfg = ListenerConfig {
                    tls: p
                        .https
                        .then(|| ca.server_tls(p.addr.ip(), &p.names, p.tls_faults)),
                    endpoints: p.endpoints,
                    node_silent: p.node_silent,
                    seed: opts.seed,
                };
                (p.addr.ip(), cfg)
            })
            .collect();
        match g.bind {
            listeners::Bind::One(_) => {
                let (_, cfg) = cfgs.pop().expect("a listener of one address has it");
                tasks.spawn(http::serve(listener, cfg, rx.clone()));
            }
            listeners::Bind::Wildcard(_) => {
                tasks.spawn(http::serve_many(listener, cfgs, rx.clone()));
            }
        }
    }
    let icmp_addresses = responder.as_ref().map_or(0, icmp::Responder::addresses);
    if let Some(r) = responder {
        tasks.spawn(r.serve(rx.clone()));
    }
    Ok(Running {
        shutdown,
        tasks,
        dns,
        listeners,
        endpoints,
        dns_addrs,
        icmp_addresses,
        ca_pem,
    })
}

fn parse_server(s: &str) -> Option<SocketAddr> {
    s.parse::<SocketAddr>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

/// Loopback, or the benchmarking range 198.18.0.0/15 (see the module's doc).
fn require_test_address(node: &str, ip: IpAddr) -> Result<(), String> {
    let benchmarking = match ip {
        IpAddr::V4(v4) => v4.octets()[0] == 198 && v4.octets()[1] & 0xfe == 18,
        IpAddr::V6(_) => false,
    };
    if ip.is_loopback() || benchmarking {
        Ok(())
    } else {
        Err(format!(
            "node `{node}` uses {ip}: the simulator serves loopback addresses (127.0.0.0/8, ::1) and the benchmarking range 198.18.0.0/15 only, and never another network"
        ))
    }
}

/// Thousands of listeners need as many file descriptors (a wildcard listener is one, however
/// many addresses it serves): raise the soft limit up to the hard
/// one, and say plainly when even that is too low rather than failing half-way.
fn ensure_file_limit(listeners: u64) -> Result<(), String> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let need = listeners + FD_MARGIN;
    let lim = getrlimit(Resource::Nofile);
    // `None` is unlimited.
    let current = lim.current.unwrap_or(u64::MAX);
    let maximum = lim.maximum.unwrap_or(u64::MAX);
    if current >= need {
        return Ok(());
    }
    if maximum < need {
        return Err(format!(
            "the simulator needs {need} file descriptors for {listeners} listeners, and this process may open at most {maximum}: raise the limit (`ulimit -n {need}` as root, or LimitNOFILE= in a systemd unit), or simulate a smaller inventory"
        ));
    }
    let raised = Rlimit {
        current: Some(maximum.min(need.saturating_mul(2))),
        maximum: lim.maximum,
    };
    setrlimit(Resource::Nofile, raised)
        .map_err(|e| format!("cannot raise the file descriptor limit to {need}: {e}"))
}
