//! DNS character strings (TXT, CAA values) in presentation form, both ways: the bytes of a
//! record shown as dig shows them, and an expectation read back into bytes with the same
//! escapes. It lives in the model (no I/O) so that loading can refuse an expectation that
//! cannot be read and the prober can compare on the very form it shows.
//!
//! The form: printable ASCII is kept; when the text as a whole is valid UTF-8, its
//! multi-byte characters are kept too (Chinese reads as Chinese); `\` and `"` are `\\` and
//! `\"`; every other byte (control bytes, and every byte over 126 of a text that is not
//! UTF-8, such as GBK) is `\DDD` in decimal: a tab is `\009`.

/// `bytes` in presentation form; the inverse of [`unescape`].
pub fn escape_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    // Text in another charset is escaped whole, as dig shows it: two GBK bytes that happen
    // to form a UTF-8 character (`\211\166` is `Ӧ`) would otherwise show a letter that was
    // never written.
    let Ok(text) = std::str::from_utf8(bytes) else {
        for &b in bytes {
            match b {
                b'\\' => out.push_str("\\\\"),
                b'"' => out.push_str("\\\""),
                b' '..=b'~' => out.push(char::from(b)),
                _ => push_ddd(&mut out, b),
            }
        }
        return out;
    };
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            ' '..='~' => out.push(c),
            // Unlike dig, which escapes every byte over 126, valid UTF-8 is kept so that
            // Chinese reads as Chinese; a C1 control character is still escaped, byte by
            // byte, so that a report line stays one line.
            c if !c.is_ascii() && !c.is_control() => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    push_ddd(&mut out, b);
                }
            }
        }
    }
    out
}

fn push_ddd(out: &mut String, b: u8) {
    out.push_str(&format!("\\{b:03}"));
}

/// The bytes `s` stands for: `\DDD` is a byte (000 to 255), `\X` is X itself (so `\\` and
/// `\"`), any other character is its UTF-8 bytes.
pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            None => return Err("a `\\` ends the text (write `\\\\` for a backslash)".into()),
            Some(d) if d.is_ascii_digit() => {
                let rest: String = chars.clone().take(2).collect();
                let digits = format!("{d}{rest}");
                let n = (digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.parse::<u16>().ok())
                    .flatten()
                    .filter(|n| *n <= 255)
                    .ok_or_else(|| {
                        format!("`\\{digits}` is not a byte: write three digits, 000 to 255")
                    })?;
                chars.nth(1);
                out.push(n as u8);
            }
            Some(x) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(x.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Ok(out)
}

/// A TXT expectation as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtExpect {
    /// Plain text: compared with the record's strings joined with nothing (RFC 7208 §3.3,
    /// as SPF and DKIM read them).
    Joined(Vec<u8>),
    /// `"v=spf1 ip4:…" " -all"` as dig prints a record: compared string by string.
    Strings(Vec<Vec<u8>>),
}

impl TxtExpect {
    /// Reads an expectation. Text that starts with `"` and is wholly a sequence of quoted
    /// strings is the dig form; anything else is plain text with escapes.
    pub fn parse(s: &str) -> Result<TxtExpect, String> {
        if s.trim_start().starts_with('"')
            && let Some(strings) = quoted_strings(s.trim())
        {
            return Ok(TxtExpect::Strings(
                strings
                    .iter()
                    .map(|q| unescape(q))
                    .collect::<Result<_, _>>()?,
            ));
        }
        unescape(s).map(TxtExpect::Joined)
    }

    /// Whether a record of `strings` meets the expectation: on the shown form for plain
    /// text, string by string for the dig form.
    pub fn matches(&self, strings: &[Vec<u8>]) -> bool {
        match self {
            TxtExpect::Joined(want) => escape_text(want) == escape_text(&strings.concat()),
            TxtExpect::Strings(want) => want == strings,
        }
    }
}

/// `"a" "b c"` → the raw (still escaped) insides `a`, `b c`; `None` when `s` is not only
/// quoted strings separated by blanks.
fn quoted_strings(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        rest = rest.strip_prefix('"')?;
        let mut end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end?;
        out.push(&rest[..end]);
        let after = &rest[end + 1..];
        let trimmed = after.trim_start();
        // Strings are separated by blanks, or the text ends.
        if !trimmed.is_empty() && trimmed.len() == after.len() {
            return None;
        }
        rest = trimmed;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_shown_as_dig_shows_them() {
        assert_eq!(escape_text(b"v=spf1 -all"), "v=spf1 -all");
        assert_eq!(escape_text(b"a\tb\x00c"), "a\\009b\\000c");
        assert_eq!(escape_text(br#"say "hi" \o/"#), r#"say \"hi\" \\o/"#);
        assert_eq!(escape_text("应急管理部".as_bytes()), "应急管理部");
        // GBK for 北京: not UTF-8, so byte by byte. (GBK text may happen to be valid UTF-8,
        // as `应` D3 A6 is `Ӧ`: then it shows as that character, as any decoder would.)
        assert_eq!(
            escape_text(&[0xb1, 0xb1, 0xbe, 0xa9]),
            "\\177\\177\\190\\169"
        );
        assert_eq!(escape_text(b"\x7f"), "\\127");
    }

    #[test]
    fn escapes_read_back_to_the_same_bytes() {
        for bytes in [
            b"a\tb\x00c\xff".to_vec(),
            br#"q"\"#.to_vec(),
            "中文 text".as_bytes().to_vec(),
            vec![0xb1, 0xb1, 0xbe, 0xa9],
        ] {
            assert_eq!(unescape(&escape_text(&bytes)).unwrap(), bytes);
        }
        assert_eq!(unescape(r"\a\.").unwrap(), b"a.");
        assert!(unescape(r"\256").unwrap_err().contains("000 to 255"));
        assert!(unescape(r"\25").is_err());
        assert!(unescape(r"end\").is_err());
    }

    #[test]
    fn expectations_join_or_go_string_by_string() {
        let rec = vec![b"v=spf1 ip4:127.14.0.0/16".to_vec(), b" -all".to_vec()];
        assert!(
            TxtExpect::parse("v=spf1 ip4:127.14.0.0/16 -all")
                .unwrap()
                .matches(&rec)
        );
        let dig = TxtExpect::parse(r#""v=spf1 ip4:127.14.0.0/16" " -all""#).unwrap();
        assert!(dig.matches(&rec));
        // The same text cut elsewhere is another record for the dig form.
        assert!(!dig.matches(&[b"v=spf1 ip4:127.14.0.0/16 -all".to_vec()]));
        assert_eq!(
            TxtExpect::parse(r#""a\"b" "c""#).unwrap(),
            TxtExpect::Strings(vec![b"a\"b".to_vec(), b"c".to_vec()])
        );
        // Not only quoted strings: plain text, quotes and all.
        assert_eq!(
            TxtExpect::parse(r#""quoted" then more"#).unwrap(),
            TxtExpect::Joined(br#""quoted" then more"#.to_vec())
        );
        assert!(
            TxtExpect::parse(r"tab\009here")
                .unwrap()
                .matches(&[b"tab\there".to_vec()])
        );
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::props::config;

    proptest! {
        #![proptest_config(config(256))]

        /// Any bytes shown read back as the same bytes, on one line, and match as an
        /// expectation both joined and in dig's form.
        #[test]
        fn any_bytes_round_trip(strings in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..4)) {
            let joined = strings.concat();
            let shown = escape_text(&joined);
            prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
            prop_assert_eq!(unescape(&shown).unwrap(), joined);
            // A quote is always escaped, so the shown form never reads as dig's form.
            prop_assert!(TxtExpect::parse(&shown).unwrap().matches(&strings));
            let dig: Vec<String> = strings.iter().map(|s| format!("\"{}\"", escape_text(s))).collect();
            prop_assert!(TxtExpect::parse(&dig.join(" ")).unwrap().matches(&strings));
        }

        /// Any text is read or refused, never a panic.
        #[test]
        fn any_text_reads_or_is_refused(s in "\\PC{0,40}") {
            let _ = TxtExpect::parse(&s);
        }
    }
}
