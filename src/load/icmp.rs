//! ICMP probe validation: the raw `icmp:` block → [`IcmpSpec`], with `count`, `interval`
//! and the limits held to their ranges, a `class:` read as a Y.1541 class, and the rule that
//! ties them to the check's timeout: every echo is sent, and the last one's reply awaited,
//! within one attempt ([`icmp_time_needed`]). A suite that breaks the rule would have the
//! prober send fewer echoes than asked and judge loss on those; it is an error at
//! `validate` instead.
//!
//! A limit written as a template (`max_rtt: "{{ node.vars.link.max_rtt }}"`) becomes a
//! [`Bound`]: the planner fills it per node, parses it and checks the same ranges and rule
//! on the filled value (`plan/filled.rs`). The rule is judged here only when every value it
//! depends on is literal.

use super::raw::{RawIcmp, S};
use super::suite::{attempt_limit, duration, percent};
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::{Diagnostic, suggest};
use crate::model::limits::{ICMP_COUNT, icmp_time_needed, icmp_too_slow};
use crate::model::{Bound, BoundKey, Duration, IcmpSpec, Loc, QosClass, Template};

const DEFAULT_COUNT: u32 = 3;
const DEFAULT_INTERVAL: Duration = Duration(std::time::Duration::from_millis(200));

/// A value written as a template: it holds `{{`.
fn is_template(s: &S) -> bool {
    s.value.contains("{{")
}

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
    let mut bounds = Vec::new();
    let mut all_valid = count.is_none_or(|c| c.is_some()) && interval.is_none_or(|i| i.is_some());
    let b = &mut bounds;
    let max_loss = literal_or_bound(ld, t, b, BoundKey::MaxLoss, p.max_loss.as_ref());
    let max_rtt = literal_or_bound(ld, t, b, BoundKey::MaxRtt, p.max_rtt.as_ref());
    let max_p95 = literal_or_bound(ld, t, b, BoundKey::MaxP95, p.max_p95.as_ref());
    let max_ipdv = literal_or_bound(ld, t, b, BoundKey::MaxIpdv, p.max_ipdv.as_ref());
    let max_jitter = literal_or_bound(ld, t, b, BoundKey::MaxJitter, p.max_jitter.as_ref());
    let class_s = literal_or_bound(ld, t, b, BoundKey::Class, p.class.as_ref());
    let max_loss = max_loss.and_then(|s| {
        let v = percent(ld, f, s);
        all_valid &= v.is_some();
        v
    });
    let mut delay = |ld: &mut Loader, key: BoundKey, s: Option<&S>| {
        let d = attempt_limit(ld, f, key.as_str(), s?, timeout);
        all_valid &= d.is_some();
        d
    };
    let max_rtt = delay(ld, BoundKey::MaxRtt, max_rtt);
    let max_p95 = delay(ld, BoundKey::MaxP95, max_p95);
    let max_ipdv = delay(ld, BoundKey::MaxIpdv, max_ipdv);
    let max_jitter = delay(ld, BoundKey::MaxJitter, max_jitter);
    let class = class_s.and_then(|s| {
        let c = class(ld, f, s);
        all_valid &= c.is_some();
        c
    });
    let spec = IcmpSpec {
        target: t.parse(ld, &p.target),
        count: count.flatten().unwrap_or(DEFAULT_COUNT),
        interval: interval.flatten().unwrap_or(DEFAULT_INTERVAL),
        max_loss,
        max_rtt,
        max_p95,
        max_ipdv,
        max_jitter,
        class,
        bounds,
    };
    // The rule is judged only on values that are all valid (one mistake, one diagnostic)
    // and all known: a templated delay limit or class is judged once filled, by the
    // planner.
    let waits_known = !spec
        .bounds
        .iter()
        .any(|b| matches!(b.key, BoundKey::MaxRtt | BoundKey::MaxP95 | BoundKey::Class));
    if let Some(timeout) = timeout
        && all_valid
        && waits_known
    {
        let needed = icmp_time_needed(spec.count, spec.interval, spec.limits().wait_basis());
        if needed > timeout.as_std() {
            let at = p
                .count
                .as_ref()
                .map(|c| loc(f, &c.referenced))
                .or_else(|| p.interval.as_ref().map(|s| loc(f, &s.referenced)))
                .or_else(|| p.max_rtt.as_ref().map(|s| loc(f, &s.referenced)))
                .or_else(|| p.max_p95.as_ref().map(|s| loc(f, &s.referenced)))
                .or_else(|| p.class.as_ref().map(|s| loc(f, &s.referenced)))
                .unwrap_or(at);
            ld.push(too_slow(at, &spec, timeout));
        }
    }
    spec
}

/// The value of `key` when written literally; a template is kept as a bound instead.
fn literal_or_bound<'s>(
    ld: &mut Loader,
    t: &mut Templates,
    bounds: &mut Vec<Bound<Template>>,
    key: BoundKey,
    s: Option<&'s S>,
) -> Option<&'s S> {
    let s = s?;
    if is_template(s) {
        bounds.push(Bound {
            key,
            value: t.parse(ld, s),
        });
        return None;
    }
    Some(s)
}

/// A literal `class:`.
fn class(ld: &mut Loader, f: u32, s: &S) -> Option<QosClass> {
    if let Some(c) = QosClass::parse(&s.value) {
        return Some(c);
    }
    let names = QosClass::ALL.map(QosClass::as_str);
    let hint = match suggest::did_you_mean(&s.value, names) {
        Some(d) => format!("{d} (the Y.1541 classes are y1541-0 … y1541-5)"),
        None => "the Y.1541 classes are y1541-0 … y1541-4, and y1541-5 (unspecified)".into(),
    };
    ld.push(
        Diagnostic::error(
            loc(f, &s.referenced),
            format!("unknown QoS class `{}`", s.value),
        )
        .with_hint(hint),
    );
    None
}

/// The timing rule broken, at `at`.
fn too_slow(at: Loc, spec: &IcmpSpec<Template>, timeout: Duration) -> Diagnostic {
    let (message, hint) = icmp_too_slow(spec, timeout);
    Diagnostic::error(at, message).with_hint(hint)
}
