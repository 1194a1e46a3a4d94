//! The packets themselves: an ICMP echo request inside an IPv4 header we write (so that
//! each packet carries its own TTL and Don't Fragment bit on one socket), or an ICMPv6 one
//! (the kernel writes its header), and what comes back read into an [`Answer`].
//!
//! **One flow per trace (Paris traceroute).** A router that balances load over equal-cost
//! paths (ECMP) hashes each packet's addresses, protocol and the first four bytes after the
//! IP header, where TCP and UDP keep their ports; for ICMP those bytes are the type, code
//! and checksum. Classic traceroute changes the checksum with every probe (its sequence
//! number changes), so its probes may each take another path and the hop list mixes
//! several. Here every echo of a trace keeps the same identifier and the same checksum:
//! two payload bytes right after the header are chosen so that the checksum comes out at
//! the trace's fixed value whatever the sequence number (RFC 1071's sum is commutative:
//! the compensating word is the one's complement of the sum of the rest). Every field a
//! balancer may hash is then constant, and the whole trace is one flow on one path, as
//! Paris traceroute (Augustin et al., 2006) and Dublin traceroute do it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IPv4 header we write: 20 bytes, no options.
pub(super) const IP_HEADER: usize = 20;
/// ICMP echo header (8) and the compensating word (2): the least a probe carries.
const ECHO_HEADER: usize = 8;
const MIN_SIZE: usize = IP_HEADER + ECHO_HEADER + 2;

/// What a packet says about one of our echoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Heard {
    /// The target's echo reply.
    Reply,
    /// A router's "time to live exceeded in transit".
    TimeExceeded,
    /// "Destination unreachable" with its code; for code 4 (fragmentation needed and DF
    /// set) the next-hop MTU the router reported (RFC 1191), when it gave one. IPv6's
    /// "packet too big" (RFC 4443) is read as code 4 too, with its MTU.
    Unreachable { code: u8, next_hop_mtu: Option<u16> },
}

/// An answer to one of our echoes: who sent it, which echo (sequence number), what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Answer {
    pub from: IpAddr,
    pub seq: u16,
    pub heard: Heard,
}

/// An echo request of `size` bytes in all (IP header included), `ttl`, Don't Fragment when
/// `df`, to `dst`, with `ident` and `seq`, its ICMP checksum forced to `checksum`. The
/// kernel fills in the source address, the IP identification and the header checksum (raw
/// sockets with IP_HDRINCL do so when they are zero).
pub(super) fn echo_request(
    dst: Ipv4Addr,
    ttl: u8,
    df: bool,
    size: usize,
    (ident, seq): (u16, u16),
    checksum: u16,
) -> Vec<u8> {
    let size = size.max(MIN_SIZE);
    let mut p = vec![0u8; size];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&(size as u16).to_be_bytes());
    if df {
        p[6] = 0x40;
    }
    p[8] = ttl;
    p[9] = 1; // ICMP
    p[16..20].copy_from_slice(&dst.octets());
    let icmp = &mut p[IP_HEADER..];
    icmp[0] = 8; // echo request
    icmp[2..4].copy_from_slice(&checksum.to_be_bytes());
    icmp[4..6].copy_from_slice(&ident.to_be_bytes());
    icmp[6..8].copy_from_slice(&seq.to_be_bytes());
    // A recognisable filler after the compensating word (offset 8..10).
    for (i, b) in icmp[ECHO_HEADER + 2..].iter_mut().enumerate() {
        *b = 0x40 + (i % 32) as u8;
    }
    let compensate = !ones_sum(icmp);
    icmp[8..10].copy_from_slice(&compensate.to_be_bytes());
    p
}

/// The one's-complement sum of `data` as 16-bit words (RFC 1071), folded.
fn ones_sum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += u32::from(w);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// The identifier of the echo an IPv4 packet answers: an echo reply's own, or the one an
/// ICMP error (time exceeded, destination unreachable) quotes; `None` for anything else.
/// What the shared socket routes by (`shared`); [`parse`] checks the rest.
pub(super) fn ident_of(buf: &[u8]) -> Option<u16> {
    let ihl = usize::from(*buf.first()? & 0x0f) * 4;
    let icmp = buf.get(ihl..)?;
    let word = |b: &[u8], at: usize| Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]));
    match *icmp.first()? {
        0 => word(icmp, 4),
        3 | 11 => {
            let inner = icmp.get(8..)?;
            let inner_ihl = usize::from(*inner.first()? & 0x0f) * 4;
            word(inner, inner_ihl + 4)
        }
        _ => None,
    }
}

/// Reads a packet from the raw socket (IP header first) as an answer to an echo of
/// `ident` to `target`; `None` for anything else. An error quotes our echo's IP header and
/// at least its first 8 bytes (RFC 792), which hold the identifier and sequence number.
pub(super) fn parse(buf: &[u8], ident: u16, target: Ipv4Addr) -> Option<Answer> {
    let ihl = usize::from(*buf.first()? & 0x0f) * 4;
    if buf.len() < ihl + 8 || buf[9] != 1 {
        return None;
    }
    let from = IpAddr::V4(Ipv4Addr::new(buf[12], buf[13], buf[14], buf[15]));
    let icmp = &buf[ihl..];
    let word = |b: &[u8], at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
    let heard = match icmp[0] {
        0 => {
            if word(icmp, 4) != ident || from != IpAddr::V4(target) {
                return None;
            }
            return Some(Answer {
                from,
                seq: word(icmp, 6),
                heard: Heard::Reply,
            });
        }
        11 => Heard::TimeExceeded,
        3 => Heard::Unreachable {
            code: icmp[1],
            next_hop_mtu: (icmp[1] == 4).then(|| word(icmp, 6)).filter(|&m| m >= 68),
        },
        _ => return None,
    };
    let inner = &icmp[8..];
    let inner_ihl = usize::from(*inner.first()? & 0x0f) * 4;
    if inner.len() < inner_ihl + 8 || inner[9] != 1 {
        return None;
    }
    let dst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
    let echo = &inner[inner_ihl..];
    if dst != target || echo[0] != 8 || word(echo, 4) != ident {
        return None;
    }
    Some(Answer {
        from,
        seq: word(echo, 6),
        heard,
    })
}

/// ICMPv6's least MTU of a link (RFC 8200): an IPv6 path carries at least this.
pub(super) const IPV6_MIN_MTU: u16 = 1280;
/// The IPv6 header the kernel writes before our ICMPv6 message.
pub(super) const IPV6_HEADER: usize = 40;

/// An ICMPv6 echo request whose whole packet (the kernel's 40-byte header included) is
/// `size` bytes, from `src` to `dst`. The kernel computes an ICMPv6 checksum itself, over
/// a pseudo-header of both addresses and the length: the compensating word is chosen so
/// that its result is `checksum` (one flow, as for IPv4).
pub(super) fn echo_request_v6(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    size: usize,
    (ident, seq): (u16, u16),
    checksum: u16,
) -> Vec<u8> {
    let len = size.saturating_sub(IPV6_HEADER).max(ECHO_HEADER + 2);
    let mut icmp = vec![0u8; len];
    icmp[0] = 128; // echo request
    icmp[4..6].copy_from_slice(&ident.to_be_bytes());
    icmp[6..8].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in icmp[ECHO_HEADER + 2..].iter_mut().enumerate() {
        *b = 0x40 + (i % 32) as u8;
    }
    let sum = add(pseudo_sum(src, dst, len), ones_sum(&icmp));
    // The kernel writes the complement of the whole sum: make that sum `!checksum`.
    let compensate = add(!checksum, !sum);
    icmp[8..10].copy_from_slice(&compensate.to_be_bytes());
    icmp[2..4].copy_from_slice(&checksum.to_be_bytes());
    icmp
}

/// One's-complement addition of two folded sums.
fn add(a: u16, b: u16) -> u16 {
    let s = u32::from(a) + u32::from(b);
    ((s & 0xffff) + (s >> 16)) as u16
}

/// The sum of ICMPv6's pseudo-header (RFC 8200 §8.1): source, destination, length, 58.
fn pseudo_sum(src: Ipv6Addr, dst: Ipv6Addr, len: usize) -> u16 {
    let mut p = Vec::with_capacity(40);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(&(len as u32).to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 58]);
    ones_sum(&p)
}

/// Reads an ICMPv6 message (an IPv6 raw socket gives no IP header: `from` is the sender)
/// as an answer to an echo of `ident` to `target`.
pub(super) fn parse_v6(
    icmp: &[u8],
    from: Ipv6Addr,
    ident: u16,
    target: Ipv6Addr,
) -> Option<Answer> {
    if icmp.len() < 8 {
        return None;
    }
    let word = |b: &[u8], at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
    let heard = match icmp[0] {
        129 => {
            if word(icmp, 4) != ident || from != target {
                return None;
            }
            return Some(Answer {
                from: IpAddr::V6(from),
                seq: word(icmp, 6),
                heard: Heard::Reply,
            });
        }
        3 => Heard::TimeExceeded,
        1 => Heard::Unreachable {
            code: icmpv6_unreachable(icmp[1]),
            next_hop_mtu: None,
        },
        2 => {
            let mtu = u32::from_be_bytes([icmp[4], icmp[5], icmp[6], icmp[7]]);
            Heard::Unreachable {
                code: 4,
                next_hop_mtu: u16::try_from(mtu).ok().filter(|&m| m >= IPV6_MIN_MTU),
            }
        }
        _ => return None,
    };
    let inner = &icmp[8..];
    if inner.len() < IPV6_HEADER + 8 || inner[6] != 58 {
        return None;
    }
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&inner[24..40]).ok()?);
    let echo = &inner[IPV6_HEADER..];
    if dst != target || echo[0] != 128 || word(echo, 4) != ident {
        return None;
    }
    Some(Answer {
        from: IpAddr::V6(from),
        seq: word(echo, 6),
        heard,
    })
}

/// An ICMPv6 "destination unreachable" code (RFC 4443) as the IPv4 code of the same
/// meaning, so that one set of words says both: no route 0 → network unreachable (0),
/// administratively prohibited 1 → 13, address unreachable 3 → host unreachable (1), port
/// unreachable 4 → 3; others keep a code of their own past IPv4's.
fn icmpv6_unreachable(code: u8) -> u8 {
    match code {
        0 => 0,
        1 | 5 | 6 => 13,
        3 => 1,
        4 => 3,
        c => 100 + c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Ipv4Addr = Ipv4Addr::new(198, 18, 4, 2);

    /// The checksum a receiver computes: zero in the field, then the complement of the sum.
    fn real_checksum(icmp: &[u8]) -> u16 {
        let mut c = icmp.to_vec();
        c[2] = 0;
        c[3] = 0;
        !ones_sum(&c)
    }

    #[test]
    fn every_echo_of_a_trace_carries_the_same_valid_checksum() {
        for seq in [0u16, 1, 2, 0xfffe, 0xffff, 0x1234] {
            for size in [30, 60, 61, 1400, 1500] {
                let p = echo_request(TARGET, 3, true, size, (0xbeef, seq), 0x4e41);
                assert_eq!(p.len(), size);
                let icmp = &p[IP_HEADER..];
                assert_eq!(&icmp[2..4], &0x4e41u16.to_be_bytes());
                assert_eq!(real_checksum(icmp), 0x4e41, "seq {seq} size {size}");
                assert_eq!(p[8], 3);
                assert_eq!(p[6], 0x40, "Don't Fragment");
                assert_eq!(u16::from_be_bytes([p[2], p[3]]) as usize, size);
            }
        }
    }

    fn error_packet(ty: u8, code: u8, rest: [u8; 4], from: Ipv4Addr, quoted: &[u8]) -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0];
        p.extend_from_slice(&from.octets());
        p.extend_from_slice(&[198, 18, 1, 1]);
        p.extend_from_slice(&[ty, code, 0, 0]);
        p.extend_from_slice(&rest);
        p.extend_from_slice(&quoted[..IP_HEADER + 8]);
        p
    }

    #[test]
    fn errors_are_matched_to_the_echo_they_quote() {
        let sent = echo_request(TARGET, 2, true, 1500, (7, 42), 1);
        let router = Ipv4Addr::new(198, 18, 2, 2);
        let te = error_packet(11, 0, [0; 4], router, &sent);
        assert_eq!(
            parse(&te, 7, TARGET),
            Some(Answer {
                from: IpAddr::V4(router),
                seq: 42,
                heard: Heard::TimeExceeded
            })
        );
        // Another trace's identifier, another target: not ours.
        assert_eq!(parse(&te, 8, TARGET), None);
        assert_eq!(parse(&te, 7, Ipv4Addr::new(198, 18, 4, 3)), None);
        let frag = error_packet(3, 4, [0, 0, 0x05, 0x78], router, &sent);
        assert_eq!(
            parse(&frag, 7, TARGET).map(|a| a.heard),
            Some(Heard::Unreachable {
                code: 4,
                next_hop_mtu: Some(1400)
            })
        );
        // A router of RFC 792's time reports no MTU.
        let old = error_packet(3, 4, [0; 4], router, &sent);
        assert_eq!(
            parse(&old, 7, TARGET).map(|a| a.heard),
            Some(Heard::Unreachable {
                code: 4,
                next_hop_mtu: None
            })
        );
    }

    #[test]
    fn a_reply_counts_only_from_the_target_with_our_identifier() {
        let mut reply = echo_request(TARGET, 64, false, 60, (7, 9), 1);
        reply[12..16].copy_from_slice(&TARGET.octets());
        reply[IP_HEADER] = 0;
        assert_eq!(
            parse(&reply, 7, TARGET),
            Some(Answer {
                from: IpAddr::V4(TARGET),
                seq: 9,
                heard: Heard::Reply
            })
        );
        assert_eq!(parse(&reply, 6, TARGET), None);
        assert_eq!(parse(&reply[..25], 7, TARGET), None);
        assert_eq!(parse(&[], 7, TARGET), None);
    }

    /// The shared socket routes by the identifier a reply carries or an error quotes, and
    /// routes nothing else (a request, a cut packet).
    #[test]
    fn a_packet_is_routed_by_the_identifier_of_the_echo_it_answers() {
        let sent = echo_request(TARGET, 2, true, 1500, (0xbeef, 42), 1);
        let router = Ipv4Addr::new(198, 18, 2, 2);
        assert_eq!(
            ident_of(&error_packet(11, 0, [0; 4], router, &sent)),
            Some(0xbeef)
        );
        assert_eq!(
            ident_of(&error_packet(3, 4, [0, 0, 5, 0x78], router, &sent)),
            Some(0xbeef)
        );
        let mut reply = echo_request(TARGET, 64, false, 60, (0x0102, 9), 1);
        assert_eq!(ident_of(&reply), None, "an echo request is no answer");
        reply[IP_HEADER] = 0;
        assert_eq!(ident_of(&reply), Some(0x0102));
        assert_eq!(ident_of(&reply[..IP_HEADER + 5]), None);
        assert_eq!(
            ident_of(&error_packet(11, 0, [0; 4], router, &sent)[..IP_HEADER + 8 + 20 + 5]),
            None
        );
        assert_eq!(ident_of(&[]), None);
    }

    /// What the kernel writes into an ICMPv6 checksum: the complement of the sum over the
    /// pseudo-header and the message with a zero checksum field.
    fn kernel_checksum_v6(src: Ipv6Addr, dst: Ipv6Addr, icmp: &[u8]) -> u16 {
        let mut c = icmp.to_vec();
        c[2] = 0;
        c[3] = 0;
        !add(pseudo_sum(src, dst, c.len()), ones_sum(&c))
    }

    #[test]
    fn every_ipv6_echo_of_a_trace_comes_out_with_the_same_checksum() {
        let src: Ipv6Addr = "fd00:18:1::1".parse().unwrap();
        let dst: Ipv6Addr = "fd00:18:4::2".parse().unwrap();
        for seq in [0u16, 1, 0xffff, 0x1234] {
            for size in [60, 1280, 1281, 1500] {
                let icmp = echo_request_v6(src, dst, size, (0xbeef, seq), 0x4e41);
                assert_eq!(icmp.len() + IPV6_HEADER, size);
                assert_eq!(
                    kernel_checksum_v6(src, dst, &icmp),
                    0x4e41,
                    "seq {seq} size {size}"
                );
            }
        }
    }

    #[test]
    fn ipv6_errors_are_matched_to_the_echo_they_quote() {
        let src: Ipv6Addr = "fd00:18:1::1".parse().unwrap();
        let dst: Ipv6Addr = "fd00:18:4::2".parse().unwrap();
        let router: Ipv6Addr = "fd00:18:2::2".parse().unwrap();
        let sent = echo_request_v6(src, dst, 1500, (7, 42), 1);
        let quote = |ty: u8, code: u8, rest: [u8; 4]| {
            let mut p = vec![ty, code, 0, 0];
            p.extend_from_slice(&rest);
            // The IPv6 header the kernel wrote: version, lengths, next header 58, addresses.
            let mut ip = vec![0x60, 0, 0, 0, 0, 0, 58, 64];
            ip.extend_from_slice(&src.octets());
            ip.extend_from_slice(&dst.octets());
            p.extend_from_slice(&ip);
            p.extend_from_slice(&sent[..8]);
            p
        };
        let te = quote(3, 0, [0; 4]);
        assert_eq!(
            parse_v6(&te, router, 7, dst),
            Some(Answer {
                from: IpAddr::V6(router),
                seq: 42,
                heard: Heard::TimeExceeded
            })
        );
        assert_eq!(parse_v6(&te, router, 8, dst), None);
        let ptb = quote(2, 0, 1400u32.to_be_bytes());
        assert_eq!(
            parse_v6(&ptb, router, 7, dst).map(|a| a.heard),
            Some(Heard::Unreachable {
                code: 4,
                next_hop_mtu: Some(1400)
            })
        );
        let unreachable = quote(1, 3, [0; 4]);
        assert_eq!(
            parse_v6(&unreachable, router, 7, dst).map(|a| a.heard),
            Some(Heard::Unreachable {
                code: 1,
                next_hop_mtu: None
            })
        );
        let mut reply = sent.clone();
        reply[0] = 129;
        assert_eq!(parse_v6(&reply, dst, 7, dst).map(|a| a.seq), Some(42));
        assert_eq!(parse_v6(&reply, router, 7, dst), None);
    }
}
