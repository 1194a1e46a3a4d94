//! The HTTP prober against real servers on loopback: axum for well-behaved endpoints, raw
//! TCP listeners for misbehaving ones, HTTPS with certificates made at test time. Every
//! call is wrapped in a timeout as the runner wraps it, and every verdict must arrive
//! within that timeout plus half a second.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use netaccept::model::{
    Compare, HeaderName, HttpExpect, HttpMethod, HttpSpec, JsonCheck, JsonOp, JsonPath, Operand,
    Probe, RedirectPolicy, Text, TextPart, TlsPolicy, TlsRequirement,
};
use netaccept::probe::{Context, ErrorKind, FailKind, Outcome, Verdict};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::tls;

pub(crate) const T: Duration = Duration::from_secs(3);
const SLACK: Duration = Duration::from_millis(500);

pub(crate) fn spec(url: &str) -> HttpSpec<Text> {
    HttpSpec {
        method: HttpMethod::Get,
        url: Text::plain(url),
        headers: Vec::new(),
        body: None,
        ca: None,
        insecure: false,
        tls: TlsPolicy::default(),
        client_cert: None,
        client_key: None,
        client_cert_password: None,
        host: None,
        redirects: RedirectPolicy::default(),
        compressed: false,
        expect: HttpExpect::default(),
    }
}

pub(crate) fn path(p: &str) -> JsonPath {
    JsonPath::parse(p).unwrap()
}

/// `"$.path": value` as the loader makes it: `==` with a literal of the value's JSON type.
pub(crate) fn json_eq(p: &str, v: serde_json::Value) -> JsonCheck<Text> {
    JsonCheck {
        path: path(p),
        ops: vec![JsonOp::Compare(Compare::Eq, Operand::Literal(v))],
    }
}

fn header(name: &str) -> HeaderName {
    HeaderName::parse(name).unwrap()
}

/// Runs the probe as the runner does: dropped at the deadline. `None`: the timeout fired.
async fn run(spec: &HttpSpec<Text>, cx: &Context, t: Duration) -> (Option<Outcome>, Duration) {
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + t;
    let p = Probe::Http(Box::new(spec.clone()));
    let out = tokio::time::timeout(t, netaccept::probe::probe(&p, cx, deadline))
        .await
        .ok();
    let took = start.elapsed();
    // Shown with the failure of a test (and with --nocapture), to read the messages.
    if let Some(o) = &out {
        eprintln!(
            "{} in {took:?}: {:?} {:?}",
            spec.url, o.verdict, o.measurements
        );
    } else {
        eprintln!("{} in {took:?}: timed out", spec.url);
    }
    assert!(
        took <= t + SLACK,
        "{} took {took:?}, more than {t:?} + {SLACK:?}",
        spec.url
    );
    (out, took)
}

pub(crate) async fn outcome(spec: &HttpSpec<Text>, cx: &Context) -> Outcome {
    run(spec, cx, T)
        .await
        .0
        .unwrap_or_else(|| panic!("{}: timed out", spec.url))
}

pub(crate) fn fail_kind(o: &Outcome) -> FailKind {
    match &o.verdict {
        Verdict::Failed(f) => f.kind,
        other => panic!("expected a failure, got {other:?} ({:?})", o.measurements),
    }
}

pub(crate) fn message(o: &Outcome) -> &str {
    match &o.verdict {
        Verdict::Failed(f) => &f.message,
        Verdict::Errored(p) => &p.message,
        Verdict::Passed => "",
    }
}

pub(crate) fn assert_passed(o: &Outcome) {
    assert!(
        matches!(o.verdict, Verdict::Passed),
        "expected a pass, got {:?} ({:?})",
        o.verdict,
        o.measurements
    );
}

pub(crate) fn context() -> (tempfile::TempDir, Context) {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context::new(dir.path());
    (dir, cx)
}

// ---- servers --------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Seen {
    authorization: Arc<Mutex<Vec<Option<String>>>>,
}

fn app(seen: Seen) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"status":"UP"}"#,
                )
            }),
        )
        .route(
            "/json",
            get(|| async {
                r#"{"count": 3, "ok": true, "nested": {"a": [1, 2]}, "name": "调度"}"#
            }),
        )
        .route(
            "/down",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "DOWN") }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "late"
            }),
        )
        .route("/echo", post(|body: String| async move { body }))
        .route(
            "/loop",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }),
        )
        .route(
            "/hop/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    "arrived".into_response()
                } else {
                    (
                        StatusCode::FOUND,
                        [(header::LOCATION, format!("/hop/{}", n - 1))],
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/auth",
            any(|State(seen): State<Seen>, headers: HeaderMap| async move {
                let auth = headers
                    .get(header::AUTHORIZATION)
                    .map(|v| v.to_str().unwrap().to_string());
                seen.authorization.lock().unwrap().push(auth.clone());
                // Echoes the credential, as careless servers do.
                format!("you sent: {}", auth.unwrap_or_default())
            }),
        )
        .with_state(seen)
}

pub(crate) async fn serve_http(ip: &str, app: Router) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A raw TCP server: `handle` gets every accepted connection.
pub(crate) async fn serve_raw<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(handle(s));
        }
    });
    addr
}

/// Reads what the client sent first: the request head, for our purposes.
pub(crate) async fn read_request(s: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf).await;
}

pub(crate) fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

// ---- plain HTTP -----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn health_json_up_passes_with_measurements() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/health"));
    s.expect.status = vec![200];
    s.expect.body_contains = vec![Text::plain("UP")];
    s.expect.json = vec![json_eq("$.status", json!("UP"))];
    s.expect.max_time = Some(netaccept::model::Duration::from_millis(2000));
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    let m = &o.measurements;
    assert_eq!(m["status"], 200);
    assert!(m["time_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(m["bytes"], 15);
    assert_eq!(m["redirects"], 0);
    assert_eq!(m["http_version"], "HTTP/1.1");
    assert!(!m.contains_key("cert_days_left"));
    assert!(!m.contains_key("body_truncated"));
    assert_eq!(o.evidence.as_deref(), Some(r#"{"status":"UP"}"#));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_values_compare_by_type() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let url = format!("http://{addr}/json");

    let mut s = spec(&url);
    s.expect.json = vec![
        json_eq("$.count", json!(3)),
        json_eq("$.ok", json!(true)),
        json_eq("$.nested.a", json!([1, 2])),
        json_eq("$.name", json!("调度")),
    ];
    assert_passed(&outcome(&s, &cx).await);

    s.expect.json = vec![json_eq("$.count", json!(4))];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::JsonMismatch);
    assert_eq!(message(&o), format!("GET {url}: $.count is 3, expected 4"));

    s.expect.json = vec![json_eq("$.x", json!(1))];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::JsonMismatch);
    assert_eq!(message(&o), format!("GET {url}: no value at $.x"));

    // A path that does not compile never reaches the prober: the loader refuses it.
    assert!(JsonPath::parse("$[").is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn json_mismatch_body_mismatch_and_not_json() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();

    let mut s = spec(&format!("http://{addr}/health"));
    s.expect.json = vec![json_eq("$.status", json!("DOWN"))];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::JsonMismatch);
    let Verdict::Failed(f) = &o.verdict else {
        unreachable!()
    };
    assert_eq!(f.measured.as_deref(), Some("\"UP\""));

    let mut s = spec(&format!("http://{addr}/health"));
    s.expect.body_contains = vec![Text::plain("UP"), Text::plain("database")];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::BodyMismatch);
    assert!(message(&o).contains("\"database\""), "{}", message(&o));

    let mut s = spec(&format!("http://{addr}/down"));
    s.expect.status = vec![503];
    s.expect.json = vec![json_eq("$.status", json!("DOWN"))];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::JsonMismatch);
    assert!(message(&o).contains("body is not JSON"), "{}", message(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_503_fails_with_expected_and_measured() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let url = format!("http://{addr}/down");
    let mut s = spec(&url);
    s.expect.status = vec![200];
    let o = outcome(&s, &cx).await;
    let Verdict::Failed(f) = &o.verdict else {
        panic!("{:?}", o.verdict)
    };
    assert_eq!(f.kind, FailKind::StatusMismatch);
    assert_eq!(
        f.message,
        format!("GET {url}: status 503, expected one of [200]")
    );
    assert_eq!(f.expected.as_deref(), Some("status in [200]"));
    assert_eq!(f.measured.as_deref(), Some("503"));
    assert_eq!(o.measurements["status"], 503);
    assert_eq!(o.evidence.as_deref(), Some("DOWN"));

    // Without `expect.status`, anything below 400 passes and 503 does not.
    let o = outcome(&spec(&url), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::StatusMismatch);
    assert!(message(&o).ends_with("status 503, expected below 400"));
    assert_passed(&outcome(&spec(&format!("http://{addr}/hop/0")), &cx).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn cert_valid_days_does_not_apply_to_plain_http() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    // A per-app check over apps that mix http:// and https://: the plain one is judged on
    // its other expectations, and the record says why the certificate was not.
    let mut s = spec(&format!("http://{addr}/health"));
    s.expect.cert_valid_days = Some(30);
    s.expect.json = vec![json_eq("$.status", json!("UP"))];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["tls"], "none", "{:?}", o.measurements);
    assert!(!o.measurements.contains_key("cert_days_left"));
    // The other expectations still fail it.
    let mut s = spec(&format!("http://{addr}/down"));
    s.expect.cert_valid_days = Some(30);
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::StatusMismatch, "{}", message(&o));
    assert_eq!(o.measurements["tls"], "none");
    // Without a TLS expectation nothing is added to a plain check's record.
    let o = outcome(&spec(&format!("http://{addr}/health")), &cx).await;
    assert!(!o.measurements.contains_key("tls"), "{:?}", o.measurements);
}

/// A plain-HTTP server that counts the connections it accepts and answers 200.
async fn counting_server() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = hits.clone();
    let addr = serve_raw(move |mut s| {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            read_request(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nUP")
                .await;
        }
    })
    .await;
    (addr, hits)
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_required_fails_a_plain_http_url_before_sending() {
    let (addr, hits) = counting_server().await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/health"));
    s.headers = vec![(header("Authorization"), Text::plain("Bearer t"))];
    s.expect.tls = TlsRequirement::Required;
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::TlsRequired, "{}", message(&o));
    assert!(
        message(&o).contains("plain HTTP, and the check requires HTTPS (`expect.tls: required`)"),
        "{}",
        message(&o)
    );
    assert_eq!(o.measurements["tls"], "none");
    let Verdict::Failed(f) = &o.verdict else {
        unreachable!()
    };
    assert_eq!(
        (f.expected.as_deref(), f.measured.as_deref()),
        (Some("HTTPS"), Some("plain HTTP"))
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing is sent in the clear"
    );
    // The same server passes when plain HTTP is allowed: the server is fine, the URL not.
    s.expect.tls = TlsRequirement::Optional;
    assert_passed(&outcome(&s, &cx).await);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_required_refuses_a_redirect_to_plain_http() {
    let p = pki();
    let (plain, hits) = counting_server().await;
    let to = format!("http://127.0.0.1:{}/health", plain.port());
    let redirecting = Router::new()
        .route(
            "/old",
            get(move || {
                let to = to.clone();
                async move { (StatusCode::FOUND, [(header::LOCATION, to)]) }
            }),
        )
        .merge(health());
    let leaf = p.ca.leaf(&["127.0.0.1"], -1, 400);
    let addr = tls::serve_https("127.0.0.1", leaf, redirecting).await;

    // HTTPS itself meets the requirement, certificate and all.
    let mut s = with_ca(&format!("https://{addr}/health"));
    s.expect.tls = TlsRequirement::Required;
    s.expect.cert_valid_days = Some(30);
    let o = outcome(&s, &p.cx).await;
    assert_passed(&o);
    assert!(!o.measurements.contains_key("tls"));

    // A redirect to plain HTTP (same host, so the default policy would follow it) is not
    // followed.
    let mut s = with_ca(&format!("https://{addr}/old"));
    s.expect.tls = TlsRequirement::Required;
    let o = outcome(&s, &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::TlsRequired, "{}", message(&o));
    assert!(
        message(&o).contains(&format!(
            "redirected to plain HTTP (http://127.0.0.1:{}/health)",
            plain.port()
        )),
        "{}",
        message(&o)
    );
    assert_eq!(o.measurements["tls"], "none");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Without the requirement the redirect is followed, and `cert_valid_days` does not apply
    // to the plain answer judged.
    let mut s = with_ca(&format!("https://{addr}/old"));
    s.expect.cert_valid_days = Some(30);
    let o = outcome(&s, &p.cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["tls"], "none");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn slower_than_max_time_fails() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/slow"));
    s.expect.max_time = Some(netaccept::model::Duration::from_millis(100));
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::TimeExceeded);
    assert!(o.measurements["time_ms"].as_f64().unwrap() >= 300.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn post_sends_the_body() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/echo"));
    s.method = HttpMethod::Post;
    s.body = Some(Text::plain("ping 探测"));
    s.expect.body_contains = vec![Text::plain("ping 探测")];
    assert_passed(&outcome(&s, &cx).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn host_names_resolve_locally() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    // `localhost` comes from /etc/hosts: no query leaves the machine.
    let s = spec(&format!("http://localhost:{}/health", addr.port()));
    assert_passed(&outcome(&s, &cx).await);
}

// ---- redirects ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_followed_and_counted() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/hop/5")), &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["redirects"], 5);
    assert_eq!(o.evidence.as_deref(), Some("arrived"));

    let o = outcome(&spec(&format!("http://{addr}/hop/6")), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::TooManyRedirects);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_loop_fails() {
    let addr = serve_http("127.0.0.1", app(Seen::default())).await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/loop")), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::TooManyRedirects);
    assert_eq!(o.measurements["redirects"], 5);
    assert!(
        message(&o).contains("more than 5 redirects"),
        "{}",
        message(&o)
    );
}

// ---- misbehaving servers ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn silent_server_runs_into_the_timeout() {
    let addr = serve_raw(|s| async move {
        // Holds the connection open, says nothing.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(s);
    })
    .await;
    let (_d, cx) = context();
    let t = Duration::from_secs(1);
    let (out, took) = run(&spec(&format!("http://{addr}/")), &cx, t).await;
    assert!(out.is_none(), "finished before the timeout: {out:?}");
    assert!(took >= t, "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_loris_head_runs_into_the_timeout() {
    let addr = serve_raw(|mut s| async move {
        read_request(&mut s).await;
        for b in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let (_d, cx) = context();
    let t = Duration::from_secs(2);
    let (out, took) = run(&spec(&format!("http://{addr}/")), &cx, t).await;
    assert!(out.is_none(), "finished before the timeout: {out:?}");
    assert!(took >= t, "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_body_fails_just_before_the_deadline_with_what_was_read() {
    let addr = serve_raw(|mut s| async move {
        read_request(&mut s).await;
        if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        for _ in 0..100 {
            if s.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let (_d, cx) = context();
    let t = Duration::from_secs(2);
    let (out, _) = run(&spec(&format!("http://{addr}/")), &cx, t).await;
    let o = out.expect("the prober gives up on the body just before the deadline");
    assert_eq!(fail_kind(&o), FailKind::Timeout);
    assert_eq!(o.measurements["status"], 200);
    assert!(o.measurements["bytes"].as_u64().unwrap() >= 1);
    assert!(
        message(&o).contains("body still incomplete"),
        "{}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_connection_fails_as_reset() {
    let addr = serve_raw(|s| async move {
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    })
    .await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/")), &cx).await;
    let kind = fail_kind(&o);
    assert!(
        matches!(
            kind,
            FailKind::ConnectionReset | FailKind::ConnectionRefused
        ),
        "{kind}: {}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_body_is_capped_and_memory_stays_bounded() {
    let addr = serve_raw(|mut s| async move {
        read_request(&mut s).await;
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n";
        if s.write_all(head).await.is_err() {
            return;
        }
        let zeros = vec![0u8; 64 * 1024];
        while s.write_all(&zeros).await.is_ok() {}
    })
    .await;
    let (_d, cx) = context();
    let before = vm_rss_kib();
    let mut s = spec(&format!("http://{addr}/"));
    s.expect.status = vec![200];
    s.expect.body_contains = vec![Text::plain("\0")];
    for _ in 0..5 {
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["bytes"], 1 << 20);
        assert_eq!(o.measurements["body_truncated"], true);
    }
    let grown_mib = vm_rss_kib().saturating_sub(before) / 1024;
    assert!(grown_mib < 50, "RSS grew by {grown_mib} MiB");
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_port_is_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://127.0.0.1:{port}/")), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::ConnectionRefused);
    assert!(
        message(&o).contains("connection refused"),
        "{}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_instead_of_http_is_a_protocol_error() {
    let addr = serve_raw(|mut s| async move {
        read_request(&mut s).await;
        let _ = s.write_all(b"hello\r\n\r\n").await;
        let _ = s.shutdown().await;
    })
    .await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/")), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::ProtocolError, "{}", message(&o));
}

// ---- secrets ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn secrets_reach_the_server_and_no_report() {
    let seen = Seen::default();
    let addr = serve_http("127.0.0.1", app(seen.clone())).await;
    let (_d, cx) = context();
    let secret = || Text {
        parts: vec![
            TextPart::Plain("Bearer ".into()),
            TextPart::Secret("s3cr3t-token".into()),
        ],
    };
    let mut s = spec("");
    s.url = Text {
        parts: vec![
            TextPart::Plain(format!("http://{addr}/auth?key=")),
            TextPart::Secret("s3cr3t-token".into()),
        ],
    };
    s.headers = vec![(header("Authorization"), secret())];
    // A failing expectation, so that there is a message, and a server that echoes the
    // credential into the evidence.
    s.expect.status = vec![204];
    s.expect.body_contains = vec![Text::plain("nothing like this")];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::StatusMismatch);
    assert_eq!(
        seen.authorization.lock().unwrap().as_slice(),
        [Some("Bearer s3cr3t-token".to_string())]
    );
    let reported = format!(
        "{} {:?} {:?}",
        serde_json::to_string(&o.measurements).unwrap(),
        o.verdict,
        o.evidence
    );
    assert!(!reported.contains("s3cr3t-token"), "{reported}");
    assert!(message(&o).contains("/auth?key=***"), "{}", message(&o));
    assert_eq!(o.evidence.as_deref(), Some("you sent: Bearer ***"));
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_do_not_follow_a_redirect_to_another_host() {
    let seen = Seen::default();
    let other = serve_http("127.0.0.2", app(seen.clone())).await;
    let target = format!("http://{other}/auth");
    let first = serve_http(
        "127.0.0.1",
        Router::new().route(
            "/",
            get(move || {
                let target = target.clone();
                async move { (StatusCode::FOUND, [(header::LOCATION, target)]) }
            }),
        ),
    )
    .await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{first}/"));
    // Another host's answer is refused by default: this test is about what would be sent.
    s.redirects = RedirectPolicy::Any;
    s.headers = vec![(
        header("Authorization"),
        Text {
            parts: vec![TextPart::Secret("Bearer s3cr3t-token".into())],
        },
    )];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["redirects"], 1);
    assert_eq!(seen.authorization.lock().unwrap().as_slice(), [None]);
}

// ---- TLS ------------------------------------------------------------------------------------

struct Pki {
    ca: tls::Ca,
    dir: tempfile::TempDir,
    cx: Context,
}

/// A private CA whose PEM lies in the context's folder as `ca.pem`.
fn pki() -> Pki {
    let ca = tls::Ca::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    let cx = Context::new(dir.path());
    Pki { ca, dir, cx }
}

fn health() -> Router {
    app(Seen::default())
}

fn with_ca(url: &str) -> HttpSpec<Text> {
    let mut s = spec(url);
    s.ca = Some(Text::plain("ca.pem"));
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn private_ca_passes_only_when_trusted() {
    let p = pki();
    let leaf = p.ca.leaf(&["127.0.0.1", "localhost"], -1, 400);
    let addr = tls::serve_https("127.0.0.1", leaf, health()).await;

    let mut s = with_ca(&format!("https://{addr}/health"));
    s.expect.json = vec![json_eq("$.status", json!("UP"))];
    s.expect.cert_valid_days = Some(30);
    let o = outcome(&s, &p.cx).await;
    assert_passed(&o);
    let days = o.measurements["cert_days_left"].as_i64().unwrap();
    assert!((399..=400).contains(&days), "{days}");
    let not_after = o.measurements["cert_not_after"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(not_after).is_ok(),
        "{not_after}"
    );
    assert_eq!(o.measurements["tls_version"], "TLSv1.3");
    assert!(!o.measurements.contains_key("insecure"));

    // By name too: the leaf names `localhost`.
    let s = with_ca(&format!("https://localhost:{}/health", addr.port()));
    assert_passed(&outcome(&s, &p.cx).await);

    // The same server, without the CA: nobody vouches for it. It sends its leaf alone, so
    // its issuer reads as an intermediate it failed to send or as a CA unknown here.
    let o = outcome(&spec(&format!("https://{addr}/health")), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertInvalid, "{}", message(&o));
    let code = &o.measurements["tls_finding"]["code"];
    assert!(
        code == "missing_intermediate" || code == "unknown_issuer",
        "{code}: {}",
        message(&o)
    );
    assert!(
        message(&o).contains("CN=netaccept test CA"),
        "{}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_certificate_is_invalid() {
    let p = pki();
    let leaf = p.ca.leaf(&["127.0.0.1"], -30, -2);
    let addr = tls::serve_https("127.0.0.1", leaf, health()).await;
    let o = outcome(&with_ca(&format!("https://{addr}/health")), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertInvalid, "{}", message(&o));
    assert!(message(&o).contains("expired"), "{}", message(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_for_another_name_is_invalid() {
    let p = pki();
    let leaf = p.ca.leaf(&["portal.example.test"], -1, 400);
    let addr = tls::serve_https("127.0.0.1", leaf, health()).await;
    let o = outcome(&with_ca(&format!("https://{addr}/health")), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertInvalid, "{}", message(&o));
    assert_eq!(o.measurements["tls_finding"]["code"], "name_mismatch");
    assert!(
        message(&o).contains("DNS:portal.example.test, not for 127.0.0.1"),
        "{}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_is_invalid_unless_insecure() {
    let p = pki();
    let addr = tls::serve_https("127.0.0.1", tls::self_signed(&["127.0.0.1"]), health()).await;
    let url = format!("https://{addr}/health");

    let o = outcome(&spec(&url), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertInvalid, "{}", message(&o));
    // Trusting a private CA does not make a stranger's certificate good.
    let o = outcome(&with_ca(&url), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertInvalid, "{}", message(&o));

    let mut s = spec(&url);
    s.insecure = true;
    s.expect.body_contains = vec![Text::plain("UP")];
    let o = outcome(&s, &p.cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["insecure"], true);
    assert!(o.measurements.contains_key("cert_days_left"));
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_expiring_soon_fails_cert_valid_days() {
    let p = pki();
    let leaf = p.ca.leaf(&["127.0.0.1"], -1, 10);
    let addr = tls::serve_https("127.0.0.1", leaf, health()).await;
    let mut s = with_ca(&format!("https://{addr}/health"));
    s.expect.cert_valid_days = Some(30);
    let o = outcome(&s, &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::CertExpiring, "{}", message(&o));
    let days = o.measurements["cert_days_left"].as_i64().unwrap();
    assert!((9..=10).contains(&days), "{days}");
    let Verdict::Failed(f) = &o.verdict else {
        unreachable!()
    };
    assert_eq!(f.measured.as_deref(), Some(format!("{days} days").as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_ca_file_is_a_config_error() {
    let p = pki();
    std::fs::write(p.dir.path().join("junk.pem"), "not a certificate\n").unwrap();
    let addr = tls::serve_https("127.0.0.1", p.ca.leaf(&["127.0.0.1"], -1, 400), health()).await;
    for ca in ["missing.pem", "junk.pem"] {
        let mut s = spec(&format!("https://{addr}/health"));
        s.ca = Some(Text::plain(ca));
        let o = outcome(&s, &p.cx).await;
        match &o.verdict {
            Verdict::Errored(e) => {
                assert_eq!(e.kind, ErrorKind::Config);
                assert!(e.message.contains(ca), "{}", e.message);
            }
            other => panic!("{ca}: {other:?}"),
        }
    }
    // Plain HTTP does not need the CA: a missing one does not stop the check.
    let plain = serve_http("127.0.0.1", health()).await;
    let mut s = spec(&format!("http://{plain}/health"));
    s.ca = Some(Text::plain("missing.pem"));
    assert_passed(&outcome(&s, &p.cx).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_to_a_plain_text_server_is_a_protocol_error() {
    let p = pki();
    let garbage = serve_raw(|mut s| async move {
        read_request(&mut s).await;
        let _ = s.write_all(b"hello\r\n\r\n").await;
    })
    .await;
    let o = outcome(&with_ca(&format!("https://{garbage}/")), &p.cx).await;
    assert_eq!(fail_kind(&o), FailKind::ProtocolError, "{}", message(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_to_a_tls_port_fails() {
    let p = pki();
    let leaf = p.ca.leaf(&["127.0.0.1"], -1, 400);
    let addr = tls::serve_https("127.0.0.1", leaf, health()).await;
    let o = outcome(&spec(&format!("http://{addr}/health")), &p.cx).await;
    let kind = fail_kind(&o);
    assert!(
        matches!(kind, FailKind::ProtocolError | FailKind::ConnectionReset),
        "{kind}: {}",
        message(&o)
    );
}

/// An endpoint reached by address whose certificate names its service: `host:` sends that
/// name as `Host` and SNI and verifies the certificate for it.
#[tokio::test(flavor = "multi_thread")]
async fn host_override_sends_the_name_and_verifies_the_certificate_for_it() {
    let p = pki();
    let name = "dispatch.sx.aq.gov.test";
    let leaf = p.ca.leaf(&[name], -1, 400);
    let hosts: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = hosts.clone();
    let router = Router::new().fallback(get(move |h: axum::http::HeaderMap| {
        let seen = seen.clone();
        async move {
            let host = h
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            seen.lock().unwrap().push(host);
            r#"{"status":"UP"}"#
        }
    }));
    let addr = tls::serve_https("127.0.0.1", leaf, router).await;

    // By address alone, the certificate (for the name) does not match.
    let s = with_ca(&format!("https://{addr}/health"));
    assert_eq!(fail_kind(&outcome(&s, &p.cx).await), FailKind::CertInvalid);

    let mut s = with_ca(&format!("https://{addr}/health"));
    s.host = Some(Text::plain(name));
    let o = outcome(&s, &p.cx).await;
    assert_passed(&o);
    let got = hosts.lock().unwrap().clone();
    assert_eq!(
        got,
        [format!("{name}:{}", addr.port())],
        "the Host header names the service"
    );

    // An address is not a name to send.
    let mut s = with_ca(&format!("https://{addr}/health"));
    s.host = Some(Text::plain("127.0.0.9"));
    let o = outcome(&s, &p.cx).await;
    assert!(matches!(o.verdict, Verdict::Errored(_)), "{:?}", o.verdict);
}
