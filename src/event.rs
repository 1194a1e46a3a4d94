//! The contract between the runner and the reporters: the [`Event`]s a run emits, in the order
//! things happen, and the [`ItemResult`] each finished check carries.
//!
//! The runner ([`crate::run`]) produces events and knows nothing of terminals or files; the
//! reporters ([`crate::report::Reporter`]: progress, journal, the record of the run, and
//! whatever writer comes next) consume them and never see the runner. The engine
//! ([`crate::engine`]) passes every event to every reporter, in order.
//!
//! What a reporter may rely on, for one run:
//!
//! - exactly one [`Event::Started`] comes first, with the number of planned items;
//! - each planned item gets at most one [`Event::CheckFinished`]; an item that was started
//!   gets one [`Event::CheckStarted`] before it; an item skipped because a check it needs did
//!   not pass is finished without being started (it sent nothing), its result naming that
//!   need ([`ItemResult::skipped_for`]);
//! - [`Event::Warning`]s may come at any point: something the operator must know that is
//!   not a result (no permission for ICMP, the journal cannot be written);
//! - exactly one [`Event::Finished`] comes last; `complete` is false when cancellation left
//!   some items without a result (those items have no `CheckFinished`).
//!
//! Items are named by their index in the plan ([`ItemIdx`]); a reporter that needs ids and
//! names looks them up in the plan it was built from.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::outcome::{ErrorKind, Failure, Measurements};
use crate::plan::ItemIdx;
use crate::results::Status;

/// What happens during a run, in order.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run begins: `total` items are planned.
    Started { total: usize, at: DateTime<Utc> },
    /// The item took its slots and its first attempt is about to be sent.
    CheckStarted { item: ItemIdx },
    /// The item has its verdict (after every attempt), or was skipped.
    CheckFinished {
        item: ItemIdx,
        result: Box<ItemResult>,
    },
    /// Something the operator must know that is not a result; said once.
    Warning { message: String },
    /// The run is over; `complete` is false when cancellation left some items without a
    /// result.
    Finished { complete: bool, at: DateTime<Utc> },
}

/// The verdict on one planned item.
#[derive(Debug, Clone)]
pub struct ItemResult {
    pub status: Status,
    pub started: DateTime<Utc>,
    /// From the first attempt's start to the last one's end: the attempts' times added up,
    /// since the runner sends the next one as soon as one fails.
    pub duration: Duration,
    /// 0 for a skipped item: nothing was sent.
    pub attempts: u32,
    /// Each attempt's time, in order: `attempts` of them.
    pub attempt_durations: Vec<Duration>,
    /// For an item skipped because a check it needs did not pass: that needed item (the
    /// direct need; the message keeps the first cause of a chain).
    pub skipped_for: Option<ItemIdx>,
    /// One line; empty when passed.
    pub message: String,
    /// The failure, when the target answered wrong or late.
    pub failure: Option<Failure>,
    /// Why the check could not be carried out, when it errored.
    pub error_kind: Option<ErrorKind>,
    pub measurements: Measurements,
    /// What the target sent, kept only for a verdict that is not a pass.
    pub evidence: Option<String>,
}

impl ItemResult {
    /// An item that was not run because `need`, a check it needs, did not pass.
    pub fn skipped(message: String, need: ItemIdx) -> ItemResult {
        ItemResult {
            status: Status::Skipped,
            started: Utc::now(),
            duration: Duration::ZERO,
            attempts: 0,
            attempt_durations: Vec::new(),
            skipped_for: Some(need),
            message,
            failure: None,
            error_kind: None,
            measurements: Measurements::new(),
            evidence: None,
        }
    }
}
