//! Facts about the machine the tests run on, and what a test does when the machine cannot
//! run it.
//!
//! The rule: a test that cannot run here never passes silently.
//!
//! - A test that needs root (network namespaces, raw ICMP, dropping privileges) is
//!   `#[ignore = "needs root: …"]`, so a plain `cargo test` lists it as ignored with its
//!   reason; the README's test command (what CI runs, as root) adds `--include-ignored`, and
//!   the test then starts with [`assert_root`], so that running it without root fails
//!   instead of passing.
//! - A tool missing from the machine (`xmllint`, Chromium, `setpriv`): [`skip`] fails when
//!   `CI` is set, since CI installs every tool with `.ci/run`; elsewhere it says on the
//!   terminal why the test (or part of it) did not run, and the test returns.

use std::io::Write;

/// Whether the test runs as root (CI does): raw ICMP and network namespaces need it.
/// Read from our own status, to avoid a libc dependency for getuid().
#[allow(dead_code, reason = "the probes binary uses only `skip`")]
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

/// Fails the calling test unless it runs as root: the first line of a test that is
/// `#[ignore = "needs root: …"]` and was asked for with `--include-ignored`.
#[allow(dead_code, reason = "the probes binary uses only `skip`")]
pub fn assert_root(why: &str) {
    assert!(
        is_root(),
        "this test needs root ({why}): run it as root, as CI does"
    );
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
