//! What a check trusts: the system's CA store and the suite's `ca:` bundle, loaded once per
//! bundle and shared by every check of the run.
//!
//! OpenSSL's store is what judges the chain (as `curl` and `openssl s_client` judge it),
//! but its verification time, purpose and flags are parameters of the store itself, fixed
//! when it is built. Building one (every trusted certificate added: Debian's 144 roots)
//! took 200 µs, more than the verification itself, so [`Trust::store`] keeps the stores it
//! built, one per set of flags and minute of the clock: OpenSSL's own time check then runs
//! at the start of the check's minute, and the dates are judged to the second by
//! `chain::dates` at the check's own `now`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use openssl::ssl::SslFiletype;
use openssl::x509::X509PurposeId;
use openssl::x509::store::{X509Lookup, X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509, X509Ref};

use super::info::{name_line, openssl_reason, self_issued};
use crate::outcome::tls::TlsFinding;

/// The roots (and any intermediates) a chain may be verified against.
pub struct Trust {
    /// The system's CA certificates as OpenSSL's default file holds them (read whole when
    /// loaded), then every certificate of the `ca:` bundle.
    certs: Vec<X509>,
    /// The system's hashed certificate folders (`SSL_CERT_DIR`, else OpenSSL's own
    /// `certs/`), looked up by OpenSSL during verification, as libssl does.
    dirs: Option<String>,
    notes: Vec<TlsFinding>,
    empty: bool,
    /// The stores built so far, by what they verify with; only the current minute's are
    /// kept (and the untimed ones).
    stores: Mutex<Vec<(StoreKey, Arc<X509Store>)>>,
}

/// What a store verifies with, besides the certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StoreKey {
    /// `X509_V_FLAG_PARTIAL_CHAIN`: a chain may end at any trusted certificate.
    pub(super) partial: bool,
    /// The minute (UNIX seconds / 60) whose start is the verification time; `None`: no
    /// time check at all.
    pub(super) minute: Option<i64>,
}

impl Trust {
    /// The system store plus `ca_pem` (the suite's `ca:` bundle, PEM), when given. An
    /// error names what is wrong with the bundle (no certificate in it, not PEM).
    pub fn new(ca_pem: Option<&[u8]>) -> Result<Trust, String> {
        let bundle = match ca_pem {
            Some(pem) => read_bundle(pem)?,
            None => Vec::new(),
        };
        // `set_default_paths` reads the default file (`SSL_CERT_FILE`, else
        // OPENSSLDIR/cert.pem, on Debian the whole ca-certificates bundle) at once and only
        // registers the hashed folder, which OpenSSL reads certificate by certificate when
        // a lookup needs one. The loaded ones are taken out of this store; the folder is
        // handed to each verification's store.
        let mut system = X509StoreBuilder::new().map_err(|e| format!("OpenSSL: {e}"))?;
        // A system without any default file is still usable with `ca:`: no error.
        let _ = system.set_default_paths();
        let system = system.build();
        let mut certs: Vec<X509> = system.all_certificates().into_iter().collect();
        let dirs = default_cert_dirs();
        // OpenSSL's store cannot say how many certificates a hashed folder holds, since it
        // reads them lazily: count the folder's hashed names (`1a2b3c4d.0`) ourselves, so
        // that "no CA trusted at all" is not claimed where only the folder is installed.
        let empty = certs.is_empty()
            && bundle.is_empty()
            && dirs
                .as_deref()
                .is_none_or(|d| !std::env::split_paths(d).any(|p| has_hashed(&p)));
        let notes = bundle
            .iter()
            .filter(|c| is_ca(c) && !self_issued(c))
            .map(|c| TlsFinding::CaBundleIntermediate {
                subject: name_line(c.subject_name()),
            })
            .collect();
        certs.extend(bundle);
        Ok(Trust {
            certs,
            dirs,
            notes,
            empty,
            stores: Mutex::default(),
        })
    }

    /// No CA certificate is trusted at all: no system store and no `ca:`.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// What the bundle itself hides: a `CaBundleIntermediate` per intermediate in `ca:`.
    pub fn notes(&self) -> &[TlsFinding] {
        &self.notes
    }

    /// An OpenSSL store of every trusted certificate verifying as `key` says, for a TLS
    /// server, judging no key size or digest itself (`chain::policy` does, the same on
    /// every machine, in words: Debian's openssl.cnf would otherwise decide). Built once per
    /// key and shared.
    pub(super) fn store(
        &self,
        key: StoreKey,
    ) -> Result<Arc<X509Store>, openssl::error::ErrorStack> {
        // Poisoning can only come from a panic while pushing; the list is still consistent.
        let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, s)) = stores.iter().find(|(k, _)| *k == key) {
            return Ok(s.clone());
        }
        let mut param = X509VerifyParam::new()?;
        param.set_purpose(X509PurposeId::SSL_SERVER)?;
        param.set_auth_level(0);
        if key.partial {
            param.set_flags(X509VerifyFlags::PARTIAL_CHAIN)?;
        }
        match key.minute {
            Some(m) => param.set_time(m * 60),
            None => param.set_flags(X509VerifyFlags::NO_CHECK_TIME)?,
        }
        let mut b = X509StoreBuilder::new()?;
        for c in &self.certs {
            // A `ca:` root that the system store holds too is a duplicate, which OpenSSL
            // refuses with an error that means nothing here.
            let _ = b.add_cert(c.clone());
        }
        if let Some(dirs) = &self.dirs {
            b.add_lookup(X509Lookup::hash_dir())?
                .add_dir(dirs, SslFiletype::PEM)?;
        }
        b.set_param(&param)?;
        let store = Arc::new(b.build());
        // A past minute's stores are no use any more.
        stores.retain(|(k, _)| k.minute.is_none() || k.minute == key.minute);
        stores.push((key, store.clone()));
        Ok(store)
    }
}

/// The `ca:` bundle's certificates, or what is wrong with it in words.
fn read_bundle(pem: &[u8]) -> Result<Vec<X509>, String> {
    let text = String::from_utf8_lossy(pem);
    if !text.contains("-----BEGIN") {
        return Err(
            "not PEM: no `-----BEGIN CERTIFICATE-----` line in it (a DER file converts with `openssl x509 -inform der`)"
                .to_string(),
        );
    }
    let certs = X509::stack_from_pem(pem)
        .map_err(|e| format!("a certificate in it cannot be read: {}", openssl_reason(&e)))?;
    if certs.is_empty() {
        return Err("holds no certificate (no `-----BEGIN CERTIFICATE-----` block)".to_string());
    }
    Ok(certs)
}

/// A CA's certificate (basicConstraints CA:TRUE): what `ca:` is meant to hold.
fn is_ca(cert: &X509Ref) -> bool {
    let der = cert.to_der().unwrap_or_default();
    x509_parser::parse_x509_certificate(&der).is_ok_and(|(_, c)| c.is_ca())
}

/// The folders OpenSSL looks certificates up in by hash: `SSL_CERT_DIR` (a path list) when
/// set, else `certs` under OPENSSLDIR, as `X509_get_default_cert_dir` says (the openssl
/// crate does not expose that function; its value is OPENSSLDIR's, which it does).
fn default_cert_dirs() -> Option<String> {
    if let Some(dirs) = std::env::var_os("SSL_CERT_DIR") {
        return dirs.into_string().ok();
    }
    // `OPENSSLDIR: "/usr/lib/ssl"`
    let dir = openssl::version::dir();
    let dir = dir.split('"').nth(1)?;
    let certs = PathBuf::from(dir).join("certs");
    certs.is_dir().then(|| certs.to_string_lossy().into_owned())
}

/// Whether `dir` holds a certificate under a hashed name (`1a2b3c4d.0`), as `c_rehash`
/// makes them.
fn has_hashed(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.split_once('.').is_some_and(|(h, n)| {
                h.len() == 8
                    && h.bytes().all(|b| b.is_ascii_hexdigit())
                    && !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit())
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_built_once_per_flags_and_minute() {
        let t = Trust::new(None).unwrap();
        let key = |partial, minute| StoreKey { partial, minute };
        let a = t.store(key(false, Some(100))).unwrap();
        assert!(Arc::ptr_eq(&a, &t.store(key(false, Some(100))).unwrap()));
        assert!(!Arc::ptr_eq(&a, &t.store(key(true, Some(100))).unwrap()));
        let untimed = t.store(key(false, None)).unwrap();
        // The next minute's store replaces the last minute's; the untimed one stays.
        let b = t.store(key(false, Some(101))).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        let kept: Vec<StoreKey> = t.stores.lock().unwrap().iter().map(|(k, _)| *k).collect();
        assert_eq!(kept, [key(false, None), key(false, Some(101))]);
        assert!(Arc::ptr_eq(&untimed, &t.store(key(false, None)).unwrap()));
    }

    #[test]
    fn a_trust_is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Trust>();
    }

    #[test]
    fn a_bundle_that_is_not_pem_is_refused_in_words() {
        let Err(e) = Trust::new(Some(b"\x30\x82\x01\x0a garbage")) else {
            panic!("DER bytes accepted as a bundle");
        };
        assert!(e.starts_with("not PEM"), "{e}");
        let Err(e) = Trust::new(Some(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )) else {
            panic!("a key accepted as a bundle");
        };
        assert!(e.contains("holds no certificate"), "{e}");
        let Err(e) = Trust::new(Some(
            b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
        )) else {
            panic!("a broken certificate accepted");
        };
        assert!(e.starts_with("a certificate in it cannot be read"), "{e}");
    }

    #[test]
    fn hashed_names_are_told_from_other_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca-certificates.crt"), "").unwrap();
        assert!(!has_hashed(dir.path()));
        std::fs::write(dir.path().join("1a2b3c4d.0"), "").unwrap();
        assert!(has_hashed(dir.path()));
    }
}
