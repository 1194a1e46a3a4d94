//! The HTTP prober on pages in the charsets government sites still serve: GBK (declared as
//! `gbk` or `gb2312`), GB18030, Big5, latin1, cp1256; declared in `Content-Type`, only in
//! the page's `<meta>`, or with a label that names nothing. Each page is encoded here with
//! encoding_rs and judged on its text, with the charset used recorded.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use encoding_rs::{BIG5, Encoding, GB18030, GBK, WINDOWS_1252, WINDOWS_1256};
use netaccept::model::Text;
use netaccept::probe::FailKind;

use crate::http::{assert_passed, context, fail_kind, outcome, serve_http, spec};

/// What the dispatch system's page says when all is well.
const SAYS: &str = "安全生产调度统计系统 运行正常";

fn bytes(e: &'static Encoding, text: &str) -> Vec<u8> {
    let (b, _, unmappable) = e.encode(text);
    assert!(!unmappable, "{text} is not all in {}", e.name());
    b.into_owned()
}

/// A server answering each path with its `Content-Type` (if any) and bytes.
async fn serve(pages: Vec<(&'static str, Option<&'static str>, Vec<u8>)>) -> SocketAddr {
    let mut app = Router::new();
    for (p, content_type, body) in pages {
        app = app.route(
            p,
            get(move || async move {
                // axum types bytes as application/octet-stream: replaced, or taken away.
                let mut r = body.into_response();
                match content_type {
                    Some(ct) => r
                        .headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct)),
                    None => r.headers_mut().remove(header::CONTENT_TYPE),
                };
                r
            }),
        );
    }
    serve_http("127.0.0.1", app).await
}

#[tokio::test(flavor = "multi_thread")]
async fn gbk_page_matches_its_chinese_text() {
    let page = bytes(GBK, &format!("<html><body><p>{SAYS}</p></body></html>"));
    let addr = serve(vec![
        ("/gbk", Some("text/html; charset=gbk"), page.clone()),
        ("/gb2312", Some("text/html; charset=GB2312"), page),
    ])
    .await;
    let (_d, cx) = context();
    for p in ["/gbk", "/gb2312"] {
        let mut s = spec(&format!("http://{addr}{p}"));
        s.expect.body_contains = vec![Text::plain(SAYS)];
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["charset"], "GBK", "{p}");
        assert!(
            o.evidence.as_deref().unwrap().contains(SAYS),
            "{p}: evidence"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn gb18030_big5_latin1_and_cp1256_pages_match() {
    let cases = [
        ("/gb18030", "text/html; charset=gb18030", GB18030, SAYS),
        // Big5 is traditional: the same words as a Taiwanese page writes them.
        (
            "/big5",
            "text/html; charset=big5",
            BIG5,
            "安全生產調度統計系統 運行正常",
        ),
        (
            "/latin1",
            "text/plain; charset=iso-8859-1",
            WINDOWS_1252,
            "Système: État opérationnel — ok",
        ),
        (
            "/cp1256",
            "text/html; charset=cp1256",
            WINDOWS_1256,
            "النظام يعمل بشكل طبيعي",
        ),
    ];
    let addr = serve(
        cases
            .iter()
            .map(|(p, ct, e, text)| (*p, Some(*ct), bytes(e, text)))
            .collect(),
    )
    .await;
    let (_d, cx) = context();
    for (p, _, e, text) in cases {
        let mut s = spec(&format!("http://{addr}{p}"));
        s.expect.body_contains = vec![Text::plain(text)];
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["charset"], e.name(), "{p}");
        assert_eq!(o.evidence.as_deref(), Some(text), "{p}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_charset_only_in_meta_is_used() {
    let addr = serve(vec![
        (
            "/meta",
            Some("text/html"),
            bytes(
                GBK,
                &format!("<!DOCTYPE html><html><head><meta charset=\"gbk\"><title>调度</title></head><body>{SAYS}</body></html>"),
            ),
        ),
        (
            "/http-equiv",
            Some("text/html"),
            bytes(
                GB18030,
                &format!("<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=gb18030\"></head><body>{SAYS}</body></html>"),
            ),
        ),
        // No Content-Type at all: the page's own word still counts.
        (
            "/untyped",
            None,
            bytes(BIG5, "<meta charset=big5><p>運行正常</p>"),
        ),
    ])
    .await;
    let (_d, cx) = context();
    for (p, text, charset) in [
        ("/meta", SAYS, "GBK"),
        ("/http-equiv", SAYS, "gb18030"),
        ("/untyped", "運行正常", "Big5"),
    ] {
        let mut s = spec(&format!("http://{addr}{p}"));
        s.expect.body_contains = vec![Text::plain(text)];
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        assert_eq!(o.measurements["charset"], charset, "{p}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_charset_label_reads_as_utf8_and_is_recorded() {
    let addr = serve(vec![(
        "/klingon",
        Some("text/html; charset=x-klingon"),
        SAYS.as_bytes().to_vec(),
    )])
    .await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/klingon"));
    s.expect.body_contains = vec![Text::plain(SAYS)];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["charset"], "UTF-8");
    assert_eq!(o.measurements["charset_unknown"], "x-klingon");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_in_gbk_is_parsed_from_the_decoded_text() {
    let addr = serve(vec![(
        "/json",
        Some("application/json; charset=GBK"),
        bytes(
            GBK,
            r#"{"system":"安全生产调度统计系统","state":"运行正常"}"#,
        ),
    )])
    .await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/json"));
    s.expect.json = vec![crate::http::json_eq(
        "$.state",
        serde_json::json!("运行正常"),
    )];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);

    // The text judged is the decoded one: a wrong expectation fails on the value found.
    s.expect.json = vec![crate::http::json_eq("$.state", serde_json::json!("停止"))];
    let o = outcome(&s, &cx).await;
    assert_eq!(fail_kind(&o), FailKind::JsonMismatch);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gzipped_gbk_page_is_undone_then_decoded() {
    use async_compression::tokio::bufread::GzipEncoder;
    use tokio::io::AsyncReadExt;

    let page = bytes(GBK, &format!("<html><body>{SAYS}</body></html>"));
    let mut gz = Vec::new();
    GzipEncoder::new(&page[..])
        .read_to_end(&mut gz)
        .await
        .unwrap();
    let app = Router::new().route(
        "/",
        get(move || async move {
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=gb2312"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                gz,
            )
        }),
    );
    let addr = serve_http("127.0.0.1", app).await;
    let (_d, cx) = context();
    let mut s = spec(&format!("http://{addr}/"));
    s.expect.body_contains = vec![Text::plain(SAYS)];
    let o = outcome(&s, &cx).await;
    assert_passed(&o);
    assert_eq!(o.measurements["charset"], "GBK");
    assert_eq!(o.measurements["bytes"], page.len());
}
