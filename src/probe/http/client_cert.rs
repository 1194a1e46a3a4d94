//! A client certificate refused at HTTP rather than in the handshake. nginx with
//! `ssl_verify_client on` (and IIS, and servers like them) asks for a certificate, completes
//! the handshake without one or with one it does not trust, and answers 400 ("No required
//! SSL certificate was sent", "The SSL certificate error") or 403. Judged as a status, such
//! an answer would read as the application's fault; it is the check's missing certificate
//! (errored `ClientCertRequired`) or the server refusing the one given (`ClientCertRejected`).

use crate::outcome::tls::TlsFinding;
use crate::probe::{FailKind, Verdict};

/// Statuses servers answer a missing or refused client certificate with: 400 (nginx), 403
/// (IIS 403.7, and applications), 495 and 496 (nginx's own codes, should they be sent).
const REFUSALS: [u16; 4] = [400, 403, 495, 496];

/// The finding that explains a failed status, when the server asked for a client
/// certificate during the handshake (`asked`, as rustls saw the request) and answered one
/// of [`REFUSALS`]; `presented`: the check gave one.
pub(super) fn refusal(
    verdict: &Verdict,
    status: u16,
    asked: bool,
    presented: bool,
) -> Option<TlsFinding> {
    let Verdict::Failed(f) = verdict else {
        return None;
    };
    if !asked || f.kind != FailKind::StatusMismatch || !REFUSALS.contains(&status) {
        return None;
    }
    Some(if presented {
        TlsFinding::ClientCertRejected {
            alert: format!("HTTP {status} after the handshake"),
        }
    } else {
        TlsFinding::ClientCertRequired
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Failure;

    fn status_failure() -> Verdict {
        Verdict::Failed(Failure::new(FailKind::StatusMismatch, "status 400"))
    }

    #[test]
    fn only_a_refusal_status_after_a_request_for_a_certificate_is_one() {
        let v = status_failure();
        assert_eq!(
            refusal(&v, 400, true, false),
            Some(TlsFinding::ClientCertRequired)
        );
        assert_eq!(
            refusal(&v, 403, true, true),
            Some(TlsFinding::ClientCertRejected {
                alert: "HTTP 403 after the handshake".into()
            })
        );
        // Not asked: the application's own 400.
        assert_eq!(refusal(&v, 400, false, false), None);
        // Another status, or a status the suite expected (the verdict passed).
        assert_eq!(refusal(&v, 500, true, false), None);
        assert_eq!(refusal(&Verdict::Passed, 400, true, false), None);
        let body = Verdict::Failed(Failure::new(FailKind::BodyMismatch, "no UP"));
        assert_eq!(refusal(&body, 400, true, false), None);
    }
}
