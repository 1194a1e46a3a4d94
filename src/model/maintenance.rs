//! Declared maintenance windows (`availability --maintenance FILE`): results inside one do
//! not count against availability.

use chrono::{DateTime, FixedOffset};

/// The windows of a maintenance file, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintenance {
    pub windows: Vec<MaintenanceWindow>,
}

/// One window: `[from, to)`, over these nodes' subtrees (all nodes when empty), these checks
/// (glob patterns; all when empty) and apps (all when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceWindow {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub nodes: Vec<String>,
    pub checks: Vec<String>,
    pub apps: Vec<String>,
    pub reason: String,
}
