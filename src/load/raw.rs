//! Raw serde types: the YAML as written, with source positions, before validation.
//!
//! Every struct rejects unknown keys, so a misspelt key is an error and never silently
//! ignored. Values whose meaning is checked later (levels, durations, ids) are kept as
//! positioned strings so that validation can report all of them at once, each at its place.
//! The JSON Schema printed by `netaccept schema` is derived from these same types, so the
//! schema and the loader cannot disagree on which keys exist.

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::model::{Kind, Level, Rcode, RecordType, RedirectPolicy, Severity};

/// A positioned string.
pub type S = Spanned<String>;

/// A mapping whose keys keep their positions and whose entries keep the order written.
#[derive(Debug)]
pub struct SpannedMap<V>(pub Vec<(S, V)>);

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<S, V>()? {
                    out.push((k, v));
                }
                Ok(SpannedMap(out))
            }
        }
        d.deserialize_map(V_(PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for SpannedMap<V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, V>>::json_schema(g)
    }
}

/// Schema-only stand-in for strings the loader parses: a duration such as `250ms`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct DurationStr(#[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?(ms|s|m)$"))] String);

/// Schema-only: a percentage such as `20%`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct PercentStr(#[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?%$"))] String);

/// Schema-only: an id, `[a-z0-9][a-z0-9-]*`, at most 64 characters.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct IdStr(
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"), length(min = 1, max = 64))] String,
);

/// Schema-only: a GB/T 2260 code, six digits. YAML reads an unquoted code as a number,
/// which the loader accepts as its digits, so the schema accepts both.
pub struct RegionStr;

impl JsonSchema for RegionStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Region".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "string", "pattern": "^[0-9]{6}$" },
                { "type": "integer", "minimum": 100_000, "maximum": 999_999 }
            ]
        })
    }
}

/// Schema-only: a var value. Vars are text, but YAML reads `53` or `true` as a number or a
/// boolean, which the loader takes as their text.
pub struct ScalarStr;

impl JsonSchema for ScalarStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// Schema-only: a non-empty display name.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct NameStr(#[schemars(length(min = 1))] String);

/// Schema-only: a day, `YYYY-MM-DD`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct DateStr(#[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))] String);

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
    #[schemars(with = "SpannedMap<ScalarStr>")]
    pub vars: SpannedMap<S>,
    /// App id → endpoint.
    #[serde(default)]
    pub apps: SpannedMap<RawEndpoint>,
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
    /// Per attempt; default 5s.
    #[schemars(with = "Option<DurationStr>")]
    pub timeout: Option<S>,
    /// Default 0.
    pub retries: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["icmp"]}, {"required": ["tcp"]}, {"required": ["dns"]}, {"required": ["http"]}
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
    /// Overrides `defaults.timeout`.
    #[schemars(with = "Option<DurationStr>")]
    pub timeout: Option<S>,
    /// Overrides `defaults.retries`.
    pub retries: Option<u32>,
    #[schemars(with = "Option<RawIcmp>")]
    pub icmp: Option<Spanned<RawIcmp>>,
    #[schemars(with = "Option<RawTcp>")]
    pub tcp: Option<Spanned<RawTcp>>,
    #[schemars(with = "Option<RawDns>")]
    pub dns: Option<Spanned<RawDns>>,
    #[schemars(with = "Option<RawHttp>")]
    pub http: Option<Spanned<RawHttp>>,
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
    /// Echo requests to send; default 3.
    #[schemars(range(min = 1, max = 1000))]
    pub count: Option<u32>,
    /// Between echo requests; default 200ms.
    #[schemars(with = "Option<DurationStr>")]
    pub interval: Option<S>,
    #[schemars(with = "Option<PercentStr>")]
    pub max_loss: Option<S>,
    #[schemars(with = "Option<DurationStr>")]
    pub max_rtt: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTcp {
    /// `host:port`.
    #[schemars(with = "String")]
    pub target: S,
    #[schemars(with = "Option<DurationStr>")]
    pub max_connect: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDns {
    #[schemars(with = "String")]
    pub name: S,
    /// `address[:port]`; default port 53.
    #[schemars(with = "String")]
    pub server: S,
    /// Default `A`.
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
    /// Skip certificate verification; the reports say so.
    #[serde(default)]
    pub insecure: bool,
    /// The name to send as `Host` and TLS SNI (and to verify the certificate for) when the
    /// URL reaches the endpoint by address.
    #[schemars(with = "Option<String>")]
    pub host: Option<S>,
    /// Which redirects are followed: `none`, `same-host` (default: the same host name, any
    /// port or scheme) or `any`. A redirect the policy refuses fails the check
    /// (`RedirectRefused`).
    #[schemars(with = "Option<RedirectPolicy>")]
    pub redirects: Option<S>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHttpExpect {
    /// Any of; default: any status below 400.
    #[serde(default)]
    #[schemars(with = "Vec<u16>")]
    pub status: Vec<Spanned<u16>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub body_contains: Vec<S>,
    /// JSONPath → expected value.
    #[serde(default)]
    #[schemars(with = "SpannedMap<serde_json::Value>")]
    pub json: SpannedMap<Spanned<serde_json::Value>>,
    #[schemars(with = "Option<DurationStr>")]
    pub max_time: Option<S>,
    /// HTTPS only: the certificate stays valid at least this many more days.
    pub cert_valid_days: Option<u32>,
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
    {"required": ["cert"]}, {"required": ["dns"]}
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
    /// Every answer comes this late.
    #[schemars(with = "Option<DurationStr>")]
    pub slow: Option<S>,
    /// Health answers this status.
    #[schemars(with = "Option<u16>")]
    pub status: Option<Spanned<u16>>,
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
}

/// Schema-only: a certificate fault.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(rename_all = "kebab-case")]
pub enum CertFaultStr {
    Expired,
    WrongHost,
    SelfSigned,
}

/// Schema-only: a DNS fault.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(rename_all = "kebab-case")]
pub enum DnsFaultStr {
    WrongAddress,
    Nxdomain,
}
