//! Knot DNS (`knotd` from Debian's `knot`) as an authoritative server the tests start: an
//! implementation of DNS we did not write, so that a misunderstanding shared by the prober
//! and our own test servers cannot hide itself.
//!
//! Each [`Knot`] is one `knotd` process with its own configuration, zone files and key
//! database in a temporary folder, listening on one address (UDP and TCP), authoritative
//! only. A zone may be signed by Knot itself (automatic DNSSEC with an ECDSA P-256 key made
//! at start). It can run inside a network namespace the test made, so that nftables there
//! can block TCP/53 without touching the host. The process is killed when the value is
//! dropped.
//!
//! Where `knotd` is not installed the constructors return `None` after the skip rule of
//! [`super::host::skip`] (CI installs it with `.ci/run` and would fail instead).

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hickory_server::proto::op::{Edns, Message, Query};
use hickory_server::proto::rr::{Name, RecordType};

/// How long `knotd` may take to load (and sign) its zones before the test gives up.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// One zone: its origin (`aq.gov.test.`), its text in zone-file format, and whether Knot
/// signs it.
pub struct Zone {
    pub origin: String,
    pub text: String,
    pub signed: bool,
}

impl Zone {
    pub fn new(origin: &str, text: &str) -> Zone {
        Zone {
            origin: origin.to_string(),
            text: text.to_string(),
            signed: false,
        }
    }

    pub fn signed(origin: &str, text: &str) -> Zone {
        Zone {
            signed: true,
            ..Zone::new(origin, text)
        }
    }
}

/// A running `knotd`; killed when dropped.
pub struct Knot {
    pub addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Knot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `knotd` is installed; when it is not, the skip rule has been applied.
pub fn available() -> bool {
    let ok = Command::new("knotd")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        super::host::skip("knotd (Debian package `knot`) is not installed");
    }
    ok
}

impl Knot {
    /// Starts `knotd` serving `zones` on `ip` (a loopback address), on a port free for both
    /// UDP and TCP. `None` when knotd is not installed (the skip rule applied).
    pub fn start(ip: IpAddr, zones: &[Zone]) -> Option<Knot> {
        if !available() {
            return None;
        }
        let port = free_port(ip);
        Some(Knot::spawn(None, SocketAddr::new(ip, port), zones))
    }

    /// Starts `knotd` inside the network namespace `netns` (which the test made), serving
    /// `zones` on `addr`. `None` when knotd is not installed.
    pub fn start_in(netns: &str, addr: SocketAddr, zones: &[Zone]) -> Option<Knot> {
        if !available() {
            return None;
        }
        Some(Knot::spawn(Some(netns), addr, zones))
    }

    fn spawn(netns: Option<&str>, addr: SocketAddr, zones: &[Zone]) -> Knot {
        let dir = tempfile::tempdir().expect("temporary folder");
        let conf = write_config(dir.path(), addr, zones);
        let mut cmd = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, "knotd"]);
                c
            }
            None => Command::new("knotd"),
        };
        let child = cmd
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("knotd starts");
        let mut knot = Knot {
            addr,
            child,
            _dir: dir,
        };
        knot.wait_ready(zones);
        knot
    }

    /// Waits until every zone answers its SOA (and, when signed, its DNSKEY with a
    /// signature): knotd loads and signs zones after it starts listening.
    fn wait_ready(&mut self, zones: &[Zone]) {
        let start = Instant::now();
        for z in zones {
            let t = if z.signed {
                RecordType::DNSKEY
            } else {
                RecordType::SOA
            };
            loop {
                if let Ok(Some(status)) = self.child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut e) = self.child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    panic!(
                        "knotd exited ({status}) before serving {}:\n{err}",
                        z.origin
                    );
                }
                if answers(self.addr, &z.origin, t, z.signed) {
                    break;
                }
                assert!(
                    start.elapsed() < READY_WITHIN,
                    "knotd did not serve {} {t} within {READY_WITHIN:?}",
                    z.origin
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// The configuration: authoritative only, everything in `dir`, logs to stderr (which the
/// test reads when knotd dies early).
fn write_config(dir: &Path, addr: SocketAddr, zones: &[Zone]) -> std::path::PathBuf {
    let listen = format!("{}@{}", addr.ip(), addr.port());
    let d = dir.display();
    let mut conf = format!(
        r#"server:
    rundir: "{d}"
    listen: {listen}
    # No UDP answers larger than the client's EDNS size: the fallback to TCP is tested.
    udp-max-payload: 1232
database:
    storage: "{d}/db"
    kasp-db: "{d}/keys"
log:
  - target: stderr
    any: warning
policy:
  - id: signed
    algorithm: ecdsap256sha256
    nsec3: off
template:
  - id: default
    storage: "{d}"
    semantic-checks: off
    zonefile-load: whole
    journal-content: none
    zonefile-sync: -1
zone:
"#
    );
    for z in zones {
        let file = format!("{}zone", z.origin.replace('/', "_"));
        std::fs::write(dir.join(&file), &z.text).expect("zone file written");
        let _ = writeln!(conf, "  - domain: \"{}\"", z.origin);
        let _ = writeln!(conf, "    file: \"{file}\"");
        if z.signed {
            let _ = writeln!(conf, "    dnssec-signing: on\n    dnssec-policy: signed");
        }
    }
    let path = dir.join("knot.conf");
    std::fs::write(&path, conf).expect("knot.conf written");
    path
}

/// Whether `server` answers `name`/`t` with at least one record (and, with `dnssec`, a
/// signature among them), asked once over UDP.
fn answers(server: SocketAddr, name: &str, t: RecordType, dnssec: bool) -> bool {
    // Label by label, as raw bytes: hickory's text parsers refuse the `/` of RFC 2317 names.
    let labels = name.trim_end_matches('.').split('.').map(str::as_bytes);
    let mut name = Name::from_labels(labels).expect("zone origin is a DNS name");
    name.set_fqdn(true);
    let mut q = Message::query();
    q.add_query(Query::query(name, t));
    let mut edns = Edns::new();
    edns.set_max_payload(4096).set_dnssec_ok(dnssec);
    q.set_edns(edns);
    let bytes = q.to_vec().expect("query encodes");
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => "0.0.0.0:0".parse().unwrap(),
        SocketAddr::V6(_) => "[::]:0".parse().unwrap(),
    };
    let sock = UdpSocket::bind(local).expect("udp socket");
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    if sock.send_to(&bytes, server).is_err() {
        return false;
    }
    let mut buf = [0u8; 4096];
    let Ok((n, _)) = sock.recv_from(&mut buf) else {
        return false;
    };
    let Ok(reply) = Message::from_vec(&buf[..n]) else {
        return false;
    };
    let has = |rt: RecordType| reply.answers.iter().any(|r| r.record_type() == rt);
    has(t) && (!dnssec || has(RecordType::RRSIG))
}

/// A port free on `ip` for both UDP and TCP right now (knotd binds it a moment later).
fn free_port(ip: IpAddr) -> u16 {
    for _ in 0..50 {
        let udp = UdpSocket::bind((ip, 0)).expect("udp bind");
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind((ip, port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP on {ip}");
}
