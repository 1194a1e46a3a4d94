//! One planned item's life in the runner, once its needs have said enough (`ready`): be
//! skipped for a need that did not pass, or take its slots, make
//! its attempts under the deadline, retry what may be retried, and publish its verdict to
//! its dependants and to the run's events.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

use super::{Cancel, Prober};
use crate::event::{Event, ItemResult};
use crate::outcome::{ErrorKind, FailKind, Failure, Measurements, Outcome, Verdict, ms};
use crate::plan::{ItemIdx, Plan};
use crate::results::Status;

/// What an item tells its dependants: its status (`None`: stopped by cancellation) and why.
#[derive(Debug, Clone)]
pub(super) struct Published {
    pub(super) status: Option<Status>,
    pub(super) message: String,
    /// Errored for a reason of this machine that says nothing about the target (no
    /// permission for ICMP): dependants run anyway instead of being skipped on no evidence.
    says_nothing: bool,
}

impl Published {
    /// Whether an item that needs this one goes on (it passed, or it says nothing either
    /// way); otherwise that item is skipped.
    pub(super) fn lets_through(&self) -> bool {
        self.status == Some(Status::Passed) || self.says_nothing
    }

    /// What an item stopped by cancellation publishes.
    pub(super) const STOPPED: Published = Published {
        status: None,
        message: String::new(),
        says_nothing: false,
    };
}

pub(super) struct ItemTask<P> {
    pub i: ItemIdx,
    pub plan: Arc<Plan>,
    pub prober: Arc<P>,
    /// Skipped for a need that did not pass (`ready` decided it): its index, status and
    /// message; `None`: carried out.
    pub skip: Option<(ItemIdx, Status, String)>,
    /// Bounds checks in flight over the whole run (ICMP checks have one of their own,
    /// throughput checks one of a single slot);
    /// taken after `node` so that a task waiting for a busy node holds no global slot.
    pub global: Arc<Semaphore>,
    /// An ICMP check's share of the echo-rate budget (the budget, its weight), taken after
    /// `global`.
    pub rate: Option<(Arc<Semaphore>, u32)>,
    /// Bounds checks in flight against this item's node.
    pub node: Arc<Semaphore>,
    pub cancel: Cancel,
    /// Where this task reports its start and its result; unbounded so that a slow
    /// consumer (a terminal) never slows the probes, at the cost of queued events.
    pub events: mpsc::UnboundedSender<Event>,
    /// How long an attempt in flight may go on after cancellation.
    pub grace: Duration,
}

impl<P: Prober> ItemTask<P> {
    /// The item's verdict, or `None` when cancellation stopped it before it had one.
    pub(super) async fn run(self) -> Option<Published> {
        let item = &self.plan.items[self.i];
        if let Some((need, status, message)) = &self.skip {
            let why = self.skip_reason(*need, *status, message);
            return Some(self.finish(ItemResult::skipped(why, *need)));
        }
        let node_permit = tokio::select! {
            p = self.node.acquire() => p.ok()?,
            _ = self.cancel.cancelled() => return None,
        };
        let global_permit = tokio::select! {
            p = self.global.acquire() => p.ok()?,
            _ = self.cancel.cancelled() => return None,
        };
        let rate_permit = match &self.rate {
            Some((budget, weight)) => tokio::select! {
                p = budget.acquire_many(*weight) => Some(p.ok()?),
                _ = self.cancel.cancelled() => return None,
            },
            None => None,
        };
        let _ = self.events.send(Event::CheckStarted { item: self.i });
        let started = Utc::now();
        let t0 = Instant::now();
        let mut attempts = 0;
        let mut times = Vec::with_capacity(1);
        let outcome = loop {
            attempts += 1;
            let t = Instant::now();
            let deadline = t + item.timeout;
            let attempt =
                tokio::time::timeout_at(deadline, self.prober.attempt(&item.probe, deadline));
            let outcome = tokio::select! {
                r = attempt => r.unwrap_or_else(|_| timed_out(item.timeout)),
                _ = self.cancel.cancelled_then(self.grace) => return None,
            };
            times.push(t.elapsed());
            let retry = match &outcome.verdict {
                Verdict::Passed => false,
                // Asking again will not grant permission or fix the suite.
                Verdict::Errored(p) => {
                    !matches!(p.kind, ErrorKind::NoPermission | ErrorKind::Config)
                }
                Verdict::Failed(_) => true,
            };
            if !retry || attempts > item.retries || self.cancel.is_cancelled() {
                break outcome;
            }
        };
        let took = t0.elapsed();
        // The look at a failure is not the check's work: it holds none of its slots (the
        // prober bounds its own), and its time is not the check's duration.
        drop((node_permit, global_permit, rate_permit));
        let outcome = self.after_failure(outcome).await;
        let result = from_outcome(outcome, started, took, times);
        Some(self.finish(result))
    }

    /// A failed outcome with what the prober adds about it (its path), within
    /// [`AFTER_FAILURE_LIMIT`]; cancellation cuts it short and the outcome goes as it is.
    async fn after_failure(&self, mut outcome: Outcome) -> Outcome {
        if !matches!(outcome.verdict, Verdict::Failed(_)) {
            return outcome;
        }
        let probe = &self.plan.items[self.i].probe;
        let added = tokio::select! {
            a = tokio::time::timeout(
                super::AFTER_FAILURE_LIMIT,
                self.prober.after_failure(probe, &outcome),
            ) => a.ok().flatten(),
            _ = self.cancel.cancelled() => None,
        };
        if let Some(a) = added {
            outcome.measurements.extend(a.measurements);
            outcome.evidence = Some(match outcome.evidence.take() {
                Some(e) if !e.is_empty() => format!("{e}\n{}", a.line),
                _ => a.line,
            });
        }
        outcome
    }

    fn finish(&self, result: ItemResult) -> Published {
        let published = Published {
            status: Some(result.status),
            message: result.message.clone(),
            says_nothing: result.error_kind == Some(ErrorKind::NoPermission),
        };
        let _ = self.events.send(Event::CheckFinished {
            item: self.i,
            result: Box::new(result),
        });
        published
    }

    /// "net.icmp failed: 100 % loss": the needed check and why it did not pass. A chain of
    /// skips keeps the first cause: "app.health/dispatch skipped: net.icmp failed: …".
    fn skip_reason(&self, need: ItemIdx, status: Status, message: &str) -> String {
        let label = &self.plan.items[need].label;
        if message.is_empty() {
            format!("{label} {}", status.as_str())
        } else {
            format!("{label} {}: {message}", status.as_str())
        }
    }
}

/// The runner's own verdict when the deadline passed first.
fn timed_out(timeout: Duration) -> Outcome {
    let mut m = Measurements::new();
    m.insert("time_ms".into(), ms(timeout));
    Outcome::failed(
        Failure::new(
            FailKind::Timeout,
            format!("no answer within {}", crate::model::Duration(timeout)),
        )
        .expected(
            format!("an answer within {}", crate::model::Duration(timeout)),
            "none",
        ),
        m,
    )
}

fn from_outcome(
    o: Outcome,
    started: DateTime<Utc>,
    duration: Duration,
    attempt_durations: Vec<Duration>,
) -> ItemResult {
    let passed = matches!(o.verdict, Verdict::Passed);
    let (status, message, failure, error_kind) = match o.verdict {
        Verdict::Passed => (Status::Passed, String::new(), None, None),
        Verdict::Failed(f) => (Status::Failed, f.message.clone(), Some(f), None),
        Verdict::Errored(p) => (Status::Errored, p.message, None, Some(p.kind)),
    };
    ItemResult {
        status,
        started,
        duration,
        attempts: attempt_durations.len() as u32,
        attempt_durations,
        skipped_for: None,
        message,
        failure,
        error_kind,
        measurements: o.measurements,
        // Evidence is kept to explain a verdict that is not a pass; at national scale the
        // bodies of thousands of passing checks would only weigh on memory and reports.
        evidence: if passed { None } else { o.evidence },
    }
}
