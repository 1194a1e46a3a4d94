//! What the runner needs of the probers: one attempt of one filled probe, until a deadline.
//!
//! The runner takes its prober as a parameter so that its own rules (`needs`, retries,
//! limits, timeouts, cancellation) are tested fast and exactly, with a scripted prober under
//! `tokio::time::pause()`, and so that it never depends on the probers' code.

use std::future::Future;
use std::pin::Pin;

use tokio::time::Instant;

use crate::model::{Probe, Text};
use crate::outcome::Outcome;

/// A boxed attempt. Boxed on purpose: a task waiting for its turn then holds a pointer, not
/// the probe's whole state machine (an HTTP probe's is kilobytes; a run holds thousands of
/// tasks).
pub type Attempt<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// Carries out one attempt of a probe. The runner drops the future at `deadline` (and gives
/// its own timeout verdict), so an implementation may use the deadline to finish gracefully
/// but never has to enforce it.
pub trait Prober: Send + Sync + 'static {
    fn attempt<'a>(&'a self, probe: &'a Probe<Text>, deadline: Instant) -> Attempt<'a>;
}
