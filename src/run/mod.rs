//! The runner: carries out a plan with bounded concurrency, per-attempt timeouts, retries,
//! `needs` and cancellation, and emits [`Event`]s as it goes. It knows nothing of terminals
//! or files: reporters consume the events (see [`crate::report`]).

mod cancel;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use cancel::Cancel;

use crate::model::{NodeIdx, Probe};
use crate::outcome::{ErrorKind, FailKind, Failure, Measurements, Outcome, Verdict};
use crate::plan::{ItemIdx, Plan};
use crate::probe::{self, Context};
use crate::results::Status;

/// Checks in flight at once over a run, unless `--concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: u32 = 256;
/// Checks in flight at once against one node, unless `--per-node` says otherwise.
pub const DEFAULT_PER_NODE: u32 = 4;
/// ICMP checks in flight at once, unless `--icmp-concurrency` says otherwise. They share one
/// socket and mostly wait between echoes, so thousands cost little: a national sweep goes
/// out at once, as fping sends it.
pub const DEFAULT_ICMP_CONCURRENCY: u32 = 4096;

/// Limits of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Checks in flight at once, over the whole run, but ICMP checks.
    pub concurrency: usize,
    /// ICMP checks in flight at once. Apart from `concurrency`: an ICMP check holds no socket
    /// of its own and spends its time waiting between echoes, so under the same limit a
    /// sweep of 5 echoes 200 ms apart would keep the run's slots busy for 0.8 s per node.
    pub icmp_concurrency: usize,
    /// Checks in flight at once against one node, so that a thin county link is never
    /// flooded.
    pub per_node: usize,
    /// Overrides every check's timeout.
    pub timeout: Option<Duration>,
    /// Overrides every check's retries.
    pub retries: Option<u32>,
    /// How long checks in flight may go on after cancellation.
    pub grace: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: DEFAULT_CONCURRENCY as usize,
            per_node: DEFAULT_PER_NODE as usize,
            icmp_concurrency: DEFAULT_ICMP_CONCURRENCY as usize,
            timeout: None,
            retries: None,
            grace: Duration::from_secs(1),
        }
    }
}

/// What the runner reports, in the order things happen.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        total: usize,
        at: DateTime<Utc>,
    },
    CheckStarted {
        item: ItemIdx,
    },
    CheckFinished {
        item: ItemIdx,
        result: Box<ItemResult>,
    },
    /// `complete` is false when cancellation left some items without a result.
    Finished {
        complete: bool,
        at: DateTime<Utc>,
    },
}

/// The verdict on one planned item.
#[derive(Debug, Clone)]
pub struct ItemResult {
    pub status: Status,
    pub started: DateTime<Utc>,
    pub duration: Duration,
    /// 0 for a skipped item: nothing was sent.
    pub attempts: u32,
    /// One line; empty when passed.
    pub message: String,
    /// The failure or error, when there was one.
    pub failure: Option<Failure>,
    pub error_kind: Option<ErrorKind>,
    pub measurements: Measurements,
    pub evidence: Option<String>,
}

impl ItemResult {
    fn skipped(message: String) -> ItemResult {
        ItemResult {
            status: Status::Skipped,
            started: Utc::now(),
            duration: Duration::ZERO,
            attempts: 0,
            message,
            failure: None,
            error_kind: None,
            measurements: Measurements::new(),
            evidence: None,
        }
    }
}

/// Per-item settings the runner needs beyond the plan.
#[derive(Debug, Clone, Copy)]
pub struct ItemLimits {
    pub timeout: Duration,
    pub retries: u32,
}

/// Everything a run reads, shared by its tasks.
pub struct Input {
    pub plan: Plan,
    /// Indexed like `plan.items`.
    pub limits: Vec<ItemLimits>,
    /// A short name per item for skip messages (`net.icmp`, `app.health/dispatch`).
    pub labels: Vec<String>,
}

/// Runs the plan. Returns when every item has a result, or when cancellation and the grace
/// period are over. Events go to `events`; a closed receiver does not stop the run.
pub async fn run(
    input: Arc<Input>,
    cx: Arc<Context>,
    opts: &Options,
    cancel: Cancel,
    events: mpsc::UnboundedSender<Event>,
) -> bool {
    let n = input.plan.items.len();
    let _ = events.send(Event::Started {
        total: n,
        at: Utc::now(),
    });
    // Each item publishes its final status (and why) once; dependants wait on it.
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..n).map(|_| watch::channel(None)).unzip();
    let receivers: Arc<Vec<watch::Receiver<Option<Published>>>> = Arc::new(receivers);
    let global = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let icmp = Arc::new(Semaphore::new(opts.icmp_concurrency.max(1)));
    let mut per_node: HashMap<NodeIdx, Arc<Semaphore>> = HashMap::new();
    for it in &input.plan.items {
        per_node
            .entry(it.node)
            .or_insert_with(|| Arc::new(Semaphore::new(opts.per_node.max(1))));
    }

    let mut tasks = JoinSet::new();
    for (i, done) in senders.into_iter().enumerate() {
        let task = ItemTask {
            i,
            input: input.clone(),
            cx: cx.clone(),
            receivers: receivers.clone(),
            global: match input.plan.items[i].probe {
                Probe::Icmp(_) => icmp.clone(),
                _ => global.clone(),
            },
            node: per_node[&input.plan.items[i].node].clone(),
            cancel: cancel.clone(),
            events: events.clone(),
            opts: opts.clone(),
        };
        tasks.spawn(async move {
            let published = task.run().await;
            let finished = published.is_some();
            // Publishing "no result" too wakes dependants, which then see cancellation.
            let _ = done.send(Some(published.unwrap_or(Published {
                status: None,
                message: String::new(),
                says_nothing: false,
            })));
            finished
        });
    }
    let mut complete = true;
    while let Some(r) = tasks.join_next().await {
        complete &= r.unwrap_or(false);
    }
    let complete = complete && !cancel.is_cancelled();
    let _ = events.send(Event::Finished {
        complete,
        at: Utc::now(),
    });
    complete
}

/// What an item tells its dependants: its status (`None`: stopped by cancellation) and why.
#[derive(Debug, Clone)]
struct Published {
    status: Option<Status>,
    message: String,
    /// Errored for a reason of this machine that says nothing about the target (no
    /// permission for ICMP): dependants run anyway instead of being skipped on no evidence.
    says_nothing: bool,
}

struct ItemTask {
    i: ItemIdx,
    input: Arc<Input>,
    cx: Arc<Context>,
    /// Every item's published verdict, indexed like the plan: this task waits on those of
    /// its `needs` (each written once, by its own task, then never changed).
    receivers: Arc<Vec<watch::Receiver<Option<Published>>>>,
    /// Bounds checks in flight over the whole run (ICMP checks have one of their own);
    /// taken after `node` so that a task waiting for a busy node holds no global slot.
    global: Arc<Semaphore>,
    /// Bounds checks in flight against this item's node.
    node: Arc<Semaphore>,
    cancel: Cancel,
    /// Where this task reports its start and its result; unbounded so that a slow
    /// consumer (a terminal) never slows the probes, at the cost of queued events.
    events: mpsc::UnboundedSender<Event>,
    opts: Options,
}

impl ItemTask {
    /// The item's verdict, or `None` when cancellation stopped it before it had one.
    async fn run(self) -> Option<Published> {
        let item = &self.input.plan.items[self.i];
        for &need in &item.needs {
            let mut rx = self.receivers[need].clone();
            let published = tokio::select! {
                s = rx.wait_for(Option::is_some) => s.ok().and_then(|s| s.clone()),
                _ = self.cancel.cancelled() => return None,
            };
            let Published {
                status,
                message,
                says_nothing,
            } = published?;
            if status != Some(Status::Passed) && !says_nothing {
                // No status: the needed item was stopped by cancellation, and so is this.
                let status = status?;
                let why = self.skip_reason(need, status, &message);
                return Some(self.finish(ItemResult::skipped(why)));
            }
        }
        let _node_permit = tokio::select! {
            p = self.node.acquire() => p.ok()?,
            _ = self.cancel.cancelled() => return None,
        };
        let _global_permit = tokio::select! {
            p = self.global.acquire() => p.ok()?,
            _ = self.cancel.cancelled() => return None,
        };
        let _ = self.events.send(Event::CheckStarted { item: self.i });
        let limits = self.input.limits[self.i];
        let timeout = self.opts.timeout.unwrap_or(limits.timeout);
        let retries = self.opts.retries.unwrap_or(limits.retries);
        let started = Utc::now();
        let t0 = Instant::now();
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            let deadline = Instant::now() + timeout;
            // Boxed: a task waiting for its turn then holds a pointer, not the probe's whole
            // state machine (an HTTP probe's is kilobytes; a run holds thousands of tasks).
            let probe = tokio::time::timeout_at(
                deadline,
                Box::pin(probe::probe(&item.probe, &self.cx, deadline)),
            );
            let outcome = tokio::select! {
                r = probe => r.unwrap_or_else(|_| timed_out(timeout)),
                _ = self.cancel.cancelled_then(self.opts.grace) => return None,
            };
            let retry = match &outcome.verdict {
                Verdict::Passed => false,
                // Asking again will not grant permission or fix the suite.
                Verdict::Errored(p) => {
                    !matches!(p.kind, ErrorKind::NoPermission | ErrorKind::Config)
                }
                Verdict::Failed(_) => true,
            };
            if !retry || attempts > retries || self.cancel.is_cancelled() {
                break outcome;
            }
        };
        let result = from_outcome(outcome, started, t0.elapsed(), attempts);
        Some(self.finish(result))
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
        let label = &self.input.labels[need];
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
    m.insert("time_ms".into(), crate::outcome::ms(timeout));
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
    attempts: u32,
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
        attempts,
        message,
        failure,
        error_kind,
        measurements: o.measurements,
        // Evidence is kept to explain a verdict that is not a pass; at national scale the
        // bodies of thousands of passing checks would only weigh on memory and reports.
        evidence: if passed { None } else { o.evidence },
    }
}
