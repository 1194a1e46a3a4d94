//! One HTTPS hop on the prober's own connection: the address, the TLS handshake
//! (`probe::tls::connect`), the chain verified BEFORE any HTTP byte is written (a secret
//! header must not reach an unverified server), the TLS measurements recorded, then the
//! request over hyper (HTTP/2 or HTTP/1.1, as ALPN chose) and its response handed back as
//! a `reqwest::Response`, so that redirects, the body, the charset and the judge treat
//! both schemes alike.
//!
//! With `--reuse-connections` a connection whose exchange is over waits up to a second in
//! [`Pool`] for the next check of the same endpoint and TLS configuration, as reqwest's pool
//! did: one per endpoint, with its handshake's measurements and verdict.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{Either, Empty, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde_json::json;

use super::cert::Cert;
use super::{IDLE_REUSE, USER_AGENT};
use crate::outcome::tls::{CertInfo, Role, TlsFinding};
use crate::probe::Measurements;
use crate::probe::resolve::lookup;
use crate::probe::tls::{self, HandshakeError, Name, TlsInfo, TlsSetup, Trust};

type ReqBody = Either<Full<Bytes>, Empty<Bytes>>;

/// The measurements a hop's TLS records: cleared when a redirect leads to plain HTTP, so
/// that they describe the connection of the answer judged.
pub(super) const TLS_KEYS: [&str; 12] = [
    "tls_backend",
    "tls_client_cert_asked",
    "tls_version",
    "tls_cipher",
    "tls_sni",
    "tls_chain",
    "tls_root",
    "tls_notes",
    "cert_days_left",
    "cert_not_after",
    "cert_subject",
    "cert_role",
];

/// The TLS configuration of a hop, built once per suite setting and shared.
#[derive(Clone)]
pub(super) struct Https {
    /// `None` with `insecure: true`: the chain is described but not judged.
    pub(super) trust: Option<Arc<Trust>>,
    pub(super) setup: Arc<TlsSetup>,
}

/// Why a hop brought no response.
pub(super) enum HopError {
    /// Connecting or the exchange failed (the classifier reads the error); `connect` when
    /// no connection was made.
    Transport {
        error: Box<dyn StdError + Send + Sync>,
        connect: bool,
    },
    /// The handshake broke for a reason that is not the system's: words for "TLS handshake
    /// failed: …".
    Handshake(String),
    /// What TLS showed about the server (recorded as `tls_finding` by the caller).
    Finding(TlsFinding),
}

enum Sender {
    H1(http1::SendRequest<ReqBody>),
    H2(http2::SendRequest<ReqBody>),
}

impl Sender {
    fn usable(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_ready() && !s.is_closed(),
            Sender::H2(s) => s.is_ready() && !s.is_closed(),
        }
    }
}

/// A connection and what its handshake showed, as kept between checks.
struct Conn {
    sender: Sender,
    info: TlsInfo,
    /// What the measurements of its handshake were (the same for every check using it).
    recorded: Measurements,
    /// The expiry judged by `cert_valid_days`.
    cert: Option<Cert>,
    /// hyper's connection task: when it fails first (a TLS 1.3 server's alert read before
    /// the request went out), its error says why, where the request's says only "closed".
    driver: tokio::task::JoinHandle<Result<(), hyper::Error>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PoolKey {
    addr: SocketAddr,
    sni: Option<String>,
    /// The shared setup and trust, by identity: one pool entry per TLS configuration.
    setup: usize,
    trust: usize,
}

/// A kept connection: its generation (which timer may drop it) and since when it waits.
type Idle = (u64, Instant, Conn);

/// Connections left open for the next check of their endpoint (`--reuse-connections`).
#[derive(Default)]
pub(super) struct Pool {
    on: bool,
    idle: Arc<Mutex<HashMap<PoolKey, Idle>>>,
    generation: AtomicU64,
}

impl Pool {
    pub(super) fn new(on: bool) -> Pool {
        Pool {
            on,
            ..Pool::default()
        }
    }

    /// `--reuse-connections` was given.
    pub(super) fn is_on(&self) -> bool {
        self.on
    }

    fn take(&self, key: &PoolKey) -> Option<Conn> {
        if !self.on {
            return None;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, since, conn) = idle.remove(key)?;
        (since.elapsed() < IDLE_REUSE && conn.sender.usable()).then_some(conn)
    }

    /// Keeps `conn` for the next check; it is dropped (closed) after [`IDLE_REUSE`] unused.
    fn put(&self, key: PoolKey, conn: Conn) {
        if !self.on {
            return;
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), (generation, Instant::now(), conn));
        let idle = Arc::downgrade(&self.idle);
        tokio::spawn(async move {
            tokio::time::sleep(IDLE_REUSE).await;
            if let Some(idle) = idle.upgrade() {
                let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.get(&key).is_some_and(|(g, _, _)| *g == generation) {
                    idle.remove(&key);
                }
            }
        });
    }
}

/// How long a failed request waits for the connection task to report why the connection
/// ended (it has, or is about to: the request failed because it did).
const DRIVER_GRACE: Duration = Duration::from_millis(200);

/// The request of one hop.
pub(super) struct Hop<'a> {
    pub(super) method: &'a Method,
    pub(super) url: &'a Url,
    pub(super) headers: &'a HeaderMap,
    pub(super) body: Option<&'a str>,
    /// A `host:` override: this name is reached at this address.
    pub(super) resolve: Option<&'a (String, IpAddr)>,
}

/// Sends one HTTPS request. The TLS measurements go into `m` as soon as the handshake is
/// done, so that a failure after it still records them; the returned [`Cert`] is the
/// expiry `cert_valid_days` judges.
pub(super) async fn send(
    hop: &Hop<'_>,
    https: &Https,
    pool: &Pool,
    m: &mut Measurements,
) -> Result<(reqwest::Response, Option<Cert>), HopError> {
    let url = hop.url;
    let port = url.port_or_known_default().unwrap_or(443);
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    // Where to connect, what to send as SNI and what the certificate must name.
    let (addrs, sni, name) = match (hop.resolve, host.parse::<IpAddr>()) {
        (Some((n, ip)), _) if *n == host => (
            vec![SocketAddr::new(*ip, port)],
            Some(host.clone()),
            Name::Dns(host.clone()),
        ),
        (_, Ok(ip)) => (vec![SocketAddr::new(ip, port)], None, Name::Ip(ip)),
        (_, Err(_)) => match lookup(&host, port).await {
            Ok(a) => (a, Some(host.clone()), Name::Dns(host.clone())),
            Err(e) => {
                return Err(HopError::Transport {
                    error: Box::new(e),
                    connect: true,
                });
            }
        },
    };
    let key = |addr| PoolKey {
        addr,
        sni: sni.clone(),
        setup: Arc::as_ptr(&https.setup) as usize,
        trust: https.trust.as_ref().map_or(0, |t| Arc::as_ptr(t) as usize),
    };
    let reused = addrs
        .iter()
        .find_map(|a| pool.take(&key(*a)).map(|c| (*a, c)));
    let (addr, mut conn) = match reused {
        Some(x) => x,
        None => connect(&addrs, sni.as_deref(), &name, https, m).await?,
    };
    m.extend(conn.recorded.clone());

    let req = request(hop, conn.info.h2).map_err(|e| HopError::Transport {
        error: e.into(),
        connect: false,
    })?;
    let sent = match &mut conn.sender {
        Sender::H1(s) => s.send_request(req).await,
        Sender::H2(s) => s.send_request(req).await,
    };
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            // The connection's own error, if it ended: it is read first and says more.
            let driver = tokio::time::timeout(DRIVER_GRACE, &mut conn.driver).await;
            let e = match driver {
                Ok(Ok(Err(driver_error))) => driver_error,
                _ => e,
            };
            // A TLS 1.3 server refuses a client certificate only now, on the first read.
            if let Some(f) = tls::after_handshake(&conn.info, &e) {
                return Err(HopError::Finding(f));
            }
            return Err(HopError::Transport {
                error: Box::new(e),
                connect: false,
            });
        }
    };
    let cert = conn.cert.clone();
    // HTTP/1.1 becomes ready again once this response's body has been read to its end;
    // the pool takes it only then (`Sender::usable`).
    pool.put(key(addr), conn);
    let resp = resp.map(reqwest::Body::wrap);
    Ok((reqwest::Response::from(resp), cert))
}

/// A new connection to the first address that answers: the handshake, the chain judged,
/// hyper on top.
async fn connect(
    addrs: &[SocketAddr],
    sni: Option<&str>,
    name: &Name,
    https: &Https,
    m: &mut Measurements,
) -> Result<(SocketAddr, Conn), HopError> {
    let mut last = None;
    let mut done = None;
    for addr in addrs {
        match tls::connect(*addr, sni, &https.setup).await {
            Ok(h) => {
                done = Some((*addr, h));
                break;
            }
            Err(HandshakeError::Io(e)) => last = Some(e),
            Err(HandshakeError::Protocol(words)) => return Err(HopError::Handshake(words)),
            Err(HandshakeError::Finding(f)) => return Err(HopError::Finding(f)),
            Err(HandshakeError::Offered(f, shown)) => {
                // The check fails on what the server offers; the record still shows the
                // handshake that found it, chain and all, as for any other HTTPS result.
                let mut recorded = Measurements::new();
                record_handshake(&shown, &mut recorded);
                m.extend(recorded);
                return Err(HopError::Finding(f));
            }
        }
    }
    let Some((addr, h)) = done else {
        let e = last.unwrap_or_else(|| std::io::Error::other("the name has no address"));
        return Err(HopError::Transport {
            error: Box::new(e),
            connect: true,
        });
    };
    let mut recorded = Measurements::new();
    let info = h.info;
    let sent = record_handshake(&info, &mut recorded);
    let cert = match &https.trust {
        Some(trust) => {
            let now = chrono::Utc::now().timestamp();
            match tls::verify(&info.chain, trust, name, info.sni.is_some(), now) {
                Ok(v) => {
                    if let Some(root) = v.chain.last()
                        && !sent.iter().any(|c| c.sha256 == root.sha256)
                    {
                        recorded.insert("tls_root".into(), json!(root));
                    }
                    let notes: Vec<&TlsFinding> =
                        v.notes.iter().chain(trust.notes().iter()).collect();
                    if !notes.is_empty() {
                        recorded.insert("tls_notes".into(), json!(notes));
                    }
                    Some(Cert {
                        subject: v.earliest.subject,
                        role: v.earliest.role,
                        not_after: v.earliest.not_after,
                        days_left: v.earliest.days_left,
                    })
                }
                Err(f) => {
                    m.extend(recorded);
                    return Err(HopError::Finding(f));
                }
            }
        }
        // `insecure`: nothing judged, the leaf's expiry recorded all the same.
        None => sent.first().and_then(Cert::of_leaf),
    };
    if let Some(c) = &cert {
        recorded.insert("cert_days_left".into(), json!(c.days_left));
        recorded.insert("cert_not_after".into(), json!(c.not_after));
        recorded.insert("cert_subject".into(), json!(c.subject));
        recorded.insert("cert_role".into(), json!(c.role));
    }
    let io = TokioIo::new(h.stream);
    let (sender, driver) = if info.h2 {
        let (s, driver) = http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(|e| transport(e, false))?;
        (Sender::H2(s), tokio::spawn(driver))
    } else {
        let (s, driver) = http1::handshake(io)
            .await
            .map_err(|e| transport(e, false))?;
        (Sender::H1(s), tokio::spawn(driver))
    };
    Ok((
        addr,
        Conn {
            sender,
            info,
            recorded,
            cert,
            driver,
        },
    ))
}

/// What a handshake showed, recorded: the library, protocol, suite, SNI and the chain as
/// sent, which is returned described.
fn record_handshake(info: &TlsInfo, recorded: &mut Measurements) -> Vec<CertInfo> {
    recorded.insert("tls_backend".into(), json!(info.backend));
    recorded.insert("tls_version".into(), json!(info.version));
    recorded.insert("tls_cipher".into(), json!(info.cipher));
    if let Some(s) = &info.sni {
        recorded.insert("tls_sni".into(), json!(s));
    }
    // Only where the library saw the request (rustls; OpenSSL does not tell).
    if info.asked == Some(true) {
        recorded.insert("tls_client_cert_asked".into(), json!(true));
    }
    let sent = tls::describe(&info.chain);
    recorded.insert("tls_chain".into(), json!(sent));
    sent
}

fn transport(e: impl StdError + Send + Sync + 'static, connect: bool) -> HopError {
    HopError::Transport {
        error: Box::new(e),
        connect,
    }
}

/// The request as reqwest sent it: `Host` (HTTP/1.1; HTTP/2 carries it as `:authority`),
/// `User-Agent`, `Accept: */*` unless the suite set them, then the suite's headers.
fn request(hop: &Hop<'_>, h2: bool) -> Result<hyper::Request<ReqBody>, hyper::http::Error> {
    let url = hop.url;
    let uri = if h2 {
        url.as_str().to_string()
    } else {
        let mut p = url.path().to_string();
        if let Some(q) = url.query() {
            p.push('?');
            p.push_str(q);
        }
        p
    };
    let mut headers = hop.headers.clone();
    if !h2 && !headers.contains_key(header::HOST) {
        let host = url.host_str().unwrap_or_default();
        let value = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        headers.insert(header::HOST, HeaderValue::from_str(&value)?);
    }
    if !headers.contains_key(header::USER_AGENT) {
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    }
    if !headers.contains_key(header::ACCEPT) {
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    }
    let body = match hop.body {
        Some(b) => Either::Left(Full::new(Bytes::from(b.to_string()))),
        None => Either::Right(Empty::new()),
    };
    let mut req = hyper::Request::builder()
        .method(hop.method.clone())
        .uri(uri)
        .body(body)?;
    *req.headers_mut() = headers;
    Ok(req)
}

impl Cert {
    /// The leaf's expiry, when nothing is verified (`insecure`).
    fn of_leaf(leaf: &crate::outcome::tls::CertInfo) -> Option<Cert> {
        let not_after = chrono::DateTime::parse_from_rfc3339(&leaf.not_after).ok()?;
        let secs = not_after.timestamp() - chrono::Utc::now().timestamp();
        Some(Cert {
            subject: leaf.subject.clone(),
            role: Role::Leaf,
            not_after: leaf.not_after.clone(),
            days_left: secs.div_euclid(86_400),
        })
    }
}
