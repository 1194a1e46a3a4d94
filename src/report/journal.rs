//! The journal: one JSON line per result as it finishes, appended and flushed at once, so a
//! crash or a kill loses at most the checks in flight. `results.json` is the tidy record;
//! this is the safety net beside it.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::results::ResultRecord;

pub struct Journal {
    /// Unbuffered on purpose: each line reaches the kernel when its check finishes.
    file: File,
}

impl Journal {
    pub fn create(path: &Path) -> std::io::Result<Journal> {
        Ok(Journal {
            file: File::options().create(true).append(true).open(path)?,
        })
    }

    pub fn append(&mut self, r: &ResultRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(r).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }
}
