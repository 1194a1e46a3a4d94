//! Text inside the page's `<style>`: the page footers are CSS (`@page` margin boxes with
//! `content: "…"`), and the run id and the suite's names there come from the record.
//!
//! The template's escaper is HTML's, which means nothing inside `<style>` (the browser reads
//! no entities there), so text for a CSS string is written here with every character that
//! is not an ASCII letter or digit as a six-digit CSS escape (`\00003c`, `\007b2c`). What
//! comes out holds only letters, digits and backslashes: it cannot end the string or the
//! `<style>` element, and the HTML escaper leaves it as it is. A space is escaped too: CSS
//! reads the one white-space character after an escape as part of the escape.

use std::fmt::Write as _;

/// `s` as the inside of a CSS string (between double quotes).
pub(super) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:06x}", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_letters_digits_and_escapes_come_out() {
        let s = string("第 1 页</style><script>\"x\" 'y' \\ \u{7}");
        assert!(
            s.chars().all(|c| c.is_ascii_alphanumeric() || c == '\\'),
            "{s}"
        );
        assert!(s.starts_with("\\007b2c\\000020"), "{s}");
        assert_eq!(string("run-01"), "run\\00002d01");
    }
}
