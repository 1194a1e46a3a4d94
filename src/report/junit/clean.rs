//! Untrusted text made safe for XML 1.0 and for CI viewers (the caps are the reports'
//! shared ones, `report::text`).

/// Text for a body: line breaks kept (as `\n`), tabs as spaces, and nothing XML 1.0 forbids.
///
/// The writer (`xml`) only escapes, so every string it writes comes through here (or is
/// ours). quick-junit, which wrote the file before, had a filter of its own (C0 controls and
/// ANSI sequences dropped, but U+FFFE and U+FFFF let through, which no XML parser accepts);
/// text cleaned here passed that filter unchanged, which is why the two writers agree.
pub(super) fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            // A CRLF pair is one line break; a lone CR is one too.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            '\t' => out.push(' '),
            // An ANSI CSI sequence (colours, cursor moves) goes whole: dropping only the ESC
            // would leave `[31m` in the text. A lone ESC is dropped by the last arm.
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Text for an attribute or a one-line field: as [`clean_text`], with line breaks as
/// spaces, since a parser folds a raw line break in an attribute into a space anyway.
pub(super) fn clean_line(s: &str) -> String {
    clean_text(s).replace('\n', " ")
}

/// XML 1.0 `Char`, less the C1 controls: allowed but discouraged by the spec, never
/// meaningful in a report, and some terminals act on them when a log is viewed.
fn xml_char(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_what_xml_forbids() {
        let s = "a\u{0}b\u{8}c\u{1b}[31md\u{1b}e\u{fffe}f\u{ffff}g\u{85}h\ti\r\nj\rk";
        assert_eq!(clean_text(s), "abcdefgh i\nj\nk");
        assert_eq!(clean_line("x\ny"), "x y");
    }
}
