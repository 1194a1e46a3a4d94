//! The XML writer of `junit.xml`: tags, attributes and text written straight to the output,
//! escaped and indented as quick-xml's indenting writer does for quick-junit (the document
//! stays byte for byte what it was when quick-junit wrote it; the tests compare the two).
//!
//! It escapes and nothing more: every string it is given has been made XML-safe by
//! [`super::clean`] already, which quick-junit's own filter (an ANSI parser and a character
//! replacement run over every string, a fifth of a report's time) then left unchanged.

use std::io::{self, Write};

/// A document being written: where it goes and how deep the next tag sits.
pub(super) struct Xml<'w> {
    out: &'w mut dyn Write,
    depth: usize,
}

/// Four spaces a level, as quick-junit asks of quick-xml.
const INDENT: usize = 4;
const SPACES: &[u8] = &[b' '; 64];

impl<'w> Xml<'w> {
    /// Starts the document with its declaration.
    pub(super) fn new(out: &'w mut dyn Write) -> io::Result<Xml<'w>> {
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        Ok(Xml { out, depth: 0 })
    }

    /// `<tag a="v" …>`, on a line of its own; what follows sits one level deeper.
    pub(super) fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.start_tag(tag, attrs)?;
        self.out.write_all(b">")?;
        self.depth += 1;
        Ok(())
    }

    /// `</tag>`, on a line of its own, one level up.
    pub(super) fn close(&mut self, tag: &str) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.line()?;
        self.out.write_all(b"</")?;
        self.out.write_all(tag.as_bytes())?;
        self.out.write_all(b">")
    }

    /// `<tag a="v" …/>`, on a line of its own.
    pub(super) fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.start_tag(tag, attrs)?;
        self.out.write_all(b"/>")
    }

    /// `<tag a="v" …>text</tag>` on one line (the text's own line breaks kept): quick-xml
    /// breaks no line next to text, even empty text.
    pub(super) fn text(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
        self.start_tag(tag, attrs)?;
        self.out.write_all(b">")?;
        escape(self.out, text)?;
        self.out.write_all(b"</")?;
        self.out.write_all(tag.as_bytes())?;
        self.out.write_all(b">")
    }

    /// Ends the document with a line break.
    pub(super) fn finish(self) -> io::Result<()> {
        self.out.write_all(b"\n")
    }

    fn start_tag(&mut self, tag: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.line()?;
        self.out.write_all(b"<")?;
        self.out.write_all(tag.as_bytes())?;
        for (name, value) in attrs {
            self.out.write_all(b" ")?;
            self.out.write_all(name.as_bytes())?;
            self.out.write_all(b"=\"")?;
            escape(self.out, value)?;
            self.out.write_all(b"\"")?;
        }
        Ok(())
    }

    /// The line break and indentation before a tag.
    fn line(&mut self) -> io::Result<()> {
        self.out.write_all(b"\n")?;
        let mut n = self.depth * INDENT;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }
}

/// quick-xml's `escape`, for attribute values and text alike: `<`, `>`, `&`, `'` and `"`
/// as the five predefined entities, everything else as it is (line breaks included).
fn escape(out: &mut dyn Write, s: &str) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'\'' => b"&apos;",
            b'"' => b"&quot;",
            _ => continue,
        };
        out.write_all(&bytes[from..i])?;
        out.write_all(entity)?;
        from = i + 1;
    }
    out.write_all(&bytes[from..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_and_keeps_the_rest() {
        let mut out = Vec::new();
        escape(&mut out, "a<b>c&d'e\"f\ng\u{10000}").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a&lt;b&gt;c&amp;d&apos;e&quot;f\ng\u{10000}"
        );
    }

    #[test]
    fn indents_by_depth_and_not_beside_text() {
        let mut out = Vec::new();
        let mut x = Xml::new(&mut out).unwrap();
        x.open("a", &[("n", "1")]).unwrap();
        x.empty("b", &[]).unwrap();
        x.text("c", &[("m", "")], "").unwrap();
        x.close("a").unwrap();
        x.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a n=\"1\">\n    <b/>\n    \
             <c m=\"\"></c>\n</a>\n"
        );
    }
}
