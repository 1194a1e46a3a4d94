//! The webhook POST: one request, a 10 s limit, success only on a 2xx answer (and, from a
//! WeCom or DingTalk robot, which answer HTTP 200 to a refused message, an `errcode` of 0).
//! Every reason it gives is free of the URL: reqwest's errors carry it, so they are taken
//! without it, and whatever the server says back is scrubbed of the URL's parts.

use std::time::Duration;

use super::{Format, NotifyError, WebhookUrl, cut, one_line};

/// How long the whole exchange may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a refusal's body quoted in the reason.
const QUOTED_CHARS: usize = 200;

pub(super) fn post(
    url: &WebhookUrl,
    format: Format,
    body: &serde_json::Value,
) -> Result<(), NotifyError> {
    let fail = |why: String| NotifyError {
        url: url.redacted(),
        why: scrub(url, &why),
    };
    // The run's own runtime may still be around (a library caller): block_on inside it would
    // panic, so the request then goes from a thread of its own.
    let result = if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| exchange(url, body))
                .join()
                .unwrap_or_else(|_| Err("the sending thread panicked".into()))
        })
    } else {
        exchange(url, body)
    };
    let (status, text) = result.map_err(fail)?;
    if !status.is_success() {
        return Err(fail(format!("HTTP {status}{}", quoted(&text))));
    }
    if format != Format::Json {
        robot_answer(&text).map_err(fail)?;
    }
    Ok(())
}

/// Posts on a runtime of its own; the answer's status and body (as text), or why not.
fn exchange(
    url: &WebhookUrl,
    body: &serde_json::Value,
) -> Result<(reqwest::StatusCode, String), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP client's runtime: {e}"))?;
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A webhook answers where it is asked; a redirect would carry the message to
            // another address, and is a refusal here (not 2xx).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("netaccept/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(reason)?;
        let resp = client
            .post(url.expose())
            .json(body)
            .send()
            .await
            .map_err(reason)?;
        let status = resp.status();
        // The answer is read for its errcode only; a failure to read it is no failure of the
        // delivery when the status said yes.
        let text = resp.text().await.unwrap_or_default();
        Ok((status, text))
    })
}

/// A robot's JSON answer: `errcode` 0, or absent, is delivered.
fn robot_answer(text: &str) -> Result<(), String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(());
    };
    match v.get("errcode").and_then(serde_json::Value::as_i64) {
        None | Some(0) => Ok(()),
        Some(code) => Err(format!(
            "the robot refused the message: errcode {code}{}",
            v.get("errmsg")
                .and_then(serde_json::Value::as_str)
                .map(|m| format!(": {}", one_line(m)))
                .unwrap_or_default()
        )),
    }
}

/// reqwest's error without its URL, with its causes (`error sending request: … Connection
/// refused`), which its `Display` leaves out.
fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

fn quoted(text: &str) -> String {
    let t = one_line(text);
    if t.is_empty() {
        return String::new();
    }
    format!(": {}", cut(&t, QUOTED_CHARS))
}

/// `why` with every part of the URL that may be a secret replaced by `***`: the whole URL,
/// its path and query, each path segment, query value and the user info. A server may echo
/// the URL in its error page; the reason still shows none of it.
fn scrub(url: &WebhookUrl, why: &str) -> String {
    let u = &url.0;
    let mut secrets: Vec<String> = vec![u.as_str().to_string(), u.path().to_string()];
    secrets.extend(u.query().map(str::to_string));
    secrets.extend(u.path_segments().into_iter().flatten().map(str::to_string));
    secrets.extend(u.query_pairs().map(|(_, v)| v.into_owned()));
    secrets.push(u.username().to_string());
    secrets.extend(u.password().map(str::to_string));
    // Short parts (`send`, `robot`, `/`) are words, not secrets, and would garble the reason;
    // longest first, so a part inside another goes with it.
    secrets.retain(|s| s.len() >= 8);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = why.to_string();
    for s in &secrets {
        out = out.replace(s.as_str(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_loses_every_part_of_the_url() {
        let url = WebhookUrl::parse(
            "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123",
        )
        .unwrap();
        let why = scrub(
            &url,
            "bad token 0123456789abcdef0123 at https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123",
        );
        assert_eq!(why, "bad token *** at ***");
    }

    #[test]
    fn a_robot_answer_is_read_for_its_errcode() {
        assert_eq!(robot_answer(r#"{"errcode":0,"errmsg":"ok"}"#), Ok(()));
        assert_eq!(robot_answer("not json"), Ok(()));
        assert_eq!(robot_answer(r#"{"ok":true}"#), Ok(()));
        assert_eq!(
            robot_answer("{\"errcode\":93000,\"errmsg\":\"invalid\\nwebhook url\"}"),
            Err("the robot refused the message: errcode 93000: invalid webhook url".into())
        );
    }
}
