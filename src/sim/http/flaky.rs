//! The `flaky` fault's draws: deterministic per endpoint, so a run with the same seed
//! answers the same health requests 503.

use std::sync::atomic::Ordering;

use super::routes::Route;

impl Route {
    /// Whether the next health request of this endpoint is one of the `share` answered 503.
    pub(super) fn flaky_hit(&self, share: f64) -> bool {
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let x = mix(self
            .flaky_seed
            .wrapping_add(n.wrapping_add(1).wrapping_mul(GOLDEN)));
        let u = (x >> 11) as f64 / (1u64 << 53) as f64; // uniform in [0, 1)
        u < share // NaN never hits
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `flaky` seed of one endpoint: the run's seed mixed with an FNV-1a hash of the node
/// and app ids, so endpoints draw independent sequences.
pub(super) fn endpoint_seed(seed: u64, node: &str, app: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node.bytes().chain([0xff]).chain(app.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(seed ^ mix(h))
}
