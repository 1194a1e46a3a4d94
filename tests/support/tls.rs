//! Certificates made at test time (a private CA and leaves signed by it, expired, for the
//! wrong name, self-signed, about to expire) and an HTTPS listener for axum that serves
//! one of them.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate and its key, ready for a server.
pub struct Leaf {
    pub der: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
}

/// Sets the validity to run from midnight UTC `from` days from today to midnight `until`
/// days from today (negative: in the past). rcgen's date type is not re-exported, hence
/// the fields are set here rather than a date returned.
fn validity(p: &mut CertificateParams, from: i64, until: i64) {
    let ymd = |days: i64| {
        let d = chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days);
        (d.year(), d.month() as u8, d.day() as u8)
    };
    let (y, m, d) = ymd(from);
    p.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = ymd(until);
    p.not_after = rcgen::date_time_ymd(y, m, d);
}

pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    pub fn new() -> Ca {
        let mut p = CertificateParams::default();
        p.distinguished_name
            .push(DnType::CommonName, "netaccept test CA");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut p, -30, 3650);
        let issuer = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A leaf for `names`, valid from `from` to `until` days from today, signed by this CA.
    pub fn leaf(&self, names: &[&str], from: i64, until: i64) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(names, from, until)
            .signed_by(&key, &self.issuer)
            .unwrap();
        Leaf {
            der: cert.der().clone(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

fn leaf_params(names: &[&str], from: i64, until: i64) -> CertificateParams {
    let mut p = CertificateParams::new(
        names
            .iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    p.distinguished_name.push(DnType::CommonName, names[0]);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut p, from, until);
    p
}

/// A leaf that signs itself, for `names`, valid for a year.
#[allow(dead_code, reason = "used by the probes binary, not by e2e")]
pub fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(names, -1, 365).self_signed(&key).unwrap();
    Leaf {
        der: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// An axum listener that completes the TLS handshake before handing the stream over;
/// handshakes the client aborts (it rejected the certificate) are skipped.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Serves `app` over HTTPS with `leaf` on `ip:0`; returns the address.
#[allow(dead_code, reason = "used by the probes binary, not by e2e")]
pub async fn serve_https(ip: &str, leaf: Leaf, app: axum::Router) -> SocketAddr {
    serve_https_on(ip, 0, leaf, app).await
}

/// Serves `app` over HTTPS with `leaf` on `ip:port`; returns the address.
pub async fn serve_https_on(ip: &str, port: u16, leaf: Leaf, app: axum::Router) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der], leaf.key)
        .unwrap();
    let tcp = TcpListener::bind((ip, port)).await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}
