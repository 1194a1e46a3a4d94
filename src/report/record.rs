//! The record of a run as it happens: [`RecordBook`] turns an item's result into the
//! [`ResultRecord`] that `results.json`, the journal and every report share, and
//! [`Recorder`] is the reporter that keeps them, in plan order, for the finished
//! [`Results`], in which a planned item the run did not finish (it was interrupted) is a
//! skipped record of kind `NotRun`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Reporter, ReporterError};
use crate::event::{Event, ItemResult};
use crate::model::{Inventory, NodeIdx, Suite};
use crate::plan::Plan;
use crate::results::{
    AppInfo, CheckInfo, FORMAT, NEEDS, NEEDS_FAILED, NOT_RUN, NOT_RUN_MESSAGE, NodeInfo,
    ResultRecord, Results, RunInfo, Shard, Status, Summary,
};

/// What identifies a run, known before it starts.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub id: String,
    pub vantage: String,
    pub inventory_sha256: String,
    pub suite_sha256: String,
    pub selection: Vec<String>,
    pub operator: String,
    /// The vantage whose share is run (the root's id for the whole plan).
    pub vantage_id: String,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
}

/// What a record takes from the plan, the inventory and the suite, kept for the whole run:
/// turns an item's result into its record, and records into the whole [`Results`]. Shared
/// (read-only) by every reporter that writes records.
pub struct RecordBook {
    items: Vec<ItemMeta>,
    nodes: Vec<NodeInfo>,
    checks: Vec<CheckInfo>,
    apps: Vec<AppInfo>,
    suite: (String, String),
    /// The ids of the vantages the items are probed from.
    vantages: Vec<String>,
    /// The probing machine's host name, on every record.
    host: String,
}

/// What a record takes from its plan item, kept for the whole run. One per item (18,658 at
/// national scale), so the ids are indices into the recorder's own tables rather than
/// strings of their own.
struct ItemMeta {
    /// Into [`RecordBook::nodes`].
    node: u32,
    /// Into [`RecordBook::checks`], which is in suite order.
    check: u32,
    /// Into [`RecordBook::apps`], the suite's catalogue.
    app: Option<u32>,
    /// Into [`RecordBook::vantages`].
    vantage: u32,
    target: Box<str>,
}

impl RecordBook {
    /// `host`: the probing machine's host name, which every record carries.
    pub fn new(plan: &Plan, inv: &Inventory, suite: &Suite, host: String) -> RecordBook {
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
        // Each item's vantage by the rule (FORMAT.md): a whole-plan run records each item's
        // own, so that its record merges like a vantage's.
        let mut vantages: Vec<String> = Vec::new();
        let mut vantage_pos: std::collections::HashMap<NodeIdx, u32> =
            std::collections::HashMap::new();
        let items = plan
            .items
            .iter()
            .map(|it| ItemMeta {
                node: position[it.node.0 as usize],
                check: it.check.0,
                app: it.app.map(|a| a.0),
                vantage: *vantage_pos
                    .entry(inv.vantage_of(it.node))
                    .or_insert_with(|| {
                        vantages.push(inv.node(inv.vantage_of(it.node)).id.clone());
                        vantages.len() as u32 - 1
                    }),
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
        RecordBook {
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
            vantages,
            host,
        }
    }

    pub fn record(&self, item: usize, r: &ItemResult) -> ResultRecord {
        let m = &self.items[item];
        let check = &self.checks[m.check as usize];
        let mut measurements = r.measurements.clone();
        if let Some(need) = r.skipped_for {
            // Which check it waited for, as an id: the reports say whether that one was
            // waived, and a reader need not parse the message to find it.
            let needed = &self.checks[self.items[need].check as usize];
            measurements.insert(NEEDS.into(), needed.id.clone().into());
        }
        ResultRecord {
            node: self.nodes[m.node as usize].id.clone(),
            check: check.id.clone(),
            app: m.app.map(|a| self.apps[a as usize].id.clone()),
            status: r.status,
            severity: check.severity,
            started: r.started,
            duration_ms: ms(r.duration),
            attempts: r.attempts,
            attempt_ms: r.attempt_durations.iter().copied().map(ms).collect(),
            message: r.message.clone(),
            measurements,
            kind: r
                .failure
                .as_ref()
                .map(|f| f.kind.as_str().to_string())
                .or_else(|| r.error_kind.map(|k| k.as_str().to_string()))
                .or_else(|| r.skipped_for.map(|_| NEEDS_FAILED.to_string())),
            expected: r.failure.as_ref().and_then(|f| f.expected.clone()),
            measured: r.failure.as_ref().and_then(|f| f.measured.clone()),
            evidence: r.evidence.clone(),
            target: m.target.to_string(),
            waiver: None,
            waiver_expired: None,
            need_waived: false,
            vantage: Some(self.vantages[m.vantage as usize].clone()),
            host: Some(self.host.clone()),
        }
    }

    /// The record of a planned item that has no result because the run was interrupted
    /// (`at`: when the run finished): skipped, kind [`NOT_RUN`], nothing sent. Listed like
    /// any other result, so that no report shows an interrupted run as complete by leaving
    /// out what never ran.
    pub fn not_run(&self, item: usize, at: DateTime<Utc>) -> ResultRecord {
        let m = &self.items[item];
        let check = &self.checks[m.check as usize];
        ResultRecord {
            node: self.nodes[m.node as usize].id.clone(),
            check: check.id.clone(),
            app: m.app.map(|a| self.apps[a as usize].id.clone()),
            status: Status::Skipped,
            severity: check.severity,
            started: at,
            duration_ms: 0.0,
            attempts: 0,
            attempt_ms: Vec::new(),
            message: NOT_RUN_MESSAGE.to_string(),
            measurements: crate::outcome::Measurements::new(),
            kind: Some(NOT_RUN.to_string()),
            expected: None,
            measured: None,
            evidence: None,
            target: m.target.to_string(),
            waiver: None,
            waiver_expired: None,
            need_waived: false,
            vantage: Some(self.vantages[m.vantage as usize].clone()),
            host: Some(self.host.clone()),
        }
    }

    /// The whole record; `records` is indexed like the plan (`None`: no result, which only
    /// an interrupted run leaves: recorded as [`RecordBook::not_run`]).
    pub fn results(
        &self,
        meta: &RunMeta,
        records: Vec<Option<ResultRecord>>,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
        complete: bool,
    ) -> Results {
        let planned = records.len();
        // std collects this in place, in the plan-sized vector the records are already in
        // (an `Option<ResultRecord>` is no larger than a record), rather than growing a
        // second vector beside it (12 MB at national scale).
        let results: Vec<ResultRecord> = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.unwrap_or_else(|| self.not_run(i, finished)))
            .collect();
        let mut record = self.outline(meta, started, planned);
        record.run.finished = finished;
        record.run.complete = complete;
        record.summary = Summary::of(&results);
        record.results = results;
        record
    }

    /// The record of a run that has no result yet, `complete: false`: what the journal's
    /// first line says of the run, so that a run that never finishes can still be reported.
    pub fn outline(&self, meta: &RunMeta, started: DateTime<Utc>, planned: usize) -> Results {
        Results {
            format: FORMAT.to_string(),
            run: RunInfo {
                id: meta.id.clone(),
                suite: self.suite.0.clone(),
                suite_name: self.suite.1.clone(),
                started,
                finished: started,
                complete: false,
                vantage: meta.vantage.clone(),
                inventory_sha256: meta.inventory_sha256.clone(),
                suite_sha256: meta.suite_sha256.clone(),
                netaccept_version: env!("CARGO_PKG_VERSION").to_string(),
                selection: meta.selection.clone(),
                planned,
                operator: meta.operator.clone(),
                vantage_id: Some(meta.vantage_id.clone()),
                shard: meta.shard,
            },
            summary: Summary::default(),
            results: Vec::new(),
            nodes: self.nodes.clone(),
            checks: self.checks.clone(),
            apps: self.apps.clone(),
            waivers: Vec::new(),
            bundles: Vec::new(),
        }
    }
}

/// Milliseconds, to the microsecond: as the records give every time.
fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The reporter that keeps every record of the run, indexed like the plan, and the run's
/// start, end and completeness, for the finished [`Results`].
pub struct Recorder {
    book: Arc<RecordBook>,
    records: Vec<Option<ResultRecord>>,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    complete: bool,
}

impl Recorder {
    /// `planned`: the number of items of the plan.
    pub fn new(book: Arc<RecordBook>, planned: usize) -> Recorder {
        let now = Utc::now();
        Recorder {
            book,
            records: vec![None; planned],
            started: now,
            finished: now,
            complete: false,
        }
    }

    /// The whole record of what was received.
    pub fn results(self, meta: &RunMeta) -> Results {
        self.book.results(
            meta,
            self.records,
            self.started,
            self.finished,
            self.complete,
        )
    }
}

impl Reporter for Recorder {
    fn on_event(&mut self, event: &Event) -> Result<(), ReporterError> {
        match event {
            Event::Started { at, .. } => self.started = *at,
            Event::CheckFinished { item, result } => {
                self.records[*item] = Some(self.book.record(*item, result));
            }
            Event::Finished { complete, at } => {
                self.finished = *at;
                self.complete = *complete;
            }
            Event::CheckStarted { .. } | Event::Warning { .. } => {}
        }
        Ok(())
    }
}
