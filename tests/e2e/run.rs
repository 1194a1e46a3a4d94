//! `netaccept run` end to end on loopback, with real TCP and HTTP servers started by the
//! test: verdicts, `needs`, retries, exit codes, the output folder, the journal, the
//! per-node limit, deterministic order, and interruption by SIGINT.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::host;
use crate::support::junit as junit_support;
use crate::support::netaccept::{assert_exit, read_json, report, result, run_case, write_case};

/// The binary with `args` in `dir`, nothing added to its environment (see
/// `support::netaccept`).
fn netaccept(args: &[&str], dir: &Path) -> Output {
    crate::support::netaccept::netaccept(args, dir, &[])
}

/// The `results.json` a run wrote in the folder `dir`.
pub(crate) fn results(dir: &Path) -> serde_json::Value {
    read_json(&dir.join("results.json"))
}

/// A listener on a fresh loopback port that counts the connections it accepts.
pub(crate) struct Counting {
    pub(crate) addr: SocketAddr,
    pub(crate) accepted: Arc<AtomicUsize>,
}

pub(crate) fn counting_listener(ip: &str) -> Counting {
    let l = TcpListener::bind((ip, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            if s.is_ok() {
                a.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    Counting { addr, accepted }
}

/// A port nothing listens on.
pub(crate) fn closed_port(ip: &str) -> SocketAddr {
    let l = TcpListener::bind((ip, 0)).unwrap();
    l.local_addr().unwrap()
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `inv.yaml`: the national centre alone on 127.0.0.1, its var `open` the address `open`.
pub(crate) fn centre_with_open_port(dir: &Path, open: SocketAddr) {
    write(
        dir,
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", vars: {{ open: \"{open}\" }} }}\n"
        ),
    );
}

pub(crate) fn tcp_case(dir: &Path, open: SocketAddr, closed: SocketAddr, retries: u32) {
    write(
        dir,
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", vars: {{ open: \"{open}\", closed: \"{closed}\" }} }}\n  - {{ id: p, name: 省局, level: provincial, parent: c, host: \"127.0.0.1\" }}\n"
        ),
    );
    write(
        dir,
        "suite.yaml",
        &format!(
            r#"suite: t
name: 测试
defaults: {{ timeout: 2s, retries: {retries} }}
checks:
  - {{ id: up, name: 开放端口, tcp: {{ target: "{{{{ node.vars.open }}}}" }} }}
  - {{ id: down, name: 关闭端口, tcp: {{ target: "{{{{ node.vars.closed }}}}" }} }}
  - {{ id: after-down, name: 依赖, needs: [down], tcp: {{ target: "{{{{ node.vars.open }}}}" }} }}
  - {{ id: after-up, name: 依赖二, needs: [up], tcp: {{ target: "{{{{ node.vars.open }}}}" }} }}
"#
        ),
    );
}

#[test]
fn verdicts_needs_retries_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    tcp_case(dir.path(), open.addr, closed, 2);
    let out = run_case(dir.path(), "out", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(r["format"], "netaccept-results/2");
    assert_eq!(r["run"]["complete"], true);
    assert_eq!(r["run"]["planned"], 8);
    assert_eq!(r["summary"]["passed"], 4);
    assert_eq!(r["summary"]["failed"], 2);
    assert_eq!(r["summary"]["skipped"], 2);
    for node in ["c", "p"] {
        let up = result(&r, node, "up");
        assert_eq!(up["status"], "passed");
        assert_eq!(up["attempts"], 1, "a pass is not retried");
        assert!(up["measurements"]["connect_ms"].as_f64().unwrap() >= 0.0);
        let down = result(&r, node, "down");
        assert_eq!(down["status"], "failed");
        assert_eq!(down["kind"], "ConnectionRefused");
        assert_eq!(down["attempts"], 3, "1 attempt + 2 retries");
        // One time per attempt, adding up to the result's duration.
        let each: Vec<f64> = down["attempt_ms"]
            .as_array()
            .expect("attempt_ms")
            .iter()
            .map(|t| t.as_f64().unwrap())
            .collect();
        assert_eq!(each.len(), 3, "{down}");
        let sum: f64 = each.iter().sum();
        let total = down["duration_ms"].as_f64().unwrap();
        assert!(
            sum <= total + 0.01 && total - sum < 5.0,
            "{each:?} vs {total}"
        );
        assert_eq!(up["attempt_ms"].as_array().map(Vec::len), Some(1));
        let skipped = result(&r, node, "after-down");
        assert_eq!(skipped["status"], "skipped");
        assert_eq!(skipped["attempts"], 0);
        assert_eq!(
            skipped["attempt_ms"],
            serde_json::Value::Null,
            "nothing sent"
        );
        assert_eq!(skipped["kind"], "NeedsFailed");
        assert_eq!(skipped["measurements"]["needs"], "down");
        assert!(
            skipped["message"]
                .as_str()
                .unwrap()
                .starts_with("down failed: "),
            "{skipped}"
        );
        assert_eq!(result(&r, node, "after-up")["status"], "passed");
    }
    // Results are in plan order: the tree, then the suite.
    let order: Vec<String> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}/{}",
                x["node"].as_str().unwrap(),
                x["check"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            "c/up",
            "c/down",
            "c/after-down",
            "c/after-up",
            "p/up",
            "p/down",
            "p/after-down",
            "p/after-up"
        ]
    );
    // The record can render reports alone: names and the tree are inside.
    assert_eq!(r["nodes"][1]["path"], "c.p");
    assert_eq!(r["checks"][0]["name"], "开放端口");
    // The journal holds the run's outline, then one line per result.
    let journal = std::fs::read_to_string(dir.path().join("out/journal.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 1 + 8);
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).expect("each journal line is JSON"))
        .collect();
    assert_eq!(lines[0]["format"], "netaccept-journal/1");
    assert_eq!(lines[0]["run"]["planned"], 8);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l["node"].is_string() && l["status"].is_string())
    );
    assert!(
        stdout.contains("4 passed, 2 failed, 0 errored, 2 skipped"),
        "{stdout}"
    );
    // 2 nodes x (up, after-down is skipped, after-up) = 4 connections; skipped cost nothing.
    // The listener's thread counts them when it is scheduled, which on a busy machine can be
    // after the run has ended: waited for, briefly, then checked that no more came.
    let t0 = Instant::now();
    while open.accepted.load(Ordering::SeqCst) < 4 && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(open.accepted.load(Ordering::SeqCst), 4);
}

#[test]
fn all_passing_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    write(
        dir.path(),
        "inv.yaml",
        "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
    );
    write(
        dir.path(),
        "suite.yaml",
        &format!(
            "suite: t\nname: t\nchecks:\n  - {{ id: up, name: up, tcp: {{ target: \"{}\" }} }}\n",
            open.addr
        ),
    );
    let out = run_case(dir.path(), "out", &[]);
    assert_exit(&out, 0);
    assert_eq!(results(&dir.path().join("out"))["summary"]["passed"], 1);
}

#[test]
fn invalid_input_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    write(
        dir.path(),
        "inv.yaml",
        "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
    );
    write(
        dir.path(),
        "suite.yaml",
        &format!(
            "suite: t\nname: t\nchecks:\n  - {{ id: up, name: up, tcp: {{ target: \"{}\" }} }}\n  - {{ id: sec, name: sec, http: {{ url: \"http://{}/\", headers: {{ X-Token: \"{{{{ env.NETACCEPT_TOKEN }}}}\" }} }} }}\n",
            open.addr, open.addr
        ),
    );
    // A secret the run would send is missing: refuse before any traffic.
    let out = run_case(dir.path(), "out", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`NETACCEPT_TOKEN` is not set"));
    // An output folder that already holds something.
    std::fs::create_dir(dir.path().join("full")).unwrap();
    write(&dir.path().join("full"), "old.txt", "x");
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "full"])
        .current_dir(dir.path())
        .env("NETACCEPT_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be new or empty"));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        open.accepted.load(Ordering::SeqCst),
        0,
        "no traffic on invalid input"
    );
    // An existing empty folder is fine.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args([
            "run",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "-o",
            "empty",
            "--check",
            "up",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

/// A JSONPath that does not compile, a header name that cannot be sent and an unknown method
/// are load errors: exit 2 at the key's `file:line:col`, no output folder, and not one
/// connection to the endpoint the check names (before, a bad JSONPath or header name made each
/// node `errored` after connecting).
#[test]
fn unparsable_http_expectations_stop_the_run_before_any_traffic() {
    let open = counting_listener("127.0.0.1");
    for (what, http, key, says) in [
        (
            "JSONPath",
            r#"{ url: "http://ADDR/health", expect: { json: { "$.status[": UP } } }"#,
            r#""$.status[""#,
            "invalid JSONPath",
        ),
        (
            "header name",
            r#"{ url: "http://ADDR/health", headers: { "Bad Header": x } }"#,
            r#""Bad Header""#,
            "invalid header name",
        ),
        (
            "method",
            r#"{ method: POTS, url: "http://ADDR/health" }"#,
            "POTS",
            "unknown HTTP method `POTS`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "inv.yaml",
            "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
        );
        let check = format!(
            "  - {{ id: up, name: up, http: {} }}",
            http.replace("ADDR", &open.addr.to_string())
        );
        write(
            dir.path(),
            "suite.yaml",
            &format!("suite: t\nname: t\nchecks:\n{check}\n"),
        );
        let out = run_case(dir.path(), "out", &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        // The line is ASCII, so the key's byte offset is its column less one.
        let at = format!("--> suite.yaml:4:{}\n", check.find(key).unwrap() + 1);
        assert!(stderr.contains(&at), "{what}: {at} in {stderr}");
        assert!(stderr.contains(says), "{what}: {stderr}");
        assert!(!dir.path().join("out").exists(), "{what}: an output folder");
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(open.accepted.load(Ordering::SeqCst), 0, "no traffic");
}

#[test]
fn default_output_folder_is_under_reports() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    write(
        dir.path(),
        "inv.yaml",
        "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
    );
    write(
        dir.path(),
        "suite.yaml",
        &format!(
            "suite: nightly\nname: t\nchecks:\n  - {{ id: up, name: up, tcp: {{ target: \"{}\" }} }}\n",
            open.addr
        ),
    );
    let started = Instant::now();
    let out = netaccept(&["run", "-i", "inv.yaml", "-s", "suite.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    // Beside the run's folder, the default history store (and SQLite's WAL files).
    let entries: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with("history.sqlite"))
        .collect();
    assert!(dir.path().join("reports/history.sqlite").is_file());
    assert_eq!(entries.len(), 1);
    assert!(entries[0].starts_with("nightly-2"), "{entries:?}");
    assert!(entries[0].ends_with('Z'), "UTC timestamp: {entries:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// An HTTP/1.1 server on `ip`, thread per connection, that answers each request after
/// `delay` (or never, with `None`) and records the most requests it had in hand at once.
pub(crate) struct SlowHttp {
    pub(crate) addr: SocketAddr,
    max_in_flight: Arc<AtomicUsize>,
    pub(crate) requests: Arc<AtomicUsize>,
    /// Connections accepted.
    connections: Arc<AtomicUsize>,
}

pub(crate) fn slow_http(
    ip: &str,
    delay: Option<Duration>,
    shared: Option<(Arc<AtomicUsize>, Arc<AtomicUsize>)>,
) -> SlowHttp {
    use std::io::{BufRead, BufReader, Write};
    let l = TcpListener::bind((ip, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let (in_flight, max_in_flight) =
        shared.unwrap_or_else(|| (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0))));
    let requests = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let (inf, max, reqs) = (in_flight.clone(), max_in_flight.clone(), requests.clone());
    let conns = connections.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            conns.fetch_add(1, Ordering::SeqCst);
            let (inf, max, reqs) = (inf.clone(), max.clone(), reqs.clone());
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut w = s;
                loop {
                    let mut line = String::new();
                    // Read one request head.
                    loop {
                        line.clear();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    reqs.fetch_add(1, Ordering::SeqCst);
                    let now = inf.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    match delay {
                        Some(d) => std::thread::sleep(d),
                        None => std::thread::sleep(Duration::from_secs(3600)),
                    }
                    inf.fetch_sub(1, Ordering::SeqCst);
                    let body = "{\"status\":\"UP\"}";
                    let _ = write!(
                        w,
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
        }
    });
    SlowHttp {
        addr,
        max_in_flight,
        requests,
        connections,
    }
}

fn http_suite(dir: &Path, checks: usize, timeout: &str) {
    let mut s = format!(
        "suite: t\nname: t\napps: {{ dispatch: 调度 }}\ndefaults: {{ timeout: {timeout} }}\nchecks:\n"
    );
    for k in 0..checks {
        s.push_str(&format!(
            "  - {{ id: h{k}, name: h{k}, for_each_app: true, http: {{ url: \"{{{{ app.url }}}}/health\", expect: {{ status: [200] }} }} }}\n"
        ));
    }
    write(dir, "suite.yaml", &s);
}

#[test]
fn per_node_limit_bounds_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let srv = slow_http("127.0.0.1", Some(Duration::from_millis(150)), None);
    write(
        dir.path(),
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
            srv.addr
        ),
    );
    http_suite(dir.path(), 12, "5s");
    let out = run_case(dir.path(), "out", &["--per-node", "3"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(srv.requests.load(Ordering::SeqCst), 12);
    let max = srv.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (2..=3).contains(&max),
        "at most 3 at once against one node, and more than 1: {max}"
    );
}

#[test]
fn global_limit_bounds_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let shared = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut inv = String::from("nodes:\n  - { id: c, name: 中心, level: national }\n");
    for k in 0..4 {
        let srv = slow_http(
            &format!("127.0.9.{}", k + 1),
            Some(Duration::from_millis(150)),
            Some(shared.clone()),
        );
        inv.push_str(&format!(
            "  - {{ id: n{k}, name: n{k}, level: provincial, parent: c, apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
            srv.addr
        ));
    }
    write(dir.path(), "inv.yaml", &inv);
    http_suite(dir.path(), 3, "5s");
    let out = run_case(
        dir.path(),
        "out",
        &["--concurrency", "2", "--per-node", "4"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let max = shared.1.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&max),
        "at most 2 in flight over the run: {max}"
    );
}

#[test]
fn sigint_writes_an_incomplete_record_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let hung = slow_http("127.0.0.1", None, None);
    let open = counting_listener("127.0.0.1");
    write(
        dir.path(),
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, vars: {{ open: \"{}\" }}, apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
            open.addr, hung.addr
        ),
    );
    write(
        dir.path(),
        "suite.yaml",
        "suite: t\nname: t\napps: { dispatch: 调度 }\ndefaults: { timeout: 30s }\nchecks:\n  - { id: up, name: up, tcp: { target: \"{{ node.vars.open }}\" } }\n  - { id: hang, name: hang, for_each_app: true, http: { url: \"{{ app.url }}/\" } }\n",
    );
    let child = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(dir.path())
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the hanging request is in the server's hands.
    let t0 = Instant::now();
    while hung.requests.load(Ordering::SeqCst) == 0 {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the run never reached the server"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert_exit(&out, 130);
    assert!(
        took < Duration::from_secs(3),
        "in-flight checks get at most 1 s: took {took:?}"
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(r["run"]["complete"], false);
    assert_eq!(r["run"]["planned"], 2);
    // Every planned item is in the record: what finished, and what did not as not run.
    assert_eq!(r["results"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["results"][0]["check"], "up");
    assert_eq!(r["results"][0]["status"], "passed");
    let hang = &r["results"][1];
    assert_eq!(hang["check"], "hang");
    assert_eq!(hang["app"], "dispatch");
    assert_eq!(hang["status"], "skipped");
    assert_eq!(hang["kind"], "NotRun");
    assert_eq!(hang["message"], "not run: run interrupted");
    assert_eq!(hang["attempts"], 0);
    assert_eq!(hang["started"], r["run"]["finished"]);
    assert_eq!(hang["target"], format!("GET http://{}/", hung.addr));
    assert_eq!(r["summary"]["passed"], 1);
    assert_eq!(r["summary"]["skipped"], 1);

    // junit.xml lists it as skipped with the reason, and the run itself as an error, so
    // that no CI shows the run as passed; every consumer counts that.
    let xml = interrupted_junit(&dir.path().join("out/junit.xml"), 3, 1);
    assert!(
        xml.contains(
            "<skipped message=\"未执行：运行被中断 / not run: run interrupted\">\
             未执行：运行被中断 / not run: run interrupted</skipped>"
        ),
        "{xml}"
    );

    // From the journal, which holds only what finished, the report says the same count.
    let again = report(dir.path(), "out/journal.jsonl", "from-journal", &[]);
    assert!(again.status.success(), "{again:?}");
    interrupted_junit(&dir.path().join("from-journal/junit.xml"), 2, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("INTERRUPTED"));
}

/// Checks the junit.xml of the run interrupted in
/// `sigint_writes_an_incomplete_record_and_exits_130` (written by the run, or from its
/// journal): every consumer counts `tests` test cases, `skipped` of them skipped, and one
/// error, the run's own, which says that 1 of the 2 planned checks has no result. Returns
/// the file's text for what else the caller checks.
fn interrupted_junit(junit: &Path, tests: usize, skipped: usize) -> String {
    junit_support::check_junit_totals(
        junit,
        junit_support::Counts {
            tests,
            failures: 0,
            errors: 1,
            skipped,
        },
    );
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains("run interrupted: 1 of 2 planned checks have no result"),
        "{xml}"
    );
    xml
}

/// As a user without ICMP permission (root drops to `nobody` with setpriv), the ICMP check
/// is `errored` with the fixes, said once, and the checks that need it still run: a local
/// inability is no evidence against the node.
#[test]
#[ignore = "needs root: drops to an unprivileged user with setpriv (CI runs it: --include-ignored)"]
fn without_icmp_permission_dependants_still_run() {
    host::assert_root("to drop to an unprivileged user with setpriv");
    let has_setpriv = Command::new("setpriv").arg("--help").output().is_ok();
    if !has_setpriv {
        host::skip("setpriv not on PATH (apt-get install util-linux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o777);
    std::fs::set_permissions(dir.path(), perms).unwrap();
    let open = counting_listener("127.0.0.1");
    centre_with_open_port(dir.path(), open.addr);
    write(
        dir.path(),
        "suite.yaml",
        "suite: t\nname: t\nchecks:\n  - { id: net.icmp, name: ping, icmp: { target: \"{{ node.host }}\" } }\n  - { id: up, name: up, needs: [net.icmp], tcp: { target: \"{{ node.vars.open }}\" } }\n",
    );
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_netaccept"))
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(dir.path())
        .env("CI", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(
        stderr.matches("ICMP is not permitted").count(),
        1,
        "said once: {stderr}"
    );
    assert!(
        stderr.contains("setcap") && stderr.contains("ping_group_range"),
        "{stderr}"
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(result(&r, "c", "net.icmp")["kind"], "NoPermission");
    assert_eq!(result(&r, "c", "up")["status"], "passed");
}

/// Most checks in flight at once, from the record's start times and durations.
fn most_in_flight(results: &serde_json::Value, check: &str) -> usize {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for r in results["results"].as_array().unwrap() {
        if r["check"] != check {
            continue;
        }
        let started = chrono::DateTime::parse_from_rfc3339(r["started"].as_str().unwrap())
            .unwrap()
            .timestamp_micros() as f64
            / 1e3;
        edges.push((started, 1));
        edges.push((started + r["duration_ms"].as_f64().unwrap(), -1));
    }
    // An end sorts before a start at the same moment: touching is not overlapping.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

/// ICMP checks hold no socket of their own and mostly wait between echoes: they have their
/// own limit (`--icmp-concurrency`), not `--concurrency`.
#[test]
#[ignore = "needs root: raw ICMP (CI runs it: --include-ignored)"]
fn icmp_checks_have_their_own_limit() {
    host::assert_root("raw ICMP");
    let dir = tempfile::tempdir().unwrap();
    let mut inv =
        String::from("nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n");
    for k in 0..8 {
        inv.push_str(&format!(
            "  - {{ id: n{k}, name: n{k}, level: provincial, parent: c, host: \"127.0.12.{}\" }}\n",
            k + 1
        ));
    }
    write(dir.path(), "inv.yaml", &inv);
    write(
        dir.path(),
        "suite.yaml",
        "suite: t\nname: t\nchecks:\n  - { id: net.icmp, name: ping, icmp: { target: \"{{ node.host }}\", count: 3, interval: 150ms } }\n",
    );
    for (icmp_limit, expect) in [("9", 3..=9), ("2", 1..=2)] {
        let out_dir = format!("out-{icmp_limit}");
        let out = run_case(
            dir.path(),
            &out_dir,
            &["--concurrency", "1", "--icmp-concurrency", icmp_limit],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let most = most_in_flight(&results(&dir.path().join(&out_dir)), "net.icmp");
        assert!(
            expect.contains(&most),
            "--concurrency 1 --icmp-concurrency {icmp_limit}: {most} ICMP checks in flight at once"
        );
    }
}

/// Every HTTP check connects anew by default; with `--reuse-connections` the checks of one
/// endpoint share a kept-alive connection.
#[test]
fn http_checks_reuse_connections_only_when_asked() {
    const CHECKS: usize = 6;
    for (reuse, expect) in [(false, CHECKS..=CHECKS), (true, 1..=CHECKS - 1)] {
        let dir = tempfile::tempdir().unwrap();
        let srv = slow_http("127.0.9.9", Some(Duration::from_millis(1)), None);
        write(
            dir.path(),
            "inv.yaml",
            &format!(
                "nodes:\n  - {{ id: c, name: 中心, level: national, apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
                srv.addr
            ),
        );
        http_suite(dir.path(), CHECKS, "5s");
        let mut extra = vec!["--per-node", "1"];
        if reuse {
            extra.push("--reuse-connections");
        }
        let out = run_case(dir.path(), "out", &extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(srv.requests.load(Ordering::SeqCst), CHECKS);
        let conns = srv.connections.load(Ordering::SeqCst);
        assert!(
            expect.contains(&conns),
            "reuse {reuse}: {CHECKS} checks over {conns} connections"
        );
    }
}

/// A per-app certificate check over a plain-HTTP app (issue 15, item 11): `cert_valid_days`
/// does not apply, so it passes on its other expectations and its record says `tls: none`
/// (results.json, JUnit's system-out, the HTML details); under `expect.tls: required` the
/// same app fails as `TlsRequired` without a request sent.
#[test]
fn cert_valid_days_on_a_plain_http_app_passes_and_tls_required_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let http = slow_http("127.0.0.1", Some(Duration::ZERO), None);
    write_case(
        dir.path(),
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
            http.addr
        ),
        "suite: t\nname: t\napps: { dispatch: 调度 }\nchecks:\n  - { id: app.cert, name: 证书, for_each_app: true, http: { url: \"{{ app.url }}/health\", expect: { status: [200], cert_valid_days: 30 } } }\n  - { id: app.https, name: 必须加密, for_each_app: true, http: { url: \"{{ app.url }}/health\", expect: { tls: required } } }\n",
    );
    let out = run_case(dir.path(), "out", &["--lang", "en"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The run says beforehand where the HTTPS-only expectations meet plain HTTP.
    assert!(
        stderr
            .contains("`cert_valid_days` does not apply to a plain-HTTP URL, on item `c dispatch`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`expect.tls: required`, and the URL is plain HTTP on item `c dispatch`"),
        "{stderr}"
    );
    let r = results(&dir.path().join("out"));
    let cert = result(&r, "c", "app.cert");
    assert_eq!(cert["status"], "passed", "{cert}");
    assert_eq!(cert["measurements"]["tls"], "none", "{cert}");
    assert_eq!(cert["measurements"]["status"], 200, "{cert}");
    let https = result(&r, "c", "app.https");
    assert_eq!(
        (&https["status"], &https["kind"]),
        (&"failed".into(), &"TlsRequired".into()),
        "{https}"
    );
    assert_eq!(https["measurements"]["tls"], "none", "{https}");
    assert_eq!(
        http.requests.load(Ordering::SeqCst),
        1,
        "only the certificate check sent a request"
    );
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(
        junit.contains("measurements: status=200") && junit.contains("tls=none"),
        "{junit}"
    );
    assert!(junit.contains("type=\"TlsRequired\""), "{junit}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        html.contains("TLS none (plain HTTP)"),
        "the HTML details show it"
    );
}
