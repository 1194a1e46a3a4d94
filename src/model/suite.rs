//! A suite: the application catalogue and the checks to carry out, with their probes.
//!
//! Probe specifications are generic over the string type: in the suite they hold
//! [`Template`]s, in a plan the [`Text`] filled for one (node, check, app). One shape for
//! both keeps "what the user wrote" and "what will be sent" from drifting apart.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Duration, HeaderCheck, HeaderName, HttpExpect, HttpMethod, Inventory, JsonCheck, Kind, Level,
    Loc, NodeIdx, Operand, Percent, RedirectPolicy, Template, Text, TlsPolicy,
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
    Http(HttpSpec<S>),
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
            Probe::Trace(_) => "trace",
            Probe::Mtu(_) => "mtu",
        }
    }

    /// Every string of the probe, in a fixed order.
    pub fn strings(&self) -> Vec<&S> {
        let mut out = Vec::new();
        match self {
            Probe::Icmp(p) => out.push(&p.target),
            Probe::Tcp(p) => out.push(&p.target),
            Probe::Trace(p) => {
                out.push(&p.target);
                out.extend(&p.expect_via);
            }
            Probe::Mtu(p) => out.push(&p.target),
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
            }),
            Probe::Tcp(p) => Probe::Tcp(TcpSpec {
                target: f(&p.target)?,
                max_connect: p.max_connect,
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
            Probe::Http(p) => Probe::Http(HttpSpec {
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
            }),
        })
    }
}

impl Probe<Text> {
    /// A one-line description of what the probe reaches, secrets redacted.
    pub fn target_display(&self) -> String {
        match self {
            Probe::Icmp(p) => p.target.to_string(),
            Probe::Tcp(p) => p.target.to_string(),
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
    pub max_rtt: Option<Duration>,
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
