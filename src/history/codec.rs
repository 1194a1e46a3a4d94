//! How values are kept in the store's columns: statuses and severities as small integers,
//! times as nanoseconds since the Unix epoch (a record's times have nanoseconds, and a
//! store gives back exactly what it was given), Beijing days as `YYYYMMDD` integers, an
//! absent app as the empty string (so that `UNIQUE (node, check_id, app)` holds for items
//! without one).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::conn::Fail;
use crate::model::Severity;
use crate::results::Status;

pub fn status(s: Status) -> i64 {
    match s {
        Status::Passed => 0,
        Status::Failed => 1,
        Status::Errored => 2,
        Status::Skipped => 3,
        Status::Waived => 4,
        Status::NotReported => 5,
    }
}

/// The codes of the problem statuses ([`super::is_problem`]), for SQL.
pub const PROBLEMS_SQL: &str = "(1, 2, 4)";
/// The codes of the statuses that give an item a state (passed or a problem).
pub const STATED_SQL: &str = "(0, 1, 2, 4)";

pub fn status_of(code: i64) -> Result<Status, Fail> {
    Ok(match code {
        0 => Status::Passed,
        1 => Status::Failed,
        2 => Status::Errored,
        3 => Status::Skipped,
        4 => Status::Waived,
        5 => Status::NotReported,
        _ => return Err(Fail::Db(format!("unknown status code {code}"))),
    })
}

pub fn severity(s: Severity) -> i64 {
    match s {
        Severity::Critical => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
    }
}

pub fn severity_of(code: i64) -> Result<Severity, Fail> {
    Ok(match code {
        0 => Severity::Critical,
        1 => Severity::Major,
        2 => Severity::Minor,
        _ => return Err(Fail::Db(format!("unknown severity code {code}"))),
    })
}

/// Nanoseconds since the epoch; instants past 2262 (out of an `i64`) are kept as the last
/// one that fits.
pub fn time(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

pub fn time_of(ns: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(ns)
}

/// A Beijing date as `YYYYMMDD`.
pub fn day(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

pub fn day_of(code: i64) -> Result<NaiveDate, Fail> {
    NaiveDate::from_ymd_opt(
        (code / 10000) as i32,
        (code / 100 % 100) as u32,
        (code % 100) as u32,
    )
    .ok_or_else(|| Fail::Db(format!("bad day {code}")))
}

/// The instant a Beijing day begins, in nanoseconds.
pub fn day_start(d: NaiveDate) -> i64 {
    time(super::day_start(d))
}

pub fn app(a: Option<&str>) -> &str {
    a.unwrap_or("")
}

pub fn app_of(a: String) -> Option<String> {
    if a.is_empty() { None } else { Some(a) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_day_starts_at_16_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(day(d), 2026 * 10000 + 11 * 100 + 1, "YYYYMMDD");
        assert_eq!(day_of(day(d)).unwrap(), d);
        let start = time_of(day_start(d));
        assert_eq!(start.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(super::super::day_of(start), d);
    }

    #[test]
    fn the_sql_lists_hold_the_codes_of_the_statuses_they_name() {
        let codes = |keep: &dyn Fn(Status) -> bool| {
            let mut c: Vec<i64> = Status::ALL
                .into_iter()
                .filter(|&s| keep(s))
                .map(status)
                .collect();
            c.sort_unstable();
            let c: Vec<String> = c.iter().map(i64::to_string).collect();
            format!("({})", c.join(", "))
        };
        assert_eq!(PROBLEMS_SQL, codes(&super::super::is_problem));
        assert_eq!(
            STATED_SQL,
            codes(&|s| s == Status::Passed || super::super::is_problem(s))
        );
    }

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(status_of(status(s)).unwrap(), s);
        }
        for s in Severity::ALL {
            assert_eq!(severity_of(severity(s)).unwrap(), s);
        }
    }
}
