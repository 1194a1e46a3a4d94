//! HTTP probe validation: the raw `http:` block → [`HttpSpec`], with the method, the header
//! names and the redirect policy parsed into their model types here, at load, so a mistake
//! in them is reported at its place before any traffic; `expect.json` is parsed in
//! `expect`, `expect.headers` in `header_expect`, `expect.json_schema` compiled in
//! `json_schema`. Header values, the URL and the other strings are templates: they are
//! checked once filled for a node.

use super::inventory::parse_enum;
use super::raw::{RawHttp, S};
use super::suite::attempt_limit;
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::{Diagnostic, suggest};
use crate::model::limits::{CERT_VALID_DAYS, HTTP_STATUS};
use crate::model::{
    Duration, HeaderName, HttpExpect, HttpMethod, HttpSpec, RedirectPolicy, Template,
    TlsRequirement,
};

/// `timeout` is the check's (`None`: invalid, reported already): `expect.max_time` may not
/// exceed it.
pub(super) fn http(
    ld: &mut Loader,
    f: u32,
    p: &RawHttp,
    t: &mut Templates,
    timeout: Option<Duration>,
) -> HttpSpec<Template> {
    let method = p
        .method
        .as_ref()
        .and_then(|m| method(ld, f, m))
        .unwrap_or_default();
    let mut expect = HttpExpect::default();
    if let Some(e) = &p.expect {
        for s in &e.status {
            if let Some(code) = numbers::int(ld, f, s, HTTP_STATUS) {
                expect.status.push(code as u16);
            }
        }
        expect.headers = super::header_expect::headers(ld, f, &e.headers, t);
        expect.body_contains = e.body_contains.iter().map(|s| t.parse(ld, s)).collect();
        expect.json = super::expect::json(ld, f, &e.json, t);
        expect.json_schema = e
            .json_schema
            .as_ref()
            .and_then(|s| super::json_schema::json_schema(ld, f, s));
        expect.max_time = e
            .max_time
            .as_ref()
            .and_then(|s| attempt_limit(ld, f, "max_time", s, timeout));
        expect.cert_valid_days = e
            .cert_valid_days
            .as_ref()
            .and_then(|d| numbers::int(ld, f, d, CERT_VALID_DAYS));
        expect.tls = e
            .tls
            .as_ref()
            .and_then(|s| {
                parse_enum(
                    ld,
                    f,
                    s,
                    "`expect.tls` value",
                    &TlsRequirement::ALL.map(TlsRequirement::as_str),
                    TlsRequirement::parse,
                )
            })
            .unwrap_or_default();
    }
    let mut headers = Vec::with_capacity(p.headers.0.len());
    for (k, v) in &p.headers.0 {
        let name = header_name(ld, f, k);
        let value = t.parse(ld, v);
        if let Some(name) = name {
            headers.push((name, value));
        }
    }
    let ca = p.ca.as_ref().map(|s| {
        let template = t.parse(ld, s);
        // With verification off the bundle changes nothing, so what it holds does not matter.
        if !p.insecure {
            super::tls::ca_bundle(ld, f, s, &template);
        }
        template
    });
    let client = super::tls::client_cert(ld, f, p, t);
    HttpSpec {
        method,
        url: t.parse(ld, &p.url),
        headers,
        body: p.body.as_ref().map(|s| t.parse(ld, s)),
        ca,
        insecure: p.insecure,
        tls: super::tls::policy(ld, f, p),
        client_cert: client.cert,
        client_key: client.key,
        client_cert_password: client.password,
        host: p.host.as_ref().map(|s| t.parse(ld, s)),
        redirects: p
            .redirects
            .as_ref()
            .and_then(|s| {
                parse_enum(
                    ld,
                    f,
                    s,
                    "redirect policy",
                    &RedirectPolicy::ALL.map(RedirectPolicy::as_str),
                    RedirectPolicy::parse,
                )
            })
            .unwrap_or_default(),
        compressed: p.compressed,
        expect,
    }
}

/// The method, in any case (`get` is `GET`), or a diagnostic with the closest one.
fn method(ld: &mut Loader, f: u32, m: &S) -> Option<HttpMethod> {
    let parsed = HttpMethod::parse(&m.value);
    if parsed.is_none() {
        let names = HttpMethod::ALL.map(HttpMethod::as_str);
        let hint = suggest::did_you_mean(&m.value.to_ascii_uppercase(), names)
            .unwrap_or_else(|| format!("one of: {}", names.join(", ")));
        ld.push(
            Diagnostic::error(
                loc(f, &m.referenced),
                format!("unknown HTTP method `{}`", m.value),
            )
            .with_hint(hint),
        );
    }
    parsed
}

/// A header name, or a diagnostic at the key saying which character cannot be sent.
pub(super) fn header_name(ld: &mut Loader, f: u32, k: &S) -> Option<HeaderName> {
    match HeaderName::parse(&k.value) {
        Ok(n) => Some(n),
        Err(why) => {
            // The usual mistake is a space for a dash; offer the name with dashes if that
            // makes one.
            let dashed = k.value.trim().replace(char::is_whitespace, "-");
            let example = match HeaderName::parse(&dashed) {
                Ok(n) => n.to_string(),
                Err(_) => "X-Request-Id".to_string(),
            };
            ld.push(
                Diagnostic::error(
                    loc(f, &k.referenced),
                    format!("invalid header name `{}`: it {why}", k.value),
                )
                .with_hint(format!(
                    "a header name holds letters, digits and !#$%&'*+-.^_`|~ only, e.g. `{example}`"
                )),
            );
            None
        }
    }
}
