//! The verdict on a JSON body: each `expect.json` operator on the first value its path
//! selects, compared by JSON type (`model::json_value`), and the body against a JSON
//! Schema. The first operator that does not hold is the failure; its message names what
//! was found and what was expected, with both types when they differ (`$.age is the string
//! "22", expected the number 22`).

use serde_json::Value;

use crate::model::json_value::{compare_numbers, describe, equal, show, type_name};
use crate::model::{BodySchema, Compare, JsonCheck, JsonOp, Operand, Text};
use crate::probe::{ErrorKind, FailKind, Failure, Problem, Verdict};

/// Schema errors named in a message; the rest are counted.
const SCHEMA_ERRORS_SHOWN: usize = 3;
/// Schema errors counted past those shown, at most (`and 97+ more`).
const SCHEMA_ERRORS_COUNTED: usize = 100;
/// Characters of one schema error's text, at most.
const SCHEMA_ERROR_CHARS: usize = 160;

/// The first operator of `checks` that `doc` does not satisfy, as a failed verdict. `at`
/// starts every message.
pub(super) fn judge_json(at: &str, checks: &[JsonCheck<Text>], doc: &Value) -> Option<Verdict> {
    for c in checks {
        let path = c.path.as_str();
        let found = c.path.first(doc);
        for op in &c.ops {
            if let Some(v) = judge_op(at, path, op, found) {
                return Some(v);
            }
        }
    }
    None
}

fn fail(message: String, expected: String, measured: String) -> Verdict {
    Verdict::Failed(Failure::new(FailKind::JsonMismatch, message).expected(expected, measured))
}

/// An operand of a type its operator cannot take: the loader and the planner refuse these,
/// so meeting one is a bug, not a finding about the target.
fn impossible(at: &str, path: &str, op: &JsonOp<Text>) -> Verdict {
    Verdict::Errored(Problem {
        kind: ErrorKind::Internal,
        message: format!(
            "{at}: `{}` on {path} has an operand of a type it cannot take",
            op.keyword()
        ),
    })
}

fn judge_op(at: &str, path: &str, op: &JsonOp<Text>, found: Option<&Value>) -> Option<Verdict> {
    let expected = expectation(path, op);
    if let JsonOp::Exists(want) = op {
        let Value::Bool(want) = want.value() else {
            return Some(impossible(at, path, op));
        };
        return match (want, found) {
            (true, None) => Some(fail(
                format!("{at}: no value at {path}, expected one"),
                expected,
                "no value".into(),
            )),
            (false, Some(v)) => Some(fail(
                format!("{at}: {path} is {}, expected no value", describe(v)),
                expected,
                show(v),
            )),
            _ => None,
        };
    }
    let Some(found) = found else {
        return Some(fail(
            format!("{at}: no value at {path}"),
            expected,
            "no value".into(),
        ));
    };
    let measured = show(found);
    let is = |tail: String| {
        Some(fail(
            format!("{at}: {path} is {tail}"),
            expected.clone(),
            measured.clone(),
        ))
    };
    match op {
        JsonOp::Compare(Compare::Eq, want) => {
            let w = want.value();
            if equal(found, &w) {
                None
            } else if type_name(found) == type_name(&w) {
                is(format!("{measured}, expected {}", want.shown()))
            } else {
                is(format!(
                    "{}, expected {}",
                    describe(found),
                    want.described()
                ))
            }
        }
        JsonOp::Compare(Compare::Ne, want) => {
            if equal(found, &want.value()) {
                is(format!(
                    "{measured}, expected anything but {}",
                    want.shown()
                ))
            } else {
                None
            }
        }
        JsonOp::Compare(c, want) => {
            let Value::Number(w) = want.value() else {
                return Some(impossible(at, path, op));
            };
            match found {
                Value::Number(n) if c.holds(compare_numbers(n, &w)) => None,
                Value::Number(_) => is(format!("{measured}, expected {c} {}", want.shown())),
                other => is(format!(
                    "{}, expected a number {c} {}",
                    describe(other),
                    want.shown()
                )),
            }
        }
        JsonOp::Count(cmps) => {
            let Value::Array(items) = found else {
                return is(format!(
                    "{}, expected an array ({})",
                    describe(found),
                    count_words(cmps)
                ));
            };
            let n = serde_json::Number::from(items.len());
            for (c, want) in cmps {
                let Value::Number(w) = want.value() else {
                    return Some(impossible(at, path, op));
                };
                if !c.holds(compare_numbers(&n, &w)) {
                    let s = if items.len() == 1 { "" } else { "s" };
                    return Some(fail(
                        format!(
                            "{at}: {path} has {} element{s}, expected {c} {}",
                            items.len(),
                            want.shown()
                        ),
                        expected,
                        format!("{} element{s}", items.len()),
                    ));
                }
            }
            None
        }
        JsonOp::Matches(p) => match found {
            Value::String(s) if p.is_match(s) => None,
            Value::String(_) => is(format!("{measured}, expected to match `{}`", p.as_str())),
            other => is(format!(
                "{}, expected a string matching `{}`",
                describe(other),
                p.as_str()
            )),
        },
        JsonOp::Contains(want) => contains(at, path, found, want, &expected),
        JsonOp::Exists(_) => unreachable!("handled above"),
    }
}

/// `contains`: a substring of a string, an equal element of an array.
fn contains(
    at: &str,
    path: &str,
    found: &Value,
    want: &Operand<Text>,
    expected: &str,
) -> Option<Verdict> {
    let w = want.value();
    let ok = match (found, &w) {
        (Value::String(s), Value::String(sub)) => s.contains(sub.as_str()),
        (Value::Array(items), _) => items.iter().any(|i| equal(i, &w)),
        _ => false,
    };
    if ok {
        return None;
    }
    let tail = match found {
        Value::String(_) if !w.is_string() => format!(
            "{}, which cannot contain {}: a string holds strings",
            describe(found),
            want.described()
        ),
        Value::String(_) | Value::Array(_) => {
            format!("{}, expected to contain {}", show(found), want.shown())
        }
        other => format!(
            "{}, expected a string or an array containing {}",
            describe(other),
            want.described()
        ),
    };
    Some(fail(
        format!("{at}: {path} is {tail}"),
        expected.to_string(),
        show(found),
    ))
}

/// The expectation as the suite states it: `$.total >= 1000`, `$.items count >= 1`.
fn expectation(path: &str, op: &JsonOp<Text>) -> String {
    match op {
        JsonOp::Compare(c, w) => format!("{path} {c} {}", w.shown()),
        JsonOp::Exists(w) => format!("{path} exists: {}", w.shown()),
        JsonOp::Count(cmps) => format!("{path} {}", count_words(cmps)),
        JsonOp::Matches(p) => format!("{path} matches `{}`", p.as_str()),
        JsonOp::Contains(w) => format!("{path} contains {}", w.shown()),
    }
}

/// `count >= 1, count < 10`.
fn count_words(cmps: &[(Compare, Operand<Text>)]) -> String {
    cmps.iter()
        .map(|(c, w)| format!("count {c} {}", w.shown()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The body against the schema: the first errors with their JSON pointers, or `None`.
pub(super) fn judge_schema(at: &str, schema: &BodySchema, doc: &Value) -> Option<Verdict> {
    let mut errors = schema.validator.iter_errors(doc);
    let shown: Vec<String> = errors
        .by_ref()
        .take(SCHEMA_ERRORS_SHOWN)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            let pointer = if pointer.is_empty() {
                "(root)".to_string()
            } else {
                pointer
            };
            let text = e.to_string();
            let text = match text.char_indices().nth(SCHEMA_ERROR_CHARS) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            };
            format!("{pointer}: {}", text.replace(['\n', '\r'], " "))
        })
        .collect();
    if shown.is_empty() {
        return None;
    }
    let more = errors.take(SCHEMA_ERRORS_COUNTED).count();
    let tail = match more {
        0 => String::new(),
        n if n == SCHEMA_ERRORS_COUNTED => format!("; and {n}+ more"),
        n => format!("; and {n} more"),
    };
    let count = shown.len() + more;
    Some(Verdict::Failed(
        Failure::new(
            FailKind::SchemaMismatch,
            format!(
                "{at}: body does not match the JSON Schema {}: {}{tail}",
                schema.name,
                shown.join("; ")
            ),
        )
        .expected(
            format!("body matches {}", schema.name),
            if count == 1 {
                "1 error".to_string()
            } else if more == SCHEMA_ERRORS_COUNTED {
                format!("{count}+ errors")
            } else {
                format!("{count} errors")
            },
        ),
    ))
}
