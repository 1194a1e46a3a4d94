//! The name a leaf is for, and the names a CA allows: whether the leaf is valid for the
//! URL's host (webpki, subjectAltName only, as browsers and rustls judge it), and, for the
//! words of a finding, its extended key usage and a CA's name constraints (x509-parser:
//! the openssl crate reads neither).

use std::net::IpAddr;

use openssl::nid::Nid;
use openssl::x509::X509Ref;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use x509_parser::extensions::GeneralName;

use super::Name;
use super::info::{name_line, san};
use crate::outcome::tls::TlsFinding;

/// Whether `leaf` (its DER `der`) is for `name`: `CnOnly` when the name is only in a
/// leaf's CN with no subjectAltName at all, `NameMismatch` otherwise.
pub(super) fn check(
    leaf: &X509Ref,
    der: &[u8],
    name: &Name,
    sni_sent: bool,
) -> Result<(), TlsFinding> {
    if matches_san(leaf, der, name) {
        return Ok(());
    }
    let names = san(leaf);
    if leaf.subject_alt_names().is_none()
        && leaf
            .subject_name()
            .entries_by_nid(Nid::COMMONNAME)
            .filter_map(|e| e.data().to_string().ok())
            .any(|cn| matches_one(&cn, name))
    {
        return Err(TlsFinding::CnOnly {
            name: name.to_string(),
        });
    }
    Err(TlsFinding::NameMismatch {
        name: name.to_string(),
        names,
        no_sni: !sni_sent && matches!(name, Name::Ip(_)),
    })
}

/// webpki's answer; where webpki cannot read the certificate (an X.509 v1 leaf, a DER
/// quirk old CAs made) or the name (a label webpki refuses), the subjectAltName entries
/// as OpenSSL reads them, matched by the same rules (one left-most `*` label).
fn matches_san(leaf: &X509Ref, der: &[u8], name: &Name) -> bool {
    let der = CertificateDer::from(der);
    let server_name = match name {
        Name::Dns(d) => ServerName::try_from(d.trim_end_matches('.').to_string()).ok(),
        Name::Ip(ip) => Some(ServerName::IpAddress((*ip).into())),
    };
    match (webpki::EndEntityCert::try_from(&der), server_name) {
        (Ok(ee), Some(sn)) => ee.verify_is_valid_for_subject_name(&sn).is_ok(),
        _ => san(leaf)
            .iter()
            .any(|entry| match (entry.split_once(':'), name) {
                (Some(("DNS", d)), Name::Dns(_)) => matches_one(d, name),
                (Some(("IP", a)), Name::Ip(ip)) => a.parse::<IpAddr>().is_ok_and(|a| a == *ip),
                _ => false,
            }),
    }
}

/// A DNS pattern (`a.test`, `*.a.test`) or an address written as text, against the name.
fn matches_one(pattern: &str, name: &Name) -> bool {
    match name {
        Name::Ip(ip) => pattern.parse::<IpAddr>().is_ok_and(|p| p == *ip),
        Name::Dns(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let p = pattern.trim_end_matches('.').to_ascii_lowercase();
            match p.strip_prefix("*.") {
                Some(rest) => d
                    .split_once('.')
                    .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
                None => d == p,
            }
        }
    }
}

/// The names a certificate claims, for a name-constraint finding: its subjectAltName
/// entries, else its subject (which OpenSSL then checks instead).
pub(super) fn names_of(cert: &X509Ref) -> String {
    let names = san(cert);
    if names.is_empty() {
        name_line(cert.subject_name())
    } else {
        names.join(", ")
    }
}

/// A CA's name constraints, each subtree as `DNS:.gov.test`, `IP:10.0.0.0/8`.
pub(super) struct Constraints {
    pub permitted: Vec<String>,
    pub excluded: Vec<String>,
}

/// The name constraints of `ca`, when it has the extension.
pub(super) fn constraints(ca: &X509Ref) -> Option<Constraints> {
    let der = ca.to_der().ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let nc = cert.name_constraints().ok()??;
    let words = |subtrees: &Option<Vec<x509_parser::extensions::GeneralSubtree>>| {
        subtrees
            .iter()
            .flatten()
            .map(|s| general_name(&s.base))
            .collect::<Vec<_>>()
    };
    Some(Constraints {
        permitted: words(&nc.value.permitted_subtrees),
        excluded: words(&nc.value.excluded_subtrees),
    })
}

/// The extended key usages of `cert` in OpenSSL's short names (`serverAuth`,
/// `clientAuth`…, an unknown one by its OID); `None` when it has no such extension.
pub(super) fn eku(cert: &X509Ref) -> Option<Vec<String>> {
    let der = cert.to_der().ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let ext = cert.extended_key_usage().ok()??;
    let e = ext.value;
    let mut out: Vec<String> = [
        (e.any, "anyExtendedKeyUsage"),
        (e.server_auth, "serverAuth"),
        (e.client_auth, "clientAuth"),
        (e.code_signing, "codeSigning"),
        (e.email_protection, "emailProtection"),
        (e.time_stamping, "timeStamping"),
        (e.ocsp_signing, "OCSPSigning"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, w)| w.to_string())
    .collect();
    out.extend(e.other.iter().map(ToString::to_string));
    Some(out)
}

fn general_name(n: &GeneralName) -> String {
    match n {
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::RFC822Name(m) => format!("email:{m}"),
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::DirectoryName(d) => format!("DirName:{d}"),
        GeneralName::IPAddress(b) => format!("IP:{}", ip_subtree(b)),
        other => format!("{other:?}"),
    }
}

/// An address subtree (address then mask, RFC 5280 §4.2.1.10) as `10.0.0.0/8`.
fn ip_subtree(b: &[u8]) -> String {
    let prefix = |mask: &[u8]| mask.iter().map(|m| m.count_ones()).sum::<u32>();
    match b.len() {
        8 => {
            let a: [u8; 4] = b[..4].try_into().unwrap_or_default();
            format!("{}/{}", std::net::Ipv4Addr::from(a), prefix(&b[4..]))
        }
        32 => {
            let a: [u8; 16] = b[..16].try_into().unwrap_or_default();
            format!("{}/{}", std::net::Ipv6Addr::from(a), prefix(&b[16..]))
        }
        _ => super::info::hex(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_one_label_only() {
        let n = |s: &str| Name::Dns(s.to_string());
        assert!(matches_one("*.a.test", &n("www.a.test")));
        assert!(matches_one("*.A.test.", &n("www.a.test")));
        assert!(!matches_one("*.a.test", &n("a.test")));
        assert!(!matches_one("*.a.test", &n("x.www.a.test")));
        assert!(matches_one("a.test", &n("A.TEST.")));
        assert!(matches_one(
            "10.0.0.1",
            &Name::Ip("10.0.0.1".parse().unwrap())
        ));
        assert!(!matches_one(
            "a.test",
            &Name::Ip("10.0.0.1".parse().unwrap())
        ));
    }

    #[test]
    fn address_subtrees_read_as_prefixes() {
        assert_eq!(ip_subtree(&[10, 0, 0, 0, 255, 0, 0, 0]), "10.0.0.0/8");
        assert_eq!(
            ip_subtree(&[192, 168, 1, 0, 255, 255, 255, 0]),
            "192.168.1.0/24"
        );
    }
}
