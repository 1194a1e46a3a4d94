//! Between the suite's words and the wire's: record types and response codes as each spells
//! them, and answer records shown as people read them and normalised as expectations compare
//! (names in punycode, lower case, without the root dot).

use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType as Rr};

use super::dnssec;
use crate::model::RecordType;
use crate::model::dns_name::DnsName;
use crate::model::dns_text::{TxtExpect, escape_text};
use crate::model::dns_value::parse_expected;

/// One answer record: how it is shown, and the normalised forms an expectation may match.
pub(super) struct Answer {
    pub(super) shown: String,
    full: String,
    /// The target alone, for MX and SRV: `mail.example` matches `10 mail.example`; the
    /// serial alone for SOA.
    short: Option<String>,
    /// A TXT record's character strings, as sent: an expectation in dig's multi-string form
    /// compares string by string.
    strings: Option<Vec<Vec<u8>>>,
}

impl Answer {
    /// Whether this answer meets the expectation `expected` on a `t` check. The one place
    /// answers and expectations are compared.
    pub(super) fn matches(&self, t: RecordType, expected: &str) -> bool {
        if let Some(strings) = &self.strings {
            return TxtExpect::parse(expected).is_ok_and(|e| e.matches(strings));
        }
        let e = normalise_expected(t, expected);
        self.full == e || self.short.as_deref() == Some(e.as_str())
    }
}

/// An answer record in presentation form (see FORMAT.md): `None` for a type no check asks.
pub(super) fn answer(r: &Record) -> Option<Answer> {
    let plain = |s: String| Answer {
        shown: s.clone(),
        full: s,
        short: None,
        strings: None,
    };
    let named = |n: &Name| Answer {
        shown: show_name(n),
        full: norm_wire_name(n),
        short: None,
        strings: None,
    };
    Some(match &r.data {
        RData::A(a) => plain(a.0.to_string()),
        RData::AAAA(a) => plain(a.0.to_string()),
        RData::CNAME(n) => named(&n.0),
        RData::NS(n) => named(&n.0),
        RData::PTR(n) => named(&n.0),
        RData::MX(mx) => Answer {
            shown: format!("{} {}", mx.preference, show_name(&mx.exchange)),
            full: format!("{} {}", mx.preference, norm_wire_name(&mx.exchange)),
            short: Some(norm_wire_name(&mx.exchange)),
            strings: None,
        },
        RData::SRV(s) => {
            let head = format!("{} {} {}", s.priority, s.weight, s.port);
            Answer {
                shown: format!("{head} {}", show_name(&s.target)),
                full: format!("{head} {}", norm_wire_name(&s.target)),
                short: Some(norm_wire_name(&s.target)),
                strings: None,
            }
        }
        RData::TXT(t) => {
            let strings: Vec<Vec<u8>> = t.txt_data.iter().map(|s| s.to_vec()).collect();
            let shown = escape_text(&strings.concat());
            Answer {
                shown: shown.clone(),
                full: shown,
                short: None,
                strings: Some(strings),
            }
        }
        RData::SOA(soa) => {
            let numbers = format!(
                "{} {} {} {} {}",
                soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum
            );
            Answer {
                shown: format!(
                    "{} {} {numbers}",
                    show_name(&soa.mname),
                    show_name(&soa.rname)
                ),
                full: format!(
                    "{} {} {numbers}",
                    norm_wire_name(&soa.mname),
                    norm_wire_name(&soa.rname)
                ),
                short: Some(soa.serial.to_string()),
                strings: None,
            }
        }
        RData::CAA(caa) => plain(format!(
            "{} {} \"{}\"",
            caa.flags(),
            caa.tag,
            escape_text(&caa.value)
        )),
        _ => plain(dnssec::present(r)?),
    })
}

/// A record as the authority section is shown: `OWNER TYPE RDATA`, the data in the same
/// form as answers, or hickory's own form for a type no check asks (NSEC, RRSIG, …).
pub(super) fn authority_line(r: &Record) -> String {
    let data = answer(r).map_or_else(|| r.data.to_string(), |a| a.shown);
    format!("{} {} {data}", show_name(&r.name), r.record_type())
}

/// A name as people write it: Unicode labels, no root dot, and, when that differs from the
/// name on the wire, the A-label form beside it in parentheses (`应急管理部.aq.gov.test
/// (xn--extu8ah31brfhgw1a.aq.gov.test)`), so that the report can be read and the name
/// still be looked up with dig. The root itself is `.` (the target of a null MX, RFC 7505,
/// and of an SRV "no service here").
pub(super) fn show_name(n: &Name) -> String {
    match DnsName::from_wire_labels(n.iter()) {
        Some(d) => {
            let (unicode, ascii) = (d.to_unicode(), d.to_ascii());
            if unicode == ascii {
                ascii
            } else {
                format!("{unicode} ({ascii})")
            }
        }
        None => n.to_ascii().trim_end_matches('.').to_string(),
    }
}

/// A name as compared: the model's canonical form (ASCII presentation, lower case, no root
/// dot; the root `.`), the same an expected name takes.
fn norm_wire_name(n: &Name) -> String {
    DnsName::from_wire_labels(n.iter())
        .map(|d| d.canonical())
        .unwrap_or_else(|| n.to_ascii().trim_end_matches('.').to_ascii_lowercase())
}

/// An expected value in the form [`Answer::full`] or [`Answer::short`] takes: the model's
/// canonical form ([`crate::model::dns_value`]), the one parse loading and planning check.
/// A value that does not parse was refused before the run; it is compared as written.
pub(super) fn normalise_expected(t: RecordType, e: &str) -> String {
    parse_expected(t, e)
        .map(|x| x.canonical())
        .unwrap_or_else(|_| e.trim().to_string())
}

pub(super) fn wire_type(t: RecordType) -> Rr {
    match t {
        RecordType::A => Rr::A,
        RecordType::AAAA => Rr::AAAA,
        RecordType::CNAME => Rr::CNAME,
        RecordType::MX => Rr::MX,
        RecordType::TXT => Rr::TXT,
        RecordType::SRV => Rr::SRV,
        RecordType::PTR => Rr::PTR,
        RecordType::NS => Rr::NS,
        RecordType::SOA => Rr::SOA,
        RecordType::CAA => Rr::CAA,
        RecordType::DNSKEY => Rr::DNSKEY,
        RecordType::DS => Rr::DS,
    }
}

/// The suite's spelling of a response code (`NXDOMAIN`), so it compares with [`crate::model::Rcode`].
pub(super) fn rcode_str(c: ResponseCode) -> String {
    match c {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::Unknown(n) => format!("RCODE{n}"),
        other => format!("{other:?}").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_resolver::proto::rr::rdata::MX;

    use super::*;

    /// The forms an expectation is read in are the model's (`dns_value`'s tests); what is
    /// left here is that an answer record, rendered, meets them: whole or by its target, in
    /// any case, Unicode or A-label.
    #[test]
    fn a_rendered_answer_meets_its_expectation_in_any_written_form() {
        // As raw bytes: hickory's text parsers would fold the case the server sent.
        let mut exchange = Name::from_labels([&b"Mail"[..], b"XN--EXTU8A", b"xn--fiqs8s"]).unwrap();
        exchange.set_fqdn(true);
        let r = Record::from_rdata(
            Name::from_str("aq.gov.test.").unwrap(),
            300,
            RData::MX(MX::new(10, exchange)),
        );
        let a = answer(&r).expect("MX is rendered");
        assert_eq!(a.shown, "10 Mail.应急.中国 (Mail.XN--EXTU8A.xn--fiqs8s)");
        for written in [
            "10 mail.应急.中国",
            "10  MAIL.xn--extu8a.xn--fiqs8s.",
            "mail.应急。中国",
        ] {
            assert!(a.matches(RecordType::MX, written), "{written}");
        }
        for other in ["20 mail.应急.中国", "mail2.应急.中国"] {
            assert!(!a.matches(RecordType::MX, other), "{other}");
        }
    }
}
