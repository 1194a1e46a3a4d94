//! The simulator's HTTP/1.1 server: a small hand-written server on tokio (no hyper, no
//! axum), one task per connection, keep-alive and pipelining, HTTPS through tokio-rustls
//! when the listener has a TLS config. One listener serves the apps of one (address, port),
//! routed by the longest path prefix, and plays the faults of each app.
//!
//! What an app answers, under its path prefix `P`:
//! - `GET|HEAD P/health`: 200 `application/json`
//!   `{"status":"UP","app":…,"node":…,"version":"2.3.1","time":…}`;
//! - `GET|HEAD P/` and `P`: 200 `text/html; charset=utf-8`, a small login page;
//! - anything else (and any path no app claims): 404 JSON.
//!
//! Framing is strict where a prober could be fooled and lenient where real servers are:
//! a request head of more than 16 KiB is answered 431, a malformed one 400, a
//! `Transfer-Encoding` request body 411, an HTTP version other than 1.0 and 1.1 505, each
//! followed by a close. Bodies with `Content-Length` are read and discarded. Bare-LF line
//! ends and empty lines before a request are accepted. Every response carries
//! `Content-Length` (except 1xx/204, which may not), `Server: netaccept-sim`, and
//! `Connection: keep-alive` unless the client asked to close (or spoke HTTP/1.0 without
//! asking to keep it alive), and is written in one write.
//!
//! No code is shared with `crate::probe`: a bug in common would hide itself.

use std::borrow::Cow;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

/// The `Server` header of every response.
pub const SERVER: &str = "netaccept-sim";
/// The `version` every health answer reports.
pub const APP_VERSION: &str = "2.3.1";
/// The largest request head (request line and headers, with line ends) accepted; more is
/// answered 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may wait for the TLS handshake or for the next request before it
/// is closed. Longer than the idle time of common client pools (reqwest: 90 s), so that a
/// pooled connection is not closed under a client that is about to reuse it.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How long an error response (400, 411, 431, 505) waits for the client to stop sending
/// before the connection is dropped (a close with unread data would reset the connection
/// and could destroy the response before the client reads it).
const LINGER: Duration = Duration::from_secs(2);
/// Bytes read at a time.
const READ_CHUNK: usize = 4096;

/// What one app endpoint does. Built by the orchestrator from the inventory and faults.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Node id, for the JSON.
    pub node: String,
    /// App id.
    pub app: String,
    /// URL path prefix of the app, e.g. "/dispatch" ("" or "/" for an app at the root; a
    /// trailing `/` is ignored). It matches whole segments: "/dispatch" claims
    /// "/dispatch" and "/dispatch/…", not "/dispatcher".
    pub path: String,
    pub behaviour: Behaviour,
}

/// The faults one endpoint plays; the default is a healthy app. When several are set,
/// `down` wins over `silent`, and `slow` delays whatever is answered. On health requests,
/// `status` (fixed) wins over `flaky` (drawn), and `body` replaces the body of any answer
/// but a flaky 503, which, like `status` without `body`, is the app's JSON with `DOWN`.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Per-app "down": the connection is closed without an answer (the port is shared with
    /// other apps, so it cannot be unbound).
    pub down: bool,
    /// Read the request, never answer (keep the connection open).
    pub silent: bool,
    /// Wait this long before each answer.
    pub slow: Option<Duration>,
    /// Health answers this status with `{"status":"DOWN",...}`.
    pub status: Option<u16>,
    /// Health answers 200 with exactly this body.
    pub body: Option<String>,
    /// 0.0..=1.0: this share of health requests answered 503 (deterministic: the n-th health
    /// request of an endpoint gets the same answer for the same seed, node and app).
    pub flaky: Option<f64>,
}

/// One listener: its TLS config (HTTPS) or none (HTTP), and the apps it serves.
pub struct ListenerConfig {
    pub tls: Option<Arc<ServerConfig>>,
    pub endpoints: Vec<Endpoint>,
    /// Node-level "silent": accept and never answer anything (the TLS handshake is not even
    /// started). Incoming bytes are read and dropped, only so that the connection ends when
    /// the client leaves instead of holding a file descriptor until shutdown.
    pub node_silent: bool,
    /// Seed of the `flaky` draws.
    pub seed: u64,
}

/// Serves until `shutdown` turns true (or its sender is dropped: nobody could stop it
/// then); returns when the listener is closed. Open connections are aborted then.
///
/// Failed accepts (out of file descriptors, typically) are retried after 100 ms, so a
/// full table slows the listener down instead of spinning or stopping it.
pub async fn serve(
    listener: TcpListener,
    cfg: ListenerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let shared = Arc::new(Shared::new(cfg));
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut shutdown) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(connection(stream, shared.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            },
        }
    }
    drop(listener);
    conns.abort_all();
}

/// Returns once the value is true or the sender is gone. (The guard `wait_for` returns is
/// not `Send`; it is dropped here, before the caller's next await.)
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|&stop| stop).await;
}

/// A listener's state shared by its connections.
struct Shared {
    tls: Option<TlsAcceptor>,
    /// Longest prefix first, so the first match is the one that wins.
    routes: Vec<Route>,
    node_silent: bool,
}

struct Route {
    ep: Endpoint,
    /// `ep.path` without a trailing `/` ("" at the root).
    prefix: String,
    /// The login page, built once.
    login: String,
    flaky_seed: u64,
    /// Health requests drawn so far, for `flaky`.
    draws: AtomicU64,
}

impl Shared {
    fn new(cfg: ListenerConfig) -> Shared {
        let mut routes: Vec<Route> = cfg
            .endpoints
            .into_iter()
            .map(|ep| {
                let prefix = ep.path.trim_end_matches('/').to_string();
                Route {
                    login: login_page(&ep.node, &ep.app, &prefix),
                    flaky_seed: endpoint_seed(cfg.seed, &ep.node, &ep.app),
                    draws: AtomicU64::new(0),
                    prefix,
                    ep,
                }
            })
            .collect();
        // Stable: among equal prefixes, the first endpoint given wins.
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
        Shared {
            tls: cfg.tls.map(TlsAcceptor::from),
            routes,
            node_silent: cfg.node_silent,
        }
    }

    /// The route whose prefix matches `path` on whole segments, longest first.
    fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| {
            path.strip_prefix(r.prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    if shared.node_silent {
        let mut stream = stream;
        drain(&mut stream, &mut Vec::new()).await;
        return;
    }
    match &shared.tls {
        None => session(stream, &shared).await,
        Some(acceptor) => {
            if let Ok(Ok(tls)) = tokio::time::timeout(IDLE_TIMEOUT, acceptor.accept(stream)).await {
                session(tls, &shared).await;
            }
        }
    }
}

/// Reads and drops everything until the peer closes (or the connection fails).
async fn drain<S: AsyncRead + Unpin>(io: &mut S, buf: &mut Vec<u8>) {
    loop {
        buf.clear();
        buf.reserve(READ_CHUNK);
        match io.read_buf(buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Serves the requests of one connection, in order.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, shared: &Shared) {
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let head_len = match read_head(&mut io, &mut buf).await {
            Ok(n) => n,
            Err(HeadError::Closed) => return,
            Err(HeadError::TooLarge) => {
                return reject(&mut io, &mut out, 431, "Request Header Fields Too Large").await;
            }
        };
        let parsed = parse_head(&buf[..head_len]);
        buf.drain(..head_len);
        let req = match parsed {
            Ok(req) => req,
            Err(status) => return reject(&mut io, &mut out, status, reason(status)).await,
        };
        if req.transfer_encoding {
            return reject(&mut io, &mut out, 411, "Length Required").await;
        }

        let route = shared.route(&req.path);
        if let Some(r) = route {
            if r.ep.behaviour.down {
                return;
            }
            if r.ep.behaviour.silent {
                return drain(&mut io, &mut buf).await;
            }
        }
        if req.content_length > 0 {
            if req.expect_continue
                && (io
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await
                    .is_err()
                    || io.flush().await.is_err())
            {
                return;
            }
            if !discard(&mut io, &mut buf, req.content_length).await {
                return;
            }
        }
        if let Some(delay) = route.and_then(|r| r.ep.behaviour.slow) {
            tokio::time::sleep(delay).await;
        }

        let answer = answer(route, &req);
        out.clear();
        write_response(
            &mut out,
            answer.status,
            answer.content_type,
            answer.body.as_bytes(),
            req.method == Method::Head,
            req.keep_alive,
        );
        if io.write_all(&out).await.is_err() || io.flush().await.is_err() {
            return;
        }
        if !req.keep_alive {
            let _ = io.shutdown().await;
            return;
        }
    }
}

enum HeadError {
    /// The client left, the connection failed, or it stayed idle too long.
    Closed,
    /// No end of head within `MAX_HEAD` bytes.
    TooLarge,
}

/// Reads until `buf` starts with a complete request head; returns its length (line ends
/// included). Empty lines before the request line are dropped.
async fn read_head<S: AsyncRead + Unpin>(
    io: &mut S,
    buf: &mut Vec<u8>,
) -> Result<usize, HeadError> {
    let mut scanned = 0;
    loop {
        let blank = buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if blank > 0 {
            buf.drain(..blank);
            scanned = 0;
        }
        if let Some(end) = head_end(buf, scanned) {
            return if end > MAX_HEAD {
                Err(HeadError::TooLarge)
            } else {
                Ok(end)
            };
        }
        if buf.len() >= MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        scanned = buf.len().saturating_sub(2);
        buf.reserve(READ_CHUNK);
        match tokio::time::timeout(IDLE_TIMEOUT, io.read_buf(buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return Err(HeadError::Closed),
        }
    }
}

/// The end of the first empty line (`\n\n` or `\n\r\n`) at or after `from`.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = buf.get(i..)?.iter().position(|&b| b == b'\n') {
        let p = i + off;
        match buf.get(p + 1) {
            Some(b'\n') => return Some(p + 2),
            Some(b'\r') if buf.get(p + 2) == Some(&b'\n') => return Some(p + 3),
            _ => {}
        }
        i = p + 1;
    }
    None
}

/// Reads and drops `n` body bytes (those already in `buf` first); false if the connection
/// ended first. Bytes after the body stay in `buf`: they are the next request.
async fn discard<S: AsyncRead + Unpin>(io: &mut S, buf: &mut Vec<u8>, mut n: u64) -> bool {
    loop {
        if (buf.len() as u64) >= n {
            buf.drain(..n as usize);
            return true;
        }
        n -= buf.len() as u64;
        buf.clear();
        buf.reserve(READ_CHUNK);
        match tokio::time::timeout(IDLE_TIMEOUT, io.read_buf(buf)).await {
            Ok(Ok(k)) if k > 0 => {}
            _ => return false,
        }
    }
}

/// Answers an error, closes the write side, and waits a little for the client to stop
/// sending before the connection is dropped.
async fn reject<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    out: &mut Vec<u8>,
    status: u16,
    error: &str,
) {
    let body = format!("{{\"status\":{status},\"error\":{}}}", json_str(error));
    out.clear();
    write_response(out, status, JSON, body.as_bytes(), false, false);
    if io.write_all(out).await.is_err() || io.flush().await.is_err() {
        return;
    }
    let _ = io.shutdown().await;
    let _ = tokio::time::timeout(LINGER, drain(io, &mut Vec::new())).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Head,
    Other,
}

#[derive(Debug)]
struct Request {
    method: Method,
    /// The path of the target, without the query.
    path: String,
    keep_alive: bool,
    content_length: u64,
    transfer_encoding: bool,
    expect_continue: bool,
}

/// Parses a request head (request line, headers, empty line). The error is the status to
/// answer: 400, or 505 for an HTTP version other than 1.0 and 1.1.
fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().ok_or(400u16)?;
    let mut parts = request_line.split(|&b| b == b' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(400),
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(400);
    }
    let http11 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(505);
        }
        _ => return Err(400),
    };
    if target.is_empty() || target.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return Err(400);
    }
    let path = origin_path(target).ok_or(400u16)?;

    let mut req = Request {
        method: match method {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            _ => Method::Other,
        },
        path: String::from_utf8_lossy(path).into_owned(),
        keep_alive: http11,
        content_length: 0,
        transfer_encoding: false,
        expect_continue: false,
    };
    let (mut hosts, mut length, mut close, mut keep) = (0, None::<u64>, false, false);
    for line in lines {
        if line.is_empty() {
            break;
        }
        let colon = line.iter().position(|&b| b == b':').ok_or(400u16)?;
        let (name, value) = (&line[..colon], trim_ows(&line[colon + 1..]));
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Err(400); // also obs-fold and whitespace before the colon
        }
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(400);
        }
        if name.eq_ignore_ascii_case(b"host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case(b"content-length") {
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(400);
            }
            let n: u64 = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or(400u16)?;
            if length.is_some_and(|l| l != n) {
                return Err(400);
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            req.transfer_encoding = true;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',').map(trim_ows) {
                close |= token.eq_ignore_ascii_case(b"close");
                keep |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case(b"expect") {
            req.expect_continue = value.eq_ignore_ascii_case(b"100-continue");
        }
    }
    if hosts > 1 || (http11 && hosts == 0) {
        return Err(400);
    }
    req.content_length = length.unwrap_or(0);
    req.keep_alive = !close && (http11 || keep);
    Ok(req)
}

/// The path (without the query) of an origin-form (`/p?q`) or absolute-form
/// (`http://host/p?q`) target; `*` (asterisk-form) is kept as is, routed nowhere.
fn origin_path(target: &[u8]) -> Option<&[u8]> {
    let target = if target.first() == Some(&b'/') || target == b"*" {
        target
    } else {
        let lower = |n: usize| target.get(..n).map(|s| s.to_ascii_lowercase());
        let scheme = if lower(7).as_deref() == Some(b"http://") {
            7
        } else if lower(8).as_deref() == Some(b"https://") {
            8
        } else {
            return None;
        };
        let rest = &target[scheme..];
        match rest.iter().position(|&b| b == b'/' || b == b'?') {
            Some(i) if rest[i] == b'/' => &rest[i..],
            _ => b"/",
        }
    };
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    Some(&target[..end])
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

struct Answer<'a> {
    status: u16,
    content_type: &'static str,
    body: Cow<'a, str>,
}

/// What `route` answers to `req` (the faults that decide whether to answer at all have
/// been played already).
fn answer<'a>(route: Option<&'a Route>, req: &Request) -> Answer<'a> {
    let readable = matches!(req.method, Method::Get | Method::Head);
    if let Some(r) = route.filter(|_| readable) {
        let rest = &req.path[r.prefix.len()..];
        if rest == "/health" {
            return health(r);
        }
        if rest.is_empty() || rest == "/" {
            return Answer {
                status: 200,
                content_type: HTML,
                body: Cow::Borrowed(&r.login),
            };
        }
    }
    let body = format!(
        "{{\"timestamp\":{},\"status\":404,\"error\":\"Not Found\",\"path\":{}}}",
        json_str(&now()),
        json_str(&req.path)
    );
    Answer {
        status: 404,
        content_type: JSON,
        body: Cow::Owned(body),
    }
}

fn health(r: &Route) -> Answer<'_> {
    let b = &r.ep.behaviour;
    if let Some(status) = b.status {
        return match &b.body {
            Some(body) => custom(status, body),
            None => health_json(r, status, "DOWN"),
        };
    }
    if let Some(share) = b.flaky
        && r.flaky_hit(share)
    {
        return health_json(r, 503, "DOWN");
    }
    match &b.body {
        Some(body) => custom(200, body),
        None => health_json(r, 200, "UP"),
    }
}

/// The app's own health JSON, `status` first as health endpoints put it.
fn health_json(r: &Route, status: u16, state: &str) -> Answer<'static> {
    let body = format!(
        "{{\"status\":\"{}\",\"app\":{},\"node\":{},\"version\":\"{APP_VERSION}\",\"time\":{}}}",
        state,
        json_str(&r.ep.app),
        json_str(&r.ep.node),
        json_str(&now()),
    );
    Answer {
        status,
        content_type: JSON,
        body: Cow::Owned(body),
    }
}

/// A body given by a fault, as JSON if it looks like JSON, else as plain text.
fn custom(status: u16, body: &str) -> Answer<'_> {
    let trimmed = body.trim_start();
    let content_type = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        JSON
    } else {
        TEXT
    };
    Answer {
        status,
        content_type,
        body: Cow::Borrowed(body),
    }
}

impl Route {
    /// Whether the next health request of this endpoint is one of the `share` answered 503.
    fn flaky_hit(&self, share: f64) -> bool {
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let x = mix(self
            .flaky_seed
            .wrapping_add(n.wrapping_add(1).wrapping_mul(GOLDEN)));
        let u = (x >> 11) as f64 / (1u64 << 53) as f64; // uniform in [0, 1)
        u < share // NaN never hits
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `flaky` seed of one endpoint: the run's seed mixed with an FNV-1a hash of the node
/// and app ids, so endpoints draw independent sequences.
fn endpoint_seed(seed: u64, node: &str, app: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node.bytes().chain([0xff]).chain(app.bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    mix(seed ^ mix(h))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn login_page(node: &str, app: &str, prefix: &str) -> String {
    let (node, app, prefix) = (html_escape(node), html_escape(app), html_escape(prefix));
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{app} - 用户登录</title>
</head>
<body>
<main>
<h1>用户登录</h1>
<p>{app} · {node}</p>
<form method="post" action="{prefix}/login">
<label>用户名 <input name="username" autocomplete="username" required></label>
<label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录</button>
</form>
</main>
</body>
</html>
"#
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// Writes a whole response (head and, unless `head_only`, body) into `out`.
fn write_response(
    out: &mut Vec<u8>,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
    keep_alive: bool,
) {
    // 1xx and 204 may carry neither a body nor a length; 304 carries no body.
    let bodyless = status < 200 || status == 204 || status == 304;
    let _ = write!(
        out,
        "HTTP/1.1 {status} {}\r\nServer: {SERVER}\r\n",
        reason(status)
    );
    if !bodyless {
        let _ = write!(
            out,
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    out.extend_from_slice(if keep_alive {
        b"Connection: keep-alive\r\n\r\n"
    } else {
        b"Connection: close\r\n\r\n"
    });
    if !head_only && !bodyless {
        out.extend_from_slice(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_and_reject() {
        let r = parse_head(b"GET /a/health?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
        assert_eq!(
            (r.method, r.path.as_str(), r.keep_alive),
            (Method::Get, "/a/health", true)
        );
        let r = parse_head(b"HEAD http://h:1/x HTTP/1.0\nConnection: Keep-Alive\n\n").unwrap();
        assert_eq!(
            (r.method, r.path.as_str(), r.keep_alive),
            (Method::Head, "/x", true)
        );
        let r = parse_head(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert_eq!(r.content_length, 5);
        for bad in [
            &b"GET / HTTP/1.1\r\n\r\n"[..],                             // no Host
            b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",                      // double space
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",                      // space before colon
            b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",            // obs-fold
            b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", // bad length
            b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET x HTTP/1.1\r\nHost: h\r\n\r\n",      // no path
            b"\xff\xfe / HTTP/1.1\r\nHost: h\r\n\r\n", // method not a token
            b"GET / HTTP/1.1\r\nHost: h\x00\r\n\r\n",  // NUL in a value
            b"GET / FTP/1.1\r\nHost: h\r\n\r\n",
        ] {
            assert_eq!(
                parse_head(bad).unwrap_err(),
                400,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(), 505);
    }

    #[test]
    fn head_end_finds_crlf_and_lf() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nrest", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
        assert_eq!(head_end(b"\n", 0), None);
    }

    #[test]
    fn routes_match_whole_segments_longest_first() {
        let ep = |path: &str, app: &str| Endpoint {
            node: "n".into(),
            app: app.into(),
            path: path.into(),
            behaviour: Behaviour::default(),
        };
        let shared = Shared::new(ListenerConfig {
            tls: None,
            endpoints: vec![ep("", "root"), ep("/a", "a"), ep("/a/b/", "ab")],
            node_silent: false,
            seed: 0,
        });
        let app = |p: &str| shared.route(p).map(|r| r.ep.app.as_str());
        assert_eq!(app("/a/b/health"), Some("ab"));
        assert_eq!(app("/a/b"), Some("ab"));
        assert_eq!(app("/a/bc"), Some("a"));
        assert_eq!(app("/ab"), Some("root"));
        assert_eq!(app("*"), None);
    }
}
