//! Zone replication: one check over several servers of one zone (`servers:`), the acceptance
//! question "does every secondary serve what the primary serves".
//!
//! Every server is asked at once, each exactly as a single-server check asks it
//! ([`super::ask`]): the SOA question for `name`, whose reply carries the zone's serial (in
//! the answer at the zone's apex, in the authority section below it), and the `type`
//! question too when `type` is not SOA. A server's own failure (no answer, refused, the
//! wrong response code, an expectation missed) fails the check naming that server, since
//! nothing can be compared without its answer. Then every serial must be the first server's
//! (the reference), and with `same_answers` every set of `type` answers too; a server that
//! differs fails the check as `SerialMismatch`, and the message names each one.

use std::collections::BTreeSet;

use hickory_resolver::proto::op::Message;
use hickory_resolver::proto::rr::RData;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::judge::list;
use super::{ask, server_addr, shown};
use crate::model::{DnsSpec, Rcode, RecordType, Text};
use crate::probe::{ErrorKind, FailKind, Failure, Measurements, Outcome, Verdict, ms};

/// What one server said.
struct Served {
    /// The server as shown: its address and port, or `***` where a secret is.
    shown: String,
    /// Its own verdict: the first of its questions that did not pass, or a pass.
    verdict: Verdict,
    /// The judged question's measurements (`answers`, `rcode`, `transport`, …).
    measurements: Measurements,
    serial: Option<u32>,
}

impl Served {
    /// Its entry in the check's `servers` measurement.
    fn entry(&self) -> Value {
        let mut m = Measurements::new();
        m.insert("server".into(), json!(self.shown));
        m.insert("serial".into(), json!(self.serial));
        for (k, v) in &self.measurements {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Value::Object(m)
    }

    /// The `type` answers, as shown, which `same_answers` compares.
    fn answers(&self) -> BTreeSet<&str> {
        self.measurements
            .get("answers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }
}

/// Asks every server of `spec` at once and compares them; see the module doc.
pub(super) async fn probe(spec: &DnsSpec<Text>, deadline: Instant) -> Outcome {
    let start = Instant::now();
    // Tasks, not one future after the other: a silent server must not delay the others'
    // questions. Dropping the set (the runner drops this future at its deadline) aborts them.
    let mut tasks = JoinSet::new();
    for (i, server) in spec.servers.iter().enumerate() {
        let (spec, server) = (spec.clone(), server.clone());
        tasks.spawn(async move { (i, ask_server(&spec, server, deadline).await) });
    }
    let mut served: Vec<Option<Served>> = spec.servers.iter().map(|_| None).collect();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((i, s)) => served[i] = Some(s),
            Err(e) => {
                return Outcome::errored(
                    ErrorKind::Internal,
                    format!("a replication question did not finish: {e}"),
                );
            }
        }
    }
    let served: Vec<Served> = served.into_iter().flatten().collect();
    let mut m = Measurements::new();
    m.insert(
        "servers".into(),
        Value::Array(served.iter().map(Served::entry).collect()),
    );
    m.insert("time_ms".into(), ms(start.elapsed()));
    let (verdict, evidence) = compare(spec, &served);
    Outcome {
        verdict,
        measurements: m,
        evidence,
    }
}

/// One server's questions, each as a single-server check of its own. Each question keeps
/// its own deadline, a moment before the runner's (see [`super::ask`]): a server that stays
/// silent is reported by name, as a single-server check reports it.
async fn ask_server(spec: &DnsSpec<Text>, server: Text, deadline: Instant) -> Served {
    let soa_question = DnsSpec {
        name: spec.name.clone(),
        servers: vec![server.clone()],
        record_type: RecordType::SOA,
        // The SOA question is judged as the check only when it is the check's question.
        expect: only_for_soa(spec, &spec.expect),
        expect_any: only_for_soa(spec, &spec.expect_any),
        // A name below the zone's apex has no SOA of its own: NOERROR without answers is
        // right there (the serial comes from the authority section), so the rcode is stated
        // rather than "at least one answer" required. The `type` question asks the same
        // name, so the same rcode holds for both.
        rcode: Some(spec.rcode.unwrap_or(Rcode::NOERROR)),
        dnssec: spec.dnssec && spec.record_type == RecordType::SOA,
        same_answers: false,
    };
    let start = Instant::now();
    let mut soa_reply: Option<Message> = None;
    let mut outcome = if spec.record_type == RecordType::SOA {
        ask(&soa_question, deadline, &mut soa_reply).await
    } else {
        let typed = DnsSpec {
            servers: vec![server.clone()],
            same_answers: false,
            ..spec.clone()
        };
        let mut typed_reply = None;
        let (soa, typed) = tokio::join!(
            ask(&soa_question, deadline, &mut soa_reply),
            ask(&typed, deadline, &mut typed_reply)
        );
        // The check's own question speaks first; then the SOA question's failure (a server
        // that does not serve the zone), keeping the `type` question's answers to show.
        match (&typed.verdict, soa.verdict) {
            (Verdict::Passed, v @ (Verdict::Failed(_) | Verdict::Errored(_))) => Outcome {
                verdict: v,
                ..typed
            },
            _ => typed,
        }
    };
    outcome
        .measurements
        .insert("time_ms".into(), ms(start.elapsed()));
    Served {
        shown: outcome
            .measurements
            .get("server")
            .and_then(Value::as_str)
            .map_or_else(|| fallback_shown(&server), str::to_string),
        verdict: outcome.verdict,
        measurements: outcome.measurements,
        serial: soa_reply.as_ref().and_then(serial),
    }
}

fn only_for_soa(spec: &DnsSpec<Text>, v: &[Text]) -> Vec<Text> {
    if spec.record_type == RecordType::SOA {
        v.to_vec()
    } else {
        Vec::new()
    }
}

/// The server as shown when its question stopped before recording it (a server that is no
/// address, which planning refuses): as [`super::shown`] shows it when it parses.
fn fallback_shown(server: &Text) -> String {
    match server_addr(&server.expose()) {
        Some(a) => shown(server, a),
        None => server.to_string(),
    }
}

/// The zone's serial: the SOA in the answer (the name is the zone's apex), or else the one
/// in the authority section (a name below it, or one that does not exist).
fn serial(reply: &Message) -> Option<u32> {
    reply
        .answers
        .iter()
        .chain(&reply.authorities)
        .find_map(|r| match &r.data {
            RData::SOA(soa) => Some(soa.serial),
            _ => None,
        })
}

/// The check's verdict from every server's, and the evidence (each server's serial).
fn compare(spec: &DnsSpec<Text>, served: &[Served]) -> (Verdict, Option<String>) {
    // A server's own failure first: nothing can be compared without its answer.
    let mut failing = served
        .iter()
        .filter(|s| !matches!(s.verdict, Verdict::Passed));
    if let Some(first) = failing.next() {
        let others: Vec<&str> = failing.map(|s| s.shown.as_str()).collect();
        let mut verdict = first.verdict.clone();
        if !others.is_empty() {
            let also = format!("; also not passing: {}", others.join(", "));
            match &mut verdict {
                Verdict::Failed(f) => f.message.push_str(&also),
                Verdict::Errored(p) => p.message.push_str(&also),
                Verdict::Passed => {}
            }
        }
        return (verdict, None);
    }
    let name = &spec.name;
    if let Some(s) = served.iter().find(|s| s.serial.is_none()) {
        let f = Failure::new(
            FailKind::AnswerMismatch,
            format!(
                "SOA {name} @{}: no SOA in the answer or the authority section, so no serial to compare",
                s.shown
            ),
        )
        .expected("the zone's SOA serial", "no SOA");
        return (Verdict::Failed(f), None);
    }
    let evidence = served
        .iter()
        .map(|s| format!("{} serial {}", s.shown, s.serial.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ");
    let (reference, rest) = served.split_first().expect("at least two servers");
    let ref_serial = reference.serial.unwrap_or_default();
    let behind: Vec<&Served> = rest
        .iter()
        .filter(|s| s.serial != reference.serial)
        .collect();
    if !behind.is_empty() {
        let each: Vec<String> = behind
            .iter()
            .map(|s| format!("{} serves serial {}", s.shown, s.serial.unwrap_or_default()))
            .collect();
        let measured: Vec<String> = behind
            .iter()
            .map(|s| format!("{}: {}", s.shown, s.serial.unwrap_or_default()))
            .collect();
        let f = Failure::new(
            FailKind::SerialMismatch,
            format!(
                "SOA {name}: {}, {} (the reference) {ref_serial}",
                each.join(", "),
                reference.shown
            ),
        )
        .expected(
            format!("serial {ref_serial} on every server"),
            measured.join(", "),
        );
        return (Verdict::Failed(f), Some(evidence));
    }
    if spec.same_answers
        && let Some(f) = answers_differ(spec, reference, rest)
    {
        return (Verdict::Failed(f), Some(evidence));
    }
    (Verdict::Passed, None)
}

/// With `same_answers`: each server whose set of `type` answers is not the reference's,
/// with what it lacks and what it has besides. Answers compare as shown, which is the form
/// every expectation compares on too.
fn answers_differ(spec: &DnsSpec<Text>, reference: &Served, rest: &[Served]) -> Option<Failure> {
    let want = reference.answers();
    let each: Vec<String> = rest
        .iter()
        .filter_map(|s| {
            let got = s.answers();
            if got == want {
                return None;
            }
            let lacks: Vec<&str> = want.difference(&got).copied().collect();
            let extra: Vec<&str> = got.difference(&want).copied().collect();
            let mut how = Vec::new();
            if !lacks.is_empty() {
                how.push(format!("lacks {}", lacks.join(", ")));
            }
            if !extra.is_empty() {
                how.push(format!("has {} besides", extra.join(", ")));
            }
            let got: Vec<&str> = got.into_iter().collect();
            Some(format!(
                "{} answers {} ({})",
                s.shown,
                list(&got),
                how.join("; ")
            ))
        })
        .collect();
    if each.is_empty() {
        return None;
    }
    let want: Vec<&str> = want.into_iter().collect();
    Some(
        Failure::new(
            FailKind::SerialMismatch,
            format!(
                "{} {}: {}, {} (the reference) {}",
                spec.record_type.as_str(),
                spec.name,
                each.join(", "),
                reference.shown,
                list(&want)
            ),
        )
        .expected(
            format!("the reference's answers {} on every server", list(&want)),
            each.join(", "),
        ),
    )
}
