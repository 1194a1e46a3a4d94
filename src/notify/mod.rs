//! `--notify URL`: one webhook POST per run when something changed (new failures,
//! recoveries, flapping started or stopped), as plain JSON or as a WeCom or DingTalk robot
//! message. A webhook that is down is a warning, never a failed run; the URL (whose query or
//! path holds the robot's secret token) is never printed whole.
//!
//! `body` makes the message (pure: `body.rs` the JSON, `markdown.rs` the robots' Chinese
//! text), `send` posts it (`send.rs`). FORMAT.md, "Notifications", is the contract.

mod body;
mod markdown;
mod send;

use crate::history::ItemKey;
use crate::trend::{Diff, Flap};

pub use send::TIMEOUT;

/// The `format` of the plain JSON message.
pub const FORMAT: &str = "netaccept-notification/1";

/// The message's shape (`--notify-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `netaccept-notification/1` (FORMAT.md).
    #[default]
    Json,
    /// WeCom (企业微信) group robot: `{"msgtype":"markdown","markdown":{"content":…}}`.
    Wecom,
    /// DingTalk (钉钉) custom robot: `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`.
    Dingtalk,
}

/// A webhook URL: holds a secret, so `Display` and `Debug` show only scheme, host and port.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(reqwest::Url);

/// Why a notification was not delivered (a warning: the run's exit code does not change).
#[derive(Debug, thiserror::Error)]
#[error("notification to {url} not delivered: {why}")]
pub struct NotifyError {
    /// Redacted.
    pub url: String,
    pub why: String,
}

/// What a notification says, besides the diff: names to show and where the reports are.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Node id → name, check id → name, app id → name (from the run's record).
    pub node_names: std::collections::HashMap<String, String>,
    pub check_names: std::collections::HashMap<String, String>,
    pub app_names: std::collections::HashMap<String, String>,
    /// The run's output folder, as given.
    pub report_dir: String,
}

impl Context {
    /// The names of a run's record, and its output folder.
    pub fn of(results: &crate::results::Results, report_dir: &str) -> Context {
        let lookup = results.lookup();
        let owned = |(id, name): (&&str, &&str)| (id.to_string(), name.to_string());
        Context {
            node_names: lookup
                .nodes
                .iter()
                .map(|(id, n)| (id.to_string(), n.name.clone()))
                .collect(),
            check_names: lookup.checks.iter().map(owned).collect(),
            app_names: lookup.apps.iter().map(owned).collect(),
            report_dir: report_dir.to_string(),
        }
    }

    /// An item's display names, node, check and app (the app's `None` for a check without
    /// one): each the id again when the record has no name for it.
    fn names<'a>(&'a self, key: &'a ItemKey) -> (&'a str, &'a str, Option<&'a str>) {
        let name = |m: &'a std::collections::HashMap<String, String>, id: &'a str| {
            m.get(id).map_or(id, String::as_str)
        };
        (
            name(&self.node_names, &key.node),
            name(&self.check_names, &key.check),
            key.app.as_deref().map(|a| name(&self.app_names, a)),
        )
    }
}

impl WebhookUrl {
    /// An `http://` or `https://` URL; anything else is refused with why. The reason never
    /// quotes the value: it may hold the token.
    pub fn parse(s: &str) -> Result<WebhookUrl, String> {
        let url = reqwest::Url::parse(s.trim()).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "a webhook URL is http:// or https://, not {}://",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("a webhook URL names a host".into());
        }
        Ok(WebhookUrl(url))
    }

    /// The whole URL, secret included: for the request only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// `scheme://host[:port]/…`: what may be printed. The `/…` stands for the path and query
    /// (where WeCom and DingTalk put the robot's key or access token) and any user info.
    pub fn redacted(&self) -> String {
        let u = &self.0;
        let host = u.host_str().unwrap_or("");
        match u.port() {
            Some(p) => format!("{}://{host}:{p}/…", u.scheme()),
            None => format!("{}://{host}/…", u.scheme()),
        }
    }
}

impl std::fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookUrl({})", self.redacted())
    }
}

/// The body for `format` (pure: tests compare it).
pub fn body(format: Format, diff: &Diff, ctx: &Context) -> serde_json::Value {
    match format {
        Format::Json => body::json(diff, ctx),
        Format::Wecom => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "content": markdown::text(diff, ctx, markdown::WECOM_MAX_BYTES) },
        }),
        Format::Dingtalk => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {
                "title": markdown::title(diff),
                "text": markdown::text(diff, ctx, markdown::DINGTALK_MAX_BYTES),
            },
        }),
    }
}

/// POSTs the message when `diff.changed()`; returns whether one was sent. Blocking, with a
/// 10 s timeout ([`TIMEOUT`]); call it outside any async runtime (inside one, it posts from a
/// thread of its own).
pub fn send(
    url: &WebhookUrl,
    format: Format,
    diff: &Diff,
    ctx: &Context,
) -> Result<bool, NotifyError> {
    if !diff.changed() {
        return Ok(false);
    }
    send::post(url, format, &body(format, diff, ctx))?;
    Ok(true)
}

/// A flap's percent to one decimal, rounded half away from zero (not as `{:.1}` would): the
/// percentage is a weighted count of 20 transitions at most. Both shapes show this one.
fn percent(f: &Flap) -> f64 {
    (f.percent * 10.0).round() / 10.0
}

/// Text made one line: control characters (line breaks among them) become spaces, and the
/// ends are trimmed.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// `s`'s first `chars` characters, and `…` when that cut something off.
fn cut(s: &str, chars: usize) -> String {
    let mut out: String = s.chars().take(chars).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

    #[test]
    fn the_url_shows_scheme_host_and_port_only() {
        let u = WebhookUrl::parse(&format!(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={SECRET}"
        ))
        .unwrap();
        assert_eq!(u.to_string(), "https://qyapi.weixin.qq.com/…");
        assert_eq!(
            format!("{u:?}"),
            "WebhookUrl(https://qyapi.weixin.qq.com/…)"
        );
        assert!(u.expose().contains(SECRET));
        let u = WebhookUrl::parse(&format!(
            "http://user:{SECRET}@127.0.0.1:8080/hook/{SECRET}"
        ))
        .unwrap();
        assert_eq!(u.to_string(), "http://127.0.0.1:8080/…");
        assert!(!format!("{u:?}{u:#?}").contains(SECRET));
        let u = WebhookUrl::parse("http://[::1]:9/x").unwrap();
        assert_eq!(u.to_string(), "http://[::1]:9/…");
    }

    #[test]
    fn only_http_urls_are_taken_and_the_reason_quotes_nothing() {
        for bad in [
            format!("ftp://example.test/{SECRET}"),
            SECRET.to_string(),
            format!("file:///tmp/{SECRET}"),
            String::new(),
        ] {
            let why = WebhookUrl::parse(&bad).unwrap_err();
            assert!(!why.contains(SECRET), "{why}");
            assert!(!why.is_empty());
        }
    }

    #[test]
    fn text_is_made_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(one_line(" a\nb\r\tc\u{1b} "), "a b  c");
        assert_eq!(cut("山西太原", 2), "山西…");
        assert_eq!(cut("山西", 2), "山西");
    }
}
