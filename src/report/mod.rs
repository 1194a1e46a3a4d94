//! Reporters: each consumes the runner's events or the finished [`Results`], one per
//! format. They never touch the network. [`Recorder`] turns the runner's item results into
//! the records every report is made from.
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
pub mod progress;
pub mod summary;
pub mod waive;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::model::{Inventory, NodeIdx, Suite};
use crate::plan::Plan;
use crate::results::{
    AppInfo, CheckInfo, FORMAT, NodeInfo, ResultRecord, Results, RunInfo, Summary,
};
use crate::run::ItemResult;

/// What identifies a run, known before it starts.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub id: String,
    pub vantage: String,
    pub inventory_sha256: String,
    pub suite_sha256: String,
    pub selection: Vec<String>,
    pub operator: String,
}

/// Turns item results into records, and records into the whole [`Results`].
pub struct Recorder {
    items: Vec<ItemMeta>,
    nodes: Vec<NodeInfo>,
    checks: Vec<CheckInfo>,
    apps: Vec<AppInfo>,
    suite: (String, String),
}

/// What a record takes from its plan item, kept for the whole run. One per item (18,658 at
/// national scale), so the ids are indices into the recorder's own tables rather than
/// strings of their own.
struct ItemMeta {
    /// Into [`Recorder::nodes`].
    node: u32,
    /// Into [`Recorder::checks`], which is in suite order.
    check: u32,
    /// Into [`Recorder::apps`], the suite's catalogue.
    app: Option<u32>,
    target: Box<str>,
}

impl Recorder {
    pub fn new(plan: &Plan, inv: &Inventory, suite: &Suite) -> Recorder {
        // Every node on the path of a planned node, so reports can show the tree.
        let mut wanted = vec![false; inv.nodes.len()];
        for it in &plan.items {
            for a in inv.ancestors_and_self(it.node) {
                wanted[a.0 as usize] = true;
            }
        }
        let order: Vec<NodeIdx> = inv
            .order
            .iter()
            .copied()
            .filter(|i| wanted[i.0 as usize])
            .collect();
        // Inventory index → position in `nodes`.
        let mut position = vec![u32::MAX; inv.nodes.len()];
        for (p, i) in order.iter().enumerate() {
            position[i.0 as usize] = p as u32;
        }
        let items = plan
            .items
            .iter()
            .map(|it| ItemMeta {
                node: position[it.node.0 as usize],
                check: it.check.0,
                app: it.app.map(|a| a.0),
                target: it.probe.target_display().into_boxed_str(),
            })
            .collect();
        let nodes = order
            .into_iter()
            .map(|i| {
                let n = inv.node(i);
                NodeInfo {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    level: n.level,
                    kind: n.kind,
                    parent: n.parent.map(|p| inv.node(p).id.clone()),
                    path: inv.path(i),
                    region: n.region.clone(),
                    host: n.host.clone(),
                }
            })
            .collect();
        Recorder {
            items,
            nodes,
            checks: suite
                .checks
                .iter()
                .map(|c| CheckInfo {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    severity: c.severity,
                    probe: c.probe.kind().to_string(),
                })
                .collect(),
            apps: suite
                .apps
                .iter()
                .map(|a| AppInfo {
                    id: a.id.clone(),
                    name: a.name.clone(),
                })
                .collect(),
            suite: (suite.id.clone(), suite.name.clone()),
        }
    }

    pub fn record(&self, item: usize, r: &ItemResult) -> ResultRecord {
        let m = &self.items[item];
        let check = &self.checks[m.check as usize];
        ResultRecord {
            node: self.nodes[m.node as usize].id.clone(),
            check: check.id.clone(),
            app: m.app.map(|a| self.apps[a as usize].id.clone()),
            status: r.status,
            severity: check.severity,
            started: r.started,
            duration_ms: (r.duration.as_secs_f64() * 1e6).round() / 1e3,
            attempts: r.attempts,
            message: r.message.clone(),
            measurements: r.measurements.clone(),
            kind: r
                .failure
                .as_ref()
                .map(|f| f.kind.as_str().to_string())
                .or_else(|| r.error_kind.map(|k| k.as_str().to_string())),
            expected: r.failure.as_ref().and_then(|f| f.expected.clone()),
            measured: r.failure.as_ref().and_then(|f| f.measured.clone()),
            evidence: r.evidence.clone(),
            target: m.target.to_string(),
            waiver: None,
        }
    }

    /// The whole record; `records` is indexed like the plan (`None`: no result).
    pub fn results(
        &self,
        meta: &RunMeta,
        records: Vec<Option<ResultRecord>>,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
        complete: bool,
    ) -> Results {
        let planned = records.len();
        // `filter_map`, not `flatten`: std collects it in place, in the plan-sized vector the
        // records are already in (an `Option<ResultRecord>` is no larger than a record),
        // where `flatten` grows a second vector beside it (12 MB at national scale).
        #[allow(clippy::filter_map_identity)]
        let results: Vec<ResultRecord> = records.into_iter().filter_map(|r| r).collect();
        let summary = Summary::of(&results);
        Results {
            format: FORMAT.to_string(),
            run: RunInfo {
                id: meta.id.clone(),
                suite: self.suite.0.clone(),
                suite_name: self.suite.1.clone(),
                started,
                finished,
                complete,
                vantage: meta.vantage.clone(),
                inventory_sha256: meta.inventory_sha256.clone(),
                suite_sha256: meta.suite_sha256.clone(),
                netaccept_version: env!("CARGO_PKG_VERSION").to_string(),
                selection: meta.selection.clone(),
                planned,
                operator: meta.operator.clone(),
            },
            summary,
            results,
            nodes: self.nodes.clone(),
            checks: self.checks.clone(),
            apps: self.apps.clone(),
            waivers: Vec::new(),
        }
    }
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
        let f = w.into_inner().map_err(|e| e.into_error())?;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Zh,
    En,
}
