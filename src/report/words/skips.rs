//! Why a record was skipped, in words: the needed check by its display name and what became
//! of it (`因 网络连通性（ICMP）未通过而跳过`), or the run's interruption
//! (`未执行：运行被中断`).
//!
//! A skipped-by-`needs` record names its need in the measurement `needs` (the check's id)
//! and in its message, which the runner writes as `<need label> <status>: <why>` (the label
//! is `check` or `check/app`; a chain of skips names the nearest need first). Records
//! written before `needs` was recorded have only the message, which is read the same way.

use crate::report::Lang;
use crate::results::ResultRecord;

use crate::results::{NEEDS, NOT_RUN};

/// The check a skipped record needed, as its message and measurements name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need<'r> {
    pub check: &'r str,
    pub app: Option<&'r str>,
    /// `failed`, `errored` or `skipped`: what the runner saw of it; `None` when the message
    /// does not say.
    pub status: Option<&'r str>,
}

/// The need a skipped record names, if it names one.
pub fn need(r: &ResultRecord) -> Option<Need<'_>> {
    let id = r.measurements.get(NEEDS).and_then(|v| v.as_str());
    let msg = r.message.as_str();
    // With the id recorded, the label is where the message names it; without, it is the
    // message's first word.
    let from = match id {
        Some(id) => msg.match_indices(id).map(|(i, _)| i).find(|&i| {
            (i == 0 || msg[..i].ends_with(' '))
                && matches!(msg[i + id.len()..].chars().next(), Some(' ' | '/') | None)
        }),
        None => Some(0),
    };
    let Some(from) = from else {
        return id.map(|check| Need {
            check,
            app: None,
            status: None,
        });
    };
    let rest = &msg[from..];
    let (label, after) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = after
        .split([' ', ':'])
        .next()
        .filter(|s| matches!(*s, "failed" | "errored" | "skipped" | "waived"));
    if id.is_none() && status.is_none() {
        // Not the runner's form: nothing to say about a need.
        return None;
    }
    let (check, app) = match label.split_once('/') {
        Some((c, a)) => (c, Some(a)),
        None => (label, None),
    };
    Some(Need {
        check: id.unwrap_or(check),
        app,
        status,
    })
}

/// Why a skipped record was skipped, in `lang`. `name` gives the needed check's display
/// name (with its app's, if any); `waived` says whether the need's failure was waived.
pub fn reason(
    r: &ResultRecord,
    lang: Lang,
    name: &dyn Fn(&Need) -> String,
    waived: bool,
) -> String {
    if r.kind.as_deref() == Some(NOT_RUN) {
        return match lang {
            Lang::Zh => "未执行：运行被中断".to_string(),
            Lang::En => r.message.clone(),
        };
    }
    if lang == Lang::En {
        return r.message.clone();
    }
    let Some(n) = need(r) else {
        return "跳过".to_string();
    };
    // The name set off by spaces, as Chinese text sets off an inserted name, but where it
    // closes with a full-width bracket, which is space enough.
    let mut who = name(&n);
    if !who.ends_with(['）', '」', '』', '】']) {
        who.push(' ');
    }
    match (n.status, waived) {
        (_, true) => format!("因 {who}未通过（已豁免）而跳过"),
        (Some("errored"), _) => format!("因 {who}出错而跳过"),
        (Some("skipped"), _) => format!("因 {who}被跳过而一并跳过"),
        _ => format!("因 {who}未通过而跳过"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skipped(message: &str, needs: Option<&str>) -> ResultRecord {
        let mut r: ResultRecord = serde_json::from_value(serde_json::json!({
            "node": "n", "check": "app.login", "app": "dispatch", "status": "skipped",
            "severity": "major", "started": "2026-03-15T02:00:00Z", "duration_ms": 0.0,
            "attempts": 0, "message": message, "measurements": {}, "target": "t"}))
        .unwrap();
        if let Some(id) = needs {
            r.kind = Some("NeedsFailed".into());
            r.measurements.insert("needs".into(), id.into());
        }
        r
    }

    #[test]
    fn the_need_is_read_from_the_message_and_the_measurement() {
        let n = |m, id| {
            need(&skipped(m, id)).map(|n| {
                (
                    n.check.to_string(),
                    n.app.map(String::from),
                    n.status.map(String::from),
                )
            })
        };
        let s = |c: &str, a: Option<&str>, st: Option<&str>| {
            Some((c.to_string(), a.map(String::from), st.map(String::from)))
        };
        assert_eq!(
            n("net.icmp failed: 100 % loss: 0 of 5 replies", None),
            s("net.icmp", None, Some("failed"))
        );
        assert_eq!(
            n("app.health/dispatch errored: cannot read CA file", None),
            s("app.health", Some("dispatch"), Some("errored"))
        );
        assert_eq!(
            n("net.tcp skipped: net.icmp failed: x", None),
            s("net.tcp", None, Some("skipped"))
        );
        // The runner's newer form: the record's own label first, the need after it.
        assert_eq!(
            n(
                "app.login/dispatch skipped: app.health/dispatch failed: x",
                Some("app.health")
            ),
            s("app.health", Some("dispatch"), Some("failed"))
        );
        assert_eq!(
            n("something else", Some("net.icmp")),
            s("net.icmp", None, None)
        );
        assert_eq!(n("hand-written reason", None), None);
    }

    #[test]
    fn reasons_name_the_need_in_chinese() {
        let name = |n: &Need| match n.check {
            "net.icmp" => "网络连通性（ICMP）".to_string(),
            other => other.to_string(),
        };
        let r = skipped("net.icmp failed: 100 % loss", None);
        assert_eq!(
            reason(&r, Lang::Zh, &name, false),
            "因 网络连通性（ICMP）未通过而跳过"
        );
        assert_eq!(
            reason(&r, Lang::Zh, &name, true),
            "因 网络连通性（ICMP）未通过（已豁免）而跳过"
        );
        assert_eq!(
            reason(&r, Lang::En, &name, false),
            "net.icmp failed: 100 % loss"
        );
        let r = skipped("net.icmp errored: no permission", None);
        assert_eq!(
            reason(&r, Lang::Zh, &name, false),
            "因 网络连通性（ICMP）出错而跳过"
        );
        let mut r = skipped("not run: run interrupted", None);
        r.kind = Some("NotRun".into());
        assert_eq!(reason(&r, Lang::Zh, &name, false), "未执行：运行被中断");
        assert_eq!(
            reason(&r, Lang::En, &name, false),
            "not run: run interrupted"
        );
        assert_eq!(
            reason(&skipped("by hand", None), Lang::Zh, &name, false),
            "跳过"
        );
    }
}
