//! The runner: carries out a plan with bounded concurrency, per-attempt timeouts, retries,
//! `needs` and cancellation, and emits [`Event`]s as it goes (see [`crate::event`], the
//! contract with the reporters). It knows nothing of terminals or files, nor of the probers'
//! code: the [`Prober`] is a parameter.

mod cancel;
mod prober;
mod ready;
mod task;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

pub use cancel::Cancel;
pub use prober::{AFTER_FAILURE_LIMIT, Addendum, Afterwards, Attempt, Prober};

use crate::event::Event;
use crate::model::{NodeIdx, Probe};
use crate::plan::ItemIdx;
use crate::plan::Plan;
use crate::results::Status;
use ready::{Ready, Start};
use task::{ItemTask, Published};

/// Checks in flight at once over a run, unless `--concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: u32 = 256;
/// Checks in flight at once against one node, unless `--per-node` says otherwise.
pub const DEFAULT_PER_NODE: u32 = 4;
/// ICMP checks in flight at once, unless `--icmp-concurrency` says otherwise. They share one
/// socket and mostly wait between echoes, so thousands cost little: a national sweep goes
/// out at once, as fping sends it.
pub const DEFAULT_ICMP_CONCURRENCY: u32 = 4096;
/// Echoes per second that the ICMP checks in flight may ask for together, unless
/// `--icmp-rate` says otherwise: what one probe process sends, receives and times on two
/// cores without falling behind (measured, release build, every national host × 1,000
/// echoes 10 ms apart: 20,000 a second lose none; 50,000 a second lost 18 % of them to
/// checks run past their timeouts; README, "Loss at volume"). The acceptance suite's
/// national ping, 16,840 echoes a second, still goes out at once.
pub const DEFAULT_ICMP_RATE: u32 = 20_000;

/// What an ICMP check asks of the rate budget: the echoes per second it sends while it runs
/// (one per `interval`, or all of `count` when they fit in a second), at most `budget`.
pub fn icmp_rate_weight(count: u32, interval: std::time::Duration, budget: usize) -> u32 {
    let per_second = if interval.is_zero() {
        u128::from(count)
    } else {
        1_000_000_000u128.div_ceil(interval.as_nanos())
    };
    let w = per_second.min(u128::from(count)).max(1);
    u32::try_from(w.min(budget.max(1) as u128)).unwrap_or(u32::MAX)
}

/// How much a run sends at once, and how long it lets checks finish once cancelled.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Checks in flight at once, over the whole run, but ICMP checks.
    pub concurrency: usize,
    /// ICMP checks in flight at once. Apart from `concurrency`: an ICMP check holds no socket
    /// of its own and spends its time waiting between echoes, so under the same limit a
    /// sweep of 5 echoes 200 ms apart would keep the run's slots busy for 0.8 s per node.
    pub icmp_concurrency: usize,
    /// Echoes per second that the ICMP checks in flight ask for together, at most: a check
    /// starts only when its rate fits ([`icmp_rate_weight`]), so that a sweep of many
    /// thousand-echo checks is run in waves the probe host keeps pace with instead of
    /// falling behind its schedules and reading its own lateness as the network's.
    pub icmp_rate: usize,
    /// Checks in flight at once against one node, so that a thin county link is never
    /// flooded.
    pub per_node: usize,
    /// How long checks in flight may go on after cancellation.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: DEFAULT_CONCURRENCY as usize,
            per_node: DEFAULT_PER_NODE as usize,
            icmp_concurrency: DEFAULT_ICMP_CONCURRENCY as usize,
            icmp_rate: DEFAULT_ICMP_RATE as usize,
            grace: Duration::from_secs(1),
        }
    }
}

/// Runs the plan. Returns when every item has a result, or when cancellation and the grace
/// period are over; `true` when every item has a result. Events go to `events`; a closed
/// receiver does not stop the run.
pub async fn run<P: Prober>(
    plan: Arc<Plan>,
    prober: Arc<P>,
    limits: &Limits,
    cancel: Cancel,
    events: mpsc::UnboundedSender<Event>,
) -> bool {
    let n = plan.items.len();
    let _ = events.send(Event::Started {
        total: n,
        at: Utc::now(),
    });
    let global = Arc::new(Semaphore::new(limits.concurrency.max(1)));
    let icmp = Arc::new(Semaphore::new(limits.icmp_concurrency.max(1)));
    let icmp_rate = Arc::new(Semaphore::new(limits.icmp_rate.max(1)));
    // Throughput checks one at a time: each fills its link (RFC 6815) and an iperf3 server
    // serves one test at a time, so two at once would measure each other or be turned away.
    // The slot is taken before the attempt's deadline starts: waiting costs no timeout.
    let throughput = Arc::new(Semaphore::new(1));
    let mut per_node: HashMap<NodeIdx, Arc<Semaphore>> = HashMap::new();
    for it in &plan.items {
        per_node
            .entry(it.node)
            .or_insert_with(|| Arc::new(Semaphore::new(limits.per_node.max(1))));
    }
    let mut ready = Ready::new(&plan);
    // Which item each task carries out, for a task that panicked (it returns nothing).
    type Ids = HashMap<tokio::task::Id, ItemIdx>;
    let mut ids = Ids::new();
    let spawn = |tasks: &mut JoinSet<Option<Published>>,
                 ids: &mut Ids,
                 i: ItemIdx,
                 skip: Option<(ItemIdx, Status, String)>| {
        let item = &plan.items[i];
        let task = ItemTask {
            i,
            plan: plan.clone(),
            prober: prober.clone(),
            skip,
            global: match item.probe {
                Probe::Icmp(_) => icmp.clone(),
                Probe::Throughput(_) => throughput.clone(),
                _ => global.clone(),
            },
            rate: match &item.probe {
                Probe::Icmp(p) => Some((
                    icmp_rate.clone(),
                    icmp_rate_weight(p.count, p.interval.as_std(), limits.icmp_rate),
                )),
                _ => None,
            },
            node: per_node[&item.node].clone(),
            cancel: cancel.clone(),
            events: events.clone(),
            grace: limits.grace,
        };
        let handle = tasks.spawn(task.run());
        ids.insert(handle.id(), i);
    };

    // An item's task is spawned when it can go on (its needs have said enough), not up
    // front: at national scale most items wait for a need, and a task for each of them held
    // tens of megabytes for nothing.
    let mut tasks = JoinSet::new();
    for i in ready.initial() {
        spawn(&mut tasks, &mut ids, i, None);
    }
    let mut complete = true;
    while let Some(r) = tasks.join_next_with_id().await {
        // A task that panicked left no result: its dependants stop as after a cancellation.
        let (id, outcome) = r.map_or_else(|e| (e.id(), None), |(id, o)| (id, o));
        complete &= outcome.is_some();
        let i = ids.remove(&id).expect("every task's item is known");
        for (d, start) in ready.finished(i, outcome.unwrap_or(Published::STOPPED)) {
            match start {
                // It would stop at once, without a result: it gets no task, and the items
                // that need it are never started (`all_started` then says so).
                Start::Stop => {}
                _ if cancel.is_cancelled() => {}
                Start::Run => spawn(&mut tasks, &mut ids, d, None),
                Start::Skip {
                    need,
                    status,
                    message,
                } => spawn(&mut tasks, &mut ids, d, Some((need, status, message))),
            }
        }
    }
    let complete = complete && ready.all_started() && !cancel.is_cancelled();
    let _ = events.send(Event::Finished {
        complete,
        at: Utc::now(),
    });
    complete
}
