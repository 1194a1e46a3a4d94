//! ICMP probe validation: the raw `icmp:` block → [`IcmpSpec`], with `count`, `interval`
//! and `max_rtt` held to their limits, and the rule that ties them to the check's timeout:
//! every echo is sent, and the last one's reply awaited, within one attempt
//! ([`icmp_time_needed`]). A suite that breaks the rule would have the prober send fewer
//! echoes than asked and judge loss on those; it is an error at `validate` instead.

use super::raw::RawIcmp;
use super::suite::{attempt_limit, duration, percent};
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::Diagnostic;
use crate::model::limits::{ICMP_COUNT, ICMP_REPORT_MARGIN, icmp_reply_wait, icmp_time_needed};
use crate::model::{Duration, IcmpSpec, Loc, Template};

const DEFAULT_COUNT: u32 = 3;
const DEFAULT_INTERVAL: Duration = Duration(std::time::Duration::from_millis(200));

/// `at` is the `icmp:` block's position, where the timing rule is reported when neither
/// `count` nor `interval` is written. `timeout` is the check's (`None`: invalid, reported).
pub(super) fn icmp(
    ld: &mut Loader,
    f: u32,
    p: &RawIcmp,
    t: &mut Templates,
    at: Loc,
    timeout: Option<Duration>,
) -> IcmpSpec<Template> {
    let count = p.count.as_ref().map(|c| numbers::int(ld, f, c, ICMP_COUNT));
    let interval = p
        .interval
        .as_ref()
        .map(|s| duration(ld, f, s).and_then(|d| numbers::icmp_interval(ld, f, s, d)));
    let max_rtt = p
        .max_rtt
        .as_ref()
        .map(|s| attempt_limit(ld, f, "max_rtt", s, timeout));
    let spec = IcmpSpec {
        target: t.parse(ld, &p.target),
        count: count.flatten().unwrap_or(DEFAULT_COUNT),
        interval: interval.flatten().unwrap_or(DEFAULT_INTERVAL),
        max_loss: p.max_loss.as_ref().and_then(|s| percent(ld, f, s)),
        max_rtt: max_rtt.flatten(),
    };
    // The rule is judged only on values that are all valid: one mistake, one diagnostic.
    let all_valid = count.is_none_or(|c| c.is_some())
        && interval.is_none_or(|i| i.is_some())
        && max_rtt.is_none_or(|m| m.is_some());
    if let Some(timeout) = timeout
        && all_valid
    {
        let needed = icmp_time_needed(spec.count, spec.interval, spec.max_rtt);
        if needed > timeout.as_std() {
            let at = p
                .count
                .as_ref()
                .map(|c| loc(f, &c.referenced))
                .or_else(|| p.interval.as_ref().map(|s| loc(f, &s.referenced)))
                .or_else(|| p.max_rtt.as_ref().map(|s| loc(f, &s.referenced)))
                .unwrap_or(at);
            ld.push(too_slow(at, &spec, timeout, Duration(needed)));
        }
    }
    spec
}

fn too_slow(at: Loc, spec: &IcmpSpec<Template>, timeout: Duration, needed: Duration) -> Diagnostic {
    let last = Duration(spec.interval.as_std() * spec.count.saturating_sub(1));
    let wait = Duration(icmp_reply_wait(spec.max_rtt));
    let why = match spec.max_rtt {
        Some(_) => "2 × max_rtt",
        None => "without max_rtt",
    };
    let fix = if needed <= crate::model::limits::MAX_TIMEOUT {
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
    Diagnostic::error(at, format!("{what} fit the check's timeout, {timeout}"))
    .with_hint(format!(
        "the last echo leaves at {last}, its reply is awaited {wait} ({why}) and {ICMP_REPORT_MARGIN} are kept to report: {needed} in all; {fix}"
    ))
}
