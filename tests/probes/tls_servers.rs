//! HTTPS checks end to end against nginx (OpenSSL, as the government servers run it), with
//! a private root → intermediate → leaf PKI made by the test (`support::pki`): what the
//! prober agrees on with curl and `openssl s_client` (SNI, IP SANs, `host:`, ECDSA and
//! Ed25519 leaves, HTTP/2) kept as regression tests, and what issue 14 asks of it: the
//! earliest expiry over the whole chain (item 3), a missing intermediate told apart from a
//! forgotten `ca:` (item 5), the chain, protocol and cipher recorded on failures (item 6),
//! findings in words (item 7), and nginx speaking only CBC suites or only TLS 1.0 (items 1
//! and 2, which `tls_handshake` covers against `openssl s_server`).
//!
//! Every server is one nginx on 127.0.77.2 (a net no other test binds) on a port of its
//! own, so the tests run in parallel; without nginx each test is skipped by the skip rule.

use std::fmt::Write as _;

use netaccept::model::{HttpSpec, Text, TlsVersion};
use netaccept::probe::{Context, ErrorKind, FailKind, Outcome, Verdict};
use serde_json::Value;

use crate::http::{assert_passed, fail_kind, message, outcome, spec};
use crate::nginx::{Nginx, TlsConfig, TlsSite};
use crate::support::pki::{Digest, KeyType, Pki, Spec};

/// The address every nginx here listens on; leaves that are reached by address name it.
const IP: &str = "127.0.77.2";

const ROOT: &str = "netaccept test root";
const INTER: &str = "netaccept test intermediate";

/// A private root and intermediate, the root (only) trusted through `ca.pem` in the
/// context's folder, as a suite's `ca:` would be.
struct World {
    root: Pki,
    inter: Pki,
    dir: tempfile::TempDir,
    cx: Context,
}

impl World {
    fn new() -> World {
        World::with(Pki::root(ROOT), |root| root.issue(&Spec::ca(INTER)))
    }

    /// A world whose root, or intermediate, is made as the test needs it.
    fn with(root: Pki, inter: impl FnOnce(&Pki) -> Pki) -> World {
        let inter = inter(&root);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), root.pem()).unwrap();
        let cx = Context::new(dir.path());
        World {
            root,
            inter,
            dir,
            cx,
        }
    }

    /// A leaf the intermediate signs.
    fn leaf(&self, spec: &Spec) -> Pki {
        self.inter.issue(spec)
    }

    /// One nginx whose default block sends `leaf` and the intermediate; `None`: skipped.
    fn serve(&self, tls: &TlsConfig, leaf: &Pki, body: &str) -> Option<Nginx> {
        serve_one(tls, self.site(&[], leaf, body))
    }

    /// [`World::serve`] of a leaf made to `spec`, answering `{}`, for cases that need no
    /// more of the leaf than its findings.
    fn serve_leaf(&self, tls: &TlsConfig, spec: &Spec) -> Option<Nginx> {
        self.serve(tls, &self.leaf(spec), "{}")
    }

    /// One nginx whose block for `name` sends a leaf made to `spec`; `None`: skipped.
    fn serve_named(&self, name: &str, spec: &Spec) -> Option<Nginx> {
        serve_one(
            &TlsConfig::default(),
            self.site(&[name], &self.leaf(spec), "{}"),
        )
    }

    /// A block sending `leaf` and the intermediate, as a correctly set up server does.
    fn site<'a>(&self, names: &'a [&'a str], leaf: &Pki, body: &'a str) -> TlsSite<'a> {
        TlsSite {
            names,
            chain: [leaf.pem(), self.inter.pem()].concat(),
            key: leaf.key_pem(),
            body,
            default: false,
        }
    }
}

/// A leaf for the address every nginx here listens on, for servers reached by address.
fn ip_leaf() -> Spec {
    Spec::leaf(&[&format!("IP:{IP}")])
}

/// OpenSSL's security level 0, at which nginx still serves SHA-1 and 1024-bit RSA.
fn seclevel_0() -> TlsConfig<'static> {
    TlsConfig {
        ciphers: Some("DEFAULT:@SECLEVEL=0"),
        ..TlsConfig::default()
    }
}

/// One nginx limited to `protocols` and `ciphers` (no HTTP/2), answering `UP` with an IP
/// leaf: what rustls cannot speak; `None`: skipped.
fn serve_limited(w: &World, protocols: &str, ciphers: &str) -> Option<Nginx> {
    let tls = TlsConfig {
        protocols,
        ciphers: Some(ciphers),
        ..TlsConfig::default()
    };
    w.serve(&tls, &w.leaf(&ip_leaf()), r#"{"status":"UP"}"#)
}

/// The check failed as `kind`; the message is shown when it did not.
fn assert_fails(o: &Outcome, kind: FailKind) {
    assert_eq!(fail_kind(o), kind, "{}", message(o));
}

/// A block sending only `leaf`: the chain file lacks the intermediate.
fn leaf_only_site<'a>(names: &'a [&'a str], leaf: &Pki, body: &'a str) -> TlsSite<'a> {
    TlsSite {
        names,
        chain: leaf.pem(),
        key: leaf.key_pem(),
        body,
        default: false,
    }
}

fn default(site: TlsSite) -> TlsSite {
    TlsSite {
        default: true,
        ..site
    }
}

/// One nginx with one (default) block; `None` when nginx is not installed (skipped).
fn serve_one(tls: &TlsConfig, site: TlsSite) -> Option<Nginx> {
    Nginx::start_tls(IP, tls, &[default(site)])
}

/// A spec trusting the world's root (`ca.pem`).
fn with_ca(url: &str) -> HttpSpec<Text> {
    let mut s = spec(url);
    s.ca = Some(Text::plain("ca.pem"));
    s
}

/// A spec for the server by address, naming `name` for SNI, `Host` and verification.
fn named(n: &Nginx, name: &str) -> HttpSpec<Text> {
    let mut s = with_ca(&format!("https://{}/", n.addr()));
    s.host = Some(Text::plain(name));
    s
}

fn by_address(n: &Nginx) -> HttpSpec<Text> {
    with_ca(&format!("https://{}/", n.addr()))
}

/// `s` expecting 30 days of validity left, which the expiry cases test against.
fn wanting_30_days(mut s: HttpSpec<Text>) -> HttpSpec<Text> {
    s.expect.cert_valid_days = Some(30);
    s
}

/// The body nginx answered with: which `server` block served.
fn site_of(o: &Outcome) -> &str {
    o.evidence.as_deref().unwrap_or_default()
}

/// The message holds every part, shown whole when it does not.
fn says(o: &Outcome, parts: &[&str]) {
    let m = message(o);
    for p in parts {
        assert!(m.contains(p), "{p:?} not in {m:?} ({:?})", o.measurements);
    }
}

fn never_says(o: &Outcome, parts: &[&str]) {
    let m = message(o);
    for p in parts {
        assert!(!m.contains(p), "{p:?} in {m:?}");
    }
}

/// The number just before `suffix` in the message ("(5 days left)" → 5 with " days left").
/// Dates made "5 days from now" are a few seconds less than that when the probe runs, and
/// whether the prober rounds down or to the nearest day is its business: tests take a range.
fn number_before(o: &Outcome, suffix: &str) -> i64 {
    let m = message(o);
    let end = m
        .find(suffix)
        .unwrap_or_else(|| panic!("{suffix:?} not in {m:?}"));
    let digits: String = m[..end]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number before {suffix:?} in {m:?}"))
}

/// `tls_finding`'s `code`.
fn finding_code(o: &Outcome) -> &str {
    o.measurements
        .get("tls_finding")
        .and_then(|f| f["code"].as_str())
        .unwrap_or_else(|| panic!("no tls_finding code in {:?}", o.measurements))
}

fn text<'a>(o: &'a Outcome, key: &str) -> &'a str {
    o.measurements
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no text {key} in {:?}", o.measurements))
}

fn chain_of(o: &Outcome) -> &Vec<Value> {
    o.measurements
        .get("tls_chain")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no tls_chain in {:?}", o.measurements))
}

fn sha256_hex(p: &Pki) -> String {
    openssl::sha::sha256(&p.der())
        .iter()
        .fold(String::new(), |mut hex, b| {
            write!(hex, "{b:02x}").unwrap();
            hex
        })
}

/// A `tls_chain` entry describes exactly `cert`: names, dates, key, signature, digest.
fn assert_describes(entry: &Value, cert: &Pki, cn: &str, issuer_cn: &str, key: &str) {
    let field = |k: &str| {
        entry[k]
            .as_str()
            .unwrap_or_else(|| panic!("no {k} in {entry}"))
    };
    assert!(field("subject").contains(&format!("CN={cn}")), "{entry}");
    assert!(field("subject").contains("O=netaccept tests"), "{entry}");
    assert!(
        field("issuer").contains(&format!("CN={issuer_cn}")),
        "{entry}"
    );
    assert_eq!(field("key"), key, "{entry}");
    assert_eq!(field("signature"), "sha256WithRSAEncryption", "{entry}");
    assert_eq!(field("sha256"), sha256_hex(cert), "{entry}");
    for (k, asn1) in [
        ("not_before", cert.cert.not_before()),
        ("not_after", cert.cert.not_after()),
    ] {
        let recorded = chrono::DateTime::parse_from_rfc3339(field(k))
            .unwrap_or_else(|e| panic!("{k} is not RFC 3339 ({e}): {entry}"));
        // The certificate's own date, to the second, whatever the printed offset.
        let epoch = openssl::asn1::Asn1Time::from_unix(0).unwrap();
        let d = epoch.diff(asn1).unwrap();
        let secs = i64::from(d.days) * 86_400 + i64::from(d.secs);
        assert_eq!(recorded.timestamp(), secs, "{k}: {entry}");
    }
}

// ---- agreeing cases: what curl and the prober already agree on ----------------------------

/// Three blocks on one socket: SNI chooses both the certificate (told by its expiry) and the
/// block (told by the body), and a name no block has gets the default server.
#[tokio::test(flavor = "multi_thread")]
async fn sni_picks_the_certificate_of_the_named_server_block() {
    let w = World::new();
    let a = w.leaf(&Spec::leaf(&["DNS:a.gov.test"]).valid(-1, 300));
    let b = w.leaf(&Spec::leaf(&["DNS:b.gov.test"]).valid(-1, 200));
    let fallback = w.leaf(&Spec::leaf(&["DNS:portal.gov.test"]).valid(-1, 100));
    let sites = [
        w.site(&["a.gov.test"], &a, r#"{"site":"a"}"#),
        w.site(&["b.gov.test"], &b, r#"{"site":"b"}"#),
        default(w.site(&["portal.gov.test"], &fallback, r#"{"site":"portal"}"#)),
    ];
    let Some(n) = Nginx::start_tls(IP, &TlsConfig::default(), &sites) else {
        return;
    };
    for (name, body, days) in [
        ("a.gov.test", r#"{"site":"a"}"#, 299..=300),
        ("b.gov.test", r#"{"site":"b"}"#, 199..=200),
        ("portal.gov.test", r#"{"site":"portal"}"#, 99..=100),
    ] {
        let o = outcome(&named(&n, name), &w.cx).await;
        assert_passed(&o);
        assert_eq!(site_of(&o), body, "{name}");
        let left = o.measurements["cert_days_left"].as_i64().unwrap();
        assert!(days.contains(&left), "{name}: {left} days left");
    }
    // A name none of the blocks has: nginx sends the default block's certificate, which is
    // not for it.
    let o = outcome(&named(&n, "c.gov.test"), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
}

#[tokio::test(flavor = "multi_thread")]
async fn ip_san_matches_a_url_by_address() {
    let w = World::new();
    let leaf = w.leaf(&ip_leaf());
    let Some(n) = serve_one(
        &TlsConfig::default(),
        w.site(&[], &leaf, r#"{"status":"UP"}"#),
    ) else {
        return;
    };
    let s = wanting_30_days(by_address(&n));
    let o = outcome(&s, &w.cx).await;
    assert_passed(&o);
    assert_eq!(site_of(&o), r#"{"status":"UP"}"#);
    assert_eq!(o.measurements["tls_version"], "TLSv1.3");
    let left = o.measurements["cert_days_left"].as_i64().unwrap();
    assert!((364..=365).contains(&left), "{left}");

    // Another address of the same machine is not in the certificate.
    let other = TlsSite {
        default: true,
        ..w.site(&[], &w.leaf(&Spec::leaf(&["IP:127.0.77.3"])), "{}")
    };
    let Some(n) = Nginx::start_tls(IP, &TlsConfig::default(), &[other]) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
}

/// The URL names the address; `host:` names the service for SNI, `Host` and verification:
/// the named block answers with its certificate, where the address alone gets the default.
#[tokio::test(flavor = "multi_thread")]
async fn host_override_names_the_server_for_sni_host_and_verification() {
    let w = World::new();
    let name = "dispatch.sx.aq.gov.test";
    let leaf = w.leaf(&Spec::leaf(&[&format!("DNS:{name}")]));
    let other = w.leaf(&Spec::leaf(&["DNS:portal.gov.test"]));
    let names = [name];
    let sites = [
        w.site(&names, &leaf, r#"{"site":"dispatch"}"#),
        default(w.site(&["portal.gov.test"], &other, r#"{"site":"portal"}"#)),
    ];
    let Some(n) = Nginx::start_tls(IP, &TlsConfig::default(), &sites) else {
        return;
    };
    let mut s = named(&n, name);
    s.expect.status = vec![200];
    s.expect.body_contains = vec![Text::plain("dispatch")];
    assert_passed(&outcome(&s, &w.cx).await);

    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
}

/// ECDSA P-256 and Ed25519 leaves under an RSA intermediate, each chosen by SNI.
#[tokio::test(flavor = "multi_thread")]
async fn ecdsa_p256_and_ed25519_leaves_pass() {
    let w = World::new();
    let ec = w.leaf(&Spec::leaf(&["DNS:ec.gov.test"]).key(KeyType::EcP256));
    let ed = w.leaf(&Spec::leaf(&["DNS:ed.gov.test"]).key(KeyType::Ed25519));
    let sites = [
        default(w.site(&["ec.gov.test"], &ec, r#"{"key":"ec"}"#)),
        w.site(&["ed.gov.test"], &ed, r#"{"key":"ed"}"#),
    ];
    let Some(n) = Nginx::start_tls(IP, &TlsConfig::default(), &sites) else {
        return;
    };
    for (name, body) in [
        ("ec.gov.test", r#"{"key":"ec"}"#),
        ("ed.gov.test", r#"{"key":"ed"}"#),
    ] {
        let s = wanting_30_days(named(&n, name));
        let o = outcome(&s, &w.cx).await;
        assert_passed(&o);
        assert_eq!(site_of(&o), body);
    }
}

/// `listen … ssl http2`: ALPN picks h2 and the exchange is HTTP/2; without it, HTTP/1.1.
#[tokio::test(flavor = "multi_thread")]
async fn http2_is_negotiated_with_nginx() {
    let w = World::new();
    let leaf = w.leaf(&Spec::leaf(&["DNS:h2.gov.test", &format!("IP:{IP}")]));
    for (http2, version) in [(true, "HTTP/2"), (false, "HTTP/1.1")] {
        let tls = TlsConfig {
            http2,
            ..TlsConfig::default()
        };
        let Some(n) = w.serve(&tls, &leaf, r#"{"status":"UP"}"#) else {
            return;
        };
        for s in [by_address(&n), named(&n, "h2.gov.test")] {
            let o = outcome(&s, &w.cx).await;
            assert_passed(&o);
            assert_eq!(o.measurements["http_version"], version, "http2 {http2}");
            assert_eq!(site_of(&o), r#"{"status":"UP"}"#);
        }
    }
}

// ---- item 3: the earliest expiry over the whole chain -------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn intermediate_expiring_in_5_days_fails_cert_valid_days_naming_it() {
    let w = World::with(Pki::root(ROOT), |root| {
        root.issue(&Spec::ca(INTER).valid(-30, 5))
    });
    let Some(n) = w.serve_leaf(&TlsConfig::default(), &ip_leaf()) else {
        return;
    };
    let s = wanting_30_days(by_address(&n));
    let o = outcome(&s, &w.cx).await;
    assert_fails(&o, FailKind::CertExpiring);
    says(
        &o,
        &[
            &format!("certificate 'CN={INTER}"),
            "(intermediate) expires ",
            "expected at least 30",
        ],
    );
    assert!((4..=5).contains(&number_before(&o, " days left)")));
    assert_eq!(finding_code(&o), "expiring");
    let left = o.measurements["cert_days_left"].as_i64().unwrap();
    assert!((4..=5).contains(&left), "{left}");
    assert_eq!(text(&o, "cert_role"), "intermediate");
    assert!(text(&o, "cert_subject").contains(&format!("CN={INTER}")));

    // Without `cert_valid_days` the chain is valid: it passes, still recording the earliest.
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_passed(&o);
    assert_eq!(text(&o, "cert_role"), "intermediate");
}

#[tokio::test(flavor = "multi_thread")]
async fn private_root_expiring_in_5_days_fails_cert_valid_days_naming_it() {
    let w = World::with(Pki::self_signed(&Spec::ca(ROOT).valid(-30, 5)), |root| {
        root.issue(&Spec::ca(INTER))
    });
    let Some(n) = w.serve_leaf(&TlsConfig::default(), &ip_leaf()) else {
        return;
    };
    let s = wanting_30_days(by_address(&n));
    let o = outcome(&s, &w.cx).await;
    assert_fails(&o, FailKind::CertExpiring);
    says(&o, &[&format!("certificate 'CN={ROOT}"), "(root) expires "]);
    assert!((4..=5).contains(&number_before(&o, " days left)")));
    assert_eq!(text(&o, "cert_role"), "root");
    // The server did not send the root: the trusted one that ended the chain is recorded.
    assert!(
        o.measurements["tls_root"]["subject"]
            .as_str()
            .is_some_and(|s| s.contains(&format!("CN={ROOT}"))),
        "{:?}",
        o.measurements
    );
}

/// OpenSSL refuses an expired trust anchor; the prober passed it (issue 14, item 3).
#[tokio::test(flavor = "multi_thread")]
async fn expired_private_root_is_invalid_naming_it() {
    let w = World::with(Pki::self_signed(&Spec::ca(ROOT).valid(-400, -3)), |root| {
        root.issue(&Spec::ca(INTER))
    });
    let Some(n) = w.serve_leaf(&TlsConfig::default(), &ip_leaf()) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(&o, &[&format!("certificate 'CN={ROOT}"), "(root) expired "]);
    assert!((3..=4).contains(&number_before(&o, " days ago")));
    assert_eq!(finding_code(&o), "expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_intermediate_is_invalid_naming_it() {
    let w = World::with(Pki::root(ROOT), |root| {
        root.issue(&Spec::ca(INTER).valid(-400, -2))
    });
    let Some(n) = w.serve_leaf(&TlsConfig::default(), &ip_leaf()) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(
        &o,
        &[
            &format!("certificate 'CN={INTER}"),
            "(intermediate) expired ",
        ],
    );
    assert!((2..=3).contains(&number_before(&o, " days ago")));
    assert_eq!(finding_code(&o), "expired");
}

// ---- item 5: a missing intermediate is the server's fault, a missing `ca:` the suite's ----

/// The same trust (`ca:` = root) against a server that sends only its leaf, and no `ca:`
/// against a correct server: two different faults, two different sentences.
#[tokio::test(flavor = "multi_thread")]
async fn leaf_only_server_is_told_apart_from_a_suite_without_ca() {
    let w = World::new();
    let leaf = w.leaf(&ip_leaf());
    let Some(lone) = serve_one(&TlsConfig::default(), leaf_only_site(&[], &leaf, "{}")) else {
        return;
    };
    let Some(good) = w.serve(&TlsConfig::default(), &leaf, "{}") else {
        return;
    };
    // The correct server passes when the suite trusts the root.
    assert_passed(&outcome(&by_address(&good), &w.cx).await);

    let missing = outcome(&by_address(&lone), &w.cx).await;
    assert_eq!(
        fail_kind(&missing),
        FailKind::CertInvalid,
        "{}",
        message(&missing)
    );
    says(
        &missing,
        &[
            &format!("server sent 1 certificate; issuer 'CN={INTER}"),
            "was not sent",
        ],
    );
    assert_eq!(finding_code(&missing), "missing_intermediate");

    let unknown = outcome(&spec(&format!("https://{}/", good.addr())), &w.cx).await;
    assert_eq!(
        fail_kind(&unknown),
        FailKind::CertInvalid,
        "{}",
        message(&unknown)
    );
    says(
        &unknown,
        &[
            "server sent 2 certificates",
            &format!("issuer 'CN={ROOT}"),
            "`ca:`",
        ],
    );
    never_says(&unknown, &["was not sent"]);
    assert_eq!(finding_code(&unknown), "unknown_issuer");
    assert_ne!(message(&missing), message(&unknown));
}

/// A `ca:` bundle holding the intermediate makes a leaf-only server verify: the check passes
/// (curl with the same bundle agrees) but records why, so that the hidden fault shows.
#[tokio::test(flavor = "multi_thread")]
async fn ca_bundle_with_the_intermediate_passes_a_leaf_only_server_with_a_note() {
    let w = World::new();
    std::fs::write(
        w.dir.path().join("root-and-intermediate.pem"),
        [w.root.pem(), w.inter.pem()].concat(),
    )
    .unwrap();
    let leaf = w.leaf(&ip_leaf());
    let Some(n) = serve_one(&TlsConfig::default(), leaf_only_site(&[], &leaf, "{}")) else {
        return;
    };
    let mut s = by_address(&n);
    s.ca = Some(Text::plain("root-and-intermediate.pem"));
    let o = outcome(&s, &w.cx).await;
    assert_passed(&o);
    let notes = o
        .measurements
        .get("tls_notes")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no tls_notes in {:?}", o.measurements));
    assert!(
        notes.iter().any(|n| n["code"] == "intermediate_not_sent"
            && n["subject"]
                .as_str()
                .is_some_and(|s| s.contains(&format!("CN={INTER}")))),
        "{notes:?}"
    );
    // As sent: the leaf alone.
    assert_eq!(chain_of(&o).len(), 1);
}

// ---- item 6: the evidence of a failed (and a passed) check --------------------------------

/// An expired leaf and a certificate for another name: the check fails and still records
/// the chain as sent, the protocol and the cipher, enough to stand without `s_client`.
#[tokio::test(flavor = "multi_thread")]
async fn failed_checks_record_the_chain_as_sent_with_protocol_and_cipher() {
    let w = World::new();
    let expired = w.leaf(&Spec::leaf(&["DNS:old.gov.test"]).valid(-400, -3));
    let portal = w.leaf(&Spec::leaf(&["DNS:portal.gov.test", &format!("IP:{IP}")]));
    let sites = [
        w.site(&["old.gov.test"], &expired, "{}"),
        default(w.site(&["portal.gov.test"], &portal, "{}")),
    ];
    let Some(n) = Nginx::start_tls(IP, &TlsConfig::default(), &sites) else {
        return;
    };

    let o = outcome(&named(&n, "old.gov.test"), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    assert_eq!(finding_code(&o), "expired");
    let chain = chain_of(&o);
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert_describes(&chain[0], &expired, "old.gov.test", INTER, "RSA 2048");
    assert_eq!(chain[0]["san"], serde_json::json!(["DNS:old.gov.test"]));
    assert_describes(&chain[1], &w.inter, INTER, ROOT, "RSA 2048");
    assert_eq!(chain[1]["san"], serde_json::json!([]));
    assert_eq!(text(&o, "tls_version"), "TLSv1.3");
    // A TLS 1.3 suite by its RFC 8446 name (rustls says `TLS13_AES_…`); which of them is
    // the client's and nginx's business.
    let cipher = text(&o, "tls_cipher");
    assert!(
        cipher.starts_with("TLS_AES_") || cipher.starts_with("TLS_CHACHA20_"),
        "{cipher}"
    );
    assert_eq!(text(&o, "tls_backend"), "rustls");
    assert_eq!(text(&o, "tls_sni"), "old.gov.test");

    // A name the default certificate does not have.
    let o = outcome(&named(&n, "www.gov.test"), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    assert_eq!(finding_code(&o), "name_mismatch");
    let f = &o.measurements["tls_finding"];
    assert_eq!(f["name"], "www.gov.test");
    assert_eq!(f["no_sni"], false);
    says(
        &o,
        &["DNS:portal.gov.test", &format!("IP:{IP}"), "www.gov.test"],
    );
    let chain = chain_of(&o);
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert_describes(&chain[0], &portal, "portal.gov.test", INTER, "RSA 2048");
    assert_eq!(
        chain[0]["san"],
        serde_json::json!(["DNS:portal.gov.test", format!("IP:{IP}")])
    );
    assert!(o.measurements.contains_key("tls_version"));
    assert!(o.measurements.contains_key("tls_cipher"));
}

/// A TLS 1.2 nginx with one ECDHE-RSA-AES-GCM suite: the passing result names the protocol,
/// the suite (IANA name), the library, the SNI sent, the chain and the root that ended it.
#[tokio::test(flavor = "multi_thread")]
async fn passing_check_records_protocol_cipher_backend_sni_and_root() {
    let w = World::new();
    let leaf = w.leaf(&Spec::leaf(&["DNS:records.gov.test"]));
    let tls = TlsConfig {
        protocols: "TLSv1.2",
        ciphers: Some("ECDHE-RSA-AES128-GCM-SHA256"),
        ..TlsConfig::default()
    };
    let Some(n) = serve_one(&tls, w.site(&["records.gov.test"], &leaf, "{}")) else {
        return;
    };
    let o = outcome(&named(&n, "records.gov.test"), &w.cx).await;
    assert_passed(&o);
    assert_eq!(text(&o, "tls_version"), "TLSv1.2");
    assert_eq!(
        text(&o, "tls_cipher"),
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(text(&o, "tls_backend"), "rustls");
    assert_eq!(text(&o, "tls_sni"), "records.gov.test");
    assert_eq!(chain_of(&o).len(), 2);
    assert_describes(
        &chain_of(&o)[0],
        &leaf,
        "records.gov.test",
        INTER,
        "RSA 2048",
    );
    assert!(
        o.measurements["tls_root"]["subject"]
            .as_str()
            .is_some_and(|s| s.contains(&format!("CN={ROOT}"))),
        "{:?}",
        o.measurements
    );
    // The leaf (a year) expires before the CAs (ten years).
    assert_eq!(text(&o, "cert_role"), "leaf");
    assert!(text(&o, "cert_subject").contains("CN=records.gov.test"));
    assert!(!o.measurements.contains_key("tls_finding"));
}

// ---- item 7: findings in words --------------------------------------------------------------

/// A leaf its intermediate signed with SHA-1 (nginx serves it only at OpenSSL's security
/// level 0): named as SHA-1, not as an OID.
#[tokio::test(flavor = "multi_thread")]
async fn sha1_signed_leaf_is_named_sha1() {
    let w = World::new();
    let Some(n) = w.serve_leaf(&seclevel_0(), &ip_leaf().digest(Digest::Sha1)) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(&o, &[&format!("CN={IP}"), "(leaf)", "SHA-1"]);
    // Not the raw dump of the algorithm identifier's bytes the prober gave before.
    never_says(
        &o,
        &["UnsupportedSignatureAlgorithm", "supported_algorithms"],
    );
    assert_eq!(finding_code(&o), "weak_signature");
    assert_eq!(chain_of(&o)[0]["signature"], "sha1WithRSAEncryption");
}

/// A leaf with a 1024-bit RSA key, correctly signed: the key size is the finding, not a
/// bad signature.
#[tokio::test(flavor = "multi_thread")]
async fn rsa_1024_leaf_is_named_by_its_key_size() {
    let w = World::new();
    let Some(n) = w.serve_leaf(&seclevel_0(), &ip_leaf().key(KeyType::Rsa(1024))) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(&o, &[&format!("CN={IP}"), "RSA 1024-bit key", "2048"]);
    never_says(&o, &["BadSignature", "does not verify"]);
    assert_eq!(finding_code(&o), "weak_key");
    assert_eq!(chain_of(&o)[0]["key"], "RSA 1024");
}

/// An intermediate limited to `.gov.test` that signed a leaf for `example.test`.
#[tokio::test(flavor = "multi_thread")]
async fn name_constraints_violation_is_in_words() {
    let w = World::with(Pki::root(ROOT), |root| {
        root.issue(&Spec::ca(INTER).name_constraints("permitted;DNS:.gov.test"))
    });
    let name = "portal.example.test";
    let Some(n) = w.serve_named(name, &Spec::leaf(&[&format!("DNS:{name}")])) else {
        return;
    };
    let o = outcome(&named(&n, name), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(
        &o,
        &[
            &format!("certificate 'CN={name}"),
            "name constraints",
            &format!("CA 'CN={INTER}"),
        ],
    );
    never_says(&o, &["Other(", "OtherError"]);
    assert_eq!(finding_code(&o), "name_constraints");

    // The same CA's leaf within its constraints passes: the constraint itself is fine.
    let inside = w.leaf(&Spec::leaf(&["DNS:portal.sx.gov.test"]));
    let Some(n) = w.serve(&TlsConfig::default(), &inside, "{}") else {
        return;
    };
    assert_passed(&outcome(&named(&n, "portal.sx.gov.test"), &w.cx).await);
}

/// A leaf whose extended key usage is clientAuth only: not a server certificate.
#[tokio::test(flavor = "multi_thread")]
async fn client_auth_only_leaf_is_not_for_tls_servers() {
    let w = World::new();
    let Some(n) = w.serve_leaf(&TlsConfig::default(), &ip_leaf().eku(&["clientAuth"])) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(
        &o,
        &[&format!("CN={IP}"), "not for TLS servers", "clientAuth"],
    );
    never_says(&o, &["Other(", "OtherError"]);
    assert_eq!(finding_code(&o), "wrong_purpose");
}

/// "expired 3 days ago" naming the certificate, not a negative count of days left nor UNIX
/// seconds.
#[tokio::test(flavor = "multi_thread")]
async fn expired_leaf_says_how_many_days_ago_naming_it() {
    let w = World::new();
    let Some(n) = w.serve_leaf(
        &TlsConfig::default(),
        &Spec::leaf(&["DNS:old.gov.test", &format!("IP:{IP}")]).valid(-400, -3),
    ) else {
        return;
    };
    let s = wanting_30_days(by_address(&n));
    let o = outcome(&s, &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(&o, &["certificate 'CN=old.gov.test", "(leaf) expired "]);
    assert!((3..=4).contains(&number_before(&o, " days ago")));
    // A negative count ("-3 days") nowhere; the date itself has hyphens.
    never_says(&o, &["-3 days", "-4 days", "days left"]);
    let f = &o.measurements["tls_finding"];
    assert_eq!(f["code"], "expired");
    assert_eq!(f["role"], "leaf");
}

/// A certificate without subjectAltName whose CN is the name asked for: explained, since
/// OpenSSL-era administrators expect the CN to count. curl (OpenSSL's X509_check_host)
/// still falls back to the CN and gets a 200 here; browsers and rustls do not, and the
/// design makes it a failure (`cn_only`) that says why.
#[tokio::test(flavor = "multi_thread")]
async fn cn_only_certificate_is_explained() {
    let w = World::new();
    let name = "cn.gov.test";
    let Some(n) = w.serve_named(name, &Spec::leaf(&["DNS:unused.gov.test"]).cn_only(name)) else {
        return;
    };
    let o = outcome(&named(&n, name), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(
        &o,
        &[name, "only in the certificate's CN", "subjectAltName"],
    );
    assert_eq!(finding_code(&o), "cn_only");
    assert_eq!(chain_of(&o)[0]["san"], serde_json::json!([]));
}

/// A URL by address sends no SNI, so nginx sends its default certificate, for a name: the
/// message says so and points at `host:`, which then passes.
#[tokio::test(flavor = "multi_thread")]
async fn url_by_address_without_sni_points_at_host() {
    let w = World::new();
    let name = "portal.gov.test";
    let Some(n) = w.serve_named(name, &Spec::leaf(&[&format!("DNS:{name}")])) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::CertInvalid);
    says(&o, &[&format!("DNS:{name}"), IP, "no SNI", "`host:`"]);
    assert_eq!(finding_code(&o), "name_mismatch");
    assert_eq!(o.measurements["tls_finding"]["no_sni"], true);
    assert!(!o.measurements.contains_key("tls_sni"), "{o:?}");

    assert_passed(&outcome(&named(&n, name), &w.cx).await);
}

/// A server that refuses any handshake without SNI (nginx's `ssl_reject_handshake` in its
/// default block, as load balancers do): a URL by address sends none, and the message says
/// that this is why, with the fix.
#[tokio::test(flavor = "multi_thread")]
async fn a_handshake_refused_without_sni_points_at_host() {
    let w = World::new();
    let name = "gateway.gov.test";
    let tls = TlsConfig {
        reject_without_sni: true,
        ..TlsConfig::default()
    };
    let leaf = w.leaf(&Spec::leaf(&[&format!("DNS:{name}")]));
    let Some(n) = serve_one(&tls, w.site(&[name], &leaf, "{}")) else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::ProtocolError);
    says(
        &o,
        &[
            "unrecognized_name",
            "no SNI was sent, since the URL is an address: `host:` names the server",
        ],
    );
    assert_passed(&outcome(&named(&n, name), &w.cx).await);
}

// ---- items 1 and 2 against nginx: what rustls cannot speak ----------------------------------

/// nginx limited to TLS 1.2 with one CBC suite, which rustls does not implement: curl
/// reaches it, and so must the check, through OpenSSL.
#[tokio::test(flavor = "multi_thread")]
async fn cbc_only_nginx_is_reached_through_openssl() {
    let w = World::new();
    let Some(n) = serve_limited(&w, "TLSv1.2", "ECDHE-RSA-AES256-SHA") else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_passed(&o);
    assert_eq!(site_of(&o), r#"{"status":"UP"}"#);
    assert_eq!(text(&o, "tls_backend"), "openssl");
    assert_eq!(text(&o, "tls_version"), "TLSv1.2");
    assert_eq!(text(&o, "tls_cipher"), "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
}

/// nginx speaking only TLS 1.0: a finding of its own, not a protocol error; a suite that
/// accepts TLS 1.0 (`tls: {min_version: "1.0"}`) passes it.
#[tokio::test(flavor = "multi_thread")]
async fn tls10_only_nginx_is_legacy_tls() {
    let w = World::new();
    let Some(n) = serve_limited(&w, "TLSv1", "DEFAULT:@SECLEVEL=0") else {
        return;
    };
    let o = outcome(&by_address(&n), &w.cx).await;
    assert_fails(&o, FailKind::LegacyTls);
    // The suite `openssl s_client -tls1 -cipher DEFAULT:@SECLEVEL=0` gets from this nginx.
    says(
        &o,
        &[
            "server offers only TLSv1.0 (ECDHE-RSA-AES256-SHA)",
            "the check requires TLSv1.2 or later",
        ],
    );
    assert_eq!(finding_code(&o), "legacy_protocol");

    let mut s = by_address(&n);
    s.tls.min_version = TlsVersion::V1_0;
    let o = outcome(&s, &w.cx).await;
    assert_passed(&o);
    assert_eq!(text(&o, "tls_version"), "TLSv1.0");
    assert_eq!(text(&o, "tls_backend"), "openssl");
}

/// nginx with `ssl_verify_client on` completes the handshake without a client certificate
/// and answers 400 ("No required SSL certificate was sent"): the check lacks the
/// certificate, which says nothing of the application; one nginx does not trust is refused.
#[tokio::test(flavor = "multi_thread")]
async fn nginx_wanting_a_client_certificate_is_errored_without_one_and_refuses_a_stranger() {
    let w = World::new();
    let client_root = Pki::root("netaccept client root");
    let ca = client_root.pem();
    let client = client_root.issue(&Spec::leaf(&["DNS:client.test"]).eku(&["clientAuth"]));
    let stranger = Pki::root("netaccept stranger root")
        .issue(&Spec::leaf(&["DNS:client.test"]).eku(&["clientAuth"]));
    let dir = w.dir.path();
    std::fs::write(
        dir.join("client.pem"),
        [client.pem(), client.key_pem()].concat(),
    )
    .unwrap();
    std::fs::write(
        dir.join("stranger.pem"),
        [stranger.pem(), stranger.key_pem()].concat(),
    )
    .unwrap();
    for protocols in ["TLSv1.2", "TLSv1.3"] {
        let tls = TlsConfig {
            protocols,
            client_ca: Some(&ca),
            ..TlsConfig::default()
        };
        let Some(n) = w.serve(&tls, &w.leaf(&ip_leaf()), r#"{"status":"UP"}"#) else {
            return;
        };
        let o = outcome(&by_address(&n), &w.cx).await;
        let Verdict::Errored(p) = &o.verdict else {
            panic!("{protocols}: errored, not {:?}", o.verdict);
        };
        assert_eq!(p.kind, ErrorKind::ClientCertRequired, "{protocols}");
        assert!(
            p.message
                .ends_with("status 400: server requires a client certificate (give `client_cert`)"),
            "{protocols}: {}",
            p.message
        );
        assert_eq!(o.measurements["tls_client_cert_asked"], true, "{protocols}");
        assert_eq!(
            o.measurements["tls_finding"]["code"],
            "client_cert_required"
        );

        let mut s = by_address(&n);
        s.client_cert = Some(Text::plain("client.pem"));
        assert_passed(&outcome(&s, &w.cx).await);

        s.client_cert = Some(Text::plain("stranger.pem"));
        let o = outcome(&s, &w.cx).await;
        assert_eq!(fail_kind(&o), FailKind::ClientCertRejected, "{protocols}");
        says(
            &o,
            &["server refused the client certificate (HTTP 400 after the handshake)"],
        );
    }
}
