//! The path checks' specifications (`trace:`, `mtu:`) and what they hold: address blocks
//! (`Cidr`, for `expect_via`) and the limits on their numbers.

use std::fmt;
use std::net::IpAddr;

use super::limits::IntRange;

/// `trace: max_hops`: at least one hop; 64 is twice the longest path seen across China's
/// backbones, and every TTL is one probe sent at once (so also a bound on the burst).
pub const MAX_HOPS: IntRange = IntRange {
    key: "max_hops",
    what: "a whole number of hops",
    min: 1,
    max: 64,
};
/// `max_hops` when not written, as traceroute's.
pub const DEFAULT_MAX_HOPS: u8 = 30;

/// `mtu: max`: whole IP packets, from IPv4's minimum (68, RFC 791) to a jumbo frame.
pub const MTU_MAX: IntRange = IntRange {
    key: "max",
    what: "a whole number of bytes",
    min: 68,
    max: 9000,
};
/// `mtu: min_mtu`: the same range; at most `max` (checked at load).
pub const MIN_MTU: IntRange = IntRange {
    key: "min_mtu",
    what: "a whole number of bytes",
    min: 68,
    max: 9000,
};
/// `max` when not written: Ethernet's.
pub const DEFAULT_MTU_MAX: u16 = 1500;

/// `trace:`: the hop list to the target, judged on reaching it and on the routers it must
/// pass (`expect_via`).
#[derive(Debug, Clone)]
pub struct TraceSpec<S> {
    pub target: S,
    pub max_hops: u8,
    /// Address blocks (`198.18.1.0/24`) or addresses, in the order the path must pass
    /// them; each a template, parsed as a [`Cidr`] at load when literal, once filled
    /// otherwise (the planner refuses one that does not parse).
    pub expect_via: Vec<S>,
}

/// `mtu:`: the largest packet that crosses the path with Don't Fragment set.
#[derive(Debug, Clone)]
pub struct MtuSpec<S> {
    pub target: S,
    /// The largest size tried, the first one sent.
    pub max: u16,
    /// The path fails below this.
    pub min_mtu: Option<u16>,
    /// `min_mtu` written as a template (`"{{ node.vars.link.min_mtu }}"`): the planner fills
    /// it per node, parses it into `min_mtu` and empties this (`plan/filled.rs`), so that a
    /// prober only ever sees the typed value.
    pub min_mtu_from: Option<S>,
}

/// An address block: `198.18.1.0/24`, `2001:db8::/32`, or one address (a whole-length
/// prefix). Host bits set under the prefix are refused, so that a typo is not a silently
/// wider block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or `addr`; the error says what is wrong, for a diagnostic.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("`{a}` is not an IPv4 or IPv6 address"))?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => bits,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) && n <= bits => n,
                _ => return Err(format!("`/{p}` is not a prefix length from 0 to {bits}")),
            },
        };
        let cidr = Cidr { addr, prefix };
        if cidr.network() != addr {
            return Err(format!(
                "`{s}` has host bits set under its /{prefix}: the block is `{}/{prefix}`",
                cidr.network()
            ));
        }
        Ok(cidr)
    }

    /// The block's first address (the address with its host bits cleared).
    pub fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let other = Cidr {
            addr: ip,
            prefix: self.prefix,
        };
        ip.is_ipv4() == self.addr.is_ipv4() && other.network() == self.addr
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == bits {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_parse_contain_and_refuse_host_bits() {
        let c = Cidr::parse("198.18.1.0/24").unwrap();
        assert!(c.contains("198.18.1.2".parse().unwrap()));
        assert!(!c.contains("198.18.2.2".parse().unwrap()));
        assert!(!c.contains("::1".parse().unwrap()));
        let one = Cidr::parse("198.18.2.2").unwrap();
        assert_eq!(one.prefix, 32);
        assert!(one.contains("198.18.2.2".parse().unwrap()));
        assert_eq!(one.to_string(), "198.18.2.2");
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Cidr::parse("2001:db8::/32")
                .unwrap()
                .contains("2001:db8::1".parse().unwrap())
        );
        assert!(
            Cidr::parse("198.18.1.1/24")
                .unwrap_err()
                .contains("host bits")
        );
        assert!(Cidr::parse("198.18.1.0/33").is_err());
        assert!(Cidr::parse("198.18.1.0/+8").is_err());
        assert!(Cidr::parse("198.18.1/24").is_err());
        assert!(Cidr::parse("").is_err());
    }
}
