//! Golden tests of invalid input: every folder of `tests/fixtures/invalid/` holds a bad
//! inventory (and maybe a suite, waivers and simulator faults) beside `expected.txt`, the exact diagnostics
//! `netaccept validate` must print. Each must exit 2, print `file:line:col` and a hint,
//! and never panic.
//!
//! `NETACCEPT_BLESS=1 cargo test --test cli invalid_inputs` rewrites the expected files;
//! review the diff before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn args_for(case: &Path) -> Vec<String> {
    let mut args = vec!["validate".to_string(), "-i".into()];
    args.push(if case.join("inventory").is_dir() {
        "inventory".into()
    } else {
        "inventory.yaml".into()
    });
    if case.join("suite.yaml").exists() {
        args.extend(["-s".into(), "suite.yaml".into()]);
    }
    if case.join("waivers.yaml").exists() {
        args.extend(["--waivers".into(), "waivers.yaml".into()]);
    }
    if case.join("faults.yaml").exists() {
        args.extend(["--faults".into(), "faults.yaml".into()]);
    }
    args
}

#[test]
fn every_invalid_input_is_reported_exactly() {
    let bless = std::env::var_os("NETACCEPT_BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
            .args(args_for(case))
            .current_dir(case)
            .env_remove("NETACCEPT_TOKEN")
            .output()
            .expect("run netaccept");
        let stderr = String::from_utf8(out.stderr).expect("utf-8 diagnostics");
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{name}: exit {:?}, not 2\n{stderr}",
                out.status.code()
            ));
            continue;
        }
        if stderr.contains("panicked") {
            failures.push(format!("{name}: panicked\n{stderr}"));
            continue;
        }
        if !out.stdout.is_empty() {
            failures.push(format!("{name}: printed to stdout on invalid input"));
        }
        // Every error names its place and says what to do, except problems that belong to
        // no line (an empty inventory folder, which the corpus does not hold).
        let has_position = stderr.lines().any(|l| {
            l.trim_start().starts_with("--> ")
                && l.rsplit(':').take(2).all(|n| n.parse::<u32>().is_ok())
        });
        if !has_position || !stderr.contains("= hint: ") {
            failures.push(format!("{name}: no file:line:col or no hint\n{stderr}"));
        }
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &stderr).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{name}: no expected.txt (run with NETACCEPT_BLESS=1)"));
        if expected != stderr {
            failures.push(format!(
                "{name}: diagnostics differ\n--- expected\n{expected}\n--- actual\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
