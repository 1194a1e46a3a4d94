//! `expect.headers`: each response header name parsed (as a request header's), each value
//! an exact value (a template), `{ matches: REGEX }` (compiled now) or `{ exists: BOOL }`;
//! every mistake at its place.

use serde_saphyr::Spanned;

use super::expect::{RawEntry, pattern, string_at, unknown_operator};
use super::http::header_name;
use super::raw::{HEADER_OPERATORS, RawJson, SpannedMap};
use super::template::Templates;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::model::{HeaderCheck, HeaderExpect, Loc, Template};

/// `expect.headers`: each name parsed, each value an exact value, a pattern or presence.
pub(super) fn headers(
    ld: &mut Loader,
    f: u32,
    raw: &SpannedMap<Spanned<RawJson>>,
    t: &mut Templates,
) -> Vec<HeaderExpect<Template>> {
    let mut out = Vec::new();
    for (k, v) in &raw.0 {
        let name = header_name(ld, f, k);
        let at = loc(f, &v.referenced);
        let checks: Vec<HeaderCheck<Template>> = match &v.value {
            RawJson::Str(s) => vec![HeaderCheck::Is(t.parse(ld, &string_at(v, s)))],
            // `Max-Age: 3600` means the text 3600, as vars take numbers.
            RawJson::Int(_) | RawJson::UInt(_) | RawJson::Float(_) | RawJson::Bool(_) => {
                let text = super::numbers::written_in(&ld.sources.files[f as usize], at);
                vec![HeaderCheck::Is(Template::literal(&text, at))]
            }
            RawJson::Map(entries) => header_operators(ld, f, entries, at),
            RawJson::Null | RawJson::List(_) => {
                ld.push(
                    Diagnostic::error(
                        at,
                        format!("a header's expected value is text, and this is {}", v.value.kind()),
                    )
                    .with_hint("write the value (`Content-Type: application/json`), `{ matches: REGEX }`, or `{ exists: false }` for a header that must be absent"),
                );
                Vec::new()
            }
        };
        if let Some(name) = name {
            out.extend(checks.into_iter().map(|c| (name.clone(), c)));
        }
    }
    out
}

/// `{ matches: …, exists: … }` under a header name.
fn header_operators(
    ld: &mut Loader,
    f: u32,
    entries: &[RawEntry],
    at: Loc,
) -> Vec<HeaderCheck<Template>> {
    if entries.is_empty() {
        ld.push(
            Diagnostic::error(at, "an empty mapping under a header name")
                .with_hint("write the value, `{ matches: REGEX }` or `{ exists: false }`"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut absent: Option<Loc> = None;
    for (k, v) in entries {
        match k.value.as_str() {
            "matches" => out.extend(pattern(ld, f, v).map(HeaderCheck::Matches)),
            "exists" => match v.value {
                RawJson::Bool(b) => {
                    if !b {
                        absent = Some(loc(f, &k.referenced));
                    }
                    out.push(HeaderCheck::Exists(b));
                }
                ref other => ld.push(
                    Diagnostic::error(
                        loc(f, &v.referenced),
                        format!("`exists` takes true or false, and this is {}", other.kind()),
                    )
                    .with_hint("`exists: false`: the header must be absent; `exists: true`: present, with any value"),
                ),
            },
            _ => unknown_operator(ld, f, k, &HEADER_OPERATORS, ""),
        }
    }
    if let Some(at) = absent
        && entries.len() > 1
    {
        ld.push(
            Diagnostic::error(at, "`exists: false` beside `matches`")
                .with_hint("an absent header matches nothing: keep `exists: false` alone"),
        );
    }
    out
}
