//! Numbers in the input, held to the limits of [`crate::model::limits`]: integer keys
//! against their ranges, durations against the longest timeout, the shortest ICMP interval
//! and the check's own timeout. Each value out of bounds is a diagnostic at its position,
//! naming the key, with the allowed range in the hint.
//!
//! A value is quoted as written (its text at its position), so `4294967296000000000000`
//! or `2OO` reads back as the user typed it.

use super::raw::{Int, Number, S};
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::model::limits::{IntRange, MAX_TIMEOUT, MIN_ICMP_INTERVAL};
use crate::model::{Duration, Loc};

/// The value as a `u32` when it is a whole number `r` allows; otherwise a diagnostic at it,
/// quoting it as written.
pub(super) fn int(ld: &mut Loader, f: u32, v: &Int, r: IntRange) -> Option<u32> {
    let at = loc(f, &v.referenced);
    let written = written_in(&ld.sources.files[f as usize], at);
    // YAML reads a run of digits too long for 64 bits as a float: it is still a whole
    // number, only too large.
    let digits = written.strip_prefix(['-', '+']).unwrap_or(&written);
    let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let problem = match v.value {
        Number::Whole(n) if r.contains(n) => return u32::try_from(n).ok(),
        Number::Whole(_) | Number::Huge => "is out of range",
        Number::NotWhole if whole => "is out of range",
        Number::NotWhole => "is not a whole number",
    };
    ld.push(
        Diagnostic::error(at, format!("`{}: {written}` {problem}", r.key)).with_hint(format!(
            "`{}` is {} from {} to {}",
            r.key, r.what, r.min, r.max
        )),
    );
    None
}

/// A timeout: more than zero, at most [`MAX_TIMEOUT`].
pub(super) fn timeout(ld: &mut Loader, f: u32, s: &S, d: Duration) -> Option<Duration> {
    let at = loc(f, &s.referenced);
    if d.as_std().is_zero() {
        ld.push(
            Diagnostic::error(at, "a timeout of zero lets no check finish")
                .with_hint("e.g. `timeout: 5s`"),
        );
        return None;
    }
    if d > MAX_TIMEOUT {
        ld.push(
            Diagnostic::error(
                at,
                format!(
                    "`timeout: {}` is longer than {MAX_TIMEOUT}, the longest timeout",
                    s.value
                ),
            )
            .with_hint(format!("a timeout from 1ms to {MAX_TIMEOUT}, e.g. `30s`")),
        );
        return None;
    }
    Some(d)
}

/// A simulator's `slow`: at most [`MAX_TIMEOUT`], past which it is `silent` to any check.
pub(super) fn slow(ld: &mut Loader, f: u32, s: &S, d: Duration) -> Option<Duration> {
    if d > MAX_TIMEOUT {
        ld.push(
            Diagnostic::error(
                loc(f, &s.referenced),
                format!("`slow: {}` is longer than {MAX_TIMEOUT}", s.value),
            )
            .with_hint(format!(
                "at most {MAX_TIMEOUT}, the longest timeout; an endpoint that never answers is `silent: true`"
            )),
        );
        return None;
    }
    Some(d)
}

/// An ICMP interval: at least [`MIN_ICMP_INTERVAL`].
pub(super) fn icmp_interval(ld: &mut Loader, f: u32, s: &S, d: Duration) -> Option<Duration> {
    if d < MIN_ICMP_INTERVAL {
        ld.push(
            Diagnostic::error(
                loc(f, &s.referenced),
                format!("`interval: {}` is shorter than {MIN_ICMP_INTERVAL}", s.value),
            )
            .with_hint(format!(
                "at least {MIN_ICMP_INTERVAL} (at most 100 echoes a second to one target), e.g. `interval: 200ms`"
            )),
        );
        return None;
    }
    Some(d)
}

/// A limit on one attempt's time (`max_rtt`, `max_connect`, `max_time`): at most the
/// check's timeout, which would end the attempt first. `timeout` is `None` when the check's
/// own timeout is invalid (reported already).
pub(super) fn within_timeout(
    ld: &mut Loader,
    f: u32,
    key: &str,
    s: &S,
    d: Duration,
    timeout: Option<Duration>,
) -> Option<Duration> {
    match timeout {
        Some(t) if d > t => {
            ld.push(
                Diagnostic::error(
                    loc(f, &s.referenced),
                    format!(
                        "`{key}: {}` is longer than the check's timeout, {t}",
                        s.value
                    ),
                )
                .with_hint(format!(
                    "the attempt ends at its timeout first, so this limit could never fail it: at most {t}, or raise `timeout`"
                )),
            );
            None
        }
        _ => Some(d),
    }
}

/// The diagnostic for a scalar serde-saphyr could not read as the type `ty` asked for
/// (`boolean`, `floating point`; integers are read as [`Number`] and never fail), at `at`
/// in `text`.
pub(super) fn unreadable_scalar(text: &str, at: Loc, ty: &str) -> Diagnostic {
    let what = match ty {
        "boolean" => "`true` or `false`",
        "floating point" => "a number",
        _ => ty,
    };
    Diagnostic::error(at, format!("`{}` is not {what}", written(text, at)))
        .with_hint("check the value's type against `netaccept schema`")
}

/// The scalar written at `at` in a loaded file (by its line index): see [`written`].
pub(super) fn written_in(file: &crate::diag::SourceFile, at: Loc) -> String {
    value_at(file.line(at.line).unwrap_or(""), at.col)
}

/// The scalar written at `at`: up to a flow delimiter or a comment, or inside its quotes.
pub(super) fn written(text: &str, at: Loc) -> String {
    let line = crate::diag::yaml_lines(text)
        .nth(at.line.saturating_sub(1) as usize)
        .unwrap_or("");
    value_at(line, at.col)
}

/// The scalar written at column `col` (1-based) of `line`.
fn value_at(line: &str, col: u32) -> String {
    let rest: String = line.chars().skip(col.saturating_sub(1) as usize).collect();
    if let Some(q @ ('"' | '\'')) = rest.chars().next() {
        let inner: String = rest.chars().skip(1).take_while(|&c| c != q).collect();
        return inner;
    }
    let end = rest
        .find([',', ']', '}'])
        .into_iter()
        .chain(rest.find(" #"))
        .min()
        .unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_at_stops_at_delimiters_and_quotes() {
        assert_eq!(value_at("a: { b: 12x, c: 1 }", 9), "12x");
        assert_eq!(value_at("b: [1, 2OO]", 8), "2OO");
        assert_eq!(value_at("b: \"1 2\" # c", 4), "1 2");
        assert_eq!(value_at("b: -1 # c", 4), "-1");
    }
}
