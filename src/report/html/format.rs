//! Times, durations and measurements as the report prints them.

use chrono::{DateTime, TimeDelta, Utc};

use super::strings::Strings;
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

/// Measurements as `key=value` pairs: the evidence of a pass, compact enough for a table.
pub(super) fn measurements(r: &ResultRecord) -> String {
    r.measurements
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            v => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
