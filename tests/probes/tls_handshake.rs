//! The HTTPS handshake against `openssl s_server` (issue 14, items 1, 2 and 4), through
//! `netaccept::probe::probe` as the runner calls it: TLS 1.2 servers that only OpenSSL
//! reaches (CBC, RSA key exchange, DHE) pass on the OpenSSL path with their suite recorded;
//! TLS 1.0/1.1-only servers fail as `LegacyTls` naming protocol and cipher, and pass where
//! the suite allows them; mutual TLS with PEM and PKCS#12 client certificates, a missing
//! one (`errored`) and a refused one (`failed`) told apart on TLS 1.2 and TLS 1.3.
//!
//! The chain of every server here verifies (a private root in `ca:`, a leaf for
//! 127.0.0.1): these tests rely on `probe::tls::verify` for that.

use netaccept::model::{Text, TextPart, TlsVersion};
use netaccept::probe::{Context, ErrorKind, FailKind, Outcome, Verdict};
use tokio::io::AsyncWriteExt;

use crate::http::{assert_passed, fail_kind, message, outcome, spec};
use crate::support::pki::{Pki, Spec};
use crate::support::s_server::{BODY, SServer};

/// A private root trusted by the check (`ca.pem` in the context's folder) and a server
/// leaf it issued for 127.0.0.1.
struct Setup {
    leaf: Pki,
    cx: Context,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let root = Pki::root("netaccept test root");
    let leaf = root.issue(&Spec::leaf(&["DNS:localhost", "IP:127.0.0.1"]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), root.pem()).unwrap();
    let cx = Context::new(dir.path());
    Setup { leaf, cx, dir }
}

impl Setup {
    fn server(&self, args: &[&str]) -> SServer {
        self.server_with(&[], args)
    }

    fn server_with(&self, files: &[(&str, &[u8])], args: &[&str]) -> SServer {
        SServer::start(&self.leaf.pem(), &self.leaf.key_pem(), files, args)
    }
}

/// The check of the page `server` serves, trusting the private root.
fn check(server: &SServer) -> netaccept::model::HttpSpec<Text> {
    let mut s = spec(&server.url());
    s.ca = Some(Text::plain("ca.pem"));
    s.expect.status = vec![200];
    s.expect.body_contains = vec![Text::plain(BODY.trim())];
    s
}

/// [`check`] presenting the client certificate `cert` from the check's folder.
fn presenting(server: &SServer, cert: &str) -> netaccept::model::HttpSpec<Text> {
    let mut s = check(server);
    s.client_cert = Some(Text::plain(cert));
    s
}

/// The check failed as `kind`; `case` and the message are shown when it did not.
fn assert_fails(o: &Outcome, kind: FailKind, case: &str) {
    assert_eq!(fail_kind(o), kind, "{case}: {}", message(o));
}

/// The message holds `words`; `case` and the message are shown when it does not.
fn assert_says(o: &Outcome, words: &str, case: &str) {
    assert!(message(o).contains(words), "{case}: {}", message(o));
}

fn errored(o: &Outcome) -> ErrorKind {
    match &o.verdict {
        Verdict::Errored(p) => p.kind,
        other => panic!("expected an error, got {other:?} ({:?})", o.measurements),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls12_servers_rustls_cannot_speak_pass_through_openssl() {
    let s = setup();
    for (cipher, iana) in [
        ("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        ("AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256"),
        (
            "DHE-RSA-AES256-GCM-SHA384",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        ),
    ] {
        let server = s.server(&["-no_tls1_3", "-cipher", cipher]);
        let o = outcome(&check(&server), &s.cx).await;
        assert_passed(&o);
        let m = &o.measurements;
        assert_eq!(m["status"], 200, "{cipher}");
        assert_eq!(m["tls_backend"], "openssl", "{cipher}");
        assert_eq!(m["tls_version"], "TLSv1.2", "{cipher}");
        assert_eq!(m["tls_cipher"], iana, "{cipher}");
        // By address: no SNI sent.
        assert!(!m.contains_key("tls_sni"), "{cipher}");
        assert_eq!(m["tls_chain"].as_array().unwrap().len(), 1, "{cipher}");
        assert!(m["cert_days_left"].as_i64().unwrap() > 300, "{cipher}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_modern_server_is_reached_with_rustls() {
    let s = setup();
    let server = s.server(&[]);
    let o = outcome(&check(&server), &s.cx).await;
    assert_passed(&o);
    let m = &o.measurements;
    assert_eq!(m["tls_backend"], "rustls");
    assert_eq!(m["tls_version"], "TLSv1.3");
    assert!(
        m["tls_cipher"].as_str().unwrap().starts_with("TLS_AES_"),
        "{}",
        m["tls_cipher"]
    );
    assert_eq!(
        m["http_version"], "HTTP/1.0",
        "s_server -WWW answers in HTTP/1.0"
    );

    // By name, SNI is sent and recorded.
    let mut c = check(&server);
    c.url = Text::plain(format!("https://localhost:{}/index.html", server.port));
    let o = outcome(&c, &s.cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["tls_sni"], "localhost");
}

#[tokio::test(flavor = "multi_thread")]
async fn old_protocol_only_servers_fail_as_legacy_tls_naming_protocol_and_cipher() {
    let s = setup();
    for (flag, protocol) in [("-tls1", "TLSv1.0"), ("-tls1_1", "TLSv1.1")] {
        let server = s.server(&[flag, "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0"]);
        let c = check(&server);
        let o = outcome(&c, &s.cx).await;
        assert_fails(&o, FailKind::LegacyTls, flag);
        assert_eq!(
            message(&o),
            format!(
                "GET {}: server offers only {protocol} (ECDHE-RSA-AES256-SHA); the check \
                 requires TLSv1.2 or later (`tls.min_version`)",
                server.url()
            )
        );
        assert_eq!(o.measurements["tls_finding"]["code"], "legacy_protocol");
        assert_eq!(o.measurements["tls_finding"]["protocol"], protocol);
        // The failed result records the follow-up's handshake as any HTTPS result does.
        assert_eq!(o.measurements["tls_backend"], "openssl");
        assert_eq!(o.measurements["tls_version"], protocol);
        assert_eq!(
            o.measurements["tls_cipher"],
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        );
        // s_server here sends its leaf alone (the root is in `ca:`).
        assert_eq!(
            o.measurements["tls_chain"].as_array().map(Vec::len),
            Some(1)
        );

        // A suite that accepts it carries the check over that protocol.
        let mut c = check(&server);
        c.tls.min_version = TlsVersion::V1_0;
        let o = outcome(&c, &s.cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["tls_backend"], "openssl");
        assert_eq!(o.measurements["tls_version"], protocol);
        assert_eq!(
            o.measurements["tls_cipher"],
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        );
    }
}

/// A suite may demand TLS 1.3 (`tls.min_version: "1.3"`): a server at TLS 1.2 then fails
/// the same way an old one fails the default, named by what it offers.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_requiring_tls_1_3_names_a_tls_1_2_server() {
    let s = setup();
    let server = s.server(&["-tls1_2"]);
    let mut c = check(&server);
    assert_passed(&outcome(&c, &s.cx).await);
    c.tls.min_version = TlsVersion::V1_3;
    let o = outcome(&c, &s.cx).await;
    assert_fails(&o, FailKind::LegacyTls, "TLS 1.2 against 1.3");
    assert_says(&o, "server offers only TLSv1.2 (", "TLS 1.2 against 1.3");
    assert_says(
        &o,
        "the check requires TLSv1.3 or later (`tls.min_version`)",
        "TLS 1.2 against 1.3",
    );
    assert_eq!(o.measurements["tls_version"], "TLSv1.2");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_speaking_garbage_is_a_protocol_error_not_legacy_tls() {
    let s = setup();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let _ = c
                .write_all(b"SSH-2.0-OpenSSH_9.2\r\nnot tls at all\r\n")
                .await;
        }
    });
    let mut c = spec(&format!("https://{addr}/"));
    c.ca = Some(Text::plain("ca.pem"));
    let o = outcome(&c, &s.cx).await;
    assert_fails(&o, FailKind::ProtocolError, "");
    assert_says(&o, "TLS handshake failed", "");
    assert!(!o.measurements.contains_key("tls_finding"));
}

// ---- client certificates --------------------------------------------------------------

/// A client root (`client-ca.pem` for the server's `-CAfile`) and a client leaf it issued,
/// written into the check's folder as a PEM pair and as PKCS#12 under `password`.
struct Client {
    ca_pem: Vec<u8>,
}

const P12_PASSWORD: &str = "p12-Pa55word";

fn client(s: &Setup) -> Client {
    let root = Pki::root("netaccept client root");
    let leaf = root.issue(&Spec::leaf(&["DNS:client.test"]).eku(&["clientAuth"]));
    let dir = s.dir.path();
    std::fs::write(dir.join("client.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("client.key"), leaf.key_pem()).unwrap();
    std::fs::write(dir.join("client.p12"), leaf.p12(&[], P12_PASSWORD)).unwrap();
    // The same pair from another CA, which the server does not trust.
    let stranger = Pki::root("netaccept stranger root")
        .issue(&Spec::leaf(&["DNS:client.test"]).eku(&["clientAuth"]));
    std::fs::write(
        dir.join("stranger.pem"),
        [stranger.pem(), stranger.key_pem()].concat(),
    )
    .unwrap();
    Client { ca_pem: root.pem() }
}

fn mtls_server(s: &Setup, c: &Client, version: &str) -> SServer {
    s.server_with(
        &[("client-ca.pem", &c.ca_pem)],
        &[
            version,
            "-Verify",
            "1",
            "-verify_return_error",
            "-CAfile",
            "client-ca.pem",
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn client_certificates_pass_in_pem_and_pkcs12() {
    let s = setup();
    let c = client(&s);
    for version in ["-no_tls1_3", "-tls1_3"] {
        let server = mtls_server(&s, &c, version);

        let mut pem = presenting(&server, "client.pem");
        pem.client_key = Some(Text::plain("client.key"));
        assert_passed(&outcome(&pem, &s.cx).await);

        let mut p12 = presenting(&server, "client.p12");
        p12.client_cert_password = Some(Text {
            parts: vec![TextPart::Secret(P12_PASSWORD.into())],
        });
        // Through `probe::probe`, which scrubs the password and the paths.
        let o = outcome(&p12, &s.cx).await;
        assert_passed(&o);
        let all = format!(
            "{:?} {} {:?}",
            o.verdict,
            serde_json::to_string(&o.measurements).unwrap(),
            o.evidence
        );
        assert!(!all.contains(P12_PASSWORD), "{all}");
        assert!(!all.contains("client.p12"), "{all}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_asking_for_a_certificate_the_check_lacks_is_errored() {
    let s = setup();
    let c = client(&s);
    for version in ["-no_tls1_3", "-tls1_3"] {
        let server = mtls_server(&s, &c, version);
        let o = outcome(&check(&server), &s.cx).await;
        assert_eq!(errored(&o), ErrorKind::ClientCertRequired, "{version}");
        assert_eq!(
            message(&o),
            format!(
                "GET {}: server requires a client certificate (give `client_cert`)",
                server.url()
            )
        );
        assert_eq!(
            o.measurements["tls_finding"]["code"],
            "client_cert_required"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_certificate_from_another_ca_is_refused() {
    let s = setup();
    let c = client(&s);
    for version in ["-no_tls1_3", "-tls1_3"] {
        let server = mtls_server(&s, &c, version);
        let k = presenting(&server, "stranger.pem");
        let o = outcome(&k, &s.cx).await;
        assert_fails(&o, FailKind::ClientCertRejected, version);
        assert_says(
            &o,
            "server refused the client certificate (unknown_ca)",
            version,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_client_certificates_are_config_errors_naming_the_key() {
    let s = setup();
    let server = s.server(&[]);
    let dir = s.dir.path();
    std::fs::write(dir.join("junk.pem"), "not a certificate\n").unwrap();
    let _c = client(&s);
    let cases: [(&str, Option<&str>, Option<&str>, &str); 4] = [
        ("missing.pem", None, None, "`client_cert`: cannot read"),
        ("junk.pem", None, None, "`client_cert`"),
        ("client.pem", None, None, "`client_cert`"),
        ("client.p12", None, Some("wrong"), "`client_cert_password`"),
    ];
    for (cert, key, pw, words) in cases {
        let mut k = presenting(&server, cert);
        k.client_key = key.map(Text::plain);
        k.client_cert_password = pw.map(|p| Text {
            parts: vec![TextPart::Secret(p.into())],
        });
        let o = outcome(&k, &s.cx).await;
        assert_eq!(errored(&o), ErrorKind::Config, "{cert}");
        assert_says(&o, words, cert);
        assert!(!message(&o).contains(cert), "{cert}: {}", message(&o));
    }
}
