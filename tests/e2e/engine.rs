//! The engine as a library, without clap: a `RunConfig` built directly, `engine::prepare`,
//! `engine::run` with a cancellation token the test holds, `engine::write_reports`, and the
//! typed errors' exit codes. Servers on 127.0.0.1 that the test owns.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use netaccept::engine::{self, PlanRequest, ProgressMode, RunConfig, Shutdown};
use netaccept::error::Error;
use netaccept::exit::{self, Exit};
use netaccept::load::Inputs;
use netaccept::plan::{MissingEnv, Overrides, Selection};
use netaccept::results::Status;
use netaccept::run::Cancel;

const SUITE: &str = "suite: lib
name: 库
apps: { dispatch: 调度 }
checks:
  - id: net.tcp
    name: TCP
    tcp: { target: \"{{ node.host }}:{{ node.vars.port }}\" }
  - id: net.closed
    name: 关闭的端口
    severity: minor
    tcp: { target: \"{{ node.host }}:{{ node.vars.closed }}\" }
  - id: app.health
    name: 健康
    for_each_app: true
    needs: [net.tcp]
    timeout: 30s
    http: { url: \"{{ app.url }}/health\", expect: { status: [200] } }
";

/// An inventory of one node whose `port` accepts, whose `closed` port refuses, and whose
/// app answers at `app_port` (or never, if that server is silent).
fn inputs(dir: &Path, port: u16, closed: u16, app_port: u16) -> PlanRequest {
    std::fs::write(
        dir.join("inv.yaml"),
        format!(
            "nodes:\n  - id: n\n    name: 节点\n    level: national\n    host: \"127.0.0.1\"\n    vars: {{ port: \"{port}\", closed: \"{closed}\" }}\n    apps:\n      dispatch: {{ url: \"http://127.0.0.1:{app_port}\" }}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("suite.yaml"), SUITE).unwrap();
    PlanRequest {
        inputs: Inputs {
            inventory: dir.join("inv.yaml"),
            suite: Some(dir.join("suite.yaml")),
            waivers: None,
            faults: None,
        },
        selection: Selection::default(),
        missing_env: MissingEnv::Error,
        overrides: Overrides::default(),
    }
}

/// A port that refuses: bound, then closed.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Answers every connection with `200 OK` (`answer`) or reads and never answers.
fn http_server(answer: bool) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                if answer {
                    use std::io::Write;
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    );
                } else {
                    std::thread::sleep(Duration::from_secs(60));
                }
            });
        }
    });
    port
}

fn config(out: &Path) -> RunConfig {
    RunConfig {
        progress: ProgressMode::Lines,
        ..RunConfig::new(Some(out.to_path_buf()), "测试员".into())
    }
}

#[test]
fn a_run_through_the_library_api_records_every_item_and_writes_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let app = http_server(true);
    let prepared = engine::prepare(&inputs(dir.path(), port, closed_port(), app)).unwrap();
    let plan = prepared.plan.expect("a suite, so a plan");
    assert_eq!(plan.items.len(), 3);
    let out = dir.path().join("out");
    let cfg = config(&out);
    let finished = engine::run(
        prepared.loaded,
        plan,
        &cfg,
        Shutdown::Token(Cancel::default()),
    )
    .unwrap();
    let r = &finished.results;
    let status: Vec<(&str, Status)> = r
        .results
        .iter()
        .map(|x| (x.check.as_str(), x.status))
        .collect();
    assert_eq!(
        status,
        [
            ("net.tcp", Status::Passed),
            ("net.closed", Status::Failed),
            ("app.health", Status::Passed)
        ]
    );
    assert!(r.run.complete);
    assert_eq!(r.run.operator, "测试员");
    assert_eq!(
        exit::for_results(r, cfg.reporting.fail_on),
        Exit::ChecksFailed
    );
    // The minor failure does not fail a run that only minds major and above.
    assert_eq!(
        exit::for_results(r, netaccept::model::Severity::Major),
        Exit::Ok
    );
    // The journal was written as the run went (its outline, then the results); the reports
    // only when asked.
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 1 + 3);
    assert!(!out.join("results.json").exists());
    engine::write_reports(&finished.dir, r, &cfg.reporting).unwrap();
    for f in ["results.json", "junit.xml", "report.html", "results.csv"] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

#[test]
fn a_cancelled_token_stops_the_run_within_the_grace_and_keeps_what_finished() {
    let dir = tempfile::tempdir().unwrap();
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let silent = http_server(false);
    let prepared = engine::prepare(&inputs(dir.path(), port, closed_port(), silent)).unwrap();
    let cancel = Cancel::default();
    let c = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        c.cancel();
    });
    let t0 = Instant::now();
    let finished = engine::run(
        prepared.loaded,
        prepared.plan.unwrap(),
        &config(&dir.path().join("out")),
        Shutdown::Token(cancel),
    )
    .unwrap();
    let took = t0.elapsed();
    // The health check would wait 30 s; the run gives it the 1 s grace after the cancel.
    assert!(took < Duration::from_secs(5), "{took:?}");
    let r = &finished.results;
    assert!(!r.run.complete);
    assert_eq!(r.run.planned, 3);
    let checks: Vec<(&str, Status, Option<&str>)> = r
        .results
        .iter()
        .map(|x| (x.check.as_str(), x.status, x.kind.as_deref()))
        .collect();
    assert_eq!(
        checks,
        [
            ("net.tcp", Status::Passed, None),
            ("net.closed", Status::Failed, Some("ConnectionRefused")),
            ("app.health", Status::Skipped, Some("NotRun")),
        ],
        "the TCP checks finished; the health check is recorded as not run"
    );
    assert_eq!(r.not_run(), 1);
    assert_eq!(
        exit::for_results(r, netaccept::model::Severity::Minor),
        Exit::Interrupted
    );
}

#[test]
fn typed_errors_come_before_any_traffic_with_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    // A listener that counts connections: nothing may reach it.
    let watched = TcpListener::bind("127.0.0.1:0").unwrap();
    watched.set_nonblocking(true).unwrap();
    let port = watched.local_addr().unwrap().port();
    let req = inputs(dir.path(), port, closed_port(), port);

    // An output folder that holds an older run's file.
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("results.json"), "{}").unwrap();
    let prepared = engine::prepare(&req).unwrap();
    let e = engine::run(
        prepared.loaded,
        prepared.plan.unwrap(),
        &config(&out),
        Shutdown::Token(Cancel::default()),
    )
    .unwrap_err();
    assert!(matches!(e, Error::OutputNotEmpty { .. }), "{e}");
    assert_eq!(e.exit(), Exit::InvalidInput);

    // A template that cannot be filled: every problem, with its place.
    std::fs::write(
        dir.path().join("suite.yaml"),
        SUITE.replace("node.vars.port", "node.vars.nope"),
    )
    .unwrap();
    let e = engine::prepare(&req).unwrap_err();
    assert_eq!(e.exit(), Exit::InvalidInput);
    assert!(e.render().contains("suite.yaml:7:20"), "{}", e.render());

    assert!(
        matches!(watched.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "no connection was made"
    );
}
