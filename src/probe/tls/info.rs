//! One certificate described for the record ([`CertInfo`]) and the small readings of it the
//! verification needs too: its names in one line, its dates as UNIX seconds and RFC 3339,
//! its key in words, whether it issued itself. OpenSSL reads the DER, as it verifies it.

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::x509::{X509NameRef, X509Ref, X509VerifyResult};

use crate::outcome::tls::CertInfo;

/// The certificate as the record shows it.
pub(super) fn cert_info(cert: &X509Ref) -> CertInfo {
    let der = cert.to_der().unwrap_or_default();
    CertInfo {
        subject: name_line(cert.subject_name()),
        issuer: name_line(cert.issuer_name()),
        san: san(cert),
        not_before: rfc3339(unix(cert.not_before())),
        not_after: rfc3339(unix(cert.not_after())),
        key: key_words(cert).0,
        signature: signature_algorithm(cert),
        sha256: hex(&openssl::sha::sha256(&der)),
    }
}

/// What can be said of DER that OpenSSL cannot read as a certificate: which bytes they
/// were (`sha256`) and why they are not read; the other fields stay empty.
pub(super) fn unreadable_info(der: &[u8], why: &str) -> CertInfo {
    CertInfo {
        subject: format!("(not a readable certificate: {why})"),
        issuer: String::new(),
        san: Vec::new(),
        not_before: String::new(),
        not_after: String::new(),
        key: String::new(),
        signature: String::new(),
        sha256: hex(&openssl::sha::sha256(der)),
    }
}

/// A distinguished name in one line, `CN=a.test, O=netaccept tests`: each attribute by its
/// short name in RFC 4514 (2253) order, the last attribute the certificate holds first
/// (`openssl x509 -nameopt RFC2253`, and what browsers and Java show): certificates hold
/// the country or organisation first and the CN last, so the line starts with the name
/// that tells certificates apart. Values as UTF-8 (Chinese names readable, not `\E4\B8…`
/// escapes); RFC 4514 specials in a value are escaped with `\` so that a comma in an `O=`
/// cannot be read as a separator.
pub(super) fn name_line(name: &X509NameRef) -> String {
    let entries: Vec<_> = name.entries().collect();
    entries
        .into_iter()
        .rev()
        .map(|e| {
            let nid = e.object().nid();
            let key = if nid == Nid::UNDEF {
                e.object().to_string()
            } else {
                nid.short_name()
                    .map_or_else(|_| e.object().to_string(), str::to_string)
            };
            let value = e
                .data()
                .to_string()
                .unwrap_or_else(|_| String::from_utf8_lossy(e.data().as_slice()).into_owned());
            format!("{key}={}", escape(&value))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The subjectAltName entries, `DNS:name`, `IP:address` (also `email:`, `URI:`, and
/// `DirName:` as OpenSSL names them); none when there is no extension.
pub(super) fn san(cert: &X509Ref) -> Vec<String> {
    let Some(names) = cert.subject_alt_names() else {
        return Vec::new();
    };
    names
        .iter()
        .map(|n| {
            if let Some(d) = n.dnsname() {
                format!("DNS:{d}")
            } else if let Some(ip) = n.ipaddress() {
                format!("IP:{}", ip_words(ip))
            } else if let Some(e) = n.email() {
                format!("email:{e}")
            } else if let Some(u) = n.uri() {
                format!("URI:{u}")
            } else if let Some(d) = n.directory_name() {
                format!("DirName:{}", name_line(d))
            } else {
                "othername".to_string()
            }
        })
        .collect()
}

fn ip_words(ip: &[u8]) -> String {
    match ip.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(ip).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(ip).unwrap_or_default()).to_string(),
        _ => hex(ip),
    }
}

/// A certificate time as UNIX seconds: `ASN1_TIME_diff` from the epoch reads UTCTime and
/// GeneralizedTime alike (dates past 2049 too).
pub(super) fn unix(t: &Asn1TimeRef) -> i64 {
    Asn1Time::from_unix(0)
        .and_then(|epoch| epoch.diff(t))
        .map_or(0, |d| i64::from(d.days) * 86_400 + i64::from(d.secs))
}

/// UNIX seconds as RFC 3339 UTC, `2026-12-08T00:00:00Z`.
pub(super) fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The key in words (`RSA 2048`, `EC P-256`, `Ed25519`) and whether the policy finds it
/// too small: RSA and DSA under 2048 bits, EC under 256 (what current clients refuse).
pub(super) fn key_words(cert: &X509Ref) -> (String, bool) {
    let Ok(key) = cert.public_key() else {
        return ("unreadable key".to_string(), false);
    };
    let bits = key.bits();
    match key.id() {
        Id::RSA | Id::RSA_PSS => (format!("RSA {bits}"), bits < 2048),
        Id::DSA => (format!("DSA {bits}"), bits < 2048),
        Id::EC | Id::SM2 => {
            let curve = key
                .ec_key()
                .ok()
                .and_then(|k| k.group().curve_name())
                .map_or_else(|| format!("{bits}-bit"), curve_words);
            (format!("EC {curve}"), bits < 256)
        }
        Id::ED25519 => ("Ed25519".to_string(), false),
        Id::ED448 => ("Ed448".to_string(), false),
        other => (format!("key type {} ({bits} bits)", other.as_raw()), false),
    }
}

fn curve_words(nid: Nid) -> String {
    match nid {
        Nid::X9_62_PRIME192V1 => "P-192".to_string(),
        Nid::SECP224R1 => "P-224".to_string(),
        Nid::X9_62_PRIME256V1 => "P-256".to_string(),
        Nid::SECP384R1 => "P-384".to_string(),
        Nid::SECP521R1 => "P-521".to_string(),
        other => other.short_name().unwrap_or("unknown curve").to_string(),
    }
}

/// The signature algorithm as OpenSSL names it (`sha256WithRSAEncryption`,
/// `ecdsa-with-SHA256`, `ED25519`): its long name, the dotted OID when it has none.
pub(super) fn signature_algorithm(cert: &X509Ref) -> String {
    let obj = cert.signature_algorithm().object();
    obj.nid()
        .long_name()
        .map_or_else(|_| obj.to_string(), str::to_string)
}

/// Whether the signature's digest is one clients refuse (SHA-1, MD5 and older).
pub(super) fn weak_digest(cert: &X509Ref) -> bool {
    cert.signature_algorithm()
        .object()
        .nid()
        .signature_algorithms()
        .is_some_and(|a| {
            matches!(
                a.digest,
                Nid::SHA1 | Nid::MD5 | Nid::MD4 | Nid::MD2 | Nid::MD5_SHA1
            )
        })
}

/// Issued by itself (subject = issuer, and its key identifiers agree): a root, or a
/// self-signed leaf. Its own signature is no evidence of anything, so the digest policy
/// skips it.
pub(super) fn self_issued(cert: &X509Ref) -> bool {
    cert.issued(cert) == X509VerifyResult::OK
}

pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// OpenSSL's reason for an error (`unsupported certificate purpose`), without its library,
/// file and line; the whole error where it gives no reason.
pub(super) fn openssl_reason(e: &openssl::error::ErrorStack) -> String {
    e.errors()
        .first()
        .and_then(|e| e.reason().map(str::to_string))
        .unwrap_or_else(|| e.to_string())
}
