//! `expect.json`: the raw values → operators with typed operands and compiled patterns
//! (`expect.headers` is `header_expect`'s, with the patterns and operator hints of this
//! module). A literal operand takes its YAML type, which must be one the operator can take
//! (`">": "abc"`, `count: "x"` and `exists: 3` are errors at the value); a templated one is
//! typed by the planner once filled. An unknown operator is an error at its key, with the
//! closest operator as a hint.

use serde_json::{Number, Value};
use serde_saphyr::Spanned;

use super::raw::{JSON_OPERATORS, RawJson, S, SpannedMap};
use super::template::Templates;
use super::{Loader, loc, sub_loc};
use crate::diag::{Diagnostic, suggest};
use crate::model::json_value::{show, type_name};
use crate::model::{Compare, JsonCheck, JsonOp, JsonPath, Loc, Needs, Operand, Pattern, Template};

pub(super) type RawEntry = (S, Spanned<RawJson>);

/// `expect.json`: each path compiled, each value made into its operators.
pub(super) fn json(
    ld: &mut Loader,
    f: u32,
    raw: &SpannedMap<Spanned<RawJson>>,
    t: &mut Templates,
) -> Vec<JsonCheck<Template>> {
    let mut out = Vec::new();
    for (k, v) in &raw.0 {
        let path = json_path(ld, f, k);
        // The operators are read even under a bad path, so that their own mistakes are
        // reported in the same pass.
        let ops = match &v.value {
            RawJson::Map(entries) => operators(ld, f, t, entries, loc(f, &v.referenced)),
            _ => operand(ld, f, t, v, "==", None)
                .map(|o| JsonOp::Compare(Compare::Eq, o))
                .into_iter()
                .collect(),
        };
        if let Some(path) = path {
            out.push(JsonCheck { path, ops });
        }
    }
    out
}

/// An `expect.json` key compiled, or a diagnostic at the key with the parser's reason.
fn json_path(ld: &mut Loader, f: u32, k: &S) -> Option<JsonPath> {
    let at = loc(f, &k.referenced);
    if !k.value.starts_with('$') {
        ld.push(
            Diagnostic::error(at, format!("`{}` is not a JSONPath", k.value))
                .with_hint("JSONPath starts at the root `$`, e.g. `$.status`"),
        );
        return None;
    }
    match JsonPath::parse(&k.value) {
        Ok(p) => Some(p),
        Err(why) => {
            ld.push(
                Diagnostic::error(at, format!("invalid JSONPath `{}`: {why}", k.value)).with_hint(
                    "JSONPath as in RFC 9535, e.g. `$.status`, `$.items[0].state` or `$['a key']`",
                ),
            );
            None
        }
    }
}

/// A mapping of operators, all of which must hold.
fn operators(
    ld: &mut Loader,
    f: u32,
    t: &mut Templates,
    entries: &[RawEntry],
    at: Loc,
) -> Vec<JsonOp<Template>> {
    if entries.is_empty() {
        ld.push(
            Diagnostic::error(at, "an empty mapping of operators")
                .with_hint("write a value (`\"$.status\": UP`) or operators (`{ \">=\": 1 }`)"),
        );
        return Vec::new();
    }
    let mut ops = Vec::new();
    let mut absent: Option<Loc> = None;
    for (k, v) in entries {
        let word = k.value.as_str();
        let op = if let Some(c) = Compare::parse(word) {
            let needs = c.is_order().then_some(Needs::Number);
            operand(ld, f, t, v, word, needs).map(|o| JsonOp::Compare(c, o))
        } else {
            match word {
                "exists" => {
                    let o = operand(ld, f, t, v, word, Some(Needs::Boolean));
                    if matches!(o, Some(Operand::Literal(Value::Bool(false)))) {
                        absent = Some(loc(f, &k.referenced));
                    }
                    o.map(JsonOp::Exists)
                }
                "count" => count(ld, f, t, v),
                "matches" => pattern(ld, f, v).map(JsonOp::Matches),
                "contains" => operand(ld, f, t, v, word, None).map(JsonOp::Contains),
                _ => {
                    unknown_operator(
                        ld,
                        f,
                        k,
                        &JSON_OPERATORS,
                        "; to compare with an object, write `\"==\": { … }`",
                    );
                    None
                }
            }
        };
        ops.extend(op);
    }
    if let Some(at) = absent
        && entries.len() > 1
    {
        ld.push(
            Diagnostic::error(at, "`exists: false` beside other operators")
                .with_hint("no other operator can hold where the path selects nothing: keep `exists: false` alone"),
        );
    }
    ops
}

/// `count`: a number (`==`) or a mapping of comparisons, each with a number.
fn count(
    ld: &mut Loader,
    f: u32,
    t: &mut Templates,
    v: &Spanned<RawJson>,
) -> Option<JsonOp<Template>> {
    let RawJson::Map(entries) = &v.value else {
        let o = operand(ld, f, t, v, "count", Some(Needs::Number))?;
        return Some(JsonOp::Count(vec![(Compare::Eq, o)]));
    };
    if entries.is_empty() {
        ld.push(
            Diagnostic::error(loc(f, &v.referenced), "`count` with no comparison")
                .with_hint("e.g. `count: 3` or `count: { \">=\": 1 }`"),
        );
        return None;
    }
    let words = Compare::ALL.map(Compare::as_str);
    let mut out = Vec::new();
    for (k, w) in entries {
        match Compare::parse(&k.value) {
            Some(c) => {
                let o = operand(ld, f, t, w, c.as_str(), Some(Needs::Number));
                out.extend(o.map(|o| (c, o)));
            }
            None => unknown_operator(ld, f, k, &words, " (under `count`)"),
        }
    }
    (out.len() == entries.len()).then_some(JsonOp::Count(out))
}

/// An operand: a template (typed once filled), or a literal of its YAML type, which must
/// be what `needs` says when the operator needs a type.
fn operand(
    ld: &mut Loader,
    f: u32,
    t: &mut Templates,
    v: &Spanned<RawJson>,
    op: &str,
    needs: Option<Needs>,
) -> Option<Operand<Template>> {
    let value = match &v.value {
        RawJson::Str(s) => {
            let tpl = t.parse(ld, &string_at(v, s));
            if tpl.vars().next().is_some() {
                return Some(Operand::Template(tpl));
            }
            Value::String(s.clone())
        }
        _ => literal(ld, f, v)?,
    };
    if let Some(n) = needs.filter(|n| !n.holds(&value)) {
        wrong_type(ld, loc(f, &v.referenced), op, n, &value);
        return None;
    }
    Some(Operand::Literal(value))
}

/// A positioned string of a raw value, for the template parser.
pub(super) fn string_at(v: &Spanned<RawJson>, s: &str) -> S {
    Spanned {
        value: s.to_string(),
        referenced: v.referenced,
        defined: v.defined,
    }
}

/// A literal value as JSON: lists are arrays, mappings objects.
fn literal(ld: &mut Loader, f: u32, v: &Spanned<RawJson>) -> Option<Value> {
    let at = loc(f, &v.referenced);
    Some(match &v.value {
        RawJson::Null => Value::Null,
        RawJson::Bool(b) => Value::Bool(*b),
        RawJson::Int(n) => Value::from(*n),
        RawJson::UInt(n) => Value::from(*n),
        RawJson::Float(x) => {
            if let Some(n) = Number::from_f64(*x) {
                Value::Number(n)
            } else {
                ld.push(
                    Diagnostic::error(at, format!("`{x}` is not a number JSON can hold"))
                        .with_hint("JSON has no infinity and no NaN: write a finite number"),
                );
                return None;
            }
        }
        RawJson::Str(s) => {
            // Inside a list or a mapping a string is taken as written: a template there
            // would silently never be filled.
            if s.contains("{{") {
                ld.push(
                    Diagnostic::error(at, "a template inside a list or a mapping is not filled")
                        .with_hint("compare the element on its own, e.g. `\"$.items[0]\": \"{{ node.id }}\"`"),
                );
                return None;
            }
            Value::String(s.clone())
        }
        RawJson::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(literal(ld, f, item));
            }
            Value::Array(out.into_iter().collect::<Option<_>>()?)
        }
        RawJson::Map(entries) => {
            let mut out = serde_json::Map::new();
            let mut ok = true;
            for (k, w) in entries {
                match literal(ld, f, w) {
                    Some(x) => {
                        out.insert(k.value.clone(), x);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Value::Object(out)
        }
    })
}

/// A literal of a type the operator cannot take.
fn wrong_type(ld: &mut Loader, at: Loc, op: &str, needs: Needs, v: &Value) {
    let what = match op {
        "count" => "`count` takes a number or comparisons of numbers".to_string(),
        "exists" => "`exists` takes true or false".to_string(),
        _ => format!("`{op}` compares numbers"),
    };
    let quoted_number = match v {
        Value::String(s) => Some(crate::model::json_value::read_filled(s))
            .filter(|r| needs.holds(r))
            .map(|_| s.clone()),
        _ => None,
    };
    let hint = match (quoted_number, needs) {
        (Some(s), _) => format!(
            "quoted, `\"{s}\"` is a string: write `{s}` without quotes (a value's YAML type is its JSON type)"
        ),
        (None, Needs::Boolean) => {
            "`exists: true`: the path must select a value; `exists: false`: it must select none"
                .to_string()
        }
        (None, Needs::Number) => format!(
            "write a number, e.g. `\"{op}\": 1000`, or a template filled with one, e.g. `\"{op}\": \"{{{{ node.vars.min }}}}\"`"
        ),
    };
    ld.push(
        Diagnostic::error(
            at,
            format!("{what}, and `{}` is {}", show(v), article(type_name(v))),
        )
        .with_hint(hint),
    );
}

/// `a string`, `an array`, `null`.
fn article(type_name: &str) -> String {
    match type_name {
        "null" => "null".to_string(),
        t if t.starts_with(['a', 'o']) => format!("an {t}"),
        t => format!("a {t}"),
    }
}

/// `matches`: a regular expression, compiled now; a mistake is shown at its character.
pub(super) fn pattern(ld: &mut Loader, f: u32, v: &Spanned<RawJson>) -> Option<Pattern> {
    let at = loc(f, &v.referenced);
    let RawJson::Str(text) = &v.value else {
        ld.push(
            Diagnostic::error(
                at,
                format!(
                    "`matches` takes a regular expression, and this is {}",
                    v.value.kind()
                ),
            )
            .with_hint("quote the pattern: `matches: \"^2\\\\.[0-9]+$\"`"),
        );
        return None;
    };
    let syntax = regex_syntax::Parser::new().parse(text);
    let compiled = Pattern::parse(text);
    match (syntax, compiled) {
        (Ok(_), Ok(p)) => Some(p),
        (Err(e), _) => {
            let (why, span) = match &e {
                regex_syntax::Error::Parse(e) => (e.kind().to_string(), Some(*e.span())),
                regex_syntax::Error::Translate(e) => (e.kind().to_string(), Some(*e.span())),
                _ => (e.to_string(), None),
            };
            let place = span.map_or(at, |s| {
                let len = text
                    .get(s.start.offset..s.end.offset)
                    .map_or(1, |x| x.chars().count().max(1));
                sub_loc(&ld.sources, at, text, s.start.offset, len)
            });
            let hint = if text.contains("{{") {
                "a pattern is compiled when the suite loads, so it holds no template: write it out, or compare with `==` and a template".to_string()
            } else {
                "Rust regex syntax (no look-around, no backreferences): https://docs.rs/regex/#syntax".to_string()
            };
            ld.push(
                Diagnostic::error(place, format!("invalid pattern `{text}`: {why}"))
                    .with_hint(hint),
            );
            None
        }
        (Ok(_), Err(e)) => {
            let why = e.to_string();
            let why = why.lines().last().unwrap_or_default().to_string();
            ld.push(
                Diagnostic::error(at, format!("pattern `{text}` cannot be compiled: {why}"))
                    .with_hint("make the pattern smaller (fewer or bounded repetitions)"),
            );
            None
        }
    }
}

/// `unknown operator `x``, with the closest one (by spelling, or by a name other tools
/// give it: `gte`, `regex`, `length`).
pub(super) fn unknown_operator(ld: &mut Loader, f: u32, k: &S, allowed: &[&str], otherwise: &str) {
    const ALIASES: [(&str, &str); 22] = [
        ("=", "=="),
        ("eq", "=="),
        ("equals", "=="),
        ("ne", "!="),
        ("<>", "!="),
        ("lt", "<"),
        ("le", "<="),
        ("lte", "<="),
        ("=<", "<="),
        ("gt", ">"),
        ("ge", ">="),
        ("gte", ">="),
        ("=>", ">="),
        ("regex", "matches"),
        ("match", "matches"),
        ("like", "matches"),
        ("length", "count"),
        ("len", "count"),
        ("size", "count"),
        ("includes", "contains"),
        ("exist", "exists"),
        ("present", "exists"),
    ];
    let word = k.value.as_str();
    let lower = word.to_ascii_lowercase();
    // A word is offered a word, a symbol a symbol: `a` is no typo of `<`.
    let wordy = |s: &str| s.chars().any(char::is_alphabetic);
    let guess = ALIASES
        .iter()
        .find(|(a, to)| *a == lower && allowed.contains(to))
        .map(|(_, to)| *to)
        .or_else(|| {
            suggest::closest(
                word,
                allowed.iter().copied().filter(|a| wordy(a) == wordy(word)),
            )
        });
    let list = allowed.join(", ");
    let hint = match guess {
        Some(g) => format!("did you mean `{g}`? (operators: {list})"),
        None => format!("operators: {list}{otherwise}"),
    };
    ld.push(
        Diagnostic::error(loc(f, &k.referenced), format!("unknown operator `{word}`"))
            .with_hint(hint),
    );
}
