//! The verdict on an answered question: the response code first, then `expect` (every value
//! among the answers), `expect_any` (one of them) or, with nothing stated, at least one
//! answer; the first miss is the failure, with the expectation as a person reads it.

use super::records::Answer;
use crate::model::{DnsSpec, Text};

/// Answers listed in a message; the measurements keep them all.
const MESSAGE_ANSWERS: usize = 10;

pub(super) enum Miss {
    /// The response code that was required.
    Rcode(&'static str),
    /// The expectation on the answers, as a human reads it.
    Answers(String),
}

pub(super) fn judge(spec: &DnsSpec<Text>, rcode: &str, answers: &[Answer]) -> Option<Miss> {
    let want = spec.rcode.map_or("NOERROR", |r| r.as_str());
    if rcode != want {
        return Some(Miss::Rcode(want));
    }
    let t = spec.record_type;
    let found = |e: &Text| {
        let e = e.expose();
        answers.iter().any(|a| a.matches(t, &e))
    };
    if !spec.expect.is_empty() {
        let missing: Vec<&Text> = spec.expect.iter().filter(|e| !found(e)).collect();
        if !missing.is_empty() {
            let all = join(&spec.expect);
            return Some(Miss::Answers(if missing.len() == spec.expect.len() {
                all
            } else {
                format!("{all} (missing {})", join(missing))
            }));
        }
    }
    if !spec.expect_any.is_empty() && !spec.expect_any.iter().any(found) {
        return Some(Miss::Answers(format!("any of {}", join(&spec.expect_any))));
    }
    // With nothing stated, "resolves" is the expectation; an explicit rcode (NXDOMAIN, or
    // NOERROR for "exists, maybe without this type") says all there is to say.
    if spec.rcode.is_none()
        && spec.expect.is_empty()
        && spec.expect_any.is_empty()
        && answers.is_empty()
    {
        return Some(Miss::Answers(format!("at least one {} answer", t.as_str())));
    }
    None
}

fn join<'a>(v: impl IntoIterator<Item = &'a Text>) -> String {
    v.into_iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[a, b, c]`, cut after a few: a message stays one readable line.
pub(super) fn list(shown: &[&str]) -> String {
    if shown.len() <= MESSAGE_ANSWERS {
        format!("[{}]", shown.join(", "))
    } else {
        format!(
            "[{}, … {} more]",
            shown[..MESSAGE_ANSWERS].join(", "),
            shown.len() - MESSAGE_ANSWERS
        )
    }
}
