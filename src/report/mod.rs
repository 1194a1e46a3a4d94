//! Reporters: each consumes the runner's events ([`Reporter`]) or the finished [`Results`],
//! one per format. They never touch the network and never see the runner or the probers.
//! [`Recorder`] turns the runner's item results into the records every report is made from.
//!
//! The report files are written one after another, each streamed through a buffer into its
//! temporary file and renamed into place ([`write_atomic_with`]). None is ever held whole in
//! memory: at national scale they come to 35 MB of text, written at the end of a run while
//! the plan and every record are still alive, and rendering them into memory made that
//! moment the run's peak.

pub mod availability;
pub mod csv;
pub mod diff;
pub mod history;
pub mod html;
pub mod journal;
pub mod json;
pub mod junit;
pub mod metrics;
pub mod plan;
pub mod progress;
pub mod record;
pub mod summary;
pub mod summary_doc;
pub mod text;
pub mod waive;
pub mod words;

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

/// The report files of a run, each made from the same record. Three are apart:
/// `results.json` (hashed as it is written, for the HTML report), `links.csv` (written only
/// when the record has link-quality results: [`csv::has_links`]) and the HTML report
/// ([`html::write_documents`]: with `--split provincial` it is a set of files, and it prints
/// the SHA-256 of the record's `results.json`).
const REPORTS: &[(&str, Render)] = &[
    ("junit.xml", |r, _, w| junit::write(r, w)),
    ("results.csv", |r, lang, w| csv::write(r, lang, w)),
];

/// The record's file, whose SHA-256 the HTML report prints.
const RECORD: &str = "results.json";

/// Writes every report into `dir`, each whole or not at all. A report that cannot be written
/// does not stop the others; the failures are returned with their paths.
///
/// The reports are written side by side, one thread each: they only read the finished
/// record, the run's cores are idle by then, and each streams through a small buffer, so
/// together they take little more than the longest (measured with `netaccept report` over
/// 10,000 results: 0.27 s one after another, 0.20 s side by side, 11 MB more at the peak).
///
/// `html`: how the HTML report is made (its language is the one of every report).
pub fn write_all(
    dir: &Path,
    r: &Results,
    lang: Lang,
    html: &html::Options,
) -> Vec<(PathBuf, std::io::Error)> {
    write_all_with_history(dir, r, lang, html, None)
}

/// [`write_all`] for a run recorded in a history store: the HTML report shows `history`
/// ([`html::render_with_history`]).
pub fn write_all_with_history(
    dir: &Path,
    r: &Results,
    lang: Lang,
    html: &html::Options,
    history: Option<&crate::trend::RunHistory>,
) -> Vec<(PathBuf, std::io::Error)> {
    let html = html::Options { lang, ..*html };
    // The link-quality table, derived once for the three reports that hold it (results.json
    // twice: written, and hashed for the HTML report; links.csv).
    let links = crate::results::links::derive(r);
    let links = &links;
    std::thread::scope(|scope| {
        let (sha_tx, sha_rx) = std::sync::mpsc::sync_channel::<String>(1);
        let documents = scope.spawn(move || {
            // The hash of results.json's bytes, from the thread that writes them; when that
            // write failed (the sender dropped unused), the record is serialised again here
            // for it: the HTML report still names the record it was made from.
            let sha = sha_rx
                .recv()
                .unwrap_or_else(|_| json::sha256_with(r, links));
            html::write_documents(dir, r, &html, history, &sha)
        });
        let record = {
            let path = dir.join(RECORD);
            scope.spawn(move || {
                let mut sha = None;
                let written = write_atomic_with(&path, |w| {
                    sha = Some(json::write_hashed(r, links, w)?);
                    Ok(())
                });
                // Only the bytes of a file now in place are its hash.
                if let (Ok(()), Some(sha)) = (&written, sha) {
                    let _ = sha_tx.send(sha);
                }
                written.err().map(|e| (path, e))
            })
        };
        let mut failures: Vec<(PathBuf, std::io::Error)> = std::iter::once(record)
            .chain(REPORTS.iter().map(|(name, render)| {
                let path = dir.join(name);
                scope.spawn(move || {
                    write_atomic_with(&path, |w| render(r, lang, w))
                        .err()
                        .map(|e| (path, e))
                })
            }))
            .chain(
                // `links.csv` beside `results.csv`, only for a record that has something
                // for it: a run without link-quality checks leaves the folder as it was.
                csv::has_links(r).then(|| {
                    let path = dir.join(csv::LINKS_FILE);
                    scope.spawn(move || {
                        write_atomic_with(&path, |w| csv::write_links_with(r, links, lang, w))
                            .err()
                            .map(|e| (path, e))
                    })
                }),
            )
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        failures.extend(
            documents
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        failures
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
///
/// The folder may be shared, and whoever can write there may have planted a symlink at a
/// name we are about to use, pointing at a file of theirs or of the system's (the reports
/// are often written as root). Neither name is followed: the temporary file is made anew
/// under a name no one can guess (`create_temp`), and the rename replaces whatever entry
/// holds the target's name, a symlink included, rather than writing through it.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (tmp, file) = create_temp(dir, temp_names(&name))?;
    let result = (|| {
        let mut w = BufWriter::with_capacity(WRITE_BUFFER, file);
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

/// Makes a new file in `dir` under the first of `names` that is free. A name already taken
/// (by a file, or by a symlink, dangling or not) is passed over, never opened: the file is
/// created exclusively (`O_CREAT | O_EXCL`, which fails on any existing entry, a symlink
/// included) and, on Unix, with `O_NOFOLLOW` as well, so that no flag combination of a
/// platform could make it write through a link.
fn create_temp(
    dir: &Path,
    names: impl IntoIterator<Item = String>,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut taken = None;
    for name in names {
        let path = dir.join(name);
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NOFOLLOW);
        match open.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if is_taken(&e) => taken = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(taken.unwrap_or_else(|| std::io::Error::other("no name for a temporary file")))
}

/// The name exists: `EEXIST`, or `ELOOP` where a system reports a symlink met by
/// `O_NOFOLLOW` before it checks `O_EXCL`.
fn is_taken(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return true;
    }
    e.kind() == std::io::ErrorKind::AlreadyExists
}

/// Names for the temporary file of `name`: `.NAME.tmp-PID-RANDOM`, a few of them, since a
/// name someone else holds is passed over. The dot hides it from a plain `ls`, the pid says
/// whose it is when one is left behind (a crash), and the random part makes it one no one
/// could have planted beforehand.
fn temp_names(name: &str) -> impl Iterator<Item = String> + '_ {
    (0..TEMP_NAMES).map(move |_| format!(".{name}.tmp-{}-{:016x}", std::process::id(), random()))
}

/// How many names [`create_temp`] tries before it gives up.
const TEMP_NAMES: usize = 16;

/// 64 unpredictable bits without a crate: std's `RandomState` is keyed from the operating
/// system's random source, so its hash of a counter and the time cannot be foreseen by
/// someone who does not know the keys (the counter alone makes each call's value differ).
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// The buffer between a report's many small writes and its file.
const WRITE_BUFFER: usize = 64 * 1024;

/// The language of human-facing reports (the HTML report, `results.csv`); Chinese by
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symlink and a file at the first names: both passed over, the link not followed.
    #[cfg(unix)]
    #[test]
    fn a_taken_temporary_name_is_passed_over_never_opened() {
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, "theirs").unwrap();
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&victim, d.path().join(".r.tmp-a")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("none"), d.path().join(".r.tmp-b")).unwrap();
        std::fs::write(d.path().join(".r.tmp-c"), "a file").unwrap();
        let names = || [".r.tmp-a", ".r.tmp-b", ".r.tmp-c", ".r.tmp-d"].map(String::from);

        let (path, mut file) = create_temp(d.path(), names()).unwrap();
        assert_eq!(path, d.path().join(".r.tmp-d"));
        file.write_all(b"ours").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "theirs");
        assert!(
            !outside.path().join("none").exists(),
            "no file made through a link"
        );
        assert_eq!(
            std::fs::read_to_string(d.path().join(".r.tmp-c")).unwrap(),
            "a file"
        );

        // Every name taken: an error, and still nothing written through a link.
        let err = create_temp(d.path(), names()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "theirs");
    }

    #[test]
    fn temporary_names_are_hidden_per_process_and_never_repeat() {
        let names: Vec<String> = temp_names("report.html").collect();
        assert_eq!(names.len(), TEMP_NAMES);
        let prefix = format!(".report.html.tmp-{}-", std::process::id());
        assert!(names.iter().all(|n| n.starts_with(&prefix)), "{names:?}");
        let mut distinct = names.clone();
        distinct.extend(temp_names("report.html"));
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 2 * TEMP_NAMES, "{names:?}");
    }
}
