//! Times, durations and measurements as the report prints them.

use chrono::{DateTime, TimeDelta, Utc};

use super::strings::Strings;
use crate::report::Lang;
use crate::report::text::{FIELD_CAP, cap};
use crate::report::words;
use crate::results::ResultRecord;

/// UTC with a `Z`, then Beijing time (UTC+8, no daylight saving) for the committee, which
/// reads local time.
pub(super) fn when(t: &Strings, at: DateTime<Utc>) -> String {
    let bj = crate::model::beijing::local(at);
    format!(
        "{} ({} {})",
        at.format("%Y-%m-%d %H:%M:%SZ"),
        t.beijing_time,
        bj.format("%Y-%m-%d %H:%M:%S")
    )
}

pub(super) fn span(d: TimeDelta) -> String {
    let ms = d.num_milliseconds().max(0);
    if ms < 60_000 {
        return format!("{:.1} s", ms as f64 / 1e3);
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h} h {m} min {s} s")
    } else {
        format!("{m} min {s} s")
    }
}

/// Measurements as labelled pairs in the report's language (`证书剩余天数 398`, `time 12.5
/// ms`, times as dates: [`crate::report::words::labels`]): the evidence of a pass, compact
/// enough for a table, and capped as one field ([`FIELD_CAP`]). The TLS structures (the
/// chain, the finding, the notes) are left out: their JSON would crowd out the rest, and the
/// notes are shown in words beside.
///
/// The pairs are built only as far as the cap reaches, and each text in them is first cut
/// at twice the cap, so that a measurement of megabytes is never copied whole. The result
/// is still the pairs joined then capped: the final cut falls within the first
/// [`FIELD_CAP`] bytes, all of which every piece kept as it was.
pub(super) fn measurements(r: &ResultRecord, lang: Lang) -> String {
    let piece = |s: &str| cap(s, 2 * FIELD_CAP).into_owned();
    let mut out = String::new();
    for (label, value) in words::measurements(r, lang, &super::cert::STRUCTURED) {
        if out.len() > FIELD_CAP {
            break;
        }
        if !out.is_empty() {
            out.push_str(separator(lang));
        }
        out.push_str(&piece(label));
        out.push(' ');
        out.push_str(&piece(&value));
    }
    cap(&out, FIELD_CAP).into_owned()
}

/// Between two measurements.
fn separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    }
}

/// The expected value of a failure as the failure list shows it: `as_recorded` (the record's,
/// capped) in English, translated in Chinese ([`words::phrases`]) and capped as one field.
/// Called by the template.
pub(crate) fn expected(as_recorded: &str, r: &ResultRecord, lang: Lang) -> String {
    value_in(as_recorded, r, lang, |x| x.expected)
}

/// The measured value of a failure as the failure list shows it (see [`expected`]).
pub(crate) fn measured(as_recorded: &str, r: &ResultRecord, lang: Lang) -> String {
    value_in(as_recorded, r, lang, |x| x.measured)
}

/// [`expected`] and [`measured`], which differ only in the value `pick` takes from the
/// record's explanation in Chinese.
fn value_in<'r>(
    as_recorded: &str,
    r: &'r ResultRecord,
    lang: Lang,
    pick: impl FnOnce(words::Explanation<'r>) -> Option<std::borrow::Cow<'r, str>>,
) -> String {
    match lang {
        Lang::En => as_recorded.to_string(),
        Lang::Zh => {
            let value = pick(words::explain(r, Lang::Zh, &words::Ids));
            cap(value.as_deref().unwrap_or(""), FIELD_CAP).into_owned()
        }
    }
}

/// The label of the record's own message beside its explanation: in Chinese the words
/// module's (`原始信息`, as `results.csv` labels it too), in English the page's. Called by
/// the template.
pub(crate) fn raw_label(t: &Strings, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => words::raw_label(Lang::Zh),
        Lang::En => t.as_recorded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::TRUNCATED;

    fn record(measurements: serde_json::Value) -> ResultRecord {
        let mut r: ResultRecord = serde_json::from_value(serde_json::json!({
            "node": "n", "check": "c", "app": null, "status": "passed",
            "severity": "major", "started": "2026-03-15T02:00:00Z", "duration_ms": 1.0,
            "attempts": 1, "message": "", "measurements": {}, "target": "t"}))
        .unwrap();
        let serde_json::Value::Object(m) = measurements else {
            panic!("measurements are an object")
        };
        r.measurements = m;
        r
    }

    /// Built piece by piece, the text is the pairs joined then capped, in every case.
    #[test]
    fn measurements_are_the_pairs_joined_then_capped() {
        let joined = |r: &ResultRecord, lang| {
            words::measurements(r, lang, &[])
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(separator(lang))
        };
        let wide = "𝄞".repeat(FIELD_CAP);
        for m in [
            serde_json::json!({}),
            serde_json::json!({"rtt_ms": 1.5, "loss": "0 %", "codes": [200, 301]}),
            serde_json::json!({"body": "x".repeat(10 * FIELD_CAP), "after": 1}),
            serde_json::json!({"a": 1, "body": format!("ab{wide}"), "c": 2}),
            serde_json::json!({"a": 1, "b": format!("abc{wide}")}),
            serde_json::json!({"list": vec!["long"; FIELD_CAP]}),
            serde_json::json!({"k".repeat(3 * FIELD_CAP): 1}),
        ] {
            let r = record(m);
            for lang in [Lang::Zh, Lang::En] {
                let shown = measurements(&r, lang);
                assert_eq!(shown, cap(&joined(&r, lang), FIELD_CAP));
                assert!(shown.len() <= FIELD_CAP);
                assert_eq!(
                    shown.ends_with(TRUNCATED),
                    joined(&r, lang).len() > FIELD_CAP
                );
            }
        }
    }

    /// Labelled in the report's language, times as dates.
    #[test]
    fn measurements_are_labelled_in_the_language() {
        let r = record(serde_json::json!({
            "status": 200, "time_ms": 12.5, "cert_days_left": 398,
            "cert_not_after": "2027-12-31T23:59:59Z", "tls_chain": [{"subject": "x"}]}));
        assert_eq!(
            measurements(&r, Lang::Zh),
            "状态码 200，耗时 12.5 毫秒，证书剩余天数 398，证书到期日 2027-12-31"
        );
        assert_eq!(
            measurements(&r, Lang::En),
            "status 200, time 12.5 ms, certificate days left 398 days, certificate expires 2027-12-31"
        );
    }
}
