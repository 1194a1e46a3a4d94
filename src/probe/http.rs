//! HTTP(S) prober: send one request, follow up to five redirects, read at most 1 MiB of the
//! body, and judge status, body, JSON values, total time and the certificate's remaining
//! validity.
//!
//! Clients are built once per TLS configuration and shared by every probe of the run, so a
//! CA bundle is parsed once. Every check opens its own connection, as blackbox_exporter's
//! probes do: a check measures the whole path (connect, TLS) and cannot inherit a connection
//! another check left in a bad state. `--reuse-connections` lets the next check of the same
//! endpoint reuse one left open less than a second ago, as Hurl and curl do.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::io::ErrorKind as Io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::resolve::{ResolveError, SystemResolver};
use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, Problem, Verdict, ms};
use crate::model::{HttpSpec, Text};

/// Redirects followed before the chain counts as a loop.
const MAX_REDIRECTS: u32 = 5;
/// Bytes of body kept and judged; the rest is never read.
const BODY_CAP: usize = 1 << 20;
/// Bytes of body shown as evidence.
const EVIDENCE_BYTES: usize = 512;
/// How long before the runner's deadline a stalled body read gives up, so that the status
/// and the bytes read so far still reach the report instead of a bare timeout.
const BODY_DEADLINE_MARGIN: Duration = Duration::from_millis(50);

/// HTTP clients shared by the run: one per TLS configuration (CA file, insecure, `host`
/// override), built on first use and reused, so a CA bundle is read and parsed once.
pub struct Clients {
    base_dir: PathBuf,
    /// A check may reuse a connection an earlier one left open (`--reuse-connections`).
    reuse: bool,
    /// Clients by configuration, with the error of one that could not be built. Locked only
    /// to look up or build; probes then clone the client (cheap: it is reference-counted)
    /// and send without holding the lock.
    built: Mutex<HashMap<ClientKey, Result<Slot, String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    /// Absolute path of the extra CA bundle; `None` when only the system store counts.
    ca: Option<PathBuf>,
    insecure: bool,
    /// A `host:` override: this name resolves to this address for the client. One client per
    /// pair, since the same name may stand for a different address on another node.
    resolve: Option<(String, IpAddr)>,
}

#[derive(Clone)]
struct Slot {
    client: reqwest::Client,
    /// Set when the system store had no CA certificate: the client then still serves plain
    /// HTTP, and HTTPS is refused with this explanation instead of a misleading
    /// "unknown issuer" on every host.
    no_roots: Option<String>,
}

impl Clients {
    /// `base_dir` is the suite file's folder: relative `ca:` paths are relative to it.
    pub fn new(base_dir: &Path) -> Clients {
        Clients {
            base_dir: base_dir.to_path_buf(),
            reuse: false,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// Lets a check reuse a connection a previous check of the same endpoint left open.
    pub fn reuse_connections(mut self, reuse: bool) -> Clients {
        self.reuse = reuse;
        self
    }

    /// The client for this spec's TLS configuration. A CA file that cannot be used stays an
    /// error for the whole run: it is read once, like the suite.
    fn get(
        &self,
        spec: &HttpSpec<Text>,
        resolve: Option<(String, IpAddr)>,
        with_ca: bool,
    ) -> Result<Slot, String> {
        let key = ClientKey {
            resolve,
            // Verification is off with `insecure`, so a CA would change nothing.
            ca: match &spec.ca {
                Some(ca) if !spec.insecure && with_ca => Some(self.base_dir.join(ca.expose())),
                _ => None,
            },
            insecure: spec.insecure,
        };
        // Poisoning can only come from a panic while building; the map is still consistent.
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = built.get(&key) {
            return slot.clone();
        }
        // Built under the lock on purpose: the first probes of a run all want the same
        // client, and building it once beats building it concurrently and discarding copies.
        let slot = build_client(&key, spec.ca.as_ref(), self.reuse);
        built.insert(key, slot.clone());
        slot
    }
}

/// How long a connection a check left open waits for the next check of its endpoint, with
/// `--reuse-connections`: a node's checks follow each other within milliseconds once their
/// `needs` pass, and idle connections kept longer would only hold memory.
const IDLE_REUSE: Duration = Duration::from_secs(1);

fn client_builder(reuse: bool) -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder()
        // Redirects are followed by hand: reqwest cannot tell how many hops a response took.
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would test the proxy, not the network path.
        .no_proxy()
        .tls_info(true)
        .user_agent(concat!("netaccept/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(SystemResolver));
    if reuse {
        // Measured on 10,000 health checks over 2,500 endpoints (4 each): 1.70 s with a
        // connection per check, 1.32 s with reuse. Over the national run it held about 90 MB
        // more (idle connections) for no time saved, hence not the default.
        b.pool_max_idle_per_host(1).pool_idle_timeout(IDLE_REUSE)
    } else {
        // No idle connection is kept: each check connects (and handshakes) on its own.
        b.pool_max_idle_per_host(0)
    }
}

fn build_client(key: &ClientKey, ca_shown: Option<&Text>, reuse: bool) -> Result<Slot, String> {
    let mut b = client_builder(reuse);
    if let Some((name, ip)) = &key.resolve {
        // Port 0: the URL's port is used.
        b = b.resolve(name, SocketAddr::new(*ip, 0));
    }
    if key.insecure {
        b = b.tls_danger_accept_invalid_certs(true);
    } else if let Some(path) = &key.ca {
        // Shown as the suite wrote it (a templated path may hold a secret).
        let shown = ca_shown.map(|t| t.to_string()).unwrap_or_default();
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read CA file `{shown}` ({}): {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("CA file `{shown}` is not a PEM bundle: {}", innermost(&e)))?;
        if certs.is_empty() {
            return Err(format!("CA file `{shown}` holds no PEM certificate"));
        }
        return b
            .tls_certs_merge(certs)
            .build()
            .map(|client| Slot {
                client,
                no_roots: None,
            })
            .map_err(|e| format!("CA file `{shown}` cannot be used: {}", innermost(&e)));
    }
    match b.build() {
        Ok(client) => Ok(Slot {
            client,
            no_roots: None,
        }),
        Err(e) => {
            let why = innermost(&e);
            // Without any root the platform verifier refuses to build; plain HTTP must still work.
            let client = client_builder(reuse)
                .tls_certs_only(Vec::new())
                .build()
                .map_err(|e2| format!("cannot set up an HTTP client: {why}; {}", innermost(&e2)))?;
            Ok(Slot {
                client,
                no_roots: Some(format!(
                    "no usable CA certificate in the system store ({why}); give `ca:` or install the system CA certificates"
                )),
            })
        }
    }
}

/// One attempt: the request, its redirects and the body, judged against `spec.expect`.
/// Secrets of the spec never appear in the outcome, even when the server echoes them.
pub async fn probe(spec: &HttpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let outcome = run(spec, cx, deadline).await;
    scrub(outcome, spec)
}

/// What the spec asks for, ready for the wire.
struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    /// Headers that carry a secret: dropped when a redirect leaves the origin.
    secret_headers: Vec<HeaderName>,
    body: Option<String>,
}

/// Everything a suite can get wrong is a configuration error, with the message returned.
fn prepare(spec: &HttpSpec<Text>) -> Result<Request, String> {
    let method = Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| format!("invalid HTTP method `{}`", spec.method))?;
    let url =
        Url::parse(&spec.url.expose()).map_err(|e| format!("invalid URL `{}`: {e}", spec.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("URL `{}` is neither http nor https", spec.url));
    }
    let mut headers = HeaderMap::with_capacity(spec.headers.len());
    let mut secret_headers = Vec::new();
    for (name, value) in &spec.headers {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name `{name}`"))?;
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
        Err(_) => super::resolve::resolve(host, port).await?.ip(),
    };
    if url.set_host(Some(&name)).is_err() || name.parse::<IpAddr>().is_ok() {
        return Err(Outcome::errored(
            ErrorKind::Config,
            format!("`host: {name}` is not a DNS name to send as Host and SNI"),
        ));
    }
    Ok((name, ip))
}

fn label(spec: &HttpSpec<Text>) -> String {
    format!("{} {}", spec.method, spec.url)
}

async fn run(spec: &HttpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
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
    let slot = match cx.http.get(spec, resolve.clone(), true) {
        Ok(s) => s,
        // A plain-HTTP check does not need the CA unless a redirect leads to HTTPS, where
        // the missing trust then shows as an invalid certificate: the honest verdict.
        Err(_) if url.scheme() == "http" => match cx.http.get(spec, resolve, false) {
            Ok(s) => s,
            Err(msg) => return Outcome::errored(ErrorKind::Config, msg),
        },
        Err(msg) => return Outcome::errored(ErrorKind::Config, msg),
    };
    if let Some(why) = &slot.no_roots
        && url.scheme() == "https"
        && !spec.insecure
    {
        return Outcome::errored(ErrorKind::Local, format!("{}: {why}", label(spec)));
    }

    let mut m = Measurements::new();
    if spec.insecure {
        m.insert("insecure".into(), json!(true));
    }
    let start = std::time::Instant::now();
    let mut hops = 0u32;
    let mut resp = loop {
        let mut req = slot
            .client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                m.insert("time_ms".into(), ms(start.elapsed()));
                m.insert("redirects".into(), json!(hops));
                let hop = (hops > 0).then(|| format!("after {hops} redirects, at {url}"));
                return transport_failure(spec, &e, m, hop.as_deref());
            }
        };
        let Some(next) = redirect_target(&resp) else {
            break resp;
        };
        if hops == MAX_REDIRECTS {
            m.insert("status".into(), json!(resp.status().as_u16()));
            m.insert("time_ms".into(), ms(start.elapsed()));
            m.insert("redirects".into(), json!(hops));
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

    let status = resp.status().as_u16();
    m.insert("status".into(), json!(status));
    m.insert("redirects".into(), json!(hops));
    m.insert("http_version".into(), json!(version_text(resp.version())));
    let cert = if resp.url().scheme() == "https" {
        match peer_cert(&resp) {
            Ok(c) => {
                m.insert("cert_days_left".into(), json!(c.days_left));
                m.insert("cert_not_after".into(), json!(c.not_after));
                Some(c)
            }
            Err(why) => {
                return Outcome::errored(ErrorKind::Internal, format!("{}: {why}", label(spec)));
            }
        }
    } else {
        None
    };
    if let Some(v) = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.version())
        .and_then(tls_version_text)
    {
        m.insert("tls_version".into(), json!(v));
    }

    // Without body expectations only the evidence is kept; the rest is read and counted so
    // the time covers the whole response and the connection can be reused.
    let needs_body = !spec.expect.body_contains.is_empty() || !spec.expect.json.is_empty();
    let keep = if needs_body { BODY_CAP } else { EVIDENCE_BYTES };
    let hint = resp
        .content_length()
        .map_or(8 * 1024, |n| n as usize)
        .min(keep);
    let mut buf: Vec<u8> = Vec::with_capacity(hint);
    let mut read = 0usize;
    let mut truncated = false;
    let stop_at = deadline
        .checked_sub(BODY_DEADLINE_MARGIN)
        .unwrap_or(deadline);
    loop {
        let chunk = match tokio::time::timeout_at(stop_at, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            Ok(Ok(None)) => break,
            Ok(Err(e)) => {
                m.insert("bytes".into(), json!(read));
                m.insert("time_ms".into(), ms(start.elapsed()));
                let what = format!("status {status}, body cut off after {read} bytes");
                return transport_failure(spec, &e, m, Some(&what)).with_evidence(evidence(&buf));
            }
            Err(_) => {
                m.insert("bytes".into(), json!(read));
                m.insert("time_ms".into(), ms(start.elapsed()));
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
                .with_evidence(evidence(&buf));
            }
        };
        if read == BODY_CAP {
            // The cap was reached exactly; any further byte means the body was longer.
            truncated |= !chunk.is_empty();
            break;
        }
        let take = chunk.len().min(BODY_CAP - read);
        if buf.len() < keep {
            let room = keep - buf.len();
            buf.extend_from_slice(&chunk[..take.min(room)]);
        }
        read += take;
        if take < chunk.len() {
            truncated = true;
            break;
        }
    }
    // An endless body stops here: dropping the response closes its connection.
    drop(resp);
    let took = start.elapsed();
    m.insert("time_ms".into(), ms(took));
    m.insert("bytes".into(), json!(read));
    if truncated {
        m.insert("body_truncated".into(), json!(true));
    }
    let ev = evidence(&buf);

    let verdict = judge(spec, status, &buf, truncated, took, cert.as_ref(), &url);
    Outcome {
        verdict,
        measurements: m,
        evidence: ev,
    }
}

fn judge(
    spec: &HttpSpec<Text>,
    status: u16,
    body: &[u8],
    truncated: bool,
    took: Duration,
    cert: Option<&Cert>,
    final_url: &Url,
) -> Verdict {
    let x = &spec.expect;
    let fail = |f: Failure| Verdict::Failed(f);
    let status_ok = if x.status.is_empty() {
        status < 400
    } else {
        x.status.contains(&status)
    };
    if !status_ok {
        let expected = if x.status.is_empty() {
            "status < 400".to_string()
        } else {
            format!("status in {:?}", x.status)
        };
        let wanted = if x.status.is_empty() {
            "expected below 400".to_string()
        } else {
            format!("expected one of {:?}", x.status)
        };
        return fail(
            Failure::new(
                FailKind::StatusMismatch,
                format!("{}: status {status}, {wanted}", label(spec)),
            )
            .expected(expected, status.to_string()),
        );
    }
    let partial = if truncated {
        " (in the first 1 MiB read)"
    } else {
        ""
    };
    if !x.body_contains.is_empty() {
        let text = String::from_utf8_lossy(body);
        if let Some(missing) = x
            .body_contains
            .iter()
            .find(|n| !text.contains(n.expose().as_str()))
        {
            return fail(
                Failure::new(
                    FailKind::BodyMismatch,
                    format!(
                        "{}: body does not contain \"{missing}\"{partial}",
                        label(spec)
                    ),
                )
                .expected(format!("body contains \"{missing}\""), "absent"),
            );
        }
    }
    if !x.json.is_empty() {
        let doc: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return fail(
                    Failure::new(
                        FailKind::JsonMismatch,
                        format!("{}: body is not JSON ({e}){partial}", label(spec)),
                    )
                    .expected("a JSON body", "not JSON"),
                );
            }
        };
        for (path, want) in &x.json {
            let p = match serde_json_path::JsonPath::parse(path) {
                Ok(p) => p,
                Err(e) => {
                    return Verdict::Errored(Problem {
                        kind: ErrorKind::Config,
                        message: format!("invalid JSONPath `{path}`: {e}"),
                    });
                }
            };
            let expected = format!("{path} = \"{want}\"");
            match p.query(&doc).first() {
                None => {
                    return fail(
                        Failure::new(
                            FailKind::JsonMismatch,
                            format!("{}: no value at {path}", label(spec)),
                        )
                        .expected(expected, "no value"),
                    );
                }
                Some(found) => {
                    let got = match found {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if got != want.expose() {
                        return fail(
                            Failure::new(
                                FailKind::JsonMismatch,
                                format!(
                                    "{}: {path} is \"{got}\", expected \"{want}\"",
                                    label(spec)
                                ),
                            )
                            .expected(expected, format!("\"{got}\"")),
                        );
                    }
                }
            }
        }
    }
    if let Some(days) = x.cert_valid_days {
        match cert {
            Some(c) if c.days_left < i64::from(days) => {
                return fail(
                    Failure::new(
                        FailKind::CertExpiring,
                        format!(
                            "{}: certificate expires {} ({} days left), expected at least {days}",
                            label(spec),
                            c.not_after,
                            c.days_left
                        ),
                    )
                    .expected(
                        format!("certificate valid ≥ {days} days"),
                        format!("{} days", c.days_left),
                    ),
                );
            }
            Some(_) => {}
            None => {
                let why = if final_url.as_str() == spec.url.expose() {
                    "cert_valid_days needs an https URL".to_string()
                } else {
                    format!("cert_valid_days needs HTTPS, and the redirects ended at {final_url}")
                };
                return Verdict::Errored(Problem {
                    kind: ErrorKind::Config,
                    message: format!("{}: {why}", label(spec)),
                });
            }
        }
    }
    if let Some(max) = x.max_time
        && took > max.as_std()
    {
        let took_ms = took.as_secs_f64() * 1e3;
        return fail(
            Failure::new(
                FailKind::TimeExceeded,
                format!(
                    "{}: response took {took_ms:.1} ms, more than {max}",
                    label(spec)
                ),
            )
            .expected(format!("response ≤ {max}"), format!("{took_ms:.1} ms")),
        );
    }
    Verdict::Passed
}

/// Where a redirect response points, when it is one that is followed and says where to.
fn redirect_target(resp: &reqwest::Response) -> Option<Url> {
    if !matches!(
        resp.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let loc = resp.headers().get(header::LOCATION)?.to_str().ok()?;
    // A Location that cannot be followed leaves the redirect itself as the answer to judge.
    let next = resp.url().join(loc).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
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

fn tls_version_text(v: reqwest::tls::Version) -> Option<&'static str> {
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

struct Cert {
    days_left: i64,
    /// RFC 3339, UTC.
    not_after: String,
}

fn peer_cert(resp: &reqwest::Response) -> Result<Cert, String> {
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

fn evidence(body: &[u8]) -> Option<String> {
    (!body.is_empty()).then(|| super::evidence_text(body, EVIDENCE_BYTES))
}

/// Errors along `e`'s source chain, looking inside `io::Error`s (whose own `source` skips
/// the error they wrap, where rustls and resolver errors live).
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(e);
    std::iter::from_fn(move || {
        let cur = next?;
        next = match cur.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => cur.source(),
        };
        Some(cur)
    })
}

/// The most specific text of an error chain. reqwest's own outermost text names the URL,
/// which may hold a secret; the innermost never does.
fn innermost(e: &reqwest::Error) -> String {
    chain(e).last().map(|c| c.to_string()).unwrap_or_default()
}

enum Cause {
    Fail(FailKind, &'static str),
    Error(ErrorKind),
}

/// What a transport error means for the verdict. Kinds of `io::Error` are the reliable
/// signal; rustls and hyper errors are only reachable as text here (neither is a direct
/// dependency), so their stable messages are matched.
fn classify(e: &reqwest::Error) -> Cause {
    for c in chain(e) {
        if c.is::<ResolveError>() {
            return Cause::Error(ErrorKind::LocalResolver);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.kind() {
                Io::ConnectionRefused => {
                    return Cause::Fail(FailKind::ConnectionRefused, "connection refused");
                }
                Io::ConnectionReset
                | Io::ConnectionAborted
                | Io::BrokenPipe
                | Io::UnexpectedEof => {
                    return Cause::Fail(FailKind::ConnectionReset, "connection reset");
                }
                Io::HostUnreachable | Io::NetworkUnreachable => {
                    return Cause::Fail(FailKind::Unreachable, "unreachable");
                }
                Io::TimedOut => return Cause::Fail(FailKind::Timeout, "timed out"),
                Io::AddrNotAvailable | Io::PermissionDenied | Io::AddrInUse => {
                    return Cause::Error(ErrorKind::Local);
                }
                _ => {}
            }
        }
        let text = c.to_string();
        if text.starts_with("invalid peer certificate") {
            return Cause::Fail(FailKind::CertInvalid, "certificate invalid");
        }
        if text.contains("connection closed before message completed") {
            return Cause::Fail(FailKind::ConnectionReset, "connection closed");
        }
    }
    if e.is_builder() {
        return Cause::Error(ErrorKind::Config);
    }
    // Anything else that went wrong after connecting: garbage instead of HTTP, a broken TLS
    // handshake, an HTTP/2 protocol error.
    Cause::Fail(FailKind::ProtocolError, "not a valid HTTP exchange")
}

fn transport_failure(
    spec: &HttpSpec<Text>,
    e: &reqwest::Error,
    m: Measurements,
    context: Option<&str>,
) -> Outcome {
    let mut detail = innermost(e);
    if let Some(rest) = detail.strip_prefix("invalid peer certificate: ") {
        detail = match rest {
            "UnknownIssuer" => "UnknownIssuer (signed by no CA trusted here)".to_string(),
            _ => rest.to_string(),
        };
    }
    let prefix = match context {
        Some(c) => format!("{}: {c}", label(spec)),
        None => label(spec),
    };
    match classify(e) {
        Cause::Fail(FailKind::ProtocolError, _) if e.is_connect() => {
            // TCP errors were classified above, so what is left of connecting is TLS.
            let what = "TLS handshake failed";
            Outcome::failed(
                Failure::new(
                    FailKind::ProtocolError,
                    format!("{prefix}: {what}: {detail}"),
                )
                .expected("a TLS handshake", what),
                m,
            )
        }
        Cause::Fail(kind, what) => {
            let expected = if kind == FailKind::CertInvalid {
                "a certificate that verifies"
            } else {
                "an HTTP response"
            };
            Outcome::failed(
                Failure::new(kind, format!("{prefix}: {}", explain(what, &detail)))
                    .expected(expected, what),
                m,
            )
        }
        Cause::Error(kind) => Outcome {
            verdict: Verdict::Errored(Problem {
                kind,
                message: format!("{prefix}: {detail}"),
            }),
            measurements: m,
            evidence: None,
        },
    }
}

/// `what` with the error's own text, without saying the same thing twice: the system's
/// "Connection refused (os error 111)" becomes "connection refused (os error 111)".
fn explain(what: &str, detail: &str) -> String {
    match detail.get(..what.len()) {
        Some(head) if head.eq_ignore_ascii_case(what) => format!("{what}{}", &detail[what.len()..]),
        _ => format!("{what}: {detail}"),
    }
}

/// Replaces every secret of the spec by `***` in what the outcome reports: a server may echo
/// a header into its body, or a redirect may carry a token into a URL.
fn scrub(mut o: Outcome, spec: &HttpSpec<Text>) -> Outcome {
    let secrets: Vec<&str> = spec
        .headers
        .iter()
        .map(|(_, v)| v)
        .chain([&spec.url])
        .chain(&spec.body)
        .chain(&spec.ca)
        .chain(&spec.expect.body_contains)
        .chain(spec.expect.json.iter().map(|(_, v)| v))
        .flat_map(|t| t.secrets())
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return o;
    }
    let clean = |s: &mut String| {
        for secret in &secrets {
            if s.contains(secret) {
                *s = s.replace(secret, "***");
            }
        }
    };
    match &mut o.verdict {
        Verdict::Passed => {}
        Verdict::Failed(f) => {
            clean(&mut f.message);
            f.expected.iter_mut().for_each(clean);
            f.measured.iter_mut().for_each(clean);
        }
        Verdict::Errored(p) => clean(&mut p.message),
    }
    o.evidence.iter_mut().for_each(clean);
    for v in o.measurements.values_mut() {
        if let Value::String(s) = v {
            clean(s);
        }
    }
    o
}
