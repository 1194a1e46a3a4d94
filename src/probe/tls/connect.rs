//! The prober's own TLS connection: TCP connect, then a rustls handshake; where rustls finds
//! nothing in common with the server (no suite, no protocol version, a handshake signature
//! its key-size rules refuse), OpenSSL tries (`fallback`), and where OpenSSL at its default
//! security level fails too, a follow-up allowing old protocols names what the server
//! offers. The certificate chain is accepted here whatever it is and judged afterwards by
//! `chain::verify`, the same for both libraries; only the handshake signatures are checked
//! during the handshake, as they must be.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::client::Resumption;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{self, AlertDescription, DigitallySignedStruct, SignatureScheme};

use super::client_auth::{Identity, Recorder};
use super::fallback;
use crate::model::TlsVersion;
use crate::outcome::tls::TlsFinding;

/// A byte stream either library carries.
pub trait Io: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> Io for T {}

/// The connection after the handshake, ready for HTTP.
pub type Stream = Pin<Box<dyn Io>>;

/// What a handshake settled, for the record and for what comes after.
#[derive(Debug, Clone)]
pub struct TlsInfo {
    /// `rustls` or `openssl`: which library completed the handshake.
    pub backend: &'static str,
    /// `TLSv1.2`.
    pub version: String,
    /// The IANA name: `TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA`, `TLS_AES_128_GCM_SHA256`.
    pub cipher: String,
    /// DER, as the server sent them, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// ALPN chose HTTP/2.
    pub h2: bool,
    /// The name sent as SNI; `None` when the URL named an address and no `host:` was given.
    pub sni: Option<String>,
    /// Whether the server asked for a client certificate during the handshake; `None`
    /// where the library cannot tell (OpenSSL, on TLS 1.3, where a refusal comes only on
    /// the first read).
    pub asked: Option<bool>,
    /// A client certificate was presented when asked.
    pub presented: bool,
}

/// A completed handshake.
pub struct Handshake {
    pub stream: Stream,
    pub info: TlsInfo,
}

/// Why no handshake completed.
#[derive(Debug)]
pub enum HandshakeError {
    /// TCP connect failed, or the server closed or reset the connection during every
    /// handshake tried: the system's error, for the caller to classify.
    Io(std::io::Error),
    /// What the handshake showed about the server: no common suite, an old protocol only,
    /// a client certificate wanted or refused.
    Finding(TlsFinding),
    /// What the follow-up handshake found (an old protocol only, or weak parameters), with
    /// what that handshake showed: its protocol, suite and the chain as sent.
    Offered(TlsFinding, TlsInfo),
    /// Anything else that broke the handshake (a server that does not speak TLS): words.
    Protocol(String),
}

/// The TLS configuration of a check: its minimum version and client certificate, with the
/// rustls configuration built once from them and shared by every check that has them.
pub struct TlsSetup {
    pub(crate) min: TlsVersion,
    pub(crate) identity: Option<Arc<Identity>>,
    rustls: Arc<rustls::ClientConfig>,
    provider: Arc<CryptoProvider>,
}

impl TlsSetup {
    pub fn new(min: TlsVersion, identity: Option<Arc<Identity>>) -> Result<TlsSetup, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        // rustls has TLS 1.2 and 1.3 only; anything older is OpenSSL's (`fallback`).
        let versions: &[&rustls::SupportedProtocolVersion] = if min >= TlsVersion::V1_3 {
            &[&rustls::version::TLS13]
        } else {
            &[&rustls::version::TLS13, &rustls::version::TLS12]
        };
        // The builder wants a verifier and a resolver; these record into nothing. Each
        // handshake puts in its own pair (`with_rustls`), whose records are that
        // connection's.
        let verifier = Arc::new(AcceptAny {
            algs: provider.signature_verification_algorithms,
            refused: Arc::default(),
        });
        let mut cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_cert_resolver(Arc::new(Recorder {
                identity: identity.clone(),
                asked: Arc::default(),
            }));
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        // Every check makes a full handshake: it measures the whole path and must see the
        // chain and the client-certificate request, which a resumed session skips.
        cfg.resumption = Resumption::disabled();
        Ok(TlsSetup {
            min,
            identity,
            rustls: Arc::new(cfg),
            provider,
        })
    }
}

/// Accepts any chain (judged later by `chain::verify`) but checks the handshake signatures
/// against the leaf's key. `refused` records that such a check failed, which with rustls
/// also means a key its rules refuse (RSA under 2048 bits): OpenSSL then tries.
#[derive(Debug)]
struct AcceptAny {
    algs: WebPkiSupportedAlgorithms,
    refused: Arc<AtomicBool>,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
            .inspect_err(|_| self.refused.store(true, Ordering::Relaxed))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
            .inspect_err(|_| self.refused.store(true, Ordering::Relaxed))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

pub(super) async fn tcp(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpStream::connect(addr).await?;
    // Requests are small and written whole: no reason to wait for more.
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// Why rustls gave up, as far as it decides what to try next.
enum RustlsFailure {
    /// Done: this is the answer.
    Final(HandshakeError),
    /// Nothing in common (or the server hung up): OpenSSL may do better. `detail` says what
    /// the server did; `closed` that it only hung up.
    Incompatible {
        detail: String,
        closed: Option<std::io::Error>,
    },
}

/// What a refused handshake adds when no SNI was sent: servers that choose their
/// certificate (or refuse) by the name asked for see none when the URL is an address.
const NO_SNI_HINT: &str = "no SNI was sent, since the URL is an address: `host:` names the server";

/// Connects to `addr` and completes a TLS handshake, sending `sni` (none for an address).
/// A handshake refused without SNI says so: a server that needs the name (nginx's
/// `ssl_reject_handshake`, many load balancers) refuses it for that reason alone.
pub async fn connect(
    addr: SocketAddr,
    sni: Option<&str>,
    setup: &TlsSetup,
) -> Result<Handshake, HandshakeError> {
    let result = handshake(addr, sni, setup).await;
    if sni.is_some() {
        return result;
    }
    result.map_err(|e| match e {
        HandshakeError::Protocol(words) => {
            HandshakeError::Protocol(format!("{words}; {NO_SNI_HINT}"))
        }
        HandshakeError::Finding(TlsFinding::NoCommonSuite { detail }) => {
            HandshakeError::Finding(TlsFinding::NoCommonSuite {
                detail: format!("{detail}; {NO_SNI_HINT}"),
            })
        }
        other => other,
    })
}

async fn handshake(
    addr: SocketAddr,
    sni: Option<&str>,
    setup: &TlsSetup,
) -> Result<Handshake, HandshakeError> {
    let (detail, closed) = match with_rustls(addr, sni, setup).await {
        Ok(h) => return Ok(h),
        Err(RustlsFailure::Final(e)) => return Err(e),
        Err(RustlsFailure::Incompatible { detail, closed }) => (detail, closed),
    };
    match fallback::connect(addr, sni, setup).await {
        Ok(h) => return Ok(h),
        Err(fallback::Failure::Final(e)) => return Err(e),
        Err(fallback::Failure::Incompatible) => {}
    }
    // OpenSSL at its default level found nothing either: what does the server offer?
    match fallback::follow_up(addr, sni, setup.min, &detail).await {
        Some((finding, shown)) => Err(HandshakeError::Offered(finding, shown)),
        None => Err(match closed {
            // It hung up on every handshake: a server that closes, not a suite question.
            Some(io) => HandshakeError::Io(io),
            None => HandshakeError::Finding(TlsFinding::NoCommonSuite { detail }),
        }),
    }
}

async fn with_rustls(
    addr: SocketAddr,
    sni: Option<&str>,
    setup: &TlsSetup,
) -> Result<Handshake, RustlsFailure> {
    let tcp = tcp(addr)
        .await
        .map_err(|e| RustlsFailure::Final(HandshakeError::Io(e)))?;
    // The configuration is shared; the resolver and the verifier record per handshake, so
    // this handshake gets its own (a clone is a handful of reference counts).
    let asked = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicBool::new(false));
    let mut cfg = (*setup.rustls).clone();
    cfg.client_auth_cert_resolver = Arc::new(Recorder {
        identity: setup.identity.clone(),
        asked: asked.clone(),
    });
    cfg.dangerous()
        .set_certificate_verifier(Arc::new(AcceptAny {
            algs: setup.provider.signature_verification_algorithms,
            refused: refused.clone(),
        }));
    let name = match sni {
        Some(n) => ServerName::try_from(n.to_string()).map_err(|_| {
            RustlsFailure::Final(HandshakeError::Protocol(format!(
                "`{n}` cannot be sent as a TLS server name"
            )))
        })?,
        None => ServerName::IpAddress(addr.ip().into()),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    match connector.connect(name, tcp).await {
        Ok(s) => {
            let (_, conn) = s.get_ref();
            let info = TlsInfo {
                backend: "rustls",
                version: conn
                    .protocol_version()
                    .map(|v| version_name(&format!("{v:?}")))
                    .unwrap_or_default(),
                cipher: conn
                    .negotiated_cipher_suite()
                    .map(|c| iana_name(&format!("{:?}", c.suite())))
                    .unwrap_or_default(),
                chain: conn
                    .peer_certificates()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.to_vec())
                    .collect(),
                h2: conn.alpn_protocol() == Some(b"h2"),
                sni: sni.map(ToString::to_string),
                asked: Some(asked.load(Ordering::Relaxed)),
                presented: setup.identity.is_some(),
            };
            Ok(Handshake {
                stream: Box::pin(s),
                info,
            })
        }
        Err(e) => Err(rustls_failure(
            e,
            asked.load(Ordering::Relaxed),
            refused.load(Ordering::Relaxed),
            setup.identity.is_some(),
        )),
    }
}

fn rustls_failure(e: std::io::Error, asked: bool, refused: bool, have: bool) -> RustlsFailure {
    let tls = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<rustls::Error>())
        .cloned();
    let closed = matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
    ) && !crate::probe::local_exhaustion(&e);
    // Asked for a certificate, then refused the handshake: about the certificate.
    if asked && (closed || matches!(tls, Some(rustls::Error::AlertReceived(_)))) {
        let alert = match &tls {
            Some(rustls::Error::AlertReceived(a)) => alert_name(*a),
            _ => "the server closed the connection".to_string(),
        };
        return RustlsFailure::Final(HandshakeError::Finding(client_cert_finding(have, alert)));
    }
    if refused {
        return RustlsFailure::Incompatible {
            detail: "server: a handshake signature rustls does not accept".into(),
            closed: None,
        };
    }
    match tls {
        Some(rustls::Error::AlertReceived(
            a @ (AlertDescription::HandshakeFailure
            | AlertDescription::ProtocolVersion
            | AlertDescription::InsufficientSecurity
            | AlertDescription::IllegalParameter),
        )) => RustlsFailure::Incompatible {
            detail: format!("server: alert {}", alert_name(a)),
            closed: None,
        },
        Some(rustls::Error::PeerIncompatible(why)) => RustlsFailure::Incompatible {
            detail: format!("server: {}", words(&format!("{why:?}"))),
            closed: None,
        },
        Some(rustls::Error::AlertReceived(a)) => RustlsFailure::Final(HandshakeError::Protocol(
            format!("the server sent alert {}", alert_name(a)),
        )),
        Some(other) => RustlsFailure::Final(HandshakeError::Protocol(other.to_string())),
        None if closed => RustlsFailure::Incompatible {
            detail: "server: closed the connection".into(),
            closed: Some(e),
        },
        None => RustlsFailure::Final(HandshakeError::Io(e)),
    }
}

/// The finding of a handshake the server broke off after asking for a certificate.
pub(super) fn client_cert_finding(presented: bool, alert: String) -> TlsFinding {
    if presented {
        TlsFinding::ClientCertRejected { alert }
    } else {
        TlsFinding::ClientCertRequired
    }
}

/// What an error met after the handshake (on the first read, where a TLS 1.3 server
/// refuses a client certificate) means, when it is about the client certificate: the
/// server asked, then sent an alert.
pub fn after_handshake(
    info: &TlsInfo,
    e: &(dyn std::error::Error + 'static),
) -> Option<TlsFinding> {
    // Known not to have asked: an alert now is about something else.
    if info.asked == Some(false) {
        return None;
    }
    let mut next = Some(e);
    while let Some(cur) = next {
        if let Some(rustls::Error::AlertReceived(a)) = cur.downcast_ref::<rustls::Error>() {
            return Some(client_cert_finding(info.presented, alert_name(*a)));
        }
        if let Some(alert) = fallback::alert_in(cur) {
            return Some(client_cert_finding(info.presented, alert));
        }
        next = match cur.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|i| i as &(dyn std::error::Error + 'static)),
            None => cur.source(),
        };
    }
    None
}

/// An alert as the TLS RFCs name it: `handshake_failure`, `unknown_ca`.
fn alert_name(a: AlertDescription) -> String {
    // rustls spells it the British way; the RFCs (and OpenSSL) do not.
    if a == AlertDescription::UnrecognisedName {
        return "unrecognized_name".to_string();
    }
    let debug = format!("{a:?}");
    let mut out = String::new();
    let mut prev_lower = false;
    for c in debug.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// rustls's CamelCase reasons in words: `NoCipherSuitesInCommon` → "no cipher suites in
/// common".
fn words(debug: &str) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// rustls's `TLSv1_3` as OpenSSL and the results write it: `TLSv1.3`.
fn version_name(debug: &str) -> String {
    debug.replace('_', ".")
}

/// rustls names TLS 1.3 suites `TLS13_AES_128_GCM_SHA256`; IANA `TLS_AES_128_GCM_SHA256`.
fn iana_name(debug: &str) -> String {
    match debug.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => debug.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_rfcs_and_iana_write_them() {
        assert_eq!(
            alert_name(AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(
            iana_name("TLS13_AES_128_GCM_SHA256"),
            "TLS_AES_128_GCM_SHA256"
        );
        assert_eq!(
            iana_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        );
        assert_eq!(version_name("TLSv1_2"), "TLSv1.2");
        assert_eq!(
            words("NoCipherSuitesInCommon"),
            "no cipher suites in common"
        );
    }
}
