//! Property tests (proptest) of the results reader, `netaccept::report::json::read`: on
//! random bytes and on mutations of the sample record (`fixture::MIXED`), it never panics
//! and either reads a record or refuses with its reason (the reason the file's content
//! calls for: not JSON, no format, a newer format, not a valid record); and a valid record,
//! the sample with any texts, numbers, times and measurements, reads back exactly as
//! `write` wrote it.
//!
//! Cases per property: see each `config(N)`; `PROPTEST_CASES=N` runs N of each instead.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use netaccept::report::json::{self, ReadError};
use netaccept::results::{FORMAT, Results};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value};

use crate::fixture;
use crate::support::props::config;

/// The sample record, parsed once.
static MIXED: LazyLock<Results> = LazyLock::new(fixture::mixed);
/// The sample record as a JSON tree, as `write` writes it.
static MIXED_VALUE: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_slice(&json::to_bytes(&MIXED)).unwrap());

/// Writes `bytes` to a fresh file and reads it back.
fn read(bytes: &[u8]) -> Result<Results, ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    std::fs::write(&path, bytes).unwrap();
    json::read(&path)
}

/// Why `read` must refuse `bytes`, or `None` when they are a record it must read: the
/// reader's contract, from the bytes alone.
fn refusal(bytes: &[u8]) -> Option<&'static str> {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Some("not JSON");
    };
    let format = value.get("format").and_then(Value::as_str).unwrap_or("");
    let Some(version) = format.strip_prefix("netaccept-results/") else {
        return Some("no `\"format\"");
    };
    let ours: u32 = FORMAT
        .trim_start_matches("netaccept-results/")
        .parse()
        .unwrap();
    match version.parse::<u32>() {
        Ok(v) if v > ours => Some("written in format"),
        Ok(_) => serde_json::from_value::<Results>(value)
            .err()
            .map(|_| "not a valid"),
        Err(_) => Some("unknown format"),
    }
}

/// `read` on `bytes` reads a record that writes back as it read, or refuses with the reason
/// the bytes call for; it never fails to read the file itself.
fn reads_or_refuses(bytes: &[u8]) -> Result<(), TestCaseError> {
    let expected = refusal(bytes);
    match read(bytes) {
        Ok(r) => {
            prop_assert_eq!(expected, None);
            let written = json::to_bytes(&r);
            let again = read(&written).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert!(
                json::to_bytes(&again) == written,
                "a record read does not round-trip"
            );
        }
        Err(ReadError::Io(e)) => prop_assert!(false, "I/O error on a readable file: {}", e),
        Err(ReadError::NotResults(m) | ReadError::Newer(m)) => {
            let why = expected.unwrap_or("(nothing: the file is a record)");
            prop_assert!(
                m.starts_with(why),
                "refused with {:?}, expected {:?}",
                m,
                why
            );
        }
    }
    Ok(())
}

/// Random bytes: uniform, JSON punctuation and words, or deep nesting.
fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    let jsonish = prop::collection::vec(
        prop::sample::select(
            [
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "\"",
                " ",
                "\n",
                "\\",
                "\\u",
                "0",
                "-1",
                "1e999",
                "true",
                "null",
                "\"format\"",
                "\"netaccept-results/1\"",
                "\"netaccept-results/9\"",
                "\"run\"",
                "\"results\"",
                "\u{0}",
                "\u{ff}",
            ]
            .to_vec(),
        ),
        0..100,
    )
    .prop_map(|v| v.concat().into_bytes());
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        jsonish,
        (1usize..5000, "[\\[{]").prop_map(|(n, open)| open.repeat(n).into_bytes()),
    ]
}

/// A JSON value of any shape, small.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn finite() -> impl Strategy<Value = f64> {
    use prop::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

/// A change to the JSON tree: at the node the indices lead to (each picks a child while
/// there is one), remove it, replace it, or rename its key.
#[derive(Debug, Clone)]
enum TreeEdit {
    Remove(Vec<Index>),
    Replace(Vec<Index>, Value),
    Rename(Vec<Index>, String),
    Format(String),
}

/// A change to the file's bytes.
#[derive(Debug, Clone)]
enum ByteEdit {
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
}

fn tree_edit() -> impl Strategy<Value = TreeEdit> {
    let path = prop::collection::vec(any::<Index>(), 1..6);
    prop_oneof![
        path.clone().prop_map(TreeEdit::Remove),
        (path.clone(), json_value()).prop_map(|(p, v)| TreeEdit::Replace(p, v)),
        (path, "[a-z_]{1,12}").prop_map(|(p, k)| TreeEdit::Rename(p, k)),
        prop_oneof![
            Just("netaccept-results/0".to_string()),
            Just("netaccept-results/2".to_string()),
            Just("netaccept-results/+1".to_string()),
            Just("netaccept-results/4294967296".to_string()),
            "netaccept-results/[0-9a-z.]{0,4}",
            any::<String>(),
        ]
        .prop_map(TreeEdit::Format),
    ]
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let i = any::<Index>;
    prop_oneof![
        i().prop_map(ByteEdit::Truncate),
        (i(), 1u8..).prop_map(|(a, x)| ByteEdit::Flip(a, x)),
        (i(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(a, b)| ByteEdit::Insert(a, b)),
        (i(), 1usize..64).prop_map(|(a, n)| ByteEdit::Delete(a, n)),
    ]
}

/// Which child of `v` an index picks, if `v` has children.
fn pick(v: &Value, i: Index) -> Option<usize> {
    match v {
        Value::Object(m) if !m.is_empty() => Some(i.index(m.len())),
        Value::Array(a) if !a.is_empty() => Some(i.index(a.len())),
        _ => None,
    }
}

fn nth(v: &Value, n: usize) -> &Value {
    match v {
        Value::Object(m) => m.values().nth(n).unwrap(),
        Value::Array(a) => &a[n],
        _ => unreachable!("only containers have children"),
    }
}

fn nth_mut(v: &mut Value, n: usize) -> &mut Value {
    match v {
        Value::Object(m) => m.values_mut().nth(n).unwrap(),
        Value::Array(a) => &mut a[n],
        _ => unreachable!("only containers have children"),
    }
}

/// Applies an edit to the tree: the path's indices lead down through containers (as far as
/// there are), and its last one picks the child to remove, replace or rename.
fn edit_tree(root: &mut Value, e: &TreeEdit) {
    let path = match e {
        TreeEdit::Format(f) => {
            root["format"] = Value::String(f.clone());
            return;
        }
        TreeEdit::Remove(path) | TreeEdit::Replace(path, _) | TreeEdit::Rename(path, _) => path,
    };
    let mut parent = root;
    for i in &path[..path.len() - 1] {
        let Some(n) = pick(parent, *i) else { break };
        if !(nth(parent, n).is_object() || nth(parent, n).is_array()) {
            break;
        }
        parent = nth_mut(parent, n);
    }
    let Some(n) = pick(parent, *path.last().unwrap()) else {
        if let TreeEdit::Replace(_, v) = e {
            *parent = v.clone();
        }
        return;
    };
    match (e, parent) {
        (TreeEdit::Remove(_), Value::Object(m)) => {
            let k = m.keys().nth(n).unwrap().clone();
            m.shift_remove(&k);
        }
        (TreeEdit::Remove(_), Value::Array(a)) => {
            a.remove(n);
        }
        (TreeEdit::Replace(_, v), p) => *nth_mut(p, n) = v.clone(),
        (TreeEdit::Rename(_, new), Value::Object(m)) => {
            let k = m.keys().nth(n).unwrap().clone();
            let v = m.shift_remove(&k).unwrap();
            m.insert(new.clone(), v);
        }
        _ => {}
    }
}

fn edit_bytes(b: &mut Vec<u8>, e: &ByteEdit) {
    let at = |i: &Index, len: usize| i.index(len + 1);
    match e {
        ByteEdit::Truncate(i) => b.truncate(at(i, b.len())),
        ByteEdit::Flip(i, x) if !b.is_empty() => {
            let n = i.index(b.len());
            b[n] ^= x;
        }
        ByteEdit::Flip(..) => {}
        ByteEdit::Insert(i, new) => {
            let n = at(i, b.len());
            b.splice(n..n, new.iter().copied());
        }
        ByteEdit::Delete(i, len) => {
            let n = at(i, b.len());
            b.drain(n..(n + len).min(b.len()));
        }
    }
}

/// A change that keeps the sample a valid record: any text where the record holds text,
/// any finite number, time, day or count where it holds one, any measurements, fewer
/// results.
#[derive(Debug, Clone)]
enum RecordEdit {
    Text(Index, Index, String),
    Optional(Index, Index, Option<String>),
    Duration(Index, f64),
    Attempts(Index, u32),
    Started(Index, i64, u32),
    Expires(Index, i32),
    Measurements(Index, Map<String, Value>),
    Keep(Index, Index),
    Planned(usize),
}

fn record_edit() -> impl Strategy<Value = RecordEdit> {
    let i = any::<Index>;
    // Years 1 to 9999, which RFC 3339 writes and reads back.
    let seconds = -62_135_596_800i64..=253_402_300_799;
    prop_oneof![
        4 => (i(), i(), any::<String>()).prop_map(|(a, b, s)| RecordEdit::Text(a, b, s)),
        2 => (i(), i(), prop::option::of(any::<String>()))
            .prop_map(|(a, b, s)| RecordEdit::Optional(a, b, s)),
        1 => (i(), finite()).prop_map(|(a, f)| RecordEdit::Duration(a, f)),
        1 => (i(), any::<u32>()).prop_map(|(a, n)| RecordEdit::Attempts(a, n)),
        1 => (i(), seconds, 0u32..1_000_000_000).prop_map(|(a, s, n)| RecordEdit::Started(a, s, n)),
        1 => (i(), -700_000i32..3_000_000).prop_map(|(a, d)| RecordEdit::Expires(a, d)),
        2 => (i(), prop::collection::vec((any::<String>(), json_value()), 0..5))
            .prop_map(|(a, kv)| RecordEdit::Measurements(a, kv.into_iter().collect())),
        1 => (i(), i()).prop_map(|(a, b)| RecordEdit::Keep(a, b)),
        1 => any::<usize>().prop_map(RecordEdit::Planned),
    ]
}

fn edit_record(r: &mut Results, e: &RecordEdit) {
    let n = r.results.len();
    if n == 0 {
        // `Keep` left no result to change: what is left are the run's fields.
        if let RecordEdit::Planned(p) = e {
            r.run.planned = *p;
        }
        return;
    }
    match e {
        RecordEdit::Text(which, i, s) => {
            let s = s.clone();
            let ri = i.index(n);
            let (ni, ci, ai, wi) = (
                i.index(r.nodes.len()),
                i.index(r.checks.len()),
                i.index(r.apps.len()),
                i.index(r.waivers.len()),
            );
            match which.index(16) {
                0 => r.run.id = s,
                1 => r.run.suite_name = s,
                2 => r.run.vantage = s,
                3 => r.run.operator = s,
                4 => r.run.selection.push(s),
                5 => r.results[ri].message = s,
                6 => r.results[ri].target = s,
                7 => r.results[ri].node = s,
                8 => r.results[ri].check = s,
                9 => r.nodes[ni].name = s,
                10 => r.nodes[ni].path = s,
                11 => r.checks[ci].name = s,
                12 => r.apps[ai].name = s,
                13 => r.waivers[wi].reason = s,
                14 => r.run.netaccept_version = s,
                _ => r.results[ri].evidence = Some(s),
            }
        }
        RecordEdit::Optional(which, i, s) => {
            let rec = &mut r.results[i.index(n)];
            match which.index(5) {
                0 => rec.kind.clone_from(s),
                1 => rec.expected.clone_from(s),
                2 => rec.measured.clone_from(s),
                3 => rec.evidence.clone_from(s),
                _ => rec.app.clone_from(s),
            }
        }
        RecordEdit::Duration(i, f) => r.results[i.index(n)].duration_ms = *f,
        RecordEdit::Attempts(i, a) => r.results[i.index(n)].attempts = *a,
        RecordEdit::Started(i, s, ns) => {
            let t: DateTime<Utc> = DateTime::from_timestamp(*s, *ns).unwrap();
            match i.index(3) {
                0 => r.run.started = t,
                1 => r.run.finished = t,
                _ => r.results[i.index(n)].started = t,
            }
        }
        RecordEdit::Expires(i, days) => {
            let day = NaiveDate::from_num_days_from_ce_opt(*days)
                .unwrap_or(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap());
            let w = i.index(r.waivers.len());
            r.waivers[w].expires = day;
        }
        RecordEdit::Measurements(i, m) => r.results[i.index(n)].measurements.clone_from(m),
        RecordEdit::Keep(a, b) => {
            let (a, b) = (a.index(n + 1), b.index(n + 1));
            r.results = r.results[a.min(b)..a.max(b)].to_vec();
        }
        RecordEdit::Planned(p) => r.run.planned = *p,
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn random_bytes_are_refused_with_their_reason(bytes in random_bytes()) {
        reads_or_refuses(&bytes)?;
    }
}

proptest! {
    // Each case writes, reads and parses a 50 KB record a few times.
    #![proptest_config(config(64))]

    #[test]
    fn a_mutated_record_is_read_or_refused_with_its_reason(
        tree in prop::collection::vec(tree_edit(), 0..4),
        // Most cases keep the bytes `to_vec_pretty` wrote, so that the tree edits reach
        // past the JSON parser.
        bytes in prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec(byte_edit(), 1..3),
        ],
    ) {
        let mut value = MIXED_VALUE.clone();
        for e in &tree {
            edit_tree(&mut value, e);
        }
        let mut b = serde_json::to_vec_pretty(&value).unwrap();
        for e in &bytes {
            edit_bytes(&mut b, e);
        }
        reads_or_refuses(&b)?;
    }

    #[test]
    fn a_valid_record_reads_back_as_written(edits in prop::collection::vec(record_edit(), 1..8)) {
        let mut r = MIXED.clone();
        for e in &edits {
            edit_record(&mut r, e);
        }
        let written = json::to_bytes(&r);
        let back = read(&written).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert!(json::to_bytes(&back) == written, "the record read back differs");
    }
}
