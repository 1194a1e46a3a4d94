//! A suite: the application catalogue and the checks to carry out, with their probes.
//!
//! Probe specifications are generic over the string type: in the suite they hold
//! [`Template`]s, in a plan the [`Text`] filled for one (node, check, app). One shape for
//! both keeps "what the user wrote" and "what will be sent" from drifting apart.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Duration, HeaderCheck, HeaderName, HttpExpect, HttpMethod, Inventory, JsonCheck, Kind, Level,
    Loc, NodeIdx, Operand, Percent, QosClass, RedirectPolicy, Template, Text, ThroughputSpec,
    TlsPolicy,
};

/// Index of an app in [`Suite::apps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppIdx(pub u32);

/// Index of a check in [`Suite::checks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CheckIdx(pub u32);

#[derive(Debug, Clone)]
pub struct App {
    pub id: String,
    pub name: String,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    #[default]
    Major,
    Minor,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Major, Severity::Minor];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Minor => "minor",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Which nodes a check applies to. Every key given must match (AND); within a key, any of
/// the listed values matches (OR). An empty selector matches every node.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub levels: Vec<Level>,
    pub kinds: Vec<Kind>,
    pub tags: Vec<String>,
    /// Node ids, each with its descendants, and where each was written.
    pub nodes: Vec<(String, Loc)>,
    pub apps: Vec<AppIdx>,
    /// Where `where:` was written, for the "matches nothing" warning.
    pub loc: Option<Loc>,
}

impl Selector {
    /// Whether the selector takes this node. `apps` are the suite's catalogue, which
    /// `self.apps` indexes.
    pub fn matches(&self, inv: &Inventory, apps: &[App], i: NodeIdx) -> bool {
        let n = inv.node(i);
        (self.levels.is_empty() || self.levels.contains(&n.level))
            && (self.kinds.is_empty() || self.kinds.contains(&n.kind))
            && (self.tags.is_empty() || self.tags.iter().any(|t| n.tags.contains(t)))
            && (self.nodes.is_empty()
                || self.nodes.iter().any(|(id, _)| {
                    inv.find(id)
                        .is_some_and(|a| inv.is_self_or_descendant_of(i, a))
                }))
            && (self.apps.is_empty()
                || self
                    .apps
                    .iter()
                    .any(|&a| n.apps.iter().any(|e| e.app == apps[a.0 as usize].id)))
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
            && self.kinds.is_empty()
            && self.tags.is_empty()
            && self.nodes.is_empty()
            && self.apps.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub selector: Selector,
    pub for_each_app: bool,
    /// Checks on the same node that must pass first.
    pub needs: Vec<CheckIdx>,
    pub timeout: Duration,
    pub retries: u32,
    pub probe: Probe<Template>,
    /// Planned only when `--check` names the check's id exactly (`on_demand:`; default true
    /// for a throughput check, which loads the link, false for every other).
    pub on_demand: bool,
    /// Where the check's `id` was written.
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub id: String,
    /// The folder of the suite file: relative `ca:` paths are relative to it.
    pub base_dir: std::path::PathBuf,
    pub name: String,
    pub apps: Vec<App>,
    pub checks: Vec<Check>,
}

impl Suite {
    pub fn check(&self, i: CheckIdx) -> &Check {
        &self.checks[i.0 as usize]
    }

    pub fn app(&self, i: AppIdx) -> &App {
        &self.apps[i.0 as usize]
    }

    pub fn find_check(&self, id: &str) -> Option<CheckIdx> {
        self.checks
            .iter()
            .position(|c| c.id == id)
            .map(|i| CheckIdx(i as u32))
    }

    pub fn find_app(&self, id: &str) -> Option<AppIdx> {
        self.apps
            .iter()
            .position(|a| a.id == id)
            .map(|i| AppIdx(i as u32))
    }
}

/// The probe of a check, one variant per protocol.
#[derive(Debug, Clone)]
pub enum Probe<S> {
    Icmp(IcmpSpec<S>),
    Tcp(TcpSpec<S>),
    Dns(DnsSpec<S>),
    /// Boxed: the largest spec by far (360 bytes of 440 in a plan item), and a plan holds
    /// one probe per item (270,000 for ten times the national network).
    Http(Box<HttpSpec<S>>),
    Throughput(ThroughputSpec<S>),
    Trace(super::TraceSpec<S>),
    Mtu(super::MtuSpec<S>),
}

impl<S> Probe<S> {
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Icmp(_) => "icmp",
            Probe::Tcp(_) => "tcp",
            Probe::Dns(_) => "dns",
            Probe::Http(_) => "http",
            Probe::Throughput(_) => "throughput",
            Probe::Trace(_) => "trace",
            Probe::Mtu(_) => "mtu",
        }
    }

    /// Every string of the probe, in a fixed order.
    pub fn strings(&self) -> Vec<&S> {
        let mut out = Vec::new();
        match self {
            Probe::Icmp(p) => {
                out.push(&p.target);
                out.extend(p.bounds.iter().map(|b| &b.value));
            }
            Probe::Tcp(p) => out.push(&p.target),
            Probe::Throughput(p) => out.push(&p.target),
            Probe::Trace(p) => {
                out.push(&p.target);
                out.extend(&p.expect_via);
            }
            Probe::Mtu(p) => {
                out.push(&p.target);
                out.extend(&p.min_mtu_from);
            }
            Probe::Dns(p) => {
                out.push(&p.name);
                out.extend(&p.servers);
                out.extend(&p.expect);
                out.extend(&p.expect_any);
            }
            Probe::Http(p) => {
                out.push(&p.url);
                out.extend(p.headers.iter().map(|(_, v)| v));
                out.extend(&p.body);
                out.extend(&p.ca);
                out.extend(&p.client_cert);
                out.extend(&p.client_key);
                out.extend(&p.client_cert_password);
                out.extend(&p.host);
                out.extend(p.expect.headers.iter().filter_map(|(_, c)| match c {
                    HeaderCheck::Is(v) => Some(v),
                    HeaderCheck::Matches(_) | HeaderCheck::Exists(_) => None,
                }));
                out.extend(&p.expect.body_contains);
                for op in p.expect.json.iter().flat_map(|c| &c.ops) {
                    out.extend(op.operands().into_iter().filter_map(|o| match o {
                        Operand::Template(v) => Some(v),
                        Operand::Literal(_) => None,
                    }));
                }
            }
        }
        out
    }

    /// The same probe with every string mapped; the first error stops the mapping.
    pub fn try_map<T, E>(&self, mut f: impl FnMut(&S) -> Result<T, E>) -> Result<Probe<T>, E> {
        Ok(match self {
            Probe::Icmp(p) => Probe::Icmp(IcmpSpec {
                target: f(&p.target)?,
                count: p.count,
                interval: p.interval,
                max_loss: p.max_loss,
                max_rtt: p.max_rtt,
                max_p95: p.max_p95,
                max_ipdv: p.max_ipdv,
                max_jitter: p.max_jitter,
                class: p.class,
                bounds: p
                    .bounds
                    .iter()
                    .map(|b| {
                        Ok(Bound {
                            key: b.key,
                            value: f(&b.value)?,
                        })
                    })
                    .collect::<Result<_, _>>()?,
            }),
            Probe::Tcp(p) => Probe::Tcp(TcpSpec {
                target: f(&p.target)?,
                max_connect: p.max_connect,
            }),
            Probe::Throughput(p) => Probe::Throughput(ThroughputSpec {
                target: f(&p.target)?,
                port: p.port,
                duration: p.duration,
                streams: p.streams,
                direction: p.direction,
                min_mbps: p.min_mbps,
            }),
            Probe::Trace(p) => Probe::Trace(super::TraceSpec {
                target: f(&p.target)?,
                max_hops: p.max_hops,
                expect_via: p.expect_via.iter().map(&mut f).collect::<Result<_, _>>()?,
            }),
            Probe::Mtu(p) => Probe::Mtu(super::MtuSpec {
                target: f(&p.target)?,
                max: p.max,
                min_mtu: p.min_mtu,
                min_mtu_from: p.min_mtu_from.as_ref().map(&mut f).transpose()?,
            }),
            Probe::Dns(p) => Probe::Dns(DnsSpec {
                name: f(&p.name)?,
                servers: p.servers.iter().map(&mut f).collect::<Result<_, _>>()?,
                record_type: p.record_type,
                expect: p.expect.iter().map(&mut f).collect::<Result<_, _>>()?,
                expect_any: p.expect_any.iter().map(&mut f).collect::<Result<_, _>>()?,
                rcode: p.rcode,
                dnssec: p.dnssec,
                same_answers: p.same_answers,
            }),
            Probe::Http(p) => Probe::Http(Box::new(HttpSpec {
                method: p.method,
                url: f(&p.url)?,
                headers: p
                    .headers
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), f(v)?)))
                    .collect::<Result<_, _>>()?,
                body: p.body.as_ref().map(&mut f).transpose()?,
                ca: p.ca.as_ref().map(&mut f).transpose()?,
                insecure: p.insecure,
                tls: p.tls,
                client_cert: p.client_cert.as_ref().map(&mut f).transpose()?,
                client_key: p.client_key.as_ref().map(&mut f).transpose()?,
                client_cert_password: p.client_cert_password.as_ref().map(&mut f).transpose()?,
                host: p.host.as_ref().map(&mut f).transpose()?,
                redirects: p.redirects,
                compressed: p.compressed,
                expect: HttpExpect {
                    status: p.expect.status.clone(),
                    headers: p
                        .expect
                        .headers
                        .iter()
                        .map(|(k, c)| Ok((k.clone(), c.try_map(&mut f)?)))
                        .collect::<Result<_, _>>()?,
                    body_contains: p
                        .expect
                        .body_contains
                        .iter()
                        .map(&mut f)
                        .collect::<Result<_, _>>()?,
                    json: p
                        .expect
                        .json
                        .iter()
                        .map(|c| {
                            Ok(JsonCheck {
                                path: c.path.clone(),
                                ops: c
                                    .ops
                                    .iter()
                                    .map(|op| op.try_map(&mut f))
                                    .collect::<Result<_, _>>()?,
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    json_schema: p.expect.json_schema.clone(),
                    max_time: p.expect.max_time,
                    cert_valid_days: p.expect.cert_valid_days,
                    tls: p.expect.tls,
                },
            })),
        })
    }
}

impl Probe<Text> {
    /// A one-line description of what the probe reaches, secrets redacted.
    pub fn target_display(&self) -> String {
        match self {
            Probe::Icmp(p) => p.target.to_string(),
            Probe::Tcp(p) => p.target.to_string(),
            Probe::Throughput(p) => {
                let host = p.target.to_string();
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host
                };
                format!(
                    "iperf3 {host}:{} {} {} × {}",
                    p.port,
                    p.direction.as_str(),
                    p.streams,
                    p.duration
                )
            }
            Probe::Trace(p) => p.target.to_string(),
            Probe::Mtu(p) => p.target.to_string(),
            Probe::Dns(p) => format!(
                "{} {} @{}",
                p.record_type.as_str(),
                p.name,
                p.servers
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" @")
            ),
            Probe::Http(p) => match &p.host {
                Some(h) => format!("{} {} (Host: {h})", p.method, p.url),
                None => format!("{} {}", p.method, p.url),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct IcmpSpec<S> {
    pub target: S,
    pub count: u32,
    pub interval: Duration,
    /// `None`: fail only when no reply at all arrives, as ping and fping judge a host alive.
    pub max_loss: Option<Percent>,
    /// On the mean round trip.
    pub max_rtt: Option<Duration>,
    /// On the 95th percentile of the round trips (nearest rank).
    pub max_p95: Option<Duration>,
    /// On IPDV as Y.1540 defines it, over round trips: the 1 − 10⁻³ quantile minus the least.
    pub max_ipdv: Option<Duration>,
    /// On RFC 3550's interarrival jitter, over round trips.
    pub max_jitter: Option<Duration>,
    /// A Y.1541 class whose objectives fill `max_rtt`, `max_ipdv` and `max_loss` where the
    /// check does not set them itself ([`IcmpSpec::limits`]).
    pub class: Option<QosClass>,
    /// The limits written as templates (`max_rtt: "{{ node.vars.link.max_rtt }}"`), whose
    /// typed fields above stay `None` until the planner fills and parses them; empty in a
    /// plan: probers see typed values only.
    pub bounds: Vec<Bound<S>>,
}

impl<S> IcmpSpec<S> {
    /// A spec with the loader's defaults (3 echoes 200ms apart) and no limits.
    pub fn new(target: S) -> IcmpSpec<S> {
        IcmpSpec {
            target,
            count: 3,
            interval: Duration(std::time::Duration::from_millis(200)),
            max_loss: None,
            max_rtt: None,
            max_p95: None,
            max_ipdv: None,
            max_jitter: None,
            class: None,
            bounds: Vec::new(),
        }
    }

    /// The limits the check is judged on: its own keys, then its class's objectives (as
    /// round-trip limits) for the keys it leaves unset.
    pub fn limits(&self) -> IcmpLimits {
        let class = self.class.map(QosClass::round_trip);
        IcmpLimits {
            max_loss: self.max_loss.or(class.and_then(|c| c.max_loss)),
            max_rtt: self.max_rtt.or(class.and_then(|c| c.max_rtt)),
            max_p95: self.max_p95,
            max_ipdv: self.max_ipdv.or(class.and_then(|c| c.max_ipdv)),
            max_jitter: self.max_jitter,
        }
    }
}

/// The limits an `icmp:` check is judged on, its class's filled in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IcmpLimits {
    pub max_loss: Option<Percent>,
    pub max_rtt: Option<Duration>,
    pub max_p95: Option<Duration>,
    pub max_ipdv: Option<Duration>,
    pub max_jitter: Option<Duration>,
}

impl IcmpLimits {
    /// What each reply's wait is reckoned from ([`super::limits::icmp_reply_wait`]): the
    /// larger of the delay limits on the mean and on the 95th percentile.
    pub fn wait_basis(&self) -> Option<Duration> {
        match (self.max_rtt, self.max_p95) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Which limit of an `icmp:` check a [`Bound`] fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoundKey {
    MaxLoss,
    MaxRtt,
    MaxP95,
    MaxIpdv,
    MaxJitter,
    Class,
}

impl BoundKey {
    pub fn as_str(self) -> &'static str {
        match self {
            BoundKey::MaxLoss => "max_loss",
            BoundKey::MaxRtt => "max_rtt",
            BoundKey::MaxP95 => "max_p95",
            BoundKey::MaxIpdv => "max_ipdv",
            BoundKey::MaxJitter => "max_jitter",
            BoundKey::Class => "class",
        }
    }
}

/// A limit written as a template: its key and its text, filled per node and parsed by the
/// planner into the spec's typed field (a value that does not parse is a validation error
/// naming the template and the nodes).
#[derive(Debug, Clone)]
pub struct Bound<S> {
    pub key: BoundKey,
    pub value: S,
}

#[derive(Debug, Clone)]
pub struct TcpSpec<S> {
    /// `host:port` or `[v6]:port`: a template, parsed as a [`super::HostPort`] once filled
    /// (the planner refuses a target that does not parse).
    pub target: S,
    pub max_connect: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RecordType {
    A,
    AAAA,
    CNAME,
    MX,
    TXT,
    SRV,
    PTR,
    NS,
    SOA,
    CAA,
    DNSKEY,
    DS,
}

impl RecordType {
    pub const ALL: [RecordType; 12] = [
        RecordType::A,
        RecordType::AAAA,
        RecordType::CNAME,
        RecordType::MX,
        RecordType::TXT,
        RecordType::SRV,
        RecordType::PTR,
        RecordType::NS,
        RecordType::SOA,
        RecordType::CAA,
        RecordType::DNSKEY,
        RecordType::DS,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::AAAA => "AAAA",
            RecordType::CNAME => "CNAME",
            RecordType::MX => "MX",
            RecordType::TXT => "TXT",
            RecordType::SRV => "SRV",
            RecordType::PTR => "PTR",
            RecordType::NS => "NS",
            RecordType::SOA => "SOA",
            RecordType::CAA => "CAA",
            RecordType::DNSKEY => "DNSKEY",
            RecordType::DS => "DS",
        }
    }

    pub fn parse(s: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum Rcode {
    NOERROR,
    FORMERR,
    SERVFAIL,
    NXDOMAIN,
    NOTIMP,
    REFUSED,
}

impl Rcode {
    pub const ALL: [Rcode; 6] = [
        Rcode::NOERROR,
        Rcode::FORMERR,
        Rcode::SERVFAIL,
        Rcode::NXDOMAIN,
        Rcode::NOTIMP,
        Rcode::REFUSED,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NOERROR => "NOERROR",
            Rcode::FORMERR => "FORMERR",
            Rcode::SERVFAIL => "SERVFAIL",
            Rcode::NXDOMAIN => "NXDOMAIN",
            Rcode::NOTIMP => "NOTIMP",
            Rcode::REFUSED => "REFUSED",
        }
    }

    pub fn parse(s: &str) -> Option<Rcode> {
        Rcode::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct DnsSpec<S> {
    pub name: S,
    /// `address[:port]` of each server to ask; the system resolver is never used. One
    /// (`server:`), or several (`servers:`, at least two): a replication check, which passes
    /// when every server serves the first one's SOA serial (and, with `same_answers`, the
    /// same answers).
    pub servers: Vec<S>,
    pub record_type: RecordType,
    /// Every one of these must be among the answers.
    pub expect: Vec<S>,
    /// At least one of these must be among the answers.
    pub expect_any: Vec<S>,
    /// The response code required; `None` means NOERROR whenever answers are expected.
    pub rcode: Option<Rcode>,
    /// Ask with the DO bit and require signatures (RRSIG) covering the answer; no validation.
    pub dnssec: bool,
    /// With several servers: their answers of `record_type` must be the same set too.
    pub same_answers: bool,
}

#[derive(Debug, Clone)]
pub struct HttpSpec<S> {
    pub method: HttpMethod,
    pub url: S,
    /// Names are parsed at load; values are templates, checked once filled (at run time,
    /// when they cannot be sent).
    pub headers: Vec<(HeaderName, S)>,
    pub body: Option<S>,
    /// PEM bundle of a private CA, trusted on top of the system store; a relative path is
    /// relative to the suite file (the loader has made it absolute when it was literal).
    pub ca: Option<S>,
    pub insecure: bool,
    /// What TLS passes: the oldest protocol version (`tls.min_version`).
    pub tls: TlsPolicy,
    /// Mutual TLS: the client certificate, a PEM file (the certificate, then any
    /// intermediates; the key too when `client_key` is absent) or a PKCS#12 file (`.p12`,
    /// `.pfx`: certificate, key and chain). Relative to the suite file, like `ca:`.
    pub client_cert: Option<S>,
    /// The PEM private key of `client_cert`, when it is in a file of its own.
    pub client_key: Option<S>,
    /// The password of a PKCS#12 `client_cert` or of an encrypted PEM `client_key`; meant
    /// to come from `{{ env.* }}`, and shown as `***` wherever it is written.
    pub client_cert_password: Option<S>,
    /// The name to send as `Host` and TLS SNI, and to verify the certificate for, when the
    /// URL reaches the endpoint by address (or by another name).
    pub host: Option<S>,
    pub redirects: RedirectPolicy,
    /// Ask for a compressed answer (`Accept-Encoding: gzip, deflate, br, zstd`); without
    /// it no `Accept-Encoding` is sent. A compressed answer is decoded either way.
    pub compressed: bool,
    pub expect: HttpExpect<S>,
}
