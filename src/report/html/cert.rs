//! The certificate box of a failed or errored HTTPS result: how the handshake went
//! (protocol, cipher suite, the library that completed it, the SNI sent), the leaf as the
//! server sent it, the certificate the finding names when that is another one (from
//! `tls_chain`, or `tls_root` for a trusted root the server did not send), and the notes.
//! With it the report stands without `openssl s_client`: the committee sees which
//! certificate expires or is missing, not only that something did.
//!
//! Everything here is read back from the record's measurements (`tls_chain`, `tls_root`,
//! `tls_finding`, `tls_notes`, `tls_version`, `tls_cipher`, `tls_backend`, `tls_sni`):
//! what a target sent, so every text is capped and reaches the page only through the
//! template's escaping. A measurement that does not read as its type (an older record, a
//! hand-edited one) is left out, never an error: the rest of the report stands.
//!
//! A box is made when the template reaches its row ([`Page::cert_box`](super::page::Page)),
//! like the detail rows, so that a run with thousands of failing HTTPS checks never holds
//! all their boxes at once.

use serde::Deserialize;
use serde_json::Value;

use super::strings::Strings;
use crate::outcome::tls::{CertInfo, Role, TlsFinding};
use crate::report::Lang;
use crate::report::text::{FIELD_CAP, cap};
use crate::results::ResultRecord;

/// What the template shows for one result.
pub(super) struct CertBox {
    /// `label: value` pairs of the handshake, those that were measured.
    pub(super) session: Vec<(&'static str, String)>,
    pub(super) certs: Vec<CertView>,
    /// The notes (`tls_notes`) in the report's language.
    pub(super) notes: Vec<String>,
}

/// One certificate, as the box's rows.
pub(super) struct CertView {
    pub(super) title: String,
    pub(super) rows: Vec<(&'static str, String)>,
}

/// The box of a result, or `None` when it holds no TLS measurement (not HTTPS, or no
/// handshake).
pub(super) fn cert_box(t: &Strings, lang: Lang, r: &ResultRecord) -> Option<CertBox> {
    let m = &r.measurements;
    let chain: Vec<CertInfo> = m
        .get("tls_chain")
        .and_then(|v| Vec::<CertInfo>::deserialize(v).ok())
        .unwrap_or_default();
    let root = m
        .get("tls_root")
        .and_then(|v| CertInfo::deserialize(v).ok());
    let finding = finding(r);
    let mut session = Vec::new();
    for (label, key) in [
        (t.tls_protocol, "tls_version"),
        (t.tls_cipher, "tls_cipher"),
        (t.tls_backend, "tls_backend"),
        (t.tls_sni, "tls_sni"),
    ] {
        if let Some(Value::String(s)) = m.get(key) {
            session.push((label, cap(s, FIELD_CAP).into_owned()));
        }
    }
    if chain.is_empty() && session.is_empty() && finding.is_none() {
        return None;
    }
    let mut certs = Vec::new();
    if let Some(leaf) = chain.first() {
        certs.push(view(t, fill_role(t.cert_leaf, t, Role::Leaf), leaf));
    }
    if let Some(f) = &finding
        && let Some((cert, role)) = named(f, &chain, root.as_ref())
    {
        let mut title = fill_role(t.cert_named, t, role);
        if root.as_ref() == Some(cert) && !chain.contains(cert) {
            title = format!("{title} — {}", t.cert_root_not_sent);
        }
        certs.push(view(t, title, cert));
    }
    let notes = m
        .get("tls_notes")
        .and_then(|v| Vec::<TlsFinding>::deserialize(v).ok())
        .unwrap_or_default()
        .iter()
        .map(|n| cap(&sentence(n, lang), FIELD_CAP).into_owned())
        .collect();
    Some(CertBox {
        session,
        certs,
        notes,
    })
}

/// The finding that failed or errored the result, when the record holds one that reads.
pub(super) fn finding(r: &ResultRecord) -> Option<TlsFinding> {
    r.measurements
        .get("tls_finding")
        .and_then(|v| TlsFinding::deserialize(v).ok())
}

/// A finding's sentence in the report's language.
pub(super) fn sentence(f: &TlsFinding, lang: Lang) -> String {
    match lang {
        Lang::Zh => f.message_zh(),
        Lang::En => f.message_en(),
    }
}

/// The passed result's notes, in the report's language, for its detail row.
pub(super) fn notes(r: &ResultRecord, lang: Lang) -> Vec<String> {
    r.measurements
        .get("tls_notes")
        .and_then(|v| Vec::<TlsFinding>::deserialize(v).ok())
        .unwrap_or_default()
        .iter()
        .map(|n| cap(&sentence(n, lang), FIELD_CAP).into_owned())
        .collect()
}

/// The measurements that are structures shown by the box (or the notes), left out of the
/// `key=value` pairs of a detail row, where their JSON would crowd out the rest.
pub(super) const STRUCTURED: [&str; 4] = ["tls_chain", "tls_root", "tls_finding", "tls_notes"];

/// The certificate a finding is about, when it is not the leaf (already shown) and the
/// record holds it: by subject in the chain as sent or the trusted root; for a missing
/// intermediate or an unknown issuer, the last certificate sent, whose issuer is the one
/// missing; for name constraints, the CA that set them.
fn named<'c>(
    f: &TlsFinding,
    chain: &'c [CertInfo],
    root: Option<&'c CertInfo>,
) -> Option<(&'c CertInfo, Role)> {
    let by_subject = |s: &str| {
        let at = chain.iter().position(|c| c.subject == s);
        match at {
            Some(0) => None,
            Some(i) => Some((&chain[i], role_at(i, chain))),
            None => root.filter(|r| r.subject == s).map(|r| (r, Role::Root)),
        }
    };
    match f {
        TlsFinding::Expired { subject, .. }
        | TlsFinding::NotYetValid { subject, .. }
        | TlsFinding::Expiring { subject, .. }
        | TlsFinding::WeakSignature { subject, .. }
        | TlsFinding::WeakKey { subject, .. }
        | TlsFinding::BadSignature { subject }
        | TlsFinding::Other {
            subject: Some(subject),
            ..
        } => by_subject(subject),
        TlsFinding::NameConstraints { issuer, .. } => by_subject(issuer),
        TlsFinding::MissingIntermediate { issuer, .. }
        | TlsFinding::UnknownIssuer { issuer, .. } => {
            match chain.iter().rposition(|c| c.issuer == *issuer) {
                Some(i) if i > 0 => Some((&chain[i], role_at(i, chain))),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A certificate's place in the chain as sent: the last one is a root when it issued
/// itself.
fn role_at(i: usize, chain: &[CertInfo]) -> Role {
    let c = &chain[i];
    if i == 0 {
        Role::Leaf
    } else if c.subject == c.issuer {
        Role::Root
    } else {
        Role::Intermediate
    }
}

fn fill_role(template: &str, t: &Strings, role: Role) -> String {
    super::strings::fill(template, &[("role", t.role(role))])
}

fn view(t: &Strings, title: String, c: &CertInfo) -> CertView {
    let f = |s: &str| cap(s, FIELD_CAP).into_owned();
    let san = if c.san.is_empty() {
        t.cert_no_san.to_string()
    } else {
        // Built only as far as the cap reaches: a certificate may carry thousands of names.
        let mut out = String::new();
        for n in &c.san {
            if out.len() > FIELD_CAP {
                break;
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&cap(n, FIELD_CAP));
        }
        f(&out)
    };
    CertView {
        title,
        rows: vec![
            (t.cert_subject, f(&c.subject)),
            (t.cert_issuer, f(&c.issuer)),
            (t.cert_san, san),
            (t.cert_not_before, f(&c.not_before)),
            (t.cert_not_after, f(&c.not_after)),
            (t.cert_key, f(&c.key)),
            (t.cert_signature, f(&c.signature)),
            (t.cert_sha256, f(&c.sha256)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(subject: &str, issuer: &str) -> CertInfo {
        CertInfo {
            subject: subject.into(),
            issuer: issuer.into(),
            san: vec![],
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            key: "EC P-256".into(),
            signature: "ecdsa-with-SHA256".into(),
            sha256: "00".into(),
        }
    }

    /// Which certificate each kind of finding points at, without calling the sentences
    /// (those are `outcome::tls`'s).
    #[test]
    fn the_named_certificate_is_found_by_subject_issuer_or_root() {
        let leaf = cert("CN=a.test", "CN=inter");
        let inter = cert("CN=inter", "CN=root");
        let root = cert("CN=root", "CN=root");
        let chain = vec![leaf.clone(), inter.clone()];
        let expiring = TlsFinding::Expiring {
            subject: "CN=inter".into(),
            role: Role::Intermediate,
            not_after: "2026-12-08T00:00:00Z".into(),
            days_left: 5,
            wanted: 30,
        };
        assert_eq!(
            named(&expiring, &chain, Some(&root)),
            Some((&inter, Role::Intermediate))
        );
        let root_expired = TlsFinding::Expired {
            subject: "CN=root".into(),
            role: Role::Root,
            not_after: "2026-01-01T00:00:00Z".into(),
            days_ago: 3,
        };
        assert_eq!(
            named(&root_expired, &chain, Some(&root)),
            Some((&root, Role::Root))
        );
        let leaf_expired = TlsFinding::Expired {
            subject: "CN=a.test".into(),
            role: Role::Leaf,
            not_after: "2026-01-01T00:00:00Z".into(),
            days_ago: 3,
        };
        assert_eq!(
            named(&leaf_expired, &chain, Some(&root)),
            None,
            "the leaf is shown already"
        );
        let unknown = TlsFinding::UnknownIssuer {
            sent: 2,
            issuer: "CN=root".into(),
        };
        assert_eq!(
            named(&unknown, &chain, None),
            Some((&inter, Role::Intermediate))
        );
        let missing = TlsFinding::MissingIntermediate {
            sent: 1,
            issuer: "CN=inter".into(),
        };
        assert_eq!(named(&missing, &chain[..1], None), None);
        assert_eq!(named(&TlsFinding::ClientCertRequired, &chain, None), None);
    }
}
