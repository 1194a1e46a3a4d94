//! The values of the raw types: positioned strings and numbers, the ordered mapping, and
//! the schema-only stand-ins that tell the JSON Schema what the loader will parse out of a
//! string (a duration, a percentage, an id).

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::model::limits::{HTTP_STATUS, RECORDS};

/// A positioned string.
pub type S = Spanned<String>;

/// A positioned integer key's value.
pub type Int = Spanned<Number>;

/// What YAML read where an integer belongs. Any scalar is taken, so that a value that is
/// not a whole number of 64 bits (`4294967296000000000000`, `1.5`, `2OO`) is reported by
/// the loader with the key's range, beside every other problem of the file, instead of
/// stopping the file's parsing as a type error. The range is the loader's to check
/// (`model::limits`); the schema states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    Whole(i64),
    /// A whole number beyond 64 bits.
    Huge,
    /// A fraction, a word, a boolean.
    NotWhole,
}

impl Number {
    /// A number written as text: a quoted `"3"` is 3, as before; a long run of digits is a
    /// number too big; anything else is not a whole number.
    pub fn from_text(v: &str) -> Number {
        match crate::model::limits::whole_from_text(v) {
            Ok(n) => Number::Whole(n),
            Err(true) => Number::Huge,
            Err(false) => Number::NotWhole,
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Whole(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(i64::try_from(v).map_or(Number::Huge, Number::Whole))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Number, E> {
                Ok(i64::try_from(v).map_or(Number::Huge, Number::Whole))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Number, E> {
                Ok(i64::try_from(v).map_or(Number::Huge, Number::Whole))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Number, E> {
                Ok(Number::NotWhole)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Number, E> {
                Ok(Number::NotWhole)
            }
            fn visit_str<E>(self, v: &str) -> Result<Number, E> {
                Ok(Number::from_text(v))
            }
        }
        d.deserialize_any(V)
    }
}

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

/// An inventory var's value: a scalar, or a mapping of vars nested under it
/// (`vars: { link: { max_rtt: 60ms } }`), which the loader flattens to dotted names
/// (`link.max_rtt`). Positioned, so that a number or a boolean is taken as written
/// (`1.10`, `010`) from the source, as a flat var always was, not as YAML typed it.
pub type RawVarAt = Spanned<RawVar>;

#[derive(Debug)]
pub enum RawVar {
    /// A string scalar: its value.
    Text(String),
    /// A number or a boolean, which YAML typed: the loader reads its text at its position.
    Typed,
    Map(SpannedMap<RawVarAt>),
}

impl<'de> Deserialize<'de> for RawVar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl<'de> Visitor<'de> for V_ {
            type Value = RawVar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean, or a mapping of vars")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawVar, E> {
                Ok(RawVar::Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawVar, E> {
                Ok(RawVar::Text(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawVar, E> {
                Ok(RawVar::Typed)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawVar, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<S, RawVarAt>()? {
                    out.push((k, v));
                }
                Ok(RawVar::Map(SpannedMap(out)))
            }
        }
        d.deserialize_any(V_)
    }
}

/// Schema-only: an inventory var's value, a scalar or a mapping of nested vars.
pub struct VarValueSchema;

impl JsonSchema for VarValueSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VarValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": ["string", "number", "boolean"] },
                { "type": "object", "additionalProperties": { "$ref": "#/$defs/VarValue" } }
            ]
        })
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

/// Schema-only: a duration, or a template filled per node (`{{ node.vars.link.max_rtt }}`)
/// whose value the planner parses as a duration.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct DurationOrTemplate(
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m)|.*\{\{.*\}\}.*)$"))] String,
);

/// Schema-only: a percentage, or a template filled per node.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct PercentOrTemplate(
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?%|.*\{\{.*\}\}.*)$"))] String,
);

/// Schema-only: a Y.1541 network QoS class (`y1541-0` … `y1541-5`, the last unspecified),
/// or a template filled per node.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct QosClassStr(#[schemars(regex(pattern = r"^(y1541-[0-5]|.*\{\{.*\}\}.*)$"))] String);

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

/// Schema-only: a TLS protocol version, `"1.0"` to `"1.3"`. Unquoted, YAML reads it as a
/// number, which the loader takes as its text, so the schema accepts both.
pub struct TlsVersionStr;

impl JsonSchema for TlsVersionStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TlsVersion".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "string", "enum": ["1.0", "1.1", "1.2", "1.3"] },
                { "type": "number", "enum": [1.0, 1.1, 1.2, 1.3] }
            ]
        })
    }
}

/// Schema-only: `mtu: min_mtu`, a whole number of bytes (68 to 9000) or a template that
/// fills to one (`"{{ node.vars.link.min_mtu }}"`).
pub struct MinMtuStr;

impl JsonSchema for MinMtuStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MinMtu".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use crate::model::path::MIN_MTU;
        schemars::json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": MIN_MTU.min, "maximum": MIN_MTU.max },
                { "type": "string", "pattern": "\\{\\{" }
            ]
        })
    }
}

/// Schema-only: a non-empty display name.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct NameStr(#[schemars(length(min = 1))] String);

/// Schema-only: an HTTP status code, 100 to 599.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct StatusCode(#[schemars(range(min = HTTP_STATUS.min, max = HTTP_STATUS.max))] u16);

/// Schema-only: a count of records, for the simulator's `records` fault.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RecordsCount(#[schemars(range(min = RECORDS.min, max = RECORDS.max))] u32);

/// Schema-only: a day, `YYYY-MM-DD`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct DateStr(#[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))] String);

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

/// Schema-only: a throughput check's `direction`.
pub struct DirectionStr;

impl JsonSchema for DirectionStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Direction".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "enum": ["up", "down"] })
    }
}

/// Schema-only: a throughput in megabits per second, more than 0 and at most 100,000.
pub struct MbpsNum;

impl JsonSchema for MbpsNum {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Mbps".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": crate::model::MAX_MIN_MBPS
        })
    }
}
