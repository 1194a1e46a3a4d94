//! The limits on the numbers the input files hold, in one place: the loader refuses a value
//! outside them (at its position, with the allowed range in the hint), the JSON Schemas
//! state the integer ones (`load::raw`), and FORMAT.md ("Limits") documents every one.
//!
//! Each limit keeps a mistake from turning into load on the network or on this machine:
//! `retries: 4294967295` would be about 150,000 connects a second for hours, and an ICMP
//! `count` of a million with `interval: 0ms` a burst of tens of thousands of echoes.

use super::Duration;

/// An integer key's allowed values, inclusive, with its name for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntRange {
    pub key: &'static str,
    /// What the value is, for the hint: "a whole number", "an HTTP status code".
    pub what: &'static str,
    pub min: i64,
    pub max: i64,
}

impl IntRange {
    pub fn contains(&self, v: i64) -> bool {
        (self.min..=self.max).contains(&v)
    }
}

/// A whole number written as text (`" 1400 "`, `"-3"`): `Ok` with its value, `Err(true)`
/// for a run of digits too long for 64 bits (a whole number, only too large), `Err(false)`
/// for anything else (`1.5`, `1400 bytes`). Shared by the loader's integer keys and the
/// planner's filled templates, so both read a number alike.
pub fn whole_from_text(v: &str) -> Result<i64, bool> {
    let v = v.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    v.parse::<i64>()
        .map_err(|_| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Attempts after a failed one: ten retries already say all that a retry can.
pub const RETRIES: IntRange = IntRange {
    key: "retries",
    what: "a whole number",
    min: 0,
    max: 10,
};

/// ICMP echo requests per attempt. Loss is measured to one echo in `count`: a thousand
/// resolve 0.1 %, the loss objective of Y.1541's classes, and ten thousand leave that
/// objective a margin. More would be load, not measurement; with [`MIN_ICMP_INTERVAL`] it
/// is at most 100 s of echoes, within [`MAX_TIMEOUT`] ([`icmp_time_needed`] holds the rest).
pub const ICMP_COUNT: IntRange = IntRange {
    key: "count",
    what: "a whole number",
    min: 1,
    max: 10_000,
};

/// An HTTP status code, in an expectation or a simulator fault.
pub const HTTP_STATUS: IntRange = IntRange {
    key: "status",
    what: "an HTTP status code",
    min: 100,
    max: 599,
};

/// A simulator's `records` fault: a count of migrated records. A billion is more than any
/// bureau's accident statistics, and fits the JSON numbers every client reads exactly.
pub const RECORDS: IntRange = IntRange {
    key: "records",
    what: "a whole number of records",
    min: 0,
    max: 1_000_000_000,
};

/// Days a certificate must stay valid: ten years is longer than any certificate a CA
/// issues.
pub const CERT_VALID_DAYS: IntRange = IntRange {
    key: "cert_valid_days",
    what: "a whole number of days",
    min: 0,
    max: 3650,
};

/// The longest timeout of one attempt (and of a simulator's `slow` answer): five minutes.
/// A check that needs longer is not a connectivity check, and a run of thousands of checks
/// must end the same night.
pub const MAX_TIMEOUT: Duration = Duration(std::time::Duration::from_secs(300));

/// The shortest ICMP `interval`: 10 ms, fping's default between two echoes, so one check
/// sends at most 100 echoes a second to its target.
pub const MIN_ICMP_INTERVAL: Duration = Duration(std::time::Duration::from_millis(10));

/// How long the ICMP prober awaits each reply without `max_rtt` (as fping does), with it
/// (twice `max_rtt`, at least [`MIN_ICMP_REPLY_WAIT`]), and the margin it keeps before the
/// attempt's deadline to report. The ICMP prober uses these very figures
/// ([`icmp_reply_wait`], [`ICMP_REPORT_MARGIN`]), so the rule below is what it can carry out
/// in full.
pub const ICMP_REPLY_WAIT: Duration = Duration(std::time::Duration::from_secs(1));
pub const MIN_ICMP_REPLY_WAIT: Duration = Duration(std::time::Duration::from_millis(100));
pub const ICMP_REPORT_MARGIN: Duration = Duration(std::time::Duration::from_millis(50));

/// How long the prober awaits one echo's reply. `max_rtt` is the larger of the check's
/// delay limits, `max_rtt` (a class's included) and `max_p95`
/// ([`super::IcmpLimits::wait_basis`]).
pub fn icmp_reply_wait(max_rtt: Option<Duration>) -> std::time::Duration {
    match max_rtt {
        Some(m) => (m.as_std() * 2).max(MIN_ICMP_REPLY_WAIT.as_std()),
        None => ICMP_REPLY_WAIT.as_std(),
    }
}

/// The time an ICMP attempt needs to send all its echoes and await every reply: the last
/// echo leaves at `(count − 1) × interval`, its reply is awaited [`icmp_reply_wait`], and
/// [`ICMP_REPORT_MARGIN`] is kept to report. A check's timeout must be at least this, or
/// the prober would send fewer echoes than asked (and judge loss on those).
pub fn icmp_time_needed(
    count: u32,
    interval: Duration,
    max_rtt: Option<Duration>,
) -> std::time::Duration {
    interval.as_std() * count.saturating_sub(1)
        + icmp_reply_wait(max_rtt)
        + ICMP_REPORT_MARGIN.as_std()
}

/// The timing rule broken by an `icmp:` check with `timeout`, in words: the message and
/// the hint, said alike by the loader (literal values) and the planner (filled ones).
pub fn icmp_too_slow<S>(spec: &super::IcmpSpec<S>, timeout: Duration) -> (String, String) {
    let limits = spec.limits();
    let basis = limits.wait_basis();
    let needed = Duration(icmp_time_needed(spec.count, spec.interval, basis));
    let last = Duration(spec.interval.as_std() * spec.count.saturating_sub(1));
    let wait = Duration(icmp_reply_wait(basis));
    let why = match (limits.max_rtt, limits.max_p95) {
        (Some(_), Some(_)) => "2 × the larger of max_rtt and max_p95",
        (Some(_), None) if spec.max_rtt.is_none() => "2 × the max_rtt of its class",
        (Some(_), None) => "2 × max_rtt",
        (None, Some(_)) => "2 × max_p95",
        (None, None) => "without max_rtt",
    };
    let fix = if needed.as_std() <= MAX_TIMEOUT.as_std() {
        format!("lower `count` or `interval`, or raise `timeout` to at least {needed}")
    } else {
        "lower `count` or `interval`".to_string()
    };
    let what = if spec.count == 1 {
        "an echo and its reply do not".to_string()
    } else {
        format!(
            "{} echoes {} apart and the last one's reply do not",
            spec.count, spec.interval
        )
    };
    (
        format!("{what} fit the check's timeout, {timeout}"),
        format!(
            "the last echo leaves at {last}, its reply is awaited {wait} ({why}) and {ICMP_REPORT_MARGIN} are kept to report: {needed} in all; {fix}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icmp_time_needed_follows_the_prober() {
        let ms = Duration::from_millis;
        // The bundled acceptance suite: 4 × 200ms + 2 × 300ms + 50ms.
        assert_eq!(
            icmp_time_needed(5, ms(200), Some(ms(300))),
            ms(1_450).as_std()
        );
        // The defaults without max_rtt: 2 × 200ms + 1s + 50ms.
        assert_eq!(icmp_time_needed(3, ms(200), None), ms(1_450).as_std());
        // A tiny max_rtt still leaves the least wait.
        assert_eq!(icmp_time_needed(1, ms(0), Some(ms(1))), ms(150).as_std());
        // A hundred echoes at the shortest interval fit a 3s timeout.
        assert!(icmp_time_needed(100, MIN_ICMP_INTERVAL, Some(ms(500))) <= ms(3_000).as_std());
        // A thousand: 999 × 10ms + 1s + 50ms.
        assert_eq!(
            icmp_time_needed(1_000, MIN_ICMP_INTERVAL, None),
            ms(11_040).as_std()
        );
        // The largest count at the shortest interval, with the longest wait a delay limit
        // can ask (2 × MAX_TIMEOUT is refused at load: a limit is at most the timeout),
        // still fits MAX_TIMEOUT when the limit is under 100 s.
        let most = ICMP_COUNT.max as u32;
        assert!(
            icmp_time_needed(most, MIN_ICMP_INTERVAL, Some(ms(99_000))) <= MAX_TIMEOUT.as_std()
        );
    }
}
