//! `expect.json_schema` and `expect.headers` from the suite's YAML to the verdict, on the
//! harness of `http_expect` (a suite loaded and planned by the library, probed against an
//! axum server on loopback): a schema passing a conforming body and naming the first
//! errors of another by their JSON pointers, and header expectations passing and failing.
//! Like `http_expect`, it uses only the library's long-standing API, so that it builds
//! against a netaccept without these keys, whose loader refuses them.

use crate::http_expect::{assert_results, run_all};

/// An interface's schema: the status, a timestamp of its format, records with integer ids.
const SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["status", "items"],
  "properties": {
    "status": { "enum": ["UP"] },
    "checked": { "type": "string", "format": "date-time" },
    "items": { "type": "array", "items": { "$ref": "#/$defs/item" } }
  },
  "$defs": { "item": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" } } } }
}"##;

#[tokio::test(flavor = "multi_thread")]
async fn a_json_schema_passes_a_conforming_body_and_names_the_first_errors() {
    let got = run_all(
        "",
        &[
            ("good", "/good", "{ json_schema: interface.json }"),
            ("bad", "/bad", "{ json_schema: interface.json }"),
            ("not-json", "/text", "{ json_schema: interface.json }"),
            (
                "values-first",
                "/bad",
                r#"{ json: { "$.status": UP }, json_schema: interface.json }"#,
            ),
        ],
        &[("interface.json", SCHEMA)],
    )
    .await;
    assert_results(
        &got,
        &[
            ("good", "pass"),
            (
                "bad",
                "SchemaMismatch: GET /bad: body does not match the JSON Schema interface.json: /",
            ),
            ("not-json", "SchemaMismatch: GET /text: body is not JSON"),
            (
                "values-first",
                "JsonMismatch: GET /bad: $.status is \"DOWN\", expected \"UP\"",
            ),
        ],
    );
    // Six errors: the first three named by their JSON pointers, the rest counted.
    let bad = &got.iter().find(|(id, _)| id == "bad").unwrap().1;
    assert_eq!(
        bad,
        "SchemaMismatch: GET /bad: body does not match the JSON Schema interface.json: \
         /status: \"DOWN\" is not one of \"UP\"; \
         /checked: \"2026-03-15 10:00\" is not a \"date-time\"; \
         /items/0/id: \"x\" is not of type \"integer\"; and 3 more"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn response_headers_pass_and_fail() {
    let ok = r#"{ headers: { content-type: "application/json; charset=utf-8", Cache-Control: no-store, x-frame-options: { matches: "^(DENY|SAMEORIGIN)$" }, X-Frame-Options: { exists: true }, Server: { exists: false }, Vary: "Accept, Origin", X-Node: "{{ node.id }}" } }"#;
    let got = run_all(
        "",
        &[
            ("ok", "/h", ok),
            (
                "exact",
                "/h",
                "{ headers: { Content-Type: application/json } }",
            ),
            (
                "pattern",
                "/h",
                "{ headers: { Content-Type: { matches: \"^text/html\" } } }",
            ),
            (
                "missing",
                "/h",
                "{ headers: { Strict-Transport-Security: { matches: \"max-age=[0-9]+\" } } }",
            ),
            (
                "must-be-absent",
                "/h",
                "{ headers: { cache-control: { exists: false } } }",
            ),
            ("missing-value", "/h", "{ headers: { X-Missing: value } }"),
        ],
        &[],
    )
    .await;
    let m = "HeaderMismatch: GET /h: ";
    assert_results(
        &got,
        &[
            ("ok", "pass"),
            (
                "exact",
                &format!(
                    "{m}header Content-Type is \"application/json; charset=utf-8\", expected \"application/json\""
                ),
            ),
            (
                "pattern",
                &format!(
                    "{m}header Content-Type is \"application/json; charset=utf-8\", expected to match `^text/html`"
                ),
            ),
            (
                "missing",
                &format!(
                    "{m}no header Strict-Transport-Security, expected to match `max-age=[0-9]+`"
                ),
            ),
            (
                "must-be-absent",
                &format!("{m}header cache-control is \"no-store\", expected none"),
            ),
            (
                "missing-value",
                &format!("{m}no header X-Missing, expected \"value\""),
            ),
        ],
    );
}
