//! The output folder of a run: the one given (new, or existing and empty) or
//! `reports/<suite>-<UTC timestamp>/`, made before any traffic so that a run never ends with
//! nowhere to put its results, and never mixed with an older run's files.

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
