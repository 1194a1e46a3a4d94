//! Flapping, as Nagios and Icinga define it: the weighted percent state change over an
//! item's last [`FLAP_RUNS`] states, with hysteresis (start above [`FLAP_HIGH`], stop below
//! [`FLAP_LOW`]).
//!
//! A run's state is the status class passed, failed or errored; a waived result counts as
//! what it found (its original status, else failed), and skipped or unreported results have
//! no state: those runs are left out, as Nagios leaves out checks that did not run. The
//! transitions are weighted linearly from 0.75 (oldest) to 1.25 (newest), Nagios's curve, so
//! that a check that has just begun to change counts for more than one that changed long ago.

use crate::results::Status;

use super::{FLAP_HIGH, FLAP_LOW, FLAP_RUNS};

/// An item's flapping at one run: the weighted percent state change over the states ending
/// there, and the flag after replaying the hysteresis up to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlapPoint {
    pub percent: f64,
    pub flapping: bool,
}

/// The state a result counts as for flapping: `Passed`, `Failed` or `Errored`; `None` for a
/// result that holds none (skipped, not reported). A waived result is its `original` status
/// when known, else a failure (a waiver covers only failures that happened).
pub fn state(status: Status, original: Option<Status>) -> Option<Status> {
    match status {
        Status::Passed => Some(Status::Passed),
        Status::Failed => Some(Status::Failed),
        Status::Errored => Some(Status::Errored),
        Status::Waived => Some(match original {
            Some(Status::Errored) => Status::Errored,
            _ => Status::Failed,
        }),
        Status::Skipped | Status::NotReported => None,
    }
}

/// Nagios's weighted percent state change of a sequence of states, oldest first. Statuses
/// without a state are left out; only the last [`FLAP_RUNS`] states count. Transition `i`
/// of `k` weighs `0.75 + (i-1)·0.5/(k-1)` (1 when `k` is 1), and the percent is
/// `100 · Σ wᵢ·[changed] / k`: alternating states give 100, steady ones 0. Fewer than two
/// states give 0.
pub fn percent_state_change(states: &[Status]) -> f64 {
    let classes: Vec<Status> = states.iter().filter_map(|s| state(*s, None)).collect();
    weighted_change(&classes[classes.len().saturating_sub(FLAP_RUNS)..])
}

/// The weighted percent state change of states already reduced to their class (what
/// [`percent_state_change`] computes once it has filtered them).
fn weighted_change(classes: &[Status]) -> f64 {
    let k = classes.len().saturating_sub(1);
    if k == 0 {
        return 0.0;
    }
    let weight = |i: usize| {
        if k == 1 {
            1.0
        } else {
            0.75 + (i - 1) as f64 * 0.5 / (k - 1) as f64
        }
    };
    let changed: f64 = (1..=k)
        .filter(|&i| classes[i] != classes[i - 1])
        .map(weight)
        .sum();
    100.0 * changed / k as f64
}

/// The flapping state at each run of a window (oldest first; `None` where the item has no
/// result). The hysteresis is replayed over the window's last [`FLAP_RUNS`] runs, starting
/// not flapping: at each run, the percent over the (up to [`FLAP_RUNS`]) states ending there;
/// a check not flapping starts when it exceeds [`FLAP_HIGH`], a flapping one stops when it
/// falls below [`FLAP_LOW`]. Runs before the replay begins carry their percent and
/// `flapping: false`.
///
/// Replaying, rather than judging the last percent alone, is what makes 25–30 % mean "as
/// before": a check that reached 31 % and now sits at 27 % still flaps.
pub fn flap_points(states: &[Option<Status>]) -> Vec<FlapPoint> {
    let start = states.len().saturating_sub(FLAP_RUNS);
    let mut flapping = false;
    let mut seen: Vec<Status> = Vec::with_capacity(states.len());
    let mut out = Vec::with_capacity(states.len());
    for (r, s) in states.iter().enumerate() {
        if let Some(s) = s.and_then(|s| state(s, None)) {
            seen.push(s);
        }
        // `seen` holds classes already: no filtering or copying per run.
        let percent = weighted_change(&seen[seen.len().saturating_sub(FLAP_RUNS)..]);
        if r >= start {
            flapping = if flapping {
                percent >= FLAP_LOW
            } else {
                percent > FLAP_HIGH
            };
        }
        out.push(FlapPoint {
            percent,
            flapping: r >= start && flapping,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Errored as E, Failed as F, Passed as P};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn alternating_states_change_every_time() {
        let s: Vec<Status> = (0..21).map(|i| if i % 2 == 0 { P } else { F }).collect();
        assert!(close(percent_state_change(&s), 100.0));
    }

    #[test]
    fn steady_states_never_change() {
        assert!(close(percent_state_change(&[F; 21]), 0.0));
        assert!(close(percent_state_change(&[P]), 0.0));
        assert!(close(percent_state_change(&[]), 0.0));
    }

    #[test]
    fn one_change_weighs_by_its_age() {
        // 21 states, k = 20: the newest transition weighs 1.25, the oldest 0.75.
        let mut s = vec![P; 20];
        s.push(F);
        assert!(close(percent_state_change(&s), 1.25 * 100.0 / 20.0)); // 6.25
        let mut s = vec![P];
        s.extend([F; 20]);
        assert!(close(percent_state_change(&s), 0.75 * 100.0 / 20.0)); // 3.75
        // k = 1: one transition weighs 1.
        assert!(close(percent_state_change(&[P, E]), 100.0));
        // k = 2: weights 0.75, 1.25; only the second changed.
        assert!(close(percent_state_change(&[P, P, F]), 62.5));
    }

    #[test]
    fn only_the_last_21_states_count_and_stateless_runs_are_skipped() {
        // A change before the last 21 states is forgotten.
        let mut s = vec![F];
        s.extend([P; 21]);
        assert!(close(percent_state_change(&s), 0.0));
        // Skipped and not reported hold no state: P, F with two stateless runs between.
        let s = [P, Status::Skipped, Status::NotReported, F];
        assert!(close(percent_state_change(&s), 100.0));
    }

    #[test]
    fn waived_counts_as_its_original_status() {
        assert_eq!(state(Status::Waived, None), Some(F));
        assert_eq!(state(Status::Waived, Some(E)), Some(E));
        assert_eq!(state(Status::Skipped, None), None);
        // Failed then waived (a failure): no change.
        assert!(close(percent_state_change(&[F, Status::Waived]), 0.0));
    }

    /// 41 runs: 20 passes, then 7 alternating states (changes at runs 20..=26), then
    /// failures. The replay covers runs 20..=40. With 21 states, k = 20 and
    /// w_i = 0.75 + (i-1)/38; transition i at run r is the change into run r-20+i, and
    /// percent = 5·Σw over the changed transitions:
    /// - r=20: i=20 → 1.25 → 6.25 %
    /// - r=24: i=16..20 → 5·0.75 + (15+…+19)/38 = 5.986842 → 29.934 % (not above 30)
    /// - r=25: i=15..20 → 4.5 + 99/38 = 7.105263 → 35.526 % (starts)
    /// - r=26: i=14..20 → 5.25 + 112/38 = 8.197368 → 40.987 %
    /// - r=38: i=2..8 → 5.25 + 28/38 = 5.986842 → 29.934 % (between: still flapping)
    /// - r=39: i=1..7 → 5.25 + 21/38 = 5.802632 → 29.013 % (still flapping)
    /// - r=40: the change into run 20 has left; i=1..6 → 4.5 + 15/38 = 4.894737 → 24.474 %
    ///   (below 25: stops)
    fn crossing() -> Vec<Option<Status>> {
        let mut s = vec![Some(P); 20];
        for i in 0..7 {
            s.push(Some(if i % 2 == 0 { F } else { P }));
        }
        s.extend(std::iter::repeat_n(Some(F), 14));
        assert_eq!(s.len(), 41);
        s
    }

    #[test]
    fn hysteresis_starts_above_30_holds_between_25_and_30_stops_below_25() {
        let p = flap_points(&crossing());
        let expect = [
            (20, 6.25, false),
            (24, 29.934_211, false),
            (25, 35.526_316, true),
            (26, 40.986_842, true),
            (38, 29.934_211, true),
            (39, 29.013_158, true),
            (40, 24.473_684, false),
        ];
        for (r, percent, flapping) in expect {
            assert!(
                (p[r].percent - percent).abs() < 1e-5,
                "run {r}: {} ≠ {percent}",
                p[r].percent
            );
            assert_eq!(p[r].flapping, flapping, "run {r}");
        }
        // The same 29.93 % means "not flapping" on the way up and "flapping" on the way down.
        assert!((p[24].percent - p[38].percent).abs() < 1e-9);
        // Every run from 25 to 39 flaps; none before.
        assert!(p[25..40].iter().all(|x| x.flapping));
        assert!(p[..25].iter().all(|x| !x.flapping));
    }

    #[test]
    fn runs_before_the_replay_are_not_flagged() {
        // Alternating from the start: 100 % everywhere, but only the last 21 runs are
        // replayed.
        let s: Vec<Option<Status>> = (0..30)
            .map(|i| Some(if i % 2 == 0 { P } else { E }))
            .collect();
        let p = flap_points(&s);
        assert!(close(p[5].percent, 100.0));
        assert!(!p[8].flapping);
        assert!(p[9..].iter().all(|x| x.flapping));
        // Runs without a state keep the percent of the states before them.
        let s = [Some(P), Some(F), None, Some(Status::Skipped)];
        let p = flap_points(&s);
        assert!(close(p[3].percent, 100.0));
        assert!(p[3].flapping);
    }
}
