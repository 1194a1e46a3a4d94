//! Reporters: each consumes the runner's events ([`Reporter`]) or the finished [`Results`],
//! one per format. They never touch the network and never see the runner or the probers.
//! [`Recorder`] turns the runner's item results into the records every report is made from.
//!
//! The report files are written one after another, each streamed through a buffer into its
//! temporary file and renamed into place ([`write_atomic_with`]). None is ever held whole in
//! memory: at national scale they come to 35 MB of text, written at the end of a run while
//! the plan and every record are still alive, and rendering them into memory made that
//! moment the run's peak.

pub mod csv;
pub mod html;
pub mod journal;
pub mod json;
pub mod junit;
pub mod plan;
pub mod progress;
pub mod record;
pub mod summary;
pub mod waive;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::event::Event;
use crate::results::Results;

pub use record::{RecordBook, Recorder, RunMeta};

/// A consumer of a run's events (see [`crate::event`] for what it may rely on): the live
/// progress, the journal, the record of the run, and any writer to come. The engine passes
/// every event to every reporter in order, then calls [`Reporter::finish`] once.
///
/// A reporter never touches the network and never stops the run: an error takes this
/// reporter out of the run (the engine tells the operator once, through the others) while
/// the checks go on.
pub trait Reporter {
    /// One event, as it happens.
    fn on_event(&mut self, event: &Event) -> Result<(), ReporterError>;

    /// No other event is waiting: a reporter that batches its writes writes them now.
    fn flush(&mut self) -> Result<(), ReporterError> {
        Ok(())
    }

    /// After the last event.
    fn finish(&mut self) -> Result<(), ReporterError> {
        self.flush()
    }
}

/// Why a reporter gave up; said to the operator as a warning.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct ReporterError {
    /// What failed, e.g. `journal write failed`.
    pub what: &'static str,
    #[source]
    pub source: std::io::Error,
}

/// Writes one report of a run into a writer, from the record.
type Render = fn(&Results, Lang, &mut dyn Write) -> std::io::Result<()>;

/// The report files of a run, each made from the same record.
const REPORTS: &[(&str, Render)] = &[
    ("results.json", |r, _, w| json::write(r, w)),
    ("junit.xml", |r, _, w| junit::write(r, w)),
    ("report.html", |r, lang, w| html::write(r, lang, w)),
    ("results.csv", |r, _, w| csv::write(r, w)),
];

/// Writes every report into `dir`, each whole or not at all. A report that cannot be written
/// does not stop the others; the failures are returned with their paths.
///
/// The reports are written side by side, one thread each: they only read the finished
/// record, the run's cores are idle by then, and each streams through a small buffer, so
/// together they take little more than the longest (measured with `netaccept report` over
/// 10,000 results: 0.27 s one after another, 0.20 s side by side, 11 MB more at the peak).
pub fn write_all(dir: &Path, r: &Results, lang: Lang) -> Vec<(PathBuf, std::io::Error)> {
    std::thread::scope(|scope| {
        let writers: Vec<_> = REPORTS
            .iter()
            .map(|(name, render)| {
                let path = dir.join(name);
                scope.spawn(move || {
                    write_atomic_with(&path, |w| render(r, lang, w))
                        .err()
                        .map(|e| (path, e))
                })
            })
            .collect();
        writers
            .into_iter()
            .filter_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Writes a file whole or not at all: see [`write_atomic_with`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes a file whole or not at all: `write` streams the content into a temporary file in
/// the same folder (through a buffer, so that a report never has to exist whole in memory),
/// which is flushed to disk, then renamed over the target, so a reader never sees half a
/// report. On any error the temporary file is removed and the target left as it was.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::with_capacity(WRITE_BUFFER, std::fs::File::create(&tmp)?);
        write(&mut w)?;
        let f = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The buffer between a report's many small writes and its file.
const WRITE_BUFFER: usize = 64 * 1024;

/// The language of human-facing reports (the HTML report); Chinese by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}
