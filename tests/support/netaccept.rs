//! The real `netaccept` binary run in a test's own folder as CI runs it, and the record it
//! writes there read back, for the binaries that run it whole (`reports`, `e2e`). Nearly
//! every such test writes `inv.yaml` and `suite.yaml`, runs or reports into a folder and
//! looks up a result in `results.json`: these helpers do those steps, so that a test spells
//! out only what differs and what it checks.
//!
//! A test binary that uses it declares it in its `mod support` (see `tests/README.md`).

use std::path::Path;
use std::process::{Command, Output};

/// Runs `netaccept ARGS` in `dir` and waits for it. `CI=true` as CI runs it, and no
/// `NETACCEPT_TOKEN` from the tester's shell (a token there would change what a run
/// writes); `envs` are set on top.
pub fn netaccept(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netaccept"));
    c.args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env_remove("NETACCEPT_TOKEN")
        // The terminal's language follows the locale: the tests' runs start from none, and a
        // test that wants one sets it.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("NETACCEPT_LANG");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run netaccept")
}

/// Writes a case's inventory and suite into `dir` as `inv.yaml` and `suite.yaml`, the names
/// [`run_case`] runs.
pub fn write_case(dir: &Path, inventory: &str, suite: &str) {
    std::fs::write(dir.join("inv.yaml"), inventory).unwrap();
    std::fs::write(dir.join("suite.yaml"), suite).unwrap();
}

/// `netaccept run -i inv.yaml -s suite.yaml -o OUT EXTRA…` in `dir`: the run of the case
/// the test wrote there ([`write_case`]), with only the options that differ given.
pub fn run_case(dir: &Path, out: &str, extra: &[&str]) -> Output {
    run_case_in_env(dir, out, extra, &[])
}

/// [`run_case`] with `envs` set, for a test of what the run takes from its environment.
pub fn run_case_in_env(dir: &Path, out: &str, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let args = [
        &["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", out][..],
        extra,
    ]
    .concat();
    netaccept(&args, dir, envs)
}

/// `netaccept report RECORD -o OUT EXTRA…` in `dir`: a record (results.json or a journal)
/// rendered again, with only the options that differ given.
pub fn report(dir: &Path, record: &str, out: &str, extra: &[&str]) -> Output {
    let args = [&["report", record, "-o", out][..], extra].concat();
    netaccept(&args, dir, &[])
}

/// [`report`], which must succeed, and the `results.json` it wrote in `out`: for the tests
/// that check what a record became when rendered again (with new waivers, say).
#[allow(dead_code, reason = "used by the reports binary, not by e2e")]
pub fn report_and_read(dir: &Path, record: &str, out: &str, extra: &[&str]) -> serde_json::Value {
    assert_exit(&report(dir, record, out, extra), 0);
    read_json(&dir.join(out).join("results.json"))
}

/// Asserts that the command exited with `code`, showing its stderr when it did not (where
/// the binary says why).
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A JSON file the binary wrote (`results.json`, mostly), read as a tree.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The SHA-256 of `bytes` in hex, as `sha256sum` prints it and the report prints the hash of
/// the `results.json` it was made from: to check that hash against the file's bytes.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// The result of `check` on `node` in a record read with [`read_json`]; panics naming them,
/// with the record, when there is none.
pub fn result<'r>(record: &'r serde_json::Value, node: &str, check: &str) -> &'r serde_json::Value {
    record["results"]
        .as_array()
        .expect("a record's results")
        .iter()
        .find(|x| x["node"] == node && x["check"] == check)
        .unwrap_or_else(|| panic!("no result {node} {check}: {record}"))
}
