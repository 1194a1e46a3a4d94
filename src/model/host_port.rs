//! `host:port` targets (`[v6]:port` for IPv6), as TCP checks name them. TCP targets are
//! templates, so the planner parses each filled target with this type (a bad one stops the
//! run before any traffic) and the TCP prober parses it again to connect: one grammar for
//! both.

use std::fmt;
use std::net::Ipv6Addr;

/// A host (a name or an address, without brackets) and a port from 1 to 65535.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPort {
    host: String,
    port: u16,
}

impl HostPort {
    /// `host:port` or `[v6]:port`. A bare IPv6 address is refused: its last group would
    /// read as the port. The reason quotes the input, so it is not for a text that holds a
    /// secret.
    ///
    /// ```
    /// use netaccept::model::HostPort;
    ///
    /// let t = HostPort::parse("[2001:db8::1]:443").unwrap();
    /// assert_eq!((t.host(), t.port()), ("2001:db8::1", 443));
    /// assert_eq!(t.to_string(), "[2001:db8::1]:443");
    /// assert!(HostPort::parse("2001:db8::1:443").is_err()); // which colon is the port's?
    /// assert!(HostPort::parse("bj.aq.gov.test:0").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<HostPort, String> {
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, p) = rest
                .split_once("]:")
                .ok_or_else(|| format!("`{s}` has no `]:port` after the IPv6 address"))?;
            if h.parse::<Ipv6Addr>().is_err() {
                return Err(format!("`{h}` in brackets is not an IPv6 address"));
            }
            (h, p)
        } else {
            let (h, p) = s
                .rsplit_once(':')
                .ok_or_else(|| format!("`{s}` has no `:port`"))?;
            if h.contains(':') {
                return Err(format!(
                    "`{s}`: write an IPv6 address in brackets, `[{h}]:{p}`"
                ));
            }
            (h, p)
        };
        if host.is_empty() {
            return Err(format!("`{s}` has no host before the port"));
        }
        if host.chars().any(char::is_whitespace) {
            return Err(format!("host `{host}` holds white space"));
        }
        let port = match port.parse::<u16>() {
            Ok(p) if p != 0 && port.bytes().all(|b| b.is_ascii_digit()) => p,
            _ => return Err(format!("`{port}` is not a port from 1 to 65535")),
        };
        Ok(HostPort {
            host: host.to_string(),
            port,
        })
    }

    /// The name or address, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_v4_and_v6() {
        let t = HostPort::parse("db.he.example:5432").unwrap();
        assert_eq!((t.host(), t.port()), ("db.he.example", 5432));
        let t = HostPort::parse("10.0.0.1:443").unwrap();
        assert_eq!((t.host(), t.port()), ("10.0.0.1", 443));
        let t = HostPort::parse("[::1]:22").unwrap();
        assert_eq!((t.host(), t.port()), ("::1", 22));
        for s in [
            "db.he.example:5432",
            "10.0.0.1:443",
            "[::1]:22",
            "[fe80::1]:65535",
        ] {
            assert_eq!(HostPort::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn refuses_what_cannot_be_connected_to() {
        for bad in [
            "host",
            "host:",
            ":80",
            "host:0",
            "host:65536",
            "host:+80",
            "host:http",
            "::1:22",
            "[::1]",
            "[::1]22",
            "[host]:22",
            "[]:22",
            "a b:80",
        ] {
            assert!(HostPort::parse(bad).is_err(), "{bad}");
        }
    }
}
