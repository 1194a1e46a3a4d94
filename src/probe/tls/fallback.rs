//! The OpenSSL handshakes, made where rustls found nothing in common with the server: the
//! fallback (the system's libssl at its default security level, as curl connects: TLS 1.2
//! CBC suites, RSA key exchange, DHE, which rustls does not implement) and the follow-up
//! that allows old protocols and weak parameters only to name what the server offers (a
//! `LegacyProtocol` finding), never to carry a check the suite does not allow.
//!
//! Certificates are not verified here (`SslVerifyMode::NONE`): the chain is judged by
//! `chain::verify`, as for rustls, so both libraries reach the same verdict on it.

use std::net::SocketAddr;
use std::pin::Pin;

use openssl::ssl::{Ssl, SslContext, SslMethod, SslSessionCacheMode, SslVerifyMode, SslVersion};

use super::client_auth::Identity;
use super::connect::{Handshake, HandshakeError, TlsInfo, TlsSetup, client_cert_finding, tcp};
use crate::model::TlsVersion;
use crate::outcome::tls::TlsFinding;

/// Why the fallback gave up.
pub(super) enum Failure {
    /// Done: this is the answer (TCP failed, the client certificate was refused).
    Final(HandshakeError),
    /// No handshake at OpenSSL's default level either.
    Incompatible,
}

/// What old servers need beyond the defaults: every suite OpenSSL still has
/// (`@SECLEVEL=0`: SHA-1 handshake signatures, which TLS 1.0 and 1.1 cannot do without,
/// small DH groups and keys).
const LEGACY_CIPHERS: &str = "DEFAULT:@SECLEVEL=0";

fn ssl_version(v: TlsVersion) -> SslVersion {
    match v {
        TlsVersion::V1_0 => SslVersion::TLS1,
        TlsVersion::V1_1 => SslVersion::TLS1_1,
        TlsVersion::V1_2 => SslVersion::TLS1_2,
        TlsVersion::V1_3 => SslVersion::TLS1_3,
    }
}

fn tls_version(v: SslVersion) -> Option<TlsVersion> {
    [
        (SslVersion::TLS1, TlsVersion::V1_0),
        (SslVersion::TLS1_1, TlsVersion::V1_1),
        (SslVersion::TLS1_2, TlsVersion::V1_2),
        (SslVersion::TLS1_3, TlsVersion::V1_3),
    ]
    .into_iter()
    .find_map(|(s, t)| (s == v).then_some(t))
}

/// A client context for one handshake: built per handshake, which the fallback's rarity
/// affords, so nothing is shared between checks.
fn context(
    min: TlsVersion,
    legacy: bool,
    identity: Option<&Identity>,
) -> Result<SslContext, openssl::error::ErrorStack> {
    let mut b = SslContext::builder(SslMethod::tls_client())?;
    b.set_verify(SslVerifyMode::NONE);
    b.set_min_proto_version(Some(ssl_version(min)))?;
    b.set_session_cache_mode(SslSessionCacheMode::OFF);
    if legacy {
        b.set_cipher_list(LEGACY_CIPHERS)?;
    }
    b.set_alpn_protos(b"\x02h2\x08http/1.1")?;
    if let Some(id) = identity {
        b.set_certificate(&id.certs[0])?;
        for c in &id.certs[1..] {
            b.add_extra_chain_cert(c.clone())?;
        }
        b.set_private_key(&id.key)?;
    }
    Ok(b.build())
}

/// One OpenSSL handshake over a new connection.
async fn handshake(
    addr: SocketAddr,
    sni: Option<&str>,
    ctx: &SslContext,
) -> Result<
    tokio_openssl::SslStream<tokio::net::TcpStream>,
    Result<openssl::ssl::Error, std::io::Error>,
> {
    let tcp = tcp(addr).await.map_err(Err)?;
    let setup = || -> Result<Ssl, openssl::error::ErrorStack> {
        let mut ssl = Ssl::new(ctx)?;
        if let Some(n) = sni {
            ssl.set_hostname(n)?;
        }
        Ok(ssl)
    };
    let ssl = setup().map_err(|e| Err(std::io::Error::other(e)))?;
    let mut s =
        tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| Err(std::io::Error::other(e)))?;
    match Pin::new(&mut s).connect().await {
        Ok(()) => Ok(s),
        Err(e) => Err(Ok(e)),
    }
}

/// The fallback: OpenSSL at its default security level, from `max(1.2, min_version)`;
/// when the suite allows older protocols (`min_version` below 1.2), from there and with
/// every suite (`@SECLEVEL=0`), since a suite that accepts TLS 1.0 accepts what it needs.
pub(super) async fn connect(
    addr: SocketAddr,
    sni: Option<&str>,
    setup: &TlsSetup,
) -> Result<Handshake, Failure> {
    let legacy = setup.min < TlsVersion::V1_2;
    let ctx = context(setup.min, legacy, setup.identity.as_deref()).map_err(|e| {
        Failure::Final(HandshakeError::Io(std::io::Error::other(format!(
            "cannot set up OpenSSL: {e}"
        ))))
    })?;
    match handshake(addr, sni, &ctx).await {
        Ok(s) => {
            let info = info(&s, sni, setup.identity.is_some());
            Ok(Handshake {
                stream: Box::pin(s),
                info,
            })
        }
        Err(Err(io)) => Err(Failure::Final(HandshakeError::Io(io))),
        Err(Ok(e)) => match alert_of(&e) {
            // The server refused the handshake over the client certificate: the alerts
            // servers send for that.
            Some(alert) if cert_alert(&alert) => Err(Failure::Final(HandshakeError::Finding(
                client_cert_finding(setup.identity.is_some(), alert),
            ))),
            _ => Err(Failure::Incompatible),
        },
    }
}

fn info(
    s: &tokio_openssl::SslStream<tokio::net::TcpStream>,
    sni: Option<&str>,
    presented: bool,
) -> TlsInfo {
    let ssl = s.ssl();
    let mut chain: Vec<Vec<u8>> = ssl
        .peer_cert_chain()
        .map(|c| c.iter().filter_map(|x| x.to_der().ok()).collect())
        .unwrap_or_default();
    // A client's peer chain holds the leaf first; make sure of it.
    if let Some(leaf) = ssl.peer_certificate().and_then(|c| c.to_der().ok())
        && chain.first() != Some(&leaf)
    {
        chain.insert(0, leaf);
    }
    let version = ssl
        .version2()
        .and_then(tls_version)
        .map(TlsVersion::protocol_name)
        .unwrap_or_else(|| ssl.version_str());
    TlsInfo {
        backend: "openssl",
        version: version.to_string(),
        cipher: ssl
            .current_cipher()
            .map(|c| c.standard_name().unwrap_or(c.name()).to_string())
            .unwrap_or_default(),
        chain,
        h2: ssl.selected_alpn_protocol() == Some(b"h2"),
        sni: sni.map(ToString::to_string),
        // OpenSSL does not tell whether a certificate was asked for. A TLS 1.2 server
        // refuses a certificate in the handshake, so one that completed asked for nothing
        // that matters now; a TLS 1.3 server refuses on the first read, which cannot be
        // known yet.
        asked: (ssl.version2() != Some(SslVersion::TLS1_3)).then_some(false),
        presented,
    }
}

/// The follow-up: any protocol from TLS 1.0 and any suite, only to name what the server
/// offers. `Some` when a handshake completes: below `min` → `LegacyProtocol`; at or above it
/// (it needed weak parameters) → `NoCommonSuite` saying so, with `detail` (what the server
/// said to the first handshake). With the finding, what that handshake showed (protocol,
/// suite, the chain as sent), so that the result records it as it would a check's own.
pub(super) async fn follow_up(
    addr: SocketAddr,
    sni: Option<&str>,
    min: TlsVersion,
    detail: &str,
) -> Option<(TlsFinding, TlsInfo)> {
    let ctx = context(TlsVersion::V1_0, true, None).ok()?;
    let s = handshake(addr, sni, &ctx).await.ok()?;
    let shown = info(&s, sni, false);
    let ssl = s.ssl();
    let version = ssl.version2().and_then(tls_version)?;
    let cipher = ssl
        .current_cipher()
        .map(|c| c.name().to_string())
        .unwrap_or_default();
    let finding = if version < min {
        TlsFinding::LegacyProtocol {
            protocol: version.protocol_name().to_string(),
            cipher,
            min_version: min.as_str().to_string(),
        }
    } else {
        TlsFinding::NoCommonSuite {
            detail: format!(
                "{detail}; {} ({cipher}) completes only below OpenSSL's default security level",
                version.protocol_name()
            ),
        }
    };
    Some((finding, shown))
}

/// The alert in an OpenSSL error, as the RFCs name it: OpenSSL's reason
/// "sslv3 alert handshake failure" → `handshake_failure`.
fn alert_of(e: &openssl::ssl::Error) -> Option<String> {
    e.ssl_error().and_then(alert_in_stack)
}

fn alert_in_stack(stack: &openssl::error::ErrorStack) -> Option<String> {
    stack.errors().iter().find_map(|x| {
        let reason = x.reason()?;
        let (_, name) = reason.split_once("alert ")?;
        Some(name.trim().replace(' ', "_"))
    })
}

/// The alert an OpenSSL error along a chain carries, if any.
pub(super) fn alert_in(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(ssl) = e.downcast_ref::<openssl::ssl::Error>() {
        return alert_of(ssl);
    }
    e.downcast_ref::<openssl::error::ErrorStack>()
        .and_then(alert_in_stack)
}

/// Alerts a server sends when it refuses (or misses) the client certificate.
fn cert_alert(alert: &str) -> bool {
    matches!(
        alert,
        "bad_certificate"
            | "unsupported_certificate"
            | "certificate_revoked"
            | "certificate_expired"
            | "certificate_unknown"
            | "unknown_ca"
            | "access_denied"
            | "certificate_required"
    )
}
