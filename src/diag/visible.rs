//! Text from inventories, suites, results and targets made safe to show to a person: on a
//! terminal (diagnostics, the plan table, progress warnings, the run's summary) and in
//! `report.html`.
//!
//! A control character in a node name or a message is an instruction to whatever shows it:
//! ESC starts a terminal's escape sequences (colours, cursor moves; `ESC ] 0 ;` retitles the
//! window, and some terminals answer back or write files), BEL rings, NUL ends the text for
//! some viewers, and the C1 controls (U+0080–U+009F, the CSI U+009B among them) act as
//! `ESC` sequences on some terminals. None means anything in a name or a message, so none
//! reaches a person raw: each is shown in the caret notation of `cat -v` and `less`, which
//! tells the reader what was there (U+FFFD would only say that something was):
//!
//! - C0 controls (U+0000–U+001F): `^@` … `^_`; NUL is `^@`, BEL `^G`, ESC `^[`;
//! - DEL (U+007F): `^?`;
//! - C1 controls (U+0080–U+009F): `M-` then the caret form of the C0 control 128 below it,
//!   so the CSI U+009B is `M-^[`.
//!
//! The forms are made of `^`, `M`, `-` and printable ASCII (`@`, `A`–`Z`, `[`, `\`, `]`,
//! `_`, `?`): nothing that HTML, a terminal or a spreadsheet treats specially.
//!
//! [`line()`] shows every control, tab and line breaks included: for one-line fields (a table
//! cell, a row of the summary, the echoed source line), where a line break would forge a line
//! of output. [`text()`] keeps line feeds and tabs, for text meant to have lines (a message, a
//! hint, evidence in the page's `<pre>`); a carriage return is still shown (`^M`), since on
//! a terminal it moves back over what was printed.

use std::borrow::Cow;

/// Every control character in caret form: for text shown on one line.
pub fn line(s: &str) -> Cow<'_, str> {
    shown(s, char::is_control)
}

/// Control characters in caret form, but line feeds and tabs: for text meant to have lines.
pub fn text(s: &str) -> Cow<'_, str> {
    shown(s, hidden_in_text)
}

/// Whether [`text`] shows `c` in caret form rather than as itself.
pub fn hidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t')
}

/// Writes the caret form of a control character (any other character as itself).
pub fn write_caret(out: &mut impl std::fmt::Write, c: char) -> std::fmt::Result {
    let code = c as u32;
    let (meta, low) = match code {
        0x00..=0x1f | 0x7f => ("", code),
        0x80..=0x9f => ("M-", code - 0x80),
        _ => return out.write_char(c),
    };
    // 0x7f (DEL) shows as `^?`: its code plus 0x40, wrapped to 7 bits, as for the others.
    let shown = char::from(((low + 0x40) & 0x7f) as u8);
    write!(out, "{meta}^{shown}")
}

/// `s` with each character `hide` picks in caret form; borrowed when there is none.
fn shown(s: &str, hide: fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(hide) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if hide(c) {
            let _ = write_caret(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_as_cat_v_shows_them() {
        assert_eq!(
            line("\u{0}\u{7}\u{1b}]0;t\u{1f}\u{7f}\u{80}\u{9b}\u{9f}"),
            "^@^G^[]0;t^_^?M-^@M-^[M-^_"
        );
        assert_eq!(line("a\tb\nc\rd"), "a^Ib^Jc^Md");
        assert_eq!(text("a\tb\nc\rd\u{1b}[31m"), "a\tb\nc^Md^[[31m");
    }

    #[test]
    fn other_text_is_left_as_it_is_and_not_copied() {
        for s in [
            "",
            "山西 <b>&amp;</b> ^[ \u{a0}\u{85}x\u{2028}",
            "é ✔ ⚠\u{FE0E}",
        ] {
            let expected = s.replace('\u{85}', "M-^E");
            assert_eq!(line(s), expected);
            assert_eq!(text(s), expected);
        }
        assert!(matches!(line("plain 山西"), Cow::Borrowed(_)));
        assert!(matches!(text("two\nlines\tand a tab"), Cow::Borrowed(_)));
    }
}
