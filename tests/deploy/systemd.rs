//! `deploy/systemd/`: the units pass `systemd-analyze verify` (any warning fails the test:
//! systemd only warns about an unknown key or a bad value, and then ignores it), the
//! service is a oneshot that runs `netaccept run --vantage` of its instance, and the timer
//! is nightly, spread and persistent.

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

/// A copy of the template units in a folder of their own, named as instance `vantage`.
fn instances(dir: &Path, vantage: &str) -> Vec<PathBuf> {
    ["service", "timer"]
        .iter()
        .map(|kind| {
            let to = dir.join(format!("netaccept@{vantage}.{kind}"));
            std::fs::write(
                &to,
                crate::read_deploy(&format!("systemd/netaccept@.{kind}")),
            )
            .expect("writing the unit");
            to
        })
        .collect()
}

#[test]
fn units_pass_systemd_analyze_verify() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let units = instances(tmp.path(), "national");
    let refs: Vec<&Path> = units.iter().map(PathBuf::as_path).collect();
    verify_units(&refs);
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
    for opt in ["--vantage", "--shard", "--sign-key", "--output"] {
        assert!(help.contains(opt), "`netaccept run --help` lacks {opt}");
    }
}
