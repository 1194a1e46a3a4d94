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
    if crate::probe::local_exhaustion(&e) {
        return Outcome::errored(
            ErrorKind::Local,
            format!("{what}: cannot open a {t} socket here: {e}"),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Verdict;

    #[test]
    fn out_of_file_descriptors_on_the_tcp_fallback_is_an_error_here() {
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS] {
            let e = ExchangeError::Io(Transport::Tcp, std::io::Error::from_raw_os_error(errno));
            let o = exchange_failed(e, "A x.test @198.18.0.53:53", Measurements::new());
            match o.verdict {
                Verdict::Errored(p) => assert_eq!(p.kind, ErrorKind::Local, "errno {errno}"),
                v => panic!("errno {errno}: {v:?}"),
            }
        }
    }
}
