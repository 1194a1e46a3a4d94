//! Echo requests read from a raw IPv4 socket, and the replies built for them: the whole IP
//! packet in both directions, since the responder writes its own IP header (see
//! `socket.rs` for why). Pure bytes, no I/O.

use std::net::Ipv4Addr;

/// ICMP type of an echo request, and of its reply.
const ECHO_REQUEST: u8 = 8;
const ECHO_REPLY: u8 = 0;
/// IP protocol number of ICMP.
const PROTO_ICMP: u8 = 1;
/// The reply's time to live: Linux's default, as a real host would send.
const TTL: u8 = 64;

/// An echo request as read: who asked, which address it asked, and the ICMP message
/// (type, code, checksum, identifier, sequence, payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    pub from: Ipv4Addr,
    pub to: Ipv4Addr,
    /// The type of service byte, copied into the reply (RFC 1812 §4.3.2.5 asks a router to
    /// do so; a host doing the same keeps a DSCP-marked probe's class on the way back).
    pub tos: u8,
    /// The ICMP message from its type byte to its end.
    pub icmp: Vec<u8>,
}

/// The echo request in `packet` (an IPv4 packet as a raw socket delivers it), or `None` for
/// anything else: another ICMP type (our own replies come back to the raw socket too), a
/// truncated packet, a bad ICMP checksum (a host drops those: RFC 1122 §3.2.2), a fragment.
pub fn parse(packet: &[u8]) -> Option<Echo> {
    let first = *packet.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    if ihl < 20 || packet.len() < ihl + 8 || packet[9] != PROTO_ICMP {
        return None;
    }
    // The kernel hands a raw socket reassembled datagrams, but say so rather than trust it.
    let frag = u16::from_be_bytes([packet[6], packet[7]]);
    if frag & 0x3fff != 0 {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    // Linux delivers the packet as received; the total length bounds the ICMP message
    // (trailing link-layer padding is not part of it).
    let end = if total >= ihl + 8 && total <= packet.len() {
        total
    } else {
        packet.len()
    };
    let icmp = &packet[ihl..end];
    if icmp[0] != ECHO_REQUEST || icmp[1] != 0 || checksum(icmp) != 0 {
        return None;
    }
    Some(Echo {
        from: Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]),
        to: Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]),
        tos: packet[1],
        icmp: icmp.to_vec(),
    })
}

/// The reply to `echo` as a whole IPv4 packet: from the address that was asked, to the asker,
/// with the identifier, sequence number and payload copied back (RFC 792), both checksums
/// computed. The IP identification is left 0 for the kernel to fill (it does for IP_HDRINCL
/// sockets), so replies get the same IDs the kernel's own would.
pub fn reply(echo: &Echo) -> Vec<u8> {
    let total = 20 + echo.icmp.len();
    let mut p = Vec::with_capacity(total);
    p.push(0x45); // version 4, header of 5 words: no options
    p.push(echo.tos);
    p.extend_from_slice(&(total as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0]); // identification: the kernel's
    p.extend_from_slice(&[0, 0]); // flags and fragment offset
    p.push(TTL);
    p.push(PROTO_ICMP);
    p.extend_from_slice(&[0, 0]); // header checksum, below
    p.extend_from_slice(&echo.to.octets());
    p.extend_from_slice(&echo.from.octets());
    let sum = checksum(&p[..20]);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend_from_slice(&echo.icmp);
    let icmp = &mut p[20..];
    icmp[0] = ECHO_REPLY;
    icmp[1] = 0;
    icmp[2] = 0;
    icmp[3] = 0;
    let sum = checksum(icmp);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
/// the 16-bit words, an odd last byte padded with zero. Over data that holds its own correct
/// checksum it is 0.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo request as `ping -c1 -p 61 -s 5 198.18.4.2` from 198.18.1.1 sends it:
    /// identifier 0x1234, sequence 7, an odd-length payload.
    fn request() -> Vec<u8> {
        let mut icmp = vec![
            8, 0, 0, 0, 0x12, 0x34, 0x00, 0x07, 0x61, 0x61, 0x61, 0x61, 0x61,
        ];
        let s = checksum(&icmp);
        icmp[2..4].copy_from_slice(&s.to_be_bytes());
        let total = 20 + icmp.len();
        let mut p = vec![0x45, 0x10];
        p.extend_from_slice(&(total as u16).to_be_bytes());
        p.extend_from_slice(&[0xab, 0xcd, 0x40, 0x00, 63, 1, 0, 0]);
        p.extend_from_slice(&[198, 18, 1, 1, 198, 18, 4, 2]);
        let s = checksum(&p);
        p[10..12].copy_from_slice(&s.to_be_bytes());
        p.extend_from_slice(&icmp);
        p
    }

    #[test]
    fn checksum_is_rfc_1071s() {
        // RFC 1071 §3's example: the sum of these words is 0xddf2, its complement 0x220d.
        assert_eq!(
            checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0x220d
        );
        assert_eq!(checksum(&[0xff]), 0x00ff);
    }

    #[test]
    fn a_reply_swaps_the_addresses_and_copies_the_echo() {
        let echo = parse(&request()).expect("an echo request");
        assert_eq!(echo.from, Ipv4Addr::new(198, 18, 1, 1));
        assert_eq!(echo.to, Ipv4Addr::new(198, 18, 4, 2));
        let r = reply(&echo);
        assert_eq!(r.len(), 20 + 13);
        assert_eq!(checksum(&r[..20]), 0, "IP header checksum");
        assert_eq!(checksum(&r[20..]), 0, "ICMP checksum");
        assert_eq!(&r[12..16], &[198, 18, 4, 2], "from the address asked");
        assert_eq!(&r[16..20], &[198, 18, 1, 1]);
        assert_eq!((r[1], r[8], r[9]), (0x10, TTL, 1));
        assert_eq!(r[20], ECHO_REPLY);
        assert_eq!(&r[24..], &request()[24..], "identifier, sequence, payload");
        // Our own reply, read back by the raw socket, is not answered.
        assert_eq!(parse(&r), None);
    }

    #[test]
    fn anything_but_a_sound_echo_request_is_ignored() {
        let good = request();
        let mut bad_sum = good.clone();
        bad_sum[30] ^= 1;
        let mut fragment = good.clone();
        fragment[6] = 0x20; // more fragments
        let mut udp = good.clone();
        udp[9] = 17;
        let mut v6 = good.clone();
        v6[0] = 0x60;
        for p in [bad_sum, fragment, udp, v6, good[..25].to_vec(), Vec::new()] {
            assert_eq!(parse(&p), None, "{p:?}");
        }
        // Link-layer padding after the total length is not part of the message.
        let mut padded = good.clone();
        padded.extend_from_slice(&[0; 7]);
        assert_eq!(parse(&padded), parse(&good));
    }
}
