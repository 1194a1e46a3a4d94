//! The simulator's HTTP(S) server, spoken to by independent clients: raw bytes over a
//! `tokio::net::TcpStream`, and tokio-rustls as the TLS client trusting the simulator's CA
//! (tokio-openssl where the chain as sent or TLS 1.0 is the subject).
//! Nothing here comes from `netaccept::probe`: the simulator is meant to test the probers,
//! so a client shared with them would let a common bug hide itself.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netaccept::model::{CertFault, Level};
use netaccept::sim::http::{Behaviour, Endpoint, ListenerConfig, serve};
use netaccept::sim::tls::{INTERMEDIATE_NAME, SimCa, TlsFaults};
use openssl::nid::Nid;
use openssl::ssl::{Ssl, SslConnector, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::{X509, X509Ref, X509VerifyResult};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_openssl::SslStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, AlertDescription, CertificateError, ClientConfig, RootCertStore};

/// Upper bound for anything that should be quick (generous: machines are noisy).
const QUICK: Duration = Duration::from_secs(5);

/// A running `serve` on `127.88.<n>.1:<free port>`; dropping it stops the server.
struct Sim {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn start(n: u8, cfg: ListenerConfig) -> Sim {
    let ip = IpAddr::V4(Ipv4Addr::new(127, 88, n, 1));
    let listener = TcpListener::bind((ip, 0)).await.expect("bind on loopback");
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    let task = tokio::spawn(serve(listener, cfg, rx));
    Sim { addr, stop, task }
}

fn endpoint(app: &str, path: &str, behaviour: Behaviour) -> Endpoint {
    Endpoint {
        node: "sx".into(),
        app: app.into(),
        level: Level::Provincial,
        path: path.into(),
        behaviour,
    }
}

fn plain(endpoints: Vec<Endpoint>) -> ListenerConfig {
    ListenerConfig {
        tls: None,
        endpoints,
        node_silent: false,
        seed: 7,
    }
}

/// A healthy `dispatch` app under `/dispatch`, and `hazchem` with `behaviour` under
/// `/hazchem`.
fn with_hazchem(behaviour: Behaviour) -> ListenerConfig {
    plain(vec![
        endpoint("dispatch", "/dispatch", Behaviour::default()),
        endpoint("hazchem", "/hazchem", behaviour),
    ])
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// One client connection (plain or TLS) with its own read buffer, so that responses on a
/// keep-alive connection are split exactly by their Content-Length.
struct Conn<S> {
    io: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    fn new(io: S) -> Self {
        Conn {
            io,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, raw: &[u8]) {
        self.io.write_all(raw).await.expect("write the request");
        self.io.flush().await.expect("flush the request");
    }

    async fn get(&mut self, path: &str) -> Response {
        self.send(
            format!("GET {path} HTTP/1.1\r\nHost: sim.test\r\nUser-Agent: sim-test\r\n\r\n")
                .as_bytes(),
        )
        .await;
        self.response(false).await.expect("a response")
    }

    /// Reads one response; `None` if the connection closed (or was reset) first.
    async fn response(&mut self, head_only: bool) -> Option<Response> {
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if !self.fill().await {
                return None;
            }
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(
            parts.next(),
            Some("HTTP/1.1"),
            "status line {status_line:?}"
        );
        let status: u16 = parts.next().unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').expect("name: value");
                (n.to_string(), v.trim().to_string())
            })
            .collect();
        self.buf.drain(..head_end);
        let mut resp = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let len: usize = resp
            .header("Content-Length")
            .expect("every response has Content-Length")
            .parse()
            .unwrap();
        if !head_only {
            while self.buf.len() < len {
                assert!(self.fill().await, "connection closed inside a body");
            }
            resp.body = self.buf.drain(..len).collect();
        }
        Some(resp)
    }

    /// Reads more bytes into the buffer; false at EOF or on an error.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(QUICK, self.io.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => false,
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(elapsed) => panic!("no answer within {QUICK:?}: {elapsed}"),
        }
    }

    /// Whether the server closes the connection (EOF or reset) without sending a byte.
    async fn closed_without_bytes(&mut self) -> bool {
        let mut chunk = [0u8; 64];
        match tokio::time::timeout(QUICK, self.io.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => true,
            Ok(Ok(_)) => false,
            Err(elapsed) => panic!("still open after {QUICK:?}: {elapsed}"),
        }
    }

    /// Whether nothing at all arrives within `d` while the connection stays open.
    async fn quiet_for(&mut self, d: Duration) -> bool {
        let mut chunk = [0u8; 64];
        tokio::time::timeout(d, self.io.read(&mut chunk))
            .await
            .is_err()
    }
}

async fn connect(addr: SocketAddr) -> Conn<TcpStream> {
    Conn::new(TcpStream::connect(addr).await.expect("connect"))
}

async fn get(addr: SocketAddr, path: &str) -> Response {
    connect(addr).await.get(path).await
}

fn assert_common_headers(r: &Response) {
    assert_eq!(r.header("Server"), Some("netaccept-sim"));
    assert_eq!(
        r.header("Content-Length")
            .map(|v| v.parse::<usize>().unwrap()),
        Some(r.body.len())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_up_json_naming_node_and_app() {
    let sim = start(1, with_hazchem(Behaviour::default())).await;
    let r = get(sim.addr, "/dispatch/health").await;
    assert_eq!(r.status, 200);
    assert_common_headers(&r);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("Connection"), Some("keep-alive"));
    assert!(
        r.text().starts_with(r#"{"status":"UP","#),
        "status first: {}",
        r.text()
    );
    let j = r.json();
    assert_eq!(j["status"], "UP");
    assert_eq!(j["app"], "dispatch");
    assert_eq!(j["node"], "sx");
    assert_eq!(j["version"], "2.3.1");
    let time = j["time"].as_str().unwrap();
    let t = chrono::DateTime::parse_from_rfc3339(time).expect("RFC 3339 time");
    assert!((chrono::Utc::now() - t.to_utc()).num_seconds().abs() < 60);

    // The query is ignored, and the other app on the same port answers for itself.
    let r = get(sim.addr, "/hazchem/health?probe=1").await;
    assert_eq!(r.json()["app"], "hazchem");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_page_is_html_with_title_and_form() {
    let sim = start(2, with_hazchem(Behaviour::default())).await;
    for path in ["/dispatch/", "/dispatch"] {
        let r = get(sim.addr, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_common_headers(&r);
        assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
        let page = r.text();
        assert!(page.contains("<title>dispatch"), "{page}");
        assert!(page.contains("<form"), "{page}");
        assert!(page.contains("用户登录"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unclaimed_paths_are_404_json() {
    let sim = start(3, with_hazchem(Behaviour::default())).await;
    for path in [
        "/",
        "/nope",
        "/dispatch/nope",
        "/dispatcher/health",
        "/dispatch/health/x",
    ] {
        let r = get(sim.addr, path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_common_headers(&r);
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(r.json()["status"], 404, "{path}");
        assert_eq!(r.json()["path"], path);
    }
    // A POST to the health path is not a health request.
    let mut c = connect(sim.addr).await;
    c.send(b"POST /dispatch/health HTTP/1.1\r\nHost: sim.test\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert_eq!(c.response(false).await.unwrap().status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn app_at_the_root_and_longest_prefix_wins() {
    let sim = start(
        4,
        plain(vec![
            endpoint("portal", "", Behaviour::default()),
            endpoint("dispatch", "/dispatch", Behaviour::default()),
        ]),
    )
    .await;
    assert_eq!(get(sim.addr, "/health").await.json()["app"], "portal");
    assert_eq!(
        get(sim.addr, "/dispatch/health").await.json()["app"],
        "dispatch"
    );
    assert_eq!(get(sim.addr, "/").await.status, 200);
    assert_eq!(get(sim.addr, "/other").await.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let sim = start(5, with_hazchem(Behaviour::default())).await;
    let mut c = connect(sim.addr).await;
    assert_eq!(c.get("/dispatch/health").await.status, 200);
    assert_eq!(c.get("/hazchem/").await.status, 200);
    // Pipelined: two requests in one write, two responses in order.
    c.send(b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\nGET /hazchem/health HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    assert_eq!(c.response(false).await.unwrap().status, 404);
    assert_eq!(c.response(false).await.unwrap().json()["app"], "hazchem");
    // A request body is read and dropped; the next request on the connection still works.
    c.send(b"POST /dispatch/login HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nuser=a&pw=b")
        .await;
    assert_eq!(c.response(false).await.unwrap().status, 404);
    assert_eq!(c.get("/dispatch/health").await.status, 200);
    // Asking to close: the answer says so and the server closes.
    c.send(b"GET /dispatch/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .await;
    let r = c.response(false).await.unwrap();
    assert_eq!((r.status, r.header("Connection")), (200, Some("close")));
    assert!(c.closed_without_bytes().await);
    // HTTP/1.0 without keep-alive closes too.
    let mut c = connect(sim.addr).await;
    c.send(b"GET /dispatch/health HTTP/1.0\r\n\r\n").await;
    let r = c.response(false).await.unwrap();
    assert_eq!((r.status, r.header("Connection")), (200, Some("close")));
    assert!(c.closed_without_bytes().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn head_has_the_length_but_no_body() {
    let sim = start(6, with_hazchem(Behaviour::default())).await;
    let mut c = connect(sim.addr).await;
    c.send(b"HEAD /dispatch/ HTTP/1.1\r\nHost: a\r\n\r\n").await;
    let r = c.response(true).await.unwrap();
    assert_eq!(r.status, 200);
    let len: usize = r.header("Content-Length").unwrap().parse().unwrap();
    assert!(len > 100, "the length of the page: {len}");
    c.send(b"HEAD /dispatch/health HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    let r = c.response(true).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    // No body bytes came in between: the next response follows directly.
    assert_eq!(c.get("/dispatch/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn down_app_closes_without_a_response() {
    let sim = start(
        7,
        with_hazchem(Behaviour {
            down: true,
            ..Default::default()
        }),
    )
    .await;
    let mut c = connect(sim.addr).await;
    c.send(b"GET /hazchem/health HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    assert!(c.closed_without_bytes().await);
    // The other app on the shared port is up.
    assert_eq!(get(sim.addr, "/dispatch/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_app_reads_and_never_answers() {
    let sim = start(
        8,
        with_hazchem(Behaviour {
            silent: true,
            ..Default::default()
        }),
    )
    .await;
    let mut c = connect(sim.addr).await;
    c.send(b"GET /hazchem/health HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    assert!(
        c.quiet_for(Duration::from_millis(500)).await,
        "silent must send nothing"
    );
    // Still open: more bytes are accepted, still no answer.
    c.send(b"GET /hazchem/ HTTP/1.1\r\nHost: a\r\n\r\n").await;
    assert!(c.quiet_for(Duration::from_millis(100)).await);
    assert_eq!(get(sim.addr, "/dispatch/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_app_answers_after_the_delay() {
    let sim = start(
        9,
        with_hazchem(Behaviour {
            slow: Some(Duration::from_millis(300)),
            ..Default::default()
        }),
    )
    .await;
    let mut c = connect(sim.addr).await;
    let t0 = Instant::now();
    let r = c.get("/hazchem/health").await;
    let took = t0.elapsed();
    assert_eq!(r.status, 200);
    assert!(
        took >= Duration::from_millis(300),
        "answered after {took:?}"
    );
    assert!(took < QUICK, "answered after {took:?}");
    // Every request of the endpoint, not only health.
    let t0 = Instant::now();
    assert_eq!(c.get("/hazchem/").await.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_fault_answers_down_json() {
    let sim = start(
        10,
        with_hazchem(Behaviour {
            status: Some(500),
            ..Default::default()
        }),
    )
    .await;
    let r = get(sim.addr, "/hazchem/health").await;
    assert_eq!(r.status, 500);
    assert_common_headers(&r);
    assert_eq!(r.json()["status"], "DOWN");
    assert_eq!(r.json()["app"], "hazchem");
    // Health only: the login page is fine.
    assert_eq!(get(sim.addr, "/hazchem/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn body_fault_answers_exactly_that_body() {
    let body = r#"{"status":"DOWN","details":{"db":"unreachable"}}"#;
    let sim = start(
        11,
        with_hazchem(Behaviour {
            body: Some(body.into()),
            ..Default::default()
        }),
    )
    .await;
    let r = get(sim.addr, "/hazchem/health").await;
    assert_eq!(r.status, 200);
    assert_common_headers(&r);
    assert_eq!(r.text(), body);
    assert_eq!(r.header("Content-Type"), Some("application/json"));

    // With a status as well, the status is answered with that body.
    let sim = start(
        25,
        with_hazchem(Behaviour {
            status: Some(503),
            body: Some("maintenance".into()),
            ..Default::default()
        }),
    )
    .await;
    let r = get(sim.addr, "/hazchem/health").await;
    assert_eq!((r.status, r.text()), (503, "maintenance"));
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
}

/// The statuses of `n` sequential health requests on one connection.
async fn health_statuses(addr: SocketAddr, n: usize) -> Vec<u16> {
    let mut c = connect(addr).await;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(c.get("/hazchem/health").await.status);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn flaky_half_is_503_and_repeats_with_the_seed() {
    let flaky = |seed| ListenerConfig {
        seed,
        ..with_hazchem(Behaviour {
            flaky: Some(0.5),
            ..Default::default()
        })
    };
    let a = start(12, flaky(42)).await;
    let b = start(13, flaky(42)).await;
    let c = start(14, flaky(43)).await;
    let sa = health_statuses(a.addr, 200).await;
    let sb = health_statuses(b.addr, 200).await;
    let sc = health_statuses(c.addr, 200).await;
    assert!(sa.iter().all(|&s| s == 200 || s == 503), "{sa:?}");
    let failed = sa.iter().filter(|&&s| s == 503).count();
    assert!((60..=140).contains(&failed), "{failed} of 200 answered 503");
    assert_eq!(sa, sb, "same seed, same sequence");
    assert_ne!(sa, sc, "another seed, another sequence");
    // Health only: the login page never flakes.
    let mut conn = connect(a.addr).await;
    for _ in 0..20 {
        assert_eq!(conn.get("/hazchem/").await.status, 200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_node_accepts_and_never_answers() {
    let cfg = ListenerConfig {
        node_silent: true,
        ..with_hazchem(Behaviour::default())
    };
    let sim = start(15, cfg).await;
    let mut c = connect(sim.addr).await;
    c.send(b"GET /dispatch/health HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    assert!(c.quiet_for(Duration::from_millis(500)).await);

    // Over TLS: the handshake never completes.
    let ca = SimCa::new("netaccept simulator CA");
    let ip = IpAddr::V4(Ipv4Addr::new(127, 88, 16, 1));
    let cfg = ListenerConfig {
        tls: Some(ca.server_tls(ip, &[], TlsFaults::default())),
        node_silent: true,
        ..with_hazchem(Behaviour::default())
    };
    let sim = start(16, cfg).await;
    let tcp = TcpStream::connect(sim.addr).await.unwrap();
    let handshake = connector(&ca).connect(ServerName::IpAddress(ip.into()), tcp);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), handshake)
            .await
            .is_err(),
        "the TLS handshake must not complete"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_request_gets_400_and_close() {
    let sim = start(17, with_hazchem(Behaviour::default())).await;
    for raw in [
        &b"this is not http\r\n\r\n"[..],
        b"GET /dispatch/health HTTP/1.1\r\n\r\n", // HTTP/1.1 without Host
        b"GET /dispatch/health HTTP/1.1\r\nHost a\r\n\r\n",
        b"GET /dispatch/health HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", // TLS on the plain port
    ] {
        let mut c = connect(sim.addr).await;
        c.send(raw).await;
        let r = c.response(false).await.expect("a 400 answer");
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(raw));
        assert_eq!(r.header("Connection"), Some("close"));
        assert_common_headers(&r);
        assert!(c.closed_without_bytes().await);
    }
    // A chunked body is refused, an unknown version too.
    let mut c = connect(sim.addr).await;
    c.send(
        b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(c.response(false).await.unwrap().status, 411);
    let mut c = connect(sim.addr).await;
    c.send(b"GET / HTTP/3.0\r\nHost: a\r\n\r\n").await;
    assert_eq!(c.response(false).await.unwrap().status, 505);
    // Random bytes never take the server down.
    for seed in 0u64..20 {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let junk: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .chain(*b"\r\n\r\n")
            .collect();
        let mut c = connect(sim.addr).await;
        c.send(&junk).await;
        let _ = c.response(false).await;
    }
    assert_eq!(get(sim.addr, "/dispatch/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_headers_get_431() {
    let sim = start(18, with_hazchem(Behaviour::default())).await;
    let mut c = connect(sim.addr).await;
    let big = format!(
        "GET /dispatch/health HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(17 * 1024)
    );
    c.send(big.as_bytes()).await;
    let r = c.response(false).await.expect("a 431 answer");
    assert_eq!(r.status, 431);
    assert_eq!(r.header("Connection"), Some("close"));
    // Just under the limit is fine.
    let ok = format!(
        "GET /dispatch/health HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(15 * 1024)
    );
    let mut c = connect(sim.addr).await;
    c.send(ok.as_bytes()).await;
    assert_eq!(c.response(false).await.unwrap().status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_closes_the_listener() {
    let mut sim = start(19, with_hazchem(Behaviour::default())).await;
    let mut open = connect(sim.addr).await;
    assert_eq!(open.get("/dispatch/health").await.status, 200);
    sim.stop.send(true).unwrap();
    tokio::time::timeout(QUICK, &mut sim.task)
        .await
        .expect("serve returns")
        .unwrap();
    assert!(
        TcpStream::connect(sim.addr).await.is_err(),
        "nothing listens any more"
    );
    assert!(
        open.closed_without_bytes().await,
        "open connections end too"
    );
}

// --- TLS -------------------------------------------------------------------------------

fn connector(ca: &SimCa) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca.pem().as_bytes()) {
        roots.add(cert.expect("the CA PEM parses")).unwrap();
    }
    assert_eq!(roots.len(), 1);
    let mut config = ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

async fn https(n: u8, ca: &SimCa, fault: Option<CertFault>) -> (Sim, IpAddr) {
    let faults = TlsFaults {
        cert: fault,
        ..TlsFaults::default()
    };
    https_with(n, ca, faults).await
}

async fn https_with(n: u8, ca: &SimCa, faults: TlsFaults) -> (Sim, IpAddr) {
    let ip = IpAddr::V4(Ipv4Addr::new(127, 88, n, 1));
    let cfg = ListenerConfig {
        tls: Some(ca.server_tls(ip, &["sx.aq.gov.test".to_string()], faults)),
        ..with_hazchem(Behaviour::default())
    };
    (start(n, cfg).await, ip)
}

/// The rustls error that made the TLS handshake fail.
async fn handshake_error(
    ca: &SimCa,
    addr: SocketAddr,
    name: ServerName<'static>,
) -> CertificateError {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let err = match tokio::time::timeout(QUICK, connector(ca).connect(name, tcp)).await {
        Ok(Ok(_)) => panic!("the handshake must fail"),
        Ok(Err(e)) => e,
        Err(elapsed) => panic!("the handshake hung: {elapsed}"),
    };
    match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(c)) => c.clone(),
        _ => panic!("not a certificate error: {err:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_leaf_from_the_ca_verifies_for_the_address_and_name() {
    fn shared_across_tasks<T: Send + Sync>(_: &T) {}
    let ca = SimCa::new("netaccept simulator CA");
    shared_across_tasks(&ca);
    assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let (sim, ip) = https(20, &ca, None).await;
    for name in [
        ServerName::IpAddress(ip.into()),
        ServerName::try_from("sx.aq.gov.test").unwrap(),
    ] {
        let tcp = TcpStream::connect(sim.addr).await.unwrap();
        let tls = tokio::time::timeout(QUICK, connector(&ca).connect(name.clone(), tcp))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        let mut c = Conn::new(tls);
        let r = c.get("/dispatch/health").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["status"], "UP");
        // Keep-alive over TLS as well.
        assert_eq!(c.get("/hazchem/").await.status, 200);
    }
    // Another name is refused.
    let e = handshake_error(&ca, sim.addr, ServerName::try_from("other.test").unwrap()).await;
    assert!(
        matches!(
            e,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_expired_leaf_fails_as_expired() {
    let ca = SimCa::new("netaccept simulator CA");
    let (sim, ip) = https(21, &ca, Some(CertFault::Expired)).await;
    let e = handshake_error(&ca, sim.addr, ServerName::IpAddress(ip.into())).await;
    assert!(
        matches!(
            e,
            CertificateError::Expired | CertificateError::ExpiredContext { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_wrong_host_leaf_fails_as_not_valid_for_name() {
    let ca = SimCa::new("netaccept simulator CA");
    let (sim, ip) = https(22, &ca, Some(CertFault::WrongHost)).await;
    for name in [
        ServerName::IpAddress(ip.into()),
        ServerName::try_from("sx.aq.gov.test").unwrap(),
    ] {
        let e = handshake_error(&ca, sim.addr, name).await;
        assert!(
            matches!(
                e,
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            ),
            "{e:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_self_signed_leaf_fails_as_unknown_issuer() {
    let ca = SimCa::new("netaccept simulator CA");
    let (sim, ip) = https(23, &ca, Some(CertFault::SelfSigned)).await;
    let e = handshake_error(&ca, sim.addr, ServerName::IpAddress(ip.into())).await;
    assert!(matches!(e, CertificateError::UnknownIssuer), "{e:?}");
    // And a client trusting another simulator's CA does not trust this one's leaves.
    let (sim, ip) = https(24, &ca, None).await;
    let other = SimCa::new("another CA");
    let e = handshake_error(&other, sim.addr, ServerName::IpAddress(ip.into())).await;
    assert!(matches!(e, CertificateError::UnknownIssuer), "{e:?}");
}

// --- The chain as sent, and TLS 1.0 (OpenSSL as the client) ----------------------------

/// A TLS 1.2 or 1.3 handshake, as a current client makes it, trusting `trusted`.
async fn modern_handshake(addr: SocketAddr, trusted: &[String]) -> SslStream<TcpStream> {
    openssl_handshake(addr, SslVersion::TLS1_2, SslVersion::TLS1_3, trusted)
        .await
        .unwrap()
}

/// An OpenSSL client handshake offering protocols `min..=max` at security level 0 (so that
/// TLS 1.0 can be offered at all), trusting exactly the certificates `trusted` (PEM). The
/// chain is verified but not enforced (`SslVerifyMode::NONE`): the test reads the result.
async fn openssl_handshake(
    addr: SocketAddr,
    min: SslVersion,
    max: SslVersion,
    trusted: &[String],
) -> Result<SslStream<TcpStream>, openssl::ssl::Error> {
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_cipher_list("DEFAULT:@SECLEVEL=0").unwrap();
    b.set_min_proto_version(Some(min)).unwrap();
    b.set_max_proto_version(Some(max)).unwrap();
    b.set_verify(SslVerifyMode::NONE);
    for pem in trusted {
        b.cert_store_mut()
            .add_cert(X509::from_pem(pem.as_bytes()).unwrap())
            .unwrap();
    }
    let mut ssl = Ssl::new(&b.build().into_context()).unwrap();
    ssl.set_alpn_protos(b"\x08http/1.1").unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls = SslStream::new(ssl, tcp).unwrap();
    tokio::time::timeout(QUICK, Pin::new(&mut tls).connect())
        .await
        .expect("the handshake ends")?;
    Ok(tls)
}

fn common_name(name: &openssl::x509::X509NameRef) -> String {
    name.entries_by_nid(Nid::COMMONNAME)
        .next()
        .expect("a CN")
        .data()
        .to_string()
        .unwrap()
}

/// (subject CN, issuer CN) of each certificate the server sent, leaf first.
fn sent_chain(tls: &SslStream<TcpStream>) -> Vec<(String, String)> {
    let chain = tls
        .ssl()
        .peer_cert_chain()
        .expect("the server sent certificates");
    chain
        .iter()
        .map(|c: &X509Ref| (common_name(c.subject_name()), common_name(c.issuer_name())))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_sends_leaf_and_intermediate_and_the_ca_file_is_the_root_alone() {
    let ca = SimCa::new("netaccept simulator CA");
    let root = X509::stack_from_pem(ca.pem().as_bytes()).unwrap();
    assert_eq!(root.len(), 1, "the `ca:` file holds one certificate");
    assert_eq!(
        common_name(root[0].subject_name()),
        "netaccept simulator CA"
    );
    assert_eq!(common_name(root[0].issuer_name()), "netaccept simulator CA");
    let (sim, _) = https(25, &ca, None).await;
    let tls = modern_handshake(sim.addr, &[ca.pem()]).await;
    assert_eq!(
        sent_chain(&tls),
        [
            ("sx.aq.gov.test".to_string(), INTERMEDIATE_NAME.to_string()),
            (
                INTERMEDIATE_NAME.to_string(),
                "netaccept simulator CA".to_string()
            ),
        ]
    );
    assert_eq!(
        tls.ssl().verify_result(),
        X509VerifyResult::OK,
        "the root alone verifies what is sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_missing_intermediate_sends_the_leaf_alone() {
    let ca = SimCa::new("netaccept simulator CA");
    let faults = TlsFaults {
        missing_intermediate: true,
        ..TlsFaults::default()
    };
    let (sim, ip) = https_with(26, &ca, faults).await;
    let tls = modern_handshake(sim.addr, &[ca.pem()]).await;
    assert_eq!(
        sent_chain(&tls),
        [("sx.aq.gov.test".to_string(), INTERMEDIATE_NAME.to_string())]
    );
    let result = tls.ssl().verify_result();
    assert_eq!(
        result.error_string(),
        "unable to get local issuer certificate",
        "the root alone cannot reach the leaf"
    );
    // Given the intermediate, the client can build the chain: the leaf is the one the
    // intermediate signed, only not sent.
    let tls = modern_handshake(sim.addr, &[ca.pem(), ca.intermediate_pem()]).await;
    assert_eq!(tls.ssl().verify_result(), X509VerifyResult::OK);
    // rustls, trusting the root, refuses the leaf.
    let e = handshake_error(&ca, sim.addr, ServerName::IpAddress(ip.into())).await;
    assert!(matches!(e, CertificateError::UnknownIssuer), "{e:?}");
    // And the apps answer as usual over it.
    let mut c = Conn::new(tls);
    assert_eq!(c.get("/dispatch/health").await.json()["status"], "UP");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_legacy_speaks_tls_1_0_only_with_the_same_chain() {
    let ca = SimCa::new("netaccept simulator CA");
    let faults = TlsFaults {
        legacy_tls: true,
        ..TlsFaults::default()
    };
    let (sim, ip) = https_with(27, &ca, faults).await;
    // A client offering everything from TLS 1.0 gets TLS 1.0, the usual chain, and the apps.
    let tls = openssl_handshake(sim.addr, SslVersion::TLS1, SslVersion::TLS1_3, &[ca.pem()])
        .await
        .unwrap();
    assert_eq!(tls.ssl().version_str(), "TLSv1");
    let cipher = tls.ssl().current_cipher().unwrap().name();
    assert!(cipher.starts_with("ECDHE-ECDSA-"), "{cipher}");
    assert_eq!(tls.ssl().selected_alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(sent_chain(&tls).len(), 2);
    assert_eq!(tls.ssl().verify_result(), X509VerifyResult::OK);
    let mut c = Conn::new(tls);
    let r = c.get("/dispatch/health").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("UP")));
    assert_eq!(c.get("/hazchem/").await.status, 200, "keep-alive");

    // TLS 1.1, and 1.2 and 1.3 (what current clients offer), are refused.
    for (min, max) in [
        (SslVersion::TLS1_1, SslVersion::TLS1_1),
        (SslVersion::TLS1_2, SslVersion::TLS1_3),
    ] {
        let e = openssl_handshake(sim.addr, min, max, &[ca.pem()])
            .await
            .err()
            .unwrap_or_else(|| panic!("{min:?}..{max:?} must be refused"));
        let text = e.to_string();
        assert!(
            text.contains("unsupported protocol") || text.contains("protocol version"),
            "{min:?}..{max:?}: {text}"
        );
    }
    // rustls (TLS 1.2 and 1.3) is answered with the protocol_version alert.
    let tcp = TcpStream::connect(sim.addr).await.unwrap();
    let name = ServerName::IpAddress(ip.into());
    let e = tokio::time::timeout(QUICK, connector(&ca).connect(name, tcp))
        .await
        .unwrap()
        .expect_err("rustls cannot speak TLS 1.0");
    let inner = e.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
    assert!(
        matches!(
            inner,
            Some(rustls::Error::AlertReceived(
                AlertDescription::ProtocolVersion
            ))
        ),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_legacy_and_missing_intermediate_together() {
    let ca = SimCa::new("netaccept simulator CA");
    let faults = TlsFaults {
        legacy_tls: true,
        missing_intermediate: true,
        cert: None,
    };
    let (sim, _) = https_with(28, &ca, faults).await;
    let tls = openssl_handshake(sim.addr, SslVersion::TLS1, SslVersion::TLS1_3, &[ca.pem()])
        .await
        .unwrap();
    assert_eq!(tls.ssl().version_str(), "TLSv1");
    assert_eq!(sent_chain(&tls).len(), 1, "the leaf alone");
}

// --- Migrated records and the interface standard ---------------------------------------

/// The usual totals of `/api/records/summary` by level, as the README documents them.
fn usual_range(level: Level) -> std::ops::RangeInclusive<u64> {
    match level {
        Level::National => 200_000..=259_999,
        Level::Provincial => 20_000..=49_999,
        Level::Prefectural => 4_000..=9_999,
        Level::County => 1_200..=3_999,
        Level::Township => 1_000..=1_199,
    }
}

/// The `migrated_min` var of the bundled inventories: every usual total meets it.
const MIGRATED_MIN: u64 = 1_000;

/// Checks a records summary's shape (200 JSON naming `node` and `app`, `migrated_from`,
/// `by_year` in ascending years from 2015 adding up to `total`) and returns its total and
/// its `(year, count)` pairs.
fn records_summary(r: &Response, node: &str, app: &str) -> (u64, Vec<(u64, u64)>) {
    assert_eq!(r.status, 200, "{}", r.text());
    assert_common_headers(r);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["app"], app, "{j}");
    assert_eq!(j["node"], node, "{j}");
    let rec = &j["records"];
    assert_eq!(rec["migrated_from"], "2015-01-01", "{j}");
    let total = rec["total"].as_u64().expect("total is a whole number");
    let years: Vec<(u64, u64)> = rec["by_year"]
        .as_array()
        .expect("by_year is a list")
        .iter()
        .map(|y| (y["year"].as_u64().unwrap(), y["count"].as_u64().unwrap()))
        .collect();
    for (i, (year, _)) in years.iter().enumerate() {
        assert_eq!(*year, 2015 + i as u64, "years in order from 2015: {j}");
    }
    assert_eq!(
        years.iter().map(|(_, n)| n).sum::<u64>(),
        total,
        "by_year adds up to the total: {j}"
    );
    (total, years)
}

#[tokio::test(flavor = "multi_thread")]
async fn records_summary_for_every_app_is_deterministic_and_meets_the_minimum() {
    let apps = || {
        plain(vec![
            endpoint("dispatch", "/dispatch", Behaviour::default()),
            endpoint("hazchem", "/hazchem", Behaviour::default()),
            endpoint("major-hazards", "", Behaviour::default()),
        ])
    };
    let sim = start(30, apps()).await;
    // Another simulator, with another seed: the records do not depend on it.
    let again = start(31, ListenerConfig { seed: 8, ..apps() }).await;
    let mut c = connect(sim.addr).await;
    let mut totals = Vec::new();
    for (app, prefix) in [
        ("dispatch", "/dispatch"),
        ("hazchem", "/hazchem"),
        ("major-hazards", ""),
    ] {
        let path = format!("{prefix}/api/records/summary");
        let r = c.get(&path).await;
        let (total, years) = records_summary(&r, "sx", app);
        assert!(
            usual_range(Level::Provincial).contains(&total),
            "{path}: {total}"
        );
        assert!(total >= MIGRATED_MIN);
        assert_eq!(years.len(), 10, "2015 to 2024");
        assert!(
            years.iter().all(|&(_, n)| n > 0),
            "no empty year: {years:?}"
        );
        // The same answer on every request, and from every simulator.
        assert_eq!(c.get(&path).await.body, r.body, "{path}");
        assert_eq!(get(again.addr, &path).await.body, r.body, "{path}");
        // HEAD: the same length, no body.
        c.send(format!("HEAD {path} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes())
            .await;
        let h = c.response(true).await.unwrap();
        assert_eq!(h.status, 200);
        assert_eq!(
            h.header("Content-Length"),
            Some(r.body.len().to_string().as_str())
        );
        totals.push(total);
    }
    totals.dedup();
    assert_eq!(totals.len(), 3, "each app its own total: {totals:?}");
    // Only that path, and only for reading.
    for path in [
        "/dispatch/api/records",
        "/dispatch/api/records/summary/x",
        "/api/records/summaryx",
    ] {
        assert_eq!(c.get(path).await.status, 404, "{path}");
    }
    c.send(b"POST /dispatch/api/records/summary HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert_eq!(c.response(false).await.unwrap().status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn records_totals_grow_with_the_level() {
    let levels = [
        ("national", Level::National, "/n"),
        ("sx", Level::Provincial, "/p"),
        ("sx-taiyuan", Level::Prefectural, "/c"),
        ("sx-taiyuan-xiaodian", Level::County, "/x"),
        ("sx-taiyuan-xiaodian-t01", Level::Township, "/t"),
    ];
    let endpoints = levels
        .iter()
        .flat_map(|&(node, level, prefix)| {
            ["dispatch", "hazchem"].map(|app| Endpoint {
                node: node.into(),
                app: app.into(),
                level,
                path: format!("{prefix}/{app}"),
                behaviour: Behaviour::default(),
            })
        })
        .collect();
    let sim = start(32, plain(endpoints)).await;
    let mut c = connect(sim.addr).await;
    // Every total of a level is below every total of the level above.
    let mut least_above = u64::MAX;
    for (node, level, prefix) in levels {
        let mut totals = Vec::new();
        for app in ["dispatch", "hazchem"] {
            let r = c.get(&format!("{prefix}/{app}/api/records/summary")).await;
            let (total, _) = records_summary(&r, node, app);
            assert!(usual_range(level).contains(&total), "{node} {app}: {total}");
            assert!(total >= MIGRATED_MIN);
            totals.push(total);
        }
        let most = totals.iter().max().copied().unwrap();
        assert!(
            most < least_above,
            "{node}: {totals:?} not below {least_above}"
        );
        least_above = totals.iter().min().copied().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_fault_serves_the_short_total() {
    let short = |records| {
        with_hazchem(Behaviour {
            records: Some(records),
            ..Default::default()
        })
    };
    let sim = start(33, short(10)).await;
    let mut c = connect(sim.addr).await;
    let (total, years) = records_summary(
        &c.get("/hazchem/api/records/summary").await,
        "sx",
        "hazchem",
    );
    assert_eq!((total, years), (10, vec![(2015, 10)]), "stopped in 2015");
    // The other app on the port has its usual records, and the short one is healthy.
    let (total, _) = records_summary(
        &c.get("/dispatch/api/records/summary").await,
        "sx",
        "dispatch",
    );
    assert!(usual_range(Level::Provincial).contains(&total));
    let h = c.get("/hazchem/health").await;
    assert_eq!((h.status, h.json()["status"].as_str()), (200, Some("UP")));

    // None migrated: no year.
    let sim = start(34, short(0)).await;
    let (total, years) = records_summary(
        &get(sim.addr, "/hazchem/api/records/summary").await,
        "sx",
        "hazchem",
    );
    assert_eq!((total, years.len()), (0, 0));
    // More than usual (migrated twice): every year, the surplus on the last.
    let sim = start(35, short(1_000_000)).await;
    let (total, years) = records_summary(
        &get(sim.addr, "/hazchem/api/records/summary").await,
        "sx",
        "hazchem",
    );
    assert_eq!((total, years.len()), (1_000_000, 10));
}

/// The interface standard's schema of `/health`, as the suites use it.
fn health_schema() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/suites/schemas/health.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect(path)).expect("the schema is JSON")
}

/// A draft 2020-12 validator of the health schema; `formats` asserts `format` too.
fn health_validator(formats: bool) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(formats)
        .build(&health_schema())
        .expect("the health schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn health_schema_is_draft_2020_12_and_the_served_health_passes() {
    let schema = health_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("not a valid draft 2020-12 schema: {e}");
    }
    // The meta-schema check does catch a broken schema.
    let mut broken = schema.clone();
    broken["properties"]["version"]["type"] = "text".into();
    assert!(!jsonschema::draft202012::meta::is_valid(&broken));
    assert_eq!(
        schema["required"],
        serde_json::json!(["status", "app", "node", "version", "time"])
    );

    // What the simulator serves passes: UP, and the DOWN of a `status` fault.
    let sim = start(
        36,
        with_hazchem(Behaviour {
            status: Some(503),
            ..Default::default()
        }),
    )
    .await;
    let up = get(sim.addr, "/dispatch/health").await.json();
    let down = get(sim.addr, "/hazchem/health").await.json();
    assert_eq!(
        (up["status"].as_str(), down["status"].as_str()),
        (Some("UP"), Some("DOWN"))
    );
    for formats in [false, true] {
        let v = health_validator(formats);
        for served in [&up, &down] {
            assert!(
                v.is_valid(served),
                "{served}: {:?}",
                schema_errors(&v, served)
            );
        }
        // Fields of its own are allowed.
        let mut more = up.clone();
        more["components"] = serde_json::json!({"db": {"status": "UP"}});
        assert!(v.is_valid(&more));
    }

    // Each break of the standard fails it, whether formats are asserted or not.
    let v = health_validator(false);
    let broken = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut j = up.clone();
        f(&mut j);
        j
    };
    let object = |j: &mut serde_json::Value| j.as_object_mut().unwrap().clone();
    for field in ["status", "app", "node", "version", "time"] {
        let j = broken(&|j| {
            let mut o = object(j);
            o.remove(field);
            *j = o.into();
        });
        assert!(!v.is_valid(&j), "without {field}: {j}");
    }
    for (field, value) in [
        ("status", serde_json::json!("up")),
        ("status", serde_json::json!("OK")),
        ("app", serde_json::json!(7)),
        ("node", serde_json::json!("SX")),
        ("version", serde_json::json!(2.3)),
        ("version", serde_json::json!("v2.3")),
        ("time", serde_json::json!(1_767_225_600_000_u64)),
        ("time", serde_json::json!("2026-05-01 08:00:00")),
    ] {
        let j = broken(&|j| j[field] = value.clone());
        assert!(!v.is_valid(&j), "{field}: {value} should fail");
    }
    assert!(!v.is_valid(&serde_json::json!([up])));
    assert!(!v.is_valid(&serde_json::json!({"status": "UP"})));
}

#[tokio::test(flavor = "multi_thread")]
async fn nonconformant_health_says_up_and_breaks_the_schema() {
    let sim = start(
        37,
        with_hazchem(Behaviour {
            nonconformant: true,
            ..Default::default()
        }),
    )
    .await;
    let mut c = connect(sim.addr).await;
    let r = c.get("/hazchem/health").await;
    assert_eq!(r.status, 200);
    assert_common_headers(&r);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert!(r.text().starts_with(r#"{"status":"UP","#), "{}", r.text());
    let j = r.json();
    assert_eq!(
        (j["app"].as_str(), j["node"].as_str()),
        (Some("hazchem"), Some("sx"))
    );
    assert!(j.get("version").is_none(), "no version: {j}");
    let ms = j["time"].as_i64().expect("time in epoch milliseconds");
    assert!(
        (chrono::Utc::now().timestamp_millis() - ms).abs() < 60_000,
        "{ms}"
    );
    for formats in [false, true] {
        let v = health_validator(formats);
        let errors = schema_errors(&v, &j);
        assert!(
            errors.iter().any(|e| e.contains("version")),
            "version missing: {errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("/time")),
            "time not text: {errors:?}"
        );
        // The other app on the port conforms.
        let ok = c.get("/dispatch/health").await.json();
        assert!(v.is_valid(&ok), "{ok}: {:?}", schema_errors(&v, &ok));
    }
    // Its records and login page are untouched.
    records_summary(
        &c.get("/hazchem/api/records/summary").await,
        "sx",
        "hazchem",
    );
    assert_eq!(c.get("/hazchem/").await.status, 200);

    // A nonconformant app that is down says so in its own (nonconformant) format.
    let sim = start(
        38,
        with_hazchem(Behaviour {
            nonconformant: true,
            status: Some(500),
            ..Default::default()
        }),
    )
    .await;
    let r = get(sim.addr, "/hazchem/health").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (500, Some("DOWN")));
    assert!(r.json().get("version").is_none());
}

/// The bundled inventories' `migrated_min`, which the data-migration check compares each
/// app's total with, is met by every usual total (at least 1,200, a county's least), and
/// the demo's `records` faults serve less, so that its report shows them.
#[test]
fn bundled_inventories_set_a_migrated_min_every_usual_total_meets() {
    use netaccept::load::{Inputs, load};
    use netaccept::model::FaultKind;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (inventory, faults) in [
        ("inventories/demo", Some("inventories/demo/sim/faults.yaml")),
        ("inventories/example", None),
        ("inventories/national", None),
    ] {
        let loaded = load(&Inputs {
            inventory: root.join(inventory),
            faults: faults.map(|f| root.join(f)),
            ..Inputs::default()
        })
        .unwrap_or_else(|e| panic!("{inventory}: {:?}", e.diagnostics));
        let inv = &loaded.inventory;
        let min_of = |i| -> u64 {
            inv.var(i, "migrated_min")
                .unwrap_or_else(|| panic!("{inventory}: {} has no migrated_min", inv.node(i).id))
                .parse()
                .expect("migrated_min is a whole number")
        };
        for &i in &inv.order {
            if !inv.node(i).apps.is_empty() {
                assert!(min_of(i) <= 1_200, "{inventory}: {}", inv.node(i).id);
            }
        }
        let mut short = 0;
        for f in loaded.faults.iter().flatten() {
            if let FaultKind::Records(n) = f.kind {
                let i = inv.find(&f.node).unwrap();
                assert!(u64::from(n) < min_of(i), "{inventory}: {}", f.node);
                short += 1;
            }
        }
        assert_eq!(
            short > 0,
            faults.is_some(),
            "{inventory}: the demo shows one"
        );
    }
}
