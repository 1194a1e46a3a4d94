//! A failed exchange (no DNS answer came back) made into a verdict: which failures are the
//! server's or the path's (port unreachable, refused, reset, timed out, not DNS) and which
//! are this machine's (no socket, no source address, no encoding).

use std::io::ErrorKind as Io;

use super::exchange::{ExchangeError, Transport};
use crate::probe::{ErrorKind, FailKind, Failure, Measurements, Outcome};

pub(super) fn exchange_failed(e: ExchangeError, what: &str, m: Measurements) -> Outcome {
    let (transport, e) = match e {
        ExchangeError::Io(t, e) => (t, e),
        ExchangeError::Local(e) => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("{what}: cannot open a socket here: {e}"),
            );
        }
        ExchangeError::Encode(e) => {
            return Outcome::errored(
                ErrorKind::Internal,
                format!("{what}: cannot encode the query: {e}"),
            );
        }
        ExchangeError::Garbage(t, why) => {
            return Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{what}: {} reply is not DNS: {why}", t.as_str()),
                )
                .expected("a DNS answer", "not DNS"),
                m,
            );
        }
    };
    let t = transport.as_str();
    let (kind, how) = match e.kind() {
        Io::ConnectionRefused => (
            FailKind::ConnectionRefused,
            match transport {
                Transport::Udp => "port unreachable",
                Transport::Tcp => "connection refused",
            },
        ),
        Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe => (
            FailKind::ConnectionReset,
            "connection closed before the answer",
        ),
        Io::HostUnreachable | Io::NetworkUnreachable => (FailKind::Unreachable, "unreachable"),
        Io::TimedOut => (FailKind::Timeout, "timed out"),
        Io::AddrNotAvailable | Io::PermissionDenied => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("{what}: cannot send from here: {e}"),
            );
        }
        _ => (FailKind::Unreachable, "failed"),
    };
    Outcome::failed(
        Failure::new(kind, format!("{what}: {t} {how} ({e})")).expected("a DNS answer", how),
        m,
    )
}
