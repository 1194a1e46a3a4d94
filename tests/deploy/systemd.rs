//! `deploy/systemd/`: the units pass `systemd-analyze verify` (any warning fails the test:
//! systemd only warns about an unknown key or a bad value, and then ignores it), the
//! service is a oneshot that runs `netaccept run --vantage` of its instance, and the timer
//! is nightly, spread and persistent. The nightly pair (`netaccept-nightly.*`) records the
//! history and writes the metrics file, may write that file's folder, keeps the webhook out
//! of the unit, and its command line, run by `sh` as systemd would (with a stand-in for
//! netaccept that prints its arguments), passes the flags it should.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::host;

/// Runs `systemd-analyze verify` on `units` (files named as instances, e.g.
/// `netaccept@national.service`) and asserts it is silent and succeeds. Returns false when
/// the tool is missing and the test may skip (not under CI).
pub(crate) fn verify_units(units: &[&Path]) -> bool {
    let out = match Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(units)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            host::skip(&format!(
                "systemd-analyze cannot be run ({e}); apt-get install systemd"
            ));
            return false;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify {units:?}: {}\n{stderr}",
        out.status
    );
    true
}

/// Copies the service and timer `deploy/systemd/<unit>.{service,timer}` into a folder of
/// their own, named `<named>.{service,timer}` (a template's as one of its instances), and
/// has `systemd-analyze verify` check them.
fn verify_copies(unit: &str, named: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let units: Vec<PathBuf> = ["service", "timer"]
        .iter()
        .map(|kind| {
            let to = tmp.path().join(format!("{named}.{kind}"));
            std::fs::write(&to, crate::read_deploy(&format!("systemd/{unit}.{kind}")))
                .expect("writing the unit");
            to
        })
        .collect();
    let refs: Vec<&Path> = units.iter().map(PathBuf::as_path).collect();
    verify_units(&refs);
}

#[test]
fn units_pass_systemd_analyze_verify() {
    verify_copies("netaccept@", "netaccept@national");
}

#[test]
fn nightly_units_pass_systemd_analyze_verify() {
    // No templates: copied as they are.
    verify_copies("netaccept-nightly", "netaccept-nightly");
}

/// Where the nightly service records and writes.
const HISTORY: &str = "/var/lib/netaccept/history.sqlite";
const METRICS_DIR: &str = "/var/lib/node_exporter/textfile_collector";

#[test]
fn the_nightly_service_records_history_and_writes_metrics() {
    let unit = crate::read_deploy("systemd/netaccept-nightly.service");
    assert_eq!(value(&unit, "Type"), Some("oneshot"));
    // Failed checks are a run that did its work; a store that could not record (5) is not.
    assert_eq!(value(&unit, "SuccessExitStatus"), Some("1"));
    assert_eq!(value(&unit, "StateDirectory"), Some("netaccept"));
    assert_eq!(value(&unit, "CapabilityBoundingSet"), Some("CAP_NET_RAW"));
    assert_eq!(value(&unit, "ProtectSystem"), Some("strict"));
    // Under ProtectSystem=strict the metrics folder must be opened for writing: the file is
    // written through a temporary file beside it and a rename.
    assert_eq!(value(&unit, "ReadWritePaths"), Some(METRICS_DIR));
    assert_eq!(
        value(&unit, "EnvironmentFile"),
        Some("-/etc/netaccept/nightly.env")
    );
    let exec = value(&unit, "ExecStart").expect("ExecStart=");
    for piece in [
        "/usr/local/bin/netaccept run -i /etc/netaccept/inventory -s /etc/netaccept/suite.yaml",
        &format!("--history {HISTORY}"),
        &format!("--metrics {METRICS_DIR}/netaccept.prom"),
    ] {
        assert!(exec.contains(piece), "ExecStart lacks {piece:?}: {exec}");
    }
    // The webhook's URL holds a token: it lives in the 0600 environment file, never in a
    // unit (which any user may read with `systemctl cat`).
    for line in unit.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            !line.contains("NETACCEPT_NOTIFY=") && !line.contains("--notify "),
            "a webhook in the unit: {line}"
        );
    }
}

#[test]
fn the_nightly_timer_is_nightly_and_persistent() {
    let timer = crate::read_deploy("systemd/netaccept-nightly.timer");
    assert_eq!(value(&timer, "OnCalendar"), Some("*-*-* 02:30:00"));
    assert_eq!(value(&timer, "Persistent"), Some("true"));
    assert_eq!(value(&timer, "WantedBy"), Some("timers.target"));
}

/// The arguments the nightly ExecStart gives netaccept, its shell script run by `sh` as
/// systemd would run it (`$$` and `%%` unescaped first), with a stand-in for the binary that
/// prints one argument a line, and `env` set.
fn nightly_arguments(env: &[(&str, &str)]) -> Vec<String> {
    let unit = crate::read_deploy("systemd/netaccept-nightly.service");
    let exec = value(&unit, "ExecStart").expect("ExecStart=");
    let script = exec
        .strip_prefix("/bin/sh -c '")
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not /bin/sh -c '…': {exec}"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let stand_in = tmp.path().join("netaccept");
    std::fs::write(
        &stand_in,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n",
    )
    .expect("writing the stand-in");
    std::fs::set_permissions(
        &stand_in,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let script = script
        .replace("$$", "$")
        .replace("%%", "%")
        .replace("/usr/local/bin/netaccept", &stand_in.display().to_string());
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("STATE_DIRECTORY", &state)
        .envs(env.iter().copied())
        .output()
        .expect("sh");
    assert!(out.status.success(), "{out:?}");
    assert!(state.join("reports").is_dir(), "the reports folder is made");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.replace(&state.display().to_string(), "$STATE_DIRECTORY"))
        .collect()
}

#[test]
fn the_nightly_command_line_passes_history_metrics_and_the_format_only_when_set() {
    let args = nightly_arguments(&[]);
    let out = &args[6];
    assert!(
        out.starts_with("$STATE_DIRECTORY/reports/") && out.ends_with('Z') && out.len() == 41,
        "the output folder, named by the UTC time: {out}"
    );
    assert_eq!(
        args,
        [
            "run",
            "-i",
            "/etc/netaccept/inventory",
            "-s",
            "/etc/netaccept/suite.yaml",
            "-o",
            out.as_str(),
            "--history",
            HISTORY,
            "--metrics",
            &format!("{METRICS_DIR}/netaccept.prom"),
        ]
    );
    let args = nightly_arguments(&[("NETACCEPT_NOTIFY_FORMAT", "wecom")]);
    assert_eq!(args[args.len() - 2..], ["--notify-format", "wecom"]);
}

#[test]
fn a_misspelt_key_is_caught() {
    // The check above is only worth something if a mistake fails it.
    let tmp = tempfile::tempdir().expect("tempdir");
    let unit = tmp.path().join("netaccept@national.service");
    let text = crate::read_deploy("systemd/netaccept@.service").replace("UMask=", "Umask=");
    std::fs::write(&unit, text).expect("writing the unit");
    let out = match Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
    {
        Ok(out) => out,
        Err(e) => return host::skip(&format!("systemd-analyze cannot be run ({e})")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unknown key 'Umask'"),
        "systemd-analyze said: {stderr}"
    );
}

/// The value of `key=` in `text` (the last one, as systemd reads a repeated key).
fn value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .next_back()
}

#[test]
fn the_service_runs_its_vantage_once_with_raw_icmp_only() {
    let unit = crate::read_deploy("systemd/netaccept@.service");
    assert_eq!(value(&unit, "Type"), Some("oneshot"));
    // A run with failed checks still wrote its bundle.
    assert_eq!(value(&unit, "SuccessExitStatus"), Some("1"));
    assert_eq!(value(&unit, "CapabilityBoundingSet"), Some("CAP_NET_RAW"));
    assert_eq!(value(&unit, "NoNewPrivileges"), Some("yes"));
    assert_eq!(value(&unit, "ProtectSystem"), Some("strict"));
    assert_eq!(
        value(&unit, "LoadCredential"),
        Some("sign.key:/etc/netaccept/sign.key")
    );
    let exec = value(&unit, "ExecStart").expect("ExecStart=");
    for piece in [
        "/usr/local/bin/netaccept run --vantage \"$$1\"",
        "--sign-key \"$${CREDENTIALS_DIRECTORY}/sign.key\"",
        "-o \"$$out\"",
        "$${STATE_DIRECTORY}/bundles/$$1/",
        // The unit runs in /, where the default store (reports/history.sqlite) cannot be.
        "--history \"$${STATE_DIRECTORY}/history.sqlite\"",
    ] {
        assert!(exec.contains(piece), "ExecStart lacks {piece:?}: {exec}");
    }
    assert!(exec.ends_with(" netaccept-run %i"), "{exec}");
}

#[test]
fn the_timer_is_nightly_spread_and_persistent() {
    let timer = crate::read_deploy("systemd/netaccept@.timer");
    assert_eq!(value(&timer, "OnCalendar"), Some("*-*-* 01:30:00"));
    assert_eq!(value(&timer, "RandomizedDelaySec"), Some("30min"));
    assert_eq!(value(&timer, "Persistent"), Some("true"));
    assert_eq!(value(&timer, "WantedBy"), Some("timers.target"));
}

#[test]
fn the_options_the_units_use_are_the_binarys() {
    // The units and the playbook are written against these options of `run`; the
    // binary's help must offer them.
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["run", "--help"])
        .output()
        .expect("netaccept run --help");
    let help = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--vantage",
        "--shard",
        "--sign-key",
        "--output",
        "--history",
        "--metrics",
        "--notify-format",
        "NETACCEPT_NOTIFY",
    ] {
        assert!(help.contains(opt), "`netaccept run --help` lacks {opt}");
    }
}
