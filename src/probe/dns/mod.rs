//! DNS prober: ask one named server one question, directly, and judge its response code and
//! answers against the suite's expectations.
//!
//! The transport is our own, over tokio sockets; hickory only encodes and decodes messages.
//! hickory's clients send UDP from an unconnected socket, which never sees the ICMP "port
//! unreachable" of a closed port, so a dead DNS service would look like a silent one; a
//! connected socket tells the two apart. It also keeps every probe independent: no resolver
//! configuration, no cache, no shared connection, exactly one query (the runner retries).
//!
//! The query goes over UDP with EDNS (1232-byte buffer, as dig sends) and is repeated over
//! TCP when the answer comes back truncated; a server that rejects EDNS with FORMERR is asked
//! again without it (RFC 6891 §6.2.2). Only answers of the asked type count: a CNAME on the
//! way to an A record is not an A answer.
//!
//! The parts, in the order a probe meets them: `exchange` asks the question and brings back
//! the reply (or why none came), `classify` makes a failed exchange a verdict, `records`
//! turns the reply's answers into the forms people read and expectations compare, and
//! `judge` holds them against the spec. With several servers, `replication` asks each one
//! this way and compares their zones' serials.

mod classify;
mod exchange;
mod judge;
mod records;
mod replication;

use std::net::{IpAddr, SocketAddr};

use hickory_resolver::proto::op::Message;
use hickory_resolver::proto::rr::Name;
use serde_json::json;
use tokio::time::Instant;

use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, ms};
use crate::model::dns_name::DnsName;
use crate::model::{DnsSpec, RecordType, Text};
use classify::exchange_failed;
use exchange::exchange;
use judge::{Miss, judge, list};
use records::{Answer, answer, rcode_str, wire_type};

/// Asks `spec.server` for `spec.name` once and judges the response; several servers make a
/// replication check. See the module doc.
pub(crate) async fn probe(spec: &DnsSpec<Text>, _cx: &Context, deadline: Instant) -> Outcome {
    if spec.servers.len() > 1 {
        return replication::probe(spec, deadline).await;
    }
    ask(spec, &mut None).await
}

/// One server (`spec.servers` holds exactly one) asked once, its response judged. `got`
/// receives the reply when one came: the replication check reads the SOA serial from it.
async fn ask(spec: &DnsSpec<Text>, got: &mut Option<Message>) -> Outcome {
    let [server_text] = spec.servers.as_slice() else {
        return Outcome::errored(
            ErrorKind::Internal,
            format!("one DNS server expected, {} given", spec.servers.len()),
        );
    };
    let Some(server) = server_addr(&server_text.expose()) else {
        return Outcome::errored(
            ErrorKind::Config,
            format!("dns server `{server_text}` is not an IP address with an optional port"),
        );
    };
    let name = match query_name(&spec.name.expose(), spec.record_type) {
        Ok(n) => n,
        Err(e) => {
            return Outcome::errored(
                ErrorKind::Config,
                format!("`{}` is not a DNS name: {e}", spec.name),
            );
        }
    };
    // A secret server address stays `***`; otherwise show the port the query really went to.
    let shown_server = if server_text.has_secret() {
        server_text.to_string()
    } else {
        server.to_string()
    };
    let what = format!(
        "{} {} @{}",
        spec.record_type.as_str(),
        spec.name,
        shown_server
    );
    let rtype = wire_type(spec.record_type);

    let mut m = Measurements::new();
    m.insert("server".into(), json!(shown_server));
    // The caller drops this future at the deadline: no timer of our own is needed.
    let start = std::time::Instant::now();
    let res = exchange(server, &name, rtype).await;
    m.insert("time_ms".into(), ms(start.elapsed()));
    let (reply, transport) = match res {
        Ok(r) => r,
        Err(e) => return exchange_failed(e, &what, m),
    };
    *got = Some(reply.clone());

    let rcode = rcode_str(reply.metadata.response_code);
    let answers: Vec<Answer> = reply
        .answers
        .iter()
        .filter(|r| r.record_type() == rtype)
        .filter_map(answer)
        .collect();
    let shown: Vec<&str> = answers.iter().map(|a| a.shown.as_str()).collect();
    m.insert("rcode".into(), json!(rcode));
    m.insert("answers".into(), json!(shown));
    m.insert("transport".into(), json!(transport));
    let evidence = (!shown.is_empty()).then(|| shown.join(", "));
    let measured = if shown.is_empty() {
        "no answers".to_string()
    } else {
        shown.join(", ")
    };

    let verdict = judge(spec, &rcode, &answers);
    let outcome = match verdict {
        None => Outcome::passed(m),
        Some(Miss::Rcode(want)) => {
            let seen = if shown.is_empty() {
                String::new()
            } else {
                format!(", answers {}", list(&shown))
            };
            Outcome::failed(
                Failure::new(
                    FailKind::RcodeMismatch,
                    format!("{what}: {rcode}{seen}, expected {want}"),
                )
                .expected(format!("rcode {want}"), rcode.clone()),
                m,
            )
        }
        Some(Miss::Answers(expected)) => Outcome::failed(
            Failure::new(
                FailKind::AnswerMismatch,
                format!("{what}: answers {}, expected {expected}", list(&shown)),
            )
            .expected(expected, measured),
            m,
        ),
    };
    outcome.with_evidence(evidence)
}

fn server_addr(s: &str) -> Option<SocketAddr> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

/// The name to ask, always fully qualified so that no search domain could apply. For PTR an
/// address may be given as is: it is turned into its `in-addr.arpa`/`ip6.arpa` name. The
/// labels go out as [`DnsName`] reads them (DNS rules, not hostname rules: `under_score`,
/// RFC 2317's `/`, an `xn--` label that is not punycode; Unicode labels as A-labels).
fn query_name(s: &str, t: RecordType) -> Result<Name, String> {
    let s = s.trim();
    let name = match s.parse::<IpAddr>() {
        Ok(ip) if t == RecordType::PTR => DnsName::from_ip(ip),
        _ => DnsName::parse(s).map_err(|e| e.to_string())?,
    };
    let mut n = Name::from_labels(name.labels()).map_err(|e| e.to_string())?;
    n.set_fqdn(true);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    use hickory_resolver::proto::op::ResponseCode;

    #[test]
    fn names_are_fully_qualified_and_ptr_takes_addresses() {
        assert!(
            query_name("sx.aq.gov.test", RecordType::A)
                .unwrap()
                .is_fqdn()
        );
        assert_eq!(
            query_name("127.14.0.9", RecordType::PTR)
                .unwrap()
                .to_ascii(),
            "9.0.14.127.in-addr.arpa."
        );
        // Legal DNS names that are not hostnames go out as written; Unicode ones as
        // A-labels, whichever full stop separates them.
        for written in [
            "under_score.aq.gov.test",
            "5.0/25.100.51.198.in-addr.arpa",
            "xn--zz.aq.gov.test",
        ] {
            // Compared on the wire labels: hickory's presentation escapes the `/`.
            let n = query_name(written, RecordType::PTR).unwrap();
            let labels: Vec<&[u8]> = written.split('.').map(str::as_bytes).collect();
            assert_eq!(n.iter().collect::<Vec<_>>(), labels, "{written}");
            assert!(n.is_fqdn());
        }
        assert_eq!(
            query_name("应急管理部。aq.gov.test", RecordType::A)
                .unwrap()
                .to_ascii(),
            "xn--extu8ah31brfhgw1a.aq.gov.test."
        );
        assert!(query_name("a..b", RecordType::A).is_err());
        assert_eq!(
            server_addr("127.0.0.53"),
            Some("127.0.0.53:53".parse().unwrap())
        );
        assert_eq!(
            server_addr("[::1]:5353"),
            Some("[::1]:5353".parse().unwrap())
        );
        assert_eq!(rcode_str(ResponseCode::NXDomain), "NXDOMAIN");
        assert_eq!(rcode_str(ResponseCode::YXDomain), "YXDOMAIN");
    }
}
