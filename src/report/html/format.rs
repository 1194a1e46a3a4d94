//! Times, durations and measurements as the report prints them.

use chrono::{DateTime, TimeDelta, Utc};

use super::strings::Strings;
use crate::report::text::{FIELD_CAP, cap};
use crate::results::ResultRecord;

/// UTC with a `Z`, then Beijing time (UTC+8, no daylight saving) for the committee, which
/// reads local time.
pub(super) fn when(t: &Strings, at: DateTime<Utc>) -> String {
    let bj = at + TimeDelta::hours(8);
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

/// Measurements as `key=value` pairs: the evidence of a pass, compact enough for a table,
/// and capped as one field ([`FIELD_CAP`]). The TLS structures (the chain, the finding, the
/// notes) are left out: their JSON would crowd out the rest, and the notes are shown in
/// words beside.
///
/// The pairs are built only as far as the cap reaches, and each text in them is first cut
/// at twice the cap, so that a measurement of megabytes is never copied whole. The result
/// is still the pairs joined then capped: the final cut falls within the first
/// [`FIELD_CAP`] bytes, all of which every piece kept as it was.
pub(super) fn measurements(r: &ResultRecord) -> String {
    let piece = |s: &str| cap(s, 2 * FIELD_CAP).into_owned();
    let mut out = String::new();
    for (k, v) in &r.measurements {
        if super::cert::STRUCTURED.contains(&k.as_str()) {
            continue;
        }
        if out.len() > FIELD_CAP {
            break;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&piece(k));
        out.push('=');
        match v {
            serde_json::Value::String(s) => out.push_str(&piece(s)),
            v => out.push_str(&piece(&v.to_string())),
        }
    }
    cap(&out, FIELD_CAP).into_owned()
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
        let joined = |r: &ResultRecord| {
            r.measurements
                .iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}={s}"),
                    v => format!("{k}={v}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
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
            let shown = measurements(&r);
            assert_eq!(shown, cap(&joined(&r), FIELD_CAP));
            assert!(shown.len() <= FIELD_CAP);
            assert_eq!(shown.ends_with(TRUNCATED), joined(&r).len() > FIELD_CAP);
        }
    }
}
