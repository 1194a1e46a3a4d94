//! Commands that build a test network (root only): run a command that must succeed, load an
//! nftables ruleset inside a namespace, and ask whether a tool is installed. Shared by the
//! end-to-end namespace test and the DNS prober's firewalled Knot server.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// Runs `args` (the program first) and fails the test with its stderr unless it succeeds.
pub fn sh(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("spawn");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Loads `ruleset` with `nft -f -` inside the network namespace `ns`.
pub fn nft(ns: &str, ruleset: &str) {
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("nft");
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(ruleset.as_bytes())
        .unwrap();
    drop(child.stdin.take());
    assert!(
        child.wait().unwrap().success(),
        "nft in {ns} failed:\n{ruleset}"
    );
}

/// Whether `tool` is on the PATH.
pub fn available(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}
