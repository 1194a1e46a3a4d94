//! What identifies a run in its record, known before it starts: its id, the probing
//! machine, the hashes of the inputs it certifies, and who ran it (`--operator` only: the
//! login name that runs a job, `root` under cron, is not who answers for the tests, so
//! without the flag the report leaves 测试人员 blank for a pen).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::load::Loaded;
use crate::report::RunMeta;

/// The record's identity of a run of `suite` started `now`.
pub fn meta(
    loaded: &Loaded,
    suite: &str,
    now: DateTime<Utc>,
    selection: Vec<String>,
    operator: String,
    vantage_id: String,
    shard: Option<crate::results::Shard>,
) -> RunMeta {
    RunMeta {
        id: format!(
            "{suite}-{}-{}",
            now.format("%Y%m%dT%H%M%SZ"),
            std::process::id()
        ),
        vantage: vantage(),
        inventory_sha256: sha256_of(loaded, &loaded.inventory_files),
        suite_sha256: sha256_of(loaded, &loaded.suite_file.into_iter().collect::<Vec<_>>()),
        selection,
        operator,
        vantage_id,
        shard,
    }
}

/// The SHA-256 of the inventory and of the suite, as a run of `loaded` records them: what
/// `merge` compares a bundle's record against.
pub fn input_hashes(loaded: &Loaded) -> (String, String) {
    (
        sha256_of(loaded, &loaded.inventory_files),
        sha256_of(loaded, &loaded.suite_file.into_iter().collect::<Vec<_>>()),
    )
}

/// SHA-256 over the files' paths and contents, in the order read: the inventory or suite
/// version that a report certifies.
fn sha256_of(loaded: &Loaded, files: &[u32]) -> String {
    let mut h = Sha256::new();
    for &f in files {
        let file = &loaded.sources.files[f as usize];
        if files.len() > 1 {
            // For a directory, names matter too: moving a node between files is a change.
            if let Some(name) = file.path.file_name() {
                h.update(name.to_string_lossy().as_bytes());
                h.update([0]);
            }
        }
        h.update(file.text.as_bytes());
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// The host name of the probing machine.
fn vantage() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}
