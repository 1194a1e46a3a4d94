//! What a check trusts: the system's CA store and the suite's `ca:` bundle, loaded once per
//! bundle and shared by every check of the run.

use crate::outcome::tls::TlsFinding;

/// The roots (and any intermediates) a chain may be verified against.
pub struct Trust {
    _private: (),
}

impl Trust {
    /// The system store plus `ca_pem` (the suite's `ca:` bundle, PEM), when given. An
    /// error names what is wrong with the bundle (no certificate in it, not PEM).
    pub fn new(ca_pem: Option<&[u8]>) -> Result<Trust, String> {
        let _ = ca_pem;
        unimplemented!("issue 14: trust store")
    }

    /// No CA certificate is trusted at all: no system store and no `ca:`.
    pub fn is_empty(&self) -> bool {
        unimplemented!("issue 14: trust store")
    }

    /// What the bundle itself hides: a `CaBundleIntermediate` per intermediate in `ca:`.
    pub fn notes(&self) -> &[TlsFinding] {
        unimplemented!("issue 14: trust store")
    }
}
