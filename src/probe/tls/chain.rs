//! A chain as the server sent it, verified against a [`Trust`] for a name, and described.
//! Pure: DER in, a [`Verified`] chain or a [`TlsFinding`] out; no I/O beyond OpenSSL's
//! lookups in the system's hashed CA folder.
//!
//! OpenSSL builds and checks the chain (`X509_verify_cert`, purpose SSL server), as `curl`
//! and `s_client` would; our own policy then judges what OpenSSL leaves to the machine's
//! configuration or stops short of: every certificate's dates at the check's `now` (the
//! root's too), signature digests and key sizes. OpenSSL stops at its first error and the
//! openssl crate offers no verify callback to go on (it would take `unsafe`), so the
//! findings are ranked here instead, the most useful first:
//!
//! 1. the chain is not trusted at all (self-signed, missing intermediate, unknown issuer):
//!    nothing else about an untrusted chain matters;
//! 2. a signature that does not verify: the certificate is not what it says;
//! 3. a certificate expired or not yet valid, naming it and its place in the chain;
//! 4. a broken digest or a small key (what current clients refuse, whatever the
//!    machine's `openssl.cnf` says);
//! 5. the rest OpenSSL refused: purpose (EKU), name constraints, CA flags, in its words;
//! 6. the name, by webpki (SAN only).
//!
//! To reach 5 past an expired certificate, a chain that fails on time alone is verified a
//! second time without the time check. A chain is built to a self-signed root first, and
//! anchored at any trusted certificate (a `ca:` intermediate) only where no root is: see
//! `Anchor`.

use std::net::IpAddr;

use openssl::stack::Stack;
use openssl::x509::{X509, X509Ref, X509StoreContext};

use super::Trust;
use super::info::{
    cert_info, key_words, name_line, openssl_reason, self_issued, unix, unreadable_info,
    weak_digest,
};
use super::trust::StoreKey;
use super::{name, parsed};
use crate::outcome::tls::{CertInfo, Role, TlsFinding};

/// What the certificate must be valid for: the URL's host (or `host:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Dns(String),
    Ip(IpAddr),
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Dns(d) => f.write_str(d),
            Name::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// The certificate of a verified chain that expires first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub subject: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// Whole days from `now` to notAfter, rounded down (negative once expired).
    pub days_left: i64,
}

/// A chain that verifies.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The verified chain, leaf first, the trusted root last (as the store holds it; or
    /// the intermediate `ca:` holds when the chain is anchored there).
    pub chain: Vec<CertInfo>,
    /// The certificate of [`Verified::chain`] that expires first, root included.
    pub earliest: Expiry,
    /// What is worth knowing though it verifies: `IntermediateNotSent`.
    pub notes: Vec<TlsFinding>,
}

/// Verifies `sent` (DER as the server sent it, leaf first) against `trust` for `name` at
/// `now` (UNIX seconds). `sni_sent`: whether the handshake sent SNI (not when the URL named
/// an address), for the words of a name mismatch.
pub fn verify(
    sent: &[Vec<u8>],
    trust: &Trust,
    name: &Name,
    sni_sent: bool,
    now: i64,
) -> Result<Verified, TlsFinding> {
    let Some((leaf_der, rest)) = sent.split_first() else {
        return Err(TlsFinding::Other {
            subject: None,
            detail: "the server sent no certificate".to_string(),
        });
    };
    let leaf = parsed::parse(leaf_der)
        .map_err(|e| TlsFinding::Other {
            subject: None,
            detail: format!(
                "the server's certificate cannot be read: {}",
                openssl_reason(&e)
            ),
        })?
        .x509
        .clone();
    let untrusted = untrusted(rest).map_err(|e| openssl_failed(&e))?;

    let verify_with = |now: Option<i64>, anchor: Anchor| {
        run(trust, &leaf, &untrusted, now, anchor).map_err(|e| openssl_failed(&e))
    };
    // A chain to a self-signed root first, so that the root's dates are judged whenever
    // the root is at hand; anchored at a trusted intermediate only where no root is.
    let mut anchor = Anchor::Root;
    let mut timed = verify_with(Some(now), anchor)?;
    if is_unbuilt(timed.code) {
        let partial = verify_with(Some(now), Anchor::Any)?;
        if !is_unbuilt(partial.code) {
            (timed, anchor) = (partial, Anchor::Any);
        }
    }
    let untimed = if matches!(
        timed.code,
        CERT_NOT_YET_VALID | CERT_HAS_EXPIRED | ERROR_IN_NOT_BEFORE | ERROR_IN_NOT_AFTER
    ) {
        Some(verify_with(None, anchor)?)
    } else {
        None
    };
    let structural = untimed.as_ref().unwrap_or(&timed);
    // The chain as built at `now`: where the store holds a renewed and an expired
    // certificate of one CA, OpenSSL picks the one valid then.
    let chain = if timed.chain.is_empty() {
        &structural.chain
    } else {
        &timed.chain
    };

    if let Some(f) = untrusted_finding(structural, sent.len()) {
        return Err(f);
    }
    if matches!(
        structural.code,
        CERT_SIGNATURE_FAILURE | UNABLE_TO_DECRYPT_SIGNATURE
    ) {
        return Err(TlsFinding::BadSignature {
            subject: subject_at(&structural.chain, structural.depth),
        });
    }
    dates(chain, now)?;
    policy(chain)?;
    if structural.code != OK {
        return Err(refused(structural));
    }
    name::check(&leaf, leaf_der, name, sni_sent)?;

    let infos: Vec<CertInfo> = chain.iter().map(|c| info_of(c)).collect();
    let earliest = earliest(chain, now);
    let notes = chain
        .iter()
        .enumerate()
        .filter(|(i, c)| role(*i, chain) == Role::Intermediate && !was_sent(c, sent))
        .map(|(_, c)| TlsFinding::IntermediateNotSent {
            subject: name_line(c.subject_name()),
        })
        .collect();
    Ok(Verified {
        chain: infos,
        earliest,
        notes,
    })
}

/// The chain as sent, described; a certificate that does not parse is described by what
/// could be read of it (its `sha256` at least).
pub fn describe(sent: &[Vec<u8>]) -> Vec<CertInfo> {
    sent.iter()
        .map(|der| match parsed::parse(der) {
            Ok(p) => p.info.clone(),
            Err(e) => unreadable_info(der, &openssl_reason(&e)),
        })
        .collect()
}

// OpenSSL's verify results (x509_vfy.h), by number: the openssl crate names only OK.
const OK: i32 = 0;
const UNABLE_TO_GET_ISSUER_CERT: i32 = 2;
const UNABLE_TO_DECRYPT_SIGNATURE: i32 = 4;
const CERT_SIGNATURE_FAILURE: i32 = 7;
const CERT_NOT_YET_VALID: i32 = 9;
const CERT_HAS_EXPIRED: i32 = 10;
const ERROR_IN_NOT_BEFORE: i32 = 13;
const ERROR_IN_NOT_AFTER: i32 = 14;
const DEPTH_ZERO_SELF_SIGNED: i32 = 18;
const SELF_SIGNED_IN_CHAIN: i32 = 19;
const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i32 = 20;
const UNABLE_TO_VERIFY_LEAF_SIGNATURE: i32 = 21;
const INVALID_PURPOSE: i32 = 26;
const PERMITTED_VIOLATION: i32 = 47;
const EXCLUDED_VIOLATION: i32 = 48;
const SUBTREE_MINMAX: i32 = 49;
const UNSUPPORTED_CONSTRAINT_TYPE: i32 = 51;
const UNSUPPORTED_CONSTRAINT_SYNTAX: i32 = 52;
const UNSUPPORTED_NAME_SYNTAX: i32 = 53;

/// One `X509_verify_cert`: its first error (`OK` none), the depth it names, OpenSSL's
/// words for it, and the chain as far as it was built.
struct Run {
    code: i32,
    depth: usize,
    words: &'static str,
    chain: Vec<X509>,
}

/// Where a chain may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// At a self-signed root trusted here (OpenSSL's default).
    Root,
    /// At any certificate trusted here: `ca:` holding the server's intermediate alone is
    /// enough, as curl has it (it sets `X509_V_FLAG_PARTIAL_CHAIN`) and as rustls's trust
    /// anchors had it before. Only where no root is at hand: with the flag, OpenSSL stops
    /// building at the first trusted certificate and would never see an expired root
    /// behind an intermediate that `ca:` holds too.
    Any,
}

/// A certificate of a verified chain described, through the cache when its DER reads back.
fn info_of(c: &X509Ref) -> CertInfo {
    c.to_der()
        .ok()
        .and_then(|der| parsed::parse(&der).ok())
        .map_or_else(|| cert_info(c), |p| p.info.clone())
}

/// The chain could not be built to anything trusted.
fn is_unbuilt(code: i32) -> bool {
    matches!(
        code,
        UNABLE_TO_GET_ISSUER_CERT
            | UNABLE_TO_GET_ISSUER_CERT_LOCALLY
            | UNABLE_TO_VERIFY_LEAF_SIGNATURE
    )
}

/// Verifies `leaf` with `untrusted` as the intermediates on offer, OpenSSL checking the
/// dates at the start of `now`'s minute (its stores are kept per minute: `Trust::store`;
/// `dates` judges them to the second), or not at all when `None`.
fn run(
    trust: &Trust,
    leaf: &X509Ref,
    untrusted: &Stack<X509>,
    now: Option<i64>,
    anchor: Anchor,
) -> Result<Run, openssl::error::ErrorStack> {
    let store = trust.store(StoreKey {
        partial: anchor == Anchor::Any,
        minute: now.map(|t| t.div_euclid(60)),
    })?;
    let mut ctx = X509StoreContext::new()?;
    ctx.init(&store, leaf, untrusted, |ctx| {
        let ok = ctx.verify_cert()?;
        let chain = ctx
            .chain()
            .map(|s| s.iter().map(X509Ref::to_owned).collect())
            .unwrap_or_default();
        let code = if ok { OK } else { ctx.error().as_raw() };
        Ok(Run {
            code,
            depth: ctx.error_depth() as usize,
            words: ctx.error().error_string(),
            chain,
        })
    })
}

/// The certificates after the leaf, as OpenSSL takes them. One that does not parse is left
/// out: the chain is judged on the others, as a client would (it cannot use it either).
fn untrusted(rest: &[Vec<u8>]) -> Result<Stack<X509>, openssl::error::ErrorStack> {
    let mut s = Stack::new()?;
    for p in rest.iter().filter_map(|d| parsed::parse(d).ok()) {
        s.push(p.x509.clone())?;
    }
    Ok(s)
}

/// The chain could not be built to a trusted root: which certificate is missing, in the
/// design's rule. The last certificate of the built chain is the leaf, or a certificate
/// that is no CA's: an intermediate is missing (the server's fault); else the chain ends
/// at a CA that nothing trusted here knows (the suite's `ca:`, or the wrong CA).
fn untrusted_finding(run: &Run, sent: usize) -> Option<TlsFinding> {
    let at = |d: usize| run.chain.get(d).or(run.chain.last());
    match run.code {
        DEPTH_ZERO_SELF_SIGNED => Some(TlsFinding::SelfSigned {
            subject: subject_at(&run.chain, 0),
        }),
        // The server sent its own root, which is not trusted here.
        SELF_SIGNED_IN_CHAIN => Some(TlsFinding::UnknownIssuer {
            sent,
            issuer: subject_at(&run.chain, run.depth),
        }),
        UNABLE_TO_GET_ISSUER_CERT
        | UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | UNABLE_TO_VERIFY_LEAF_SIGNATURE => {
            let last = at(run.depth)?;
            let issuer = name_line(last.issuer_name());
            let is_ca = x509_parser::parse_x509_certificate(&last.to_der().unwrap_or_default())
                .is_ok_and(|(_, c)| c.is_ca());
            Some(if run.depth == 0 || !is_ca {
                TlsFinding::MissingIntermediate { sent, issuer }
            } else {
                TlsFinding::UnknownIssuer { sent, issuer }
            })
        }
        _ => None,
    }
}

/// Every certificate of the chain valid at `now`, the root's too, leaf first.
fn dates(chain: &[X509], now: i64) -> Result<(), TlsFinding> {
    for (i, c) in chain.iter().enumerate() {
        let (not_before, not_after) = (unix(c.not_before()), unix(c.not_after()));
        if now < not_before {
            return Err(TlsFinding::NotYetValid {
                subject: name_line(c.subject_name()),
                role: role(i, chain),
                not_before: super::info::rfc3339(not_before),
                days_until: (not_before - now).div_euclid(86_400),
            });
        }
        // notAfter is the last valid second (RFC 5280 §4.1.2.5).
        if now > not_after {
            return Err(TlsFinding::Expired {
                subject: name_line(c.subject_name()),
                role: role(i, chain),
                not_after: super::info::rfc3339(not_after),
                days_ago: (now - not_after).div_euclid(86_400),
            });
        }
    }
    Ok(())
}

/// Our policy over the chain: no certificate signed with a broken digest (the trust
/// anchor's own signature excepted: it is trusted as it is, nothing rests on it), no RSA or
/// DSA key under 2048 bits, no EC key under 256, root included.
fn policy(chain: &[X509]) -> Result<(), TlsFinding> {
    for (i, c) in chain.iter().enumerate() {
        let anchor = i + 1 == chain.len();
        if !anchor && !self_issued(c) && weak_digest(c) {
            return Err(TlsFinding::WeakSignature {
                subject: name_line(c.subject_name()),
                role: role(i, chain),
                algorithm: super::info::signature_algorithm(c),
            });
        }
        let (key, weak) = key_words(c);
        if weak {
            return Err(TlsFinding::WeakKey {
                subject: name_line(c.subject_name()),
                role: role(i, chain),
                key,
            });
        }
    }
    Ok(())
}

/// What OpenSSL refused past building and signatures, in words.
fn refused(run: &Run) -> TlsFinding {
    let subject = subject_at(&run.chain, run.depth);
    let cert = run.chain.get(run.depth);
    match run.code {
        INVALID_PURPOSE => match cert.and_then(|c| name::eku(c)) {
            Some(eku)
                if !eku
                    .iter()
                    .any(|u| u == "serverAuth" || u == "anyExtendedKeyUsage") =>
            {
                TlsFinding::WrongPurpose { subject, eku }
            }
            // The EKU allows it: the key usage (or an old Netscape type) does not.
            _ => TlsFinding::Other {
                subject: Some(subject),
                detail: format!("{} (its key usage does not allow a TLS server)", run.words),
            },
        },
        PERMITTED_VIOLATION
        | EXCLUDED_VIOLATION
        | SUBTREE_MINMAX
        | UNSUPPORTED_CONSTRAINT_TYPE
        | UNSUPPORTED_CONSTRAINT_SYNTAX
        | UNSUPPORTED_NAME_SYNTAX => {
            let above = run.chain.get(run.depth + 1..).unwrap_or_default();
            match above
                .iter()
                .find_map(|ca| name::constraints(ca).map(|nc| (ca, nc)))
            {
                Some((ca, nc)) => TlsFinding::NameConstraints {
                    subject,
                    issuer: name_line(ca.subject_name()),
                    detail: match (run.code, cert) {
                        (PERMITTED_VIOLATION, Some(c)) if !nc.permitted.is_empty() => format!(
                            "it names {}; the CA permits only {}",
                            name::names_of(c),
                            nc.permitted.join(", ")
                        ),
                        (EXCLUDED_VIOLATION, Some(c)) if !nc.excluded.is_empty() => format!(
                            "it names {}; the CA excludes {}",
                            name::names_of(c),
                            nc.excluded.join(", ")
                        ),
                        _ => run.words.to_string(),
                    },
                },
                None => TlsFinding::Other {
                    subject: Some(subject),
                    detail: run.words.to_string(),
                },
            }
        }
        _ => TlsFinding::Other {
            subject: Some(subject),
            detail: run.words.to_string(),
        },
    }
}

/// Where certificate `i` sits: the first is the leaf, a self-issued last one the root
/// (the trust anchor), anything between an intermediate.
fn role(i: usize, chain: &[X509]) -> Role {
    if i == 0 {
        Role::Leaf
    } else if i + 1 == chain.len() && self_issued(&chain[i]) {
        Role::Root
    } else {
        Role::Intermediate
    }
}

/// The certificate of the chain that expires first; of two expiring at once, the one
/// nearer the leaf (what the server's operator renews).
fn earliest(chain: &[X509], now: i64) -> Expiry {
    let (i, c) = chain
        .iter()
        .enumerate()
        .min_by_key(|(i, c)| (unix(c.not_after()), *i))
        .expect("a verified chain holds the leaf");
    let not_after = unix(c.not_after());
    Expiry {
        subject: name_line(c.subject_name()),
        role: role(i, chain),
        not_after: super::info::rfc3339(not_after),
        days_left: (not_after - now).div_euclid(86_400),
    }
}

fn was_sent(cert: &X509Ref, sent: &[Vec<u8>]) -> bool {
    cert.to_der().is_ok_and(|der| sent.contains(&der))
}

fn subject_at(chain: &[X509], depth: usize) -> String {
    chain
        .get(depth)
        .or(chain.last())
        .map(|c| name_line(c.subject_name()))
        .unwrap_or_default()
}

/// OpenSSL could not even set up a verification (out of memory, a broken library).
fn openssl_failed(e: &openssl::error::ErrorStack) -> TlsFinding {
    TlsFinding::Other {
        subject: None,
        detail: format!("OpenSSL cannot verify the chain: {}", openssl_reason(e)),
    }
}
