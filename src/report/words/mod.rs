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
use std::collections::{HashMap, HashSet};

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
    /// one cell for all: `超时：在时限内没有应答。期望：2 秒内应答；实测：无应答`.
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
/// display name and whether its failure was waived.
pub trait Directory {
    /// The display name of a check (with its app's, when the need is per app).
    fn need_name(&self, need: &Need) -> String;
    /// Whether the needed record of `r` (same node, that check and app) was waived.
    fn need_waived(&self, r: &ResultRecord, need: &Need) -> bool;
}

/// The directory of a whole record: display names from its lists, waived records from its
/// results.
pub struct Names<'a> {
    checks: HashMap<&'a str, &'a str>,
    waived: HashSet<(&'a str, &'a str, Option<&'a str>)>,
}

impl<'a> Names<'a> {
    pub fn new(res: &'a Results) -> Names<'a> {
        Names {
            checks: res
                .checks
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
            waived: res
                .results
                .iter()
                .filter(|r| r.status == Status::Waived)
                .map(|r| (r.node.as_str(), r.check.as_str(), r.app.as_deref()))
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

    fn need_waived(&self, r: &ResultRecord, need: &Need) -> bool {
        self.waived
            .contains(&(r.node.as_str(), need.check, need.app))
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

    fn need_waived(&self, _: &ResultRecord, _: &Need) -> bool {
        false
    }
}

/// The failure kinds whose expected and measured values (and the record's measurements)
/// say all the prober's line says: the line is not repeated as raw evidence beside them,
/// unless it quotes the system (`os error`).
const EXPLAINED: [FailKind; 8] = [
    FailKind::StatusMismatch,
    FailKind::TimeExceeded,
    FailKind::ConnectSlow,
    FailKind::RttExceeded,
    FailKind::LossExceeded,
    FailKind::RcodeMismatch,
    FailKind::CertExpiring,
    FailKind::ConnectionRefused,
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
            let need = skips::need(r);
            let waived = need.as_ref().is_some_and(|n| dir.need_waived(r, n));
            let name = |n: &Need| dir.need_name(n);
            return Explanation {
                sentence: Cow::Owned(skips::reason(r, lang, &name, waived)),
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
        // The finding's own sentence; the line beside it only when it says more.
        let more = raw.filter(|m| !m.ends_with(&f.message_en()));
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
        && !r.message.contains("os error");
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
    }
}
