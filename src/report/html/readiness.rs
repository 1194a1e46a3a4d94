//! The readiness rule: how the readiness matrix groups results by province and classifies
//! each group (可试运行 / 整改中 / 不具备条件). The rule is printed in the report itself
//! (`readiness_rule` in [`super::strings`]), so a change here is a change there.

use super::strings::strings;
use crate::model::Severity;
use crate::report::Lang;
use crate::results::{NodeInfo, ResultRecord, Results, Status};

/// Non-passing results (failed, errored, skipped) a subtree may keep and still be ready for
/// a trial run, in percent of all its results.
pub const READY_MAX_NOT_PASSED_PCT: usize = 5;

/// The readiness of one provincial-level node (with its subtree) or of the national centre,
/// as the readiness matrix shows it and [`readiness`] decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Readiness {
    /// 可试运行: ready for a trial run.
    Ready,
    /// 整改中: critical checks pass, other problems remain.
    InProgress,
    /// 不具备条件: not ready.
    NotReady,
}

impl Readiness {
    /// A stable word for machine-readable reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::InProgress => "in_progress",
            Readiness::NotReady => "not_ready",
        }
    }

    /// The label the reports print (可试运行 / 整改中 / 不具备条件).
    pub fn label(self, lang: Lang) -> &'static str {
        let t = strings(lang);
        match self {
            Readiness::Ready => t.ready,
            Readiness::InProgress => t.in_progress,
            Readiness::NotReady => t.not_ready,
        }
    }
}

/// Classifies a set of results: a provincial-level node's whole subtree (its prefectural
/// and county nodes), or the national centre's own results with those of any node not under
/// a provincial-level node (see [`province_groups`]).
///
/// A waived result counts as passed. A skipped result counts as not passed: a check is
/// skipped only when a check it needs did not pass (typically, the node was unreachable), so
/// what it should have verified is unproven. Except a skip whose needed check failed under a
/// waiver (`need_waived`): the waiver accepted that failure and what follows from it, so
/// the skip counts as waived (◐ in the matrix), as passed here. Severity is the one recorded
/// with each result.
///
/// - **Ready for trial run (可试运行)**: every result of a critical check passed or was
///   waived, and at most 5 % of all the results failed, errored or were skipped.
/// - **In progress (整改中)**: every result of a critical check passed or was waived, but
///   more than 5 % of all the results failed, errored or were skipped.
/// - **Not ready (不具备条件)**: some result of a critical check failed, errored or was
///   skipped, or there is no result at all (nothing was proven).
pub fn readiness<'a>(results: impl IntoIterator<Item = &'a ResultRecord>) -> Readiness {
    let (mut total, mut not_passed) = (0usize, 0usize);
    for r in results {
        total += 1;
        if counts_against(r) {
            if r.severity == Severity::Critical {
                return Readiness::NotReady;
            }
            not_passed += 1;
        }
    }
    if total == 0 {
        Readiness::NotReady
    } else if not_passed * 100 <= total * READY_MAX_NOT_PASSED_PCT {
        Readiness::Ready
    } else {
        Readiness::InProgress
    }
}

/// The results of one row of the readiness matrix: a provincial-level node with its whole
/// subtree, or the national centre (the root) with its own results and those of any node not
/// under a provincial-level node, so that every result belongs to exactly one group. The
/// grouping is [`province_of`](crate::results::NodeIndex::province_of), the one the terminal
/// summary uses too.
#[derive(Debug, Clone)]
pub struct ProvinceGroup<'a> {
    pub node: &'a NodeInfo,
    /// In record (plan) order.
    pub results: Vec<&'a ResultRecord>,
}

impl ProvinceGroup<'_> {
    pub fn readiness(&self) -> Readiness {
        readiness(self.results.iter().copied())
    }
}

/// The groups of [`ProvinceGroup`] in tree order; groups without any result (an ancestor
/// listed only to show the tree, as the root is for `--node sx`) are left out.
pub fn province_groups(results: &Results) -> Vec<ProvinceGroup<'_>> {
    let ix = results.node_index();
    let mut groups: Vec<ProvinceGroup<'_>> = results
        .nodes
        .iter()
        .map(|node| ProvinceGroup {
            node,
            results: Vec::new(),
        })
        .collect();
    for r in &results.results {
        if let Some(g) = ix.province_of(&r.node) {
            groups[g].results.push(r);
        }
    }
    groups.retain(|g| !g.results.is_empty());
    groups
}

/// Failed, errored or skipped (but not behind a waived failure): what the rule counts
/// against a group.
fn counts_against(r: &ResultRecord) -> bool {
    match r.status {
        // An item no bundle reported has no evidence: never counted as passed.
        Status::Failed | Status::Errored | Status::NotReported => true,
        Status::Skipped => !r.need_waived,
        Status::Passed | Status::Waived => false,
    }
}
