//! Checks a Prometheus text-format file (`--metrics`) with the real `promtool check metrics`
//! (Debian's `prometheus` package, which CI installs): the file parses as the text
//! exposition format and passes promtool's lint (naming, units, `HELP`, no `_total` on a
//! gauge), with no complaint at all.
//!
//! Without `promtool` the check is skipped with the reason on stderr, except when `CI` is
//! set: there it fails (`host::skip`; a binary that uses this module declares `host` too).

use std::path::Path;
use std::process::{Command, Stdio};

/// Feeds `path` to `promtool check metrics`; panics unless it exits 0 with nothing on its
/// output. Returns false (after [`super::host::skip`]) when promtool is not installed.
pub fn check_metrics(path: &Path) -> bool {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let out = match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::from(file))
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            super::host::skip("promtool is not installed (Debian package `prometheus`)");
            return false;
        }
        Err(e) => panic!("cannot run promtool: {e}"),
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics {}: {}\n{said}",
        path.display(),
        out.status
    );
    true
}
