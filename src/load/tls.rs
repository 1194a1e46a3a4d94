//! An `http:` probe's TLS keys: `tls: { min_version }` parsed into [`TlsPolicy`], the
//! client-certificate keys (`client_cert`, `client_key`, `client_cert_password`) checked
//! for the combinations that cannot work, and the `ca:` bundle looked into.
//!
//! The client-certificate keys are templates like `ca:` (a path may come from a node's
//! vars, a password from `{{ env.* }}`); their files are read by the prober, once per
//! configuration, like the CA bundle. A literal password is allowed but warned about: it
//! is then written in the suite, which is shared and kept in version control.
//!
//! A literal `ca:` bundle is read here (the loader reads files; it sends nothing): an
//! intermediate in it verifies a server that does not send its own intermediate, so the
//! check would pass a server every browser refuses. That is a warning, not an error: some
//! networks mean it, and the prober still notes, per result, an intermediate that only
//! `ca:` supplied.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::raw::{RawHttp, S};
use super::template::Templates;
use super::{Loader, loc};
use crate::diag::{Diagnostic, suggest};
use crate::model::{Segment, Template, TlsPolicy, TlsVersion, VarRef};

/// The client-certificate keys of one probe, parsed.
pub(super) struct ClientCert {
    pub cert: Option<Template>,
    pub key: Option<Template>,
    pub password: Option<Template>,
}

/// `tls:`: the policy, TLS 1.2 and later unless the suite says otherwise. The version is
/// written one way only (`"1.2"`, not `TLSv1.2`), so that suites read alike; a protocol
/// name where the number belongs gets the number in its hint.
pub(super) fn policy(ld: &mut Loader, f: u32, p: &RawHttp) -> TlsPolicy {
    let mut policy = TlsPolicy::default();
    let Some(v) = p.tls.as_ref().and_then(|t| t.min_version.as_ref()) else {
        return policy;
    };
    let allowed = TlsVersion::ALL.map(TlsVersion::as_str);
    if let Some(min) = TlsVersion::parse(v.value.trim()) {
        policy.min_version = min;
        return policy;
    }
    // `TLSv1.0`, `tls1.2`, `TLS 1.3`: the protocol's name where the number belongs.
    let bare = v.value.trim().to_ascii_lowercase();
    let bare = bare
        .trim_start_matches("tls")
        .trim_start_matches('v')
        .trim();
    let hint = if let Some(meant) = TlsVersion::parse(bare) {
        format!("did you mean `\"{meant}\"`? `min_version` is the number alone")
    } else if bare.parse::<f64>().is_ok_and(|n| n > 1.3) {
        // "did you mean" would offer the nearest spelling (`1.4` → `1.0`), not what was meant.
        "TLS 1.3 is the newest version; `min_version: \"1.3\"` passes TLS 1.3 only".to_string()
    } else {
        match suggest::did_you_mean(v.value.trim(), allowed) {
            Some(d) => d,
            None => "the oldest protocol version that passes".to_string(),
        }
    };
    ld.push(
        Diagnostic::error(
            loc(f, &v.referenced),
            format!("unknown TLS version `{}`", v.value),
        )
        .with_hint(format!(
            "{hint} (one of: {}; default 1.2)",
            allowed.join(", ")
        )),
    );
    policy
}

/// `client_cert`, `client_key`, `client_cert_password`: a key or a password without the
/// certificate they belong to is an error at that key, since the prober would have
/// nothing to use them with.
pub(super) fn client_cert(ld: &mut Loader, f: u32, p: &RawHttp, t: &mut Templates) -> ClientCert {
    let cert = p.client_cert.as_ref().map(|s| t.parse(ld, s));
    if cert.is_none() {
        for (key, s) in [
            ("client_key", &p.client_key),
            ("client_cert_password", &p.client_cert_password),
        ] {
            if let Some(s) = s {
                ld.push(
                    Diagnostic::error(loc(f, &s.referenced), format!("`{key}` without `client_cert`"))
                        .with_hint(format!(
                            "`{key}` belongs to a client certificate: give its file in `client_cert` (PEM or PKCS#12, relative to the suite file), or remove `{key}`"
                        )),
                );
            }
        }
    }
    let key = p.client_key.as_ref().map(|s| t.parse(ld, s));
    let password = p.client_cert_password.as_ref().map(|s| {
        let template = t.parse(ld, s);
        if !from_env(&template) {
            ld.push(
                Diagnostic::warning(
                    loc(f, &s.referenced),
                    "`client_cert_password` is written in the suite",
                )
                .with_hint(
                    "give it from the environment, `client_cert_password: \"{{ env.NAME }}\"`: then it stays out of the suite file and every output shows it as ***",
                ),
            );
        }
        template
    });
    ClientCert {
        cert,
        key,
        password,
    }
}

/// Whether any part of the password comes from the environment (a template that failed to
/// parse has no segments and is reported already).
fn from_env(t: &Template) -> bool {
    t.segments.is_empty()
        || t.segments
            .iter()
            .any(|s| matches!(s, Segment::Var(VarRef::Env(_))))
}

/// The CA bundles already looked into, so that a bundle many checks name is read and
/// warned about once.
#[derive(Default)]
pub(crate) struct SeenBundles(HashSet<PathBuf>);

/// A literal `ca:` bundle (relative to the suite file) that holds a CA certificate not
/// issued by itself (an intermediate): a warning naming it. A bundle that cannot be read
/// or parsed now says nothing: it may be written later (the simulator writes its CA when
/// it starts), and the run reports it, per check, if it is still unusable then.
pub(super) fn ca_bundle(ld: &mut Loader, f: u32, s: &S, template: &Template) {
    let Some(name) = template.as_literal() else {
        return;
    };
    let dir = ld.sources.files[f as usize]
        .path
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let path = dir.join(&name);
    if !ld.ca_bundles.0.insert(path.clone()) {
        return;
    }
    let Ok(bytes) = super::files::read_bytes(&path) else {
        return;
    };
    for subject in intermediates(&bytes) {
        ld.push(
            Diagnostic::warning(
                loc(f, &s.referenced),
                format!("the `ca:` bundle holds intermediate '{subject}'"),
            )
            .with_hint(
                "a CA bundle should hold roots only: with an intermediate in it, a server that does not send its intermediate passes here and fails in every browser; the results note each chain that verified only thanks to it",
            ),
        );
    }
}

/// The subjects (OpenSSL's one-line RFC 2253 form, as the findings write them) of the CA
/// certificates in a PEM bundle that are not self-issued. What does not parse is skipped:
/// the prober reports an unusable bundle.
pub(crate) fn intermediates(pem: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let Ok(block) = block else { break };
        if block.label != "CERTIFICATE" {
            continue;
        }
        let Ok(cert) = block.parse_x509() else {
            continue;
        };
        if cert.is_ca() && cert.subject().as_raw() != cert.issuer().as_raw() {
            out.push(rfc2253(cert.subject()));
        }
    }
    out
}

/// A name as OpenSSL's `-nameopt RFC2253` prints it: the last RDN first, `CN=…, O=…`.
fn rfc2253(name: &x509_parser::x509::X509Name<'_>) -> String {
    let registry = x509_parser::objects::oid_registry();
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    let key = x509_parser::objects::oid2abbrev(a.attr_type(), registry)
                        .map_or_else(|_| a.attr_type().to_id_string(), str::to_string);
                    let value = a
                        .as_str()
                        .map_or_else(|_| format!("#{}", hex(a.attr_value().data)), str::to_string);
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_reader_finds_no_intermediate_in_text_that_is_not_pem() {
        assert!(intermediates(b"not a certificate").is_empty());
        assert!(intermediates(b"").is_empty());
    }
}
