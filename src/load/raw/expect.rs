//! The raw values of `expect.json` and `expect.headers`: a YAML value with the position of
//! every part ([`RawJson`]), read whatever its shape so that the loader, not serde, says
//! what is wrong with it (an unknown operator with "did you mean", a `count` that is not a
//! number, each at its place); and the schema-only stand-ins that tell the JSON Schema the
//! shapes the loader takes.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::S;

/// A YAML value as JSON sees it, every element and member with its position. Numbers keep
/// the kind YAML gave them (a whole number or a fraction).
#[derive(Debug)]
pub enum RawJson {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    /// A fraction, or a whole number beyond 64 bits; YAML's `.inf` and `.nan` too, which
    /// JSON has no number for (the loader says so).
    Float(f64),
    Str(String),
    List(Vec<Spanned<RawJson>>),
    /// A mapping's entries in the order written, keys positioned.
    Map(Vec<(S, Spanned<RawJson>)>),
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawJson;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, a list or a mapping")
            }
            fn visit_unit<E>(self) -> Result<RawJson, E> {
                Ok(RawJson::Null)
            }
            fn visit_none<E>(self) -> Result<RawJson, E> {
                Ok(RawJson::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawJson, E> {
                Ok(RawJson::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawJson, E> {
                Ok(RawJson::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawJson, E> {
                Ok(RawJson::UInt(v))
            }
            fn visit_i128<E>(self, v: i128) -> Result<RawJson, E> {
                Ok(i64::try_from(v).map_or(RawJson::Float(v as f64), RawJson::Int))
            }
            fn visit_u128<E>(self, v: u128) -> Result<RawJson, E> {
                Ok(u64::try_from(v).map_or(RawJson::Float(v as f64), RawJson::UInt))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawJson, E> {
                Ok(RawJson::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawJson, E> {
                Ok(RawJson::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawJson, E> {
                Ok(RawJson::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<RawJson, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = s.next_element::<Spanned<RawJson>>()? {
                    out.push(v);
                }
                Ok(RawJson::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawJson, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = m.next_entry::<S, Spanned<RawJson>>()? {
                    out.push(entry);
                }
                Ok(RawJson::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawJson {
    /// What YAML made of the value, for messages: `a string`, `a number`, …
    pub fn kind(&self) -> &'static str {
        match self {
            RawJson::Null => "null",
            RawJson::Bool(_) => "a boolean",
            RawJson::Int(_) | RawJson::UInt(_) | RawJson::Float(_) => "a number",
            RawJson::Str(_) => "a string",
            RawJson::List(_) => "a list",
            RawJson::Map(_) => "a mapping",
        }
    }
}

/// The words of the operators of `expect.json`, in the order FORMAT.md lists them.
pub const JSON_OPERATORS: [&str; 10] = [
    "==", "!=", "<", "<=", ">", ">=", "exists", "count", "matches", "contains",
];

/// The keys of a mapping under `expect.headers`.
pub const HEADER_OPERATORS: [&str; 2] = ["matches", "exists"];

/// Schema-only: a string holding a template (`"{{ node.vars.min }}"`), typed once filled.
const TEMPLATE: &str = r"\{\{";

/// Schema-only: the value of an `expect.json` entry.
pub struct JsonExpectSchema;

impl JsonSchema for JsonExpectSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonExpect".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let number = schemars::json_schema!({
            "anyOf": [{ "type": "number" }, { "type": "string", "pattern": TEMPLATE }]
        });
        let order = |what: &str| {
            let mut s = number.clone();
            s.insert("description".into(), what.into());
            s
        };
        let any = |what: &str| schemars::json_schema!({ "description": what });
        let compare = schemars::json_schema!({
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
                "==": number, "!=": number, "<": number, "<=": number, ">": number, ">=": number
            }
        });
        schemars::json_schema!({
            "description": "The value the JSONPath selects (its first), compared by JSON type: a value (`==`), or a mapping of operators that must all hold. A value holding `{{ … }}` is typed once filled: a JSON number, true, false or null as such, anything else a string.",
            "anyOf": [
                { "type": ["string", "number", "boolean", "null", "array"] },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "minProperties": 1,
                    "properties": {
                        "==": any("Equal by JSON type (numbers by value); a mapping here is an object."),
                        "!=": any("Not equal by JSON type."),
                        "<": order("Less than (numbers)."),
                        "<=": order("At most (numbers)."),
                        ">": order("More than (numbers)."),
                        ">=": order("At least (numbers)."),
                        "exists": {
                            "description": "Whether the path selects a value.",
                            "anyOf": [{ "type": "boolean" }, { "type": "string", "pattern": TEMPLATE }]
                        },
                        "count": {
                            "description": "The number of elements of the array found: a number, or comparisons.",
                            "anyOf": [number, compare]
                        },
                        "matches": {
                            "description": "A regular expression (Rust regex syntax) found in the string; anchor with ^…$.",
                            "type": "string"
                        },
                        "contains": any("A substring of the string found, or an element of the array found.")
                    }
                }
            ]
        })
    }
}

/// Schema-only: the value of an `expect.headers` entry.
pub struct HeaderExpectSchema;

impl JsonSchema for HeaderExpectSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HeaderExpect".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The header's value exactly (its name in any case), or a mapping: `matches` (a regular expression) and/or `exists`.",
            "anyOf": [
                { "type": ["string", "number", "boolean"] },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "minProperties": 1,
                    "properties": {
                        "matches": { "type": "string", "description": "A regular expression found in the value." },
                        "exists": { "type": "boolean", "description": "false: the header must be absent." }
                    }
                }
            ]
        })
    }
}
