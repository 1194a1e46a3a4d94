//! An answered question made into a verdict: the reply recorded (response code, AA flag,
//! authority section, transport), a referral told apart from an answer, the answers judged
//! against the spec, and with `dnssec: true` the signatures required.

use hickory_resolver::proto::op::Message;
use hickory_resolver::proto::rr::{Name, Record, RecordType as Rr};
use serde_json::json;

use super::dnssec;
use super::exchange::Reply;
use super::judge::{Miss, judge, list};
use super::records::{Answer, answer, authority_line, rcode_str, show_name};
use super::referral::{Referral, referral};
use crate::model::{DnsSpec, Text};
use crate::probe::{FailKind, Failure, Measurements, Outcome};

/// The question as the verdict needs it: the spec, how messages name it
/// (`A sx.aq.gov.test @127.0.0.53:53`), and the name and type on the wire.
pub(super) struct Question<'a> {
    pub(super) spec: &'a DnsSpec<Text>,
    pub(super) what: &'a str,
    pub(super) name: &'a Name,
    pub(super) rtype: Rr,
}

pub(super) fn answered(q: &Question<'_>, reply: &Reply, mut m: Measurements) -> Outcome {
    let msg = &reply.message;
    let rcode = rcode_str(msg.metadata.response_code);
    m.insert("transport".into(), json!(reply.transport));
    m.insert("truncated".into(), json!(reply.truncated));
    m.insert("rcode".into(), json!(rcode));
    m.insert("aa".into(), json!(msg.metadata.authoritative));
    let authority: Vec<String> = msg.authorities.iter().map(authority_line).collect();
    m.insert("authority".into(), json!(authority));

    let referral = referral(msg, q.name);
    // An NS check of the delegation point, asked at the parent: the referral is the answer
    // (the delegation exists, and these are its name servers).
    let delegation = referral
        .as_ref()
        .filter(|r| q.rtype == Rr::NS && r.zone == q.name);
    if let Some(r) = &referral {
        m.insert("referral".into(), json!(true));
        m.insert("glue".into(), json!(r.glue));
        if delegation.is_none() {
            m.insert("answers".into(), json!([] as [&str; 0]));
            return referred(q, r, m).with_evidence(Some(authority.join(", ")));
        }
    }
    let records: Vec<&Record> = match delegation {
        Some(r) => r.ns.clone(),
        None => msg
            .answers
            .iter()
            .filter(|r| r.record_type() == q.rtype)
            .collect(),
    };
    let answers: Vec<Answer> = records.into_iter().filter_map(answer).collect();
    let shown: Vec<&str> = answers.iter().map(|a| a.shown.as_str()).collect();
    m.insert("answers".into(), json!(shown));
    let evidence = (!shown.is_empty()).then(|| shown.join(", "));

    let missing_signature = if q.spec.dnssec {
        signature(
            q,
            msg,
            delegation.is_some() || answers.is_empty(),
            &rcode,
            &mut m,
        )
    } else {
        None
    };
    let outcome = match judge(q.spec, &rcode, &answers) {
        None => match missing_signature {
            None => Outcome::passed(m),
            Some(f) => Outcome::failed(f, m),
        },
        Some(Miss::Rcode(want)) => {
            let seen = if shown.is_empty() {
                String::new()
            } else {
                format!(", answers {}", list(&shown))
            };
            Outcome::failed(
                Failure::new(
                    FailKind::RcodeMismatch,
                    format!("{}: {rcode}{seen}, expected {want}", q.what),
                )
                .expected(format!("rcode {want}"), rcode.clone()),
                m,
            )
        }
        Some(Miss::Answers(expected)) => {
            let measured = if shown.is_empty() {
                "no answers".to_string()
            } else {
                shown.join(", ")
            };
            Outcome::failed(
                Failure::new(
                    FailKind::AnswerMismatch,
                    format!("{}: answers {}, expected {expected}", q.what, list(&shown)),
                )
                .expected(expected, measured),
                m,
            )
        }
    };
    outcome.with_evidence(evidence)
}

/// A referral where an answer was wanted: whatever `rcode` or `expect` say, the server
/// asked does not hold the name, and judging its empty NOERROR would be a false pass.
fn referred(q: &Question<'_>, r: &Referral<'_>, m: Measurements) -> Outcome {
    let zone = show_name(r.zone);
    Outcome::failed(
        Failure::new(
            FailKind::Referral,
            format!(
                "{}: referral to {zone} ({}): this server delegates the name; ask the \
                 child's server",
                q.what,
                r.servers()
            ),
        )
        .expected("an authoritative answer", format!("referral to {zone}")),
        m,
    )
}

/// `dnssec: true`: the RRSIG that must come with the answer, recorded as `rrsig` (its
/// signer, or `false`). Answers need one covering the asked type; a negative answer or a
/// delegation (whose NS set the parent does not sign, RFC 4035 §2.2) one in the authority
/// section (over the SOA, NSEC, NSEC3 or DS). Whether it validates is out of scope.
fn signature(
    q: &Question<'_>,
    msg: &Message,
    in_authority: bool,
    rcode: &str,
    m: &mut Measurements,
) -> Option<Failure> {
    let signer = if in_authority {
        dnssec::signer(&msg.authorities, None)
    } else {
        dnssec::signer(&msg.answers, Some(q.rtype))
    };
    m.insert(
        "rrsig".into(),
        signer.as_ref().map_or(json!(false), |s| json!(s)),
    );
    if signer.is_some() {
        return None;
    }
    let t = q.spec.record_type.as_str();
    let which = if in_authority {
        format!("no RRSIG in the authority section of the {rcode} {t} answer")
    } else {
        format!("no RRSIG for the {t} answer")
    };
    Some(
        Failure::new(
            FailKind::SignatureMissing,
            format!(
                "{}: {which}; the zone is not signed or the server strips signatures",
                q.what
            ),
        )
        .expected("an RRSIG", "none"),
    )
}
