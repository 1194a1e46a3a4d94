//! What `http.expect` asks of a response ([`HttpExpect`]): beside the status, time and
//! certificate, JSON values with their operators (`expect.json`), response headers
//! (`expect.headers`) and a JSON Schema the body must match (`expect.json_schema`).
//!
//! Everything the loader can settle is settled here: operators are parsed, literal operands
//! carry their JSON type (the YAML value's own), patterns and schemas are compiled. Only a
//! templated operand waits for the planner, which fills it per node and checks its type
//! against what the operator needs (see [`Operand`]).

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::json_value::{read_filled, show};
use super::{Duration, HeaderName, JsonPath, Text, TlsRequirement};

/// What a response must be. `Default` expects nothing but a status below 400.
#[derive(Debug, Clone)]
pub struct HttpExpect<S> {
    /// Empty: any status below 400.
    pub status: Vec<u16>,
    /// Response headers, by name (any letter case), in the order written.
    pub headers: Vec<HeaderExpect<S>>,
    pub body_contains: Vec<S>,
    /// JSONPath (compiled at load) → operators on the value found, compared by JSON type.
    pub json: Vec<JsonCheck<S>>,
    /// A JSON Schema the body must match, compiled at load.
    pub json_schema: Option<BodySchema>,
    pub max_time: Option<Duration>,
    /// HTTPS only: a plain-HTTP answer is not judged on it (see [`TlsRequirement`]).
    pub cert_valid_days: Option<u32>,
    /// Whether a plain-HTTP URL fails the check (`expect.tls: required`).
    pub tls: TlsRequirement,
}

impl<S> Default for HttpExpect<S> {
    fn default() -> Self {
        HttpExpect {
            status: Vec::new(),
            headers: Vec::new(),
            body_contains: Vec::new(),
            json: Vec::new(),
            json_schema: None,
            max_time: None,
            cert_valid_days: None,
            tls: TlsRequirement::Optional,
        }
    }
}

impl<S> HttpExpect<S> {
    /// Whether judging needs the body itself (up to its cap), not only its first bytes as
    /// evidence.
    pub fn reads_body(&self) -> bool {
        !self.body_contains.is_empty() || !self.json.is_empty() || self.json_schema.is_some()
    }
}

/// One `expect.json` entry: a path and the operators its first value must satisfy, all of
/// them. The shorthand `"$.path": value` is the single operator `==`.
#[derive(Debug, Clone)]
pub struct JsonCheck<S> {
    pub path: JsonPath,
    pub ops: Vec<JsonOp<S>>,
}

/// An operator of `expect.json` and its operand.
#[derive(Debug, Clone)]
pub enum JsonOp<S> {
    /// `==`, `!=` (any type) or an order (`<`, `<=`, `>`, `>=`: numbers).
    Compare(Compare, Operand<S>),
    /// Whether the path selects a value at all (a boolean).
    Exists(Operand<S>),
    /// The number of elements of the array found, held to every comparison listed.
    Count(Vec<(Compare, Operand<S>)>),
    /// A string found matching a pattern anywhere in it.
    Matches(Pattern),
    /// A string found holding a substring, or an array found holding an equal element.
    Contains(Operand<S>),
}

impl<S> JsonOp<S> {
    /// Every operand, in order.
    pub fn operands(&self) -> Vec<&Operand<S>> {
        match self {
            JsonOp::Compare(_, o) | JsonOp::Exists(o) | JsonOp::Contains(o) => vec![o],
            JsonOp::Count(cs) => cs.iter().map(|(_, o)| o).collect(),
            JsonOp::Matches(_) => Vec::new(),
        }
    }

    /// The same operator with every templated operand mapped.
    pub fn try_map<T, E>(&self, f: &mut impl FnMut(&S) -> Result<T, E>) -> Result<JsonOp<T>, E> {
        Ok(match self {
            JsonOp::Compare(c, o) => JsonOp::Compare(*c, o.try_map(f)?),
            JsonOp::Exists(o) => JsonOp::Exists(o.try_map(f)?),
            JsonOp::Count(cs) => JsonOp::Count(
                cs.iter()
                    .map(|(c, o)| Ok((*c, o.try_map(f)?)))
                    .collect::<Result<_, _>>()?,
            ),
            JsonOp::Matches(p) => JsonOp::Matches(p.clone()),
            JsonOp::Contains(o) => JsonOp::Contains(o.try_map(f)?),
        })
    }

    /// The JSON type the operand must have, when the operator needs one.
    pub fn needs(&self) -> Option<Needs> {
        match self {
            JsonOp::Compare(c, _) => c.is_order().then_some(Needs::Number),
            JsonOp::Count(_) => Some(Needs::Number),
            JsonOp::Exists(_) => Some(Needs::Boolean),
            JsonOp::Matches(_) | JsonOp::Contains(_) => None,
        }
    }

    /// How the operator is written: `>=`, `count`, …
    pub fn keyword(&self) -> &'static str {
        match self {
            JsonOp::Compare(c, _) => c.as_str(),
            JsonOp::Exists(_) => "exists",
            JsonOp::Count(_) => "count",
            JsonOp::Matches(_) => "matches",
            JsonOp::Contains(_) => "contains",
        }
    }
}

/// The JSON type an operator needs of its operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Number,
    Boolean,
}

impl Needs {
    pub fn holds(self, v: &Value) -> bool {
        match self {
            Needs::Number => v.is_number(),
            Needs::Boolean => v.is_boolean(),
        }
    }

    /// `a number`, `a boolean`.
    pub fn as_str(self) -> &'static str {
        match self {
            Needs::Number => "a number",
            Needs::Boolean => "a boolean (true or false)",
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Compare {
    pub const ALL: [Compare; 6] = [
        Compare::Eq,
        Compare::Ne,
        Compare::Lt,
        Compare::Le,
        Compare::Gt,
        Compare::Ge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Compare::Eq => "==",
            Compare::Ne => "!=",
            Compare::Lt => "<",
            Compare::Le => "<=",
            Compare::Gt => ">",
            Compare::Ge => ">=",
        }
    }

    pub fn parse(s: &str) -> Option<Compare> {
        Compare::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// `<`, `<=`, `>`, `>=`: defined on numbers only.
    pub fn is_order(self) -> bool {
        !matches!(self, Compare::Eq | Compare::Ne)
    }

    /// Whether `found` compared with the operand in `ord` (found against operand)
    /// satisfies the operator.
    pub fn holds(self, ord: Ordering) -> bool {
        match self {
            Compare::Eq => ord == Ordering::Equal,
            Compare::Ne => ord != Ordering::Equal,
            Compare::Lt => ord == Ordering::Less,
            Compare::Le => ord != Ordering::Greater,
            Compare::Gt => ord == Ordering::Greater,
            Compare::Ge => ord != Ordering::Less,
        }
    }
}

impl fmt::Display for Compare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an operator compares with.
#[derive(Debug, Clone)]
pub enum Operand<S> {
    /// Written in the suite without a template: the YAML value's own type is its JSON type
    /// (`UP` and `"22"` strings, `22` a number, `true` a boolean, `null` null; a list an
    /// array, a mapping under `==` an object).
    Literal(Value),
    /// A string holding a template: typed once filled, by [`read_filled`]; the planner
    /// refuses a filled value of a type the operator cannot take.
    Template(S),
}

impl<S> Operand<S> {
    pub fn try_map<T, E>(&self, f: &mut impl FnMut(&S) -> Result<T, E>) -> Result<Operand<T>, E> {
        Ok(match self {
            Operand::Literal(v) => Operand::Literal(v.clone()),
            Operand::Template(s) => Operand::Template(f(s)?),
        })
    }
}

impl Operand<Text> {
    /// The value, typed.
    pub fn value(&self) -> Value {
        match self {
            Operand::Literal(v) => v.clone(),
            Operand::Template(t) => read_filled(&t.expose()),
        }
    }

    /// The value for a message: as JSON, a secret as `***`.
    pub fn shown(&self) -> String {
        match self {
            Operand::Template(t) if t.has_secret() => t.to_string(),
            other => show(&other.value()),
        }
    }

    /// The value with its type, for a message: `the number 22`, a secret as `***`.
    pub fn described(&self) -> String {
        let v = self.value();
        match (self, &v) {
            (Operand::Template(t), Value::Null) if t.has_secret() => "null (`***`)".to_string(),
            (Operand::Template(t), _) if t.has_secret() => {
                format!("the {} {t}", super::json_value::type_name(&v))
            }
            _ => super::json_value::describe(&v),
        }
    }
}

/// A regular expression (the `regex` crate's syntax: no look-around, no backreferences,
/// matched in time linear in the text), compiled at load, found anywhere in the text unless
/// anchored (`^…$`). The source is kept for messages.
#[derive(Clone)]
pub struct Pattern {
    text: String,
    /// Shared: every planned item gets a copy of its check's pattern, and a `Regex`'s own
    /// clone makes a new pool of match caches each time (1.4 KB apiece, 6 MB over the
    /// national run's interface checks).
    compiled: std::sync::Arc<regex::Regex>,
}

impl Pattern {
    /// The compiled pattern, or the regex crate's error.
    pub fn parse(s: &str) -> Result<Pattern, regex::Error> {
        regex::Regex::new(s).map(|compiled| Pattern {
            text: s.to_string(),
            compiled: std::sync::Arc::new(compiled),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

/// What a response header must be (`expect.headers`). The name is matched in any letter
/// case; the value is the header's field lines joined with `, ` (RFC 9110 §5.3).
#[derive(Debug, Clone)]
pub enum HeaderCheck<S> {
    /// Exactly this value.
    Is(S),
    /// A value matching the pattern.
    Matches(Pattern),
    /// Present (`true`) or absent (`false`).
    Exists(bool),
}

impl<S> HeaderCheck<S> {
    pub fn try_map<T, E>(
        &self,
        f: &mut impl FnMut(&S) -> Result<T, E>,
    ) -> Result<HeaderCheck<T>, E> {
        Ok(match self {
            HeaderCheck::Is(s) => HeaderCheck::Is(f(s)?),
            HeaderCheck::Matches(p) => HeaderCheck::Matches(p.clone()),
            HeaderCheck::Exists(b) => HeaderCheck::Exists(*b),
        })
    }
}

/// A response header expectation: the name (parsed at load) and what it must be.
pub type HeaderExpect<S> = (HeaderName, HeaderCheck<S>);

/// A JSON Schema file, compiled once at load (`expect.json_schema`), shared by every item
/// of the check.
#[derive(Clone)]
pub struct BodySchema {
    /// The path as the suite wrote it, for messages.
    pub name: String,
    pub validator: Arc<jsonschema::Validator>,
}

impl fmt::Debug for BodySchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodySchema({:?})", self.name)
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    #[test]
    fn compare_words_and_meaning() {
        for c in Compare::ALL {
            assert_eq!(Compare::parse(c.as_str()), Some(c));
        }
        assert_eq!(Compare::parse("=>"), None);
        assert!(Compare::Ge.holds(Ordering::Equal) && !Compare::Gt.holds(Ordering::Equal));
        assert!(Compare::Ne.holds(Ordering::Less) && !Compare::Eq.holds(Ordering::Less));
        assert!(!Compare::Eq.is_order() && Compare::Lt.is_order());
    }

    #[test]
    fn a_secret_operand_is_never_shown() {
        use crate::model::TextPart;
        let t = Operand::Template(Text {
            parts: vec![TextPart::Secret("1234".into())],
        });
        assert_eq!(t.value(), serde_json::json!(1234));
        assert_eq!(t.shown(), "***");
        assert_eq!(t.described(), "the number ***");
        let plain = Operand::Template(Text::plain("22"));
        assert_eq!(plain.described(), "the number 22");
    }
}
