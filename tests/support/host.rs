//! Facts about the machine the tests run on, and what a test does when the machine cannot
//! run it.
//!
//! The rule: a test that cannot run here (not root, a tool missing) never passes silently.
//! When `CI` is set it fails, since CI (root, with `.ci/run`'s packages) must run every
//! test; elsewhere it says on the terminal why it did not run, and returns. Such tests are
//! not `#[ignore]`d: CI runs a plain `cargo test`, which would leave them out.

use std::io::Write;

/// Whether the test runs as root (CI does): raw ICMP and network namespaces need it.
/// Read from our own status, to avoid a libc dependency for getuid().
#[allow(dead_code, reason = "used by e2e, not by reports")]
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// `true` when running as root. Otherwise [`skip`]s the calling test with `needs root:
/// {why}` and returns `false`, so that the test returns: `if !require_root("…") { return; }`.
#[allow(dead_code, reason = "used by e2e, not by reports")]
pub fn require_root(why: &str) -> bool {
    if is_root() {
        return true;
    }
    skip(&format!("needs root: {why}"));
    false
}

/// The calling test (or the part of it named in `why`) cannot run on this machine: panics
/// when `CI` is set; elsewhere writes `SKIPPED <test>: <why>` to the terminal, and the
/// caller returns. The line goes straight to stderr, past the test harness's capture, so
/// that it shows in a plain `cargo test` and not only with `--nocapture`.
pub fn skip(why: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} cannot run here, and CI is set: {why}"
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (CI would fail here)"
    );
}
