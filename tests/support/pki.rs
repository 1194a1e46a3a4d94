//! A private PKI made at test time with OpenSSL (the `openssl` crate): roots, intermediates
//! and leaves with whatever the TLS tests need to be wrong with them — dates in the past or
//! near future, SHA-1 signatures, 1024-bit RSA keys, no subjectAltName, another extended
//! key usage, name constraints, ECDSA and Ed25519 keys. rcgen (`support::tls`) cannot sign
//! with SHA-1 nor make small RSA keys; OpenSSL makes what old government servers carry.
//!
//! ```ignore
//! let root = Pki::root("netaccept test root");
//! let inter = root.issue(&Spec::ca("netaccept test intermediate"));
//! let leaf = inter.issue(&Spec::leaf(&["DNS:sx.aq.gov.test", "IP:127.0.0.1"]));
//! std::fs::write(dir.join("chain.pem"), [leaf.pem(), inter.pem()].concat())?;
//! ```

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509Extension, X509NameBuilder};

/// The key a certificate gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa(u32),
    EcP256,
    Ed25519,
}

/// The digest its issuer signs it with (ignored for an Ed25519 issuer, which has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha256,
    Sha1,
}

/// What to make: a CA or a leaf, and how it is to be wrong.
#[derive(Debug, Clone)]
pub struct Spec {
    pub cn: String,
    /// `DNS:name` or `IP:address` entries; none: no subjectAltName extension at all.
    pub san: Vec<String>,
    pub ca: bool,
    /// Days from now (negative: in the past) of notBefore and notAfter.
    pub valid: (i64, i64),
    pub key: KeyType,
    pub digest: Digest,
    /// `serverAuth`, `clientAuth`…; `None`: no extendedKeyUsage extension.
    pub eku: Option<Vec<String>>,
    /// OpenSSL's config syntax: `permitted;DNS:.gov.test`.
    pub name_constraints: Option<String>,
}

impl Spec {
    /// A CA valid from 30 days ago for ten years, RSA 2048, SHA-256.
    pub fn ca(cn: &str) -> Spec {
        Spec {
            cn: cn.to_string(),
            san: Vec::new(),
            ca: true,
            valid: (-30, 3650),
            key: KeyType::Rsa(2048),
            digest: Digest::Sha256,
            eku: None,
            name_constraints: None,
        }
    }

    /// A server leaf for `san` (the first DNS entry is also the CN), valid from a day ago
    /// for a year, RSA 2048, SHA-256, EKU serverAuth.
    pub fn leaf(san: &[&str]) -> Spec {
        let cn = san
            .iter()
            .find_map(|s| s.strip_prefix("DNS:"))
            .or_else(|| san.first().and_then(|s| s.strip_prefix("IP:")))
            .unwrap_or("netaccept test leaf");
        Spec {
            cn: cn.to_string(),
            san: san.iter().map(ToString::to_string).collect(),
            ca: false,
            valid: (-1, 365),
            key: KeyType::Rsa(2048),
            digest: Digest::Sha256,
            eku: Some(vec!["serverAuth".to_string()]),
            name_constraints: None,
        }
    }

    pub fn valid(mut self, from: i64, until: i64) -> Spec {
        self.valid = (from, until);
        self
    }

    pub fn key(mut self, key: KeyType) -> Spec {
        self.key = key;
        self
    }

    pub fn digest(mut self, digest: Digest) -> Spec {
        self.digest = digest;
        self
    }

    pub fn eku(mut self, eku: &[&str]) -> Spec {
        self.eku = Some(eku.iter().map(ToString::to_string).collect());
        self
    }

    pub fn name_constraints(mut self, nc: &str) -> Spec {
        self.name_constraints = Some(nc.to_string());
        self
    }

    /// No subjectAltName: the name only in the CN.
    pub fn cn_only(mut self, cn: &str) -> Spec {
        self.cn = cn.to_string();
        self.san.clear();
        self
    }
}

/// A certificate with its private key.
pub struct Pki {
    pub cert: X509,
    pub key: PKey<Private>,
}

impl Pki {
    /// A self-signed root (or, with a leaf spec, a self-signed leaf).
    pub fn self_signed(spec: &Spec) -> Pki {
        let key = new_key(spec.key);
        let cert = build(spec, &key, None);
        Pki { cert, key }
    }

    /// A root CA with the defaults of [`Spec::ca`].
    pub fn root(cn: &str) -> Pki {
        Pki::self_signed(&Spec::ca(cn))
    }

    /// A certificate for `spec` signed by this one.
    pub fn issue(&self, spec: &Spec) -> Pki {
        let key = new_key(spec.key);
        let cert = build(spec, &key, Some(self));
        Pki { cert, key }
    }

    pub fn pem(&self) -> Vec<u8> {
        self.cert.to_pem().unwrap()
    }

    pub fn der(&self) -> Vec<u8> {
        self.cert.to_der().unwrap()
    }

    /// The private key, PKCS#8 PEM.
    #[allow(
        dead_code,
        reason = "for client-certificate tests; tls_chain needs no key"
    )]
    pub fn key_pem(&self) -> Vec<u8> {
        self.key.private_key_to_pem_pkcs8().unwrap()
    }

    /// Certificate, key and `chain` in a PKCS#12 file protected by `password`.
    #[allow(
        dead_code,
        reason = "the client-certificate tests use it, not every binary"
    )]
    pub fn p12(&self, chain: &[&Pki], password: &str) -> Vec<u8> {
        let mut ca = openssl::stack::Stack::new().unwrap();
        for c in chain {
            ca.push(c.cert.clone()).unwrap();
        }
        let mut b = openssl::pkcs12::Pkcs12::builder();
        b.name("netaccept test client")
            .pkey(&self.key)
            .cert(&self.cert)
            .ca(ca);
        b.build2(password).unwrap().to_der().unwrap()
    }
}

fn new_key(k: KeyType) -> PKey<Private> {
    match k {
        KeyType::Rsa(bits) => PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap(),
        KeyType::EcP256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
            PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
        }
        KeyType::Ed25519 => PKey::generate_ed25519().unwrap(),
    }
}

fn time(days: i64) -> Asn1Time {
    Asn1Time::from_unix(chrono::Utc::now().timestamp() + days * 86_400).unwrap()
}

fn build(spec: &Spec, key: &PKey<Private>, issuer: Option<&Pki>) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    // Organisation first, CN last, as CAs issue them: the one-line form (RFC 4514 order)
    // then reads `CN=…, O=netaccept tests`.
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "netaccept tests")
        .unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, &spec.cn).unwrap();
    let name = name.build();

    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(120, MsbOption::MAYBE_ZERO, false).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(issuer.map_or(&*name, |i| i.cert.subject_name()))
        .unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&time(spec.valid.0)).unwrap();
    b.set_not_after(&time(spec.valid.1)).unwrap();

    if spec.ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        b.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()
                .unwrap(),
        )
        .unwrap();
    } else {
        b.append_extension(BasicConstraints::new().critical().build().unwrap())
            .unwrap();
        let mut ku = KeyUsage::new();
        ku.critical().digital_signature();
        if matches!(spec.key, KeyType::Rsa(_)) {
            ku.key_encipherment();
        }
        b.append_extension(ku.build().unwrap()).unwrap();
    }
    let ctx = b.x509v3_context(issuer.map(|i| &*i.cert), None);
    let ski = SubjectKeyIdentifier::new().build(&ctx).unwrap();
    let san = (!spec.san.is_empty()).then(|| {
        let mut s = SubjectAlternativeName::new();
        for e in &spec.san {
            match e.split_once(':') {
                Some(("DNS", v)) => s.dns(v),
                Some(("IP", v)) => s.ip(v),
                _ => panic!("SAN entry `{e}` is neither DNS: nor IP:"),
            };
        }
        s.build(&ctx).unwrap()
    });
    // The deprecated constructor is the only one that takes OpenSSL's config syntax, which
    // name constraints need.
    #[allow(deprecated)]
    let nc = spec.name_constraints.as_ref().map(|nc| {
        X509Extension::new_nid(
            None,
            Some(&ctx),
            Nid::NAME_CONSTRAINTS,
            &format!("critical,{nc}"),
        )
        .unwrap()
    });
    b.append_extension(ski).unwrap();
    if let Some(san) = san {
        b.append_extension(san).unwrap();
    }
    if let Some(nc) = nc {
        b.append_extension(nc).unwrap();
    }
    if let Some(eku) = &spec.eku {
        let mut e = ExtendedKeyUsage::new();
        for u in eku {
            match u.as_str() {
                "serverAuth" => e.server_auth(),
                "clientAuth" => e.client_auth(),
                "codeSigning" => e.code_signing(),
                "emailProtection" => e.email_protection(),
                other => e.other(other),
            };
        }
        b.append_extension(e.build().unwrap()).unwrap();
    }

    let (signer, signer_type) = match issuer {
        Some(i) => (&i.key, key_type_of(&i.key)),
        None => (key, spec.key),
    };
    let digest = match (signer_type, spec.digest) {
        (KeyType::Ed25519, _) => MessageDigest::null(),
        (_, Digest::Sha256) => MessageDigest::sha256(),
        (_, Digest::Sha1) => MessageDigest::sha1(),
    };
    b.sign(signer, digest).unwrap();
    b.build()
}

fn key_type_of(k: &PKey<Private>) -> KeyType {
    match k.id() {
        openssl::pkey::Id::ED25519 => KeyType::Ed25519,
        openssl::pkey::Id::EC => KeyType::EcP256,
        _ => KeyType::Rsa(k.bits()),
    }
}
