//! Client certificates (`client_cert`, `client_key`, `client_cert_password`): read once per
//! set of paths into an [`Identity`] both TLS libraries use, and the rustls resolver that
//! presents it and records whether the server asked for one at all (which tells "the
//! server wants a certificate" from "the server refused ours" when a handshake fails).
//!
//! Errors name the suite's key (`client_cert`, `client_key`), never the path or the
//! password: both may be secrets.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use tokio_rustls::rustls;
use tokio_rustls::rustls::SignatureScheme;
use tokio_rustls::rustls::client::ResolvesClientCert;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::sign::CertifiedKey;

use super::info::openssl_reason;
use crate::probe::files::read_capped;

/// The largest certificate or key file read: a client certificate with its chain is a few
/// KiB; more is a mistake (or `/dev/zero`).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A client certificate with its chain and key, as both TLS libraries take it.
pub struct Identity {
    /// Leaf first, then the intermediates to send.
    pub(crate) certs: Vec<X509>,
    pub(crate) key: PKey<Private>,
    /// The same for rustls (its own key type, loaded by the crypto provider).
    pub(crate) rustls: Arc<CertifiedKey>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Identity")
            .field("certs", &self.certs.len())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Reads `cert_path` (PEM: certificate, chain, and the key when `key_path` is absent;
    /// or PKCS#12, recognized by not being PEM) and `key_path` (PEM: PKCS#8, PKCS#1, SEC1,
    /// encrypted with `password` or not).
    pub fn load(
        cert_path: &std::path::Path,
        key_path: Option<&std::path::Path>,
        password: Option<&str>,
    ) -> Result<Identity, String> {
        let cert_bytes = read(cert_path).map_err(|e| format!("`client_cert`: cannot read: {e}"))?;
        let (certs, key) = if is_pem(&cert_bytes) {
            let certs = X509::stack_from_pem(&cert_bytes).map_err(|e| {
                format!(
                    "`client_cert`: not a PEM certificate: {}",
                    openssl_reason(&e)
                )
            })?;
            if certs.is_empty() {
                return Err("`client_cert`: holds no PEM certificate".into());
            }
            let key = match key_path {
                Some(p) => {
                    let bytes = read(p).map_err(|e| format!("`client_key`: cannot read: {e}"))?;
                    pem_key(&bytes, password).map_err(|e| format!("`client_key`: {e}"))?
                }
                None => pem_key(&cert_bytes, password).map_err(|e| {
                    format!("`client_cert`: {e} (without `client_key`, the key must be in the same file)")
                })?,
            };
            (certs, key)
        } else {
            let p12 = Pkcs12::from_der(&cert_bytes).map_err(|_| {
                "`client_cert`: neither PEM nor PKCS#12 (a `.p12`/`.pfx` file)".to_string()
            })?;
            let parsed = p12.parse2(password.unwrap_or("")).map_err(|_| {
                if password.is_some() {
                    "`client_cert`: cannot open the PKCS#12 file: wrong `client_cert_password`, or the file is damaged".to_string()
                } else {
                    "`client_cert`: the PKCS#12 file needs `client_cert_password`".to_string()
                }
            })?;
            let (Some(cert), Some(key)) = (parsed.cert, parsed.pkey) else {
                return Err(
                    "`client_cert`: the PKCS#12 file holds no certificate with its key".into(),
                );
            };
            let mut certs = vec![cert];
            // OpenSSL lists the bundled CAs in reverse order of how they were added on
            // older versions; the order of the chain sent does not matter to servers,
            // which build their own path.
            certs.extend(parsed.ca.into_iter().flatten());
            (certs, key)
        };
        let leaf_key = certs[0]
            .public_key()
            .map_err(|e| format!("`client_cert`: {}", openssl_reason(&e)))?;
        if !leaf_key.public_eq(&key) {
            let which = if key_path.is_some() {
                "`client_key`"
            } else {
                "`client_cert`"
            };
            return Err(format!(
                "{which}: the private key does not belong to the certificate"
            ));
        }
        let rustls = certified_key(&certs, &key)?;
        Ok(Identity { certs, key, rustls })
    }
}

/// A certificate or key file: `io::Error`'s words never hold the path, so the messages
/// built on them name only the suite's key.
fn read(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    read_capped(path, MAX_FILE_BYTES, "a certificate file holds")
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The private key in PEM `bytes`: whichever PEM key block is there, decrypted with
/// `password` when it is encrypted.
fn pem_key(bytes: &[u8], password: Option<&str>) -> Result<PKey<Private>, String> {
    let text = String::from_utf8_lossy(bytes);
    if !text.contains("PRIVATE KEY-----") {
        return Err("holds no PEM private key".into());
    }
    let encrypted = text.contains("ENCRYPTED") || text.contains("Proc-Type: 4,ENCRYPTED");
    match (encrypted, password) {
        (true, None) => Err("the private key is encrypted: give `client_cert_password`".into()),
        (true, Some(pw)) => PKey::private_key_from_pem_passphrase(bytes, pw.as_bytes())
            .map_err(|_| "cannot decrypt the private key: wrong `client_cert_password`?".into()),
        // OpenSSL's PEM reader takes PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) and SEC1
        // (`EC PRIVATE KEY`) alike.
        (false, _) => PKey::private_key_from_pem(bytes)
            .map_err(|e| format!("not a usable PEM private key: {}", openssl_reason(&e))),
    }
}

fn certified_key(certs: &[X509], key: &PKey<Private>) -> Result<Arc<CertifiedKey>, String> {
    let ders = certs
        .iter()
        .map(|c| c.to_der().map(CertificateDer::from))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("`client_cert`: {}", openssl_reason(&e)))?;
    let pkcs8 = key
        .private_key_to_pkcs8()
        .map_err(|e| format!("`client_cert`: the key: {}", openssl_reason(&e)))?;
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let signer = provider
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)))
        .map_err(|e| format!("`client_cert`: the key cannot sign for TLS: {e}"))?;
    Ok(Arc::new(CertifiedKey::new(ders, signer)))
}

/// Presents the identity (if any) and records that the server asked: one per handshake.
#[derive(Debug)]
pub(crate) struct Recorder {
    pub(crate) identity: Option<Arc<Identity>>,
    pub(crate) asked: Arc<AtomicBool>,
}

impl ResolvesClientCert for Recorder {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.identity.as_ref().map(|i| i.rustls.clone())
    }

    // Always true: rustls calls `resolve` only when this says there are certificates, and
    // the call is what records that the server asked.
    fn has_certs(&self) -> bool {
        true
    }
}
