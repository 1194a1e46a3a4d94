//! The results record (`results.json`, format `netaccept-results/2`; version 1 records are read too): what every report is
//! made from, whether written at the end of a run or read back by `netaccept report`.
//!
//! Besides the fields FORMAT.md names, the record carries the display names and the tree of
//! the nodes, checks and apps it mentions, so that a report can be rendered again from this
//! file alone, long after the inventory has changed.
//!
//! `links` derives the link-quality table (one row per link, per tier) from the results'
//! measurements, for every report; it is derived again whenever a report is made, never
//! read back.

pub mod links;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Kind, Level, Severity};
use crate::outcome::Measurements;

/// Version 2 added the status `not_reported` (a merged record's items that no bundle
/// reported), each result's `vantage` and `host`, the run's `vantage_id` and `shard`, and a
/// merged record's `bundles`. Version 1 records stay readable: every field added since has a
/// default.
pub const FORMAT: &str = "netaccept-results/2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Errored,
    Skipped,
    Waived,
    /// A merged record's item that no bundle reported: the vantage that should have probed
    /// it sent nothing (or not this shard). Never counted as passed.
    NotReported,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Passed,
        Status::Failed,
        Status::Errored,
        Status::Skipped,
        Status::Waived,
        Status::NotReported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Errored => "errored",
            Status::Skipped => "skipped",
            Status::Waived => "waived",
            Status::NotReported => "not_reported",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub format: String,
    pub run: RunInfo,
    pub summary: Summary,
    /// In plan order, whatever the order the checks finished in.
    pub results: Vec<ResultRecord>,
    /// The nodes the results mention, in tree order.
    pub nodes: Vec<NodeInfo>,
    /// The suite's checks, in suite order.
    pub checks: Vec<CheckInfo>,
    /// The suite's app catalogue.
    pub apps: Vec<AppInfo>,
    /// The waivers given to the run (or to `netaccept report`), each with its state.
    #[serde(default)]
    pub waivers: Vec<WaiverInfo>,
    /// A merged record's bundles, in the order they sort by (vantage, shard); empty for a
    /// single run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles: Vec<BundleInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: String,
    pub suite: String,
    pub suite_name: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    /// False when the run was interrupted: the items that did not finish are recorded as
    /// skipped, kind [`NOT_RUN`].
    pub complete: bool,
    /// Host name of the probing machine.
    pub vantage: String,
    pub inventory_sha256: String,
    pub suite_sha256: String,
    pub netaccept_version: String,
    /// The selection flags used, as typed (`--node sx`), empty for the whole inventory.
    #[serde(default)]
    pub selection: Vec<String>,
    /// Items the plan held; fewer results than this (in a record rebuilt from a journal)
    /// means the run did not complete.
    #[serde(default)]
    pub planned: usize,
    /// Who ran it (`--operator`; empty without it): the report's 测试人员, blank for a pen
    /// when empty.
    #[serde(default)]
    pub operator: String,
    /// The vantage this run probed from (`run --vantage ID`; the root's id for a whole run
    /// of an inventory with vantages); `None` in records written before vantages. `vantage`
    /// above is the probing machine's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vantage_id: Option<String>,
    /// `run --shard k/n`: which part of the vantage's items this run holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// One of `count` deterministic parts of a vantage's items, split by node (`index` counts
/// from 1, as `--shard 2/4` writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// A bundle a merged record was made from, as the HTML header lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    /// The bundle's folder name as given to `merge`.
    pub name: String,
    pub vantage_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The probing machine's host name.
    pub host: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub run_id: String,
    /// The SHA-256 (hex) of the bundle's manifest.
    pub manifest_sha256: String,
    /// The signer's key id (minisign key id, hex), `None` for an unsigned bundle merged with
    /// `--allow-unsigned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub waived: usize,
    /// Only in merged records (absent, and 0, elsewhere).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_reported: usize,
}

// serde's `skip_serializing_if` passes the field by reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// The counts of these results.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a ResultRecord>) -> Summary {
        let mut summary = Summary::default();
        for r in results {
            summary.add(r.status);
        }
        summary
    }

    pub fn add(&mut self, s: Status) {
        *self.get_mut(s) += 1;
    }

    pub fn get(&self, s: Status) -> usize {
        match s {
            Status::Passed => self.passed,
            Status::Failed => self.failed,
            Status::Errored => self.errored,
            Status::Skipped => self.skipped,
            Status::Waived => self.waived,
            Status::NotReported => self.not_reported,
        }
    }

    fn get_mut(&mut self, s: Status) -> &mut usize {
        match s {
            Status::Passed => &mut self.passed,
            Status::Failed => &mut self.failed,
            Status::Errored => &mut self.errored,
            Status::Skipped => &mut self.skipped,
            Status::Waived => &mut self.waived,
            Status::NotReported => &mut self.not_reported,
        }
    }

    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|&s| self.get(s)).sum()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultRecord {
    pub node: String,
    pub check: String,
    pub app: Option<String>,
    pub status: Status,
    pub severity: Severity,
    pub started: DateTime<Utc>,
    /// The item's time: its attempts one after the other, from the first one's start to
    /// the last one's end (the runner does not wait between them), so the sum of
    /// [`Self::attempt_ms`].
    pub duration_ms: f64,
    pub attempts: u32,
    /// Each attempt's time, in order, one per attempt; empty for an item that sent nothing
    /// (skipped, not run) and in records written before the field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempt_ms: Vec<f64>,
    /// One line: why it failed, errored, was skipped or waived; empty when it passed.
    pub message: String,
    pub measurements: Measurements,
    /// The failure's or error's domain word (`StatusMismatch`, `NoPermission`); for a
    /// skipped item, why it was skipped ([`NEEDS_FAILED`], [`NOT_RUN`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<String>,
    /// What the target sent, trimmed (first bytes of a body, DNS answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// What was probed, secrets shown as `***`.
    pub target: String,
    /// The waiver that turned a failure into `waived`, with the status it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// A failed or errored result that only an expired waiver covers: that waiver (the
    /// latest to expire, when several do), which no longer excuses it. Set by
    /// `report::waive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver_expired: Option<ExpiredWaiver>,
    /// A skipped result whose needed check failed and was waived (directly, or further up a
    /// chain of skips): the readiness matrix counts it as waived, and its message says so.
    /// Set by `report::waive`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_waived: bool,
    /// The id of the vantage (the inventory node whose probe host ran the check); `None` in
    /// records written before vantages, and for a `not_reported` item, the vantage that
    /// should have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vantage: Option<String>,
    /// The host name of the machine that ran the check; `None` for a `not_reported` item
    /// and in records written before vantages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The `kind` of a record skipped because a check it needs did not pass; its measurement
/// [`NEEDS`] names that check (its id), its message says why.
pub const NEEDS_FAILED: &str = "NeedsFailed";

/// The measurement of a [`NEEDS_FAILED`] record that names the check it needed (its id).
pub const NEEDS: &str = "needs";

/// The `kind` of a planned item that has no result because the run was interrupted before
/// it finished: status `skipped`, no attempts, its message [`NOT_RUN_MESSAGE`].
pub const NOT_RUN: &str = "NotRun";

/// The message of a [`NOT_RUN`] record.
pub const NOT_RUN_MESSAGE: &str = "not run: run interrupted";

impl ResultRecord {
    /// Whether this is the record of a planned item that the interruption left without a
    /// result ([`NOT_RUN`]).
    pub fn is_not_run(&self) -> bool {
        self.status == Status::Skipped && self.kind.as_deref() == Some(NOT_RUN)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub approved_by: String,
    pub expires: NaiveDate,
    /// `failed` or `errored`: what the check found before the waiver excused it.
    pub original_status: Status,
}

/// The waiver that would have covered a failure, had it not expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiredWaiver {
    pub reason: String,
    pub approved_by: String,
    /// The last day it applied.
    pub expires: NaiveDate,
}

/// A waiver as the reports list it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaiverInfo {
    pub node: String,
    pub check: String,
    pub app: Option<String>,
    pub reason: String,
    pub approved_by: String,
    /// The last day it applies.
    pub expires: NaiveDate,
    /// `in_force` or `expired` on the day of the run.
    pub state: WaiverState,
    /// Results it turned into `waived`; 0 for an unused (or expired) waiver.
    pub used: usize,
    /// For an expired waiver: the failed or errored results it covers, which it no longer
    /// excuses ("expired, 1 failure not waived"); 0 otherwise.
    #[serde(default)]
    pub failures_not_waived: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    InForce,
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub kind: Kind,
    pub parent: Option<String>,
    /// Ids from the root, joined by `.`.
    pub path: String,
    pub region: Option<String>,
    pub host: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub probe: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppInfo {
    pub id: String,
    pub name: String,
}

/// Look-ups by id into a record's nodes, checks and apps, for reporters that turn ids into
/// display names.
pub struct Lookup<'a> {
    pub nodes: HashMap<&'a str, &'a NodeInfo>,
    /// Check id → display name.
    pub checks: HashMap<&'a str, &'a str>,
    /// App id → display name.
    pub apps: HashMap<&'a str, &'a str>,
}

impl Results {
    /// Planned items without a result of their own: the [`NOT_RUN`] records of an
    /// interrupted run, or, in a record rebuilt from a journal (which lists only what
    /// finished), the planned items that have no record at all.
    pub fn not_run(&self) -> usize {
        let filled = self.results.iter().filter(|r| r.is_not_run()).count();
        filled + self.run.planned.saturating_sub(self.results.len())
    }

    pub fn lookup(&self) -> Lookup<'_> {
        Lookup {
            nodes: self.nodes.iter().map(|n| (n.id.as_str(), n)).collect(),
            checks: self
                .checks
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
            apps: self
                .apps
                .iter()
                .map(|a| (a.id.as_str(), a.name.as_str()))
                .collect(),
        }
    }

    /// The record's nodes by id, with each node's province: see [`NodeIndex`].
    pub fn node_index(&self) -> NodeIndex<'_> {
        NodeIndex::new(&self.nodes)
    }
}

/// Each node's position in [`Results::nodes`] (tree order), and the province each node's
/// results are counted under. The one definition of "province" for every report: the
/// terminal summary's failures by province and the HTML report's readiness matrix group the
/// same results under the same node.
pub struct NodeIndex<'a> {
    nodes: &'a [NodeInfo],
    pos: HashMap<&'a str, usize>,
}

impl<'a> NodeIndex<'a> {
    pub fn new(nodes: &'a [NodeInfo]) -> NodeIndex<'a> {
        NodeIndex {
            nodes,
            pos: nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), i))
                .collect(),
        }
    }

    /// The node's position in [`Results::nodes`]; `None` for a node the list lacks.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.pos.get(id).copied()
    }

    /// The node itself; `None` for a node the list lacks.
    pub fn get(&self, id: &str) -> Option<&'a NodeInfo> {
        self.position(id).map(|i| &self.nodes[i])
    }

    /// The position of the node a node's results are counted under, its province: the
    /// provincial-level node on its path (itself if provincial), else the root. So the
    /// national centre stands for itself and for any node not under a provincial-level node,
    /// such as a prefecture directly under the centre (not "the second id of the path").
    ///
    /// Only the nodes the list holds count, and the path is read from the root down (a
    /// loaded inventory has at most one provincial-level node on a path: levels strictly
    /// descend). A path without a listed provincial-level node goes to its first listed
    /// node, the root, else to the node itself. A node the list lacks (a hand-edited file)
    /// goes to the root rather than vanishing from a report. `None` only when the list
    /// holds no node at all.
    pub fn province_of(&self, id: &str) -> Option<usize> {
        let Some(own) = self.position(id) else {
            return (!self.nodes.is_empty()).then_some(0);
        };
        let mut root = None;
        for pid in self.nodes[own].path.split('.') {
            if let Some(p) = self.position(pid) {
                root.get_or_insert(p);
                if self.nodes[p].level == Level::Provincial {
                    return Some(p);
                }
            }
        }
        root.or(Some(own))
    }

    /// [`NodeIndex::province_of`], as the node itself.
    pub fn province(&self, id: &str) -> Option<&'a NodeInfo> {
        self.province_of(id).map(|p| &self.nodes[p])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, level: Level, path: &str) -> NodeInfo {
        NodeInfo {
            id: id.to_string(),
            name: id.to_uppercase(),
            level,
            kind: Kind::Safety,
            // The rule reads the path, not the parent.
            parent: None,
            path: path.to_string(),
            region: None,
            host: None,
        }
    }

    /// A centre with one province (a prefecture and a county below it) and, directly under
    /// the centre, a prefecture with a county of its own: where "the second id of the path"
    /// and "the provincial-level node on the path" part ways.
    fn tree() -> Vec<NodeInfo> {
        vec![
            node("national", Level::National, "national"),
            node("sx", Level::Provincial, "national.sx"),
            node("sx-dt", Level::Prefectural, "national.sx.sx-dt"),
            node("sx-dt-zy", Level::County, "national.sx.sx-dt.sx-dt-zy"),
            node("lab", Level::Prefectural, "national.lab"),
            node("lab-a", Level::County, "national.lab.lab-a"),
        ]
    }

    fn province<'a>(ix: &NodeIndex<'a>, id: &str) -> Option<&'a str> {
        ix.province(id).map(|n| n.id.as_str())
    }

    #[test]
    fn a_provincial_node_and_its_subtree_count_under_it() {
        let nodes = tree();
        let ix = NodeIndex::new(&nodes);
        for id in ["sx", "sx-dt", "sx-dt-zy"] {
            assert_eq!(province(&ix, id), Some("sx"), "{id}");
        }
        assert_eq!(
            ix.province_of("sx-dt-zy"),
            Some(1),
            "a position in the list"
        );
    }

    #[test]
    fn the_centre_stands_for_itself_and_for_nodes_under_no_province() {
        let nodes = tree();
        let ix = NodeIndex::new(&nodes);
        assert_eq!(province(&ix, "national"), Some("national"));
        // Not "lab", the second id of the path: lab is not provincial-level.
        assert_eq!(province(&ix, "lab"), Some("national"));
        assert_eq!(province(&ix, "lab-a"), Some("national"));
    }

    #[test]
    fn a_node_missing_from_the_list_counts_under_the_root() {
        let nodes = tree();
        let ix = NodeIndex::new(&nodes);
        assert_eq!(ix.position("gone"), None);
        assert_eq!(province(&ix, "gone"), Some("national"));
        assert_eq!(
            NodeIndex::new(&[]).province_of("gone"),
            None,
            "no node at all"
        );
    }

    #[test]
    fn only_listed_nodes_of_the_path_count() {
        // A hand-trimmed list: the centre is gone, so the first listed node is the root.
        let nodes = vec![
            node("lab", Level::Prefectural, "national.lab"),
            node("lab-a", Level::County, "national.lab.lab-a"),
        ];
        let ix = NodeIndex::new(&nodes);
        assert_eq!(province(&ix, "lab-a"), Some("lab"));
        assert_eq!(province(&ix, "lab"), Some("lab"));
    }
}
