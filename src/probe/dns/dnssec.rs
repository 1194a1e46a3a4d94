//! The DNSSEC records a check reads, from their wire bytes: DNSKEY and DS shown short (a
//! check only judges their presence), and the RRSIGs that `dnssec: true` requires. Nothing
//! is validated: which key signed, and whether the signature holds, is out of scope.
//!
//! hickory decodes these types only with its DNSSEC features, which pull in a crypto
//! library this crate does not need; without them they arrive as opaque data. Reading the
//! few fixed fields from the bytes works either way.

use hickory_resolver::proto::rr::{Name, Record, RecordType as Rr};
use hickory_resolver::proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable};

use super::records::show_name;

/// DNSKEY `257 3 13 <key tag 12345>`, DS `12345 13 2 49FD46E6…`; `None` for another type.
pub(super) fn present(r: &Record) -> Option<String> {
    let b = r.data.to_bytes().ok()?;
    match r.record_type() {
        Rr::DNSKEY if b.len() >= 4 => {
            let flags = u16::from_be_bytes([b[0], b[1]]);
            Some(format!(
                "{flags} {} {} <key tag {}>",
                b[2],
                b[3],
                key_tag(&b)
            ))
        }
        Rr::DS if b.len() >= 4 => {
            let tag = u16::from_be_bytes([b[0], b[1]]);
            let digest: String = b[4..].iter().take(4).fold(String::new(), |mut s, x| {
                s.push_str(&format!("{x:02X}"));
                s
            });
            let more = if b.len() > 8 { "…" } else { "" };
            Some(format!("{tag} {} {} {digest}{more}", b[2], b[3]))
        }
        _ => None,
    }
}

/// The key tag of a DNSKEY's data (RFC 4034 appendix B), as DS and RRSIG records name it.
fn key_tag(rdata: &[u8]) -> u16 {
    let mut ac: u32 = 0;
    for (i, b) in rdata.iter().enumerate() {
        ac += if i % 2 == 0 {
            u32::from(*b) << 8
        } else {
            u32::from(*b)
        };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}

/// An RRSIG record's type covered and signer name (RFC 4034 §3.1); `None` for another
/// record.
pub(super) fn rrsig(r: &Record) -> Option<(Rr, String)> {
    if r.record_type() != Rr::RRSIG {
        return None;
    }
    let b = r.data.to_bytes().ok()?;
    // type covered 2, algorithm 1, labels 1, original TTL 4, expiration 4, inception 4, key
    // tag 2: the signer's name (never compressed) starts at byte 18.
    let covered = Rr::from(u16::from_be_bytes([*b.first()?, *b.get(1)?]));
    let signer = Name::read(&mut BinDecoder::new(b.get(18..)?)).ok()?;
    Some((covered, show_name(&signer)))
}

/// The signer of the first RRSIG among `records` that covers `t` (any type when `None`).
pub(super) fn signer<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    t: Option<Rr>,
) -> Option<String> {
    records
        .into_iter()
        .filter_map(rrsig)
        .find(|(covered, _)| t.is_none_or(|t| *covered == t))
        .map(|(_, signer)| signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_tag_of_the_rfc_4034_example_key() {
        // RFC 4034 §5.4: the DS example's DNSKEY (dskey.example.com., key tag 60485).
        let key = base64(
            "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==",
        );
        let mut rdata = vec![1, 0, 3, 5];
        rdata.extend_from_slice(&key);
        assert_eq!(key_tag(&rdata), 60485);
    }

    fn base64(s: &str) -> Vec<u8> {
        const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
        for c in s.bytes().filter(|c| *c != b'=') {
            bits = (bits << 6) | ABC.iter().position(|x| *x == c).unwrap() as u32;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }
}
