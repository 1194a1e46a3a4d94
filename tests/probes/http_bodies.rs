//! The HTTP prober on bodies as servers really send them: content codings (gzip, deflate
//! zlib-wrapped and raw, br, zstd, a chain of two), a decompression bomb, broken and unknown
//! codings, what `compressed: true` asks for, the time to first byte against the time to
//! the body's end, and nginx compressing a file as the independent implementation.
//! Charsets are in `http_charsets`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_compression::tokio::bufread::{
    BrotliEncoder, DeflateEncoder, GzipEncoder, ZlibEncoder, ZstdEncoder,
};
use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::routing::get;
use netaccept::model::{HttpMethod, Text};
use netaccept::probe::FailKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::http::{
    assert_passed, context, fail_kind, message, outcome, read_request, serve_http, serve_raw, spec,
    vm_rss_kib,
};

/// A health answer with Chinese in it, so that a body judged still coded cannot pass.
const PAGE: &str = r#"{"status":"UP","system":"安全生产调度统计系统","note":"运行正常"}"#;

#[derive(Debug, Clone, Copy)]
enum Enc {
    Gzip,
    /// RFC 9110's `deflate`: zlib-wrapped.
    Zlib,
    /// What some servers send as `deflate`: the bare stream.
    RawDeflate,
    Br,
    Zstd,
}

async fn encode(e: Enc, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match e {
        Enc::Gzip => GzipEncoder::new(data).read_to_end(&mut out).await,
        Enc::Zlib => ZlibEncoder::new(data).read_to_end(&mut out).await,
        Enc::RawDeflate => DeflateEncoder::new(data).read_to_end(&mut out).await,
        Enc::Br => BrotliEncoder::new(data).read_to_end(&mut out).await,
        Enc::Zstd => ZstdEncoder::new(data).read_to_end(&mut out).await,
    }
    .unwrap();
    out
}

/// What the server saw of each request's `Accept-Encoding`.
type Seen = Arc<Mutex<Vec<Option<String>>>>;

/// A path, the headers of its answer and the body's bytes.
type Route = (&'static str, Vec<(HeaderName, &'static str)>, Vec<u8>);

/// An axum server answering each path with its headers and bytes, as given.
async fn serve(routes: Vec<Route>) -> (SocketAddr, Seen) {
    let seen = Seen::default();
    let mut app = Router::new();
    for (p, headers, body) in routes {
        let seen = seen.clone();
        app = app.route(
            p,
            get(move |req: HeaderMap| async move {
                seen.lock().unwrap().push(
                    req.get(header::ACCEPT_ENCODING)
                        .map(|v| v.to_str().unwrap().to_string()),
                );
                let mut h = HeaderMap::new();
                for (n, v) in headers {
                    h.append(n, HeaderValue::from_static(v));
                }
                (h, body)
            }),
        );
    }
    (serve_http("127.0.0.1", app).await, seen)
}

fn json_type() -> (HeaderName, &'static str) {
    (header::CONTENT_TYPE, "application/json")
}

/// The check most suites make of a health page: a word of it and a JSON value.
fn health_check(url: &str) -> netaccept::model::HttpSpec<Text> {
    let mut s = spec(url);
    s.expect.body_contains = vec![Text::plain("安全生产调度统计系统")];
    s.expect.json = vec![crate::http::json_eq("$.status", serde_json::json!("UP"))];
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_deflate_br_and_zstd_bodies_are_judged_decoded() {
    let mut routes = Vec::new();
    let mut sizes = Vec::new();
    for (p, e, name) in [
        ("/gzip", Enc::Gzip, "gzip"),
        ("/x-gzip", Enc::Gzip, "x-gzip"),
        ("/deflate", Enc::Zlib, "deflate"),
        ("/br", Enc::Br, "br"),
        ("/zstd", Enc::Zstd, "zstd"),
    ] {
        let coded = encode(e, PAGE.as_bytes()).await;
        sizes.push((p, name, coded.len()));
        routes.push((
            p,
            vec![json_type(), (header::CONTENT_ENCODING, name)],
            coded,
        ));
    }
    let (addr, _) = serve(routes).await;
    let (_d, cx) = context();
    for (p, name, wire) in sizes {
        let o = outcome(&health_check(&format!("http://{addr}{p}")), &cx).await;
        assert_passed(&o);
        let m = &o.measurements;
        assert_eq!(m["content_encoding"], name, "{p}");
        assert_eq!(m["bytes"], PAGE.len(), "{p}: decoded bytes");
        assert_eq!(m["bytes_wire"], wire, "{p}: bytes on the wire");
        assert_eq!(m["charset"], "UTF-8", "{p}");
        assert_eq!(o.evidence.as_deref(), Some(PAGE), "{p}: evidence decoded");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_deflate_is_read_as_well_as_zlib_wrapped() {
    let coded = encode(Enc::RawDeflate, PAGE.as_bytes()).await;
    let (addr, _) = serve(vec![(
        "/raw",
        vec![json_type(), (header::CONTENT_ENCODING, "deflate")],
        coded,
    )])
    .await;
    let (_d, cx) = context();
    let o = outcome(&health_check(&format!("http://{addr}/raw")), &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["bytes"], PAGE.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chain_of_codings_is_undone_last_first() {
    // `gzip, br`: gzip was applied first, then br; in one field or in two.
    let coded = encode(Enc::Br, &encode(Enc::Gzip, PAGE.as_bytes()).await).await;
    let wire = coded.len();
    let (addr, _) = serve(vec![
        (
            "/one",
            vec![json_type(), (header::CONTENT_ENCODING, "gzip, br")],
            coded.clone(),
        ),
        (
            "/two",
            vec![
                json_type(),
                (header::CONTENT_ENCODING, "gzip"),
                (header::CONTENT_ENCODING, "br"),
            ],
            coded,
        ),
    ])
    .await;
    let (_d, cx) = context();
    for p in ["/one", "/two"] {
        let o = outcome(&health_check(&format!("http://{addr}{p}")), &cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["content_encoding"], "gzip, br");
        assert_eq!(o.measurements["bytes"], PAGE.len());
        assert_eq!(o.measurements["bytes_wire"], wire);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn decompression_bomb_stops_at_one_mib_decoded() {
    // 100 MiB of zeros, about 100 KB gzipped.
    let zeros = vec![0u8; 100 << 20];
    let bomb = encode(Enc::Gzip, &zeros).await;
    drop(zeros);
    let sent = bomb.len();
    assert!(sent < 1 << 20, "the bomb is {sent} bytes");
    let (addr, _) = serve(vec![(
        "/bomb",
        vec![(header::CONTENT_ENCODING, "gzip")],
        bomb,
    )])
    .await;
    let (_d, cx) = context();
    let before = vm_rss_kib();
    let mut s = spec(&format!("http://{addr}/bomb"));
    s.expect.body_contains = vec![Text::plain("\0")];
    for _ in 0..5 {
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        let m = &o.measurements;
        assert_eq!(m["bytes"], 1 << 20);
        assert_eq!(m["body_truncated"], true);
        // Decoding stopped at the cap: most of the bomb was never read.
        let wire = m["bytes_wire"].as_u64().unwrap();
        assert!(wire < sent as u64 / 2, "read {wire} of {sent} wire bytes");
    }
    let grown_mib = vm_rss_kib().saturating_sub(before) / 1024;
    assert!(grown_mib < 50, "RSS grew by {grown_mib} MiB");

    // A body expectation the first MiB does not meet says where it looked.
    s.expect.body_contains = vec![Text::plain("needle")];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::BodyMismatch);
    assert!(
        message(&o).contains("in the first 1 MiB"),
        "{}",
        message(&o)
    );
    assert_eq!(o.measurements["body_truncated"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_does_not_decode_is_a_protocol_error() {
    let gz = encode(Enc::Gzip, PAGE.as_bytes()).await;
    let (addr, _) = serve(vec![
        (
            "/garbage",
            vec![(header::CONTENT_ENCODING, "gzip")],
            b"this is not gzip at all".to_vec(),
        ),
        (
            "/cut",
            vec![(header::CONTENT_ENCODING, "gzip")],
            gz[..gz.len() / 2].to_vec(),
        ),
        (
            "/zstd-as-br",
            vec![(header::CONTENT_ENCODING, "br")],
            encode(Enc::Zstd, PAGE.as_bytes()).await,
        ),
    ])
    .await;
    let (_d, cx) = context();
    for (p, coding) in [
        ("/garbage", "gzip"),
        ("/cut", "gzip"),
        ("/zstd-as-br", "br"),
    ] {
        // Also without a body expectation: the response is broken, as a body cut off is.
        let o = outcome(&spec(&format!("http://{addr}{p}")), &cx).await;
        assert_eq!(fail_kind(&o), FailKind::ProtocolError, "{p}");
        assert!(
            message(&o).contains(&format!("Content-Encoding: {coding}")),
            "{p}: {}",
            message(&o)
        );
        assert_eq!(o.measurements["status"], 200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn zstd_asking_for_a_window_over_8_mib_is_refused() {
    // A frame that declares a 128 MiB window (2^27): RFC 9659 lets an HTTP recipient refuse
    // more than 8 MiB, and a decoder that obliged would allocate it.
    let params = [async_compression::zstd::CParameter::window_log(27)];
    let mut wide = Vec::new();
    ZstdEncoder::with_quality_and_params(
        PAGE.as_bytes(),
        async_compression::Level::Default,
        &params,
    )
    .read_to_end(&mut wide)
    .await
    .unwrap();
    let (addr, _) = serve(vec![(
        "/wide",
        vec![(header::CONTENT_ENCODING, "zstd")],
        wide,
    )])
    .await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/wide")), &cx).await;
    assert_eq!(fail_kind(&o), FailKind::ProtocolError);
    assert!(
        message(&o).contains("Content-Encoding: zstd"),
        "{}",
        message(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_coding_is_judged_as_sent_and_recorded() {
    let (addr, _) = serve(vec![(
        "/compress",
        vec![(header::CONTENT_ENCODING, "compress")],
        b"UP".to_vec(),
    )])
    .await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/compress"));
    s.expect.body_contains = vec![Text::plain("UP")];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["content_encoding"], "compress");
    assert!(!o.measurements.contains_key("bytes_wire"));
}

#[tokio::test(flavor = "multi_thread")]
async fn compressed_true_sends_accept_encoding_and_the_default_does_not() {
    let (addr, seen) = serve(vec![("/page", vec![json_type()], PAGE.into())]).await;
    let (_d, cx) = context();
    let mut s = health_check(&format!("http://{addr}/page"));
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    // An identity answer: nothing decoded, nothing more recorded.
    assert!(!o.measurements.contains_key("content_encoding"));
    assert!(!o.measurements.contains_key("bytes_wire"));
    s.compressed = true;
    assert_passed(&outcome(&s, &cx).await);
    assert_eq!(
        *seen.lock().unwrap(),
        [None, Some("gzip, deflate, br, zstd".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_head_request_has_no_body_to_decode() {
    let (addr, _) = serve(vec![(
        "/gz",
        vec![(header::CONTENT_ENCODING, "gzip")],
        encode(Enc::Gzip, PAGE.as_bytes()).await,
    )])
    .await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/gz"));
    s.method = HttpMethod::Head;
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["bytes"], 0);
}

/// A server that sends the head at once and the body 300 ms later.
async fn late_body() -> SocketAddr {
    serve_raw(|mut s| async move {
        read_request(&mut s).await;
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n";
        if s.write_all(head).await.is_err() {
            return;
        }
        let _ = s.flush().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = s.write_all(b"UP").await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn ttfb_is_the_head_and_time_the_end_of_the_body() {
    let addr = late_body().await;
    let (_d, cx) = context();
    let o = outcome(&spec(&format!("http://{addr}/")), &cx).await;
    assert_passed(&o);
    let ttfb = o.measurements["ttfb_ms"].as_f64().unwrap();
    let time = o.measurements["time_ms"].as_f64().unwrap();
    assert!(ttfb < 250.0, "ttfb_ms {ttfb}");
    assert!(time >= 300.0, "time_ms {time}");
    assert!(ttfb <= time);
}

#[tokio::test(flavor = "multi_thread")]
async fn max_time_counts_the_body_not_only_the_head() {
    let addr = late_body().await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/"));
    s.expect.max_time = Some(netaccept::model::Duration::from_millis(200));
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::TimeExceeded, "{}", message(&o));
}

// ---- nginx ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn nginx_gzip_of_a_static_json_file_is_decoded() {
    let items: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"id":{i},"name":"调度{i}","state":"运行正常"}}"#))
        .collect();
    let doc = format!(r#"{{"status":"UP","items":[{}]}}"#, items.join(","));
    let Some(nginx) = crate::nginx::Nginx::start(&[("health.json", doc.as_bytes())]) else {
        return;
    };
    let (_d, cx) = context();
    let url = format!("http://{}/health.json", nginx.addr());
    let mut s = spec(&url);
    s.expect.body_contains = vec![Text::plain("调度199")];
    s.expect.json = vec![crate::http::json_eq(
        "$.items[7].state",
        serde_json::json!("运行正常"),
    )];

    // By default nothing is asked for, and nginx answers as is.
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert!(!o.measurements.contains_key("content_encoding"));

    s.compressed = true;
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    let m = &o.measurements;
    assert_eq!(m["content_encoding"], "gzip");
    assert_eq!(m["bytes"], doc.len());
    let wire = m["bytes_wire"].as_u64().unwrap();
    assert!(
        wire < doc.len() as u64 / 4,
        "{wire} bytes gzipped of {}",
        doc.len()
    );
}
