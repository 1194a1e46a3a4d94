//! Each echo's fate under an `icmp` fault: lost, or answered after a delay drawn uniformly
//! from `[delay − jitter, delay + jitter]`. The draws are a function of the simulator's seed,
//! the node and the echo's number at that node alone, so a run with the same `--seed` and
//! the same echoes loses the same echoes and holds each reply as long.

use std::time::Duration;

use crate::model::{Duration as Dur, Percent};

/// One node's `icmp` fault and its draws so far.
#[derive(Debug)]
pub struct Draws {
    delay: Duration,
    jitter: Duration,
    /// The share lost, 0 to 1.
    loss: f64,
    seed: u64,
    drawn: u64,
}

impl Draws {
    pub fn new(seed: u64, node: &str, delay: Dur, jitter: Dur, loss: Percent) -> Draws {
        Draws {
            delay: delay.as_std(),
            jitter: jitter.as_std(),
            loss: loss.0 / 100.0,
            seed: node_seed(seed, node),
            drawn: 0,
        }
    }

    /// The next echo's fate: `None` when it is lost, else how long its reply is held.
    pub fn next(&mut self) -> Option<Duration> {
        self.drawn += 1;
        let x = mix(self.seed.wrapping_add(self.drawn.wrapping_mul(GOLDEN)));
        if unit(x) < self.loss {
            return None;
        }
        if self.jitter.is_zero() {
            return Some(self.delay);
        }
        // Loading checked jitter ≤ delay: the low end is never below 0 (saturating only for
        // a caller that skipped it), so the mean stays `delay`. Standard deviation:
        // jitter / √3.
        let low = self.delay.saturating_sub(self.jitter);
        Some(low + self.jitter.mul_f64(2.0 * unit(mix(x ^ GOLDEN))))
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in [0, 1), from the top 53 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The run's seed mixed with an FNV-1a hash of the node id: nodes draw independently.
fn node_seed(seed: u64, node: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(seed ^ mix(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(seed: u64, loss: f64) -> Draws {
        Draws::new(
            seed,
            "host",
            Dur::from_millis(60),
            Dur::from_millis(20),
            Percent(loss),
        )
    }

    #[test]
    fn delays_are_uniform_around_the_delay() {
        let mut d = draws(1, 0.0);
        let ms: Vec<f64> = (0..100_000)
            .map(|_| d.next().unwrap().as_secs_f64() * 1e3)
            .collect();
        let n = ms.len() as f64;
        let mean = ms.iter().sum::<f64>() / n;
        let sd = (ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!((mean - 60.0).abs() < 0.2, "mean {mean}");
        assert!((sd - 20.0 / 3f64.sqrt()).abs() < 0.2, "sd {sd}");
        let (lo, hi) = ms
            .iter()
            .fold((f64::MAX, 0f64), |(l, h), x| (l.min(*x), h.max(*x)));
        assert!(
            (40.0..40.1).contains(&lo) && (79.9..=80.0).contains(&hi),
            "{lo}..{hi}"
        );
    }

    #[test]
    fn loss_is_the_share_asked_and_the_seed_repeats_it() {
        let lost = |seed| {
            let mut d = draws(seed, 0.5);
            (0..100_000).filter(|_| d.next().is_none()).count()
        };
        let n = lost(7);
        assert!((450..=550).contains(&n), "{n} of 100,000 lost at 0.5%");
        assert_eq!(lost(7), n, "the same seed loses the same echoes");
        assert_ne!(lost(8), n, "another seed, other echoes");
        let mut none = draws(7, 0.0);
        assert!((0..10_000).all(|_| none.next().is_some()));
        let mut all = draws(7, 100.0);
        assert!((0..10_000).all(|_| all.next().is_none()));
    }

    #[test]
    fn no_jitter_is_the_delay_exactly() {
        let mut d = Draws::new(
            1,
            "a",
            Dur::from_millis(5),
            Dur::from_millis(0),
            Percent(0.0),
        );
        assert!((0..100).all(|_| d.next() == Some(Duration::from_millis(5))));
    }
}
