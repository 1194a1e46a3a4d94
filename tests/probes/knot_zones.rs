//! The zones the Knot DNS tests (`dns_knot`) serve: a national parent zone that delegates a
//! provincial child (with glue), names only DNS rules allow (underscores, an IDN, an `xn--`
//! label that is not punycode), a zone whose own name is an IDN, RFC 2317 classless reverse delegation, a 100-record RRset
//! that cannot fit a UDP answer, TXT with control, GBK and UTF-8 bytes, a null MX, an SRV
//! with the root target, CAA and DS, and a zone Knot signs.

use std::fmt::Write as _;

/// The serial of the national zone on the primary (and on a secondary in sync).
#[allow(
    clippy::unreadable_literal,
    reason = "a serial reads as a date and a number: YYYYMMDDNN"
)]
pub const SERIAL: u32 = 2026120301;
/// The serial a lagging secondary still serves.
#[allow(
    clippy::unreadable_literal,
    reason = "a serial reads as a date and a number: YYYYMMDDNN"
)]
pub const OLD_SERIAL: u32 = 2026112901;

/// `aq.gov.test.` as the national primary serves it, with `serial`; the name server's glue
/// is `ns_addr`, the child's servers `child_ns`.
pub fn national(serial: u32, child_ns: [&str; 2]) -> String {
    let mut z = format!(
        r#"$ORIGIN aq.gov.test.
$TTL 300
@            SOA   ns1.aq.gov.test. hostmaster.aq.gov.test. {serial} 3600 600 86400 60
@            NS    ns1.aq.gov.test.
@            CAA   0 issue "ca.aq.gov.test"
ns1          A     198.18.0.53
national     A     198.18.0.1
under_score  A     198.18.0.2
_dmarc       TXT   "v=DMARC1; p=reject"
; 应急管理部 (the Ministry of Emergency Management) as its A-label
xn--extu8ah31brfhgw1a A 198.18.0.3
; not valid punycode, yet a legal DNS label
xn--zz       A     198.18.0.4
; the provincial zone, delegated with glue
sx           NS    ns1.sx.aq.gov.test.
sx           NS    ns2.sx.aq.gov.test.
ns1.sx       A     {}
ns2.sx       A     {}
; a delegation with a DS record at the parent (the digest is only its form)
dsc          NS    ns1.aq.gov.test.
dsc          DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ctl          TXT   "a\009b"
gbk          TXT   "\211\166\188\177"
zh           TXT   "\229\186\148\230\128\165\231\174\161\231\144\134\233\131\168"
multi        TXT   "v=spf1 ip4:198.18.0.0/15" " -all"
nullmx       MX    0 .
_none._tcp   SRV   0 0 0 .
"#,
        child_ns[0], child_ns[1]
    );
    for i in 1..=100 {
        let _ = writeln!(z, "big A 198.18.1.{i}");
    }
    z
}

/// `sx.aq.gov.test.`, the delegated provincial zone.
pub fn provincial() -> String {
    r"$ORIGIN sx.aq.gov.test.
$TTL 300
@     SOA  ns1.sx.aq.gov.test. hostmaster.sx.aq.gov.test. 7 3600 600 86400 60
@     NS   ns1.sx.aq.gov.test.
@     NS   ns2.sx.aq.gov.test.
ns1   A    198.18.2.53
ns2   A    198.18.2.54
www   A    198.18.2.1
"
    .to_string()
}

/// `100.51.198.in-addr.arpa.`: the /24 that hands `0/25` to a zone of its own (RFC 2317).
pub fn reverse_24() -> String {
    r"$ORIGIN 100.51.198.in-addr.arpa.
$TTL 300
@      SOA   ns1.aq.gov.test. hostmaster.aq.gov.test. 1 3600 600 86400 60
@      NS    ns1.aq.gov.test.
0/25   NS    ns1.aq.gov.test.
5      CNAME 5.0/25.100.51.198.in-addr.arpa.
"
    .to_string()
}

/// `0/25.100.51.198.in-addr.arpa.`: the classless zone itself.
pub fn reverse_25() -> String {
    r"$ORIGIN 0/25.100.51.198.in-addr.arpa.
$TTL 300
@      SOA   ns1.aq.gov.test. hostmaster.aq.gov.test. 1 3600 600 86400 60
@      NS    ns1.aq.gov.test.
5      PTR   national.aq.gov.test.
"
    .to_string()
}

/// `应急管理部.中国.` (`xn--extu8ah31brfhgw1a.xn--fiqs8s.`): a zone whose name is an IDN,
/// with an IDN owner (`值班`, `xn--hxqz38f`) and an IDN mail exchange.
pub fn idn() -> String {
    r"$ORIGIN xn--extu8ah31brfhgw1a.xn--fiqs8s.
$TTL 300
@            SOA   ns1 hostmaster 2026120301 3600 600 86400 60
@            NS    ns1
@            MX    10 xn--hxqz38f
ns1          A     198.18.4.53
www          A     198.18.4.1
xn--hxqz38f  A     198.18.4.2
duty         CNAME xn--hxqz38f
"
    .to_string()
}

/// `signed.test.`, which Knot signs at start.
pub fn signed() -> String {
    r"$ORIGIN signed.test.
$TTL 300
@      SOA   ns1.signed.test. hostmaster.signed.test. 1 3600 600 86400 60
@      NS    ns1.signed.test.
ns1    A     198.18.3.53
www    A     198.18.3.1
"
    .to_string()
}
