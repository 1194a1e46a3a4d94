//! The certificate expiry a check judges (`cert_valid_days`): the earliest over the whole
//! verified chain (`tls::Verified::earliest`), naming the certificate, so that an
//! intermediate or a private root about to expire is seen as soon as a leaf would be.

use crate::outcome::tls::{Role, TlsFinding};

/// The certificate of the chain that expires first, as measured and judged.
#[derive(Debug, Clone)]
pub(super) struct Cert {
    /// OpenSSL's one-line form: `CN=…, O=…`.
    pub(super) subject: String,
    pub(super) role: Role,
    /// RFC 3339, UTC.
    pub(super) not_after: String,
    pub(super) days_left: i64,
}

impl Cert {
    /// The finding when it expires sooner than `wanted` days (`cert_valid_days`).
    pub(super) fn expiring(&self, wanted: u32) -> Option<TlsFinding> {
        (self.days_left < i64::from(wanted)).then(|| TlsFinding::Expiring {
            subject: self.subject.clone(),
            role: self.role,
            not_after: self.not_after.clone(),
            days_left: self.days_left,
            wanted,
        })
    }
}
