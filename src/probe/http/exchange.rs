//! One exchange on the wire: the spec made into a request, the `host:` override, the
//! request sent, redirects followed by hand, and the body read (`body`: decoded, up to its
//! cap, before the deadline) and made text (`charset`). What comes back is judged by
//! `judge`.
//!
//! Timing: the clock starts when the first request is handed to the client, so `time_ms`
//! (what `max_time` judges) covers the client's name lookup, connecting, TLS, every
//! redirect hop, and reading the body to its end or cap; `ttfb_ms` stops when the head of
//! the answer judged has arrived. A `host:` override's lookup and building the client (a
//! CA bundle read) come before and are not counted.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde_json::json;
use tokio::time::Instant;

use super::body::{self, BODY_CAP, End};
use super::charset;
use super::classify::{finding_outcome, hop_failure, transport_failure};
use super::client::Unusable;
use super::client_cert;
use super::conn::{self, Hop, HopError, Https, TLS_KEYS};
use super::judge::judge;
use super::redirect::{follows, redirect_target, redirects_taken, refused, same_origin};
use super::wire::{wire_header_name, wire_method};
use super::{EVIDENCE_BYTES, label};
use crate::model::{HttpSpec, Text, TlsRequirement};
use crate::probe::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, Verdict, ms};

/// Redirects followed before the chain counts as a loop.
const MAX_REDIRECTS: u32 = 5;
/// What `compressed: true` accepts: every coding `body` decodes.
const ACCEPT_COMPRESSED: &str = "gzip, deflate, br, zstd";
/// Bytes of body handed over as evidence past the [`EVIDENCE_BYTES`] shown: room for a
/// secret (percent-encoded, three bytes a byte) that starts before the cut to be seen whole
/// by the scrubber, which cuts after masking.
const EVIDENCE_LOOKAHEAD: usize = 8 * 1024;
/// The evidence handed over to the scrubber.
const EVIDENCE_KEPT: usize = EVIDENCE_BYTES + EVIDENCE_LOOKAHEAD;
/// How long before the runner's deadline a stalled body read gives up, so that the status
/// and the bytes read so far still reach the report instead of a bare timeout.
const BODY_DEADLINE_MARGIN: Duration = Duration::from_millis(50);

/// What the spec asks for, ready for the wire.
struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    /// Headers that carry a secret: dropped when a redirect leaves the origin.
    secret_headers: Vec<HeaderName>,
    body: Option<String>,
}

/// What can still be wrong once the suite has loaded is in the filled values (the URL, a
/// header value): a configuration error, with the message returned. The method and the
/// header names were parsed at load and convert without fail.
fn prepare(spec: &HttpSpec<Text>) -> Result<Request, String> {
    let method = wire_method(spec.method);
    let url =
        Url::parse(&spec.url.expose()).map_err(|e| format!("invalid URL `{}`: {e}", spec.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("URL `{}` is neither http nor https", spec.url));
    }
    let mut headers = HeaderMap::with_capacity(spec.headers.len());
    let mut secret_headers = Vec::new();
    for (name, value) in &spec.headers {
        let n = wire_header_name(name);
        // The value is not shown: it may be a secret.
        let mut v = HeaderValue::from_str(&value.expose())
            .map_err(|_| format!("header `{name}` has a value that cannot be sent"))?;
        if value.has_secret() {
            // Keeps it out of HTTP/2 header compression tables.
            v.set_sensitive(true);
            secret_headers.push(n.clone());
        }
        headers.append(n, v);
    }
    // Without `compressed`, no Accept-Encoding: the identity a plain request means. The
    // suite's own header, when it names one, is sent as written.
    if spec.compressed && !headers.contains_key(header::ACCEPT_ENCODING) {
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static(ACCEPT_COMPRESSED),
        );
    }
    Ok(Request {
        method,
        url,
        headers,
        secret_headers,
        body: spec.body.as_ref().map(Text::expose),
    })
}

/// Points the URL at `name` (for `Host` and SNI) and returns where `name` must resolve: the
/// address the URL named, looked up once if it was a name.
async fn host_override(url: &mut Url, name: &str) -> Result<(String, IpAddr), Outcome> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let port = url.port_or_known_default().unwrap_or(80);
    let Some(host) = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
    else {
        return Err(Outcome::errored(
            ErrorKind::Config,
            format!("URL `{url}` has no host"),
        ));
    };
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => crate::probe::resolve::resolve(host, port).await?.ip(),
    };
    if url.set_host(Some(&name)).is_err() || name.parse::<IpAddr>().is_ok() {
        return Err(Outcome::errored(
            ErrorKind::Config,
            format!("`host: {name}` is not a DNS name to send as Host and SNI"),
        ));
    }
    Ok((name, ip))
}

pub(super) async fn run(spec: &HttpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let Request {
        mut method,
        mut url,
        mut headers,
        secret_headers,
        mut body,
    } = match prepare(spec) {
        Ok(r) => r,
        Err(msg) => return Outcome::errored(ErrorKind::Config, msg),
    };
    let resolve = match &spec.host {
        Some(name) => match host_override(&mut url, &name.expose()).await {
            Ok(r) => Some(r),
            Err(o) => return o,
        },
        None => None,
    };
    let mut m = Measurements::new();
    if spec.insecure {
        m.insert("insecure".into(), json!(true));
    }
    // Built at the first hop that needs them: a plain-HTTP check does not need the CA, and
    // a broken `ca:` must not stop it.
    let mut plain: Option<reqwest::Client> = None;
    let mut https: Option<Https> = None;
    // An HTTPS check's configuration (the CA bundle read, the client certificate) is made
    // before the clock starts, as reqwest's client was: `time_ms` is the network's.
    if url.scheme() == "https" {
        match cx.http.https(spec) {
            Ok(c) => https = Some(c),
            Err(u) => return unusable(spec, u),
        }
    }
    let start = std::time::Instant::now();
    let mut hops = 0u32;
    // The expiry of the certificate of the answer judged (an HTTPS one).
    let mut cert = None;
    let resp = loop {
        for k in TLS_KEYS {
            m.remove(k);
        }
        let sent = if url.scheme() == "https" {
            let cfg = match &https {
                Some(c) => c.clone(),
                None => match cx.http.https(spec) {
                    Ok(c) => https.insert(c).clone(),
                    Err(u) => return unusable(spec, u),
                },
            };
            let hop = Hop {
                method: &method,
                url: &url,
                headers: &headers,
                body: body.as_deref(),
                resolve: resolve.as_ref(),
            };
            conn::send(&hop, &cfg, &cx.http.pool, &mut m)
                .await
                .map(|(r, c)| {
                    cert = c;
                    r
                })
        } else {
            cert = None;
            // The suite demands HTTPS: a plain-HTTP hop fails before its request (and any
            // credential in it) goes out in the clear.
            if spec.expect.tls == TlsRequirement::Required {
                m.insert("tls".into(), json!("none"));
                redirects_taken(&mut m, hops, &url);
                return Outcome::failed(tls_required(spec, hops, &url), m);
            }
            let client = match &plain {
                Some(c) => c.clone(),
                None => match cx.http.plain(resolve.as_ref()) {
                    Ok(c) => plain.insert(c).clone(),
                    Err(msg) => return Outcome::errored(ErrorKind::Config, msg),
                },
            };
            let mut req = client
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            req.send().await.map_err(|e| HopError::Transport {
                connect: e.is_connect(),
                error: Box::new(e),
            })
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                m.insert("time_ms".into(), ms(start.elapsed()));
                redirects_taken(&mut m, hops, &url);
                let hop = (hops > 0).then(|| format!("after {hops} redirects, at {url}"));
                return hop_failure(spec, e, m, hop.as_deref());
            }
        };
        let Some(next) = redirect_target(&resp, &url) else {
            break resp;
        };
        if !follows(spec.redirects, &url, &next) {
            let status = resp.status().as_u16();
            // The suite expects this very status: the redirect itself is the answer.
            if spec.expect.status.contains(&status) {
                break resp;
            }
            m.insert("status".into(), json!(status));
            m.insert("time_ms".into(), ms(start.elapsed()));
            redirects_taken(&mut m, hops, &url);
            return Outcome::failed(refused(spec, status, hops, &url, &next), m);
        }
        if hops == MAX_REDIRECTS {
            m.insert("status".into(), json!(resp.status().as_u16()));
            m.insert("time_ms".into(), ms(start.elapsed()));
            redirects_taken(&mut m, hops, &url);
            return Outcome::failed(
                Failure::new(
                    FailKind::TooManyRedirects,
                    format!(
                        "{}: more than {MAX_REDIRECTS} redirects (status {}, next to {next})",
                        label(spec),
                        resp.status().as_u16()
                    ),
                )
                .expected(
                    format!("at most {MAX_REDIRECTS} redirects"),
                    format!("more than {MAX_REDIRECTS}"),
                ),
                m,
            );
        }
        hops += 1;
        let status = resp.status();
        // As browsers and curl do: 303 turns anything but HEAD into GET, and 301/302 turn a
        // POST into GET; 307/308 resend the same request.
        if (status == StatusCode::SEE_OTHER && method != Method::HEAD)
            || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                && method == Method::POST)
        {
            method = Method::GET;
            body = None;
            for h in [
                header::CONTENT_TYPE,
                header::CONTENT_LENGTH,
                header::CONTENT_ENCODING,
                header::TRANSFER_ENCODING,
            ] {
                headers.remove(h);
            }
        }
        if !same_origin(&url, &next) {
            // Credentials are for the origin the suite named, not for wherever it points.
            for h in [
                header::AUTHORIZATION,
                header::COOKIE,
                header::PROXY_AUTHORIZATION,
            ] {
                headers.remove(h);
            }
            for h in &secret_headers {
                headers.remove(h);
            }
        }
        url = next;
    };

    // The head of the answer judged has arrived: the time to first byte.
    let ttfb = start.elapsed();
    let status = resp.status().as_u16();
    m.insert("status".into(), json!(status));
    redirects_taken(&mut m, hops, &url);
    m.insert("http_version".into(), json!(version_text(resp.version())));

    // Without body expectations only the evidence is kept; the rest is read and counted so
    // the time covers the whole response and the connection can be reused.
    let needs_body = spec.expect.reads_body();
    // `expect.headers` judges the headers of the answer judged (after any redirect).
    let headers = resp.headers().clone();
    let keep = if needs_body { BODY_CAP } else { EVIDENCE_KEPT };
    let codings = body::codings(resp.headers());
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().to_vec());
    let stop_at = deadline
        .checked_sub(BODY_DEADLINE_MARGIN)
        .unwrap_or(deadline);
    // An endless body stops at the cap: dropping the response (inside `read`) closes its
    // connection.
    let (got, end) = body::read(resp, &codings.decode, keep, stop_at).await;
    let took = start.elapsed();
    m.insert("time_ms".into(), ms(took));
    m.insert("ttfb_ms".into(), ms(ttfb));
    m.insert("bytes".into(), json!(got.read));
    if !codings.decode.is_empty() {
        m.insert("bytes_wire".into(), json!(got.wire));
    }
    if got.truncated {
        m.insert("body_truncated".into(), json!(true));
    }
    if let Some(declared) = &codings.declared {
        m.insert("content_encoding".into(), json!(declared));
    }
    let text = charset::decode(content_type.as_deref(), &got.bytes);
    if !got.bytes.is_empty() {
        m.insert("charset".into(), json!(text.charset));
    }
    if let Some(label) = &text.unknown {
        m.insert("charset_unknown".into(), json!(label));
    }
    // The evidence is the text as decoded: what a browser would show, not coded bytes.
    let ev = evidence(text.text.as_bytes());
    let read = got.read;
    match end {
        End::Complete => {}
        End::Cut(e) => {
            let what = format!("status {status}, body cut off after {read} bytes");
            return transport_failure(spec, &e, false, m, Some(&what)).with_evidence(ev);
        }
        End::Late => {
            return Outcome::failed(
                Failure::new(
                    FailKind::Timeout,
                    format!(
                        "{}: status {status}, body still incomplete at the deadline after {read} bytes",
                        label(spec)
                    ),
                )
                .expected("the whole response before the timeout", format!("{read} bytes")),
                m,
            )
            .with_evidence(ev);
        }
        End::Undecodable(e) => {
            let coding = codings.declared.unwrap_or_default();
            return Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!(
                        "{}: status {status}, body is not valid `Content-Encoding: {coding}` \
                         ({e}) after {read} decoded bytes",
                        label(spec)
                    ),
                )
                .expected(format!("a body in {coding}"), "undecodable"),
                m,
            )
            .with_evidence(ev);
        }
    }

    let redirected = (hops > 0).then_some(&url);
    let plain = url.scheme() == "http";
    if plain && spec.expect.cert_valid_days.is_some() {
        // The answer came without TLS: `cert_valid_days` does not apply, and the record
        // says why it was not judged.
        m.insert("tls".into(), json!("none"));
    }
    // Judged as UTF-8 text: the body decoded from its coding and its charset.
    let verdict = judge(
        spec,
        status,
        &headers,
        text.text.as_bytes(),
        got.truncated,
        took,
        cert.as_ref(),
        plain,
        redirected,
    );
    // A server that asked for a client certificate and answered 400 or 403 refused at HTTP
    // what it did not refuse in the handshake: said so, not as the application's status.
    let asked = m.get("tls_client_cert_asked") == Some(&json!(true));
    if let Some(f) = client_cert::refusal(&verdict, status, asked, spec.client_cert.is_some()) {
        let prefix = format!("{}: status {status}", label(spec));
        return finding_outcome(&prefix, &f, m).with_evidence(ev);
    }
    // The finding behind a `cert_valid_days` failure, for the reports' certificate box.
    if let (Verdict::Failed(f), Some(c), Some(days)) =
        (&verdict, &cert, spec.expect.cert_valid_days)
        && f.kind == FailKind::CertExpiring
        && let Some(finding) = c.expiring(days)
    {
        m.insert("tls_finding".into(), json!(finding));
    }
    Outcome {
        verdict,
        measurements: m,
        evidence: ev,
    }
}

/// `expect.tls: required` met a plain-HTTP URL: the one the suite gave, or one a redirect
/// pointed to.
fn tls_required(spec: &HttpSpec<Text>, hops: u32, url: &Url) -> Failure {
    let what = if hops == 0 {
        "plain HTTP, and the check requires HTTPS (`expect.tls: required`): nothing was sent"
            .to_string()
    } else {
        format!(
            "redirected to plain HTTP ({url}), and the check requires HTTPS \
             (`expect.tls: required`): the redirect was not followed"
        )
    };
    Failure::new(FailKind::TlsRequired, format!("{}: {what}", label(spec)))
        .expected("HTTPS", "plain HTTP")
}

/// A TLS configuration that cannot be used: the suite's files are a configuration error,
/// a machine that trusts no CA at all a local one.
fn unusable(spec: &HttpSpec<Text>, u: Unusable) -> Outcome {
    match u {
        Unusable::Config(msg) => Outcome::errored(ErrorKind::Config, msg),
        Unusable::NoRoots(why) => {
            Outcome::errored(ErrorKind::Local, format!("{}: {why}", label(spec)))
        }
    }
}

fn version_text(v: reqwest::Version) -> &'static str {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_11 => "HTTP/1.1",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "unknown",
    }
}

fn evidence(body: &[u8]) -> Option<String> {
    (!body.is_empty()).then(|| crate::probe::evidence_text(body, EVIDENCE_KEPT))
}
