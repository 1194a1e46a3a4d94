//! The results record (`results.json`, format `netaccept-results/1`): what every report is
//! made from, whether written at the end of a run or read back by `netaccept report`.
//!
//! Besides the fields FORMAT.md names, the record carries the display names and the tree of
//! the nodes, checks and apps it mentions, so that a report can be rendered again from this
//! file alone, long after the inventory has changed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Kind, Level, Severity};
use crate::outcome::Measurements;

pub const FORMAT: &str = "netaccept-results/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Errored,
    Skipped,
    Waived,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Passed,
        Status::Failed,
        Status::Errored,
        Status::Skipped,
        Status::Waived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Errored => "errored",
            Status::Skipped => "skipped",
            Status::Waived => "waived",
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: String,
    pub suite: String,
    pub suite_name: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    /// False when the run was interrupted: only what finished is recorded.
    pub complete: bool,
    /// Host name of the probing machine.
    pub vantage: String,
    pub inventory_sha256: String,
    pub suite_sha256: String,
    pub netaccept_version: String,
    /// The selection flags used, as typed (`--node sx`), empty for the whole inventory.
    #[serde(default)]
    pub selection: Vec<String>,
    /// Items the plan held; fewer results than this means the run did not complete.
    #[serde(default)]
    pub planned: usize,
    /// Who ran it (`--operator`, default the user name): the report's 测试人员.
    #[serde(default)]
    pub operator: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub waived: usize,
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
        }
    }

    fn get_mut(&mut self, s: Status) -> &mut usize {
        match s {
            Status::Passed => &mut self.passed,
            Status::Failed => &mut self.failed,
            Status::Errored => &mut self.errored,
            Status::Skipped => &mut self.skipped,
            Status::Waived => &mut self.waived,
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
    pub duration_ms: f64,
    pub attempts: u32,
    /// One line: why it failed, errored, was skipped or waived; empty when it passed.
    pub message: String,
    pub measurements: Measurements,
    /// The failure's or error's domain word (`StatusMismatch`, `NoPermission`).
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub approved_by: String,
    pub expires: NaiveDate,
    /// `failed` or `errored`: what the check found before the waiver excused it.
    pub original_status: Status,
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
    pub nodes: std::collections::HashMap<&'a str, &'a NodeInfo>,
    /// Check id → display name.
    pub checks: std::collections::HashMap<&'a str, &'a str>,
    /// App id → display name.
    pub apps: std::collections::HashMap<&'a str, &'a str>,
}

impl Results {
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
}
