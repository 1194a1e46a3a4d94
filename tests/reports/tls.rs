//! The HTML report's certificate box: a failed HTTPS result holding TLS measurements
//! (`tls_chain`, `tls_root`, `tls_finding`, `tls_version`, `tls_cipher`, `tls_backend`,
//! `tls_sni`) shows the handshake, the leaf and the certificate the finding names, with
//! their subjects and dates, in both languages; what the target sent is escaped; a passed
//! result's detail row keeps the structures out of its `key=value` pairs.
//!
//! The finding's sentence itself is `outcome::tls`'s (`TlsFinding::message_zh` and
//! `message_en`); the tests here assert it as it shows in the report.

use netaccept::report::Lang;
use netaccept::report::html;
use netaccept::results::{ResultRecord, Results, Status};
use serde_json::{Value, json};

use crate::fixture::mixed;

const LEAF: &str = "CN=sx.aq.gov.test, O=山西省应急管理厅";
const INTER: &str = "CN=netaccept test intermediate, O=netaccept test";
const ROOT: &str = "CN=netaccept test root, O=netaccept test";

fn cert(subject: &str, issuer: &str, san: &[&str], until: &str, key: &str) -> Value {
    json!({
        "subject": subject, "issuer": issuer, "san": san,
        "not_before": "2026-01-01T00:00:00Z", "not_after": until,
        "key": key, "signature": "ecdsa-with-SHA256",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    })
}

fn chain() -> Value {
    json!([
        cert(
            LEAF,
            INTER,
            &["DNS:sx.aq.gov.test", "IP:127.14.0.1"],
            "2027-11-30T00:00:00Z",
            "EC P-256"
        ),
        cert(INTER, ROOT, &[], "2026-12-08T00:00:00Z", "RSA 2048"),
    ])
}

/// The sample record with its first `app.cert` result failed over HTTPS with these
/// measurements added; the index of that result.
fn with_failed_https(status: Status, kind: &str, message: &str, extra: Value) -> (Results, usize) {
    let mut r = mixed();
    let i = r
        .results
        .iter()
        .position(|x| x.check == "app.cert")
        .expect("the sample has an app.cert result");
    let rec: &mut ResultRecord = &mut r.results[i];
    rec.status = status;
    rec.kind = Some(kind.to_string());
    rec.message = message.to_string();
    let Value::Object(m) = extra else {
        panic!("measurements are an object")
    };
    rec.measurements.extend(m);
    (r, i)
}

fn handshake() -> Value {
    json!({
        "tls_backend": "openssl",
        "tls_version": "TLSv1.2",
        "tls_cipher": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "tls_sni": "sx.aq.gov.test",
        "tls_chain": chain(),
    })
}

/// The failures section (section 4) of a report.
fn failures(h: &str) -> &str {
    let start = h
        .find("<section id=\"failures\"")
        .expect("failures section");
    let len = h[start..].find("</section>").expect("closed");
    &h[start..start + len]
}

#[test]
fn the_box_shows_the_handshake_and_the_leaf_in_both_languages() {
    // A status mismatch over HTTPS: no finding, the box still says how the handshake went.
    let (r, _) = with_failed_https(
        Status::Failed,
        "StatusMismatch",
        "status 503, expected one of [200]",
        handshake(),
    );
    for (lang, words) in [
        (
            Lang::Zh,
            [
                "TLS 握手",
                "协议",
                "密码套件",
                "完成握手的 TLS 库",
                "服务器证书（叶证书）",
                "主体",
                "签发者",
                "到期时间",
            ],
        ),
        (
            Lang::En,
            [
                "TLS handshake",
                "Protocol",
                "Cipher suite",
                "TLS library that completed it",
                "Server certificate (leaf)",
                "Subject",
                "Issuer",
                "Not after",
            ],
        ),
    ] {
        let h = html::render(&r, lang);
        let f = failures(&h);
        for w in words {
            assert!(f.contains(w), "{lang:?}: no `{w}` in the failures section");
        }
        for measured in [
            "TLSv1.2",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "openssl",
            "sx.aq.gov.test",
            "CN=sx.aq.gov.test, O=山西省应急管理厅",
            INTER,
            "DNS:sx.aq.gov.test, IP:127.14.0.1",
            "2026-01-01T00:00:00Z",
            "2027-11-30T00:00:00Z",
            "EC P-256",
            "ecdsa-with-SHA256",
        ] {
            assert!(f.contains(measured), "{lang:?}: no `{measured}` in the box");
        }
        // No finding names another certificate: the intermediate is not shown as one.
        assert_eq!(
            f.matches("<table class=\"kv cert\">").count(),
            1,
            "{lang:?}: the leaf only"
        );
        assert!(
            !f.contains("2026-12-08T00:00:00Z"),
            "{lang:?}: the intermediate's date"
        );
    }
}

#[test]
fn the_certificate_a_finding_names_is_shown_beside_the_leaf() {
    // English: the record's message is shown as it is, so no sentence is made here.
    let mut m = handshake();
    m["tls_finding"] = json!({
        "code": "expiring", "subject": INTER, "role": "intermediate",
        "not_after": "2026-12-08T00:00:00Z", "days_left": 5, "wanted": 30
    });
    let message = format!(
        "certificate '{INTER}' (intermediate) expires 2026-12-08T00:00:00Z (5 days left), expected at least 30"
    );
    let (r, _) = with_failed_https(Status::Failed, "CertExpiring", &message, m);
    let h = html::render(&r, Lang::En);
    let f = failures(&h);
    // The quotes around the subject are escaped (`&#39;`) like any text.
    assert!(f.contains(
        "(intermediate) expires 2026-12-08T00:00:00Z (5 days left), expected at least 30"
    ));
    assert_eq!(
        f.matches("<table class=\"kv cert\">").count(),
        2,
        "leaf and intermediate"
    );
    let named = &f[f
        .find("The certificate at fault (intermediate)")
        .expect("its title")..];
    assert!(
        named.contains(INTER) && named.contains(ROOT),
        "its subject and issuer"
    );
    assert!(named.contains("2026-12-08T00:00:00Z") && named.contains("RSA 2048"));
}

#[test]
fn an_expired_root_the_server_did_not_send_comes_from_tls_root() {
    let mut m = handshake();
    m["tls_root"] = cert(ROOT, ROOT, &[], "2026-11-01T00:00:00Z", "RSA 4096");
    m["tls_finding"] = json!({
        "code": "expired", "subject": ROOT, "role": "root",
        "not_after": "2026-11-01T00:00:00Z", "days_ago": 32
    });
    let (r, _) = with_failed_https(
        Status::Failed,
        "CertInvalid",
        &format!("certificate '{ROOT}' (root) expired 32 days ago (2026-11-01T00:00:00Z)"),
        m,
    );
    let h = html::render(&r, Lang::En);
    let f = failures(&h);
    let named = &f[f
        .find("The certificate at fault (root) — a trusted root the server did not send")
        .expect("the root's title")..];
    assert!(named.contains("2026-11-01T00:00:00Z") && named.contains("RSA 4096"));
}

#[test]
fn what_the_server_sent_is_escaped_in_the_box() {
    let mut m = handshake();
    m["tls_chain"][0]["subject"] = json!("CN=<script>alert(1)</script>");
    m["tls_chain"][0]["san"] = json!(["DNS:\"><img src=x>"]);
    let (r, _) = with_failed_https(Status::Errored, "Timeout", "no response within 5 s", m);
    for lang in [Lang::Zh, Lang::En] {
        let h = html::render(&r, lang);
        assert!(!h.contains("<script>alert(1)"), "{lang:?}");
        assert!(!h.contains("<img src=x>"), "{lang:?}");
        assert!(
            h.contains("CN=&#60;script&#62;alert(1)&#60;/script&#62;")
                || h.contains("CN=&lt;script&gt;"),
            "{lang:?}: shown, escaped"
        );
    }
}

/// The sample record with the handshake's measurements on its passed `app.cert` result,
/// which is returned for a test to add to.
fn passed_with_handshake(r: &mut Results) -> &mut ResultRecord {
    let rec = r
        .results
        .iter_mut()
        .find(|x| x.check == "app.cert" && x.status == Status::Passed)
        .expect("a passed app.cert result");
    let Value::Object(m) = handshake() else {
        unreachable!()
    };
    rec.measurements.extend(m);
    rec
}

#[test]
fn a_passed_detail_row_leaves_the_structures_out() {
    let mut r = mixed();
    passed_with_handshake(&mut r);
    for lang in [Lang::Zh, Lang::En] {
        let h = html::render(&r, lang);
        let start = h.find("<section id=\"details\"").unwrap();
        let d = &h[start..];
        let (version, cipher, chain) = match lang {
            Lang::Zh => ("TLS 版本", "密码套件", "证书链"),
            Lang::En => ("TLS version", "cipher suite", "certificate chain"),
        };
        assert!(d.contains(&format!("{version} TLSv1.2")), "{lang:?}");
        assert!(
            d.contains(&format!("{cipher} TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA")),
            "{lang:?}"
        );
        assert!(!d.contains(chain), "{lang:?}: the chain's JSON is left out");
    }
}

/// The finding's own words in each language (`TlsFinding::message_zh`/`message_en`), not
/// the English message of the record alone.
#[test]
fn the_chinese_report_says_the_finding_in_chinese() {
    let mut m = handshake();
    m["tls_chain"] = json!([chain()[0].clone()]);
    m["tls_finding"] = json!({"code": "missing_intermediate", "sent": 1, "issuer": INTER});
    let english = format!(
        "server sent 1 certificate; issuer '{INTER}' was not sent (the server must send its intermediate certificates)"
    );
    let (r, _) = with_failed_https(Status::Failed, "CertInvalid", &english, m);
    let zh = html::render(&r, Lang::Zh);
    let f = failures(&zh);
    assert!(
        f.contains(&format!(
            "服务器只发送了 1 张证书，未发送签发者 &#39;{INTER}&#39;"
        )) || f.contains(&format!("服务器只发送了 1 张证书，未发送签发者 '{INTER}'")),
        "the Chinese sentence:\n{f}"
    );
    // And in the table of all results.
    let details = &zh[zh.find("<section id=\"details\"").unwrap()..];
    assert!(
        details.contains("服务器只发送了 1 张证书"),
        "the detail row"
    );
    let en = html::render(&r, Lang::En);
    let f = failures(&en);
    assert!(f.contains("server sent 1 certificate; issuer"), "{f}");
}

/// A note on a passed result is said in the detail row, in words.
#[test]
fn a_note_shows_in_the_detail_row() {
    let mut r = mixed();
    let rec = passed_with_handshake(&mut r);
    rec.measurements.insert(
        "tls_notes".into(),
        json!([{"code": "intermediate_not_sent", "subject": INTER}]),
    );
    let h = html::render(&r, Lang::En);
    let d = &h[h.find("<section id=\"details\"").unwrap()..];
    assert!(d.contains("Note: server did not send intermediate"), "{d}");
    let h = html::render(&r, Lang::Zh);
    let d = &h[h.find("<section id=\"details\"").unwrap()..];
    assert!(d.contains("注意：") && d.contains("netaccept test intermediate"));
}
