//! A chain as the server sent it, verified against a [`Trust`] for a name, and described.
//! Pure: DER in, a [`Verified`] chain or a [`TlsFinding`] out; no I/O.

use std::net::IpAddr;

use super::Trust;
use crate::outcome::tls::{CertInfo, Role, TlsFinding};

/// What the certificate must be valid for: the URL's host (or `host:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Dns(String),
    Ip(IpAddr),
}

/// The certificate of a verified chain that expires first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub subject: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// Whole days from `now` to notAfter, rounded down (negative once expired).
    pub days_left: i64,
}

/// A chain that verifies.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The verified chain, leaf first, the trusted root last (as the store holds it).
    pub chain: Vec<CertInfo>,
    /// The certificate of [`Verified::chain`] that expires first, root included.
    pub earliest: Expiry,
    /// What is worth knowing though it verifies: `IntermediateNotSent`.
    pub notes: Vec<TlsFinding>,
}

/// Verifies `sent` (DER as the server sent it, leaf first) against `trust` for `name` at
/// `now` (UNIX seconds). `sni_sent`: whether the handshake sent SNI (not when the URL named
/// an address), for the words of a name mismatch.
pub fn verify(
    sent: &[Vec<u8>],
    trust: &Trust,
    name: &Name,
    sni_sent: bool,
    now: i64,
) -> Result<Verified, TlsFinding> {
    let _ = (sent, trust, name, sni_sent, now);
    unimplemented!("issue 14: chain verification")
}

/// The chain as sent, described; a certificate that does not parse is described by what
/// could be read of it (its `sha256` at least).
pub fn describe(sent: &[Vec<u8>]) -> Vec<CertInfo> {
    let _ = sent;
    unimplemented!("issue 14: chain description")
}
