//! Certificates read once. OpenSSL 3 takes some 80 µs to read a certificate from DER, and
//! a network's servers send the same certificates check after check (a bureau's leaf on
//! every one of its checks, a province's intermediate on every server under it): each is
//! read and described once per run and shared, as `Arc`s, by every check that meets it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use openssl::x509::X509;

use super::info::cert_info;
use crate::outcome::tls::CertInfo;

/// A certificate as OpenSSL holds it, with its description for the record.
pub(super) struct Parsed {
    pub(super) x509: X509,
    pub(super) info: CertInfo,
}

/// Certificates kept at most: past it the cache starts again empty. A national run meets
/// a few thousand (a leaf per server, the CAs above them); 8,192 of about 2 KiB each (DER
/// twice, as the key and inside OpenSSL, and the description) stay under 20 MiB.
const MAX_KEPT: usize = 8192;

type Cache = Mutex<HashMap<Box<[u8]>, Arc<Parsed>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The certificate in `der`, read and described once per run; an error says why OpenSSL
/// cannot read it (not cached: unreadable bytes are rare and the error is cheap).
pub(super) fn parse(der: &[u8]) -> Result<Arc<Parsed>, openssl::error::ErrorStack> {
    // Poisoning can only come from a panic while inserting; the map is still consistent.
    if let Some(p) = cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(der)
    {
        return Ok(p.clone());
    }
    // Read outside the lock: two checks meeting a new certificate at once both read it,
    // and neither waits for the other.
    let x509 = X509::from_der(der)?;
    let info = cert_info(&x509);
    let parsed = Arc::new(Parsed { x509, info });
    let mut map = cache().lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= MAX_KEPT {
        map.clear();
    }
    map.insert(der.into(), parsed.clone());
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_read_once_and_garbage_is_refused() {
        let key = openssl::pkey::PKey::generate_ed25519().unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_nid(openssl::nid::Nid::COMMONNAME, "parsed.test")
            .unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&key, openssl::hash::MessageDigest::null()).unwrap();
        let der = b.build().to_der().unwrap();
        let first = parse(&der).unwrap();
        let again = parse(&der).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second meeting reads nothing"
        );
        assert_eq!(first.info.subject, "CN=parsed.test");
        assert!(parse(b"not a certificate").is_err());
    }
}
