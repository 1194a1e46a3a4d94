//! Reports end to end with the real binary: waivers (in force, expired, unused), `--fail-on`,
//! `netaccept report` reproducing a run's reports and refusing what is not a results file,
//! and a report that cannot be written (exit 3, the others still written). The secrets
//! kept out of every output are `secrets.rs`'s.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;

use crate::support::junit as junit_support;
use crate::support::netaccept::{
    assert_exit, hex_sha256, netaccept, read_json, report, report_and_read, result, run_case,
    write_case,
};

pub(super) const REPORTS: [&str; 4] = ["results.json", "junit.xml", "report.html", "results.csv"];

fn status(r: &serde_json::Value, node: &str, check: &str) -> String {
    result(r, node, check)["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A loopback port that accepts every connection: what a `tcp` check passes on.
pub(super) fn open_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    std::thread::spawn(move || for _ in l.incoming() {});
    a
}

/// A loopback port nothing listens on: what a `tcp` check fails on (`ConnectionRefused`).
pub(super) fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A temporary folder with a case written in it: two nodes; `up` passes, `minor-down`
/// (minor) and `crit-down` (critical) fail.
pub(super) fn two_node_case() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let (open, closed) = (open_port(), closed_port());
    write_case(
        d.path(),
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, vars: {{ open: \"{open}\", closed: \"{closed}\" }} }}\n  - {{ id: p, name: 省局, level: provincial, parent: c }}\n"
        ),
        r#"suite: w
name: 豁免测试
checks:
  - { id: up, name: 开放, tcp: { target: "{{ node.vars.open }}" } }
  - { id: minor-down, name: 次要, severity: minor, tcp: { target: "{{ node.vars.closed }}" } }
  - { id: crit-down, name: 关键, severity: critical, tcp: { target: "{{ node.vars.closed }}" } }
"#,
    );
    d
}

/// Writes the waivers file `name` in `dir`: `body` is the list under `waivers:`.
pub(super) fn write_waivers(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), format!("waivers:\n{body}")).unwrap();
}

const W: &str = "    reason: 机房搬迁\n    approved_by: 项目推进办\n";

#[test]
fn waivers_in_force_expired_and_unused() {
    let d = two_node_case();
    let dir = d.path();
    write_waivers(
        dir,
        "waivers.yaml",
        &format!(
            "  - node: p\n    check: crit-down\n{W}    expires: 2099-12-31\n  - node: c\n    check: crit-down\n{W}    expires: 2020-01-01\n  - node: c\n    check: up\n{W}    expires: 2099-12-31\n"
        ),
    );
    let out = run_case(dir, "out", &["--waivers", "waivers.yaml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let r = read_json(&dir.join("out/results.json"));
    assert_eq!(status(&r, "p", "crit-down"), "waived");
    assert_eq!(
        status(&r, "c", "crit-down"),
        "failed",
        "an expired waiver does not apply"
    );
    assert_eq!(status(&r, "c", "up"), "passed");
    let waived = result(&r, "p", "crit-down");
    assert_eq!(waived["waiver"]["reason"], "机房搬迁");
    assert_eq!(waived["waiver"]["original_status"], "failed");
    assert_eq!(waived["kind"], "ConnectionRefused", "what it found is kept");
    let ws = r["waivers"].as_array().unwrap();
    assert_eq!(
        (ws[0]["state"].as_str(), ws[0]["used"].as_u64()),
        (Some("in_force"), Some(1))
    );
    assert_eq!(
        (ws[1]["state"].as_str(), ws[1]["used"].as_u64()),
        (Some("expired"), Some(0))
    );
    assert_eq!(
        (ws[2]["state"].as_str(), ws[2]["used"].as_u64()),
        (Some("in_force"), Some(0))
    );
    assert_eq!(r["summary"]["waived"], 1);
    assert!(
        stdout.contains("waivers: 2 in force (1 used, 1 unused), 1 expired"),
        "{stdout}"
    );
}

#[test]
fn fail_on_sets_the_severity_that_fails_the_run() {
    let d = two_node_case();
    let dir = d.path();
    let run = |fail_on: &str, waivers: Option<&str>, out: &str| {
        let mut extra = vec!["--fail-on", fail_on];
        if let Some(w) = waivers {
            extra.extend(["--waivers", w]);
        }
        run_case(dir, out, &extra).status.code()
    };
    // Both failing checks count at minor; only the critical one at critical.
    assert_eq!(run("minor", None, "o1"), Some(1));
    assert_eq!(run("critical", None, "o2"), Some(1));
    // With the critical failures waived, only minor failures remain.
    write_waivers(
        dir,
        "crit.yaml",
        &format!(
            "  - node: c\n    check: crit-down\n{W}    expires: 2099-12-31\n  - node: p\n    check: crit-down\n{W}    expires: 2099-12-31\n"
        ),
    );
    assert_eq!(run("critical", Some("crit.yaml"), "o3"), Some(0));
    assert_eq!(run("major", Some("crit.yaml"), "o4"), Some(0));
    assert_eq!(run("minor", Some("crit.yaml"), "o5"), Some(1));
}

#[test]
fn report_reproduces_the_reports_and_applies_new_waivers() {
    let d = two_node_case();
    let dir = d.path();
    let out = run_case(dir, "out", &["--operator", "李工"]);
    assert_eq!(out.status.code(), Some(1));
    for f in REPORTS {
        assert!(dir.join("out").join(f).is_file(), "{f} written");
    }
    // The JUnit of a real run passes the Jenkins schema and a real consumer.
    junit_support::check_junit(&dir.join("out/junit.xml"));
    let again = report(dir, "out/results.json", "again", &["--operator", "李工"]);
    assert_exit(&again, 0);
    for f in REPORTS {
        let (a, b) = (
            std::fs::read(dir.join("out").join(f)).unwrap(),
            std::fs::read(dir.join("again").join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs when rendered again");
    }
    // New waivers, applied to the old run.
    write_waivers(
        dir,
        "late.yaml",
        &format!("  - node: c\n    check: minor-down\n{W}    expires: 2099-12-31\n"),
    );
    let r = report_and_read(
        dir,
        "out/results.json",
        "waived",
        &["--waivers", "late.yaml"],
    );
    assert_eq!(status(&r, "c", "minor-down"), "waived");
    assert_eq!(status(&r, "p", "minor-down"), "failed");
    // And taken back when rendered without them.
    let back = report(dir, "waived/results.json", "back", &[]);
    assert_eq!(back.status.code(), Some(0));
    // A waivers file naming what the record does not know is invalid input.
    write_waivers(
        dir,
        "bad.yaml",
        &format!("  - node: nowhere\n    check: minor-down\n{W}    expires: 2099-12-31\n"),
    );
    let bad = report(dir, "out/results.json", "x", &["--waivers", "bad.yaml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.yaml:2:11"));
}

#[test]
fn report_refuses_what_is_not_a_results_file() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    std::fs::write(dir.join("other.json"), "{\"hello\": 1}").unwrap();
    std::fs::write(
        dir.join("newer.json"),
        "{\"format\": \"netaccept-results/3\"}",
    )
    .unwrap();
    std::fs::write(dir.join("junk.json"), "not json").unwrap();
    for (f, says) in [
        ("other.json", "not a netaccept results file"),
        ("newer.json", "newer netaccept"),
        ("junk.json", "not JSON"),
    ] {
        let out = report(dir, f, "out", &[]);
        assert_eq!(out.status.code(), Some(2), "{f}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{f}: {err}");
    }
}

#[test]
fn a_report_that_cannot_be_written_exits_3_and_the_others_are_written() {
    let d = two_node_case();
    let dir = d.path();
    assert_eq!(run_case(dir, "out", &[]).status.code(), Some(1));
    // A folder where junit.xml should go: the rename onto it fails, even for root.
    std::fs::create_dir_all(dir.join("again/junit.xml/x")).unwrap();
    let out = report(dir, "out/results.json", "again", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    for f in REPORTS.iter().filter(|f| **f != "junit.xml") {
        assert!(dir.join("again").join(f).is_file(), "{f} still written");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("again"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// The HTML report prints the SHA-256 of `results.json`, which the thread writing that file
/// hashes on the way: when it cannot be written, the HTML report is still written and still
/// names the record it was made from (hashed apart then), the same as a report beside a
/// `results.json` that was written.
#[test]
fn the_html_report_names_the_record_whether_or_not_results_json_could_be_written() {
    let d = two_node_case();
    let dir = d.path();
    assert_eq!(run_case(dir, "out", &[]).status.code(), Some(1));
    assert_exit(&report(dir, "out/results.json", "ok", &[]), 0);
    let sha = hex_sha256(&std::fs::read(dir.join("ok/results.json")).unwrap());
    let html = std::fs::read_to_string(dir.join("ok/report.html")).unwrap();
    assert!(html.contains(&sha), "report.html names {sha}");
    // A folder where results.json should go: the rename onto it fails, even for root.
    std::fs::create_dir_all(dir.join("again/results.json/x")).unwrap();
    let out = report(dir, "out/results.json", "again", &[]);
    assert_eq!(out.status.code(), Some(3));
    let again = std::fs::read_to_string(dir.join("again/report.html")).unwrap();
    assert!(
        again.contains(&sha),
        "report.html names {sha} without a results.json"
    );
}

/// `netaccept report -o DIR` into a folder where someone planted, for every report, a
/// symlink at its temporary name (the old `.NAME.tmp-PID`: the shell plants them with its
/// own pid, then `exec`s netaccept, which keeps it) and one at its final name, each pointing
/// at a file outside the folder. Not one outside file changes, and each report is a file of
/// its own in the folder. Root is not needed to show it: the writer follows a symlink for
/// any user that may write where it points (as root, wherever it points).
#[cfg(unix)]
#[test]
fn report_follows_no_symlink_planted_in_the_output_folder() {
    let d = tempfile::tempdir().unwrap();
    let (dir, outside) = (d.path().join("out"), d.path().join("outside"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::create_dir(&outside).unwrap();
    let mut plant = String::new();
    for f in REPORTS {
        for (at, link) in [("tmp", format!(".{f}.tmp-$$")), ("target", f.to_string())] {
            let victim = outside.join(format!("{f}.{at}"));
            std::fs::write(&victim, format!("not yours: {f} {at}")).unwrap();
            // The folder quoted, the name not: `$$` is the shell's to expand.
            plant.push_str(&format!(
                "ln -s '{}' '{}'/{link} || exit 99\n",
                victim.display(),
                dir.display()
            ));
        }
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{plant}exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_netaccept"))
        .args(["report", crate::fixture::MIXED, "-o"])
        .arg(&dir)
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    for f in REPORTS {
        for at in ["tmp", "target"] {
            assert_eq!(
                std::fs::read_to_string(outside.join(format!("{f}.{at}"))).unwrap(),
                format!("not yours: {f} {at}"),
                "the file the symlink at the {at} name of {f} points to was written"
            );
        }
        let meta = std::fs::symlink_metadata(dir.join(f)).unwrap();
        assert!(meta.file_type().is_file(), "{f} is a file of its own");
    }
}

#[test]
fn report_counts_the_results_and_says_when_the_stored_summary_disagrees() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // The sample record, with a summary edited to hide its failures.
    let mut r = read_json(std::path::Path::new(crate::fixture::MIXED));
    let truth = r["summary"].clone();
    let total: u64 = ["passed", "failed", "errored", "skipped", "waived"]
        .iter()
        .map(|k| truth[k].as_u64().unwrap())
        .sum();
    r["summary"] = serde_json::json!({ "passed": total, "failed": 0, "errored": 0, "skipped": 0, "waived": 0 });
    std::fs::write(out.join("results.json"), serde_json::to_vec(&r).unwrap()).unwrap();
    let o = netaccept(&["report", "out/results.json"], dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("does not match its")
            && stderr.contains("the reports use the counts of the results"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let counts = format!(
        "{} passed, {} failed, {} errored, {} skipped, {} waived",
        truth["passed"], truth["failed"], truth["errored"], truth["skipped"], truth["waived"]
    );
    assert!(
        stdout.contains(&counts),
        "the summary counts the results: {stdout}"
    );
    assert_eq!(read_json(&out.join("results.json"))["summary"], truth);

    // A consistent record says nothing.
    let o = netaccept(&["report", "out/results.json"], dir.path(), &[]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("does not match"));
}

#[test]
fn report_refuses_a_device_or_a_pipe_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("results.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for given in ["/dev/zero", fifo.to_str().unwrap()] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_netaccept"))
            .args(["report", given, "-o", "out"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if t0.elapsed() > std::time::Duration::from_secs(10) {
                let _ = child.kill();
                panic!("`report {given}` still running after 10 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{given}: {err}");
        assert!(err.contains("not a regular file"), "{given}: {err}");
    }
}
