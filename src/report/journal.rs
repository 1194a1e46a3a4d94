//! The journal (`journal.jsonl`, format `netaccept-journal/1`): the safety net beside
//! `results.json`. Its first line is the run's outline, written before the first check (the
//! record with no result yet: the run's identity, the nodes, checks and apps it names); then
//! one line per result as it finishes, appended and handed to the kernel as soon as the run
//! has no other event waiting. A crash, a `kill -9` or a power cut loses at most the checks
//! in flight, and [`read`] makes the whole record again from what is there, marked
//! incomplete, for `netaccept report DIR/journal.jsonl`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::json::ReadError;
use super::{RecordBook, Reporter, ReporterError};
use crate::event::Event;
use crate::results::{AppInfo, CheckInfo, NodeInfo, ResultRecord, Results, RunInfo, Summary};

/// The journal's format, on its first line.
pub const FORMAT: &str = "netaccept-journal/1";

/// The first line: the run as it is known before its first check.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outline {
    /// [`FORMAT`].
    pub format: String,
    pub run: RunInfo,
    pub nodes: Vec<NodeInfo>,
    pub checks: Vec<CheckInfo>,
    pub apps: Vec<AppInfo>,
}

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
    /// Creates the journal and writes its first line, `outline`: the run's first write into
    /// its folder, made before any traffic, so a folder that cannot be written is found then.
    pub fn create(
        path: &Path,
        book: Arc<RecordBook>,
        outline: &Results,
    ) -> std::io::Result<Journal> {
        let mut file = File::options().create(true).append(true).open(path)?;
        let first = Outline {
            format: FORMAT.to_string(),
            run: outline.run.clone(),
            nodes: outline.nodes.clone(),
            checks: outline.checks.clone(),
            apps: outline.apps.clone(),
        };
        let mut line = serde_json::to_vec(&first).map_err(std::io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        Ok(Journal {
            file,
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

/// Whether `path` holds a journal: its first line names [`FORMAT`]'s family.
pub fn is_journal(path: &Path) -> bool {
    // Only a regular file is opened: a pipe would block, and `read` says why it is refused.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    // The outline of a national run is about 1 MB: read the start of the line only.
    let mut head = Vec::new();
    let _ = BufReader::new(file).take(4096).read_until(b'\n', &mut head);
    let head = String::from_utf8_lossy(&head);
    head.trim_start().strip_prefix('{').is_some_and(|rest| {
        rest.trim_start()
            .starts_with("\"format\":\"netaccept-journal/")
    })
}

/// The record a journal holds: its outline with every result line, in plan order (tree order
/// of the nodes, then suite order of the checks, then catalogue order of the apps), marked
/// incomplete; the run's end is the end of its last result. A last line cut short (the
/// process died while writing it) is left out and said among the warnings, as is any other
/// line that is not a result.
pub fn read(path: &Path) -> Result<(Results, Vec<String>), ReadError> {
    let file = super::json::open_record(path)?;
    // Lines as bytes: a line that is not UTF-8 (a damaged disk) is one line left out, not a
    // journal refused.
    let mut lines = BufReader::new(file).split(b'\n');
    let first = match lines.next() {
        Some(l) => l.map_err(ReadError::Io)?,
        None => return Err(ReadError::NotResults("an empty journal".into())),
    };
    let outline: Outline = serde_json::from_slice(&first).map_err(|e| {
        ReadError::NotResults(format!(
            "the first line is not a {FORMAT} outline ({e}); a journal written before netaccept \
             wrote outlines cannot be made into reports"
        ))
    })?;
    check_format(&outline.format)?;
    let mut results = Vec::new();
    let mut warnings = Vec::new();
    let mut bad: Vec<usize> = Vec::new();
    let mut all: Vec<Vec<u8>> = Vec::new();
    for line in lines {
        all.push(line.map_err(ReadError::Io)?);
    }
    // A final newline leaves no line behind it.
    let last = all.len();
    for (i, line) in all.iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<ResultRecord>(line) {
            Ok(r) => results.push(r),
            // The line number as an editor counts it: the outline is line 1.
            Err(_) if i + 1 == last => warnings.push(format!(
                "{}:{}: the last line is cut short (the run stopped while writing it); left out",
                path.display(),
                i + 2
            )),
            Err(_) => bad.push(i + 2),
        }
    }
    if !bad.is_empty() {
        warnings.push(format!(
            "{}: {} line(s) are not results and are left out (line {})",
            path.display(),
            bad.len(),
            bad.iter()
                .take(5)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((assemble(outline, results), warnings))
}

/// Refuses an outline of a journal format this build does not know.
fn check_format(format: &str) -> Result<(), ReadError> {
    let ours: u32 = FORMAT
        .trim_start_matches("netaccept-journal/")
        .parse()
        .unwrap_or(1);
    match format
        .strip_prefix("netaccept-journal/")
        .map(str::parse::<u32>)
    {
        Some(Ok(v)) if v <= ours => Ok(()),
        Some(Ok(_)) => Err(ReadError::Newer(format!(
            "written in format {format} by a newer netaccept; this version reads {FORMAT}"
        ))),
        _ => Err(ReadError::NotResults(format!("unknown format `{format}`"))),
    }
}

/// The record from the outline and the results found, in plan order.
fn assemble(outline: Outline, mut results: Vec<ResultRecord>) -> Results {
    use std::collections::HashMap;
    let pos = |ids: Vec<&str>| -> HashMap<String, usize> {
        ids.into_iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i))
            .collect()
    };
    let nodes = pos(outline.nodes.iter().map(|n| n.id.as_str()).collect());
    let checks = pos(outline.checks.iter().map(|c| c.id.as_str()).collect());
    let apps = pos(outline.apps.iter().map(|a| a.id.as_str()).collect());
    // An id the outline lacks (a hand-edited line) sorts last rather than vanishing.
    let at = |m: &HashMap<String, usize>, id: &str| m.get(id).copied().unwrap_or(usize::MAX);
    results.sort_by_key(|r| {
        (
            at(&nodes, &r.node),
            at(&checks, &r.check),
            r.app.as_deref().map(|a| at(&apps, a)),
        )
    });
    let mut run = outline.run;
    run.complete = false;
    run.finished = results
        .iter()
        .map(|r| r.started + chrono::Duration::microseconds((r.duration_ms * 1e3) as i64))
        .max()
        .unwrap_or(run.started)
        .max(run.started);
    Results {
        format: crate::results::FORMAT.to_string(),
        run,
        summary: Summary::of(&results),
        results,
        nodes: outline.nodes,
        checks: outline.checks,
        apps: outline.apps,
        waivers: Vec::new(),
        bundles: Vec::new(),
    }
}
