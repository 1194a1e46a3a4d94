//! DNS names as the suite writes them and the wire carries them: text → wire labels (octets),
//! and back to text for people (`to_ascii`, `to_unicode`).
//!
//! Query names follow DNS rules, not hostname rules (RFC 2181 §11): a label is any 1 to 63
//! octets and a name at most 255 on the wire, so `_dmarc`, `under_score`, the `/` of RFC 2317
//! (`5.0/25.100.51.198.in-addr.arpa`) and an `xn--` label that is not valid punycode are all
//! names. An all-ASCII label is kept exactly as written (case too; comparison ignores it,
//! RFC 4343). A label with any non-ASCII character is mapped by UTS 46 (full-width forms to
//! ASCII, case folded, NFC) and sent as its A-label (`xn--…`), and the four full stops of
//! UTS 46 (`.` `。` `．` `｡`) all separate labels, so that `应急管理部。aq.gov.test` is the
//! three labels it reads as rather than one malformed label.
//!
//! Presentation escapes are read as in zone files: `\.` a dot inside a label, `\DDD` a byte
//! (decimal), `\X` the character X. What cannot be a name is refused with the place of the
//! label at fault ([`NameError`]), so that loading can point at it.

use std::fmt;
use std::net::IpAddr;

use super::RecordType;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// Longest label, in octets (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;
/// Longest name on the wire, in octets, length bytes and the root's zero byte included.
const MAX_WIRE: usize = 255;

/// The four full stops UTS 46 treats as label separators.
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// A DNS name: its labels as octets, root excluded (the root name has none). Always fully
/// qualified: no search domain ever applies to a name of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DnsName {
    labels: Vec<Vec<u8>>,
}

/// Why a text is not a DNS name, and where: `at..at + len` are byte offsets into the text
/// given to [`DnsName::parse`], `col` the same start counted in characters (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    pub kind: NameErrorKind,
    /// The label at fault as written (escapes and all); empty for an empty label or name.
    pub label: String,
    pub at: usize,
    pub len: usize,
    pub col: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameErrorKind {
    /// Nothing but spaces.
    EmptyName,
    /// Two separators side by side, or one at the start.
    EmptyLabel,
    /// More than 63 octets (after mapping, for a Unicode label).
    LabelTooLong(usize),
    /// More than 255 octets on the wire.
    NameTooLong(usize),
    /// A non-ASCII label UTS 46 refuses (a disallowed code point, a bad combination).
    Unmappable,
    /// A `\` not followed by three digits up to 255 or by one ASCII character.
    BadEscape,
    /// A space or control character written as is (zone files need `\032`-style escapes,
    /// and one there is far likelier a slip than a label that holds it).
    BadChar,
}

impl NameError {
    /// A short, fixed description of the kind of mistake (to group nodes by in a plan).
    pub fn what(&self) -> &'static str {
        match self.kind {
            NameErrorKind::EmptyName => "dns name is empty",
            NameErrorKind::EmptyLabel => "dns name has an empty label",
            NameErrorKind::LabelTooLong(_) => "dns name has a label over 63 octets",
            NameErrorKind::NameTooLong(_) => "dns name is over 255 octets",
            NameErrorKind::Unmappable => "dns name has a label UTS 46 cannot map",
            NameErrorKind::BadEscape => "dns name has a bad escape",
            NameErrorKind::BadChar => "dns name has a space or control character",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            NameErrorKind::EmptyName => "write the name to ask, e.g. `www.aq.gov.test`",
            NameErrorKind::EmptyLabel => {
                "labels are separated by one dot (`.`, `。`, `．` or `｡`); a name does not start with one"
            }
            NameErrorKind::LabelTooLong(_) => {
                "a DNS label holds at most 63 octets (a Unicode label counts in its `xn--` form)"
            }
            NameErrorKind::NameTooLong(_) => {
                "a DNS name holds at most 255 octets on the wire (each label plus one length octet, plus one for the root)"
            }
            NameErrorKind::Unmappable => {
                "a non-ASCII label must map to an A-label under UTS 46 (IDNA); write it in its `xn--` form if it is one"
            }
            NameErrorKind::BadEscape => {
                "escapes are `\\.` (a dot in a label), `\\DDD` (a byte, 000 to 255) and `\\X` (an ASCII character X)"
            }
            NameErrorKind::BadChar => {
                "write a space or control octet in a label as `\\DDD`, e.g. `\\032`"
            }
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.label;
        match self.kind {
            NameErrorKind::EmptyName => write!(f, "the name is empty"),
            NameErrorKind::EmptyLabel => write!(f, "empty label"),
            NameErrorKind::LabelTooLong(n) => {
                write!(f, "label `{l}` is {n} octets long, over 63")
            }
            NameErrorKind::NameTooLong(n) => {
                write!(f, "the name is {n} octets long on the wire, over 255")
            }
            NameErrorKind::Unmappable => {
                write!(f, "label `{l}` cannot be mapped to an A-label (UTS 46)")
            }
            NameErrorKind::BadEscape => write!(f, "bad escape `{l}`"),
            NameErrorKind::BadChar => write!(f, "label `{l}` holds a space or control character"),
        }
    }
}

impl std::error::Error for NameError {}

/// One piece of a label as written: a character, or an escaped byte.
#[derive(Clone, Copy)]
enum Unit {
    Char(char),
    Byte(u8),
}

impl DnsName {
    /// The root name (`.`).
    pub fn root() -> DnsName {
        DnsName { labels: Vec::new() }
    }

    /// Reads a name as written in a suite; see the module doc. Leading and trailing spaces
    /// are ignored (offsets still count them); a trailing dot is optional; `.` alone is the
    /// root.
    pub fn parse(text: &str) -> Result<DnsName, NameError> {
        let start = text.len() - text.trim_start().len();
        let s = text.trim();
        let err = |kind, at: usize, end: usize| NameError {
            kind,
            label: text[at..end].to_string(),
            at,
            len: end - at,
            col: text[..at].chars().count(),
        };
        if s.is_empty() {
            return Err(err(NameErrorKind::EmptyName, start, start));
        }
        if s.chars().count() == 1 && s.chars().all(is_dot) {
            return Ok(DnsName::root());
        }

        let mut labels = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut label_at = start;
        let end = start + s.len();
        let mut chars = text[start..end].char_indices().peekable();
        loop {
            let next = chars.next();
            let (i, c) = match next {
                Some((i, c)) => (start + i, Some(c)),
                None => (end, None),
            };
            match c {
                Some('\\') => {
                    // `\DDD`: exactly three digits, up to 255; `\X`: X an ASCII character.
                    let mut digits = String::new();
                    while digits.len() < 3 {
                        match chars.peek() {
                            Some((_, d)) if d.is_ascii_digit() => {
                                digits.push(*d);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    let esc_end = i + 1 + digits.len();
                    if digits.is_empty() {
                        match chars.next() {
                            Some((_, x)) if x.is_ascii() => units.push(Unit::Byte(x as u8)),
                            Some((_, x)) => {
                                return Err(err(
                                    NameErrorKind::BadEscape,
                                    i,
                                    esc_end + x.len_utf8(),
                                ));
                            }
                            None => return Err(err(NameErrorKind::BadEscape, i, esc_end)),
                        }
                    } else {
                        match digits.parse::<u8>() {
                            Ok(b) if digits.len() == 3 => units.push(Unit::Byte(b)),
                            _ => return Err(err(NameErrorKind::BadEscape, i, esc_end)),
                        }
                    }
                }
                Some(c) if !is_dot(c) => {
                    if c.is_whitespace() || c.is_control() {
                        let label_end = text[i..end].find(is_dot).map_or(end, |j| i + j);
                        return Err(err(NameErrorKind::BadChar, label_at, label_end));
                    }
                    units.push(Unit::Char(c));
                }
                // A separator, or the end of the text: the label is complete.
                _ => {
                    if units.is_empty() {
                        // Only a trailing dot may end the text with nothing after it.
                        if c.is_some() || labels.is_empty() {
                            let len = c.map_or(0, char::len_utf8);
                            return Err(err(NameErrorKind::EmptyLabel, i, i + len));
                        }
                        break;
                    }
                    let octets = label_octets(&units)
                        .ok_or_else(|| err(NameErrorKind::Unmappable, label_at, i))?;
                    if octets.is_empty() {
                        // A Unicode label of characters UTS 46 ignores (soft hyphens).
                        return Err(err(NameErrorKind::Unmappable, label_at, i));
                    }
                    if octets.len() > MAX_LABEL {
                        return Err(err(NameErrorKind::LabelTooLong(octets.len()), label_at, i));
                    }
                    labels.push(octets);
                    units.clear();
                    match c {
                        Some(c) => label_at = i + c.len_utf8(),
                        None => break,
                    }
                }
            }
        }
        let name = DnsName { labels };
        let wire = name.wire_len();
        if wire > MAX_WIRE {
            return Err(NameError {
                kind: NameErrorKind::NameTooLong(wire),
                label: s.to_string(),
                at: start,
                len: s.len(),
                col: text[..start].chars().count(),
            });
        }
        Ok(name)
    }

    /// A name from labels as the wire carries them (a decoded answer's), root excluded.
    /// `None` when one is empty or too long, or the name is: what the wire cannot carry.
    pub fn from_wire_labels<'a>(labels: impl IntoIterator<Item = &'a [u8]>) -> Option<DnsName> {
        let labels: Vec<Vec<u8>> = labels.into_iter().map(<[u8]>::to_vec).collect();
        let name = DnsName { labels };
        let ok = name
            .labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= MAX_LABEL)
            && name.wire_len() <= MAX_WIRE;
        ok.then_some(name)
    }

    /// The name a `record_type` check asks about when its `name:` is `text`: a PTR check may
    /// name an IP address, which stands for its reverse name ([`DnsName::from_ip`]); any
    /// other text is read by [`DnsName::parse`]. Loading, planning and the prober all read
    /// `name:` through this one function.
    pub fn of_question(text: &str, record_type: RecordType) -> Result<DnsName, NameError> {
        match text.trim().parse::<IpAddr>() {
            Ok(ip) if record_type == RecordType::PTR => Ok(DnsName::from_ip(ip)),
            _ => DnsName::parse(text),
        }
    }

    /// The `in-addr.arpa` or `ip6.arpa` name of an address, which PTR records are under.
    pub fn from_ip(ip: IpAddr) -> DnsName {
        let mut labels: Vec<Vec<u8>> = match ip {
            IpAddr::V4(v4) => v4
                .octets()
                .iter()
                .rev()
                .map(|o| o.to_string().into_bytes())
                .collect(),
            IpAddr::V6(v6) => v6
                .octets()
                .iter()
                .rev()
                .flat_map(|o| [o & 0x0f, o >> 4])
                .map(|n| format!("{n:x}").into_bytes())
                .collect(),
        };
        let zone: &[&[u8]] = match ip {
            IpAddr::V4(_) => &[b"in-addr", b"arpa"],
            IpAddr::V6(_) => &[b"ip6", b"arpa"],
        };
        labels.extend(zone.iter().map(|l| l.to_vec()));
        DnsName { labels }
    }

    /// The labels, as octets, root excluded.
    pub fn labels(&self) -> impl Iterator<Item = &[u8]> {
        self.labels.iter().map(Vec::as_slice)
    }

    pub fn is_root(&self) -> bool {
        self.labels.is_empty()
    }

    /// Octets on the wire: each label and its length octet, and the root's zero octet.
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// Presentation form, as dig prints it but without the root dot (`.` for the root):
    /// A-labels, case as written, `.` `\` and the other zone-file specials escaped as `\X`,
    /// bytes that are not printable ASCII as `\DDD`. [`DnsName::parse`] reads it back to the
    /// same name.
    pub fn to_ascii(&self) -> String {
        self.present(push_label)
    }

    /// The form names compare in: [`DnsName::to_ascii`] lower-cased (ASCII letters only:
    /// RFC 4343; A-labels are lower case already once mapped).
    pub fn canonical(&self) -> String {
        self.to_ascii().to_ascii_lowercase()
    }

    /// For people: each A-label that is valid punycode shown as its U-label (Unicode), the
    /// other labels as in [`DnsName::to_ascii`].
    pub fn to_unicode(&self) -> String {
        self.present(|out, l| match u_label(l) {
            Some(u) => out.push_str(&u),
            None => push_label(out, l),
        })
    }

    /// The labels, each written by `label`, joined by dots; the root is `.`.
    fn present(&self, mut label: impl FnMut(&mut String, &[u8])) -> String {
        if self.is_root() {
            return ".".into();
        }
        let mut out = String::new();
        for (i, l) in self.labels.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            label(&mut out, l);
        }
        out
    }

    /// Whether two names are the same name: same labels, ASCII case aside.
    pub fn eq_ignore_case(&self, other: &DnsName) -> bool {
        self.labels.len() == other.labels.len()
            && self
                .labels
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_ascii())
    }
}

/// The octets of one label: as written when every character is ASCII, else the A-label UTS
/// 46 maps it to (`None` when it cannot, or when the mapping would split it).
fn label_octets(units: &[Unit]) -> Option<Vec<u8>> {
    let unicode = units
        .iter()
        .any(|u| matches!(u, Unit::Char(c) if !c.is_ascii()));
    if !unicode {
        return Some(
            units
                .iter()
                .map(|u| match *u {
                    Unit::Char(c) => c as u8,
                    Unit::Byte(b) => b,
                })
                .collect(),
        );
    }
    // An escaped byte above 127 has no character to map beside Unicode ones.
    let mut text = String::new();
    for u in units {
        match *u {
            Unit::Char(c) => text.push(c),
            Unit::Byte(b) if b.is_ascii() => text.push(b as char),
            Unit::Byte(_) => return None,
        }
    }
    // No ASCII deny list (DNS allows `_` and the rest), hyphens anywhere, and lengths are
    // checked here, on octets, for every label alike.
    let a = Uts46::new()
        .to_ascii(
            text.as_bytes(),
            AsciiDenyList::EMPTY,
            Hyphens::Allow,
            DnsLength::Ignore,
        )
        .ok()?;
    // A character that maps to a full stop (`⒈` → `1.`) would split the label in two
    // behind the writer's back: refused rather than guessed at.
    (!a.contains('.')).then(|| a.into_owned().into_bytes())
}

/// The U-label of an A-label that is valid punycode and maps back to itself; `None`
/// otherwise (an invalid `xn--` label is shown as written).
fn u_label(l: &[u8]) -> Option<String> {
    if l.len() < 4 || !l[..4].eq_ignore_ascii_case(b"xn--") {
        return None;
    }
    let ascii = std::str::from_utf8(l).ok()?;
    let (u, res) = Uts46::new().to_unicode(ascii.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    res.ok()?;
    if u.contains('.') || u.is_ascii() {
        return None;
    }
    // Only a canonical A-label is shown as Unicode: another spelling of the same U-label
    // would otherwise be indistinguishable from it on screen.
    let back = Uts46::new()
        .to_ascii(
            u.as_bytes(),
            AsciiDenyList::EMPTY,
            Hyphens::Allow,
            DnsLength::Ignore,
        )
        .ok()?;
    back.eq_ignore_ascii_case(ascii).then(|| u.into_owned())
}

/// A label in presentation form, appended to `out`.
fn push_label(out: &mut String, l: &[u8]) {
    for &b in l {
        match b {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                out.push('\\');
                out.push(b as char);
            }
            0x21..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii(s: &str) -> String {
        DnsName::parse(s).unwrap().to_ascii()
    }

    fn kind(s: &str) -> NameErrorKind {
        DnsName::parse(s).unwrap_err().kind
    }

    #[test]
    fn ascii_labels_are_kept_as_written() {
        assert_eq!(ascii("under_score.aq.gov.test"), "under_score.aq.gov.test");
        assert_eq!(ascii("_dmarc.AQ.gov.test."), "_dmarc.AQ.gov.test");
        assert_eq!(
            ascii("5.0/25.100.51.198.in-addr.arpa"),
            "5.0/25.100.51.198.in-addr.arpa"
        );
        // Not valid punycode, and still a legal DNS label.
        assert_eq!(ascii("xn--zz.aq.gov.test"), "xn--zz.aq.gov.test");
        assert_eq!(ascii(" www.aq.gov.test "), "www.aq.gov.test");
        let n = DnsName::parse("a.b.").unwrap();
        assert_eq!(n.labels().collect::<Vec<_>>(), [b"a".as_slice(), b"b"]);
        assert_eq!(n.wire_len(), 5);
    }

    #[test]
    fn every_full_stop_separates_and_unicode_labels_become_a_labels() {
        let want = "xn--extu8ah31brfhgw1a.aq.gov.test";
        assert_eq!(ascii("应急管理部.aq.gov.test"), want);
        assert_eq!(ascii("应急管理部。aq.gov.test"), want);
        assert_eq!(ascii("应急管理部．aq.gov.test"), want);
        assert_eq!(ascii("应急管理部｡aq｡gov｡test｡"), want);
        // Full-width letters map to ASCII ones, case folded.
        assert_eq!(ascii("ＡＱ.gov.test"), "aq.gov.test");
        assert_eq!(
            DnsName::parse("应急管理部。aq.gov.test")
                .unwrap()
                .to_unicode(),
            "应急管理部.aq.gov.test"
        );
    }

    #[test]
    fn escapes_are_read_as_in_zone_files() {
        let n = DnsName::parse(r"a\.b.c\032d.\\x\065").unwrap();
        assert_eq!(
            n.labels().collect::<Vec<_>>(),
            [b"a.b".as_slice(), b"c d", b"\\xA"]
        );
        assert_eq!(n.to_ascii(), r"a\.b.c\032d.\\xA");
        assert_eq!(kind(r"a\256.test"), NameErrorKind::BadEscape);
        assert_eq!(kind(r"a\25.test"), NameErrorKind::BadEscape);
        assert_eq!(kind(r"a.test\"), NameErrorKind::BadEscape);
        assert_eq!(kind(r"a\应.test"), NameErrorKind::BadEscape);
    }

    #[test]
    fn what_cannot_be_a_name_is_refused_at_its_label() {
        let e = DnsName::parse("www..aq.gov.test").unwrap_err();
        assert_eq!((e.kind, e.at, e.col), (NameErrorKind::EmptyLabel, 4, 4));
        assert_eq!(kind(".aq.gov.test"), NameErrorKind::EmptyLabel);
        assert_eq!(kind("aq.gov.test.."), NameErrorKind::EmptyLabel);
        assert_eq!(kind("  "), NameErrorKind::EmptyName);

        let long = "a".repeat(64);
        let e = DnsName::parse(&format!("应急。{long}.test")).unwrap_err();
        assert_eq!(e.kind, NameErrorKind::LabelTooLong(64));
        assert_eq!((e.label.as_str(), e.at, e.col), (long.as_str(), 9, 3));
        assert!(DnsName::parse(&format!("{}.test", "a".repeat(63))).is_ok());

        // 4 labels of 63 + 4 length octets + the root = 257.
        let l = "b".repeat(63);
        let e = DnsName::parse(&format!("{l}.{l}.{l}.{l}")).unwrap_err();
        assert_eq!(e.kind, NameErrorKind::NameTooLong(257));
        let ok = format!("{l}.{l}.{l}.{}", "c".repeat(61));
        assert_eq!(DnsName::parse(&ok).unwrap().wire_len(), 255);

        // A disallowed code point, and a character that maps to a full stop.
        let e = DnsName::parse("ok.a\u{2028}b。test").unwrap_err();
        assert_eq!(e.kind, NameErrorKind::BadChar);
        let e = DnsName::parse("ok.应\u{FFFF}.test").unwrap_err();
        assert_eq!((e.kind, e.col), (NameErrorKind::Unmappable, 3));
        assert_eq!(kind("⒈应.test"), NameErrorKind::Unmappable);
        assert_eq!(kind("a b.test"), NameErrorKind::BadChar);
    }

    #[test]
    fn names_compare_on_the_wire_ignoring_ascii_case() {
        let a = DnsName::parse("WWW.Aq.Gov.Test.").unwrap();
        let b = DnsName::parse("www.aq.gov.test").unwrap();
        assert!(a.eq_ignore_case(&b));
        assert_ne!(a, b);
        assert_eq!(a.canonical(), "www.aq.gov.test");
        assert!(!a.eq_ignore_case(&DnsName::parse("www.aq.gov").unwrap()));
        assert!(DnsName::parse(".").unwrap().is_root());
        assert_eq!(DnsName::root().to_ascii(), ".");
        assert!(
            DnsName::parse("应急。中国")
                .unwrap()
                .eq_ignore_case(&DnsName::parse("XN--EXTU8A.xn--fiqs8s.").unwrap())
        );
    }

    #[test]
    fn unicode_display_only_for_canonical_a_labels() {
        let n = DnsName::parse("xn--zz.XN--EXTU8A.test").unwrap();
        assert_eq!(n.to_unicode(), "xn--zz.应急.test");
        let wire = DnsName::from_wire_labels([b"xn--fiqs8s".as_slice(), b"a\x00b"]).unwrap();
        assert_eq!(wire.to_unicode(), r"中国.a\000b");
        assert_eq!(wire.to_ascii(), r"xn--fiqs8s.a\000b");
        assert!(DnsName::from_wire_labels([b"".as_slice()]).is_none());
    }

    #[test]
    fn addresses_give_their_reverse_names() {
        assert_eq!(
            DnsName::from_ip("127.14.0.9".parse().unwrap()).to_ascii(),
            "9.0.14.127.in-addr.arpa"
        );
        assert_eq!(
            DnsName::from_ip("2001:db8::1".parse().unwrap()).to_ascii(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }
}

/// Property tests: whatever octets a name holds, its presentation reads back to it, and its
/// Unicode display of A-labels reads back to the same wire name.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    fn name() -> impl Strategy<Value = DnsName> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..=20), 0..6)
            .prop_map(|labels| DnsName { labels })
    }

    proptest! {
        #[test]
        fn presentation_reads_back_to_the_same_name(n in name()) {
            prop_assert_eq!(DnsName::parse(&n.to_ascii()).unwrap(), n);
        }

        #[test]
        fn unicode_labels_round_trip_through_their_a_labels(
            labels in prop::collection::vec("[a-z0-9\u{4e00}-\u{4e80}]{1,8}", 1..4),
        ) {
            let text = labels.join("。");
            let n = DnsName::parse(&text).unwrap();
            prop_assert_eq!(DnsName::parse(&n.to_unicode()).unwrap(), n.clone());
            prop_assert_eq!(n.to_unicode(), labels.join("."));
        }

        #[test]
        fn any_text_is_a_name_or_an_error_inside_it(text in any::<String>()) {
            if let Err(e) = DnsName::parse(&text) {
                prop_assert!(e.at + e.len <= text.len());
                prop_assert!(text.is_char_boundary(e.at) && text.is_char_boundary(e.at + e.len));
                prop_assert_eq!(e.col, text[..e.at].chars().count());
            }
        }
    }
}
