//! The output folder of a run: the one given (new, or existing and empty) or
//! `reports/<suite>-<UTC timestamp>/`, made and proven writable before any traffic so that a
//! run never ends with nowhere to put its results, and never mixed with an older run's files.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::error::Error;

/// The folder, created if needed.
pub fn prepare(given: Option<PathBuf>, suite: &str, now: DateTime<Utc>) -> Result<PathBuf, Error> {
    let dir = given.unwrap_or_else(|| {
        PathBuf::from("reports").join(format!("{suite}-{}", now.format("%Y%m%dT%H%M%SZ")))
    });
    if dir.exists() {
        let empty = std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !dir.is_dir() || !empty {
            return Err(Error::OutputNotEmpty { dir });
        }
        return Ok(dir);
    }
    match std::fs::create_dir_all(&dir) {
        Ok(()) => Ok(dir),
        Err(source) => Err(Error::CreateOutput { dir, source }),
    }
}

/// The longest file name a run writes in its folder is a report's temporary file: a name this
/// long, created and removed, proves that the reports will fit too (a folder at the edge of
/// `PATH_MAX` takes a short name and refuses a longer one).
const LONGEST_NAME: usize = 64;

/// Proves `dir` writable now, before the first packet: a read-only folder, a full or
/// read-only file system, or a path too long for the reports' names is an error here, not
/// after the traffic.
pub fn prove_writable(dir: &std::path::Path) -> Result<(), Error> {
    let prefix = format!(".netaccept-write-test-{}-", std::process::id());
    let name = format!(
        "{prefix}{}",
        "x".repeat(LONGEST_NAME.saturating_sub(prefix.len()))
    );
    let probe = dir.join(name);
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"netaccept"));
    let _ = std::fs::remove_file(&probe);
    made.map_err(|source| Error::Unwritable {
        dir: dir.to_path_buf(),
        source,
    })
}
