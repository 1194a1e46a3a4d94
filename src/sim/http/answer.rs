//! What an app answers: its health JSON, as its faults bend it, its records summary, its
//! login page, and the 404 for everything else.

use std::borrow::Cow;

use chrono::{SecondsFormat, Utc};

use super::APP_VERSION;
use super::request::{Method, Request};
use super::routes::Route;

pub(super) const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
/// Where, under an app's prefix, the summary of its migrated records is.
const RECORDS_PATH: &str = "/api/records/summary";

pub(super) struct Answer<'a> {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Cow<'a, str>,
}

/// What `route` answers to `req` (the faults that decide whether to answer at all have
/// been played already).
pub(super) fn answer<'a>(route: Option<&'a Route>, req: &Request) -> Answer<'a> {
    let readable = matches!(req.method, Method::Get | Method::Head);
    if let Some(r) = route.filter(|_| readable) {
        let rest = &req.path[r.prefix.len()..];
        if rest == "/health" {
            return health(r);
        }
        if rest == RECORDS_PATH {
            return Answer {
                status: 200,
                content_type: JSON,
                body: Cow::Borrowed(&r.records),
            };
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

/// The app's own health JSON, `status` first as health endpoints put it. A
/// `nonconformant` app leaves out `version` and gives `time` in epoch milliseconds, against
/// the interface standard (`suites/schemas/health.schema.json`).
fn health_json(r: &Route, status: u16, state: &str) -> Answer<'static> {
    let (app, node) = (json_str(&r.ep.app), json_str(&r.ep.node));
    let body = if r.ep.behaviour.nonconformant {
        format!(
            "{{\"status\":\"{state}\",\"app\":{app},\"node\":{node},\"time\":{}}}",
            Utc::now().timestamp_millis()
        )
    } else {
        format!(
            "{{\"status\":\"{state}\",\"app\":{app},\"node\":{node},\"version\":\"{APP_VERSION}\",\"time\":{}}}",
            json_str(&now()),
        )
    };
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

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(super) fn json_str(s: &str) -> String {
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

pub(super) fn login_page(node: &str, app: &str, prefix: &str) -> String {
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
