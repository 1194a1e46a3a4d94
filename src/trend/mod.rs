//! What the history says, worked out without I/O: what changed between two runs (`diff`:
//! new failures, recoveries, still failing, flapping, measured regressions), whether a check
//! flaps (`flap`), and availability over a period (`availability`). The store (`history`)
//! reads the rows; this turns them into answers; `cli` and the reports show them.
//!
//! The types are here; the work is in `flap` (percent state change and hysteresis), `diff`
//! (the categories of change and the report's strips) and `availability` (counts, days,
//! maintenance windows).

mod availability;
mod diff;
mod flap;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::history::{ItemKey, RunRow};
use crate::model::maintenance::Maintenance;
use crate::results::Status;

pub use availability::{availability, covers, touched_days};
pub use diff::{diff, run_history};
pub use flap::{FlapPoint, flap_points, percent_state_change, state};

/// Runs a flapping state is worked out over (Nagios's `MAX_STATE_HISTORY_ENTRIES`).
pub const FLAP_RUNS: usize = 21;
/// Above this weighted percent state change a check starts flapping.
pub const FLAP_HIGH: f64 = 30.0;
/// Below this a flapping check stops.
pub const FLAP_LOW: f64 = 25.0;
/// Runs a window must hold to replay the hysteresis over the last [`FLAP_RUNS`] runs.
pub const WINDOW_RUNS: usize = 2 * FLAP_RUNS - 1;
/// Results per check in the HTML report's strip.
pub const STRIP_RUNS: usize = 14;

/// When a measurement counts as a regression (`diff --tolerance`, `--min-change`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// A time (`time_ms`, `rtt_avg_ms`) regressed when it grew by more than this fraction
    /// (0.5: +50 %)…
    pub time_ratio: f64,
    /// …and by at least this many milliseconds.
    pub time_floor_ms: f64,
    /// ICMP loss regressed when it grew by at least this many percentage points.
    pub loss_points: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            time_ratio: 0.5,
            time_floor_ms: 5.0,
            loss_points: 5.0,
        }
    }
}

/// One item that changed (or stayed failing) between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: ItemKey,
    /// Its status in the earlier run (`None`: the item is new there).
    pub before: Option<Status>,
    pub after: Status,
    /// The later run's kind and message.
    pub kind: Option<String>,
    pub message: String,
    /// For a still-failing item: the start of the run its streak began in.
    pub since: Option<DateTime<Utc>>,
}

/// A measurement that got worse beyond the tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub key: ItemKey,
    /// The measurement's key (`rtt_avg_ms`, `time_ms`, `loss_pct`).
    pub measure: String,
    pub before: f64,
    pub after: f64,
}

/// An item's flapping state at a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Flap {
    pub key: ItemKey,
    /// Weighted percent state change over the last [`FLAP_RUNS`] runs.
    pub percent: f64,
    pub flapping: bool,
}

/// What changed from run `a` to run `b` (`b` the later).
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub a: RunRow,
    pub b: RunRow,
    /// A problem in `b`, not in `a` (or absent from `a`).
    pub new_failures: Vec<Change>,
    /// Passed in `b`, a problem in `a`.
    pub recoveries: Vec<Change>,
    /// A problem in both, with `since`.
    pub still_failing: Vec<Change>,
    /// Flapping at `b`.
    pub flapping: Vec<Flap>,
    /// Flapping at `b` and not at the run before `b`.
    pub flapping_started: Vec<Flap>,
    /// Flapping at the run before `b` and not at `b`.
    pub flapping_stopped: Vec<Flap>,
    pub regressions: Vec<Regression>,
    /// Items in both runs with a comparable status (passed, failed, errored, waived).
    pub compared: usize,
}

impl Diff {
    /// Whether a notification is due: new failures, recoveries, flapping started or stopped.
    pub fn changed(&self) -> bool {
        !(self.new_failures.is_empty()
            && self.recoveries.is_empty()
            && self.flapping_started.is_empty()
            && self.flapping_stopped.is_empty())
    }
}

/// A run's history as its HTML report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunHistory {
    /// Against the previous comparable run; `None` for the first run of its scope.
    pub diff: Option<Diff>,
    /// The runs of the strips, oldest first, ending with this run (at most [`STRIP_RUNS`]).
    pub runs: Vec<RunRow>,
    /// Per item of this run, its status in each of `runs`.
    pub strips: HashMap<ItemKey, Vec<Option<Status>>>,
}

/// The period of an availability report: Beijing days, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Results counted for availability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed.
    pub up: u64,
    /// Failed, waived (it failed), or skipped because a check it needs failed.
    pub down: u64,
    /// In a declared maintenance window.
    pub maintenance: u64,
    /// Errored (we could not carry the check out), skipped otherwise, not reported: no
    /// evidence either way.
    pub unknown: u64,
}

impl Counts {
    /// up ÷ (up + down), as a percentage; `None` without either.
    pub fn percent(&self) -> Option<f64> {
        let n = self.up + self.down;
        (n > 0).then(|| self.up as f64 * 100.0 / n as f64)
    }
}

/// One row of an availability table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub counts: Counts,
}

/// An availability report.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    /// The suite's id and name, and the scopes whose runs were counted: [`availability`]
    /// leaves them empty, for the caller (which chose them) to fill.
    pub suite: String,
    pub suite_name: String,
    pub period: Period,
    pub scopes: Vec<String>,
    /// When the report was made ([`availability`] sets the current time).
    pub generated: DateTime<Utc>,
    pub overall: Counts,
    /// Provincial-level subtrees (and the national centre), worst first.
    pub provinces: Vec<Row>,
    /// Nodes (links), worst first.
    pub nodes: Vec<Row>,
    /// Checks, worst first.
    pub checks: Vec<Row>,
    /// Apps, worst first.
    pub apps: Vec<Row>,
    /// The windows declared that overlap the period, in file order.
    pub maintenance: Maintenance,
}
