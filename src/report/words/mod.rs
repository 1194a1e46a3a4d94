//! A result record explained in the report's language: the reports' words for what the
//! probers recorded.
//!
//! The probers write one English line (`message`) and the expected and measured values in
//! English forms (`an answer within 2s`, `none`); `results.json` keeps them as written. A
//! Chinese report does not show that English as its explanation: it says the record's kind
//! in words (`kinds`), the expected and measured values translated form by form, their
//! values kept as they are (`phrases`), the measurements labelled with times as dates
//! (`labels`), and why a record was skipped, naming the needed check by its display name
//! (`skips`). Where the prober's line carries more than the translation (an OS error's
//! text, a file name), a Chinese report shows it beside, as raw evidence: what the system
//! said is evidence and stays as it was sent. An English report shows the record's English.
//!
//! The HTML report and `results.csv` both explain records through [`explain`].

pub mod kinds;
pub mod labels;
pub mod phrases;
pub mod skips;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::outcome::FailKind;
use crate::outcome::tls::TlsFinding;
use crate::report::Lang;
use crate::results::{ResultRecord, Results, Status};

pub use skips::Need;

/// A record in words, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation<'r> {
    /// What happened, one sentence: the kind in words (or the TLS finding's own sentence,
    /// or why it was skipped); empty for a record that passed. In English, the record's
    /// message.
    pub sentence: Cow<'r, str>,
    /// The expected value in the language (`2 秒内应答`).
    pub expected: Option<Cow<'r, str>>,
    /// The measured value in the language (`无应答`).
    pub measured: Option<Cow<'r, str>>,
    /// The record's own message where it says more than the words above (Chinese only): to
    /// be shown as raw evidence, labelled [`raw_label`].
    pub raw: Option<&'r str>,
}

impl Explanation<'_> {
    /// The sentence with the expected and measured values after it, for a report that has
    /// one cell for all: `超时：在时限内没有应答。期望：2 秒内应答；实测：无应答`. In English
    /// the sentence alone: the record's message already states both.
    pub fn full(&self, lang: Lang) -> String {
        let mut s = self.sentence.to_string();
        if let (Some(e), Some(m)) = (&self.expected, &self.measured)
            && lang == Lang::Zh
        {
            if !s.is_empty() {
                s.push('。');
            }
            s.push_str(&format!("期望：{e}；实测：{m}"));
        }
        s
    }
}

/// How the reports label the record's own message beside its explanation.
pub fn raw_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "原始信息",
        Lang::En => "As recorded",
    }
}

/// What the reports need to know beyond the record to explain a skip: the needed check's
/// display name. (Whether its failure was waived is the record's own `need_waived`, which
/// applying the waivers sets, chains of skips included.)
pub trait Directory {
    /// The display name of a check (with its app's, when the need is per app).
    fn need_name(&self, need: &Need) -> String;
}

/// The directory of a whole record: display names from its lists.
pub struct Names<'a> {
    checks: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    pub fn new(res: &'a Results) -> Names<'a> {
        Names {
            checks: res
                .checks
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
        }
    }
}

impl Directory for Names<'_> {
    fn need_name(&self, need: &Need) -> String {
        self.checks
            .get(need.check)
            .map_or_else(|| Ids.need_name(need), |n| (*n).to_string())
    }
}

/// A directory that knows no names: the ids stand for themselves.
pub struct Ids;

impl Directory for Ids {
    fn need_name(&self, need: &Need) -> String {
        match need.app {
            Some(a) => format!("{}/{a}", need.check),
            None => need.check.to_string(),
        }
    }
}

/// The failure kinds whose expected and measured values (and the record's measurements)
/// say all the prober's line says: the line is not repeated as raw evidence beside them,
/// unless it quotes the system (`os error`), names the hop a redirect led to (`GET a → b`),
/// or names which of several servers failed (a replication check, whose measurements list
/// its `servers`).
const EXPLAINED: [FailKind; 13] = [
    FailKind::Timeout,
    FailKind::HeaderMismatch,
    FailKind::StatusMismatch,
    FailKind::TimeExceeded,
    FailKind::ConnectSlow,
    FailKind::RttExceeded,
    FailKind::IpdvExceeded,
    FailKind::JitterExceeded,
    FailKind::LossExceeded,
    FailKind::RcodeMismatch,
    FailKind::CertExpiring,
    FailKind::ConnectionRefused,
    FailKind::MtuTooSmall,
];

/// `r` explained in `lang` (see the module's documentation).
pub fn explain<'r>(r: &'r ResultRecord, lang: Lang, dir: &dyn Directory) -> Explanation<'r> {
    let kind = r.kind.as_deref();
    if lang == Lang::En {
        return Explanation {
            sentence: Cow::Borrowed(&r.message),
            expected: r.expected.as_deref().map(Cow::Borrowed),
            measured: r.measured.as_deref().map(Cow::Borrowed),
            raw: None,
        };
    }
    let expected = r
        .expected
        .as_deref()
        .map(|e| Cow::Owned(phrases::expected_zh(kind, e)));
    let measured = r
        .measured
        .as_deref()
        .map(|m| Cow::Owned(phrases::measured_zh(kind, r.expected.as_deref(), m)));
    match r.status {
        Status::Passed => {
            return Explanation {
                sentence: Cow::Borrowed(""),
                expected,
                measured,
                raw: None,
            };
        }
        Status::Skipped => {
            let name = |n: &Need| dir.need_name(n);
            return Explanation {
                sentence: Cow::Owned(skips::reason(r, lang, &name, r.need_waived)),
                expected,
                measured,
                raw: None,
            };
        }
        Status::NotReported => {
            let who = r.vantage.as_deref().unwrap_or("?");
            return Explanation {
                sentence: Cow::Owned(format!("未报告：探测点 {who} 没有提交这一项的结果")),
                expected,
                measured,
                raw: None,
            };
        }
        Status::Failed | Status::Errored | Status::Waived => {}
    }
    let finding = r
        .measurements
        .get("tls_finding")
        .and_then(|v| serde_json::from_value::<TlsFinding>(v.clone()).ok());
    let raw = (!r.message.is_empty()).then_some(r.message.as_str());
    if let Some(f) = finding {
        // The finding's own sentence; the line beside it only when it says more than the
        // finding and the target (a redirect's hop, say).
        let en = f.message_en();
        let more = raw.filter(|m| *m != en && *m != format!("{}: {en}", r.target));
        return Explanation {
            sentence: Cow::Owned(dates(&f.message_zh())),
            expected,
            measured,
            raw: more,
        };
    }
    let words = kind.and_then(|k| kinds::words(k, lang));
    let explained = kind
        .and_then(|k| serde_json::from_value::<FailKind>(k.into()).ok())
        .is_some_and(|k| EXPLAINED.contains(&k))
        && !r.message.contains("os error")
        && !r.message.contains(" → ")
        && !r.measurements.contains_key("servers");
    let mut sentence = match words {
        Some(w) => w.to_string(),
        None if r.status == Status::Errored => "出错".to_string(),
        None => "未通过".to_string(),
    };
    if kind == Some(FailKind::CertExpiring.as_str())
        && let Some(expiry) = cert_expiry(r)
    {
        sentence.push_str(&expiry);
    }
    Explanation {
        sentence: Cow::Owned(sentence),
        expected,
        measured,
        raw: raw.filter(|_| !explained || words.is_none()),
    }
}

/// The times a sentence quotes (RFC 3339, as the TLS findings write them) as dates: a
/// reader wants the day a certificate expires, not its second in UTC.
fn dates(s: &str) -> String {
    static TIME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
            .expect("a valid pattern")
    });
    TIME.replace_all(s, "$1").into_owned()
}

/// `（2026-11-29 到期，剩余 12 天）` from the measurements of an HTTPS check, or `（2026-11-29
/// 已过期）`.
fn cert_expiry(r: &ResultRecord) -> Option<String> {
    let m = &r.measurements;
    let date = m
        .get("cert_not_after")
        .map(|v| labels::value("cert_not_after", v, Lang::Zh))?;
    Some(
        match m.get("cert_days_left").and_then(serde_json::Value::as_i64) {
            Some(d) if d < 0 => format!("（已于 {date} 过期）"),
            Some(d) => format!("（{date} 到期，剩余 {d} 天）"),
            None => format!("（{date} 到期）"),
        },
    )
}

/// A status in words: the CSV's status column in Chinese.
pub fn status(s: Status, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::En, s) => s.as_str(),
        (Lang::Zh, Status::Passed) => "通过",
        (Lang::Zh, Status::Failed) => "未通过",
        (Lang::Zh, Status::Errored) => "错误",
        (Lang::Zh, Status::Skipped) => "跳过",
        (Lang::Zh, Status::Waived) => "豁免",
        (Lang::Zh, Status::NotReported) => "未报告",
    }
}

/// A severity in words.
pub fn severity(s: crate::model::Severity, lang: Lang) -> &'static str {
    use crate::model::Severity;
    match (lang, s) {
        (Lang::En, s) => s.as_str(),
        (Lang::Zh, Severity::Critical) => "关键",
        (Lang::Zh, Severity::Major) => "重要",
        (Lang::Zh, Severity::Minor) => "次要",
    }
}

/// The measurements as `label value` pairs in `lang`, in the record's order, the TLS
/// structures (`skip`) left out.
pub fn measurements<'r>(
    r: &'r ResultRecord,
    lang: Lang,
    skip: &'r [&str],
) -> impl Iterator<Item = (&'r str, String)> + 'r {
    r.measurements
        .iter()
        .filter(move |(k, _)| !skip.contains(&k.as_str()))
        .map(move |(k, v)| (labels::label(k, lang), labels::value(k, v, lang)))
}

/// A node's level in words.
pub fn level(l: crate::model::Level, lang: Lang) -> &'static str {
    use crate::model::Level;
    match (lang, l) {
        (Lang::En, l) => l.as_str(),
        (Lang::Zh, Level::National) => "国家级",
        (Lang::Zh, Level::Provincial) => "省级",
        (Lang::Zh, Level::Prefectural) => "地市级",
        (Lang::Zh, Level::County) => "县级",
        (Lang::Zh, Level::Township) => "乡镇级",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &serde_json::Value) -> ResultRecord {
        let mut base = serde_json::json!({
            "node": "n", "check": "c", "app": null, "status": "failed",
            "severity": "major", "started": "2026-03-15T02:00:00Z", "duration_ms": 1.0,
            "attempts": 1, "message": "", "measurements": {}, "target": "t"});
        for (k, v) in fields.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    /// The prober's line is shown beside the words only where it says more than they do.
    #[test]
    fn the_raw_line_only_where_it_says_more() {
        let x = |f: serde_json::Value| {
            let r = record(&f);
            let e = explain(&r, Lang::Zh, &Ids);
            (e.sentence.into_owned(), e.raw.map(String::from))
        };
        let status = serde_json::json!({"kind": "StatusMismatch", "message": "GET u: status 503, expected one of [200]",
            "expected": "status in [200]", "measured": "503"});
        assert_eq!(x(status), ("HTTP 状态码与期望不符".into(), None));
        let os = serde_json::json!({"kind": "ConnectionRefused", "message": "GET u: connection refused (os error 111)",
            "expected": "an HTTP response", "measured": "connection refused"});
        assert_eq!(
            x(os).1.as_deref(),
            Some("GET u: connection refused (os error 111)")
        );
        let replication = serde_json::json!({"kind": "Timeout", "message": "SOA z @ns2: no answer over UDP within 2s",
            "expected": "an answer within 2s", "measured": "none", "measurements": {"servers": []}});
        assert!(
            x(replication).1.is_some(),
            "which server: only the line says"
        );
        let error = serde_json::json!({"status": "errored", "kind": "Config", "message": "cannot read CA file `x`"});
        assert_eq!(x(error).1.as_deref(), Some("cannot read CA file `x`"));
        let unknown = serde_json::json!({"kind": "FromTheFuture", "message": "what happened"});
        assert_eq!(x(unknown), ("未通过".into(), Some("what happened".into())));
        let expiring = serde_json::json!({"kind": "CertExpiring", "message": "m",
            "expected": "certificate valid ≥ 30 days", "measured": "12 days",
            "measurements": {"cert_days_left": 12, "cert_not_after": "2026-12-15T00:00:00Z"}});
        assert_eq!(x(expiring).0, "证书即将过期（2026-12-15 到期，剩余 12 天）");

        // English: the record as it is.
        let r = record(
            &serde_json::json!({"kind": "Timeout", "message": "no answer within 2s",
            "expected": "an answer within 2s", "measured": "none"}),
        );
        let e = explain(&r, Lang::En, &Ids);
        assert_eq!(e.sentence, "no answer within 2s");
        assert_eq!(e.expected.as_deref(), Some("an answer within 2s"));
        assert_eq!(e.raw, None);
        let zh = explain(&r, Lang::Zh, &Ids);
        assert_eq!(
            zh.full(Lang::Zh),
            "超时：在时限内没有应答。期望：2 秒内应答；实测：无应答"
        );
    }

    #[test]
    fn finding_times_read_as_dates() {
        assert_eq!(
            dates("已于 4 天前过期（2026-11-29T00:00:00Z）"),
            "已于 4 天前过期（2026-11-29）"
        );
        assert_eq!(dates("2026-11-29T08:00:00+08:00 起"), "2026-11-29 起");
        assert_eq!(dates("serial 2026112901"), "serial 2026112901");
    }
}
