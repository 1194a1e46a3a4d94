//! HTTP probe validation: the raw `http:` block → [`HttpSpec`], with the method, the header
//! names, the redirect policy and the `expect.json` paths parsed into their model types
//! here, at load, so a mistake in them is reported at its place before any traffic. Header values, the URL and
//! the other strings are templates: they are checked once filled for a node.

use serde_saphyr::Spanned;

use super::inventory::parse_enum;
use super::raw::{RawHttp, S};
use super::suite::attempt_limit;
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::{Diagnostic, suggest};
use crate::model::limits::{CERT_VALID_DAYS, HTTP_STATUS};
use crate::model::{
    Duration, HeaderName, HttpExpect, HttpMethod, HttpSpec, JsonPath, RedirectPolicy, Template,
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
    let mut expect = HttpExpect {
        status: Vec::new(),
        body_contains: Vec::new(),
        json: Vec::new(),
        max_time: None,
        cert_valid_days: None,
    };
    if let Some(e) = &p.expect {
        for s in &e.status {
            if let Some(code) = numbers::int(ld, f, s, HTTP_STATUS) {
                expect.status.push(code as u16);
            }
        }
        expect.body_contains = e.body_contains.iter().map(|s| t.parse(ld, s)).collect();
        for (k, v) in &e.json.0 {
            let path = json_path(ld, f, k);
            // The expected value is parsed even under a bad path, so that its own mistakes
            // are reported in the same pass.
            let tpl = match &v.value {
                serde_json::Value::String(s) => t.parse(
                    ld,
                    &Spanned {
                        value: s.clone(),
                        referenced: v.referenced,
                        defined: v.defined,
                    },
                ),
                other => Template::literal(&other.to_string(), loc(f, &v.referenced)),
            };
            if let Some(path) = path {
                expect.json.push((path, tpl));
            }
        }
        expect.max_time = e
            .max_time
            .as_ref()
            .and_then(|s| attempt_limit(ld, f, "max_time", s, timeout));
        expect.cert_valid_days = e
            .cert_valid_days
            .as_ref()
            .and_then(|d| numbers::int(ld, f, d, CERT_VALID_DAYS));
    }
    let mut headers = Vec::with_capacity(p.headers.0.len());
    for (k, v) in &p.headers.0 {
        let name = header_name(ld, f, k);
        let value = t.parse(ld, v);
        if let Some(name) = name {
            headers.push((name, value));
        }
    }
    HttpSpec {
        method,
        url: t.parse(ld, &p.url),
        headers,
        body: p.body.as_ref().map(|s| t.parse(ld, s)),
        ca: p.ca.as_ref().map(|s| t.parse(ld, s)),
        insecure: p.insecure,
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
fn header_name(ld: &mut Loader, f: u32, k: &S) -> Option<HeaderName> {
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

/// An `expect.json` key compiled, or a diagnostic at the key with the parser's reason.
fn json_path(ld: &mut Loader, f: u32, k: &S) -> Option<JsonPath> {
    let at = loc(f, &k.referenced);
    if !k.value.starts_with('$') {
        ld.push(
            Diagnostic::error(at, format!("`{}` is not a JSONPath", k.value))
                .with_hint("JSONPath starts at the root `$`, e.g. `$.status`"),
        );
        return None;
    }
    match JsonPath::parse(&k.value) {
        Ok(p) => Some(p),
        Err(why) => {
            ld.push(
                Diagnostic::error(at, format!("invalid JSONPath `{}`: {why}", k.value)).with_hint(
                    "JSONPath as in RFC 9535, e.g. `$.status`, `$.items[0].state` or `$['a key']`",
                ),
            );
            None
        }
    }
}
