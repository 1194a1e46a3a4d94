//! Waivers: approved exceptions that turn a failure into `waived`, with their reason.
//!
//! A waiver names its node, check and app by id, so that the same waivers apply to a run
//! and, later, to a results file whose inventory may have moved on.

use chrono::NaiveDate;

use super::{Inventory, Loc, Suite};

#[derive(Debug, Clone)]
pub struct Waiver {
    pub node: String,
    pub check: String,
    /// One app of a `for_each_app` check; `None` covers every app of the check.
    pub app: Option<String>,
    pub reason: String,
    pub approved_by: String,
    /// The last day on which the waiver applies.
    pub expires: NaiveDate,
    pub loc: Loc,
}

impl Waiver {
    /// Whether the waiver still applies on `day` (it applies through its `expires` day).
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day <= self.expires
    }

    /// Whether it covers the result of (node, check, app).
    pub fn covers(&self, node: &str, check: &str, app: Option<&str>) -> bool {
        self.node == node
            && self.check == check
            && match (&self.app, app) {
                (None, _) => true,
                (Some(w), Some(a)) => w == a,
                (Some(_), None) => false,
            }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub waivers: Vec<Waiver>,
}

/// What waivers may name: the ids of nodes, checks (and whether each is per app) and apps.
/// Built from an inventory and a suite for a run, or from a results file for `report`.
#[derive(Debug, Clone, Default)]
pub struct WaiverTargets {
    pub nodes: Vec<String>,
    /// Check id and whether it is `for_each_app`.
    pub checks: Vec<(String, bool)>,
    pub apps: Vec<String>,
}

impl WaiverTargets {
    pub fn from_model(inv: &Inventory, suite: &Suite) -> WaiverTargets {
        WaiverTargets {
            nodes: inv.nodes.iter().map(|n| n.id.clone()).collect(),
            checks: suite
                .checks
                .iter()
                .map(|c| (c.id.clone(), c.for_each_app))
                .collect(),
            apps: suite.apps.iter().map(|a| a.id.clone()).collect(),
        }
    }
}
