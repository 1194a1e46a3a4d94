//! Reporters: each consumes the runner's events or the finished [`Results`], one per
//! format. They never touch the network. [`Recorder`] turns the runner's item results into
//! the records every report is made from.

pub mod csv;
pub mod html;
pub mod journal;
pub mod json;
pub mod junit;
pub mod progress;
pub mod summary;
pub mod waive;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::model::{Inventory, Suite};
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

struct ItemMeta {
    node: String,
    check: String,
    app: Option<String>,
    severity: crate::model::Severity,
    target: String,
}

impl Recorder {
    pub fn new(plan: &Plan, inv: &Inventory, suite: &Suite) -> Recorder {
        let items = plan
            .items
            .iter()
            .map(|it| {
                let c = suite.check(it.check);
                ItemMeta {
                    node: inv.node(it.node).id.clone(),
                    check: c.id.clone(),
                    app: it.app.map(|a| suite.app(a).id.clone()),
                    severity: c.severity,
                    target: it.probe.target_display(),
                }
            })
            .collect();
        // Every node on the path of a planned node, so reports can show the tree.
        let mut wanted = vec![false; inv.nodes.len()];
        for it in &plan.items {
            for a in inv.ancestors_and_self(it.node) {
                wanted[a.0 as usize] = true;
            }
        }
        let nodes = inv
            .order
            .iter()
            .filter(|i| wanted[i.0 as usize])
            .map(|&i| {
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
        ResultRecord {
            node: m.node.clone(),
            check: m.check.clone(),
            app: m.app.clone(),
            status: r.status,
            severity: m.severity,
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
            target: m.target.clone(),
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
        let results: Vec<ResultRecord> = records.into_iter().flatten().collect();
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

/// The report files of a run, each made from the same record.
type Render = fn(&Results, Lang) -> Vec<u8>;

const REPORTS: &[(&str, Render)] = &[
    ("results.json", |r, _| json::to_bytes(r)),
    ("junit.xml", |r, _| junit::render(r)),
    ("report.html", |r, lang| html::render(r, lang).into_bytes()),
    ("results.csv", |r, _| csv::render(r)),
];

/// Writes every report into `dir`, each whole or not at all. A report that cannot be written
/// does not stop the others; the failures are returned with their paths.
pub fn write_all(dir: &Path, r: &Results, lang: Lang) -> Vec<(PathBuf, std::io::Error)> {
    REPORTS
        .iter()
        .filter_map(|(name, render)| {
            let path = dir.join(name);
            write_atomic(&path, &render(r, lang))
                .err()
                .map(|e| (path, e))
        })
        .collect()
}

/// Writes a file whole or not at all: a temporary file in the same folder, flushed to disk,
/// then renamed over the target, so a reader never sees half a report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The language of human-facing reports (the HTML report); Chinese by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Zh,
    En,
}
