//! The page's escaper: askama's HTML escaping of `<>&"'`, and the control characters that
//! escaping lets through shown in caret form ([`visible`]), so that no byte of an untrusted
//! name, message or piece of evidence reaches the page as a control.
//!
//! Every expression of `templates/report.html` goes through it (`askama.toml` names it the
//! escaper of `.html` templates), so no field can be forgotten. It keeps line feeds and tabs
//! ([`visible::hidden_in_text`]): they are the layout of evidence in `<pre>`, and mere spaces
//! elsewhere in HTML. Text without controls is escaped exactly as askama's own escaper does,
//! byte for byte.

use std::fmt::{self, Write};

use askama::filters::{Escaper, Html};

use crate::diag::visible;

/// askama's [`Html`] escaper, with control characters in caret form.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visible;

impl Escaper for Visible {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut rest = string;
        while let Some(at) = rest.find(visible::hidden_in_text) {
            Html.write_escaped_str(&mut dest, &rest[..at])?;
            let c = rest[at..].chars().next().expect("found at a char boundary");
            // The caret forms are plain ASCII without `<>&"'`: nothing to escape in them.
            visible::write_caret(&mut dest, c)?;
            rest = &rest[at + c.len_utf8()..];
        }
        Html.write_escaped_str(dest, rest)
    }

    fn write_escaped_char<W: Write>(&self, mut dest: W, c: char) -> fmt::Result {
        if visible::hidden_in_text(c) {
            visible::write_caret(&mut dest, c)
        } else {
            Html.write_escaped_char(dest, c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        Visible.write_escaped_str(&mut out, s).unwrap();
        out
    }

    #[test]
    fn controls_in_caret_form_the_rest_as_askama_escapes_it() {
        assert_eq!(
            escaped("<b>\u{1b}]0;t\u{7}</b> & \"'\u{0}\n\t\r\u{9b}"),
            "&#60;b&#62;^[]0;t^G&#60;/b&#62; &#38; &#34;&#39;^@\n\t^MM-^["
        );
        for s in [
            "",
            "山西 <script>alert(\"x\")</script> &amp; ✔ ⚠\u{FE0E}",
            "a\nb\tc",
        ] {
            let mut askama = String::new();
            Html.write_escaped_str(&mut askama, s).unwrap();
            assert_eq!(escaped(s), askama);
        }
        let mut c = String::new();
        Visible.write_escaped_char(&mut c, '\u{7}').unwrap();
        Visible.write_escaped_char(&mut c, '<').unwrap();
        assert_eq!(c, "^G&#60;");
    }
}
