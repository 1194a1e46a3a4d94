//! Throughput probe validation: the raw `throughput:` block → [`ThroughputSpec`], each
//! number held to its limit, and the rule that ties the test to the check's timeout: the
//! data flows for `duration`, and the setup before and the results after take up to
//! [`THROUGHPUT_SETUP`] ([`throughput_time_needed`]). A timeout shorter than that would end
//! every attempt before the server's results came, so it is an error at `validate`.

use super::inventory::parse_enum;
use super::raw::RawThroughput;
use super::suite::duration;
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::Diagnostic;
use crate::model::{
    Direction, Duration, Loc, MAX_MIN_MBPS, MAX_THROUGHPUT_DURATION, MIN_THROUGHPUT_DURATION,
    THROUGHPUT_DEFAULT_PORT, THROUGHPUT_PORT, THROUGHPUT_SETUP, THROUGHPUT_STREAMS, Template,
    ThroughputSpec, throughput_time_needed,
};

const DEFAULT_DURATION: Duration = Duration(std::time::Duration::from_secs(10));

/// `at` is the `throughput:` block's position, where the timing rule is reported when no
/// `duration` is written. `timeout` is the check's (`None`: invalid, reported).
pub(super) fn throughput(
    ld: &mut Loader,
    f: u32,
    p: &RawThroughput,
    t: &mut Templates,
    at: Loc,
    timeout: Option<Duration>,
) -> ThroughputSpec<Template> {
    let port = p
        .port
        .as_ref()
        .map(|v| numbers::int(ld, f, v, THROUGHPUT_PORT).and_then(|n| u16::try_from(n).ok()));
    let streams = p
        .streams
        .as_ref()
        .and_then(|v| numbers::int(ld, f, v, THROUGHPUT_STREAMS));
    let dur = p.duration.as_ref().map(|s| {
        let d = duration(ld, f, s)?;
        if d < MIN_THROUGHPUT_DURATION || d > MAX_THROUGHPUT_DURATION {
            ld.push(
                Diagnostic::error(
                    loc(f, &s.referenced),
                    format!(
                        "`duration: {}` is outside {MIN_THROUGHPUT_DURATION} to {MAX_THROUGHPUT_DURATION}",
                        s.value
                    ),
                )
                .with_hint(format!(
                    "from {MIN_THROUGHPUT_DURATION} (shorter measures TCP's slow start) to {MAX_THROUGHPUT_DURATION} (longer only loads the link), e.g. `duration: 10s`"
                )),
            );
            return None;
        }
        Some(d)
    });
    let direction = p.direction.as_ref().and_then(|s| {
        parse_enum(
            ld,
            f,
            s,
            "direction",
            &Direction::ALL.map(Direction::as_str),
            Direction::parse,
        )
    });
    let min_mbps = p.min_mbps.as_ref().and_then(|s| {
        let v = s.value.trim().parse::<f64>().ok();
        match v {
            Some(v) if v.is_finite() && v > 0.0 && v <= MAX_MIN_MBPS => Some(v),
            _ => {
                ld.push(
                    Diagnostic::error(
                        loc(f, &s.referenced),
                        format!("`min_mbps: {}` is not a throughput", s.value),
                    )
                    .with_hint(format!(
                        "megabits (10^6 bit) per second, more than 0 and at most {MAX_MIN_MBPS}, e.g. `min_mbps: 20`"
                    )),
                );
                None
            }
        }
    });
    let spec = ThroughputSpec {
        target: t.parse(ld, &p.target),
        port: port.flatten().unwrap_or(THROUGHPUT_DEFAULT_PORT),
        duration: dur.flatten().unwrap_or(DEFAULT_DURATION),
        streams: streams.unwrap_or(1),
        direction: direction.unwrap_or_default(),
        min_mbps,
    };
    // The rule is judged only on a valid duration: one mistake, one diagnostic.
    if let Some(timeout) = timeout
        && dur.is_none_or(|d| d.is_some())
    {
        let needed = Duration(throughput_time_needed(spec.duration));
        if needed > timeout {
            let at = p
                .duration
                .as_ref()
                .map(|s| loc(f, &s.referenced))
                .unwrap_or(at);
            let fix = if needed <= crate::model::limits::MAX_TIMEOUT {
                format!("raise the check's `timeout` to at least {needed}, or shorten `duration`")
            } else {
                "shorten `duration`".to_string()
            };
            ld.push(
                Diagnostic::error(
                    at,
                    format!(
                        "a {} throughput test does not fit the check's timeout, {timeout}",
                        spec.duration
                    ),
                )
                .with_hint(format!(
                    "the data flows for {}, and {THROUGHPUT_SETUP} are kept to connect, exchange the parameters and read the server's results: {needed} in all; {fix}",
                    spec.duration
                )),
            );
        }
    }
    spec
}
