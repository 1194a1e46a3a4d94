//! TLS for HTTPS checks: the prober's own handshake (rustls first, OpenSSL where rustls has
//! no common suite, a follow-up that names an old protocol), client certificates, and the
//! chain judged whole (OpenSSL's X509 store: every certificate's dates, the root's too,
//! digests, key sizes, name constraints, EKU; the name by webpki, SAN only), described for
//! the record and worded as a `TlsFinding`.
//!
//! The parts: `trust` holds what is trusted (the system store and the suite's `ca:`),
//! `chain` verifies and describes a chain as sent (pure: DER in, findings out), `connect`
//! makes the handshake (rustls, then OpenSSL in `fallback`), `client_auth` reads the client
//! certificate and presents it.

mod chain;
mod client_auth;
mod connect;
mod fallback;
mod trust;

pub use chain::{Expiry, Name, Verified, describe, verify};
pub use client_auth::Identity;
pub use connect::{Handshake, HandshakeError, Stream, TlsInfo, TlsSetup, after_handshake, connect};
pub use trust::Trust;

// `info` describes one certificate (CertInfo: its dates, key, names in one line); `name`
// judges the name and words EKU and name constraints.
mod info;
mod name;
mod parsed;
