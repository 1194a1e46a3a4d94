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
//! The prober keeps its own deadline, a moment before the runner's: a server that stays
//! silent is then reported by the prober, with the transport it was waited on and the
//! server, and a truncated UDP answer whose TCP retry never comes back is its own finding
//! (`TcpFallbackBlocked`), not a dead server.
//!
//! The parts, in the order a probe meets them: `exchange` asks the question and brings back
//! the reply (or why none came), `classify` makes a failed exchange a verdict, `verdict` an
//! answered one: `referral` tells a delegation from an answer, `records` (with `dnssec`)
//! turns records into the forms people read and expectations compare, and `judge` holds
//! them against the spec. With several servers, `replication` asks each one this way and
//! compares their zones' serials.

mod classify;
mod dnssec;
mod exchange;
mod judge;
mod records;
mod referral;
mod replication;
mod verdict;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::proto::op::Message;
use hickory_resolver::proto::rr::Name;
use serde_json::json;
use tokio::time::Instant;

use super::{Context, ErrorKind, Measurements, Outcome, ms};
use crate::model::dns_name::DnsName;
use crate::model::{DnsSpec, RecordType, Text};
use classify::{Asked, exchange_failed};
use exchange::{Question, exchange};
use records::wire_type;

/// How long before the runner's deadline the prober gives up waiting, so that it, not the
/// runner, reports what stayed silent (as the HTTP prober's `BODY_DEADLINE_MARGIN`).
const DEADLINE_MARGIN: Duration = Duration::from_millis(50);

/// Asks `spec.servers` (one) for `spec.name` once and judges the response; several servers
/// make a replication check. See the module doc.
pub(crate) async fn probe(spec: &DnsSpec<Text>, _cx: &Context, deadline: Instant) -> Outcome {
    if spec.servers.len() > 1 {
        return replication::probe(spec, deadline).await;
    }
    ask(spec, deadline, &mut None).await
}

/// One server (`spec.servers` holds exactly one) asked once, its response judged. `got`
/// receives the reply when one came: the replication check reads the SOA serial from it.
async fn ask(spec: &DnsSpec<Text>, deadline: Instant, got: &mut Option<Message>) -> Outcome {
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
    ask_server(spec, server_text, server, &name, deadline, got).await
}

/// One server asked and its reply judged. Every outcome that got as far as asking records
/// `server`, `transport` and `time_ms`.
async fn ask_server(
    spec: &DnsSpec<Text>,
    server_text: &Text,
    server: SocketAddr,
    name: &Name,
    deadline: Instant,
    got: &mut Option<Message>,
) -> Outcome {
    let shown_server = shown(server_text, server);
    let what = format!(
        "{} {} @{}",
        spec.record_type.as_str(),
        spec.name,
        shown_server
    );
    let rtype = wire_type(spec.record_type);

    let mut m = Measurements::new();
    m.insert("server".into(), json!(shown_server));
    let written = spec.name.expose();
    let asked_ascii = name.to_ascii();
    if asked_ascii.trim_end_matches('.') != written.trim().trim_end_matches('.') {
        m.insert("query".into(), json!(asked_ascii.trim_end_matches('.')));
    }
    let stop_at = deadline.checked_sub(DEADLINE_MARGIN).unwrap_or(deadline);
    let asked = Asked {
        what: &what,
        budget: deadline.saturating_duration_since(Instant::now()),
        port: server.port(),
    };
    let question = Question {
        name,
        rtype,
        dnssec: spec.dnssec,
    };
    let start = std::time::Instant::now();
    let res = exchange(server, question, stop_at).await;
    m.insert("time_ms".into(), ms(start.elapsed()));
    match res {
        Ok(reply) => {
            *got = Some(reply.message.clone());
            verdict::answered(
                &verdict::Question {
                    spec,
                    what: &what,
                    name,
                    rtype,
                },
                &reply,
                m,
            )
        }
        Err(e) => exchange_failed(e, &asked, m),
    }
}

/// A server as messages and measurements show it: a secret address stays `***`; otherwise
/// with the port the query really goes to.
fn shown(server_text: &Text, server: SocketAddr) -> String {
    if server_text.has_secret() {
        server_text.to_string()
    } else {
        server.to_string()
    }
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
    let name = DnsName::of_question(s, t).map_err(|e| e.to_string())?;
    let mut n = Name::from_labels(name.labels()).map_err(|e| e.to_string())?;
    n.set_fqdn(true);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    use hickory_resolver::proto::op::ResponseCode;
    use records::rcode_str;

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
