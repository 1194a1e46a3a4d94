//! Secrets out of every prober's outcome, through `netaccept::probe::probe` as the runner
//! calls it: servers that send a `{{ env.* }}` value back in a form other than the one the
//! suite wrote. A DNS server echoing the (lower-cased) query name in a TXT answer; an HTTP
//! redirect carrying the secret percent-encoded (`%20`, `+`, lower-case hex) or in upper
//! case; an HTTP body echoing the secret across the 512-byte evidence cut; a secret as an
//! `expect.json` operand or an expected header value, never shown even when echoed.
//!
//! What reaches the report files from the binary is `tests/reports/secrets.rs`'s.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::{StatusCode, Uri, header};
use axum::routing::get;
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::TXT;
use hickory_server::proto::rr::{RData, Record};
use netaccept::model::{DnsSpec, HeaderName, HttpSpec, Probe, RecordType, Text, TextPart};
use netaccept::probe::{Context, Outcome, Verdict, probe};
use tokio::net::TcpListener;
use tokio::time::{Instant, timeout_at};

use crate::dns_server;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Runs one attempt as the runner does, dropped at its deadline.
async fn run(p: &Probe<Text>) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context::new(dir.path());
    let deadline = Instant::now() + TIMEOUT;
    timeout_at(deadline, probe(p, &cx, deadline))
        .await
        .expect("a loopback server answers within the timeout")
}

/// Everything an outcome reports, as one text: the verdict (message, expected, measured),
/// the measurements and the evidence.
fn reported(o: &Outcome) -> String {
    format!(
        "{:?}\n{}\n{:?}",
        o.verdict,
        serde_json::to_string(&o.measurements).unwrap(),
        o.evidence
    )
}

/// `plain` + secret + `rest`, the secret marked as from the environment.
fn with_secret(plain: &str, secret: &str, rest: &str) -> Text {
    Text {
        parts: vec![
            TextPart::Plain(plain.into()),
            TextPart::Secret(secret.into()),
            TextPart::Plain(rest.into()),
        ],
    }
}

/// [`crate::http::spec`] with a URL that may hold a secret.
fn http_spec(url: Text) -> HttpSpec<Text> {
    HttpSpec {
        url,
        ..crate::http::spec("")
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

// ---- DNS ------------------------------------------------------------------------------------

/// A server that answers every query with a TXT record holding the query name: a name with
/// a secret label comes back as written (the prober sends ASCII labels as written, case
/// and all, as dig does).
#[tokio::test(flavor = "multi_thread")]
async fn a_dns_answer_echoing_a_secret_name_is_scrubbed() {
    const SECRET: &str = "S3cr3t-Label";
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let srv = dns_server::scripted(move |q| {
        let name = q.queries.first()?.name().clone();
        log.lock().unwrap().push(name.to_ascii());
        let mut r = dns_server::reply_to(q, ResponseCode::NoError);
        r.add_answer(Record::from_rdata(
            name.clone(),
            60,
            RData::TXT(TXT::new(vec![format!("you asked for {name}")])),
        ));
        Some(r)
    })
    .await;
    let p = Probe::Dns(DnsSpec {
        name: with_secret("x.", SECRET, ".aq.gov.test"),
        servers: vec![Text::plain(srv.addr.to_string())],
        record_type: RecordType::TXT,
        // Unmet, so that the answers are also in the message and the measured value.
        expect: vec![Text::plain("nothing like this")],
        expect_any: Vec::new(),
        rcode: None,
        dnssec: false,
        same_answers: false,
    });
    let o = run(&p).await;
    // The query carried the secret as written, and the answer came back with it.
    let lower = SECRET.to_ascii_lowercase();
    assert_eq!(
        asked.lock().unwrap().as_slice(),
        [format!("x.{SECRET}.aq.gov.test.")]
    );
    assert!(
        matches!(&o.verdict, Verdict::Failed(f) if f.message.contains("you asked for x.***.aq.gov.test")),
        "{:?}",
        o.verdict
    );
    let text = reported(&o);
    assert!(!text.to_ascii_lowercase().contains(&lower), "{text}");
    assert_eq!(
        o.measurements["answers"][0],
        "you asked for x.***.aq.gov.test."
    );
}

// ---- HTTP: encoded forms --------------------------------------------------------------------

/// The secret of the URL tests: a space and capitals, so that it has encoded and case-folded
/// forms.
const URL_SECRET: &str = "s3cr3t Tok3n";

/// The forms a URL may carry the secret in: as `Url` writes a query (`%20`), as
/// `application/x-www-form-urlencoded` does (`+`), every byte escaped in lower-case hex, and
/// upper case as a case-folding server may send it back.
fn encoded_forms() -> Vec<String> {
    let mut every_byte = String::new();
    for b in URL_SECRET.bytes() {
        every_byte.push_str(&format!("%{b:02x}"));
    }
    vec![
        "s3cr3t%20Tok3n".to_string(),
        "s3cr3t+Tok3n".to_string(),
        every_byte,
        URL_SECRET.to_ascii_uppercase().replace(' ', "%20"),
    ]
}

/// `/go/{form}` checks that the secret arrived (encoded as `Url` encodes a query) and
/// redirects to `/end?token=` in that form; `/end` answers 500 with the request's URI.
fn redirecting_app() -> Router {
    Router::new()
        .route(
            "/go/{form}",
            get(
                |Path(form): Path<usize>, RawQuery(q): RawQuery| async move {
                    assert_eq!(q.as_deref(), Some("token=s3cr3t%20Tok3n"));
                    let to = format!("/end?token={}", encoded_forms()[form]);
                    (StatusCode::FOUND, [(header::LOCATION, to)])
                },
            ),
        )
        .route(
            "/end",
            get(|uri: Uri| async move {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("no page at {uri}"),
                )
            }),
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_percent_encoded_secret_through_a_redirect_is_scrubbed() {
    let addr = serve(redirecting_app()).await;
    for (i, form) in encoded_forms().iter().enumerate() {
        let p = Probe::Http(Box::new(http_spec(with_secret(
            &format!("http://{addr}/go/{i}?token="),
            URL_SECRET,
            "",
        ))));
        let o = run(&p).await;
        assert_eq!(o.measurements["redirects"], 1, "{form}: {}", reported(&o));
        assert_eq!(
            o.evidence.as_deref(),
            Some("no page at /end?token=***"),
            "{form}"
        );
        assert_eq!(
            o.measurements["final_url"],
            format!("http://{addr}/end?token=***"),
            "{form}"
        );
        let text = reported(&o);
        for f in encoded_forms() {
            assert!(
                !text.to_ascii_lowercase().contains(&f.to_ascii_lowercase()),
                "{form}: {f} in {text}"
            );
        }
        assert!(!text.contains("Tok3n") && !text.contains("TOK3N"), "{text}");
    }
}

// ---- HTTP: the evidence cut -----------------------------------------------------------------

/// The secret of the evidence-cut test, sent as a header and echoed in the body.
const BODY_SECRET: &str = "s3cr3t-Tok3n-4711";

/// `/at/{n}`: 500, with `n` dots, the secret, and dots up to 2 KiB.
fn echoing_app() -> Router {
    Router::new().route(
        "/at/{n}",
        get(|Path(n): Path<usize>| async move {
            let mut body = ".".repeat(n);
            body.push_str(BODY_SECRET);
            body.push_str(&".".repeat(2048 - body.len()));
            (StatusCode::INTERNAL_SERVER_ERROR, body)
        }),
    )
}

/// Evidence keeps the first 512 bytes of a body: an echoed secret that straddles that cut
/// must not leave its first bytes in the evidence.
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_straddling_the_evidence_cut_is_masked() {
    let addr = serve(echoing_app()).await;
    let token = HeaderName::parse("X-Token").unwrap();
    for at in (512 - BODY_SECRET.len() - 2)..=513 {
        let mut s = http_spec(Text::plain(format!("http://{addr}/at/{at}")));
        s.headers = vec![(token.clone(), with_secret("", BODY_SECRET, ""))];
        let o = run(&Probe::Http(Box::new(s))).await;
        let evidence = o.evidence.clone().unwrap_or_default();
        assert!(evidence.len() <= 512, "{at}: {} bytes", evidence.len());
        assert!(evidence.starts_with(&".".repeat(at.min(400))), "{at}");
        // Whatever of the secret fell before the cut is gone: no prefix of it ends the
        // evidence, and no piece of it is anywhere in it.
        let last = evidence.trim_end_matches('*');
        assert!(last.ends_with('.'), "{at}: {evidence}");
        assert!(!evidence.contains("s3c"), "{at}: {evidence}");
        assert!(!reported(&o).contains(BODY_SECRET), "{at}");
    }
}

// ---- HTTP: expectations holding a secret ----------------------------------------------------

/// A `{{ env.* }}` value as an `expect.json` operand or an expected header value is never
/// shown: not where the message states the expectation, and not where the server sends the
/// very value back (`!=` failing on it, a header echoing it).
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_expectation_is_never_shown() {
    use netaccept::model::{Compare, HeaderCheck, JsonCheck, JsonOp, JsonPath, Operand};
    const SECRET: &str = "4711";
    let app = Router::new().route(
        "/who",
        get(|| async {
            (
                [("x-token", "4711")],
                r#"{"token": "4711", "pin": 4711, "other": "4712"}"#,
            )
        }),
    );
    let addr = serve(app).await;
    let secret = || Text {
        parts: vec![TextPart::Secret(SECRET.into())],
    };
    let op = |path: &str, op: JsonOp<Text>| JsonCheck {
        path: JsonPath::parse(path).unwrap(),
        ops: vec![op],
    };
    let cases = [
        // Typed once filled: the number 4711, so the string "4711" fails, naming both types.
        (
            vec![op(
                "$.token",
                JsonOp::Compare(Compare::Eq, Operand::Template(secret())),
            )],
            Vec::new(),
            "$.token is the string \"***\", expected the number ***",
        ),
        (
            vec![op(
                "$.pin",
                JsonOp::Compare(Compare::Ne, Operand::Template(secret())),
            )],
            Vec::new(),
            "$.pin is ***, expected anything but ***",
        ),
        (
            vec![op(
                "$.other",
                JsonOp::Compare(Compare::Ge, Operand::Template(secret())),
            )],
            Vec::new(),
            "$.other is the string \"4712\", expected a number >= ***",
        ),
        (
            Vec::new(),
            vec![(
                HeaderName::parse("X-Token").unwrap(),
                HeaderCheck::Is(with_secret("Bearer ", SECRET, "")),
            )],
            "header X-Token is \"***\", expected \"Bearer ***\"",
        ),
    ];
    for (json, headers, message) in cases {
        let mut spec = http_spec(Text::plain(format!("http://{addr}/who")));
        spec.expect.json = json;
        spec.expect.headers = headers;
        let o = run(&Probe::Http(Box::new(spec))).await;
        let text = reported(&o);
        assert!(
            matches!(&o.verdict, Verdict::Failed(f) if f.message.ends_with(message)),
            "{message}\n{text}"
        );
        assert!(!text.contains(SECRET), "{text}");
    }
}
