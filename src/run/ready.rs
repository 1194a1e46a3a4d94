//! Which items can start, and when: the runner spawns an item's task only once its needs
//! have said enough for it to go on, instead of a task per item up front waiting on its
//! needs (at national scale most items wait on a need, and their tasks held tens of
//! megabytes for nothing). "Enough" is what a task waiting on its needs in order would
//! have seen: every need up to the first one that did not pass has finished (the item is
//! then skipped), or all of them have, passed. The decision is made here, once; the task
//! is told it ([`Start`]).

use std::sync::Arc;

use super::task::Published;
use crate::plan::{ItemIdx, Plan};
use crate::results::Status;

/// How an item that can start goes on.
pub(super) enum Start {
    /// Its needs passed (or said nothing): it is carried out.
    Run,
    /// `need` did not pass: the item is skipped for it, with its status and message.
    Skip {
        need: ItemIdx,
        status: Status,
        message: String,
    },
    /// A need was stopped by cancellation (or its task died): so is this item, with no
    /// result.
    Stop,
}

pub(super) struct Ready {
    plan: Arc<Plan>,
    /// What each finished item published.
    published: Vec<Option<Published>>,
    /// The items that need each item: `dependants[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    dependants: Vec<ItemIdx>,
    started: Vec<bool>,
    n_started: usize,
}

impl Ready {
    pub(super) fn new(plan: &Arc<Plan>) -> Ready {
        let n = plan.items.len();
        let mut counts = vec![0u32; n + 1];
        for it in &plan.items {
            for &need in &it.needs {
                counts[need + 1] += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut dependants = vec![0; counts[n] as usize];
        for (i, it) in plan.items.iter().enumerate() {
            for &need in &it.needs {
                dependants[fill[need] as usize] = i;
                fill[need] += 1;
            }
        }
        Ready {
            plan: plan.clone(),
            published: vec![None; n],
            starts: counts,
            dependants,
            started: vec![false; n],
            n_started: 0,
        }
    }

    /// The items that need nothing: all start at once (their limits then hold them back).
    pub(super) fn initial(&mut self) -> Vec<ItemIdx> {
        let first: Vec<ItemIdx> = (0..self.started.len())
            .filter(|&i| self.plan.items[i].needs.is_empty())
            .collect();
        for &i in &first {
            self.start(i);
        }
        first
    }

    /// Item `i` finished (or stopped, as [`Published::STOPPED`]): the items that can start
    /// now, each given once, with how they go on.
    pub(super) fn finished(&mut self, i: ItemIdx, published: Published) -> Vec<(ItemIdx, Start)> {
        self.published[i] = Some(published);
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        let mut now = Vec::new();
        for k in a..b {
            let d = self.dependants[k];
            if self.started[d] {
                continue;
            }
            if let Some(start) = self.start_of(d) {
                self.start(d);
                now.push((d, start));
            }
        }
        now
    }

    /// Whether every item has been started (a run cut short leaves some that never were).
    pub(super) fn all_started(&self) -> bool {
        self.n_started == self.started.len()
    }

    /// How `d` goes on, once its needs in order have said enough; `None` while they have not.
    fn start_of(&self, d: ItemIdx) -> Option<Start> {
        for &need in &self.plan.items[d].needs {
            let p = self.published[need].as_ref()?;
            if !p.lets_through() {
                // Not passed: the item is skipped now, whatever its later needs say.
                return Some(match p.status {
                    Some(status) => Start::Skip {
                        need,
                        status,
                        message: p.message.clone(),
                    },
                    None => Start::Stop,
                });
            }
        }
        Some(Start::Run)
    }

    fn start(&mut self, i: ItemIdx) {
        self.started[i] = true;
        self.n_started += 1;
    }
}
