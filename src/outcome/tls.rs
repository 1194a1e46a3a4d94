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
/// verdict (see [`TlsFinding::kind`]); the fields are what both languages' sentences
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

impl Role {
    /// The role in English, as the sentences and `cert_role` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leaf => "leaf",
            Role::Intermediate => "intermediate",
            Role::Root => "root",
        }
    }

    /// The role in Chinese: what a Chinese engineer calls the certificate.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Leaf => "服务器证书",
            Role::Intermediate => "中间证书",
            Role::Root => "根证书",
        }
    }
}

impl TlsFinding {
    /// The verdict it makes: `Ok` a fail kind (the target answered wrong), `Err` an error
    /// kind (the check could not be carried out). Notes (`IntermediateNotSent`,
    /// `CaBundleIntermediate`) make none on their own: `CertInvalid` if ever used as one.
    pub fn kind(&self) -> Result<super::FailKind, super::ErrorKind> {
        use super::{ErrorKind, FailKind};
        match self {
            TlsFinding::LegacyProtocol { .. } => Ok(FailKind::LegacyTls),
            TlsFinding::NoCommonSuite { .. } => Ok(FailKind::ProtocolError),
            // Nothing is known of the application: the check was not carried out.
            TlsFinding::ClientCertRequired => Err(ErrorKind::ClientCertRequired),
            TlsFinding::ClientCertRejected { .. } => Ok(FailKind::ClientCertRejected),
            TlsFinding::Expiring { .. } => Ok(FailKind::CertExpiring),
            TlsFinding::Expired { .. }
            | TlsFinding::NotYetValid { .. }
            | TlsFinding::MissingIntermediate { .. }
            | TlsFinding::UnknownIssuer { .. }
            | TlsFinding::SelfSigned { .. }
            | TlsFinding::NameMismatch { .. }
            | TlsFinding::CnOnly { .. }
            | TlsFinding::WeakSignature { .. }
            | TlsFinding::WeakKey { .. }
            | TlsFinding::NameConstraints { .. }
            | TlsFinding::WrongPurpose { .. }
            | TlsFinding::BadSignature { .. }
            | TlsFinding::IntermediateNotSent { .. }
            | TlsFinding::CaBundleIntermediate { .. }
            | TlsFinding::Other { .. } => Ok(FailKind::CertInvalid),
        }
    }

    /// One line in English: what is wrong, naming the certificate, with the fix when there
    /// is one.
    pub fn message_en(&self) -> String {
        match self {
            TlsFinding::LegacyProtocol {
                protocol,
                cipher,
                min_version,
            } => format!(
                "server offers only {protocol} ({cipher}); the check requires TLSv{min_version} or later (`tls.min_version`)"
            ),
            TlsFinding::NoCommonSuite { detail } => format!(
                "TLS handshake failed: no protocol version or cipher suite in common ({detail})"
            ),
            TlsFinding::ClientCertRequired => {
                "server requires a client certificate (give `client_cert`)".to_string()
            }
            TlsFinding::ClientCertRejected { alert } => {
                format!("server refused the client certificate ({alert})")
            }
            TlsFinding::Expired {
                subject,
                role,
                not_after,
                days_ago,
            } => format!(
                "certificate '{subject}' ({}) {} ({not_after})",
                role.as_str(),
                expired_en(*days_ago)
            ),
            TlsFinding::NotYetValid {
                subject,
                role,
                not_before,
                days_until,
            } => {
                let when = match *days_until {
                    n if n <= 0 => "later today".to_string(),
                    n => format!("{} from now", days_en(n)),
                };
                format!(
                    "certificate '{subject}' ({}) is not valid until {not_before} ({when})",
                    role.as_str()
                )
            }
            TlsFinding::Expiring {
                subject,
                role,
                not_after,
                days_left,
                wanted,
            } => {
                // With `insecure: true` the chain is not verified and an expired leaf is
                // judged here: it has expired, it has not "-336 days left".
                if *days_left < 0 {
                    format!(
                        "certificate '{subject}' ({}) {} ({not_after}), expected at least {wanted} days left",
                        role.as_str(),
                        expired_en(-*days_left)
                    )
                } else {
                    format!(
                        "certificate '{subject}' ({}) expires {not_after} ({} left), expected at least {wanted}",
                        role.as_str(),
                        days_en(*days_left)
                    )
                }
            }
            TlsFinding::MissingIntermediate { sent, issuer } => format!(
                "server sent {}; issuer '{issuer}' was not sent (the server must send its intermediate certificates)",
                certificates_en(*sent)
            ),
            TlsFinding::UnknownIssuer { sent, issuer } => format!(
                "server sent {}, ending at issuer '{issuer}', which no CA trusted here knows (give its CA in `ca:`)",
                certificates_en(*sent)
            ),
            TlsFinding::SelfSigned { subject } => format!(
                "certificate '{subject}' is self-signed and not trusted here (give it in `ca:` if it is meant)"
            ),
            TlsFinding::NameMismatch {
                name,
                names,
                no_sni,
            } => {
                let mut s = if names.is_empty() {
                    format!("certificate has no subjectAltName, so it is not for {name}")
                } else {
                    format!("certificate is for {}, not for {name}", names.join(", "))
                };
                if *no_sni {
                    s.push_str(
                        "; no SNI is sent when the URL is an address: `host:` names the server",
                    );
                }
                s
            }
            TlsFinding::CnOnly { name } => format!(
                "the name {name} is only in the certificate's CN; clients require subjectAltName"
            ),
            TlsFinding::WeakSignature {
                subject,
                role,
                algorithm,
            } => format!(
                "certificate '{subject}' ({}) is signed with {} ({algorithm}), which current clients refuse",
                role.as_str(),
                weak_digest(algorithm)
            ),
            TlsFinding::WeakKey { subject, role, key } => {
                let (what, at_least) = weak_key_words(key);
                format!(
                    "certificate '{subject}' ({}) has {what}; at least {at_least} bits are required",
                    role.as_str()
                )
            }
            TlsFinding::NameConstraints {
                subject,
                issuer,
                detail,
            } => format!(
                "certificate '{subject}' is outside the name constraints of CA '{issuer}' ({detail})"
            ),
            TlsFinding::WrongPurpose { subject, eku } => format!(
                "certificate '{subject}' is not for TLS servers (extended key usage: {})",
                eku_words(eku)
            ),
            TlsFinding::BadSignature { subject } => {
                format!("the signature on certificate '{subject}' does not verify")
            }
            TlsFinding::IntermediateNotSent { subject } => format!(
                "server did not send intermediate '{subject}'; the chain verified only because `ca:` holds it"
            ),
            TlsFinding::CaBundleIntermediate { subject } => format!(
                "the `ca:` bundle holds intermediate '{subject}', which hides a server that does not send it"
            ),
            TlsFinding::Other {
                subject: Some(subject),
                detail,
            } => format!("certificate '{subject}': {detail}"),
            TlsFinding::Other {
                subject: None,
                detail,
            } => format!("certificate not accepted: {detail}"),
        }
    }

    /// The same line in Chinese, for the report in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            TlsFinding::LegacyProtocol {
                protocol,
                cipher,
                min_version,
            } => format!(
                "服务器只支持 {protocol}（{cipher}），本检查要求 TLSv{min_version} 及以上（`tls.min_version`）"
            ),
            TlsFinding::NoCommonSuite { detail } => {
                format!("TLS 握手失败：没有共同支持的协议版本或密码套件（{detail}）")
            }
            TlsFinding::ClientCertRequired => {
                "服务器要求客户端证书（请配置 `client_cert`）".to_string()
            }
            TlsFinding::ClientCertRejected { alert } => {
                format!("服务器拒绝了客户端证书（{alert}）")
            }
            TlsFinding::Expired {
                subject,
                role,
                not_after,
                days_ago,
            } => format!(
                "证书 '{subject}'（{}）{}（{not_after}）",
                role.zh(),
                expired_zh(*days_ago)
            ),
            TlsFinding::NotYetValid {
                subject,
                role,
                not_before,
                days_until,
            } => {
                let when = match *days_until {
                    n if n <= 0 => "今天晚些时候".to_string(),
                    n => format!("{n} 天后"),
                };
                format!(
                    "证书 '{subject}'（{}）尚未生效，{not_before} 起才有效（{when}）",
                    role.zh()
                )
            }
            TlsFinding::Expiring {
                subject,
                role,
                not_after,
                days_left,
                wanted,
            } => {
                if *days_left < 0 {
                    format!(
                        "证书 '{subject}'（{}）{}（{not_after}），要求至少还有 {wanted} 天有效期",
                        role.zh(),
                        expired_zh(-*days_left)
                    )
                } else {
                    format!(
                        "证书 '{subject}'（{}）将于 {not_after} 到期（剩余 {days_left} 天），要求至少 {wanted} 天",
                        role.zh()
                    )
                }
            }
            TlsFinding::MissingIntermediate { sent, issuer } => format!(
                "服务器只发送了 {sent} 张证书，未发送签发者 '{issuer}'（服务器须发送中间证书）"
            ),
            TlsFinding::UnknownIssuer { sent, issuer } => format!(
                "服务器发送了 {sent} 张证书，链止于签发者 '{issuer}'，本机信任的 CA 中没有它（请在 `ca:` 中给出其 CA）"
            ),
            TlsFinding::SelfSigned { subject } => format!(
                "证书 '{subject}' 是自签名证书，本机不信任（如确属预期，请在 `ca:` 中给出它）"
            ),
            TlsFinding::NameMismatch {
                name,
                names,
                no_sni,
            } => {
                let mut s = if names.is_empty() {
                    format!("证书没有 subjectAltName，因此不适用于 {name}")
                } else {
                    format!("证书适用于 {}，不适用于 {name}", names.join(", "))
                };
                if *no_sni {
                    s.push_str("；URL 为地址时不发送 SNI：请用 `host:` 指明服务器名");
                }
                s
            }
            TlsFinding::CnOnly { name } => {
                format!("名称 {name} 只出现在证书的 CN 中；客户端要求它在 subjectAltName 中")
            }
            TlsFinding::WeakSignature {
                subject,
                role,
                algorithm,
            } => format!(
                "证书 '{subject}'（{}）使用 {} 签名（{algorithm}），当前的客户端会拒绝",
                role.zh(),
                weak_digest(algorithm)
            ),
            TlsFinding::WeakKey { subject, role, key } => {
                let (_, at_least) = weak_key_words(key);
                format!(
                    "证书 '{subject}'（{}）的密钥为 {key}，强度不足；至少需要 {at_least} 位",
                    role.zh()
                )
            }
            TlsFinding::NameConstraints {
                subject,
                issuer,
                detail,
            } => format!("证书 '{subject}' 超出了 CA '{issuer}' 的名称约束（{detail}）"),
            TlsFinding::WrongPurpose { subject, eku } => format!(
                "证书 '{subject}' 不可用于 TLS 服务器（扩展密钥用法：{}）",
                eku_words(eku)
            ),
            TlsFinding::BadSignature { subject } => {
                format!("证书 '{subject}' 上的签名验证不通过")
            }
            TlsFinding::IntermediateNotSent { subject } => {
                format!("服务器未发送中间证书 '{subject}'；证书链能验证通过，只是因为 `ca:` 中有它")
            }
            TlsFinding::CaBundleIntermediate { subject } => {
                format!("`ca:` 证书包中有中间证书 '{subject}'，会掩盖不发送该中间证书的服务器")
            }
            TlsFinding::Other {
                subject: Some(subject),
                detail,
            } => format!("证书 '{subject}'：{detail}"),
            TlsFinding::Other {
                subject: None,
                detail,
            } => format!("证书未被接受：{detail}"),
        }
    }
}

/// `n` days, with the singular for one.
fn days_en(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// "expired 336 days ago", "expired today": how long ago, never a negative count.
fn expired_en(days_ago: i64) -> String {
    if days_ago <= 0 {
        "expired today".to_string()
    } else {
        format!("expired {} ago", days_en(days_ago))
    }
}

fn expired_zh(days_ago: i64) -> String {
    if days_ago <= 0 {
        "已于今天过期".to_string()
    } else {
        format!("已于 {days_ago} 天前过期")
    }
}

/// "1 certificate", "2 certificates".
fn certificates_en(n: usize) -> String {
    if n == 1 {
        "1 certificate".to_string()
    } else {
        format!("{n} certificates")
    }
}

/// The broken digest an algorithm name says (`sha1WithRSAEncryption` → `SHA-1`), for the
/// sentence to name what clients refuse; the algorithm itself is shown beside it.
fn weak_digest(algorithm: &str) -> &'static str {
    let a = algorithm.to_ascii_lowercase();
    if a.contains("md5") {
        "MD5"
    } else if a.contains("md2") {
        "MD2"
    } else if a.contains("md4") {
        "MD4"
    } else if a.contains("sha1") || a.contains("sha-1") {
        "SHA-1"
    } else {
        "a broken digest"
    }
}

/// `RSA 1024` → ("an RSA 1024-bit key", 2048); `EC P-192` → ("an EC P-192 key", 256): the
/// key as the sentence says it and the least size the policy takes for its kind.
fn weak_key_words(key: &str) -> (String, u32) {
    match key.split_once(' ') {
        Some((kind @ ("RSA" | "DSA"), bits)) if bits.parse::<u32>().is_ok() => {
            (format!("an {kind} {bits}-bit key"), 2048)
        }
        _ if key.starts_with("EC") => (format!("an {key} key"), 256),
        _ => (format!("a {key} key"), 2048),
    }
}

fn eku_words(eku: &[String]) -> String {
    if eku.is_empty() {
        "none".to_string()
    } else {
        eku.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{ErrorKind, FailKind};

    fn expired(days_ago: i64) -> TlsFinding {
        TlsFinding::Expired {
            subject: "CN=netaccept test root, O=netaccept tests".to_string(),
            role: Role::Root,
            not_after: "2025-01-08T00:00:00Z".to_string(),
            days_ago,
        }
    }

    #[test]
    fn an_expired_certificate_says_how_long_ago_never_a_negative_count() {
        assert_eq!(
            expired(336).message_en(),
            "certificate 'CN=netaccept test root, O=netaccept tests' (root) expired 336 days ago (2025-01-08T00:00:00Z)"
        );
        assert_eq!(
            expired(336).message_zh(),
            "证书 'CN=netaccept test root, O=netaccept tests'（根证书）已于 336 天前过期（2025-01-08T00:00:00Z）"
        );
        assert!(expired(0).message_en().contains("expired today"));
        assert!(expired(1).message_en().contains("expired 1 day ago"));
        // Judged without verification (`insecure: true`), an expired leaf arrives as an
        // expiry with negative days: it still reads as expired.
        let late = TlsFinding::Expiring {
            subject: "CN=a.test".to_string(),
            role: Role::Leaf,
            not_after: "2025-01-08T00:00:00Z".to_string(),
            days_left: -336,
            wanted: 30,
        };
        assert_eq!(
            late.message_en(),
            "certificate 'CN=a.test' (leaf) expired 336 days ago (2025-01-08T00:00:00Z), expected at least 30 days left"
        );
        assert!(!late.message_en().contains("-336"));
        assert!(!late.message_zh().contains("-336"));
    }

    #[test]
    fn the_sentences_of_the_design_in_english() {
        let legacy = TlsFinding::LegacyProtocol {
            protocol: "TLSv1.0".to_string(),
            cipher: "ECDHE-RSA-AES256-SHA".to_string(),
            min_version: "1.2".to_string(),
        };
        assert_eq!(
            legacy.message_en(),
            "server offers only TLSv1.0 (ECDHE-RSA-AES256-SHA); the check requires TLSv1.2 or later (`tls.min_version`)"
        );
        let expiring = TlsFinding::Expiring {
            subject: "CN=netaccept test intermediate".to_string(),
            role: Role::Intermediate,
            not_after: "2026-12-08T00:00:00Z".to_string(),
            days_left: 5,
            wanted: 30,
        };
        assert_eq!(
            expiring.message_en(),
            "certificate 'CN=netaccept test intermediate' (intermediate) expires 2026-12-08T00:00:00Z (5 days left), expected at least 30"
        );
        let missing = TlsFinding::MissingIntermediate {
            sent: 1,
            issuer: "CN=Test Intermediate CA".to_string(),
        };
        assert_eq!(
            missing.message_en(),
            "server sent 1 certificate; issuer 'CN=Test Intermediate CA' was not sent (the server must send its intermediate certificates)"
        );
        let mismatch = TlsFinding::NameMismatch {
            name: "127.0.0.1".to_string(),
            names: vec!["DNS:a.test".to_string(), "IP:10.0.0.1".to_string()],
            no_sni: true,
        };
        assert_eq!(
            mismatch.message_en(),
            "certificate is for DNS:a.test, IP:10.0.0.1, not for 127.0.0.1; no SNI is sent when the URL is an address: `host:` names the server"
        );
        let weak = TlsFinding::WeakKey {
            subject: "CN=a.test".to_string(),
            role: Role::Leaf,
            key: "RSA 1024".to_string(),
        };
        assert_eq!(
            weak.message_en(),
            "certificate 'CN=a.test' (leaf) has an RSA 1024-bit key; at least 2048 bits are required"
        );
        let sha1 = TlsFinding::WeakSignature {
            subject: "CN=a.test".to_string(),
            role: Role::Leaf,
            algorithm: "sha1WithRSAEncryption".to_string(),
        };
        assert_eq!(
            sha1.message_en(),
            "certificate 'CN=a.test' (leaf) is signed with SHA-1 (sha1WithRSAEncryption), which current clients refuse"
        );
        let purpose = TlsFinding::WrongPurpose {
            subject: "CN=a.test".to_string(),
            eku: vec!["clientAuth".to_string()],
        };
        assert_eq!(
            purpose.message_en(),
            "certificate 'CN=a.test' is not for TLS servers (extended key usage: clientAuth)"
        );
    }

    #[test]
    fn the_sentences_in_chinese_keep_names_and_numbers() {
        let legacy = TlsFinding::LegacyProtocol {
            protocol: "TLSv1.0".to_string(),
            cipher: "ECDHE-RSA-AES256-SHA".to_string(),
            min_version: "1.2".to_string(),
        };
        assert_eq!(
            legacy.message_zh(),
            "服务器只支持 TLSv1.0（ECDHE-RSA-AES256-SHA），本检查要求 TLSv1.2 及以上（`tls.min_version`）"
        );
        let missing = TlsFinding::MissingIntermediate {
            sent: 1,
            issuer: "CN=Test Intermediate CA".to_string(),
        };
        assert_eq!(
            missing.message_zh(),
            "服务器只发送了 1 张证书，未发送签发者 'CN=Test Intermediate CA'（服务器须发送中间证书）"
        );
        let expiring = TlsFinding::Expiring {
            subject: "CN=netaccept test intermediate".to_string(),
            role: Role::Intermediate,
            not_after: "2026-12-08T00:00:00Z".to_string(),
            days_left: 5,
            wanted: 30,
        };
        assert_eq!(
            expiring.message_zh(),
            "证书 'CN=netaccept test intermediate'（中间证书）将于 2026-12-08T00:00:00Z 到期（剩余 5 天），要求至少 30 天"
        );
        assert_eq!(
            TlsFinding::ClientCertRequired.message_zh(),
            "服务器要求客户端证书（请配置 `client_cert`）"
        );
        let weak = TlsFinding::WeakKey {
            subject: "CN=a.test".to_string(),
            role: Role::Leaf,
            key: "RSA 1024".to_string(),
        };
        assert_eq!(
            weak.message_zh(),
            "证书 'CN=a.test'（服务器证书）的密钥为 RSA 1024，强度不足；至少需要 2048 位"
        );
    }

    #[test]
    fn kinds_follow_the_design_table() {
        assert_eq!(
            TlsFinding::ClientCertRequired.kind(),
            Err(ErrorKind::ClientCertRequired)
        );
        assert_eq!(
            TlsFinding::NoCommonSuite {
                detail: "server: alert handshake_failure".to_string()
            }
            .kind(),
            Ok(FailKind::ProtocolError)
        );
        assert_eq!(expired(3).kind(), Ok(FailKind::CertInvalid));
        assert_eq!(
            TlsFinding::ClientCertRejected {
                alert: "alert bad_certificate".to_string()
            }
            .kind(),
            Ok(FailKind::ClientCertRejected)
        );
        assert_eq!(
            TlsFinding::LegacyProtocol {
                protocol: "TLSv1.1".to_string(),
                cipher: "AES128-SHA".to_string(),
                min_version: "1.2".to_string()
            }
            .kind(),
            Ok(FailKind::LegacyTls)
        );
    }

    #[test]
    fn findings_round_trip_through_json_with_the_code_tag() {
        let findings = [
            expired(336),
            TlsFinding::ClientCertRequired,
            TlsFinding::NameMismatch {
                name: "a.test".to_string(),
                names: vec!["DNS:b.test".to_string()],
                no_sni: false,
            },
            TlsFinding::Other {
                subject: None,
                detail: "certificate chain too long".to_string(),
            },
        ];
        for f in findings {
            let json = serde_json::to_value(&f).unwrap();
            assert_eq!(serde_json::from_value::<TlsFinding>(json).unwrap(), f);
        }
        let json = serde_json::to_value(expired(336)).unwrap();
        assert_eq!(json["code"], "expired");
        assert_eq!(json["role"], "root");
        assert_eq!(json["days_ago"], 336);
        assert_eq!(
            serde_json::to_value(TlsFinding::ClientCertRequired).unwrap(),
            serde_json::json!({"code": "client_cert_required"})
        );
    }
}
