//! The writer against its oracle: the same bytes as the quick-junit writer it replaced
//! (`oracle`), for the fixture, hostile records, any record proptest makes, and (ignored,
//! on request) a record from a file such as a national run's.

use proptest::prelude::*;
use serde_json::Value;

use super::oracle;
use super::render;
use crate::results::links::FIGURES;
use crate::results::{
    AppInfo, AppliedWaiver, CheckInfo, ExpiredWaiver, NEEDS_FAILED, NOT_RUN, NodeInfo,
    ResultRecord, Results, Status,
};

fn mixed() -> Results {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/results/mixed.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The first byte where the two documents part, with what each has there, for a failure
/// message that can be read (the documents themselves run to megabytes).
fn first_difference(new: &[u8], old: &[u8]) -> String {
    let at = new
        .iter()
        .zip(old)
        .position(|(a, b)| a != b)
        .unwrap_or(new.len().min(old.len()));
    let around = |d: &[u8]| {
        String::from_utf8_lossy(&d[at.saturating_sub(80)..(at + 80).min(d.len())]).into_owned()
    };
    format!(
        "at byte {at} (lengths {} and {}):\nnew: {:?}\nold: {:?}",
        new.len(),
        old.len(),
        around(new),
        around(old)
    )
}

fn assert_same(what: &str, r: &Results) {
    let new = render(r);
    let old = oracle::render(r);
    assert!(new == old, "{what}: {}", first_difference(&new, &old));
}

#[test]
fn the_fixture_and_hostile_records_give_the_oracles_bytes() {
    let mut hostile = mixed();
    hostile.run.suite_name = "<testsuites skipped=\"1\"> & \u{0}\u{1b}[1m".into();
    for (i, r) in hostile.results.iter_mut().enumerate() {
        r.message = format!("</testsuites>\n<testsuite> \"{i}\" \u{fffe} '\u{1F600}'");
        r.evidence = Some("]]> </testsuite>\r\n\t\u{1b}[31mred\u{1b}[0m\u{85}\u{7f}".repeat(100));
    }
    // Results of nodes the record does not describe get suites of their own, last.
    let mut ghost = hostile.results[0].clone();
    ghost.node = "ghost".into();
    hostile.results.push(ghost);
    let mut empty = mixed();
    empty.results.clear();
    let mut one = mixed();
    one.results.truncate(1);
    let mut interrupted = mixed();
    interrupted.run.complete = false;
    let mut interrupted_empty = empty.clone();
    interrupted_empty.run.complete = false;
    let mut not_run = mixed();
    not_run.run.complete = false;
    for r in not_run.results.iter_mut().skip(3).step_by(4) {
        r.status = Status::Skipped;
        r.kind = Some(NOT_RUN.into());
    }
    // Every status on every result, one after the other.
    let mut statuses = mixed();
    for (i, r) in statuses.results.iter_mut().enumerate() {
        r.status = Status::ALL[i % Status::ALL.len()];
    }
    // A run that ends before it starts, and a result of negative and huge durations.
    let mut backwards = mixed();
    std::mem::swap(&mut backwards.run.started, &mut backwards.run.finished);
    backwards.results[0].duration_ms = -1.0;
    backwards.results[1].duration_ms = f64::MAX;
    backwards.results[2].duration_ms = f64::NAN;
    for (what, r) in [
        ("mixed", mixed()),
        ("hostile", hostile),
        ("empty", empty),
        ("one", one),
        ("interrupted", interrupted),
        ("interrupted, no results", interrupted_empty),
        ("interrupted, some not run", not_run),
        ("every status", statuses),
        ("backwards", backwards),
    ] {
        assert_same(what, &r);
    }
}

/// Text a target or a hand-edited file could hold: what XML escapes, what it forbids
/// (controls, U+FFFE, lone ESC and whole ANSI sequences, C1 controls, DEL), line breaks of
/// every kind, astral and CJK characters, any character at all, and nothing.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "<", ">", "&", "'", "\"", "]]>", "&amp;", "\u{1b}[31m", "\u{1b}[0m", "\u{1b}",
            "\u{1b}]0;t\u{7}", "\r\n", "\r", "\n", "\t", "\u{0}", "\u{8}", "\u{7f}", "\u{85}",
            "\u{9b}", "\u{fffe}", "\u{ffff}", "\u{d7ff}", "\u{e000}", "\u{1F600}", "—", "应",
            " ", ".", "  ",
        ])
        .prop_map(str::to_string),
        2 => any::<char>().prop_map(String::from),
        2 => "[a-z0-9 ._-]{0,6}",
    ];
    prop::collection::vec(piece, 0..10).prop_map(|p| p.concat())
}

/// Sometimes a long text, so that the caps cut (on a character boundary, with their mark).
fn long_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => text(),
        1 => (text(), 100..1500usize).prop_map(|(t, n)| t.repeat(n)),
    ]
}

/// A measurement's key: a figure's, the path's, or anything.
fn key() -> impl Strategy<Value = String> {
    let mut known: Vec<&str> = FIGURES.iter().map(|(k, _, _)| *k).collect();
    known.extend([
        "path",
        "limits",
        "addr",
        "needs",
        "path_last_hop",
        "path_reached",
    ]);
    prop_oneof![
        3 => prop::sample::select(known).prop_map(str::to_string),
        1 => text(),
    ]
}

/// A measurement's value, of every JSON type, nested a little (a path's hops, limits).
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (-1e4..1e4f64).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn time() -> impl Strategy<Value = chrono::DateTime<chrono::Utc>> {
    (0..4_102_444_800i64, 0..1_000_000_000u32)
        .prop_map(|(s, ns)| chrono::DateTime::from_timestamp(s, ns).unwrap())
}

fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    time().prop_map(|t| t.date_naive())
}

fn duration_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..1e7f64,
        1 => any::<f64>(),
        1 => Just(0.0),
    ]
}

/// A record of any text: its own nodes, checks and apps, and results that name them or
/// names it does not describe.
fn record() -> impl Strategy<Value = Results> {
    let base = mixed();
    let levels: Vec<_> = base.nodes.iter().map(|n| n.level).collect();
    let kinds: Vec<_> = base.nodes.iter().map(|n| n.kind).collect();
    let severities: Vec<_> = base.results.iter().map(|r| r.severity).collect();
    let node = (
        text(),
        text(),
        prop::sample::select(levels),
        prop::sample::select(kinds),
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(id, name, level, kind, path, region, host)| NodeInfo {
            id,
            name,
            level,
            kind,
            parent: None,
            path,
            region,
            host,
        });
    let probe = prop_oneof![
        prop::sample::select(vec![
            "icmp",
            "mtu",
            "trace",
            "throughput",
            "tcp",
            "http",
            "dns"
        ])
        .prop_map(str::to_string),
        text(),
    ];
    let check = (
        text(),
        text(),
        prop::sample::select(severities.clone()),
        probe,
    )
        .prop_map(|(id, name, severity, probe)| CheckInfo {
            id,
            name,
            severity,
            probe,
        });
    let app = (text(), text()).prop_map(|(id, name)| AppInfo { id, name });
    let names = (
        prop::collection::vec(node, 0..4),
        prop::collection::vec(check, 0..4),
        prop::collection::vec(app, 0..3),
    );
    let run = (
        (text(), text(), text(), text(), text(), text(), text()),
        (time(), time(), any::<bool>(), 0..30usize),
    );
    (names, run, prop::collection::vec(result(severities), 0..10)).prop_map(
        move |((nodes, checks, apps), run, results)| {
            let mut r = base.clone();
            let (
                (id, suite, suite_name, vantage, inv, sha, version),
                (started, finished, complete, planned),
            ) = run;
            r.run.id = id;
            r.run.suite = suite;
            r.run.suite_name = suite_name;
            r.run.vantage = vantage;
            r.run.inventory_sha256 = inv;
            r.run.suite_sha256 = sha;
            r.run.netaccept_version = version;
            r.run.started = started;
            // Mostly a run that ends after it starts; sometimes one that does not.
            r.run.finished = if complete || planned % 3 != 0 {
                started.max(finished)
            } else {
                finished
            };
            r.run.complete = complete;
            r.run.planned = planned;
            // Each result names a described node, check and app by index, or keeps its own.
            r.results = results
                .into_iter()
                .map(|(mut rec, (n, c, a))| {
                    if let Some(node) = nodes.get(n) {
                        rec.node = node.id.clone();
                    }
                    if let Some(check) = checks.get(c) {
                        rec.check = check.id.clone();
                    }
                    if let (Some(_), Some(app)) = (&rec.app, apps.get(a)) {
                        rec.app = Some(app.id.clone());
                    }
                    rec
                })
                .collect();
            r.nodes = nodes;
            r.checks = checks;
            r.apps = apps;
            r
        },
    )
}

/// A result, with the indices of the node, check and app it names: an index past the end
/// of the record's list keeps the result's own text, a name the record does not describe.
fn result(
    severities: Vec<crate::model::Severity>,
) -> impl Strategy<Value = (ResultRecord, (usize, usize, usize))> {
    let kind = proptest::option::of(prop_oneof![
        Just(NOT_RUN.to_string()),
        Just(NEEDS_FAILED.to_string()),
        text(),
    ]);
    let waiver = proptest::option::of(
        (
            text(),
            text(),
            date(),
            prop::sample::select(Status::ALL.to_vec()),
        )
            .prop_map(
                |(reason, approved_by, expires, original_status)| AppliedWaiver {
                    reason,
                    approved_by,
                    expires,
                    original_status,
                },
            ),
    );
    let expired = proptest::option::of((text(), text(), date()).prop_map(
        |(reason, approved_by, expires)| ExpiredWaiver {
            reason,
            approved_by,
            expires,
        },
    ));
    (
        (
            text(),
            text(),
            proptest::option::of(text()),
            prop::sample::select(Status::ALL.to_vec()),
        ),
        (
            prop::sample::select(severities),
            time(),
            duration_ms(),
            any::<u32>(),
        ),
        (
            prop::collection::vec(duration_ms(), 0..4),
            long_text(),
            prop::collection::btree_map(key(), json(), 0..6),
            kind,
        ),
        (
            proptest::option::of(long_text()),
            proptest::option::of(long_text()),
            proptest::option::of(long_text()),
            long_text(),
        ),
        (
            waiver,
            expired,
            proptest::option::of(text()),
            proptest::option::of(text()),
        ),
        (0..6usize, 0..6usize, 0..4usize),
    )
        .prop_map(
            |(
                (node, check, app, status),
                (severity, started, duration_ms, attempts),
                (attempt_ms, message, measurements, kind),
                (expected, measured, evidence, target),
                (waiver, waiver_expired, vantage, host),
                refs,
            )| {
                let rec = ResultRecord {
                    node,
                    check,
                    app,
                    status,
                    severity,
                    started,
                    duration_ms,
                    attempts,
                    attempt_ms,
                    message,
                    measurements: measurements.into_iter().collect(),
                    kind,
                    expected,
                    measured,
                    evidence,
                    target,
                    waiver,
                    waiver_expired,
                    need_waived: false,
                    vantage,
                    host,
                };
                (rec, refs)
            },
        )
}

mod proptests {
    use super::*;
    use crate::props::config;

    proptest! {
        #![proptest_config(config(256))]

        /// Any record, however hostile its text, is written as the oracle writes it.
        #[test]
        fn any_record_gives_the_oracles_bytes(r in record()) {
            let new = render(&r);
            let old = oracle::render(&r);
            prop_assert!(new == old, "{}", first_difference(&new, &old));
        }
    }
}
