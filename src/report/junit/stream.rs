//! The serialised document in pieces: a report of one suite serialised and cut into the
//! root's start tag, the suite and the root's end tag, and the root's counts taken off.

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

/// The counts quick-junit puts on `<testsuites>`, which the root must not carry (see the
/// module doc of `junit`).
const ROOT_COUNTS: [&str; 5] = ["tests", "failures", "errors", "skipped", "disabled"];

/// Removes the counts from the `<testsuites>` start tag, keeping its name and time.
/// Attribute values are escaped, so ` tests="` and the like cannot occur inside one.
pub(super) fn drop_root_counts(xml: &str) -> Cow<'_, str> {
    let Some(start) = xml.find("<testsuites") else {
        return Cow::Borrowed(xml);
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let mut tag = xml[start..end].to_string();
    for name in ROOT_COUNTS {
        let key = format!(" {name}=\"");
        let Some(at) = tag.find(&key) else { continue };
        let value_start = at + key.len();
        let Some(close) = tag[value_start..].find('"') else {
            continue;
        };
        tag.replace_range(at..=value_start + close, "");
    }
    if tag.len() == end - start {
        return Cow::Borrowed(xml);
    }
    Cow::Owned(format!("{}{tag}{}", &xml[..start], &xml[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_keeps_its_name_and_time_only() {
        let xml = "<?xml version=\"1.0\"?>\n<testsuites name=\"a tests=&quot;1&quot;\" \
                   tests=\"3\" skipped=\"1\" failures=\"1\" errors=\"0\" time=\"2.5\">\n\
                   <testsuite name=\"s\" tests=\"3\" skipped=\"1\">";
        assert_eq!(
            drop_root_counts(xml),
            "<?xml version=\"1.0\"?>\n<testsuites name=\"a tests=&quot;1&quot;\" \
             time=\"2.5\">\n<testsuite name=\"s\" tests=\"3\" skipped=\"1\">"
        );
    }
}
