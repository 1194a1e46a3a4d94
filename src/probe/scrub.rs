//! Secrets out of outcomes, for every prober in one place: [`super::probe`] passes each
//! outcome through [`scrub`] with the secrets of the probe it ran, so that a `{{ env.* }}`
//! value is `***` in whatever a prober reports, however it got there: a TCP or ICMP
//! address, a server echoing a header into its body, a redirect carrying a token in a URL,
//! a DNS server echoing the (lower-cased) query name.
//!
//! A secret is matched in the forms a target or a URL library makes of it, mixed freely
//! within one occurrence: the raw bytes; any byte percent-encoded (`%2F` or `%2f`), as URL
//! and form encoders write paths and queries; a space as `+`, as forms write it; and ASCII
//! letters in either case, since DNS lower-cases names and servers may upper-case what they
//! echo. What no scrubber can undo stays out of scope: a secret hashed, split, or encoded
//! in another way (IDNA, base64, JSON `\u` escapes).

use serde_json::Value;

use super::{Outcome, Verdict};
use crate::model::{Probe, Text};

/// What replaces a secret.
const MASK: &str = "***";

/// Every secret value of the probe, longest first (so that a secret holding a shorter one
/// is masked whole), without repeats or empty values. Besides the `{{ env.* }}` values,
/// an HTTP check's client-certificate paths and password are secrets whole, however the
/// suite wrote them: a key file's location and its password are not for reports.
pub(super) fn secrets(p: &Probe<Text>) -> Vec<String> {
    let mut all: Vec<String> = p
        .strings()
        .into_iter()
        .flat_map(Text::secrets)
        .map(str::to_string)
        .collect();
    if let Probe::Http(h) = p {
        for t in [&h.client_cert, &h.client_key, &h.client_cert_password]
            .into_iter()
            .flatten()
        {
            all.push(t.expose());
        }
    }
    all.retain(|s| !s.is_empty());
    all.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    all.dedup();
    all
}

/// Replaces every secret by `***` in what the outcome reports: the message, the expected and
/// measured values, the evidence, and every string inside the measurements (arrays and
/// objects included: DNS `answers`).
///
/// `evidence_cap`: the evidence is cut to this many bytes here, after the scrub, rather
/// than by the prober before it. Scrubbing first means a secret that straddles the cut is
/// seen whole and masked before the cut, so no piece of it survives at the edge; the
/// prober hands over more than is shown for that reason (HTTP keeps a few KiB past the
/// cut). A secret that runs past the end of even that text (longer than the lookahead)
/// cannot be seen whole: when the text is longer than the cap, a trailing partial match is
/// masked too, since the text was cut there and the rest might have been the secret.
pub(super) fn scrub(mut o: Outcome, secrets: &[&str], evidence_cap: Option<usize>) -> Outcome {
    if let (Some(cap), Some(ev)) = (evidence_cap, &mut o.evidence) {
        let cut_here = ev.len() > cap;
        if !secrets.is_empty() {
            *ev = mask(ev, secrets, cut_here);
        }
        truncate(ev, cap);
    }
    if secrets.is_empty() {
        return o;
    }
    let clean = |s: &mut String| *s = mask(s, secrets, false);
    match &mut o.verdict {
        Verdict::Passed => {}
        Verdict::Failed(f) => {
            clean(&mut f.message);
            f.expected.iter_mut().for_each(clean);
            f.measured.iter_mut().for_each(clean);
        }
        Verdict::Errored(p) => clean(&mut p.message),
    }
    if evidence_cap.is_none() {
        o.evidence.iter_mut().for_each(clean);
    }
    for v in o.measurements.values_mut() {
        clean_value(v, &clean);
    }
    o
}

fn clean_value(v: &mut Value, clean: &impl Fn(&mut String)) {
    match v {
        Value::String(s) => clean(s),
        Value::Array(items) => items.iter_mut().for_each(|x| clean_value(x, clean)),
        Value::Object(map) => map.values_mut().for_each(|x| clean_value(x, clean)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `text` with every occurrence of a secret (in any of the forms of the module doc) as
/// `***`; with `trailing`, also a match that the end of the text cuts short.
fn mask(text: &str, secrets: &[&str], trailing: bool) -> String {
    let hay = text.as_bytes();
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    'scan: while i < hay.len() {
        for s in secrets {
            match find_at(&hay[i..], s.as_bytes()) {
                Found::Whole(n) => {
                    out.extend_from_slice(MASK.as_bytes());
                    i += n;
                    continue 'scan;
                }
                Found::CutShort if trailing => {
                    out.extend_from_slice(MASK.as_bytes());
                    break 'scan;
                }
                Found::CutShort | Found::No => {}
            }
        }
        out.push(hay[i]);
        i += 1;
    }
    // A match starts on an ASCII byte or on the secret's own first byte, and ends on the
    // last byte of one of its characters, so the bytes stay UTF-8; lossy costs nothing.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

enum Found {
    /// The whole secret, in this many bytes of the text.
    Whole(usize),
    /// The text ended while it still matched.
    CutShort,
    No,
}

/// Whether `hay` starts with `secret` in one of its forms. Recursive, one level per byte of
/// the secret: an escape and a literal `%` are both tried where both could match.
fn find_at(hay: &[u8], secret: &[u8]) -> Found {
    let Some((&want, rest)) = secret.split_first() else {
        return Found::Whole(0);
    };
    let Some(&first) = hay.first() else {
        return Found::CutShort;
    };
    let then = |taken: usize| match find_at(&hay[taken..], rest) {
        Found::Whole(n) => Found::Whole(n + taken),
        other => other,
    };
    if first == b'%'
        && let (Some(hi), Some(lo)) = (
            hay.get(1).copied().and_then(hex),
            hay.get(2).copied().and_then(hex),
        )
        && ((hi << 4) | lo).eq_ignore_ascii_case(&want)
        && let found @ (Found::Whole(_) | Found::CutShort) = then(3)
    {
        return found;
    }
    if (first.eq_ignore_ascii_case(&want) || (first == b'+' && want == b' '))
        && let found @ (Found::Whole(_) | Found::CutShort) = then(1)
    {
        return found;
    }
    // The text ends inside an escape (`%` or `%2`) that may have been this byte.
    if first == b'%' && hay.len() <= 2 && hay[1..].iter().all(|&b| hex(b).is_some()) {
        return Found::CutShort;
    }
    Found::No
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Cuts `s` to at most `max` bytes, on a character boundary.
fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{FailKind, Failure, Measurements};

    fn masked(text: &str, secret: &str) -> String {
        mask(text, &[secret], false)
    }

    #[test]
    fn every_form_of_a_secret_is_masked() {
        let s = "s3cr3t Tok/3n";
        for form in [
            "s3cr3t Tok/3n",
            "s3cr3t%20Tok%2F3n",
            "s3cr3t%20Tok%2f3n",
            "s3cr3t+Tok/3n",
            "%73%33%63%72%33%74%20%54%6f%6b%2f%33%6e",
            "S3CR3T TOK/3N",
            "s3cr3t tok%2F3n",
        ] {
            assert_eq!(masked(&format!("a={form}&b"), s), "a=***&b", "{form}");
        }
        // Near misses stay as they were.
        assert_eq!(masked("s3cr3t Tok/3", s), "s3cr3t Tok/3");
        assert_eq!(masked("s3cr3t%2 Tok/3n", s), "s3cr3t%2 Tok/3n");
        // A `+` is a space only where the secret has a space; a literal `%` still matches.
        assert_eq!(masked("a+b a%2Bb a b", "a+b"), "*** *** a b");
        assert_eq!(masked("50%25 and 50%", "50%"), "*** and ***");
        assert_eq!(masked("令牌 %E4%BB%A4%E7%89%8C!", "令牌"), "*** ***!");
    }

    #[test]
    fn a_secret_cut_short_by_the_end_is_masked_only_when_asked() {
        let s = "s3cr3t-Tok3n";
        assert_eq!(mask("....s3cr3t-T", &[s], true), "....***");
        assert_eq!(mask("....s3cr3t%2", &[s], true), "....***");
        assert_eq!(mask("....s3cr3t%", &[s], true), "....***");
        assert_eq!(mask("....s3cr3t-T", &[s], false), "....s3cr3t-T");
        assert_eq!(mask("....s3cr3t-X", &[s], true), "....s3cr3t-X");
    }

    #[test]
    fn the_evidence_is_scrubbed_then_cut() {
        let secret = "s3cr3t-Tok3n";
        let evidence = format!("{}{secret}{}", ".".repeat(8), ".".repeat(8));
        for cap in 1..evidence.len() {
            let o = Outcome::failed(
                Failure::new(FailKind::StatusMismatch, "m"),
                Measurements::new(),
            )
            .with_evidence(Some(evidence.clone()));
            let ev = scrub(o, &[secret], Some(cap)).evidence.unwrap();
            assert!(ev.len() <= cap, "{cap}: {ev}");
            assert!(!ev.contains('s'), "{cap}: {ev}");
        }
        // Longer than the text handed over: the part before the cut is masked all the same.
        let o = Outcome::passed(Measurements::new()).with_evidence(Some(format!(
            "{}{}",
            ".".repeat(8),
            &secret[..6]
        )));
        assert_eq!(
            scrub(o, &[secret], Some(10)).evidence.unwrap(),
            "........**"
        );
    }

    #[test]
    fn strings_deep_in_measurements_are_scrubbed() {
        let mut m = Measurements::new();
        m.insert(
            "answers".into(),
            serde_json::json!(["x.S3CR3T.test.", {"nested": ["s3cr3t"]}, 3]),
        );
        let o = scrub(Outcome::passed(m), &["s3cr3t"], None);
        assert_eq!(
            serde_json::Value::Object(o.measurements)["answers"],
            serde_json::json!(["x.***.test.", {"nested": ["***"]}, 3])
        );
    }
}
