//! Independent pieces of work spread over the machine's cores, their results in the order
//! of the work: the files of a folder inventory (parsing them is most of loading one), the
//! bundles of a merge (each verified and read on its own) and the files of a bundle (each
//! hashed on its own).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// `f` of each of `items`, in the order of `items`, by as many threads as there are cores
/// (at most one per item; none but the caller's for one item or one core). A thread takes
/// the next item not yet taken, so one large item does not hold back a share of small ones.
/// A panic in `f` is the caller's, as if `f` had run here.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    // A Mutex rather than a OnceLock: a result need only be Send, not Sync. Each slot is set
    // once, by the thread that took its item.
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    *slots[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect("every item was done: the threads ran to the end of the list")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_result_is_in_its_items_place_however_the_threads_share_them() {
        // Items of very different costs, so that the threads finish out of order.
        let items: Vec<u64> = (0..50)
            .map(|i| if i % 7 == 0 { 200_000 } else { i })
            .collect();
        let cost = |n: &u64| (0..*n).fold(*n, |a, b| a.wrapping_mul(31).wrapping_add(b));
        let expected: Vec<u64> = items.iter().map(cost).collect();
        assert_eq!(map_in_order(&items, cost), expected);
        assert_eq!(map_in_order(&[] as &[u64], cost), Vec::<u64>::new());
        assert_eq!(map_in_order(&[3u64], cost), vec![cost(&3)]);
    }
}
