//! JSON values compared by their JSON type, as `expect.json` judges them.
//!
//! Numbers compare by value (`5` equals `5.0`, `1.070` equals `1.07`, integers beyond 2^53
//! exactly); strings, booleans and null as themselves; arrays element by element, objects
//! member by member (in any order). A value of one type never equals a value of another:
//! the string `"22"` is not the number `22`, which is the point of comparing by type.
//!
//! A templated operand is typed once filled ([`read_filled`]): its text read as a JSON
//! scalar, so `1200` is a number, `true` a boolean, `null` null, and anything else a string.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// The longest rendering of a value a message quotes; longer ones end in `…`.
const SHOWN_CHARS: usize = 80;

/// The type of a filled template's text: `true`, `false` and `null` are those values; a
/// number as JSON writes it (`1200`, `-3`, `2.5`, `1e3`) is that number; anything else,
/// including `022`, `+5`, `True`, an empty text and a number too large for JSON's doubles,
/// is the string itself.
pub fn read_filled(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ if is_json_number(text) => serde_json::from_str::<Number>(text)
            .map_or_else(|_| Value::String(text.to_string()), Value::Number),
        _ => Value::String(text.to_string()),
    }
}

/// JSON's number grammar (RFC 8259 §6), and nothing around it.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The JSON type's name, as messages say it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The value as compact JSON, cut to 80 characters: `"UP"`, `22`, `[1,2]`.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// The value with its type: `the string "22"`, `the number 22`, `null`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        other => format!("the {} {}", type_name(other), show(other)),
    }
}

/// Whether two values are equal by JSON type (see the module's rules).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        // Same type: the value itself; different types: never equal.
        _ => a == b,
    }
}

/// Two JSON numbers in order. Integers compare exactly, whatever their size; an integer and
/// a fraction through the fraction's exact value when it is whole, else as doubles (where
/// a double has a fractional part, integers are exact in doubles, so the order holds).
pub fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    // serde_json's numbers are finite, so every one is an integer or a double.
    let float = |n: &Number| n.as_f64().unwrap_or(0.0);
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => int_float(x, float(b)),
        (None, Some(y)) => int_float(y, float(a)).reverse(),
        (None, None) => float(a).total_cmp(&float(b)),
    }
}

/// An integer against a double, exactly when the double is whole and within `i128`.
fn int_float(x: i128, f: f64) -> Ordering {
    // 2^126: any whole double below it converts to i128 without loss.
    const LIMIT: f64 = 8.507_059_173_023_462e37;
    if f.fract() == 0.0 && f.abs() < LIMIT {
        x.cmp(&(f as i128))
    } else {
        (x as f64).total_cmp(&f)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn filled_text_reads_as_a_json_scalar() {
        assert_eq!(read_filled("1200"), json!(1200));
        assert_eq!(read_filled("-2.5e3"), json!(-2500.0));
        assert_eq!(read_filled("true"), json!(true));
        assert_eq!(read_filled("null"), Value::Null);
        for text in [
            "022", "+5", "True", "", " 5", "5 ", "1.", ".5", "1e", "0x10", "abc", "NaN", "1e400",
        ] {
            assert_eq!(read_filled(text), json!(text), "{text:?}");
        }
    }

    #[test]
    fn numbers_compare_by_value_and_types_never_mix() {
        let n = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert!(equal(&n("5"), &n("5.0")));
        assert!(equal(&n("1.0"), &n("1")));
        assert!(equal(&n("1.070"), &n("1.07")));
        assert!(equal(&n("-0.0"), &n("0")));
        assert!(!equal(&n("\"22\""), &n("22")));
        assert!(!equal(&n("\"true\""), &n("true")));
        assert!(!equal(&n("\"null\""), &n("null")));
        assert!(!equal(&n("0"), &n("false")));
        assert!(!equal(&n("[]"), &n("{}")));
        assert!(equal(
            &n(r#"{"a":[1,2.0],"b":null}"#),
            &n(r#"{"b":null,"a":[1.0,2]}"#)
        ));
        assert!(!equal(&n(r#"{"a":1}"#), &n(r#"{"a":1,"b":2}"#)));
        // Beyond 2^53, integers stay exact.
        assert!(!equal(&n("9007199254740993"), &n("9007199254740992")));
        assert!(equal(
            &n("18446744073709551615"),
            &n("18446744073709551615")
        ));
        let c = |a: &str, b: &str| {
            compare_numbers(
                &serde_json::from_str(a).unwrap(),
                &serde_json::from_str(b).unwrap(),
            )
        };
        assert_eq!(c("2", "10"), Ordering::Less);
        assert_eq!(c("-1", "18446744073709551615"), Ordering::Less);
        assert_eq!(c("2.5", "2"), Ordering::Greater);
        assert_eq!(c("1e300", "9223372036854775807"), Ordering::Greater);
        assert_eq!(c("1000.0", "1000"), Ordering::Equal);
    }

    #[test]
    fn messages_name_the_type_and_stay_short() {
        assert_eq!(describe(&json!("22")), "the string \"22\"");
        assert_eq!(describe(&json!(22)), "the number 22");
        assert_eq!(describe(&Value::Null), "null");
        assert_eq!(describe(&json!([1, 2])), "the array [1,2]");
        let long = show(&json!("x".repeat(500)));
        assert_eq!(long.chars().count(), SHOWN_CHARS + 1);
        assert!(long.ends_with('…'));
    }
}
