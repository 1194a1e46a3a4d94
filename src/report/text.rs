//! How much of a piece of untrusted text a report shows, and the mark where it was cut: one
//! place, so that `junit.xml` and `report.html` cut the same field at the same length with
//! the same words.
//!
//! Messages, expectations, targets, evidence and measurements come from the targets (a
//! server may answer with megabytes) or from a hand-edited record. Uncapped, one 100 MB
//! message made a 200 MB page; capped, a report grows with the number of results only.

use std::borrow::Cow;

/// Largest body (evidence; JUnit's failure, error and skip bodies and `<system-out>`), in
/// bytes.
pub const BODY_CAP: usize = 8 * 1024;
/// Largest single field (a message, a target, an expectation, the measurements), in bytes.
pub const FIELD_CAP: usize = 1024;
/// Appended where text was cut; counted inside the cap.
pub const TRUNCATED: &str = "… (truncated)";

/// At most `max` bytes, cut on a character boundary, with [`TRUNCATED`] inside the limit;
/// borrowed when the text fits.
pub fn cap(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max.saturating_sub(TRUNCATED.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{TRUNCATED}", &s[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_cuts_on_a_char_boundary_within_the_limit() {
        let s = "应".repeat(100);
        let c = cap(&s, 50);
        assert!(c.len() <= 50, "{}", c.len());
        assert!(c.ends_with(TRUNCATED));
        assert!(matches!(cap("short", 50), Cow::Borrowed("short")));
        let exact = "x".repeat(50);
        assert!(matches!(cap(&exact, 50), Cow::Borrowed(_)));
    }
}
