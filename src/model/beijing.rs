//! Beijing time (China Standard Time: UTC+08:00, no daylight saving time), the zone the
//! committee and the operators read: the reports' local times, the day a waiver's date is
//! judged on, the history's days (roll-ups, `availability --from/--to`) and a maintenance
//! window given as a day. One definition, so that no two places can disagree on a day.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

/// Hours east of UTC.
pub const OFFSET_HOURS: i64 = 8;

/// The zone, as an offset.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt((OFFSET_HOURS * 3600) as i32).expect("UTC+08:00 is a valid offset")
}

/// An instant in Beijing time, for showing (its `format` gives the local wall clock).
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&offset())
}

/// The Beijing date of an instant.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    local(at).date_naive()
}

/// The first instant of a Beijing day.
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - TimeDelta::hours(OFFSET_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beijing_day_starts_at_16_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let start = day_start(d);
        assert_eq!(start.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(day_of(start), d);
        assert_eq!(
            day_of(start - TimeDelta::nanoseconds(1)),
            d.pred_opt().unwrap()
        );
        assert_eq!(
            local(start).format("%Y-%m-%d %H:%M:%S").to_string(),
            "2026-11-01 00:00:00"
        );
    }
}
