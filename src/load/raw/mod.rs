//! Raw serde types: the YAML as written, with source positions, before validation.
//!
//! Every struct rejects unknown keys, so a misspelt key is an error and never silently
//! ignored. Values whose meaning is checked later (levels, durations, ids, numbers against
//! their ranges) are kept as positioned values so that validation can report all of them at
//! once, each at its place. The JSON Schema printed by `netaccept schema` is derived from
//! these same types, so the schema and the loader cannot disagree on which keys exist; the
//! values and the schema-only stand-ins are in `values.rs`.

mod expect;
mod maintenance;
mod values;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

pub use expect::*;
pub use maintenance::*;
pub use values::*;

use crate::model::limits::{CERT_VALID_DAYS, ICMP_COUNT, RETRIES};
use crate::model::path::{MAX_HOPS, MTU_MAX};
use crate::model::{Kind, Level, Rcode, RecordType, RedirectPolicy, Severity, TlsRequirement};
use crate::model::{THROUGHPUT_PORT, THROUGHPUT_STREAMS};

// ---------------------------------------------------------------------------------------
// Inventory

/// One inventory file: a list of nodes. A directory of such files is merged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "netaccept inventory")]
pub struct InventoryFile {
    #[schemars(with = "Vec<RawNode>")]
    pub nodes: Vec<Spanned<RawNode>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    /// Unique in the inventory.
    #[schemars(with = "IdStr")]
    pub id: S,
    /// Display name, UTF-8.
    #[schemars(with = "NameStr")]
    pub name: S,
    #[schemars(with = "Level")]
    pub level: S,
    /// Default `safety`.
    #[schemars(with = "Option<Kind>")]
    pub kind: Option<S>,
    /// Required on every node but the one root.
    #[schemars(with = "Option<IdStr>")]
    pub parent: Option<S>,
    /// GB/T 2260 code.
    #[schemars(with = "Option<RegionStr>")]
    pub region: Option<S>,
    /// The address or DNS name network checks probe.
    #[schemars(with = "Option<String>")]
    pub host: Option<S>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<S>,
    /// Inherited by every descendant unless overridden.
    #[serde(default)]
    /// A value may be a mapping of vars nested under the name (`link: { max_rtt: 60ms }`),
    /// named with dots in templates (`{{ node.vars.link.max_rtt }}`).
    #[schemars(with = "SpannedMap<VarValueSchema>")]
    pub vars: SpannedMap<RawVarAt>,
    /// App id → endpoint.
    #[serde(default)]
    pub apps: SpannedMap<RawEndpoint>,
    /// `true`: a probe host at this node probes it and every node below it that has no
    /// nearer vantage. The root is always a vantage.
    #[schemars(with = "Option<bool>")]
    pub vantage: Option<Spanned<bool>>,
    /// The vantage's probe host (also makes the node a vantage).
    pub probe: Option<RawProbeHost>,
    /// The vantage that probes this node instead of its nearest vantage ancestor-or-self;
    /// it must name a vantage.
    #[schemars(with = "Option<IdStr>")]
    pub probed_from: Option<S>,
}

/// A vantage's probe host.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProbeHost {
    /// The probe machine's host name (where its scheduled runs are deployed).
    #[schemars(with = "String")]
    pub host: S,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    #[schemars(with = "String")]
    pub url: S,
}

// ---------------------------------------------------------------------------------------
// Suite

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "netaccept suite")]
pub struct SuiteFile {
    #[schemars(with = "IdStr")]
    pub suite: S,
    #[schemars(with = "NameStr")]
    pub name: S,
    /// App id → display name.
    #[serde(default)]
    #[schemars(with = "SpannedMap<String>")]
    pub apps: SpannedMap<S>,
    #[serde(default)]
    pub defaults: Option<RawDefaults>,
    #[schemars(with = "Vec<RawCheck>")]
    pub checks: Vec<Spanned<RawCheck>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    /// Per attempt; default 5s, at most 5m.
    #[schemars(with = "Option<DurationStr>")]
    pub timeout: Option<S>,
    /// Default 0, at most 10.
    #[schemars(with = "Option<u32>", range(min = RETRIES.min, max = RETRIES.max))]
    pub retries: Option<Int>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["icmp"]}, {"required": ["tcp"]}, {"required": ["dns"]}, {"required": ["http"]},
    {"required": ["throughput"]}, {"required": ["trace"]}, {"required": ["mtu"]}
]))]
pub struct RawCheck {
    /// Unique in the suite.
    #[schemars(with = "String", length(min = 1))]
    pub id: S,
    #[schemars(with = "NameStr")]
    pub name: S,
    /// Default `major`.
    #[schemars(with = "Option<Severity>")]
    pub severity: Option<S>,
    #[serde(rename = "where")]
    #[schemars(rename = "where", with = "Option<RawSelector>")]
    pub selector: Option<Spanned<RawSelector>>,
    /// One check per app the node declares.
    #[serde(default)]
    pub for_each_app: bool,
    /// Checks on the same node that must pass first.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub needs: Vec<S>,
    /// Overrides `defaults.timeout`; at most 5m.
    #[schemars(with = "Option<DurationStr>")]
    pub timeout: Option<S>,
    /// Overrides `defaults.retries`; at most 10.
    #[schemars(with = "Option<u32>", range(min = RETRIES.min, max = RETRIES.max))]
    pub retries: Option<Int>,
    #[schemars(with = "Option<RawIcmp>")]
    pub icmp: Option<Spanned<RawIcmp>>,
    #[schemars(with = "Option<RawTcp>")]
    pub tcp: Option<Spanned<RawTcp>>,
    #[schemars(with = "Option<RawDns>")]
    pub dns: Option<Spanned<RawDns>>,
    #[schemars(with = "Option<RawHttp>")]
    pub http: Option<Spanned<RawHttp>>,
    #[schemars(with = "Option<RawThroughput>")]
    pub throughput: Option<Spanned<RawThroughput>>,
    /// Planned only when `--check` names this check's id exactly (a glob does not count).
    /// Default `true` for a `throughput` check, which loads the link it measures (RFC 6815),
    /// `false` for every other.
    #[schemars(with = "Option<bool>")]
    pub on_demand: Option<Spanned<bool>>,
    #[schemars(with = "Option<RawTrace>")]
    pub trace: Option<Spanned<RawTrace>>,
    #[schemars(with = "Option<RawMtu>")]
    pub mtu: Option<Spanned<RawMtu>>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSelector {
    #[serde(default)]
    #[schemars(with = "Vec<Level>")]
    pub level: Vec<S>,
    #[serde(default)]
    #[schemars(with = "Vec<Kind>")]
    pub kind: Vec<S>,
    /// Any of.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<S>,
    /// Node ids, each with its descendants.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub nodes: Vec<S>,
    /// The node hosts any of these apps.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub apps: Vec<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIcmp {
    #[schemars(with = "String")]
    pub target: S,
    /// Echo requests to send; default 3, at most 10,000. All of them, and the last one's
    /// reply, must fit the check's timeout (FORMAT.md, "Limits").
    #[schemars(with = "Option<u32>", range(min = ICMP_COUNT.min, max = ICMP_COUNT.max))]
    pub count: Option<Int>,
    /// Between echo requests; default 200ms, at least 10ms.
    #[schemars(with = "Option<DurationStr>")]
    pub interval: Option<S>,
    /// On the loss over the echoes sent; a template (`{{ node.vars.… }}`) is filled per node.
    #[schemars(with = "Option<PercentOrTemplate>")]
    pub max_loss: Option<S>,
    /// On the mean round trip; at most the check's timeout. May be a template.
    #[schemars(with = "Option<DurationOrTemplate>")]
    pub max_rtt: Option<S>,
    /// On the 95th percentile of the round trips (nearest rank); at most the check's
    /// timeout. May be a template.
    #[schemars(with = "Option<DurationOrTemplate>")]
    pub max_p95: Option<S>,
    /// On IPDV (Y.1540/Y.1541: the 99.9th percentile of the round trips minus the least);
    /// at most the check's timeout. May be a template.
    #[schemars(with = "Option<DurationOrTemplate>")]
    pub max_ipdv: Option<S>,
    /// On RFC 3550's interarrival jitter of the round trips; at most the check's timeout.
    /// May be a template.
    #[schemars(with = "Option<DurationOrTemplate>")]
    pub max_jitter: Option<S>,
    /// A Y.1541 network QoS class whose objectives (round trip: twice the delay and IPDV,
    /// loss as written) fill `max_rtt`, `max_ipdv` and `max_loss` where they are not set.
    /// May be a template.
    #[schemars(with = "Option<QosClassStr>")]
    pub class: Option<S>,
}

/// `trace:`: the hop list to the target (TTL-limited ICMP echoes; needs a raw socket).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// A host name or address (IPv4 or IPv6).
    #[schemars(with = "String")]
    pub target: S,
    /// The highest TTL tried; default 30, from 1 to 64.
    #[schemars(with = "Option<u8>", range(min = MAX_HOPS.min, max = MAX_HOPS.max))]
    pub max_hops: Option<Int>,
    /// Address blocks (`198.18.1.0/24`) or addresses the path must pass, in this order
    /// (silent hops and other hops between them are allowed).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub expect_via: Vec<S>,
}

/// `mtu:`: the path MTU, by echoes with Don't Fragment set (needs a raw socket).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMtu {
    /// A host name or address (IPv4 or IPv6).
    #[schemars(with = "String")]
    pub target: S,
    /// The largest whole IP packet tried (the first one sent), in bytes; default 1500,
    /// from 68 to 9000.
    #[schemars(with = "Option<u16>", range(min = MTU_MAX.min, max = MTU_MAX.max))]
    pub max: Option<Int>,
    /// The check fails when the path MTU is below this; from 68 to `max`. A template
    /// (`"{{ node.vars.link.min_mtu }}"`) is filled per node by the planner.
    #[schemars(with = "Option<MinMtuStr>")]
    pub min_mtu: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTcp {
    /// `host:port`.
    #[schemars(with = "String")]
    pub target: S,
    /// At most the check's timeout.
    #[schemars(with = "Option<DurationStr>")]
    pub max_connect: Option<S>,
}

/// A `throughput:` probe: TCP throughput to an iperf3 server (`iperf3 -s`), spoken to over
/// iperf3's own protocol.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThroughput {
    /// The iperf3 server's host (an address or a name), without a port.
    #[schemars(with = "String")]
    pub target: S,
    /// The server's port; default 5201.
    #[schemars(
        with = "Option<u16>",
        range(min = THROUGHPUT_PORT.min, max = THROUGHPUT_PORT.max)
    )]
    pub port: Option<Int>,
    /// How long data flows; default 10s, from 1s to 60s. With 5s of setup it must fit the
    /// check's timeout (FORMAT.md, "Limits").
    #[schemars(with = "Option<DurationStr>")]
    pub duration: Option<S>,
    /// Parallel TCP streams; default 1, at most 16.
    #[schemars(
        with = "Option<u32>",
        range(min = THROUGHPUT_STREAMS.min, max = THROUGHPUT_STREAMS.max)
    )]
    pub streams: Option<Int>,
    /// `up` (default: the probe sends, the server receives) or `down` (the server sends).
    #[schemars(with = "Option<DirectionStr>")]
    pub direction: Option<S>,
    /// The lowest throughput that passes, in megabits (10^6 bit) per second at the
    /// receiver; more than 0, at most 100000.
    #[schemars(with = "Option<MbpsNum>")]
    pub min_mbps: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["server"]}, {"required": ["servers"]}]))]
pub struct RawDns {
    #[schemars(with = "String")]
    pub name: S,
    /// `address[:port]`; default port 53. Exactly one of `server` and `servers`.
    #[schemars(with = "Option<String>")]
    pub server: Option<S>,
    /// Several servers (at least two), for a replication check: each is asked, and they
    /// must serve the first one's SOA serial.
    #[schemars(with = "Option<Vec<String>>", length(min = 2))]
    pub servers: Option<Spanned<Vec<S>>>,
    /// Default `A` (`SOA` with `servers`).
    #[serde(rename = "type")]
    #[schemars(rename = "type", with = "Option<RecordType>")]
    pub record_type: Option<S>,
    /// All of these must be answered.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub expect: Vec<S>,
    /// At least one of these must be answered.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub expect_any: Vec<S>,
    #[schemars(with = "Option<Rcode>")]
    pub rcode: Option<S>,
    /// Ask with the DNSSEC OK bit and require signatures (RRSIG) covering the answer. The
    /// signatures are not validated.
    #[serde(default)]
    pub dnssec: bool,
    /// With `servers`: the answers of `type` must be the same on every server, besides the
    /// SOA serial.
    #[schemars(with = "Option<bool>")]
    pub same_answers: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    /// Default `GET`.
    #[schemars(with = "Option<String>")]
    pub method: Option<S>,
    #[schemars(with = "String")]
    pub url: S,
    #[serde(default)]
    #[schemars(with = "SpannedMap<String>")]
    pub headers: SpannedMap<S>,
    #[schemars(with = "Option<String>")]
    pub body: Option<S>,
    #[serde(default)]
    pub expect: Option<RawHttpExpect>,
    /// PEM bundle of a private CA; relative to the suite file.
    #[schemars(with = "Option<String>")]
    pub ca: Option<S>,
    /// Skip certificate verification; the reports say so. Allowed with `client_cert`.
    #[serde(default)]
    pub insecure: bool,
    /// What TLS passes: `{ min_version: "1.2" }` (the default). A server that completes a
    /// handshake only below it fails as `LegacyTls`.
    #[serde(default)]
    pub tls: Option<RawTls>,
    /// Mutual TLS: a PEM file (the certificate, then any intermediates; the key too when
    /// `client_key` is absent) or a PKCS#12 file; relative to the suite file, like `ca:`.
    #[schemars(with = "Option<String>")]
    pub client_cert: Option<S>,
    /// The PEM private key of `client_cert` (PKCS#8, PKCS#1 or SEC1), when it is in a file
    /// of its own; needs `client_cert`.
    #[schemars(with = "Option<String>")]
    pub client_key: Option<S>,
    /// The password of a PKCS#12 `client_cert` or an encrypted `client_key`; give it as
    /// `{{ env.NAME }}` so that it is never written in the suite. Needs `client_cert`.
    #[schemars(with = "Option<String>")]
    pub client_cert_password: Option<S>,
    /// The name to send as `Host` and TLS SNI (and to verify the certificate for) when the
    /// URL reaches the endpoint by address.
    #[schemars(with = "Option<String>")]
    pub host: Option<S>,
    /// Which redirects are followed: `none`, `same-host` (default: the same host name, any
    /// port or scheme) or `any`. A redirect the policy refuses fails the check
    /// (`RedirectRefused`).
    #[schemars(with = "Option<RedirectPolicy>")]
    pub redirects: Option<S>,
    /// Ask for a compressed answer: send `Accept-Encoding: gzip, deflate, br, zstd`. By
    /// default none is sent (identity); an answer compressed anyway is decoded all the same.
    #[serde(default)]
    pub compressed: bool,
}

/// An `http:` probe's `tls:` block.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    /// The oldest protocol version that passes: `"1.0"`, `"1.1"`, `"1.2"` (default) or
    /// `"1.3"`. YAML reads `1.2` unquoted as a number, which the loader takes as its text
    /// all the same.
    #[schemars(with = "Option<TlsVersionStr>")]
    pub min_version: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHttpExpect {
    /// Any of; default: any status below 400.
    #[serde(default)]
    #[schemars(with = "Vec<StatusCode>")]
    pub status: Vec<Int>,
    /// Response header name (any case) → its value exactly, `{ matches: REGEX }` or
    /// `{ exists: false }`.
    #[serde(default)]
    #[schemars(with = "SpannedMap<HeaderExpectSchema>")]
    pub headers: SpannedMap<Spanned<RawJson>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub body_contains: Vec<S>,
    /// JSONPath → the value expected (compared by JSON type), or a mapping of operators:
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`, `exists`, `count`, `matches`, `contains`.
    #[serde(default)]
    #[schemars(with = "SpannedMap<JsonExpectSchema>")]
    pub json: SpannedMap<Spanned<RawJson>>,
    /// A JSON Schema file (relative to the suite file) the body must match; compiled at
    /// load, its `$ref`s never fetched.
    #[schemars(with = "Option<String>")]
    pub json_schema: Option<S>,
    /// At most the check's timeout.
    #[schemars(with = "Option<DurationStr>")]
    pub max_time: Option<S>,
    /// HTTPS only: the certificate stays valid at least this many more days; at most 3650.
    #[schemars(
        with = "Option<u32>",
        range(min = CERT_VALID_DAYS.min, max = CERT_VALID_DAYS.max)
    )]
    pub cert_valid_days: Option<Int>,
    /// `required`: a plain-HTTP URL (or a redirect to one) fails the check (`TlsRequired`)
    /// before anything is sent on it. `optional` (default): a plain-HTTP URL is judged on the
    /// other expectations, `cert_valid_days` not applying to it.
    #[schemars(with = "Option<TlsRequirement>")]
    pub tls: Option<S>,
}

// ---------------------------------------------------------------------------------------
// Waivers

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "netaccept waivers")]
pub struct WaiversFile {
    #[schemars(with = "Vec<RawWaiver>")]
    pub waivers: Vec<Spanned<RawWaiver>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWaiver {
    #[schemars(with = "String")]
    pub node: S,
    #[schemars(with = "String")]
    pub check: S,
    /// One app of a `for_each_app` check.
    #[schemars(with = "Option<String>")]
    pub app: Option<S>,
    #[schemars(with = "NameStr")]
    pub reason: S,
    #[schemars(with = "NameStr")]
    pub approved_by: S,
    /// The last day the waiver applies.
    #[schemars(with = "DateStr")]
    pub expires: S,
}

// ---------------------------------------------------------------------------------------
// Simulator faults

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "netaccept simulator faults")]
pub struct FaultsFile {
    #[schemars(with = "Vec<RawFault>")]
    pub faults: Vec<Spanned<RawFault>>,
}

/// One fault: the node (and optionally one of its apps) and exactly one of the fault keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["down"]}, {"required": ["silent"]}, {"required": ["slow"]},
    {"required": ["status"]}, {"required": ["body"]}, {"required": ["flaky"]},
    {"required": ["cert"]}, {"required": ["dns"]}, {"required": ["records"]},
    {"required": ["nonconformant"]}, {"required": ["stale_secondary"]},
    {"required": ["missing_intermediate"]}, {"required": ["legacy_tls"]},
    {"required": ["icmp"]}
]))]
pub struct RawFault {
    #[schemars(with = "String")]
    pub node: S,
    /// One app of the node; without it the fault applies to all of them.
    #[schemars(with = "Option<String>")]
    pub app: Option<S>,
    /// Nothing listens.
    #[schemars(with = "Option<bool>")]
    pub down: Option<Spanned<bool>>,
    /// Connections are accepted and never answered.
    #[schemars(with = "Option<bool>")]
    pub silent: Option<Spanned<bool>>,
    /// Every answer comes this late; at most 5m.
    #[schemars(with = "Option<DurationStr>")]
    pub slow: Option<S>,
    /// Health answers this status.
    #[schemars(with = "Option<StatusCode>")]
    pub status: Option<Int>,
    /// Health answers 200 with this body.
    #[schemars(with = "Option<String>")]
    pub body: Option<S>,
    /// This share of health requests is answered 503.
    #[schemars(with = "Option<PercentStr>")]
    pub flaky: Option<S>,
    /// `expired`, `wrong-host` or `self-signed`.
    #[schemars(with = "Option<CertFaultStr>")]
    pub cert: Option<S>,
    /// `wrong-address` or `nxdomain` (the node's name in the simulator's DNS).
    #[schemars(with = "Option<DnsFaultStr>")]
    pub dns: Option<S>,
    /// `/api/records/summary` reports this many migrated records instead of the usual
    /// total (a migration that fell short); 0 to 1,000,000,000.
    #[schemars(with = "Option<RecordsCount>")]
    pub records: Option<Int>,
    /// The health JSON breaks the interface standard (no `version`, `time` as a number)
    /// while still saying `"status":"UP"`.
    #[schemars(with = "Option<bool>")]
    pub nonconformant: Option<Spanned<bool>>,
    /// The node's secondary DNS server (the node's `dns_secondary` var) serves an old version
    /// of the zones: an older SOA serial, without the records added since.
    #[schemars(with = "Option<bool>")]
    pub stale_secondary: Option<Spanned<bool>>,
    /// The HTTPS listener sends its leaf certificate without the intermediate CA.
    #[schemars(with = "Option<bool>")]
    pub missing_intermediate: Option<Spanned<bool>>,
    /// The HTTPS listener speaks only TLS 1.0.
    #[schemars(with = "Option<bool>")]
    pub legacy_tls: Option<Spanned<bool>>,
    /// The simulator's ICMP responder answers the node's address with this delay, jitter
    /// and loss (node-wide: no `app:`). Needs root and `net.ipv4.icmp_echo_ignore_all=1`.
    #[schemars(with = "Option<RawIcmpFault>")]
    pub icmp: Option<Spanned<RawIcmpFault>>,
}

/// An `icmp` fault: each key optional (`icmp: {}` answers at once).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIcmpFault {
    /// The mean added delay of each echo reply (default `0ms`); `delay + jitter` at most 10s.
    #[schemars(with = "Option<DurationStr>")]
    pub delay: Option<S>,
    /// Each reply's delay is drawn uniformly from `[delay − jitter, delay + jitter]`; at most
    /// `delay` (default `0ms`).
    #[schemars(with = "Option<DurationStr>")]
    pub jitter: Option<S>,
    /// This share of echo requests is left unanswered, drawn from the simulator's `--seed`
    /// (default `0%`).
    #[schemars(with = "Option<PercentStr>")]
    pub loss: Option<S>,
}
