//! What a run keeps when the world around it fails: a closed or full stdout or stderr, an
//! output folder that cannot be written, a hang-up or a kill mid-run, too few file
//! descriptors. Real binary, real listeners on loopback.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::run::{
    centre_with_open_port, closed_port, counting_listener, results, slow_http, tcp_case, write,
};

const REPORTS: [&str; 4] = ["results.json", "junit.xml", "report.html", "results.csv"];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netaccept"));
    c.env("CI", "true").env_remove("NETACCEPT_TOKEN");
    c
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").unwrap())
}

/// Where the command's stdout and stderr go.
#[derive(Clone, Copy, Debug)]
enum Sink {
    /// A pipe whose reader is gone (`| true`, `| head -1` after its line).
    Closed,
    /// `> /dev/full`: every write fails with "no space left".
    Full,
    /// Read, as a terminal would show it.
    Kept,
}

fn stdio(s: Sink) -> Stdio {
    match s {
        Sink::Closed | Sink::Kept => Stdio::piped(),
        Sink::Full => dev_full(),
    }
}

/// Runs `cmd` with its stdout and stderr sent to `out` and `err`; returns the exit code.
fn run_with(mut cmd: Command, out: Sink, err: Sink) -> Option<i32> {
    let mut child = cmd.stdout(stdio(out)).stderr(stdio(err)).spawn().unwrap();
    // The reader of a closed pipe goes away before the command writes a byte.
    if let Sink::Closed = out {
        drop(child.stdout.take());
    }
    if let Sink::Closed = err {
        drop(child.stderr.take());
    }
    child.wait_with_output().unwrap().status.code()
}

fn reports_in(dir: &Path) -> Vec<&'static str> {
    REPORTS
        .into_iter()
        .filter(|f| dir.join(f).is_file())
        .collect()
}

#[test]
fn a_closed_or_full_stdout_or_stderr_loses_the_summary_never_the_reports() {
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    for (out, err) in [
        (Sink::Closed, Sink::Kept),
        (Sink::Full, Sink::Kept),
        (Sink::Kept, Sink::Closed),
        (Sink::Kept, Sink::Full),
        (Sink::Closed, Sink::Closed),
    ] {
        let dir = tempfile::tempdir().unwrap();
        tcp_case(dir.path(), open.addr, closed, 0);
        let mut run = bin();
        run.args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
            .current_dir(dir.path());
        // The checks call for 1 (a port is closed on purpose), whatever became of the text.
        assert_eq!(
            run_with(run, out, err),
            Some(1),
            "run, stdout {out:?}, stderr {err:?}"
        );
        let written = dir.path().join("out");
        assert_eq!(reports_in(&written), REPORTS, "run, stdout {out:?}");

        // `report` reads the record back and writes the reports again, on the same terms.
        for f in REPORTS.iter().skip(1) {
            std::fs::remove_file(written.join(f)).unwrap();
        }
        let mut report = bin();
        report
            .args(["report", "out/results.json"])
            .current_dir(dir.path());
        assert_eq!(
            run_with(report, out, err),
            Some(0),
            "report, stdout {out:?}"
        );
        assert_eq!(reports_in(&written), REPORTS, "report, stdout {out:?}");
    }
}

/// A node with one TCP check that passes at once and one HTTP check that hangs for `timeout`
/// (the server never answers); returns the server, to wait until the run is in its hands.
fn hanging_case(dir: &Path, timeout: &str) -> crate::run::SlowHttp {
    let hung = slow_http("127.0.0.1", None, None);
    let open = counting_listener("127.0.0.1");
    write(
        dir,
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, vars: {{ open: \"{}\" }}, apps: {{ dispatch: {{ url: \"http://{}\" }} }} }}\n",
            open.addr, hung.addr
        ),
    );
    write(
        dir,
        "suite.yaml",
        &format!(
            "suite: t\nname: t\napps: {{ dispatch: 调度 }}\ndefaults: {{ timeout: {timeout} }}\nchecks:\n  - {{ id: up, name: up, tcp: {{ target: \"{{{{ node.vars.open }}}}\" }} }}\n  - {{ id: hang, name: hang, for_each_app: true, http: {{ url: \"{{{{ app.url }}}}/\" }} }}\n"
        ),
    );
    std::mem::forget(open);
    hung
}

/// Starts `netaccept run` on `hanging_case` (through `wrapper` if given, e.g. `nohup`) and
/// waits until the hanging request is in the server's hands: the `up` result is then in the
/// journal.
fn start_hanging(dir: &Path, hung: &crate::run::SlowHttp, wrapper: Option<&str>) -> Child {
    let bin = env!("CARGO_BIN_EXE_netaccept");
    let mut cmd = match wrapper {
        Some(w) => {
            let mut c = Command::new(w);
            c.arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let child = cmd
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(dir)
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while hung.requests.load(Ordering::SeqCst) == 0 {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the run never reached the server"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The journal is written when the run has no other event waiting: give it that moment.
    std::thread::sleep(Duration::from_millis(200));
    child
}

fn signal(child: &Child, sig: &str) {
    let sent = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn an_output_folder_that_cannot_take_the_reports_is_refused_before_any_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    tcp_case(dir.path(), open.addr, closed, 0);
    // A folder at the edge of PATH_MAX (4,096 bytes with the final NUL): room for
    // `journal.jsonl`, none for a report's temporary file. Root ignores permissions, so this is
    // the unwritable folder a test run as root can make.
    let mut out = dir.path().canonicalize().unwrap().join("o");
    while out.as_os_str().len() < 4_075 {
        let room = 4_075 - out.as_os_str().len() - 1;
        out.push("d".repeat(room.clamp(1, 200)));
    }
    assert_eq!(out.as_os_str().len(), 4_075);
    std::fs::create_dir_all(&out).unwrap();
    let run = bin()
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o"])
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot write in the output folder"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(open.accepted.load(Ordering::SeqCst), 0, "no traffic");
}

#[test]
fn a_hang_up_stops_the_run_like_ctrl_c_and_the_reports_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let hung = hanging_case(dir.path(), "30s");
    let child = start_hanging(dir.path(), &hung, None);
    let sent = Instant::now();
    signal(&child, "-HUP");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        sent.elapsed() < Duration::from_secs(3),
        "{:?}",
        sent.elapsed()
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(r["run"]["complete"], false);
    // What finished, and the hanging check as not run.
    let kinds: Vec<(&str, &str)> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["status"].as_str().unwrap(),
                x["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds, [("passed", ""), ("skipped", "NotRun")]);
    assert_eq!(reports_in(&dir.path().join("out")), REPORTS);
}

#[test]
fn under_nohup_a_hang_up_is_ignored_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let hung = hanging_case(dir.path(), "2s");
    let child = start_hanging(dir.path(), &hung, Some("nohup"));
    signal(&child, "-HUP");
    let out = child.wait_with_output().unwrap();
    // The hanging check runs into its timeout: a failure, and a complete run.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(r["run"]["complete"], true);
    assert_eq!(r["results"].as_array().unwrap().len(), 2);
}

#[test]
fn after_kill_9_the_journal_makes_every_report_marked_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let hung = hanging_case(dir.path(), "30s");
    let mut child = start_hanging(dir.path(), &hung, None);
    signal(&child, "-KILL");
    child.wait().unwrap();
    let folder = dir.path().join("out");
    assert!(
        !folder.join("results.json").exists(),
        "killed before the reports"
    );

    let report = bin()
        .args(["report", "out/journal.jsonl"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert_eq!(
        report.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert_eq!(reports_in(&folder), REPORTS);
    assert!(stdout.contains("INTERRUPTED: incomplete"), "{stdout}");
    let r = results(&folder);
    assert_eq!(r["format"], "netaccept-results/2");
    assert_eq!(r["run"]["complete"], false);
    assert_eq!(r["run"]["planned"], 2);
    assert_eq!(r["run"]["suite"], "t");
    assert_eq!(r["nodes"][0]["name"], "中心");
    let checks: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["up"], "what finished, and only that");
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(
        html.contains("本报告不完整"),
        "the HTML report says it is incomplete"
    );
}

#[test]
fn a_journal_cut_mid_line_is_read_to_its_last_whole_line() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    tcp_case(dir.path(), open.addr, closed, 0);
    let run = bin()
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let journal = dir.path().join("out/journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "the outline and 8 results");
    // The process died while writing its last line: half of it reached the disk.
    let cut = format!(
        "{}\n{}",
        lines[..8].join("\n"),
        &lines[8][..lines[8].len() / 2]
    );
    std::fs::write(&journal, cut).unwrap();
    let report = bin()
        .args(["report", "out/journal.jsonl", "-o", "again"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert_eq!(report.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("journal.jsonl:9: the last line is cut short"),
        "{stderr}"
    );
    let r = results(&dir.path().join("again"));
    assert_eq!(r["results"].as_array().unwrap().len(), 7);
    // In plan order, whatever order the checks finished in.
    let full = results(&dir.path().join("out"));
    let key = |x: &serde_json::Value| format!("{}/{}", x["node"], x["check"]);
    let kept: Vec<String> = r["results"].as_array().unwrap().iter().map(key).collect();
    let planned: Vec<String> = full["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert!(
        kept.iter().all(|k| planned.contains(k))
            && kept.windows(2).all(|w| {
                planned.iter().position(|p| *p == w[0]) < planned.iter().position(|p| *p == w[1])
            }),
        "{kept:?} in the order of {planned:?}"
    );
}

#[test]
fn too_few_file_descriptors_lower_the_concurrency_instead_of_failing_healthy_checks() {
    let dir = tempfile::tempdir().unwrap();
    // Forty checks of one endpoint that answers after 300 ms: all in flight at once, they
    // would need more descriptors than the limit below allows (before, a quarter of them
    // came out `failed`: "TLS handshake failed: Too many open files").
    let server = slow_http("127.0.0.1", Some(Duration::from_millis(300)), None);
    write(
        dir.path(),
        "inv.yaml",
        "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
    );
    let mut checks = String::new();
    for i in 0..40 {
        checks.push_str(&format!(
            "  - {{ id: h{i}, name: h{i}, http: {{ url: \"http://{}/{i}\" }} }}\n",
            server.addr
        ));
    }
    write(
        dir.path(),
        "suite.yaml",
        &format!("suite: t\nname: t\ndefaults: {{ timeout: 10s }}\nchecks:\n{checks}"),
    );
    let out = Command::new("prlimit")
        .args(["--nofile=40:40", env!("CARGO_BIN_EXE_netaccept")])
        .args([
            "run",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "--per-node",
            "64",
            "-o",
            "out",
        ])
        .current_dir(dir.path())
        .env("CI", "true")
        .output()
        .expect("prlimit (util-linux)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("--concurrency is lowered from 256").count(),
        1,
        "said once: {stderr}"
    );
    let r = results(&dir.path().join("out"));
    assert_eq!(r["summary"]["passed"], 40, "{}", r["summary"]);
}

/// Runs `cmd` for at most `limit`, killing it then; its exit code (`None`: killed) and
/// stderr. A regression that reads without end fails the test instead of hanging the suite.
fn bounded(mut cmd: Command, limit: Duration) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (status.code(), err);
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("still running after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn run_overrides_stay_within_the_suites_bounds_before_any_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    centre_with_open_port(dir.path(), open.addr);
    write(
        dir.path(),
        "suite.yaml",
        "suite: t\nname: t\nchecks:\n  - { id: ping, name: ping, icmp: { target: \"{{ node.host }}\", count: 5, interval: 200ms, max_rtt: 300ms } }\n  - { id: up, name: up, tcp: { target: \"{{ node.vars.open }}\" } }\n",
    );
    let run = |extra: &[&str]| {
        let mut c = bin();
        c.args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
            .args(extra)
            .current_dir(dir.path());
        let o = c.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--retries", "11"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run(&["--timeout", "6m"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("at most 5m"), "{err}");
    // Five echoes 200 ms apart, each reply awaited 600 ms, need 1.45 s: 500 ms would send
    // one echo and judge loss on it.
    let (code, err) = run(&["--timeout", "500ms"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "--timeout 500ms is shorter than the 1450ms check `ping` needs for its 5 echoes"
        ),
        "{err}"
    );
    assert!(err.contains("suite.yaml:4:"), "placed at the check: {err}");
    assert!(!dir.path().join("out").exists());
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(open.accepted.load(Ordering::SeqCst), 0, "no traffic");
}

#[test]
fn a_ca_file_that_is_a_device_is_refused_not_read_without_end() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "inv.yaml",
        "nodes:\n  - { id: c, name: 中心, level: national, host: \"127.0.0.1\" }\n",
    );
    write(
        dir.path(),
        "suite.yaml",
        "suite: t\nname: t\nchecks:\n  - { id: web, name: web, http: { url: \"https://127.0.0.1:9/\", ca: /dev/zero } }\n",
    );
    let mut c = bin();
    c.args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(dir.path());
    let (code, err) = bounded(c, Duration::from_secs(20));
    assert_eq!(code, Some(1), "{err}");
    let r = results(&dir.path().join("out"));
    assert_eq!(r["results"][0]["status"], "errored");
    assert_eq!(r["results"][0]["kind"], "Config");
    assert!(
        r["results"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{}",
        r["results"][0]["message"]
    );
}
