//! The charset an HTML page declares in a `<meta>` tag, found as browsers find it: the
//! WHATWG HTML standard's "prescan a byte stream to determine its encoding" (§13.2.3.2),
//! over the first 1024 bytes. `<meta charset="gbk">` and `<meta http-equiv="Content-Type"
//! content="text/html; charset=gbk">` count; a `<meta>` inside a comment, a `content=`
//! without its `http-equiv`, or a tag's attributes that merely mention a charset do not.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// Bytes of the page looked at, as browsers do.
pub(super) const PRESCAN_BYTES: usize = 1024;

/// What the prescan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Found {
    /// The encoding the first usable `<meta>` declares.
    pub(super) encoding: Option<&'static Encoding>,
    /// The first label met that names no encoding (lower case, as read).
    pub(super) unknown: Option<String>,
}

pub(super) fn prescan(page: &[u8]) -> Found {
    let b = &page[..page.len().min(PRESCAN_BYTES)];
    let mut found = Found::default();
    let mut pos = 0;
    while pos < b.len() {
        let rest = &b[pos..];
        if rest.starts_with(b"<!--") {
            // To the end of the first `-->` after `<!`; its dashes may be those of `<!--`.
            match find(&b[pos + 2..], b"-->") {
                Some(i) => pos += 2 + i + 3,
                None => return found,
            }
            continue;
        }
        if starts_with_ignore_case(rest, b"<meta")
            && rest.get(5).is_some_and(|&c| is_space(c) || c == b'/')
        {
            pos += 6;
            if let Some(e) = meta(b, &mut pos, &mut found.unknown) {
                found.encoding = Some(e);
                return found;
            }
            continue;
        }
        let tag = match rest {
            [b'<', c, ..] if c.is_ascii_alphabetic() => Some(1),
            [b'<', b'/', c, ..] if c.is_ascii_alphabetic() => Some(2),
            _ => None,
        };
        if let Some(skip) = tag {
            // Another tag: its name, then its attributes, are passed over whole, so that a
            // quoted `<meta` inside an attribute value is not taken for a tag.
            pos += skip;
            while pos < b.len() && !is_space(b[pos]) && b[pos] != b'>' {
                pos += 1;
            }
            while attribute(b, &mut pos).is_some() {}
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            match find(&rest[2..], b">") {
                Some(i) => pos += 2 + i + 1,
                None => return found,
            }
            continue;
        }
        pos += 1;
    }
    found
}

/// The attributes of one `<meta>` tag, `pos` just past `<meta `: the encoding it declares,
/// if it declares one that counts.
fn meta(b: &[u8], pos: &mut usize, unknown: &mut Option<String>) -> Option<&'static Encoding> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    // None: no charset declared; Some(false) by `charset=`; Some(true) by `content=`,
    // which counts only with `http-equiv="content-type"`.
    let mut need_pragma = None;
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some((name, value)) = attribute(b, pos) {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" if value == b"content-type" => got_pragma = true,
            b"content" if charset.is_none() => {
                if let Some(label) = charset_in_content(&value) {
                    charset = Some(lookup(label, unknown));
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Some(lookup(&value, unknown));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    match need_pragma {
        None => return None,
        Some(true) if !got_pragma => return None,
        Some(_) => {}
    }
    // A page read as UTF-16 could not have been scanned as ASCII: it means UTF-8.
    charset.flatten().map(|e| match e {
        e if e == UTF_16BE || e == UTF_16LE => UTF_8,
        e if e == X_USER_DEFINED => WINDOWS_1252,
        e => e,
    })
}

fn lookup(label: &[u8], unknown: &mut Option<String>) -> Option<&'static Encoding> {
    let e = Encoding::for_label(label);
    if e.is_none() && unknown.is_none() {
        *unknown = Some(crate::probe::evidence_text(label, 40));
    }
    e
}

/// The charset label in a `content` value such as `text/html; charset=gbk` (the standard's
/// "extract a character encoding from a meta element").
fn charset_in_content(v: &[u8]) -> Option<&[u8]> {
    let mut pos = 0;
    loop {
        pos += find(&v[pos..], b"charset")? + 7;
        while v.get(pos).is_some_and(|&c| is_space(c)) {
            pos += 1;
        }
        if v.get(pos) != Some(&b'=') {
            continue;
        }
        pos += 1;
        while v.get(pos).is_some_and(|&c| is_space(c)) {
            pos += 1;
        }
        let q = *v.get(pos)?;
        if q == b'"' || q == b'\'' {
            let end = v[pos + 1..].iter().position(|&c| c == q)?;
            return Some(&v[pos + 1..pos + 1 + end]);
        }
        let end = v[pos..]
            .iter()
            .position(|&c| is_space(c) || c == b';')
            .map_or(v.len(), |i| pos + i);
        return Some(&v[pos..end]);
    }
}

/// The standard's "get an attribute": the next attribute's name and value (lower case), or
/// `None` at the tag's end (`pos` then on its `>`) or the end of the bytes.
fn attribute(b: &[u8], pos: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    while b.get(*pos).is_some_and(|&c| is_space(c) || c == b'/') {
        *pos += 1;
    }
    if *b.get(*pos)? == b'>' {
        return None;
    }
    let mut name = Vec::new();
    loop {
        let c = *b.get(*pos)?;
        match c {
            b'=' if !name.is_empty() => {
                *pos += 1;
                break;
            }
            c if is_space(c) => {
                while b.get(*pos).is_some_and(|&c| is_space(c)) {
                    *pos += 1;
                }
                if b.get(*pos) != Some(&b'=') {
                    return Some((name, Vec::new()));
                }
                *pos += 1;
                break;
            }
            b'/' | b'>' => return Some((name, Vec::new())),
            c => name.push(c.to_ascii_lowercase()),
        }
        *pos += 1;
    }
    while b.get(*pos).is_some_and(|&c| is_space(c)) {
        *pos += 1;
    }
    let mut value = Vec::new();
    match *b.get(*pos)? {
        q @ (b'"' | b'\'') => loop {
            *pos += 1;
            let c = *b.get(*pos)?;
            if c == q {
                *pos += 1;
                return Some((name, value));
            }
            value.push(c.to_ascii_lowercase());
        },
        b'>' => return Some((name, value)),
        _ => {}
    }
    while let Some(&c) = b.get(*pos) {
        if is_space(c) || c == b'>' {
            break;
        }
        value.push(c.to_ascii_lowercase());
        *pos += 1;
    }
    Some((name, value))
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use encoding_rs::{BIG5, GB18030, GBK};

    use super::*;

    fn enc(page: &str) -> Option<&'static str> {
        prescan(page.as_bytes()).encoding.map(Encoding::name)
    }

    #[test]
    fn both_forms_of_meta_count() {
        assert_eq!(enc(r#"<html><head><meta charset="gbk">"#), Some(GBK.name()));
        assert_eq!(enc("<META CHARSET=Big5>"), Some(BIG5.name()));
        assert_eq!(enc("<meta charset='gb18030'/>"), Some(GB18030.name()));
        assert_eq!(
            enc(r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#),
            Some(GBK.name())
        );
        assert_eq!(
            enc(r#"<meta content='text/html;charset="latin1"' http-equiv=content-type>"#),
            Some(WINDOWS_1252.name())
        );
    }

    #[test]
    fn what_does_not_count() {
        // content= without its http-equiv.
        assert_eq!(enc(r#"<meta content="text/html; charset=gbk">"#), None);
        // Inside a comment, or inside another tag's attribute.
        assert_eq!(enc(r#"<!-- <meta charset="gbk"> --><p>"#), None);
        assert_eq!(enc(r#"<a title='<meta charset="gbk">'>"#), None);
        // Past the first 1024 bytes.
        let late = format!("{}<meta charset=gbk>", " ".repeat(PRESCAN_BYTES));
        assert_eq!(enc(&late), None);
        // `<!-->` is a whole comment: what follows is read.
        assert_eq!(enc("<!--><meta charset=big5>"), Some(BIG5.name()));
    }

    #[test]
    fn utf16_means_utf8_and_unknown_labels_are_kept() {
        assert_eq!(enc("<meta charset=utf-16le>"), Some(UTF_8.name()));
        let f = prescan(b"<meta charset=klingon><meta charset=gbk>");
        // An unknown label is passed over; the next `<meta>` may still say.
        assert_eq!(f.unknown.as_deref(), Some("klingon"));
        assert_eq!(f.encoding, Some(GBK));
    }

    #[test]
    fn cut_pages_end_the_scan_without_panic() {
        for page in [
            "<meta",
            "<meta charset=\"gbk",
            "<!--",
            "<a href",
            "<meta content=",
        ] {
            for end in 0..=page.len() {
                let _ = prescan(&page.as_bytes()[..end]);
            }
        }
    }
}

/// The prescan reads whatever a server sends: it must end on any bytes, and find a
/// declaration however the text before it (without tags) is made.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::props::config;

    /// Bytes rich in what the scanner looks for, so that tags and comments get cut anywhere.
    fn markup() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"<meta ".to_vec()),
            Just(b"<!--".to_vec()),
            Just(b"-->".to_vec()),
            Just(b"charset=".to_vec()),
            Just(b"http-equiv=content-type ".to_vec()),
            Just(b"content=\"text/html; charset=gbk\"".to_vec()),
            Just(b"</".to_vec()),
            Just(b"<a ".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"'".to_vec()),
            Just(b">".to_vec()),
            Just(b"/".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..8),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_bytes_end_the_scan(page in markup()) {
            let found = prescan(&page);
            // A declaration needs a `<meta` to hold it.
            if found.encoding.is_some() {
                prop_assert!(page.windows(5).any(|w| w.eq_ignore_ascii_case(b"<meta")));
            }
        }

        #[test]
        fn a_declaration_after_plain_text_is_found(
            text in "[^<]{0,300}",
            label in prop::sample::select(vec!["gbk", "GB2312", "gb18030", "big5", "latin1", "windows-1256", "utf-8"]),
            quote in prop::sample::select(vec!["", "\"", "'"]),
        ) {
            let page = format!("{text}<meta charset={quote}{label}{quote}>");
            prop_assume!(page.len() <= PRESCAN_BYTES);
            let want = Encoding::for_label(label.as_bytes()).unwrap();
            prop_assert_eq!(prescan(page.as_bytes()).encoding, Some(want));
        }
    }
}
