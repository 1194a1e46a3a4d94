//! `on_demand`: a throughput check (on demand by default, since it loads the link it
//! measures, RFC 6815) or any check marked `on_demand: true` is planned only when a
//! `--check` names its id exactly; without one, or when only a glob matches it, it is left
//! out of the plan and `plan`/`validate` say so in a warning naming it. `on_demand: false`
//! makes a throughput check a normal one.

use std::process::Command;

use netaccept::diag::{Diagnostic, Gravity};
use netaccept::load::{Inputs, load};
use netaccept::plan::{MissingEnv, Overrides, Selection, build};
use tempfile::TempDir;

const INVENTORY: &str = "nodes:
  - id: root
    name: 总局
    level: national
    host: 127.0.0.1
  - id: he
    name: 河北省局
    level: provincial
    parent: root
    host: 127.0.0.2
";

const SUITE: &str = "suite: t
name: T
checks:
  - id: net.icmp
    name: ICMP
    icmp: { target: \"{{ node.host }}\" }
  - id: link.tput
    name: 吞吐量（按需）
    timeout: 20s
    throughput: { target: \"{{ node.host }}\", min_mbps: 20 }
  - id: link.tput-always
    name: 吞吐量（每次都测）
    timeout: 10s
    on_demand: false
    throughput: { target: \"{{ node.host }}\", duration: 2s, direction: down }
  - id: net.tcp-on-demand
    name: TCP（按需）
    on_demand: true
    tcp: { target: \"{{ node.host }}:22\" }
";

fn inputs() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("inv")).unwrap();
    std::fs::write(dir.path().join("inv/inventory.yaml"), INVENTORY).unwrap();
    std::fs::write(dir.path().join("suite.yaml"), SUITE).unwrap();
    dir
}

/// The planned `node check` rows and the warnings' messages, for `--check` patterns.
fn plan(checks: &[&str]) -> (Vec<String>, Vec<String>) {
    let dir = inputs();
    let loaded = load(&Inputs {
        inventory: dir.path().join("inv"),
        suite: Some(dir.path().join("suite.yaml")),
        waivers: None,
        faults: None,
    })
    .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let suite = loaded.suite.as_ref().unwrap();
    let sel = Selection {
        checks: checks.iter().map(ToString::to_string).collect(),
        ..Selection::default()
    };
    let (plan, warnings) = build(
        &loaded.inventory,
        suite,
        &sel,
        &|_| None,
        MissingEnv::Error,
        Overrides::default(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let rows = plan
        .items
        .iter()
        .map(|it| {
            format!(
                "{} {}",
                loaded.inventory.node(it.node).id,
                suite.check(it.check).id
            )
        })
        .collect();
    assert!(
        warnings
            .iter()
            .all(|w: &Diagnostic| w.gravity == Gravity::Warning),
        "{warnings:#?}"
    );
    (rows, warnings.into_iter().map(|w| w.message).collect())
}

#[test]
fn without_check_on_demand_checks_are_left_out_and_named() {
    let (rows, warnings) = plan(&[]);
    assert_eq!(
        rows,
        [
            "root net.icmp",
            "root link.tput-always",
            "he net.icmp",
            "he link.tput-always"
        ]
    );
    assert_eq!(
        warnings,
        [
            "check `link.tput` is on demand and not planned: it loads the link it measures (RFC 6815), so it runs only when asked for",
            "check `net.tcp-on-demand` is on demand and not planned: the suite marks it `on_demand: true`",
        ]
    );
}

#[test]
fn a_glob_does_not_start_an_on_demand_check() {
    let (rows, warnings) = plan(&["link.*"]);
    assert_eq!(rows, ["root link.tput-always", "he link.tput-always"]);
    // Only the check the glob reached is named; the TCP one was not asked for.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("check `link.tput` is on demand"));
}

#[test]
fn the_exact_id_plans_it_and_nothing_is_said() {
    let (rows, warnings) = plan(&["link.tput"]);
    assert_eq!(rows, ["root link.tput", "he link.tput"]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (rows, warnings) = plan(&["net.tcp-on-demand", "net.icmp"]);
    assert_eq!(
        rows,
        [
            "root net.icmp",
            "root net.tcp-on-demand",
            "he net.icmp",
            "he net.tcp-on-demand"
        ]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn plan_and_validate_print_the_note_on_stderr() {
    let dir = inputs();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
            .args(args)
            .args(["-i", "inv", "-s", "suite.yaml"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    for cmd in ["plan", "validate"] {
        let (stdout, stderr) = run(&[cmd]);
        assert!(
            stderr.contains("warning: check `link.tput` is on demand and not planned")
                && stderr.contains("--> suite.yaml:7:9")
                && stderr.contains("run it with `--check link.tput`"),
            "{cmd}: {stderr}"
        );
        assert!(!stdout.contains("link.tput "), "{cmd}: {stdout}");
    }
    let (stdout, stderr) = run(&["plan", "--check", "link.tput"]);
    assert!(!stderr.contains("on demand"), "{stderr}");
    assert!(
        stdout.contains("link.tput  -    major     iperf3 127.0.0.1:5201 up 1 × 10s"),
        "{stdout}"
    );
}

#[test]
fn a_run_timeout_shorter_than_a_throughput_test_is_refused() {
    let dir = inputs();
    let loaded = load(&Inputs {
        inventory: dir.path().join("inv"),
        suite: Some(dir.path().join("suite.yaml")),
        waivers: None,
        faults: None,
    })
    .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let sel = Selection {
        checks: vec!["link.tput".into()],
        ..Selection::default()
    };
    let plan = |secs: u64| {
        build(
            &loaded.inventory,
            loaded.suite.as_ref().unwrap(),
            &sel,
            &|_| None,
            MissingEnv::Error,
            Overrides {
                timeout: Some(std::time::Duration::from_secs(secs)),
                retries: None,
            },
        )
    };
    let errors = plan(14).expect_err("14s is less than 10s + 5s");
    assert_eq!(
        errors
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>(),
        [
            "--timeout 14s is shorter than the 15s check `link.tput` needs for its 10s throughput test"
        ]
    );
    assert!(plan(15).is_ok());
}
