//! What the TLS layer tells about a response: the peer certificate's remaining validity and
//! the protocol version.

pub(super) fn tls_version_text(v: reqwest::tls::Version) -> Option<&'static str> {
    use reqwest::tls::Version as V;
    [
        (V::TLS_1_0, "TLSv1.0"),
        (V::TLS_1_1, "TLSv1.1"),
        (V::TLS_1_2, "TLSv1.2"),
        (V::TLS_1_3, "TLSv1.3"),
    ]
    .into_iter()
    .find_map(|(x, s)| (x == v).then_some(s))
}

/// The peer certificate's expiry, as measured and judged (`cert_valid_days`).
pub(super) struct Cert {
    pub(super) days_left: i64,
    /// RFC 3339, UTC.
    pub(super) not_after: String,
}

pub(super) fn peer_cert(resp: &reqwest::Response) -> Result<Cert, String> {
    let der = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .ok_or("the TLS layer did not report the peer certificate")?;
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("cannot parse the peer certificate: {e}"))?;
    let not_after = cert.validity().not_after.timestamp();
    let now = chrono::Utc::now().timestamp();
    let not_after_text = chrono::DateTime::from_timestamp(not_after, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| not_after.to_string());
    Ok(Cert {
        days_left: (not_after - now).div_euclid(86_400),
        not_after: not_after_text,
    })
}
