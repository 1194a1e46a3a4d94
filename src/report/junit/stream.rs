//! The serialised document in pieces: a report of one suite serialised and cut into the
//! root's start tag, the suite and the root's end tag, and the root's `skipped` taken off.

use std::borrow::Cow;

use quick_junit::Report;

/// A report serialised into memory, which cannot fail.
pub(super) fn serialise(report: &Report) -> String {
    report
        .to_string()
        .expect("serialising to memory cannot fail")
}

/// Splits a serialised report of one suite into the declaration with the `<testsuites>`
/// start tag, the suite's element (with the line break and indentation before it), and
/// the line break with the `</testsuites>` end tag that follow it. Attribute values and
/// text are escaped, so neither tag can occur inside a name or a body.
pub(super) fn split_root(doc: &str) -> (&str, &str, &str) {
    let start = doc.find("<testsuites").expect("the root start tag");
    let head_end = start + doc[start..].find('>').expect("the root start tag's end") + 1;
    let tail_start = doc.rfind("\n</testsuites>").expect("the root end tag");
    (
        &doc[..head_end],
        &doc[head_end..tail_start],
        &doc[tail_start..],
    )
}

/// Removes the `skipped` attribute from the `<testsuites>` start tag (see the module doc).
/// Attribute values are escaped, so ` skipped="` cannot occur inside one.
pub(super) fn drop_root_skipped(xml: &str) -> Cow<'_, str> {
    let Some(start) = xml.find("<testsuites") else {
        return Cow::Borrowed(xml);
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return Cow::Borrowed(xml);
    };
    let value_start = at + " skipped=\"".len();
    let Some(close) = tag[value_start..].find('"') else {
        return Cow::Borrowed(xml);
    };
    let (from, to) = (start + at, start + value_start + close + 1);
    Cow::Owned(format!("{}{}", &xml[..from], &xml[to..]))
}
