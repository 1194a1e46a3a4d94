//! Facts about the machine the tests run on.

/// Whether the test runs as root (CI does): raw ICMP and network namespaces need it.
/// Read from our own status, to avoid a libc dependency for getuid().
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
