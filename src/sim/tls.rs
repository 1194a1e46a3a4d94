//! The simulator's TLS: a private certificate authority created at start, and one rustls
//! server configuration per HTTPS listener, with a leaf that names the listener's address
//! and names, or plays a certificate fault (expired, wrong host, self-signed).
//!
//! The CA is ECDSA P-256 and lives only in memory; its certificate ([`SimCa::pem`]) is what
//! suites reference with `ca:`. All leaves share one key pair, generated with the CA, so
//! that thousands of listeners start quickly; each leaf still has its own serial number.
//! Session resumption is off (no session cache, no tickets), so every connection performs
//! a full handshake and shows its certificate: a prober checking certificates must never
//! be spared the check by a resumed session from another listener on the same address.
//! No code is shared with `crate::probe`.

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Datelike, NaiveDate, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::NoServerSessionStorage;
use tokio_rustls::rustls::sign::{CertifiedKey, SigningKey, SingleCertAndKey};

use crate::model::CertFault;

/// Days a normal leaf is valid, counted from yesterday (so clock skew never makes it
/// "not yet valid"); an expired leaf's validity ended yesterday and began this long before.
const VALIDITY_DAYS: i64 = 400;
/// The only name a `wrong-host` leaf carries: `.invalid` never resolves (RFC 6761).
pub const WRONG_HOST_NAME: &str = "wrong-host.invalid";

/// The simulator's private certificate authority, and the shared leaf key.
pub struct SimCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    /// The key of every leaf, as rcgen needs it to put the public key in certificates…
    leaf_key: KeyPair,
    /// …and as rustls needs it to sign handshakes (loaded once, shared by every config).
    leaf_signer: Arc<dyn SigningKey>,
    provider: Arc<CryptoProvider>,
    next_serial: AtomicU64,
}

impl std::fmt::Debug for SimCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCa").finish_non_exhaustive()
    }
}

impl SimCa {
    /// Creates a new CA (fresh keys, nothing written anywhere) named `common_name`, e.g.
    /// "netaccept simulator CA". Valid from yesterday for ten years.
    ///
    /// Panics only if the cryptographic library fails to generate or load a P-256 key,
    /// which does not happen on a working build.
    pub fn new(common_name: &str) -> SimCa {
        let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("generating the simulator CA key");
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, -1, -1 + 3650);
        let cert = params
            .self_signed(&ca_key)
            .expect("signing the simulator CA certificate");
        let issuer = Issuer::new(params, ca_key);

        let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("generating the simulator leaf key");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let leaf_signer = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                leaf_key.serialize_der(),
            )))
            .expect("loading the simulator leaf key into rustls");
        SimCa {
            issuer,
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            leaf_key,
            leaf_signer,
            provider,
            // Leaves get serials from here; the CA's own serial is derived from its key.
            next_serial: AtomicU64::new(0x1000),
        }
    }

    /// The CA certificate (PEM), to write to the file suites reference with `ca:`.
    pub fn pem(&self) -> String {
        self.cert_pem.clone()
    }

    /// A server config whose leaf names `ip` (IP SAN) and `names` (DNS SANs; a name that
    /// parses as an address becomes an IP SAN, one that is not a valid DNS name is left
    /// out), valid from yesterday for 400 days, signed by the CA. With a fault:
    /// - `Expired`: valid from 400 days ago until yesterday;
    /// - `WrongHost`: the only SAN is `wrong-host.invalid`;
    /// - `SelfSigned`: signed by its own key, not the CA (otherwise normal).
    ///
    /// TLS 1.2 and 1.3 (rustls's safe defaults, aws-lc-rs), ALPN `http/1.1` only, no
    /// client authentication, no session resumption.
    pub fn server_config(
        &self,
        ip: IpAddr,
        names: &[String],
        fault: Option<CertFault>,
    ) -> Arc<rustls::ServerConfig> {
        let mut params = CertificateParams::default();
        match fault {
            Some(CertFault::Expired) => set_validity(&mut params, -VALIDITY_DAYS, -1),
            _ => set_validity(&mut params, -1, -1 + VALIDITY_DAYS),
        }
        params.serial_number = Some(SerialNumber::from(
            self.next_serial.fetch_add(1, Ordering::Relaxed),
        ));
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        if fault == Some(CertFault::WrongHost) {
            params.distinguished_name = dn(WRONG_HOST_NAME);
            params.subject_alt_names = vec![SanType::DnsName(
                WRONG_HOST_NAME.try_into().expect("a valid DNS name"),
            )];
        } else {
            let mut sans = vec![SanType::IpAddress(ip)];
            for name in names {
                let san = match IpAddr::from_str(name) {
                    Ok(a) => SanType::IpAddress(a),
                    Err(_) => match name.as_str().try_into() {
                        Ok(n) => SanType::DnsName(n),
                        Err(_) => continue,
                    },
                };
                if !sans.contains(&san) {
                    sans.push(san);
                }
            }
            let cn = names.first().cloned().unwrap_or_else(|| ip.to_string());
            params.distinguished_name = dn(&cn);
            params.subject_alt_names = sans;
        }

        let cert = if fault == Some(CertFault::SelfSigned) {
            params.use_authority_key_identifier_extension = false;
            params.self_signed(&self.leaf_key)
        } else {
            params.signed_by(&self.leaf_key, &self.issuer)
        }
        .expect("signing a simulator leaf certificate");

        let certified = CertifiedKey::new(vec![cert.der().clone()], self.leaf_signer.clone());
        let mut config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the aws-lc-rs provider supports the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
        Arc::new(config)
    }

    /// The CA certificate (DER), for in-process clients.
    pub fn der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }
}

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "netaccept simulator");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Sets the validity of `params` from midnight UTC `from` days after today to midnight UTC
/// `to` days after today (negative: in the past).
fn set_validity(params: &mut CertificateParams, from: i64, to: i64) {
    let today: NaiveDate = Utc::now().date_naive();
    let day = |n: i64| {
        let d = today + chrono::Duration::days(n);
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    params.not_before = day(from);
    params.not_after = day(to);
}
