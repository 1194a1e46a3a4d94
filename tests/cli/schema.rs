//! The JSON Schemas printed by `netaccept schema inventory|suite|waivers|faults` (run through
//! the real binary): each compiles with the `jsonschema` crate, accepts every bundled example
//! (`inventories/example/*.yaml`, `suites/acceptance.yaml`, `suites/nightly.yaml`,
//! `suites/waivers.example.yaml`, `inventories/demo/sim/faults.yaml`), and agrees with the loader on what is wrong: an unknown
//! key in a node, a check or a waiver, and a check with two probes, are rejected both by
//! the schema and by `netaccept validate` (exit 2).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::{netaccept, netaccept_in, root};

/// The schema the binary prints, parsed.
fn schema_json(which: &str) -> Value {
    let out = netaccept(&["schema", which]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "schema {which}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("schema {which}: not JSON: {e}"))
}

fn validator(which: &str) -> jsonschema::Validator {
    let schema = schema_json(which);
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("schema {which} does not compile: {e}"))
}

fn yaml_value(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML parses into a JSON value")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every schema error, one per line, for failure messages.
fn errors(v: &jsonschema::Validator, instance: &Value) -> String {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_valid(v: &jsonschema::Validator, instance: &Value, what: &str) {
    assert!(
        v.is_valid(instance),
        "{what} should validate:\n{}",
        errors(v, instance)
    );
}

/// Inserts `new_line` right after the first line containing `marker`.
fn insert_after(text: &str, marker: &str, new_line: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if !done && line.contains(marker) {
            out.push_str(new_line);
            out.push('\n');
            done = true;
        }
    }
    assert!(done, "no line contains `{marker}`");
    out
}

fn example_inventory_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("inventories/example"))
        .expect("inventories/example")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Runs `netaccept validate` and asserts it refuses the input with `needle` on stderr.
fn assert_validate_refuses(args: &[&str], dir: &Path, needle: &str) {
    let out = netaccept_in(dir, &[&["validate"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "validate {args:?} should exit 2\n{stderr}"
    );
    assert!(
        stderr.contains(needle),
        "validate {args:?}: stderr lacks `{needle}`:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "validate printed to stdout on error");
}

#[test]
fn every_schema_is_draft_2020_12_and_compiles() {
    for which in ["inventory", "suite", "waivers", "faults"] {
        let s = schema_json(which);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{which}"
        );
        assert_eq!(s["type"], "object", "{which}");
        assert_eq!(s["additionalProperties"], false, "{which}");
        validator(which);
    }
}

#[test]
fn schemas_reject_an_unknown_top_level_key() {
    for (which, base) in [
        ("inventory", json!({ "nodes": [] })),
        ("suite", json!({ "suite": "s", "name": "S", "checks": [] })),
        ("waivers", json!({ "waivers": [] })),
        ("faults", json!({ "faults": [] })),
    ] {
        let v = validator(which);
        assert_valid(&v, &base, &format!("minimal {which}"));
        let mut bad = base.clone();
        bad["colour"] = json!("red");
        assert!(!v.is_valid(&bad), "{which} schema accepted `colour`");
    }
}

#[test]
fn every_example_inventory_file_validates() {
    let v = validator("inventory");
    let files = example_inventory_files();
    assert!(files.len() >= 3, "found {} example files", files.len());
    for f in files {
        let value = yaml_value(&std::fs::read_to_string(&f).unwrap());
        assert!(
            value["nodes"].as_array().is_some_and(|n| !n.is_empty()),
            "{}: no nodes",
            f.display()
        );
        assert_valid(&v, &value, &f.display().to_string());
    }
}

#[test]
fn bundled_suites_validate() {
    let v = validator("suite");
    for rel in ["suites/acceptance.yaml", "suites/nightly.yaml"] {
        let value = yaml_value(&read(rel));
        assert!(value["checks"].as_array().is_some_and(|c| !c.is_empty()));
        assert_valid(&v, &value, rel);
    }
}

#[test]
fn bundled_waivers_validate() {
    let v = validator("waivers");
    let value = yaml_value(&read("suites/waivers.example.yaml"));
    assert!(value["waivers"].as_array().is_some_and(|w| !w.is_empty()));
    assert_valid(&v, &value, "suites/waivers.example.yaml");
}

#[test]
fn unknown_key_in_a_node_fails_schema_and_loader() {
    let text = read("inventories/example/00-national.yaml");
    let v = validator("inventory");

    let mut value = yaml_value(&text);
    assert_valid(&v, &value, "00-national.yaml before the edit");
    value["nodes"][0]["colour"] = json!("red");
    assert!(
        !v.is_valid(&value),
        "the schema accepted `colour` on a node"
    );

    // The loader, on a copy of the whole example inventory with the same edit.
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    std::fs::create_dir(&inv).unwrap();
    for f in example_inventory_files() {
        std::fs::copy(&f, inv.join(f.file_name().unwrap())).unwrap();
    }
    // Sanity: the untouched copy is valid, so the failure below is the edit's.
    let ok = netaccept_in(dir.path(), &["validate", "-i", "inv"]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");

    let edited = insert_after(&text, "- id: national", "    colour: red");
    assert_eq!(
        yaml_value(&edited)["nodes"][0]["colour"],
        "red",
        "the edit lands in the first node"
    );
    std::fs::write(inv.join("00-national.yaml"), edited).unwrap();
    assert_validate_refuses(&["-i", "inv"], dir.path(), "unknown key `colour`");
}

#[test]
fn unknown_key_in_a_check_fails_schema_and_loader() {
    let text = read("suites/acceptance.yaml");
    let v = validator("suite");

    let mut value = yaml_value(&text);
    value["checks"][0]["colour"] = json!("red");
    assert!(
        !v.is_valid(&value),
        "the schema accepted `colour` on a check"
    );

    let edited = insert_after(&text, "- id: net.icmp", "    colour: red");
    assert_eq!(yaml_value(&edited)["checks"][0]["colour"], "red");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("suite.yaml"), edited).unwrap();
    let inv = root().join("inventories/example");
    assert_validate_refuses(
        &["-i", inv.to_str().unwrap(), "-s", "suite.yaml"],
        dir.path(),
        "unknown key `colour`",
    );
}

#[test]
fn unknown_key_in_a_waiver_fails_schema_and_loader() {
    let text = read("suites/waivers.example.yaml");
    let v = validator("waivers");

    let mut value = yaml_value(&text);
    value["waivers"][0]["colour"] = json!("red");
    assert!(
        !v.is_valid(&value),
        "the schema accepted `colour` on a waiver"
    );

    let edited = insert_after(&text, "- node: ", "    colour: red");
    assert_eq!(yaml_value(&edited)["waivers"][0]["colour"], "red");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("waivers.yaml"), edited).unwrap();
    let inv = root().join("inventories/example");
    let suite = root().join("suites/acceptance.yaml");
    assert_validate_refuses(
        &[
            "-i",
            inv.to_str().unwrap(),
            "-s",
            suite.to_str().unwrap(),
            "--waivers",
            "waivers.yaml",
        ],
        dir.path(),
        "unknown key `colour`",
    );
}

#[test]
fn a_check_with_two_probes_fails_schema_and_loader() {
    let text = read("suites/acceptance.yaml");
    let v = validator("suite");

    let mut value = yaml_value(&text);
    assert!(value["checks"][0]["icmp"].is_object());
    value["checks"][0]["tcp"] = json!({ "target": "{{ node.host }}:443" });
    assert!(!v.is_valid(&value), "the schema accepted icmp + tcp");
    // Each probe alone is fine: the failure is the pair, not the tcp spec.
    let mut tcp_only = value.clone();
    tcp_only["checks"][0]
        .as_object_mut()
        .unwrap()
        .remove("icmp");
    assert_valid(&v, &tcp_only, "the same check with tcp only");
    // And no probe at all is rejected too.
    let mut none = tcp_only.clone();
    none["checks"][0].as_object_mut().unwrap().remove("tcp");
    assert!(
        !v.is_valid(&none),
        "the schema accepted a check without probe"
    );

    let edited = insert_after(
        &text,
        "- id: net.icmp",
        "    tcp: { target: \"{{ node.host }}:443\" }",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("suite.yaml"), edited).unwrap();
    let inv = root().join("inventories/example");
    assert_validate_refuses(
        &["-i", inv.to_str().unwrap(), "-s", "suite.yaml"],
        dir.path(),
        "has a second probe",
    );
}

/// The index of the first `http` check of a suite (as JSON).
fn first_http_check(suite: &Value) -> usize {
    suite["checks"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c.get("http").is_some())
        .expect("the suite has an http check")
}

#[test]
fn the_redirect_policy_of_http_checks_is_in_the_schema() {
    let v = validator("suite");
    let mut value = yaml_value(&read("suites/acceptance.yaml"));
    let http = first_http_check(&value);
    for policy in ["none", "same-host", "any"] {
        value["checks"][http]["http"]["redirects"] = json!(policy);
        assert_valid(&v, &value, &format!("redirects: {policy}"));
    }
    // The loader's golden case `80-http-unknown-redirects` refuses the same value.
    value["checks"][http]["http"]["redirects"] = json!("same_host");
    assert!(!v.is_valid(&value), "the schema accepted `same_host`");
}

#[test]
fn compressed_of_http_checks_is_a_boolean_in_the_schema() {
    let v = validator("suite");
    let mut value = yaml_value(&read("suites/acceptance.yaml"));
    let http = first_http_check(&value);
    for yes in [true, false] {
        value["checks"][http]["http"]["compressed"] = json!(yes);
        assert_valid(&v, &value, &format!("compressed: {yes}"));
    }
    // The loader's golden case `100-http-compressed-not-a-boolean` refuses the same value.
    value["checks"][http]["http"]["compressed"] = json!("maybe");
    assert!(
        !v.is_valid(&value),
        "the schema accepted `compressed: maybe`"
    );
}

#[test]
fn the_tls_keys_of_http_checks_are_in_the_schema() {
    let v = validator("suite");
    let mut value = yaml_value(&read("suites/acceptance.yaml"));
    let http = first_http_check(&value);
    let h = &mut value["checks"][http]["http"];
    h["client_cert"] = json!("client/exchange.pem");
    h["client_key"] = json!("client/exchange.key");
    h["client_cert_password"] = json!("{{ env.EXCHANGE_KEY_PASSWORD }}");
    // Quoted, and unquoted as YAML reads it (a number), like the loader takes it.
    for version in [
        json!("1.0"),
        json!("1.1"),
        json!("1.2"),
        json!("1.3"),
        json!(1.0),
        json!(1.3),
    ] {
        value["checks"][http]["http"]["tls"] = json!({ "min_version": version });
        assert_valid(&v, &value, &format!("tls.min_version: {version}"));
    }
    // The loader's golden cases 160, 161 and 162 refuse the same values.
    for bad in [
        json!({ "min_version": "1.4" }),
        json!({ "min_version": "TLSv1.0" }),
        json!({ "min_versoin": "1.2" }),
    ] {
        value["checks"][http]["http"]["tls"] = bad.clone();
        assert!(!v.is_valid(&value), "the schema accepted `tls: {bad}`");
    }
    value["checks"][http]["http"]["tls"] = json!({});
    // `expect.tls`: the two values the loader takes, and golden case 166's misspelling.
    for ok in ["required", "optional"] {
        value["checks"][http]["http"]["expect"]["tls"] = json!(ok);
        assert_valid(&v, &value, &format!("expect.tls: {ok}"));
    }
    value["checks"][http]["http"]["expect"]["tls"] = json!("requried");
    assert!(
        !v.is_valid(&value),
        "the schema accepted `expect.tls: requried`"
    );
}

/// Every integer key's range is in the schema too: a value one past its maximum fails both
/// the schema and `netaccept validate`, and the maximum itself passes the schema.
#[test]
fn integers_over_their_maxima_fail_schema_and_loader() {
    let text = read("suites/acceptance.yaml");
    let v = validator("suite");
    let base = yaml_value(&text);
    let inv = root().join("inventories/example");
    // (where in the suite, the key, its maximum)
    let cases = [
        ("/defaults", "retries", 10),
        ("/checks/0", "retries", 10),
        ("/checks/0/icmp", "count", 10_000),
        ("/checks/11/http/expect", "cert_valid_days", 3650),
    ];
    for (pointer, key, max) in cases {
        let mut value = base.clone();
        let obj = value
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{pointer} is an object in the bundled suite"));
        obj.insert(key.into(), json!(max));
        assert_valid(&v, &value, &format!("{pointer}/{key}: {max}"));
        let obj = value
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap();
        obj.insert(key.into(), json!(max + 1));
        assert!(
            !v.is_valid(&value),
            "the schema accepted {pointer}/{key}: {}",
            max + 1
        );
    }
    let mut value = base.clone();
    value["checks"][7]["http"]["expect"]["status"] = json!([600]);
    assert!(!v.is_valid(&value), "the schema accepted status 600");

    // The loader, on the same edits written into the YAML.
    for (from, to, needle) in [
        (
            "retries: 1 }",
            "retries: 11 }",
            "`retries: 11` is out of range",
        ),
        (
            "count: 5\n",
            "count: 10001\n",
            "`count: 10001` is out of range",
        ),
        (
            "cert_valid_days: 30",
            "cert_valid_days: 3651",
            "`cert_valid_days: 3651` is out of range",
        ),
    ] {
        assert!(text.contains(from), "the bundled suite has `{from}`");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("suite.yaml"), text.replacen(from, to, 1)).unwrap();
        assert_validate_refuses(
            &["-i", inv.to_str().unwrap(), "-s", "suite.yaml"],
            dir.path(),
            needle,
        );
    }
}

/// The demo's faults (with `records`, `nonconformant` and `stale_secondary`) pass the faults schema; one fault
/// key per entry and the `records` range are in it, as in the loader.
#[test]
fn bundled_faults_validate_and_the_schema_holds_one_fault_per_entry() {
    let v = validator("faults");
    let value = yaml_value(&read("inventories/demo/sim/faults.yaml"));
    let faults = value["faults"].as_array().expect("a list of faults");
    for key in ["records", "nonconformant", "stale_secondary"] {
        assert!(
            faults.iter().any(|f| f.get(key).is_some()),
            "the demo plays `{key}`"
        );
    }
    assert_valid(&v, &value, "inventories/demo/sim/faults.yaml");
    let one = |fault: Value| json!({ "faults": [fault] });
    for ok in [
        json!({ "node": "gs", "app": "dispatch", "records": 0 }),
        json!({ "node": "gs", "records": 1_000_000_000 }),
        json!({ "node": "gs", "app": "hazchem", "nonconformant": true }),
        json!({ "node": "gs", "stale_secondary": true }),
    ] {
        assert_valid(&v, &one(ok.clone()), &ok.to_string());
    }
    for bad in [
        json!({ "node": "gs", "records": -1 }),
        json!({ "node": "gs", "records": 1_000_000_001 }),
        json!({ "node": "gs", "records": "ten" }),
        json!({ "node": "gs", "nonconformant": "yes" }),
        json!({ "node": "gs", "records": 10, "nonconformant": true }),
        json!({ "node": "gs", "stale_secondary": "yes" }),
        json!({ "node": "gs", "stale_secondary": true, "dns": "nxdomain" }),
        json!({ "node": "gs", "app": "dispatch" }),
    ] {
        assert!(!v.is_valid(&one(bad.clone())), "the schema accepted {bad}");
    }
}

/// `expect.headers`, `expect.json` with its operators and `expect.json_schema` are in the
/// schema: a check using every one of them validates, and what the loader's golden cases
/// refuse in the suite itself (an unknown operator, a string where a number belongs, a
/// header's unknown key) the schema refuses too.
#[test]
fn http_expectations_are_in_the_schema() {
    let v = validator("suite");
    let suite = |expect: Value| {
        json!({ "suite": "s", "name": "S", "checks": [
            { "id": "c", "name": "C", "http": { "url": "http://{{ node.host }}/", "expect": expect } }
        ] })
    };
    let every_key = suite(json!({
        "status": [200],
        "headers": {
            "Content-Type": "application/json",
            "Cache-Control": { "matches": "no-store" },
            "Server": { "exists": false },
            "Access-Control-Max-Age": 600
        },
        "json": {
            "$.status": "UP", "$.count": 5, "$.ok": true, "$.gone": null, "$.tags": ["a"],
            "$.records.total": { ">=": "{{ node.vars.migrated_min }}", "<": 1e9 },
            "$.obj": { "==": { "a": 1 }, "!=": { "a": 2 } },
            "$.items": { "count": { ">=": 1, "<=": "{{ node.vars.max }}" }, "contains": { "id": 1 } },
            "$.version": { "matches": "^2\\.", "exists": true },
            "$.single": { "count": 1, ">": 0, "<": 2 }
        },
        "json_schema": "schemas/health.json"
    }));
    assert_valid(&v, &every_key, "a check with every expectation");
    // The loader and the planner take the same check (JSON is YAML).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    std::fs::write(
        dir.path().join("schemas/health.json"),
        r#"{"type": "object"}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("suite.yaml"), every_key.to_string()).unwrap();
    std::fs::write(
        dir.path().join("inv.yaml"),
        "nodes: [{ id: n, name: N, level: national, host: h, vars: { migrated_min: 5, max: 9 } }]\n",
    )
    .unwrap();
    let out = netaccept_in(
        dir.path(),
        &["validate", "-i", "inv.yaml", "-s", "suite.yaml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (what, expect) in [
        (
            "an unknown operator",
            json!({ "json": { "$.a": { "=>": 1 } } }),
        ),
        (
            "an object without `==`",
            json!({ "json": { "$.a": { "version": "2.1" } } }),
        ),
        (
            "`>` with a string",
            json!({ "json": { "$.a": { ">": "abc" } } }),
        ),
        (
            "`count` with a string",
            json!({ "json": { "$.a": { "count": "x" } } }),
        ),
        (
            "`count` with an unknown comparison",
            json!({ "json": { "$.a": { "count": { "atleast": 1 } } } }),
        ),
        (
            "`exists` with a number",
            json!({ "json": { "$.a": { "exists": 3 } } }),
        ),
        (
            "`matches` with a number",
            json!({ "json": { "$.a": { "matches": 3 } } }),
        ),
        ("no operator", json!({ "json": { "$.a": {} } })),
        (
            "a header's unknown key",
            json!({ "headers": { "Server": { "match": "x" } } }),
        ),
        (
            "a header's `exists` as text",
            json!({ "headers": { "Server": { "exists": "no" } } }),
        ),
        ("a null header", json!({ "headers": { "Server": null } })),
        (
            "a schema that is not a path",
            json!({ "json_schema": { "type": "object" } }),
        ),
    ] {
        assert!(!v.is_valid(&suite(expect)), "the schema accepted {what}");
    }
    // The golden cases of the same mistakes, as the loader sees them, fail the schema too.
    let golden = root().join("tests/fixtures/invalid");
    for case in [
        "110-http-json-unknown-operator",
        "114-http-json-incompatible-types",
        "117-http-headers-bad",
    ] {
        let text = std::fs::read_to_string(golden.join(case).join("suite.yaml")).unwrap();
        assert!(
            !v.is_valid(&yaml_value(&text)),
            "the schema accepted {case}"
        );
    }
}

#[test]
fn throughput_checks_and_on_demand_are_in_the_schema() {
    let v = validator("suite");
    let mut value = yaml_value(&read("suites/acceptance.yaml"));
    let checks = value["checks"].as_array_mut().unwrap();
    checks.push(json!({
        "id": "link.throughput", "name": "吞吐量", "timeout": "20s",
        "throughput": { "target": "{{ node.host }}", "port": 5201, "duration": "10s",
                        "streams": 4, "direction": "down", "min_mbps": 20 }
    }));
    let last = checks.len() - 1;
    assert_valid(&v, &value, "a throughput check");
    value["checks"][last]["on_demand"] = json!(false);
    assert_valid(&v, &value, "on_demand: false");
    // Each refused by the loader too (golden cases 240 and 243).
    for (key, bad) in [
        ("direction", json!("sideways")),
        ("streams", json!(0)),
        ("streams", json!(17)),
        ("min_mbps", json!(-20)),
        ("min_mbps", json!(0)),
        ("port", json!(70000)),
    ] {
        let mut v2 = value.clone();
        v2["checks"][last]["throughput"][key] = bad.clone();
        assert!(!v.is_valid(&v2), "the schema accepted `{key}: {bad}`");
    }
    let mut v2 = value.clone();
    v2["checks"][last]["on_demand"] = json!("sometimes");
    assert!(
        !v.is_valid(&v2),
        "the schema accepted `on_demand: sometimes`"
    );
    let mut v2 = value.clone();
    v2["checks"][last]["throughput"]
        .as_object_mut()
        .unwrap()
        .remove("target");
    assert!(!v.is_valid(&v2), "the schema accepted no target");
}

/// The `icmp` fault is in the faults schema with its three keys, each a string of its
/// format, and nothing else under it; it is one fault key like the others.
#[test]
fn the_icmp_fault_is_in_the_faults_schema() {
    let v = validator("faults");
    let one = |fault: Value| json!({ "faults": [fault] });
    for ok in [
        json!({ "node": "gs", "icmp": { "delay": "60ms", "jitter": "20ms", "loss": "0.5%" } }),
        json!({ "node": "gs", "icmp": {} }),
        json!({ "node": "gs", "icmp": { "loss": "100%" } }),
    ] {
        assert_valid(&v, &one(ok.clone()), &ok.to_string());
    }
    for bad in [
        json!({ "node": "gs", "icmp": { "jitter": 20 } }),
        json!({ "node": "gs", "icmp": { "delay": "60" } }),
        json!({ "node": "gs", "icmp": { "loss": "0.5" } }),
        json!({ "node": "gs", "icmp": { "jiter": "20ms" } }),
        json!({ "node": "gs", "icmp": true }),
        json!({ "node": "gs", "icmp": {}, "down": true }),
    ] {
        assert!(!v.is_valid(&one(bad.clone())), "the schema accepted {bad}");
    }
}
