//! `http.expect` on what servers really send, from the suite's YAML to the verdict: each
//! case is a check of a suite loaded and planned by the library (`engine::prepare`, the
//! loader and the planner `netaccept run` uses, inventory vars and all), whose filled probe
//! is then run against an axum server on loopback. Covered: JSON values compared by JSON
//! type (every pairing of types, numbers by value), each operator passing and failing,
//! operands filled from inventory vars; the JSON Schema and response headers are in
//! `http_schema_headers`, on the same harness.
//!
//! Only the library's long-standing API is used (failure kinds compared by their word), so
//! that this file also builds against a netaccept without these features, where each of
//! its tests fails: the typing ones on a false pass or fail, the others on a loader that
//! refuses the new keys.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::routing::get;
use netaccept::engine::{self, PlanRequest};
use netaccept::load::Inputs;
use netaccept::model::{Probe, Text};
use netaccept::plan::{MissingEnv, Overrides, Selection};
use netaccept::probe::{Context, Verdict};
use tokio::net::TcpListener;

const T: Duration = Duration::from_secs(3);

/// Every JSON type once (`22` in each), and the values the operators are tried on.
const DOC: &str = r#"{
  "string": "22", "number": 22, "boolean": true, "null": null, "array": [22],
  "object": {"a": 22},
  "s_true": "true", "s_null": "null", "zero": 0, "s_empty": "",
  "five": 5, "five0": 5.0, "one": 1, "one0": 1.0, "n1070": 1.070, "n107": 1.07,
  "big": 9007199254740993,
  "total": 950, "name": "调度-1", "version": "2.10.3",
  "items": [{"id": 1}, {"id": 2}], "roles": ["admin", "ops"], "empty": []
}"#;

/// A server with `/doc` (the document above), `/good`, `/bad` and `/text` for the schema
/// tests, and `/h` with the headers a security review looks at (`http_schema_headers`).
pub(crate) async fn serve() -> SocketAddr {
    let good = r#"{"status": "UP", "checked": "2026-03-15T10:00:00Z", "items": [{"id": 1}]}"#;
    let bad = r#"{"status": "DOWN", "checked": "2026-03-15 10:00", "items": [{"id": "x"}, {}, {"id": 1.5}, {"id": null}]}"#;
    let app = Router::new()
        .route("/doc", get(|| async { DOC }))
        .route("/good", get(move || async move { good }))
        .route("/bad", get(move || async move { bad }))
        .route("/text", get(|| async { "UP, not JSON" }))
        .route(
            "/h",
            get(|| async {
                let mut h = HeaderMap::new();
                for (k, v) in [
                    ("content-type", "application/json; charset=utf-8"),
                    ("cache-control", "no-store"),
                    ("x-frame-options", "DENY"),
                    ("vary", "Accept"),
                    ("vary", "Origin"),
                    ("x-node", "n"),
                ] {
                    h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
                }
                (StatusCode::OK, h, "{}")
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// One check per case: `(id, path on the server, the YAML of its expect mapping)`.
fn suite(cases: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("suite: t\nname: t\nchecks:\n");
    for (id, path, expect) in cases {
        s.push_str(&format!(
            "  - id: {id}\n    name: {id}\n    http:\n      url: \"http://{{{{ node.host }}}}:{{{{ node.vars.port }}}}{path}\"\n      expect: {expect}\n"
        ));
    }
    s
}

/// Loads and plans the cases for one node (`vars` added to its own), through the library
/// API `netaccept run` uses: the filled probes by check id, or the rendered diagnostics.
fn plan(
    dir: &Path,
    port: u16,
    vars: &str,
    cases: &[(&str, &str, &str)],
) -> Result<Vec<(String, Probe<Text>)>, String> {
    std::fs::write(
        dir.join("inv.yaml"),
        format!(
            "nodes:\n  - id: n\n    name: 节点\n    level: national\n    host: 127.0.0.1\n    vars: {{ port: \"{port}\"{vars} }}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("suite.yaml"), suite(cases)).unwrap();
    let req = PlanRequest {
        inputs: Inputs {
            inventory: dir.join("inv.yaml"),
            suite: Some(dir.join("suite.yaml")),
            waivers: None,
            faults: None,
        },
        selection: Selection::default(),
        missing_env: MissingEnv::Error,
        overrides: Overrides::default(),
    };
    let prepared = engine::prepare(&req).map_err(|e| e.render())?;
    let suite = prepared.loaded.suite.as_ref().unwrap();
    Ok(prepared
        .plan
        .unwrap()
        .items
        .into_iter()
        .map(|it| (suite.check(it.check).id.clone(), it.probe))
        .collect())
}

/// What a case came to: `pass`, `KIND: message` for a failure, `errored: …` otherwise; the
/// URL's `GET http://127.0.0.1:PORT` is shortened to `GET`.
pub(crate) async fn run_all(
    vars: &str,
    cases: &[(&str, &str, &str)],
    files: &[(&str, &str)],
) -> Vec<(String, String)> {
    let addr = serve().await;
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let probes = plan(dir.path(), addr.port(), vars, cases).unwrap_or_else(|e| panic!("{e}"));
    let cx = Context::new(dir.path());
    let mut out = Vec::new();
    for (id, p) in probes {
        let deadline = tokio::time::Instant::now() + T;
        let o = tokio::time::timeout(T, netaccept::probe::probe(&p, &cx, deadline))
            .await
            .unwrap_or_else(|_| panic!("{id}: timed out"));
        let said = match o.verdict {
            Verdict::Passed => "pass".to_string(),
            Verdict::Failed(f) => format!("{}: {}", f.kind.as_str(), f.message),
            Verdict::Errored(e) => format!("errored: {}", e.message),
        };
        let said = said.replace(&format!("http://{addr}"), "");
        eprintln!("{id}: {said}");
        out.push((id, said));
    }
    out
}

/// Each case's result starts with what it should: `pass`, or a failure's words.
pub(crate) fn assert_results(got: &[(String, String)], want: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (id, expected) in want {
        let said = got
            .iter()
            .find(|(g, _)| g == id)
            .map_or("(not planned)", |(_, s)| s.as_str());
        if !said.starts_with(expected) {
            wrong.push(format!("{id}:\n    want {expected}\n    got  {said}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_json_type_equals_only_its_own_type() {
    // The same 22 as each JSON type on the server, and as each YAML type in the suite.
    let found = ["string", "number", "boolean", "null", "array", "object"];
    let expected = [
        ("string", "\"22\""),
        ("number", "22"),
        ("boolean", "true"),
        ("null", "null"),
        ("array", "[22]"),
        ("object", "{ \"==\": { a: 22 } }"),
    ];
    let mut cases = Vec::new();
    for f in found {
        for (e, yaml) in expected {
            cases.push((
                format!("{f}-vs-{e}"),
                format!("{{ json: {{ \"$.{f}\": {yaml} }} }}"),
            ));
        }
    }
    let refs: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(id, y)| (id.as_str(), "/doc", y.as_str()))
        .collect();
    let got = run_all("", &refs, &[]).await;
    let mut want = Vec::new();
    for f in found {
        for (e, _) in expected {
            want.push((
                format!("{f}-vs-{e}"),
                if f == e { "pass" } else { "JsonMismatch" },
            ));
        }
    }
    let want: Vec<(&str, &str)> = want.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    assert_results(&got, &want);
}

#[tokio::test(flavor = "multi_thread")]
async fn text_that_looks_like_another_type_is_a_string() {
    let got = run_all(
        "",
        &[
            ("s22", "/doc", r#"{ json: { "$.string": 22 } }"#),
            ("strue", "/doc", r#"{ json: { "$.s_true": true } }"#),
            ("snull", "/doc", r#"{ json: { "$.s_null": null } }"#),
            ("sempty-null", "/doc", r#"{ json: { "$.s_empty": null } }"#),
            ("zero-false", "/doc", r#"{ json: { "$.zero": false } }"#),
            ("quoted", "/doc", r#"{ json: { "$.string": "22" } }"#),
            ("n22-quoted", "/doc", r#"{ json: { "$.number": "22" } }"#),
        ],
        &[],
    )
    .await;
    assert_results(
        &got,
        &[
            (
                "s22",
                "JsonMismatch: GET /doc: $.string is the string \"22\", expected the number 22",
            ),
            (
                "strue",
                "JsonMismatch: GET /doc: $.s_true is the string \"true\", expected the boolean true",
            ),
            (
                "snull",
                "JsonMismatch: GET /doc: $.s_null is the string \"null\", expected null",
            ),
            (
                "sempty-null",
                "JsonMismatch: GET /doc: $.s_empty is the string \"\", expected null",
            ),
            (
                "zero-false",
                "JsonMismatch: GET /doc: $.zero is the number 0, expected the boolean false",
            ),
            ("quoted", "pass"),
            (
                "n22-quoted",
                "JsonMismatch: GET /doc: $.number is the number 22, expected the string \"22\"",
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_compare_by_value() {
    let got = run_all(
        "",
        &[
            ("5-vs-5.0", "/doc", r#"{ json: { "$.five": 5.0 } }"#),
            ("5.0-vs-5", "/doc", r#"{ json: { "$.five0": 5 } }"#),
            ("1.0-vs-1", "/doc", r#"{ json: { "$.one0": 1 } }"#),
            ("1-vs-1.0", "/doc", r#"{ json: { "$.one": 1.0 } }"#),
            ("1.070-vs-1.07", "/doc", r#"{ json: { "$.n1070": 1.07 } }"#),
            ("1.07-vs-1.070", "/doc", r#"{ json: { "$.n107": 1.070 } }"#),
            (
                "big-exact",
                "/doc",
                r#"{ json: { "$.big": 9007199254740993 } }"#,
            ),
            (
                "big-off-by-one",
                "/doc",
                r#"{ json: { "$.big": 9007199254740992 } }"#,
            ),
            ("22-vs-22.5", "/doc", r#"{ json: { "$.number": 22.5 } }"#),
        ],
        &[],
    )
    .await;
    assert_results(
        &got,
        &[
            ("5-vs-5.0", "pass"),
            ("5.0-vs-5", "pass"),
            ("1.0-vs-1", "pass"),
            ("1-vs-1.0", "pass"),
            ("1.070-vs-1.07", "pass"),
            ("1.07-vs-1.070", "pass"),
            ("big-exact", "pass"),
            (
                "big-off-by-one",
                "JsonMismatch: GET /doc: $.big is 9007199254740993, expected 9007199254740992",
            ),
            (
                "22-vs-22.5",
                "JsonMismatch: GET /doc: $.number is 22, expected 22.5",
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_operator_passes_and_fails() {
    let cases = [
        ("eq", r#"{ "$.total": { "==": 950 } }"#),
        ("eq-fail", r#"{ "$.total": { "==": 951 } }"#),
        ("ne", r#"{ "$.total": { "!=": 951 } }"#),
        ("ne-other-type", r#"{ "$.string": { "!=": 22 } }"#),
        ("ne-fail", r#"{ "$.total": { "!=": 950.0 } }"#),
        ("lt", r#"{ "$.total": { "<": 1000 } }"#),
        ("lt-fail", r#"{ "$.total": { "<": 950 } }"#),
        ("le", r#"{ "$.total": { "<=": 950 } }"#),
        ("le-fail", r#"{ "$.total": { "<=": 949.5 } }"#),
        ("gt", r#"{ "$.total": { ">": 949.99 } }"#),
        ("gt-fail", r#"{ "$.total": { ">": 950 } }"#),
        ("ge", r#"{ "$.total": { ">=": 950.0 } }"#),
        ("ge-fail", r#"{ "$.total": { ">=": 1000 } }"#),
        ("ge-on-a-string", r#"{ "$.string": { ">=": 1 } }"#),
        ("ge-no-value", r#"{ "$.nope": { ">=": 1 } }"#),
        ("exists", r#"{ "$.null": { exists: true } }"#),
        ("exists-fail", r#"{ "$.nope": { exists: true } }"#),
        ("absent", r#"{ "$.nope": { exists: false } }"#),
        ("absent-fail", r#"{ "$.total": { exists: false } }"#),
        ("count", r#"{ "$.items": { count: 2 } }"#),
        (
            "count-range",
            r#"{ "$.items": { count: { ">=": 1, "<": 3 } } }"#,
        ),
        ("count-fail", r#"{ "$.empty": { count: { ">=": 1 } } }"#),
        ("count-not-array", r#"{ "$.name": { count: 1 } }"#),
        (
            "matches",
            r#"{ "$.version": { matches: "^2\\.[0-9]+\\.[0-9]+$" } }"#,
        ),
        ("matches-fail", r#"{ "$.version": { matches: "^3\\." } }"#),
        ("matches-number", r#"{ "$.total": { matches: "9" } }"#),
        ("contains-substring", r#"{ "$.name": { contains: 调度 } }"#),
        ("contains-element", r#"{ "$.roles": { contains: admin } }"#),
        ("contains-number", r#"{ "$.array": { contains: 22.0 } }"#),
        ("contains-fail", r#"{ "$.roles": { contains: root } }"#),
        ("contains-typed", r#"{ "$.array": { contains: "22" } }"#),
        ("contains-other", r#"{ "$.total": { contains: 9 } }"#),
        (
            "all-hold",
            r#"{ "$.total": { ">=": 900, "<": 1000, "!=": 0 } }"#,
        ),
        (
            "one-fails",
            r#"{ "$.total": { ">=": 900, "<": 1000, "!=": 950 } }"#,
        ),
    ];
    let yaml: Vec<(&str, String)> = cases
        .iter()
        .map(|(id, j)| (*id, format!("{{ json: {j} }}")))
        .collect();
    let refs: Vec<(&str, &str, &str)> = yaml
        .iter()
        .map(|(id, y)| (*id, "/doc", y.as_str()))
        .collect();
    let got = run_all("", &refs, &[]).await;
    let m = "JsonMismatch: GET /doc: ";
    assert_results(
        &got,
        &[
            ("eq", "pass"),
            ("eq-fail", &format!("{m}$.total is 950, expected 951")),
            ("ne", "pass"),
            ("ne-other-type", "pass"),
            (
                "ne-fail",
                &format!("{m}$.total is 950, expected anything but 950.0"),
            ),
            ("lt", "pass"),
            ("lt-fail", &format!("{m}$.total is 950, expected < 950")),
            ("le", "pass"),
            ("le-fail", &format!("{m}$.total is 950, expected <= 949.5")),
            ("gt", "pass"),
            ("gt-fail", &format!("{m}$.total is 950, expected > 950")),
            ("ge", "pass"),
            ("ge-fail", &format!("{m}$.total is 950, expected >= 1000")),
            (
                "ge-on-a-string",
                &format!("{m}$.string is the string \"22\", expected a number >= 1"),
            ),
            ("ge-no-value", &format!("{m}no value at $.nope")),
            ("exists", "pass"),
            (
                "exists-fail",
                &format!("{m}no value at $.nope, expected one"),
            ),
            ("absent", "pass"),
            (
                "absent-fail",
                &format!("{m}$.total is the number 950, expected no value"),
            ),
            ("count", "pass"),
            ("count-range", "pass"),
            (
                "count-fail",
                &format!("{m}$.empty has 0 elements, expected >= 1"),
            ),
            (
                "count-not-array",
                &format!("{m}$.name is the string \"调度-1\", expected an array (count == 1)"),
            ),
            ("matches", "pass"),
            (
                "matches-fail",
                &format!("{m}$.version is \"2.10.3\", expected to match `^3\\.`"),
            ),
            (
                "matches-number",
                &format!("{m}$.total is the number 950, expected a string matching `9`"),
            ),
            ("contains-substring", "pass"),
            ("contains-element", "pass"),
            ("contains-number", "pass"),
            (
                "contains-fail",
                &format!("{m}$.roles is [\"admin\",\"ops\"], expected to contain \"root\""),
            ),
            (
                "contains-typed",
                &format!("{m}$.array is [22], expected to contain \"22\""),
            ),
            (
                "contains-other",
                &format!(
                    "{m}$.total is the number 950, expected a string or an array containing the number 9"
                ),
            ),
            ("all-hold", "pass"),
            (
                "one-fails",
                &format!("{m}$.total is 950, expected anything but 950"),
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_templated_operand_is_typed_once_filled() {
    // Inventory vars are text; a filled operand reads as JSON reads a scalar.
    let vars =
        r#", migrated_min: 900, migrated_max: "1000", code: "22", flag: "true", minor: "10""#;
    let got = run_all(
        vars,
        &[
            (
                "range",
                "/doc",
                r#"{ json: { "$.total": { ">=": "{{ node.vars.migrated_min }}", "<": "{{ node.vars.migrated_max }}" } } }"#,
            ),
            (
                "above-max",
                "/doc",
                r#"{ json: { "$.total": { ">": "{{ node.vars.migrated_max }}" } } }"#,
            ),
            ("number", "/doc", r#"{ json: { "$.number": "{{ node.vars.code }}" } }"#),
            ("string", "/doc", r#"{ json: { "$.string": "{{ node.vars.code }}" } }"#),
            ("boolean", "/doc", r#"{ json: { "$.boolean": "{{ node.vars.flag }}" } }"#),
            ("text", "/doc", r#"{ json: { "$.version": "2.{{ node.vars.minor }}.3" } }"#),
            (
                "count",
                "/doc",
                r#"{ json: { "$.items": { count: { "<": "{{ node.vars.code }}" } } } }"#,
            ),
        ],
        &[],
    )
    .await;
    assert_results(
        &got,
        &[
            ("range", "pass"),
            (
                "above-max",
                "JsonMismatch: GET /doc: $.total is 950, expected > 1000",
            ),
            ("number", "pass"),
            (
                "string",
                "JsonMismatch: GET /doc: $.string is the string \"22\", expected the number 22",
            ),
            ("boolean", "pass"),
            ("text", "pass"),
            ("count", "pass"),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_planner_refuses_a_filled_operand_of_the_wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let err = plan(
        dir.path(),
        1,
        ", migrated_min: abc",
        &[(
            "app.migration",
            "/doc",
            r#"{ json: { "$.records.total": { ">=": "{{ node.vars.migrated_min }}" } } }"#,
        )],
    )
    .expect_err("the plan is refused");
    assert!(
        err.contains("check `app.migration`: `>=` on `$.records.total` needs a number, and `{{ node.vars.migrated_min }}` is filled with the string \"abc\" (on node `n`)"),
        "{err}"
    );
    assert!(err.contains("suite.yaml:8:52"), "{err}");
}
