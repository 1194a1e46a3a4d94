//! TCP prober: connect to `host:port`, measure the handshake, close.

use std::io::ErrorKind as Io;
use std::net::SocketAddr;

use serde_json::json;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::resolve::resolve;
use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, ms};
use crate::model::{HostPort, TcpSpec, Text};

pub(crate) async fn probe(spec: &TcpSpec<Text>, _cx: &Context, _deadline: Instant) -> Outcome {
    // The planner refused targets that do not parse, so this error only meets specs built
    // by hand.
    let Ok(target) = HostPort::parse(&spec.target.expose()) else {
        return Outcome::errored(
            ErrorKind::Config,
            format!("tcp target `{}` is not host:port", spec.target),
        );
    };
    let addr = match resolve(target.host(), target.port()).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let start = std::time::Instant::now();
    let res = TcpStream::connect(addr).await;
    let took = start.elapsed();
    let mut m = Measurements::new();
    m.insert("address".into(), json!(addr.to_string()));
    match res {
        Ok(stream) => {
            m.insert("connect_ms".into(), ms(took));
            // Closing with a reset would be ruder to the target than needed; a plain drop
            // sends FIN.
            drop(stream);
            match spec.max_connect {
                Some(max) if took > max.as_std() => Outcome::failed(
                    Failure::new(
                        FailKind::ConnectSlow,
                        format!(
                            "connected to {addr} in {:.1} ms, more than {max}",
                            took.as_secs_f64() * 1e3
                        ),
                    )
                    .expected(
                        format!("connect ≤ {max}"),
                        format!("{:.1} ms", took.as_secs_f64() * 1e3),
                    ),
                    m,
                ),
                _ => Outcome::passed(m),
            }
        }
        Err(e) => connect_failed(addr, &e, m),
    }
}

/// The verdict on a connect that failed: the target's answer (refused, reset, unreachable,
/// too slow) is a failure; this machine's own trouble (no descriptor or buffer left, no
/// source address, no permission) is an error, whatever the network would have said.
pub(crate) fn connect_failed(addr: SocketAddr, e: &std::io::Error, m: Measurements) -> Outcome {
    if super::local_exhaustion(e) {
        return Outcome::errored(
            ErrorKind::Local,
            format!("cannot open a socket to {addr} here: {e}"),
        );
    }
    let (kind, what) = match e.kind() {
        Io::ConnectionRefused => (FailKind::ConnectionRefused, "connection refused"),
        Io::ConnectionReset | Io::ConnectionAborted => {
            (FailKind::ConnectionReset, "connection reset")
        }
        Io::HostUnreachable | Io::NetworkUnreachable => (FailKind::Unreachable, "unreachable"),
        Io::TimedOut => (FailKind::Timeout, "connect timed out"),
        Io::AddrNotAvailable | Io::PermissionDenied => {
            return Outcome::errored(
                ErrorKind::Local,
                format!("cannot connect to {addr} from here: {e}"),
            );
        }
        _ => (FailKind::Unreachable, "connect failed"),
    };
    // The OS text adds nothing to the named cases; keep it for the others.
    let message = match kind {
        FailKind::ConnectionRefused | FailKind::ConnectionReset => format!("{addr}: {what}"),
        _ => format!("{addr}: {what} ({e})"),
    };
    Outcome::failed(
        Failure::new(kind, message).expected("a listening port", what),
        m,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Verdict;

    #[test]
    fn out_of_file_descriptors_is_an_error_here_not_a_failure_of_the_target() {
        let addr: SocketAddr = "198.18.0.1:443".parse().unwrap();
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS] {
            let o = connect_failed(
                addr,
                &std::io::Error::from_raw_os_error(errno),
                Measurements::new(),
            );
            match o.verdict {
                Verdict::Errored(p) => assert_eq!(p.kind, ErrorKind::Local, "errno {errno}"),
                v => panic!("errno {errno}: {v:?}"),
            }
        }
        let o = connect_failed(
            addr,
            &std::io::Error::from_raw_os_error(libc::ECONNREFUSED),
            Measurements::new(),
        );
        assert!(matches!(o.verdict, Verdict::Failed(f) if f.kind == FailKind::ConnectionRefused));
    }
}
