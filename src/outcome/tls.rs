//! What a TLS handshake showed, as recorded on every HTTPS result: the certificates as the
//! server sent them ([`CertInfo`]) and, when something is wrong, one [`TlsFinding`] saying
//! what, in words an engineer can act on, in English and Chinese. The prober fills them;
//! the reports read them back from `results.json` (`tls_chain`, `tls_finding`, `tls_notes`)
//! and show the leaf and the failing certificate in the report's language.

use serde::{Deserialize, Serialize};

/// One certificate, described for the record: enough to stand without `openssl s_client`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// RFC 4514 order as OpenSSL prints it one-line: `CN=sx.aq.gov.test, O=…`.
    pub subject: String,
    pub issuer: String,
    /// subjectAltName entries: `DNS:name`, `IP:address`; empty when there is none.
    pub san: Vec<String>,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// `RSA 2048`, `EC P-256`, `Ed25519`.
    pub key: String,
    /// The signature algorithm, as OpenSSL names it: `sha256WithRSAEncryption`,
    /// `ecdsa-with-SHA256`, `ED25519`, `sha1WithRSAEncryption`.
    pub signature: String,
    /// SHA-256 of the DER, lower-case hex: which certificate exactly.
    pub sha256: String,
}

/// Where a certificate sits in the verified chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Leaf,
    Intermediate,
    Root,
}

/// What is wrong with a TLS endpoint, or worth knowing about it. The variant decides the
/// verdict (see [`TlsFinding::verdict`]); the fields are what both languages' sentences
/// need. Serialized with `code` as the tag: `{"code":"legacy_protocol","protocol":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TlsFinding {
    /// The server completes a handshake only below the check's `tls.min_version`.
    /// `cipher` in OpenSSL's name (`ECDHE-RSA-AES256-SHA`), as `s_client` shows it.
    LegacyProtocol {
        protocol: String,
        cipher: String,
        min_version: String,
    },
    /// No handshake at all, even allowing old protocols and suites: `detail` is what the
    /// server said (an alert) or did (closed the connection).
    NoCommonSuite { detail: String },
    /// The server asked for a client certificate and the check has none.
    ClientCertRequired,
    /// The check presented `client_cert` and the server refused it (`alert` as received).
    ClientCertRejected { alert: String },
    /// A certificate of the verified chain is past its notAfter.
    Expired {
        subject: String,
        role: Role,
        not_after: String,
        days_ago: i64,
    },
    /// A certificate of the chain is not valid yet (notBefore in the future).
    NotYetValid {
        subject: String,
        role: Role,
        not_before: String,
        days_until: i64,
    },
    /// The chain verifies and its earliest expiry is sooner than `cert_valid_days`.
    Expiring {
        subject: String,
        role: Role,
        not_after: String,
        days_left: i64,
        wanted: u32,
    },
    /// The server sent `sent` certificates, the last of them issued by `issuer`, which it
    /// did not send and which is no root trusted here; the leaf alone was sent (`sent` 1)
    /// or the last sent certificate is not a CA's own: an intermediate is missing.
    MissingIntermediate { sent: usize, issuer: String },
    /// The chain ends at `issuer`, a CA no store trusted here holds (the system store and
    /// `ca:`): the suite forgot `ca:`, or the server's CA is not the one expected.
    UnknownIssuer { sent: usize, issuer: String },
    /// The leaf is signed by its own key and is not trusted here.
    SelfSigned { subject: String },
    /// The leaf is not for `name`. `names` are its SAN entries (`DNS:…`, `IP:…`);
    /// `no_sni` when the URL named an address, so no SNI was sent and the server chose its
    /// default certificate (`host:` names the server).
    NameMismatch {
        name: String,
        names: Vec<String>,
        no_sni: bool,
    },
    /// The name is only in the subject's CN; clients require subjectAltName.
    CnOnly { name: String },
    /// A certificate (not a root) is signed with a broken digest (SHA-1, MD5).
    WeakSignature {
        subject: String,
        role: Role,
        algorithm: String,
    },
    /// A certificate's key is too small (`key`: `RSA 1024`).
    WeakKey {
        subject: String,
        role: Role,
        key: String,
    },
    /// The leaf's names fall outside the name constraints of CA `issuer`.
    NameConstraints {
        subject: String,
        issuer: String,
        detail: String,
    },
    /// The leaf's extended key usage does not allow TLS servers (`eku`: what it allows).
    WrongPurpose { subject: String, eku: Vec<String> },
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature { subject: String },
    /// The server did not send intermediate `subject`; the chain verified only because the
    /// suite's `ca:` holds it, which hides the server's fault from this check (a note).
    IntermediateNotSent { subject: String },
    /// The suite's `ca:` bundle holds an intermediate (`subject`), which hides a server
    /// that does not send it (a note).
    CaBundleIntermediate { subject: String },
    /// Anything else OpenSSL refused, in its words.
    Other {
        subject: Option<String>,
        detail: String,
    },
}

impl TlsFinding {
    /// The verdict it makes: `Ok` a fail kind (the target answered wrong), `Err` an error
    /// kind (the check could not be carried out). Notes (`IntermediateNotSent`,
    /// `CaBundleIntermediate`) make none on their own: `CertInvalid` if ever used as one.
    pub fn kind(&self) -> Result<super::FailKind, super::ErrorKind> {
        let _ = self;
        unimplemented!("issue 14: finding kinds")
    }

    /// One line in English: what is wrong, naming the certificate, with the fix when there
    /// is one.
    pub fn message_en(&self) -> String {
        unimplemented!("issue 14: finding words")
    }

    /// The same line in Chinese, for the report in Chinese.
    pub fn message_zh(&self) -> String {
        unimplemented!("issue 14: finding words")
    }
}
