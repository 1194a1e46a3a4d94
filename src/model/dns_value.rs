//! What a DNS check's `expect`/`expect_any` values mean, by record type: each read by one
//! function into an [`Expected`], or refused with the place of the word at fault, so that an
//! expectation that could never match an answer of its type (an A expectation that is not an
//! address) is a validation error rather than a failed check.
//!
//! [`Expected::canonical`] is the string the prober compares an answer's rendering against:
//! addresses as `std` prints them, names in lower-case ASCII presentation without the root
//! dot (the root itself `.`), MX `10 mail.aq.gov.test`, SRV `0 5 443 web.aq.gov.test`, CAA
//! `0 issue "ca.aq.gov.test"`. A bare MX or SRV target (`mail.aq.gov.test`) and a bare SOA
//! serial (`2026120301`) match the one part of an answer they name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::RecordType;
use super::dns_name::DnsName;

/// One expected answer, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Addr(IpAddr),
    /// A CNAME, NS or PTR target, or the target alone of an MX or SRV answer.
    Name(DnsName),
    Mx {
        preference: u16,
        exchange: DnsName,
    },
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: DnsName,
    },
    /// TXT in presentation form, as written (the prober reads its escapes).
    Txt(String),
    /// The serial alone of an SOA answer.
    Serial(u32),
    Soa {
        mname: DnsName,
        rname: DnsName,
        /// Serial, refresh, retry, expire, minimum.
        numbers: [u32; 5],
    },
    Caa {
        flags: u8,
        /// Lower case: tags compare case-insensitively (RFC 8659 §4.1).
        tag: String,
        /// Between the quotes, as written.
        value: String,
    },
}

/// Why an expectation cannot match its type: a message naming the value or the word at
/// fault, a hint, and where (byte offsets `at..at + len` into the text given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    pub hint: String,
    pub at: usize,
    pub len: usize,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Expected {
    /// The form answers are rendered in for comparison; see the module doc.
    pub fn canonical(&self) -> String {
        match self {
            Expected::Addr(ip) => ip.to_string(),
            Expected::Name(n) => n.canonical(),
            Expected::Mx {
                preference,
                exchange,
            } => format!("{preference} {}", exchange.canonical()),
            Expected::Srv {
                priority,
                weight,
                port,
                target,
            } => format!("{priority} {weight} {port} {}", target.canonical()),
            Expected::Txt(t) => t.clone(),
            Expected::Serial(s) => s.to_string(),
            Expected::Soa {
                mname,
                rname,
                numbers: [a, b, c, d, e],
            } => format!(
                "{} {} {a} {b} {c} {d} {e}",
                mname.canonical(),
                rname.canonical()
            ),
            Expected::Caa { flags, tag, value } => format!("{flags} {tag} \"{value}\""),
        }
    }
}

/// Reads one expectation for a record of type `t`; see the module doc.
pub fn parse_expected(t: RecordType, s: &str) -> Result<Expected, ValueError> {
    let whole = |message: String, hint: &str| {
        let at = s.len() - s.trim_start().len();
        ValueError {
            message,
            hint: hint.to_string(),
            at,
            len: s.trim().len(),
        }
    };
    let v = s.trim();
    match t {
        RecordType::A => parse_v4(s).map(|a| Expected::Addr(IpAddr::V4(a))),
        RecordType::AAAA => match v.parse::<Ipv6Addr>() {
            Ok(a) => Ok(Expected::Addr(IpAddr::V6(a))),
            Err(_) if v.parse::<Ipv4Addr>().is_ok() => Err(whole(
                format!("`{v}` is an IPv4 address, and AAAA answers are IPv6"),
                "check an IPv4 address with `type: A`",
            )),
            Err(_) => Err(whole(
                format!("`{v}` is not an IPv6 address"),
                "an AAAA expectation is an IPv6 address, e.g. `2001:db8::80`",
            )),
        },
        RecordType::CNAME | RecordType::NS | RecordType::PTR => {
            name_at(s, v_start(s), s.trim_end().len()).map(Expected::Name)
        }
        RecordType::MX => mx(s),
        RecordType::SRV => srv(s),
        RecordType::TXT => txt(s).map(|()| Expected::Txt(s.to_string())),
        RecordType::SOA => soa(s),
        RecordType::CAA => caa(s),
        RecordType::DNSKEY | RecordType::DS => Err(whole(
            format!("{} answers are not compared", t.as_str()),
            "DNSKEY and DS checks judge presence only (an answer of the type, or `rcode`): leave out `expect` and `expect_any`",
        )),
    }
}

fn v_start(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The words of `s` and their byte offsets.
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(b)) => {
                out.push((b, &s[b..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push((b, &s[b..]));
    }
    out
}

fn err_at(at: usize, word: &str, message: String, hint: &str) -> ValueError {
    ValueError {
        message,
        hint: hint.to_string(),
        at,
        len: word.len(),
    }
}

/// The name in `s[from..to]` (offsets of the error made relative to `s`).
fn name_at(s: &str, from: usize, to: usize) -> Result<DnsName, ValueError> {
    DnsName::parse(&s[from..to]).map_err(|e| ValueError {
        message: format!("`{}` is not a DNS name: {e}", s[from..to].trim()),
        hint: e.hint().to_string(),
        at: from + e.at,
        len: e.len,
    })
}

fn name_word(s: &str, (at, w): (usize, &str)) -> Result<DnsName, ValueError> {
    name_at(s, at, at + w.len())
}

fn number<T: std::str::FromStr>(
    (at, w): (usize, &str),
    what: &str,
    range: &str,
    hint: &str,
) -> Result<T, ValueError> {
    w.parse::<T>().map_err(|_| {
        err_at(
            at,
            w,
            format!("{what} `{w}` is not a number from {range}"),
            hint,
        )
    })
}

/// An IPv4 address. `std` refuses a leading zero (`010.0.0.1`), which tools read as octal or
/// as decimal: said apart from other mistakes, so the writer knows which to write.
fn parse_v4(s: &str) -> Result<Ipv4Addr, ValueError> {
    let v = s.trim();
    let at = v_start(s);
    let bad = |message: String, hint: String| ValueError {
        message,
        hint,
        at,
        len: v.len(),
    };
    if let Ok(a) = v.parse::<Ipv4Addr>() {
        return Ok(a);
    }
    let parts: Vec<&str> = v.split('.').collect();
    let digits = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if parts.len() == 4 && digits {
        let plain: Vec<String> = parts
            .iter()
            .map(|p| {
                let t = p.trim_start_matches('0');
                if t.is_empty() { "0" } else { t }.to_string()
            })
            .collect();
        let plain = plain.join(".");
        if plain.parse::<Ipv4Addr>().is_ok() {
            return Err(bad(
                format!("`{v}` has a leading zero in a part"),
                format!(
                    "leading zeros are refused: some tools read them as octal, others as decimal; write `{plain}`"
                ),
            ));
        }
    }
    if v.parse::<Ipv6Addr>().is_ok() {
        return Err(bad(
            format!("`{v}` is an IPv6 address, and A answers are IPv4"),
            "check an IPv6 address with `type: AAAA`".into(),
        ));
    }
    Err(bad(
        format!("`{v}` is not an IPv4 address"),
        "an A expectation is an IPv4 address, e.g. `10.11.0.80`".into(),
    ))
}

fn mx(s: &str) -> Result<Expected, ValueError> {
    let w = words(s);
    const HINT: &str =
        "an MX expectation is `PREFERENCE NAME` (e.g. `10 mail.aq.gov.test`), or the name alone";
    match w.as_slice() {
        [name] => name_word(s, *name).map(Expected::Name),
        [pref, name] => Ok(Expected::Mx {
            preference: number(*pref, "preference", "0 to 65535", HINT)?,
            exchange: name_word(s, *name)?,
        }),
        _ => Err(ValueError {
            message: format!("`{}` is not an MX value", s.trim()),
            hint: HINT.into(),
            at: v_start(s),
            len: s.trim().len(),
        }),
    }
}

fn srv(s: &str) -> Result<Expected, ValueError> {
    let w = words(s);
    const HINT: &str = "an SRV expectation is `PRIORITY WEIGHT PORT TARGET` (e.g. `0 5 443 web.aq.gov.test`), or the target alone";
    match w.as_slice() {
        [name] => name_word(s, *name).map(Expected::Name),
        [p, wt, port, name] => Ok(Expected::Srv {
            priority: number(*p, "priority", "0 to 65535", HINT)?,
            weight: number(*wt, "weight", "0 to 65535", HINT)?,
            port: number(*port, "port", "0 to 65535", HINT)?,
            target: name_word(s, *name)?,
        }),
        _ => Err(ValueError {
            message: format!("`{}` is not an SRV value", s.trim()),
            hint: HINT.into(),
            at: v_start(s),
            len: s.trim().len(),
        }),
    }
}

fn soa(s: &str) -> Result<Expected, ValueError> {
    let w = words(s);
    const HINT: &str = "an SOA expectation is the serial alone (e.g. `2026120301`), or all seven fields: `MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM`";
    match w.as_slice() {
        [serial] => number(*serial, "serial", "0 to 4294967295", HINT).map(Expected::Serial),
        [m, r, rest @ ..] if rest.len() == 5 => {
            let mut numbers = [0u32; 5];
            let what = ["serial", "refresh", "retry", "expire", "minimum"];
            for ((n, w), what) in numbers.iter_mut().zip(rest).zip(what) {
                *n = number(*w, what, "0 to 4294967295", HINT)?;
            }
            Ok(Expected::Soa {
                mname: name_word(s, *m)?,
                rname: name_word(s, *r)?,
                numbers,
            })
        }
        _ => Err(ValueError {
            message: format!("`{}` is not an SOA value", s.trim()),
            hint: HINT.into(),
            at: v_start(s),
            len: s.trim().len(),
        }),
    }
}

fn caa(s: &str) -> Result<Expected, ValueError> {
    const HINT: &str = "a CAA expectation is `FLAGS TAG \"VALUE\"`, as dig prints it: e.g. `0 issue \"ca.aq.gov.test\"`";
    let w = words(s);
    let whole = || ValueError {
        message: format!("`{}` is not a CAA value", s.trim()),
        hint: HINT.into(),
        at: v_start(s),
        len: s.trim().len(),
    };
    let [flags, (tag_at, tag), (value_at, _), ..] = w.as_slice() else {
        return Err(whole());
    };
    let flags = number(*flags, "flags", "0 to 255", HINT)?;
    if !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(err_at(
            *tag_at,
            tag,
            format!("CAA tag `{tag}` is not letters and digits"),
            "tags are `issue`, `issuewild`, `iodef` and the like",
        ));
    }
    let raw = s[*value_at..].trim_end();
    let value = match raw.strip_prefix('"') {
        Some(inner) => match inner.strip_suffix('"') {
            Some(v) if !v.ends_with('\\') || v.ends_with("\\\\") => v,
            _ => {
                return Err(err_at(
                    *value_at,
                    raw,
                    format!("CAA value `{raw}` has no closing quote"),
                    HINT,
                ));
            }
        },
        // dig quotes the value; unquoted, a value of one word means the same.
        None if !raw.contains(char::is_whitespace) => raw,
        None => return Err(whole()),
    };
    Ok(Expected::Caa {
        flags,
        tag: tag.to_ascii_lowercase(),
        value: value.to_string(),
    })
}

/// TXT text is taken as written (the prober reads its escapes); only a `\DDD` escape over
/// 255 is refused here, since it can be no byte of any answer.
fn txt(s: &str) -> Result<(), ValueError> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let digits = b[i + 1..]
                .iter()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits == 3 {
                let n: u32 = s[i + 1..i + 4].parse().expect("three digits");
                if n > 255 {
                    return Err(err_at(
                        i,
                        &s[i..i + 4],
                        format!("escape `{}` is over 255", &s[i..i + 4]),
                        "`\\DDD` is one byte, in decimal: 000 to 255 (`\\009` a tab)",
                    ));
                }
            }
            // Skip the escaped character too: `\\256` is a backslash, then `256`.
            i += 2;
            continue;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(t: RecordType, s: &str) -> String {
        parse_expected(t, s).unwrap().canonical()
    }

    fn refused(t: RecordType, s: &str) -> ValueError {
        parse_expected(t, s).unwrap_err()
    }

    #[test]
    fn values_take_the_form_answers_are_rendered_in() {
        assert_eq!(canon(RecordType::A, " 10.11.0.80 "), "10.11.0.80");
        assert_eq!(canon(RecordType::AAAA, "0:0::1"), "::1");
        assert_eq!(
            canon(RecordType::CNAME, "WWW.Aq.Gov.Test."),
            "www.aq.gov.test"
        );
        assert_eq!(
            canon(RecordType::PTR, "应急管理部。aq.gov.test"),
            "xn--extu8ah31brfhgw1a.aq.gov.test"
        );
        assert_eq!(
            canon(RecordType::MX, "10  Mail.aq.gov.test"),
            "10 mail.aq.gov.test"
        );
        assert_eq!(
            canon(RecordType::MX, "mail.aq.gov.test."),
            "mail.aq.gov.test"
        );
        assert_eq!(canon(RecordType::MX, "0 ."), "0 .");
        assert_eq!(
            canon(RecordType::SRV, "0 5 443 Web.aq.gov.test"),
            "0 5 443 web.aq.gov.test"
        );
        assert_eq!(canon(RecordType::SRV, "0 0 0 ."), "0 0 0 .");
        assert_eq!(canon(RecordType::TXT, "v=spf1 -all"), "v=spf1 -all");
        assert_eq!(canon(RecordType::SOA, "2026120301"), "2026120301");
        assert_eq!(
            canon(
                RecordType::SOA,
                "NS1.aq.gov.test. hostmaster.aq.gov.test. 2026120301 3600 600 86400 60"
            ),
            "ns1.aq.gov.test hostmaster.aq.gov.test 2026120301 3600 600 86400 60"
        );
        assert_eq!(
            canon(RecordType::CAA, "0 ISSUE \"ca.aq.gov.test\""),
            "0 issue \"ca.aq.gov.test\""
        );
        assert_eq!(
            canon(RecordType::CAA, "128 iodef mailto:x@aq.gov.test"),
            "128 iodef \"mailto:x@aq.gov.test\""
        );
    }

    #[test]
    fn ipv4_leading_zeros_are_refused_with_the_plain_form() {
        let e = refused(RecordType::A, "010.011.0.080");
        assert!(e.message.contains("leading zero"), "{}", e.message);
        assert!(e.hint.contains("`10.11.0.80`"), "{}", e.hint);
        assert!(refused(RecordType::A, "::1").hint.contains("AAAA"));
        assert!(
            refused(RecordType::A, "www.aq.gov.test")
                .message
                .contains("not an IPv4")
        );
        assert!(
            refused(RecordType::A, "10.0.0.256")
                .message
                .contains("not an IPv4")
        );
        assert!(
            refused(RecordType::AAAA, "10.0.0.1")
                .hint
                .contains("type: A")
        );
        assert!(
            refused(RecordType::AAAA, "fe80::zz")
                .message
                .contains("not an IPv6")
        );
    }

    #[test]
    fn mistakes_point_at_their_word() {
        let e = refused(RecordType::MX, "70000 mail.aq.gov.test");
        assert_eq!((e.at, e.len), (0, 5));
        assert!(e.message.contains("preference `70000`"));
        let e = refused(RecordType::SRV, "0 5 https web.aq.gov.test");
        assert_eq!((e.at, e.len), (4, 5));
        assert!(e.message.contains("port `https`"));
        let e = refused(RecordType::CNAME, "  www..aq.gov.test");
        assert_eq!(e.at, 6);
        let e = refused(RecordType::MX, "10 a..b");
        assert_eq!(e.at, 5);
        assert!(
            refused(RecordType::SRV, "1 2 web")
                .message
                .contains("not an SRV value")
        );
        assert!(
            refused(RecordType::SOA, "2026-12-03")
                .message
                .contains("serial")
        );
        assert!(
            refused(RecordType::CAA, "0 issue \"ca.aq")
                .message
                .contains("closing quote")
        );
        assert!(
            refused(RecordType::CAA, "300 issue \"x\"")
                .message
                .contains("flags `300`")
        );
        assert!(
            refused(RecordType::CAA, "issue")
                .message
                .contains("not a CAA value")
        );
        assert!(
            refused(RecordType::DNSKEY, "257 3 13 abc")
                .hint
                .contains("presence")
        );
        assert!(refused(RecordType::DS, "x").hint.contains("presence"));
    }

    #[test]
    fn txt_is_taken_as_written_but_bytes_over_255() {
        assert_eq!(canon(RecordType::TXT, r"a\009b \\256"), r"a\009b \\256");
        let e = refused(RecordType::TXT, r"ab\256c");
        assert_eq!((e.at, e.len), (2, 4));
        assert!(e.message.contains(r"`\256`"));
    }
}
