//! A failed exchange (no DNS answer came back) made into a verdict: which failures are the
//! server's or the path's (port unreachable, refused, reset, silent, not DNS, a TCP fallback
//! that never answers) and which are this machine's (no socket, no source address, no
//! encoding). Every verdict names the transport that failed; the measurements keep it.

use std::io::ErrorKind as Io;
use std::time::Duration;

use serde_json::json;

use super::exchange::{ExchangeError, Transport};
use crate::probe::{ErrorKind, FailKind, Failure, Measurements, Outcome};

/// What the failure is about: the question as shown, the time the check allowed (for
/// "within 2s"), and the server's port (for "TCP/53 blocked?").
pub(super) struct Asked<'a> {
    pub(super) what: &'a str,
    pub(super) budget: Duration,
    pub(super) port: u16,
}

pub(super) fn exchange_failed(e: ExchangeError, asked: &Asked<'_>, mut m: Measurements) -> Outcome {
    let what = asked.what;
    let transport = match &e {
        ExchangeError::Io(t, _) | ExchangeError::Silent(t) | ExchangeError::Garbage(t, _) => {
            Some(*t)
        }
        // The UDP socket could not be made: nothing was sent.
        ExchangeError::Local(_) => Some(Transport::Udp),
        ExchangeError::Encode(_) => None,
    };
    if let Some(t) = transport {
        m.insert("transport".into(), json!(t));
        // Only a truncated UDP answer ever leads to TCP.
        m.insert("truncated".into(), json!(matches!(t, Transport::Tcp)));
    }
    let (transport, e) = match e {
        ExchangeError::Io(t, e) => (t, e),
        ExchangeError::Silent(t) => return silent(t, asked, m),
        ExchangeError::Local(e) => {
            return errored(
                ErrorKind::Local,
                format!("{what}: cannot open a socket here: {e}"),
                m,
            );
        }
        ExchangeError::Encode(e) => {
            return errored(
                ErrorKind::Internal,
                format!("{what}: cannot encode the query: {e}"),
                m,
            );
        }
        ExchangeError::Garbage(t, why) => {
            return Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{what}: {}{} reply is not DNS: {why}", leg(t), t.as_str()),
                )
                .expected("a DNS answer", "not DNS"),
                m,
            );
        }
    };
    let t = transport.as_str();
    if crate::probe::local_exhaustion(&e) {
        return errored(
            ErrorKind::Local,
            format!("{what}: cannot open a {t} socket here: {e}"),
            m,
        );
    }
    let (kind, how) = match e.kind() {
        Io::ConnectionRefused => (
            FailKind::ConnectionRefused,
            match transport {
                Transport::Udp => "port unreachable",
                Transport::Tcp => "refused",
            },
        ),
        Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe => (
            FailKind::ConnectionReset,
            "connection closed before the answer",
        ),
        Io::HostUnreachable | Io::NetworkUnreachable => (FailKind::Unreachable, "unreachable"),
        Io::TimedOut => (FailKind::Timeout, "timed out"),
        Io::AddrNotAvailable | Io::PermissionDenied => {
            return errored(
                ErrorKind::Local,
                format!("{what}: cannot send from here: {e}"),
                m,
            );
        }
        _ => (FailKind::Unreachable, "failed"),
    };
    let message = match transport {
        Transport::Udp => format!("{what}: UDP {how} ({e})"),
        Transport::Tcp => format!("{what}: {}{how} ({e})", leg(transport)),
    };
    Outcome::failed(Failure::new(kind, message).expected("a DNS answer", how), m)
}

/// An error here, after the exchange began: the measurements say how far it got.
fn errored(kind: ErrorKind, message: String, m: Measurements) -> Outcome {
    let mut o = Outcome::errored(kind, message);
    o.measurements = m;
    o
}

/// How a message names the leg that failed: TCP is only ever the retry of a truncated UDP
/// answer, and a reader must know that UDP did answer.
fn leg(t: Transport) -> &'static str {
    match t {
        Transport::Udp => "",
        Transport::Tcp => "UDP answer truncated; TCP fallback ",
    }
}

/// Nothing came back before the prober's deadline. Over TCP after a truncated UDP answer
/// the server is evidently alive: the path drops TCP (a firewall letting only UDP/53
/// through is the usual cause), which is its own finding.
fn silent(t: Transport, asked: &Asked<'_>, m: Measurements) -> Outcome {
    let within = crate::model::Duration(round_to_10ms(asked.budget));
    let what = asked.what;
    let failure = match t {
        Transport::Udp => Failure::new(
            FailKind::Timeout,
            format!("{what}: no answer over UDP within {within}"),
        )
        .expected(format!("an answer within {within}"), "none"),
        Transport::Tcp => Failure::new(
            FailKind::TcpFallbackBlocked,
            format!(
                "{what}: UDP answer truncated; TCP fallback got no answer within {within} \
                 (TCP/{} blocked?)",
                asked.port
            ),
        )
        .expected(format!("an answer over TCP within {within}"), "none"),
    };
    Outcome::failed(failure, m)
}

/// The check's timeout as the user wrote it: the deadline was set a moment before the
/// probe began, so the time left is a hair under it.
fn round_to_10ms(d: Duration) -> Duration {
    let ms = (d.as_millis() + 5) / 10 * 10;
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Verdict;

    fn asked() -> Asked<'static> {
        Asked {
            what: "A x.test @198.18.0.53:53",
            budget: Duration::from_micros(1_999_950),
            port: 53,
        }
    }

    #[test]
    fn out_of_file_descriptors_on_the_tcp_fallback_is_an_error_here() {
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS] {
            let e = ExchangeError::Io(Transport::Tcp, std::io::Error::from_raw_os_error(errno));
            let o = exchange_failed(e, &asked(), Measurements::new());
            match o.verdict {
                Verdict::Errored(p) => assert_eq!(p.kind, ErrorKind::Local, "errno {errno}"),
                v => panic!("errno {errno}: {v:?}"),
            }
            assert_eq!(o.measurements["transport"], "tcp");
        }
    }

    #[test]
    fn silence_names_the_transport_and_the_time_the_check_allowed() {
        let o = exchange_failed(
            ExchangeError::Silent(Transport::Tcp),
            &asked(),
            Measurements::new(),
        );
        match o.verdict {
            Verdict::Failed(f) => {
                assert_eq!(f.kind, FailKind::TcpFallbackBlocked);
                assert_eq!(
                    f.message,
                    "A x.test @198.18.0.53:53: UDP answer truncated; TCP fallback got no \
                     answer within 2s (TCP/53 blocked?)"
                );
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(o.measurements["truncated"], true);
    }
}
