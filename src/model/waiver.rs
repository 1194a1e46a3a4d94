//! Waivers: approved exceptions that turn a failure into `waived`, with their reason.

use chrono::NaiveDate;

use super::{AppIdx, CheckIdx, Loc, NodeIdx};

#[derive(Debug, Clone)]
pub struct Waiver {
    pub node: NodeIdx,
    pub check: CheckIdx,
    /// One app of a `for_each_app` check; `None` covers every app of the check.
    pub app: Option<AppIdx>,
    pub reason: String,
    pub approved_by: String,
    /// The last day on which the waiver applies.
    pub expires: NaiveDate,
    pub loc: Loc,
}

impl Waiver {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day <= self.expires
    }
}

#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub waivers: Vec<Waiver>,
}
