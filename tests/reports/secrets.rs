//! Secrets with the real binary: a value that came from `{{ env.NAME }}` never reaches any
//! output of `plan`, `run` and `report` (stdout, stderr, `results.json`, `junit.xml`,
//! `report.html`, `results.csv`, `journal.jsonl`), whichever probe carries it: an HTTP
//! header and URL echoed back by the server, the host of a TCP or an ICMP target (which the
//! probers put in their messages and in `measurements.address`).
//!
//! The probers' own scrubbing (percent-encoded and case-folded forms, the evidence cut, DNS
//! answers) is tested in `tests/probes/secrets.rs`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Output;

use crate::support::host;
use crate::support::netaccept::{netaccept, read_json};

/// A loopback address nothing else in these tests uses, as the secret host of TCP and ICMP
/// targets: every 127/8 address is local on Linux, and this one is in no other output.
const SECRET_HOST: &str = "127.83.41.7";

/// Plans, runs (expecting exit `code`) and reports again in English, with `envs`.
fn plan_run_report(dir: &Path, envs: &[(&str, &str)], code: i32) -> [Output; 3] {
    let plan = netaccept(
        &[
            "plan",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "--format",
            "json",
        ],
        dir,
        envs,
    );
    assert_eq!(plan.status.code(), Some(0));
    let run = netaccept(
        &["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"],
        dir,
        envs,
    );
    assert_eq!(
        run.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let again = netaccept(
        &["report", "out/results.json", "-o", "again", "--lang", "en"],
        dir,
        envs,
    );
    assert_eq!(again.status.code(), Some(0));
    [plan, run, again]
}

/// `secret` is on no terminal stream of `outs` and in no file of `out/` and `again/`.
fn assert_nowhere(dir: &Path, outs: &[Output], secret: &str) {
    for out in outs {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains(secret),
                "secret on a terminal stream:\n{text}"
            );
        }
    }
    let mut seen = 0;
    for sub in ["out", "again"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read(&p).unwrap();
            assert!(
                !text.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "secret in {}:\n{}",
                p.display(),
                String::from_utf8_lossy(&text)
            );
            seen += 1;
        }
    }
    // results.json, junit.xml, report.html, results.csv and journal.jsonl; the four reports
    // again.
    assert!(seen >= 9, "every report of both folders was read: {seen}");
}

fn result<'a>(r: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == check)
        .unwrap_or_else(|| panic!("no result for {check}: {r}"))
}

/// An HTTP server that echoes the request (line and headers) in a 500 response, so that a
/// secret sent in a header or the URL comes back in the body the prober keeps as evidence.
fn echo_server() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut w = s;
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let _ = write!(
                    w,
                    "HTTP/1.1 500 Oops\r\ncontent-length: {}\r\nx-echo: {}\r\nconnection: close\r\n\r\n{head}",
                    head.len(),
                    head.lines().next().unwrap_or("")
                );
            });
        }
    });
    a
}

#[test]
fn secrets_never_reach_any_output() {
    const SECRET: &str = "s3cr3t-Tok3n-4711";
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let srv = echo_server();
    std::fs::write(
        dir.join("inv.yaml"),
        format!("nodes:\n  - {{ id: c, name: 中心, level: national, apps: {{ dispatch: {{ url: \"http://{srv}\" }} }} }}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("suite.yaml"),
        r#"suite: s
name: 密钥
apps: { dispatch: 调度 }
checks:
  - id: app.health
    name: 健康
    for_each_app: true
    http:
      url: "{{ app.url }}/health?token={{ env.NETACCEPT_TOKEN }}"
      headers: { Authorization: "Bearer {{ env.NETACCEPT_TOKEN }}" }
      expect: { status: [200], body_contains: ["UP"] }
"#,
    )
    .unwrap();
    let outs = plan_run_report(dir, &[("NETACCEPT_TOKEN", SECRET)], 1);
    // The server did receive it (the check is real), and it came back in the body.
    let r = read_json(&dir.join("out/results.json"));
    assert!(
        r["results"][0]["target"]
            .as_str()
            .unwrap()
            .contains("token=***")
    );
    assert!(
        r["results"][0]["evidence"]
            .as_str()
            .unwrap_or("")
            .contains("***"),
        "{r}"
    );
    assert_nowhere(dir, &outs, SECRET);
}

/// The host of a TCP target from the environment: the prober's messages ("connected to …",
/// "…: connection refused") and `measurements.address` would carry it.
#[test]
fn a_secret_tcp_host_reaches_no_output() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let open = TcpListener::bind((SECRET_HOST, 0)).unwrap();
    let open_port = open.local_addr().unwrap().port();
    std::thread::spawn(move || for _ in open.incoming() {});
    let closed_port = TcpListener::bind((SECRET_HOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.join("inv.yaml"),
        format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, vars: {{ open: \"{open_port}\", closed: \"{closed_port}\" }} }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("suite.yaml"),
        r#"suite: s
name: 密钥
checks:
  - { id: tcp.open, name: 开放, tcp: { target: "{{ env.NETACCEPT_TOKEN }}:{{ node.vars.open }}" } }
  - { id: tcp.closed, name: 关闭, tcp: { target: "{{ env.NETACCEPT_TOKEN }}:{{ node.vars.closed }}" } }
"#,
    )
    .unwrap();
    let outs = plan_run_report(dir, &[("NETACCEPT_TOKEN", SECRET_HOST)], 1);
    let r = read_json(&dir.join("out/results.json"));
    // Both checks reached the secret address: one connected, one was refused there.
    let open = result(&r, "tcp.open");
    assert_eq!(open["status"], "passed", "{r}");
    assert_eq!(open["target"], format!("***:{open_port}"));
    assert_eq!(open["measurements"]["address"], format!("***:{open_port}"));
    let closed = result(&r, "tcp.closed");
    assert_eq!(closed["kind"], "ConnectionRefused", "{r}");
    assert_nowhere(dir, &outs, SECRET_HOST);
}

/// The host of an ICMP target from the environment: the prober's messages and
/// `measurements.address` would carry it.
#[test]
#[ignore = "needs root: raw ICMP (CI runs it: --include-ignored)"]
fn a_secret_icmp_host_reaches_no_output() {
    host::assert_root("raw ICMP");
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    std::fs::write(
        dir.join("inv.yaml"),
        "nodes:\n  - { id: c, name: 中心, level: national }\n",
    )
    .unwrap();
    // A round trip can never be 0 ms: the second check fails, with a message.
    std::fs::write(
        dir.join("suite.yaml"),
        r#"suite: s
name: 密钥
checks:
  - { id: icmp.up, name: 连通, icmp: { target: "{{ env.NETACCEPT_TOKEN }}", count: 2, interval: 50ms } }
  - { id: icmp.slow, name: 时延, icmp: { target: "{{ env.NETACCEPT_TOKEN }}", count: 2, interval: 50ms, max_rtt: 0ms } }
"#,
    )
    .unwrap();
    let outs = plan_run_report(dir, &[("NETACCEPT_TOKEN", SECRET_HOST)], 1);
    let r = read_json(&dir.join("out/results.json"));
    let up = result(&r, "icmp.up");
    assert_eq!(up["status"], "passed", "{r}");
    assert_eq!(up["measurements"]["received"], 2);
    assert_eq!(up["measurements"]["address"], "***");
    assert_eq!(result(&r, "icmp.slow")["kind"], "RttExceeded", "{r}");
    assert_nowhere(dir, &outs, SECRET_HOST);
}
