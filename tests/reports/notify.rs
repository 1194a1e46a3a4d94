//! `--notify`: the webhook message (`netaccept::notify`) posted to a real HTTP server on
//! 127.0.0.1 (axum), in each format: plain JSON (`netaccept-notification/1`), the WeCom and
//! DingTalk robots' markdown within their size limit; nothing sent when nothing changed; a
//! webhook that is down, answers 500 or whose robot refuses is an error whose words hold no
//! part of the secret token.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri};
use chrono::{DateTime, TimeZone, Utc};
use netaccept::history::{ItemKey, RunRow};
use netaccept::notify::{self, Context, Format, WebhookUrl};
use netaccept::results::{Status, Summary};
use netaccept::trend::{Change, Diff, Flap, Regression};
use serde_json::{Value, json};

/// The robot's key, as WeCom puts it in the query (DingTalk: `access_token=`).
const SECRET: &str = "5f0c3e1a-9b7d-4c2e-8a61-d0e4b7c9f2aa";

/// One request the webhook received.
#[derive(Debug, Clone)]
struct Got {
    target: String,
    content_type: String,
    body: Value,
}

/// A webhook on 127.0.0.1 answering every POST with `status` and `reply`, recording what it
/// got; stopped when dropped.
struct Hook {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Got>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hook {
    fn start(status: u16, reply: &'static str) -> Hook {
        let got = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let log = Arc::clone(&got);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(
                    move |uri: Uri, headers: HeaderMap, body: axum::body::Bytes| async move {
                        log.lock().unwrap().push(Got {
                            target: uri.to_string(),
                            content_type: headers
                                .get("content-type")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string(),
                            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        });
                        (StatusCode::from_u16(status).unwrap(), reply)
                    },
                );
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Hook {
            addr: addr_rx.recv().unwrap(),
            got,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The robot-style URL of this webhook, the secret in its path and query.
    fn url(&self) -> WebhookUrl {
        WebhookUrl::parse(&format!(
            "http://{}/cgi-bin/webhook/{SECRET}/send?key={SECRET}",
            self.addr
        ))
        .unwrap()
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, 30, 0).unwrap()
}

fn run(id: &str, started: DateTime<Utc>) -> RunRow {
    RunRow {
        key: 1,
        id: id.into(),
        suite: "phase1-acceptance".into(),
        suite_name: "金安工程一期 网络互联互通与应用系统验收".into(),
        scope: "vantage:national".into(),
        vantage_id: Some("national".into()),
        host: "probe-01.aq.gov.test".into(),
        shard: None,
        merged: false,
        started,
        finished: started + chrono::TimeDelta::minutes(3),
        complete: true,
        summary: Summary {
            passed: 90,
            failed: 3,
            errored: 1,
            skipped: 2,
            waived: 1,
            not_reported: 0,
        },
        inventory_sha256: "0f0b".into(),
        suite_sha256: "5cd3".into(),
        netaccept_version: "0.1.0".into(),
    }
}

fn key(node: &str, check: &str, app: Option<&str>) -> ItemKey {
    ItemKey {
        node: node.into(),
        check: check.into(),
        app: app.map(Into::into),
    }
}

fn change(
    k: ItemKey,
    before: Option<Status>,
    after: Status,
    kind: Option<&str>,
    msg: &str,
) -> Change {
    Change {
        key: k,
        before,
        after,
        kind: kind.map(Into::into),
        message: msg.into(),
        since: None,
    }
}

/// Nothing a notification is due for: a check still failing and a slower link.
fn unchanged() -> Diff {
    Diff {
        a: run(
            "phase1-acceptance-20261127T173000Z-1",
            at(17) - chrono::TimeDelta::days(1),
        ),
        b: run("phase1-acceptance-20261128T173000Z-2", at(17)),
        new_failures: vec![],
        recoveries: vec![],
        still_failing: vec![Change {
            since: Some(at(17) - chrono::TimeDelta::days(5)),
            ..change(
                key("sx-coal", "net.dns", None),
                Some(Status::Failed),
                Status::Failed,
                Some("ConnectionRefused"),
                "connection refused",
            )
        }],
        flapping: vec![],
        flapping_started: vec![],
        flapping_stopped: vec![],
        regressions: vec![Regression {
            key: key("sx-datong", "net.icmp", None),
            measure: "rtt_avg_ms".into(),
            before: 10.0,
            after: 30.0,
        }],
        compared: 97,
    }
}

/// One of each change a notification is sent for.
fn changed() -> Diff {
    let flap = |node: &str, percent: f64, flapping: bool| Flap {
        key: key(node, "net.icmp", None),
        percent,
        flapping,
    };
    Diff {
        new_failures: vec![change(
            key("sx-changzhi", "app.health", Some("hazchem")),
            Some(Status::Passed),
            Status::Failed,
            Some("StatusMismatch"),
            "expected status 200, got 503",
        )],
        recoveries: vec![change(
            key("sx-datong", "net.icmp", None),
            Some(Status::Failed),
            Status::Passed,
            None,
            "",
        )],
        flapping: vec![flap("sx-taiyuan", 41.25, true)],
        flapping_started: vec![flap("sx-taiyuan", 41.25, true)],
        flapping_stopped: vec![flap("sx-yangquan", 22.5, false)],
        ..unchanged()
    }
}

fn context() -> Context {
    let names = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Context {
        node_names: names(&[
            ("sx-changzhi", "长治市应急管理局"),
            ("sx-datong", "大同市应急管理局"),
            ("sx-taiyuan", "太原市应急管理局"),
        ]),
        check_names: names(&[
            ("app.health", "应用健康检查"),
            ("net.icmp", "网络连通（ICMP）"),
        ]),
        app_names: names(&[("hazchem", "危化品监管")]),
        report_dir: "/var/lib/netaccept/reports/20261128T173000Z".into(),
    }
}

/// Neither the error's words nor its `Debug` hold the token.
fn assert_no_secret(e: &notify::NotifyError) {
    let shown = format!("{e} {e:?} {}", e.why);
    assert!(!shown.contains(SECRET), "the token leaked: {shown}");
    assert!(!shown.contains("key="), "the query leaked: {shown}");
}

#[test]
fn the_json_message_is_posted_with_every_change() {
    let hook = Hook::start(204, "");
    let (diff, ctx) = (changed(), context());
    assert!(notify::send(&hook.url(), Format::Json, &diff, &ctx).unwrap());
    let got = hook.got();
    assert_eq!(got.len(), 1, "one POST per run");
    assert_eq!(
        got[0].target,
        format!("/cgi-bin/webhook/{SECRET}/send?key={SECRET}")
    );
    assert_eq!(got[0].content_type, "application/json");
    let b = &got[0].body;
    assert_eq!(
        *b,
        notify::body(Format::Json, &diff, &ctx),
        "what body() makes is sent"
    );
    assert_eq!(b["format"], "netaccept-notification/1");
    assert_eq!(b["run"]["id"], "phase1-acceptance-20261128T173000Z-2");
    assert_eq!(b["run"]["suite"], "phase1-acceptance");
    assert_eq!(b["run"]["scope"], "vantage:national");
    assert_eq!(b["run"]["started"], "2026-11-28T17:30:00Z");
    assert_eq!(b["run"]["summary"]["failed"], 3);
    assert_eq!(b["previous"]["id"], "phase1-acceptance-20261127T173000Z-1");
    assert_eq!(
        b["counts"],
        json!({"new_failures": 1, "recoveries": 1, "still_failing": 1, "flapping": 1,
               "flapping_started": 1, "flapping_stopped": 1, "regressions": 1})
    );
    assert_eq!(
        b["new_failures"][0],
        json!({
            "node": "sx-changzhi", "node_name": "长治市应急管理局",
            "check": "app.health", "check_name": "应用健康检查",
            "app": "hazchem", "app_name": "危化品监管",
            "before": "passed", "status": "failed", "kind": "StatusMismatch",
            "message": "expected status 200, got 503",
        })
    );
    assert_eq!(b["recoveries"][0]["status"], "passed");
    assert_eq!(b["recoveries"][0]["app"], Value::Null);
    assert_eq!(b["flapping_started"][0]["percent"], 41.3);
    // No name in the record: the id stands in.
    assert_eq!(b["flapping_stopped"][0]["node_name"], "sx-yangquan");
    assert_eq!(
        b["report_dir"],
        "/var/lib/netaccept/reports/20261128T173000Z"
    );
}

#[test]
fn the_wecom_message_fits_4096_bytes_and_counts_what_it_leaves_out() {
    let hook = Hook::start(200, r#"{"errcode":0,"errmsg":"ok"}"#);
    let mut diff = changed();
    let ctx = context();
    diff.new_failures = (0..300)
        .map(|i| {
            change(
                key(&format!("county-{i:03}"), "app.health", Some("hazchem")),
                Some(Status::Passed),
                Status::Failed,
                Some("ConnectionRefused"),
                "连接被拒绝：目标端口未监听，请检查应用服务是否启动以及防火墙策略是否放行该端口的访问请求",
            )
        })
        .collect();
    assert!(notify::send(&hook.url(), Format::Wecom, &diff, &ctx).unwrap());
    let got = hook.got();
    assert_eq!(got.len(), 1);
    let b = &got[0].body;
    assert_eq!(b["msgtype"], "markdown");
    let content = b["markdown"]["content"].as_str().unwrap();
    assert!(content.len() <= 4096, "{} bytes", content.len());
    assert!(
        content.starts_with("### netaccept 夜间巡检：金安工程一期 网络互联互通与应用系统验收\n")
    );
    assert!(content.contains("新故障 **300** 项"), "{content}");
    let listed = content
        .lines()
        .filter(|l| l.starts_with("- county-"))
        .count();
    assert!(listed > 10, "{content}");
    assert!(
        content.contains(&format!("- … 另有 {} 项\n", 300 - listed)),
        "{content}"
    );
    // The later sections and the folder still fit.
    for s in [
        "**已恢复**",
        "- 大同市应急管理局 · 网络连通（ICMP）：通过",
        "**开始抖动**",
        "状态变化率 41.3%",
        "**停止抖动**",
    ] {
        assert!(content.contains(s), "{s} missing: {content}");
    }
    assert!(content.ends_with("报告：/var/lib/netaccept/reports/20261128T173000Z\n"));
}

#[test]
fn the_dingtalk_message_has_a_title_and_markdown_text() {
    let hook = Hook::start(200, r#"{"errcode":0,"errmsg":"ok"}"#);
    let (diff, ctx) = (changed(), context());
    assert!(notify::send(&hook.url(), Format::Dingtalk, &diff, &ctx).unwrap());
    let b = &hook.got()[0].body;
    assert_eq!(b["msgtype"], "markdown");
    assert_eq!(
        b["markdown"]["title"],
        "netaccept 夜间巡检：金安工程一期 网络互联互通与应用系统验收：新故障 1 项，恢复 1 项"
    );
    let text = b["markdown"]["text"].as_str().unwrap();
    assert!(text.contains(
        "- 长治市应急管理局 · 应用健康检查 · 危化品监管：失败（StatusMismatch），expected status 200, got 503\n"
    ), "{text}");
    assert!(
        text.contains("开始于 2026-11-29 01:30（北京时间）"),
        "{text}"
    );
    assert_eq!(b.as_object().unwrap().len(), 2, "msgtype and markdown only");
}

#[test]
fn an_unchanged_diff_sends_nothing() {
    let hook = Hook::start(204, "");
    let diff = unchanged();
    assert!(!diff.changed());
    for format in [Format::Json, Format::Wecom, Format::Dingtalk] {
        assert!(!notify::send(&hook.url(), format, &diff, &context()).unwrap());
    }
    assert!(hook.got().is_empty(), "{:?}", hook.got());
}

#[test]
fn a_webhook_that_is_down_is_an_error_without_the_token() {
    // A port that was just free: nothing listens there.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url =
        WebhookUrl::parse(&format!("http://{addr}/robot/send?access_token={SECRET}")).unwrap();
    let e = notify::send(&url, Format::Dingtalk, &changed(), &context()).unwrap_err();
    assert_eq!(e.url, format!("http://{addr}/…"));
    assert!(e.why.contains("refused"), "{}", e.why);
    assert_no_secret(&e);
}

#[test]
fn a_500_answer_is_an_error_that_quotes_the_server_without_the_token() {
    // A server that echoes the URL it was asked for.
    let hook = Hook::start(
        500,
        "internal error at /cgi-bin/webhook/5f0c3e1a-9b7d-4c2e-8a61-d0e4b7c9f2aa/send?key=5f0c3e1a-9b7d-4c2e-8a61-d0e4b7c9f2aa",
    );
    let e = notify::send(&hook.url(), Format::Json, &changed(), &context()).unwrap_err();
    assert!(
        e.why
            .starts_with("HTTP 500 Internal Server Error: internal error at"),
        "{}",
        e.why
    );
    assert_eq!(hook.got().len(), 1, "one attempt, no retry");
    assert_no_secret(&e);
}

#[test]
fn a_robot_that_refuses_with_an_errcode_is_an_error() {
    let hook = Hook::start(
        200,
        r#"{"errcode":93000,"errmsg":"invalid webhook url, key 5f0c3e1a-9b7d-4c2e-8a61-d0e4b7c9f2aa"}"#,
    );
    let e = notify::send(&hook.url(), Format::Wecom, &changed(), &context()).unwrap_err();
    assert!(e.why.contains("errcode 93000"), "{}", e.why);
    assert_no_secret(&e);
    // The same answer to a plain JSON webhook is just a 200.
    assert!(notify::send(&hook.url(), Format::Json, &changed(), &context()).unwrap());
}

#[test]
fn the_url_shows_no_token_in_display_or_debug() {
    let hook = Hook::start(204, "");
    let url = hook.url();
    for shown in [url.to_string(), format!("{url:?}"), format!("{url:#?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(
            shown.contains(&format!("http://{}/…", hook.addr)),
            "{shown}"
        );
    }
}

/// A library caller may still be inside a runtime: `send` posts from a thread of its own
/// rather than panicking.
#[tokio::test]
async fn send_works_inside_a_runtime() {
    let hook = Hook::start(204, "");
    assert!(notify::send(&hook.url(), Format::Json, &changed(), &context()).unwrap());
    assert_eq!(hook.got().len(), 1);
}
