//! What the runner needs of the probers: one attempt of one filled probe, until a deadline;
//! and, once an item's final verdict is a failure, anything the probers can add about it
//! (the path to its target).
//!
//! The runner takes its prober as a parameter so that its own rules (`needs`, retries,
//! limits, timeouts, cancellation) are tested fast and exactly, with a scripted prober under
//! `tokio::time::pause()`, and so that it never depends on the probers' code.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::model::{Probe, Text};
use crate::outcome::{Measurements, Outcome};

/// A boxed attempt. Boxed on purpose: a task waiting for its turn then holds a pointer, not
/// the probe's whole state machine (an HTTP probe's is kilobytes; a run holds thousands of
/// tasks).
pub type Attempt<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// What a prober adds to a failed item's result: measurements (merged into the result's)
/// and one line appended to its evidence. The path evidence of a failed ICMP or TCP check
/// is one (`path`, `path_reached`, `path_last_hop`; `path: a → b → * → (last answered b)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Addendum {
    pub measurements: Measurements,
    pub line: String,
}

/// A boxed look at a failure (see [`Prober::after_failure`]).
pub type Afterwards<'a> = Pin<Box<dyn Future<Output = Option<Addendum>> + Send + 'a>>;

/// The longest the runner waits for [`Prober::after_failure`]: past it the result goes out
/// without the addendum.
pub const AFTER_FAILURE_LIMIT: Duration = Duration::from_secs(5);

/// Carries out one attempt of a probe. The runner drops the future at `deadline` (and gives
/// its own timeout verdict), so an implementation may use the deadline to finish gracefully
/// but never has to enforce it.
pub trait Prober: Send + Sync + 'static {
    fn attempt<'a>(&'a self, probe: &'a Probe<Text>, deadline: Instant) -> Attempt<'a>;

    /// Called once per item whose final verdict is `Failed` (after its retries, never for a
    /// pass or an error), with that outcome, before the result is published: what the
    /// prober can add about the failure, right then. The runner bounds it
    /// ([`AFTER_FAILURE_LIMIT`], cancellation) and holds none of the item's concurrency
    /// slots meanwhile. By default nothing.
    fn after_failure<'a>(&'a self, probe: &'a Probe<Text>, outcome: &'a Outcome) -> Afterwards<'a> {
        let _ = (probe, outcome);
        Box::pin(async { None })
    }
}
