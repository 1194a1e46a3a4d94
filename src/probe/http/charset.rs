//! The body as text: decoded from the charset the server declares, so that a GBK, GB18030,
//! Big5, windows-1252 or windows-1256 page is judged (and shown) as the characters it holds.
//!
//! The charset is, in this order, the one a byte order mark says; the `charset` parameter
//! of `Content-Type`; for an HTML page (or a body without a `Content-Type`), the one its
//! `<meta>` declares in the first 1024 bytes (`prescan`); else UTF-8. Labels are the WHATWG
//! Encoding Standard's, as browsers read them (encoding_rs): `gb2312` and `gbk` are GBK,
//! `latin1` and `iso-8859-1` are windows-1252. A label that names no encoding is passed
//! over (as browsers do) and recorded.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

use super::prescan::prescan;

/// The text of a body and how it was read.
#[derive(Debug)]
pub(super) struct Decoded<'a> {
    pub(super) text: Cow<'a, str>,
    /// The encoding used (its WHATWG name: `UTF-8`, `GBK`, `gb18030`, `Big5`, …).
    pub(super) charset: &'static str,
    /// The first charset label the server gave that names no encoding.
    pub(super) unknown: Option<String>,
}

/// `body` decoded by the charset `content_type` (the raw header) or the body declares.
/// Bytes that are not valid in that charset become U+FFFD, as in a browser.
pub(super) fn decode<'a>(content_type: Option<&[u8]>, body: &'a [u8]) -> Decoded<'a> {
    let (encoding, rest, unknown) = choose(content_type, body);
    let (text, _) = encoding.decode_without_bom_handling(rest);
    Decoded {
        text,
        charset: encoding.name(),
        unknown,
    }
}

/// The encoding, the bytes to decode with it (without a BOM) and an unknown label.
fn choose<'a>(
    content_type: Option<&[u8]>,
    body: &'a [u8],
) -> (&'static Encoding, &'a [u8], Option<String>) {
    let mut unknown = None;
    if let Some((e, bom)) = Encoding::for_bom(body) {
        return (e, &body[bom..], unknown);
    }
    let (html, label) = content_type.map_or((true, None), media_type);
    if let Some(label) = label {
        match Encoding::for_label(label) {
            Some(e) => return (e, body, unknown),
            None => unknown = Some(crate::probe::evidence_text(label, 40)),
        }
    }
    if html {
        let found = prescan(body);
        unknown = unknown.or(found.unknown);
        if let Some(e) = found.encoding {
            return (e, body, unknown);
        }
    }
    (UTF_8, body, unknown)
}

/// Whether a `Content-Type` names HTML, and its `charset` parameter's label.
fn media_type(v: &[u8]) -> (bool, Option<&[u8]>) {
    let mut parts = v.split(|&c| c == b';');
    let essence = parts.next().unwrap_or_default().trim_ascii();
    let html = essence.eq_ignore_ascii_case(b"text/html")
        || essence.eq_ignore_ascii_case(b"application/xhtml+xml");
    let label = parts.find_map(|p| {
        let (name, value) = p.split_at(p.iter().position(|&c| c == b'=')?);
        name.trim_ascii()
            .eq_ignore_ascii_case(b"charset")
            .then(|| {
                let value = value[1..].trim_ascii();
                value
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .unwrap_or(value)
            })
            .filter(|v| !v.is_empty())
    });
    (html, label)
}

#[cfg(test)]
mod tests {
    use encoding_rs::{BIG5, GB18030, GBK, WINDOWS_1252, WINDOWS_1256};

    use super::*;

    #[test]
    fn the_header_label_wins_over_meta_and_gb2312_is_gbk() {
        let (page, _, _) = GBK.encode("<meta charset=big5>安全生产调度统计系统 运行正常");
        let t = decode(Some(b"text/html; charset=GB2312"), &page);
        assert_eq!(t.charset, "GBK");
        assert!(t.text.ends_with("安全生产调度统计系统 运行正常"));
        assert_eq!(t.unknown, None);
    }

    #[test]
    fn labels_in_any_case_quoted_or_not() {
        for (ct, want) in [
            (&b"text/plain;charset=\"big5\""[..], BIG5),
            (b"application/json; Charset=GB18030", GB18030),
            (b"text/html ; charset = latin1 ; q=1", WINDOWS_1252),
            (b"text/html; charset=cp1256", WINDOWS_1256),
            (b"text/html; charset=", UTF_8),
        ] {
            assert_eq!(choose(Some(ct), b"x").0, want, "{ct:?}");
        }
    }

    #[test]
    fn meta_counts_for_html_and_bodies_without_a_type_only() {
        let (page, _, _) = GBK.encode("<meta charset=gbk>运行正常");
        assert_eq!(decode(Some(b"text/html"), &page).charset, "GBK");
        assert_eq!(decode(None, &page).charset, "GBK");
        assert_eq!(decode(Some(b"application/json"), &page).charset, "UTF-8");
    }

    #[test]
    fn an_unknown_label_is_recorded_and_passed_over() {
        let (page, _, _) = GBK.encode("<meta charset=gbk>运行正常");
        let t = decode(Some(b"text/html; charset=x-klingon"), &page);
        assert_eq!(t.unknown.as_deref(), Some("x-klingon"));
        assert_eq!(t.charset, "GBK");
        let t = decode(
            Some(b"text/plain; charset=x-klingon"),
            "运行正常".as_bytes(),
        );
        assert_eq!((t.charset, t.text.as_ref()), ("UTF-8", "运行正常"));
    }

    #[test]
    fn a_byte_order_mark_wins_and_is_not_text() {
        let t = decode(
            Some(b"text/html; charset=gbk"),
            "\u{feff}运行正常".as_bytes(),
        );
        assert_eq!((t.charset, t.text.as_ref()), ("UTF-8", "运行正常"));
    }
}

/// Whatever a server declares and sends, the body is read; and text encoded in the charset
/// declared reads back as written.
#[cfg(test)]
mod proptests {
    use encoding_rs::{BIG5, GB18030, GBK, WINDOWS_1252, WINDOWS_1256};
    use proptest::prelude::*;

    use super::*;
    use crate::props::config;

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_header_and_body_decode(
            ct in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
            body in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let t = decode(ct.as_deref(), &body);
            prop_assert!(!t.charset.is_empty());
        }

        #[test]
        fn text_in_the_declared_charset_reads_back(
            text in "[a-z 0-9\u{4e00}-\u{9fa5}\u{0600}-\u{06ff}éü—]{0,60}",
            e in prop::sample::select(vec![UTF_8, GBK, GB18030, BIG5, WINDOWS_1252, WINDOWS_1256]),
        ) {
            // The characters the charset has.
            let text: String = text.chars().filter(|c| !e.encode(&c.to_string()).2).collect();
            let (bytes, _, _) = e.encode(&text);
            let ct = format!("text/html; charset={}", e.name());
            let t = decode(Some(ct.as_bytes()), &bytes);
            prop_assert_eq!(t.charset, e.name());
            prop_assert_eq!(t.text.as_ref(), text.as_str());
        }
    }
}
