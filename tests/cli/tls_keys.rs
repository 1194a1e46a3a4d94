//! An `http:` check's TLS keys through the library loader: `tls.min_version` (quoted or
//! not) and the client-certificate keys land in the model as written; a literal
//! `client_cert_password` and a `ca:` bundle holding an intermediate are warnings, not
//! errors; a bundle of roots, a bundle named by a template, a bundle not there yet and the
//! bundle of an `insecure` check say nothing. The errors themselves are golden cases
//! (`tests/fixtures/invalid/160-…` to `165-…`).

use std::path::Path;

use netaccept::diag::{Diagnostic, Gravity};
use netaccept::load::{Inputs, Loaded, load};
use netaccept::model::{HttpSpec, Probe, Template, TlsRequirement, TlsVersion};
use tempfile::TempDir;

use crate::root;

const INVENTORY: &str =
    "nodes:\n  - id: national\n    name: 总局\n    level: national\n    host: 127.0.0.1\n";

/// The root and intermediate of golden case 165 (made once with `openssl req`/`x509`).
fn bundle() -> String {
    std::fs::read_to_string(root().join(
        "tests/fixtures/invalid/165-http-tls-warnings-beside-an-error/ca-with-intermediate.pem",
    ))
    .expect("the fixture bundle")
}

/// The bundle's first certificate alone: the root.
fn root_only() -> String {
    let b = bundle();
    let end = b.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----\n".len();
    b[..end].to_string()
}

/// Loads a suite of checks (the YAML under `checks:`) beside the inventory, with `files`
/// written next to the suite.
fn load_checks(checks: &str, files: &[(&str, &str)]) -> (TempDir, Loaded) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("inventory.yaml"), INVENTORY).unwrap();
    std::fs::write(
        dir.path().join("suite.yaml"),
        format!("suite: tls\nname: TLS\nchecks:\n{checks}"),
    )
    .unwrap();
    let loaded = load(&Inputs {
        inventory: dir.path().join("inventory.yaml"),
        suite: Some(dir.path().join("suite.yaml")),
        waivers: None,
        faults: None,
    })
    .unwrap_or_else(|e| panic!("the suite should load: {:#?}", e.diagnostics));
    (dir, loaded)
}

fn http(loaded: &Loaded, i: usize) -> &HttpSpec<Template> {
    match &loaded.suite.as_ref().unwrap().checks[i].probe {
        Probe::Http(h) => h,
        other => panic!("check {i} is not http: {other:?}"),
    }
}

fn warnings(loaded: &Loaded) -> Vec<&Diagnostic> {
    loaded
        .warnings
        .iter()
        .filter(|d| d.gravity == Gravity::Warning)
        .collect()
}

fn check(id: &str, body: &str) -> String {
    format!(
        "  - id: {id}\n    name: {id}\n    http:\n      url: \"https://{{{{ node.host }}}}/\"\n{body}"
    )
}

#[test]
fn min_version_quoted_or_not_and_the_default() {
    let checks = [
        check("a", "      tls: { min_version: \"1.0\" }\n"),
        check("b", "      tls: { min_version: 1.1 }\n"),
        check("c", "      tls:\n        min_version: '1.3'\n"),
        check("d", "      tls: {}\n"),
        check("e", ""),
    ]
    .concat();
    let (_dir, loaded) = load_checks(&checks, &[]);
    let got: Vec<TlsVersion> = (0..5).map(|i| http(&loaded, i).tls.min_version).collect();
    assert_eq!(
        got,
        [
            TlsVersion::V1_0,
            TlsVersion::V1_1,
            TlsVersion::V1_3,
            TlsVersion::V1_2,
            TlsVersion::V1_2
        ]
    );
    assert!(warnings(&loaded).is_empty(), "{:#?}", loaded.warnings);
}

#[test]
fn client_certificate_keys_are_templates_kept_as_written() {
    let checks = [
        check(
            "p12",
            "      client_cert: \"certs/{{ node.id }}.p12\"\n      client_cert_password: \"{{ env.NETACCEPT_TEST_P12 }}\"\n      insecure: true\n",
        ),
        check("pem", "      client_cert: client.pem\n      client_key: client.key\n"),
    ]
    .concat();
    let (_dir, loaded) = load_checks(&checks, &[]);
    let p12 = http(&loaded, 0);
    assert_eq!(
        p12.client_cert.as_ref().unwrap().source(),
        "certs/{{ node.id }}.p12"
    );
    assert_eq!(
        p12.client_cert_password.as_ref().unwrap().source(),
        "{{ env.NETACCEPT_TEST_P12 }}"
    );
    assert!(p12.client_key.is_none());
    assert!(p12.insecure, "insecure goes with a client certificate");
    let pem = http(&loaded, 1);
    assert_eq!(pem.client_cert.as_ref().unwrap().source(), "client.pem");
    assert_eq!(pem.client_key.as_ref().unwrap().source(), "client.key");
    assert!(pem.client_cert_password.is_none());
    // The only warning is the unset variable's, from the planner's side of loading; none
    // about the password, which comes from the environment.
    assert!(
        !loaded
            .warnings
            .iter()
            .any(|d| d.message.contains("client_cert_password")),
        "{:#?}",
        loaded.warnings
    );
}

#[test]
fn a_written_password_is_a_warning_at_its_value() {
    let checks = check(
        "p12",
        "      client_cert: client.p12\n      client_cert_password: changeit\n",
    );
    let (_dir, loaded) = load_checks(&checks, &[]);
    let w: Vec<_> = warnings(&loaded)
        .into_iter()
        .filter(|d| d.message.contains("client_cert_password"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", loaded.warnings);
    assert_eq!(
        w[0].message,
        "`client_cert_password` is written in the suite"
    );
    assert!(w[0].hint.as_deref().unwrap().contains("{{ env.NAME }}"));
    let at = w[0].loc.expect("a place");
    assert_eq!((at.line, at.col), (9, 29));
    // Still loaded: the check runs with it.
    assert_eq!(
        http(&loaded, 0)
            .client_cert_password
            .as_ref()
            .unwrap()
            .source(),
        "changeit"
    );
}

#[test]
fn a_ca_bundle_holding_an_intermediate_is_warned_about_once() {
    let checks = [
        check("a", "      ca: bundle.pem\n"),
        check("b", "      ca: bundle.pem\n"),
    ]
    .concat();
    let (_dir, loaded) = load_checks(&checks, &[("bundle.pem", &bundle())]);
    let w = warnings(&loaded);
    assert_eq!(
        w.len(),
        1,
        "one warning for a bundle two checks name: {w:#?}"
    );
    assert_eq!(
        w[0].message,
        "the `ca:` bundle holds intermediate 'CN=netaccept test intermediate, O=netaccept test'"
    );
    assert!(
        w[0].hint
            .as_deref()
            .unwrap()
            .contains("does not send its intermediate")
    );
    assert_eq!(w[0].loc.unwrap().line, 8, "at the first check's `ca:`");
}

#[test]
fn roots_a_templated_path_a_missing_file_and_insecure_say_nothing() {
    let checks = [
        check("roots", "      ca: roots.pem\n"),
        check("templated", "      ca: \"{{ node.id }}-bundle.pem\"\n"),
        check("later", "      ca: written-by-the-simulator.pem\n"),
        check("insecure", "      ca: bundle.pem\n      insecure: true\n"),
    ]
    .concat();
    let (dir, loaded) = load_checks(
        &checks,
        &[
            ("roots.pem", &root_only()),
            ("national-bundle.pem", &bundle()),
            ("bundle.pem", &bundle()),
        ],
    );
    assert!(warnings(&loaded).is_empty(), "{:#?}", loaded.warnings);
    assert!(!Path::new(&dir.path().join("written-by-the-simulator.pem")).exists());
}

/// `cert_valid_days` over apps that mix `http://` and `https://`: `validate` passes (exit 0)
/// and warns, naming the items where it will not apply; under `expect.tls: required` it
/// warns that they will fail. A suite of HTTPS apps alone says nothing.
#[test]
fn validate_warns_where_https_only_expectations_meet_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inventory.yaml"),
        "nodes:\n  - id: national\n    name: 总局\n    level: national\n    host: 127.0.0.1\n    apps:\n      dispatch: { url: \"https://127.0.0.1:8443/dispatch\" }\n      hazchem: { url: \"http://127.0.0.1:8080/hazchem\" }\n  - id: sx\n    name: 山西\n    level: provincial\n    parent: national\n    region: \"140000\"\n    host: 127.14.0.1\n    apps:\n      dispatch: { url: \"http://127.14.0.1:8080/dispatch\" }\n",
    )
    .unwrap();
    let suite = |expect: &str| {
        format!(
            "suite: tls\nname: TLS\napps:\n  dispatch: 调度\n  hazchem: 危化\nchecks:\n  - id: app.cert\n    name: 证书\n    for_each_app: true\n    http:\n      url: \"{{{{ app.url }}}}/health\"\n      expect:\n{expect}"
        )
    };
    let validate = |suite_text: String| {
        std::fs::write(dir.path().join("suite.yaml"), suite_text).unwrap();
        let out = crate::netaccept_in(
            dir.path(),
            &["validate", "-i", "inventory.yaml", "-s", "suite.yaml"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("ok: "),
            "{stderr}"
        );
        stderr
    };

    let stderr = validate(suite("        cert_valid_days: 30\n"));
    assert!(
        stderr.contains(
            "warning: check `app.cert`: `cert_valid_days` does not apply to a plain-HTTP URL, on 2 items: `national hazchem`, `sx dispatch`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("suite.yaml:11:"),
        "placed at the URL: {stderr}"
    );
    assert!(stderr.contains("record `tls: none`"), "{stderr}");
    assert!(!stderr.contains("national dispatch"), "{stderr}");

    let stderr = validate(suite("        tls: required\n"));
    assert!(
        stderr.contains(
            "warning: check `app.cert`: `expect.tls: required`, and the URL is plain HTTP on 2 items: `national hazchem`, `sx dispatch`: these items will fail (TlsRequired)"
        ),
        "{stderr}"
    );

    // HTTPS apps only: nothing to say.
    std::fs::write(
        dir.path().join("inventory.yaml"),
        "nodes:\n  - id: national\n    name: 总局\n    level: national\n    host: 127.0.0.1\n    apps:\n      dispatch: { url: \"https://127.0.0.1:8443/dispatch\" }\n",
    )
    .unwrap();
    let stderr = validate(suite(
        "        cert_valid_days: 30\n        tls: required\n",
    ));
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn expect_tls_loads_as_written_and_defaults_to_optional() {
    let checks = [
        check("a", "      expect: { tls: required }\n"),
        check("b", "      expect: { tls: optional }\n"),
        check("c", "      expect: { status: [200] }\n"),
    ]
    .concat();
    let (_dir, loaded) = load_checks(&checks, &[]);
    let got: Vec<TlsRequirement> = (0..3).map(|i| http(&loaded, i).expect.tls).collect();
    assert_eq!(
        got,
        [
            TlsRequirement::Required,
            TlsRequirement::Optional,
            TlsRequirement::Optional
        ]
    );
}
