//! The simulator's TLS: a private certificate authority created at start (a root and one
//! intermediate CA under it), and one server configuration per HTTPS listener, with a leaf
//! that names the listener's address and names, or plays the listener's TLS faults.
//!
//! The chain is root → intermediate → leaf, as public and government CAs issue them, so that
//! a server that forgets its intermediate (the `missing_intermediate` fault) can be told from
//! one whose CA nobody trusts. Normal listeners send leaf + intermediate; the root is what
//! suites reference with `ca:` ([`SimCa::pem`] holds the root only: a `ca:` bundle holding
//! the intermediate would hide the missing-intermediate fault).
//!
//! Listeners speak TLS 1.2 and 1.3 through rustls, except under the `legacy_tls` fault: that
//! listener speaks TLS 1.0 only, which rustls does not implement, so OpenSSL serves it (the
//! system's libssl at security level 0, the only level at which OpenSSL 3 still offers TLS
//! 1.0), with the same certificates.
//!
//! Every key is ECDSA P-256 and lives only in memory. All leaves share one key pair,
//! generated with the CA, so that thousands of listeners start quickly; each leaf still has
//! its own serial number. Session resumption is off (no session cache, no tickets), so every
//! connection performs a full handshake and shows its certificate: a prober checking
//! certificates must never be spared the check by a resumed session from another listener
//! on the same address. No code is shared with `crate::probe`.

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Datelike, NaiveDate, Utc};
use openssl::pkey::{PKey, Private};
use openssl::ssl::{
    AlpnError, SslContext, SslContextBuilder, SslMethod, SslOptions, SslSessionCacheMode,
    SslVersion, select_next_proto,
};
use openssl::x509::X509;
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
/// The common name of the intermediate CA that signs every leaf: what a prober names when a
/// server did not send it.
pub const INTERMEDIATE_NAME: &str = "netaccept sim intermediate CA";
/// The OpenSSL cipher list of a `legacy_tls` listener. OpenSSL 3 refuses TLS 1.0 at
/// security level 1 and above (its handshake signatures use SHA-1), as Debian's default
/// configuration does; level 0 is what a server stuck on TLS 1.0 amounts to.
pub const LEGACY_CIPHERS: &str = "DEFAULT:@SECLEVEL=0";

/// The TLS faults one listener plays (all off: a healthy listener).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TlsFaults {
    /// What is wrong with the leaf itself.
    pub cert: Option<CertFault>,
    /// Send the leaf alone, without the intermediate that signed it.
    pub missing_intermediate: bool,
    /// Speak TLS 1.0 only (through OpenSSL).
    pub legacy_tls: bool,
}

/// How one HTTPS listener does its handshakes.
#[derive(Clone)]
pub enum ServerTls {
    /// rustls: TLS 1.2 and 1.3.
    Rustls(Arc<rustls::ServerConfig>),
    /// OpenSSL: TLS 1.0 only (the `legacy_tls` fault).
    Legacy(SslContext),
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ServerTls::Rustls(_) => "ServerTls::Rustls",
            ServerTls::Legacy(_) => "ServerTls::Legacy",
        })
    }
}

/// The simulator's private certificate authority (root and intermediate), and the shared
/// leaf key.
pub struct SimCa {
    /// Signs every leaf.
    intermediate: Issuer<'static, KeyPair>,
    intermediate_der: CertificateDer<'static>,
    intermediate_pem: String,
    root_pem: String,
    root_der: CertificateDer<'static>,
    /// The key of every leaf, as rcgen needs it to put the public key in certificates…
    leaf_key: KeyPair,
    /// …as rustls needs it to sign handshakes (loaded once, shared by every config)…
    leaf_signer: Arc<dyn SigningKey>,
    /// …and as OpenSSL needs it for the `legacy_tls` listeners.
    leaf_pkey: PKey<Private>,
    provider: Arc<CryptoProvider>,
    next_serial: AtomicU64,
}

impl std::fmt::Debug for SimCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCa").finish_non_exhaustive()
    }
}

impl SimCa {
    /// Creates a new CA (fresh keys, nothing written anywhere): a root named `common_name`,
    /// e.g. "netaccept simulator CA", and under it the intermediate [`INTERMEDIATE_NAME`]
    /// that signs the leaves. Both valid from yesterday for ten years.
    ///
    /// Panics only if the cryptographic libraries fail to generate or load a P-256 key,
    /// which does not happen on a working build.
    pub fn new(common_name: &str) -> SimCa {
        let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("generating the simulator root CA key");
        // Path length 1: the root signs the intermediate, which signs only leaves.
        let root_params = ca_params(common_name, 1);
        let root = root_params
            .self_signed(&root_key)
            .expect("signing the simulator root CA certificate");
        let root_issuer = Issuer::new(root_params, root_key);

        let intermediate_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("generating the simulator intermediate CA key");
        let mut intermediate_params = ca_params(INTERMEDIATE_NAME, 0);
        intermediate_params.serial_number = Some(SerialNumber::from(2u64));
        intermediate_params.use_authority_key_identifier_extension = true;
        let intermediate = intermediate_params
            .signed_by(&intermediate_key, &root_issuer)
            .expect("signing the simulator intermediate CA certificate");

        let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("generating the simulator leaf key");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let leaf_signer = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                leaf_key.serialize_der(),
            )))
            .expect("loading the simulator leaf key into rustls");
        let leaf_pkey = PKey::private_key_from_pkcs8(&leaf_key.serialize_der())
            .expect("loading the simulator leaf key into OpenSSL");
        SimCa {
            intermediate: Issuer::new(intermediate_params, intermediate_key),
            intermediate_der: intermediate.der().clone(),
            intermediate_pem: intermediate.pem(),
            root_pem: root.pem(),
            root_der: root.der().clone(),
            leaf_key,
            leaf_signer,
            leaf_pkey,
            provider,
            // Leaves get serials from here; the CAs' are 1 (derived) and 2.
            next_serial: AtomicU64::new(0x1000),
        }
    }

    /// The root CA certificate (PEM), alone: what is written to the file suites reference
    /// with `ca:`.
    pub fn pem(&self) -> String {
        self.root_pem.clone()
    }

    /// The root CA certificate (DER), for in-process clients.
    pub fn der(&self) -> CertificateDer<'static> {
        self.root_der.clone()
    }

    /// The intermediate CA certificate (PEM), which healthy listeners send after their leaf.
    pub fn intermediate_pem(&self) -> String {
        self.intermediate_pem.clone()
    }

    /// How a listener on `ip` serving `names` does its handshakes. Its leaf names `ip`
    /// (IP SAN) and `names` (DNS SANs; a name that parses as an address becomes an IP SAN,
    /// one that is not a valid DNS name is left out), valid from yesterday for 400 days,
    /// signed by the intermediate, and is sent with the intermediate. With faults:
    /// - `cert: Expired`: valid from 400 days ago until yesterday;
    /// - `cert: WrongHost`: the only SAN is `wrong-host.invalid`;
    /// - `cert: SelfSigned`: signed by its own key, not the CA, and sent alone;
    /// - `missing_intermediate`: the leaf is sent alone;
    /// - `legacy_tls`: OpenSSL, TLS 1.0 only (min and max), [`LEGACY_CIPHERS`].
    ///
    /// Otherwise rustls: TLS 1.2 and 1.3 (its safe defaults, aws-lc-rs). Either way ALPN
    /// `http/1.1` only, no client authentication, no session resumption.
    pub fn server_tls(&self, ip: IpAddr, names: &[String], faults: TlsFaults) -> ServerTls {
        let chain = self.chain(ip, names, faults.cert, faults.missing_intermediate);
        if faults.legacy_tls {
            ServerTls::Legacy(self.legacy_context(&chain))
        } else {
            ServerTls::Rustls(self.rustls_config(chain))
        }
    }

    /// The certificates a listener sends, leaf first.
    fn chain(
        &self,
        ip: IpAddr,
        names: &[String],
        fault: Option<CertFault>,
        missing_intermediate: bool,
    ) -> Vec<CertificateDer<'static>> {
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

        let self_signed = fault == Some(CertFault::SelfSigned);
        let cert = if self_signed {
            params.use_authority_key_identifier_extension = false;
            params.self_signed(&self.leaf_key)
        } else {
            params.signed_by(&self.leaf_key, &self.intermediate)
        }
        .expect("signing a simulator leaf certificate");
        let mut chain = vec![cert.der().clone()];
        // A self-signed leaf has no issuer to send.
        if !self_signed && !missing_intermediate {
            chain.push(self.intermediate_der.clone());
        }
        chain
    }

    fn rustls_config(&self, chain: Vec<CertificateDer<'static>>) -> Arc<rustls::ServerConfig> {
        let certified = CertifiedKey::new(chain, self.leaf_signer.clone());
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

    /// The OpenSSL context of a `legacy_tls` listener. Panics only if the system's libssl
    /// cannot be configured for TLS 1.0 at all (a build without it), which the simulator's
    /// tests would show first.
    fn legacy_context(&self, chain: &[CertificateDer<'static>]) -> SslContext {
        let build = || -> Result<SslContext, openssl::error::ErrorStack> {
            let mut ctx = SslContextBuilder::new(SslMethod::tls_server())?;
            // The security level first: at the default level OpenSSL 3 would not even
            // accept TLS 1.0 as a minimum.
            ctx.set_cipher_list(LEGACY_CIPHERS)?;
            ctx.set_min_proto_version(Some(SslVersion::TLS1))?;
            ctx.set_max_proto_version(Some(SslVersion::TLS1))?;
            ctx.set_options(SslOptions::NO_TICKET | SslOptions::NO_COMPRESSION);
            ctx.set_session_cache_mode(SslSessionCacheMode::OFF);
            let mut certs = chain.iter();
            let leaf = certs.next().expect("a chain starts with its leaf");
            ctx.set_certificate(&*X509::from_der(leaf)?)?;
            for c in certs {
                ctx.add_extra_chain_cert(X509::from_der(c)?)?;
            }
            ctx.set_private_key(&self.leaf_pkey)?;
            ctx.check_private_key()?;
            // Like the rustls listeners: http/1.1 when the client offers it, else no ALPN.
            ctx.set_alpn_select_callback(|_, offered| {
                select_next_proto(b"\x08http/1.1", offered).ok_or(AlpnError::NOACK)
            });
            Ok(ctx.build())
        };
        build().expect("configuring OpenSSL for a TLS 1.0 listener")
    }
}

/// The parameters of a CA certificate named `common_name` that may sign `path_len` levels
/// of CAs below it, valid from yesterday for ten years.
fn ca_params(common_name: &str, path_len: u8) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut params, -1, -1 + 3650);
    params
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
