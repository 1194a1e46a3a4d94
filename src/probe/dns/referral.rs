//! Telling a referral from an answer. Asked at the parent, a name under a delegated child
//! gets no answer but the child's name servers (NS in the authority section, their
//! addresses as glue): the parent does not know whether the name exists, so its empty
//! NOERROR says nothing about the name and must never pass as one.

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType as Rr};

use super::records::show_name;

/// A referral: the zone delegated and its name servers, as the parent gave them.
pub(super) struct Referral<'a> {
    pub(super) zone: &'a Name,
    /// The NS records, in the order sent.
    pub(super) ns: Vec<&'a Record>,
    /// `ns1.sx.aq.gov.test 198.18.1.53`: each address of a name server in the additional
    /// section.
    pub(super) glue: Vec<String>,
}

impl Referral<'_> {
    /// The name servers, shown: `ns1.sx.aq.gov.test, ns2.sx.aq.gov.test`.
    pub(super) fn servers(&self) -> String {
        self.ns
            .iter()
            .filter_map(|r| match &r.data {
                RData::NS(n) => Some(show_name(&n.0)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The referral `reply` is, when it is one: NOERROR, no answer, and NS records in the
/// authority section for a zone at or above `qname`; and either the AA flag clear (RFC 1034
/// §4.3.2) or no SOA beside them (some servers, hickory-dns among them, set AA on their
/// referrals; an authoritative "no such data" carries the SOA instead, RFC 2308).
pub(super) fn referral<'a>(reply: &'a Message, qname: &Name) -> Option<Referral<'a>> {
    if reply.metadata.response_code != ResponseCode::NoError || !reply.answers.is_empty() {
        return None;
    }
    let has_soa = reply.authorities.iter().any(|r| r.record_type() == Rr::SOA);
    if reply.metadata.authoritative && has_soa {
        return None;
    }
    let ns: Vec<&Record> = reply
        .authorities
        .iter()
        .filter(|r| r.record_type() == Rr::NS && r.name.zone_of(qname))
        .collect();
    let zone = &ns.first()?.name;
    let ns: Vec<&Record> = ns.into_iter().filter(|r| r.name == *zone).collect();
    let glue = reply
        .additionals
        .iter()
        .filter(|g| {
            ns.iter()
                .any(|r| matches!(&r.data, RData::NS(n) if n.0 == g.name))
        })
        .filter_map(|g| match &g.data {
            RData::A(a) => Some(format!("{} {}", show_name(&g.name), a.0)),
            RData::AAAA(a) => Some(format!("{} {}", show_name(&g.name), a.0)),
            _ => None,
        })
        .collect();
    Some(Referral { zone, ns, glue })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::rdata::{A, NS, SOA};

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn parent_reply(aa: bool, soa: bool) -> Message {
        let mut m = Message::response(1, hickory_resolver::proto::op::OpCode::Query);
        m.metadata.authoritative = aa;
        let child = name("sx.aq.gov.test.");
        for ns in ["ns1.sx.aq.gov.test.", "ns2.sx.aq.gov.test."] {
            m.add_authority(Record::from_rdata(
                child.clone(),
                300,
                RData::NS(NS(name(ns))),
            ));
        }
        if soa {
            m.add_authority(Record::from_rdata(
                name("aq.gov.test."),
                300,
                RData::SOA(SOA::new(
                    name("ns1.aq.gov.test."),
                    name("hostmaster.aq.gov.test."),
                    1,
                    3600,
                    600,
                    86400,
                    60,
                )),
            ));
        }
        m.add_additional(Record::from_rdata(
            name("ns1.sx.aq.gov.test."),
            300,
            RData::A(A::new(198, 18, 1, 53)),
        ));
        m
    }

    #[test]
    fn ns_in_authority_without_an_answer_is_a_referral() {
        let m = parent_reply(false, false);
        let r = referral(&m, &name("x.sx.aq.gov.test.")).expect("a referral");
        assert_eq!(show_name(r.zone), "sx.aq.gov.test");
        assert_eq!(r.servers(), "ns1.sx.aq.gov.test, ns2.sx.aq.gov.test");
        assert_eq!(r.glue, ["ns1.sx.aq.gov.test 198.18.1.53"]);
        // The delegation point itself, asked at the parent.
        assert!(referral(&m, &name("sx.aq.gov.test.")).is_some());
        // AA set but no SOA: a referral still (hickory-dns sends them so).
        assert!(referral(&parent_reply(true, false), &name("x.sx.aq.gov.test.")).is_some());
    }

    #[test]
    fn an_authoritative_no_data_or_an_unrelated_ns_is_not() {
        // AA with the SOA: the parent's own "no such data".
        assert!(referral(&parent_reply(true, true), &name("x.sx.aq.gov.test.")).is_none());
        // NS for a zone that does not hold the name.
        assert!(referral(&parent_reply(false, false), &name("www.aq.gov.test.")).is_none());
        let mut m = parent_reply(false, false);
        m.metadata.response_code = ResponseCode::NXDomain;
        assert!(referral(&m, &name("x.sx.aq.gov.test.")).is_none());
    }
}
