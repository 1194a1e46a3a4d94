//! What changed from one run to a later one of the same suite and scope: new failures,
//! recoveries, what is still failing (and since when), flapping and its starts and stops,
//! and measurements that got worse beyond a tolerance. Also the HTML report's strips.
//!
//! Only results with a state are compared (passed, failed, errored, waived): a skipped or
//! unreported result says nothing about the link, so an item that was skipped in the earlier
//! run and fails now is a new failure, and one that is skipped now is neither a recovery nor
//! still failing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::flap::{flap_points, state};
use super::{Change, Diff, Flap, Regression, RunHistory, STRIP_RUNS, Tolerance};
use crate::history::{ItemKey, ItemRow, RunRow, Window, is_problem};
use crate::results::Status;

/// Measurements compared as times: a regression is a relative rise above the tolerance and
/// an absolute one of at least its floor (so 1 ms → 2 ms is not news).
const TIMES: [&str; 2] = ["time_ms", "rtt_avg_ms"];
/// Loss is compared in percentage points.
const LOSS: &str = "loss_pct";

/// Whether a status says something about the link (passed or a problem).
fn comparable(s: Status) -> bool {
    s == Status::Passed || is_problem(s)
}

/// What changed from run `a` to run `b` (`b` the later): `window` ends at `b` (up to
/// [`super::WINDOW_RUNS`] runs), `since` is the store's `failing_since` for `b`.
// The map is what `Store::failing_since` returns; a generic hasher would buy nothing.
#[allow(clippy::implicit_hasher)]
pub fn diff(
    a: (&RunRow, &[ItemRow]),
    b: (&RunRow, &[ItemRow]),
    window: &Window,
    since: &HashMap<ItemKey, DateTime<Utc>>,
    tolerance: &Tolerance,
) -> Diff {
    let before: HashMap<&ItemKey, &ItemRow> = a.1.iter().map(|r| (&r.key, r)).collect();
    let mut d = Diff {
        a: a.0.clone(),
        b: b.0.clone(),
        new_failures: Vec::new(),
        recoveries: Vec::new(),
        still_failing: Vec::new(),
        flapping: Vec::new(),
        flapping_started: Vec::new(),
        flapping_stopped: Vec::new(),
        regressions: Vec::new(),
        compared: 0,
    };
    for row in b.1 {
        let old = before.get(&row.key).copied();
        let old_status = old.map(|o| o.status);
        let change = |since: Option<DateTime<Utc>>| Change {
            key: row.key.clone(),
            before: old_status,
            after: row.status,
            kind: row.kind.clone(),
            message: row.message.clone(),
            since,
        };
        let was_problem = old_status.is_some_and(is_problem);
        if is_problem(row.status) {
            if was_problem {
                // The store's streak start; without one, the earlier run is the latest
                // moment it can have begun.
                let at = since.get(&row.key).copied().unwrap_or(a.0.started);
                d.still_failing.push(change(Some(at)));
            } else {
                d.new_failures.push(change(None));
            }
        } else if row.status == Status::Passed && was_problem {
            d.recoveries.push(change(None));
        }
        if let Some(old) = old
            && comparable(old.status)
            && comparable(row.status)
        {
            d.compared += 1;
            regressions(old, row, tolerance, &mut d.regressions);
        }
        flapping(row, window, &mut d);
    }
    for list in [&mut d.new_failures, &mut d.recoveries, &mut d.still_failing] {
        list.sort_by(|x, y| x.key.cmp(&y.key));
    }
    for list in [
        &mut d.flapping,
        &mut d.flapping_started,
        &mut d.flapping_stopped,
    ] {
        list.sort_by(|x, y| x.key.cmp(&y.key));
    }
    d.regressions
        .sort_by(|x, y| (&x.key, &x.measure).cmp(&(&y.key, &y.measure)));
    d
}

/// The measured regressions of one item from `old` to `new`.
fn regressions(old: &ItemRow, new: &ItemRow, t: &Tolerance, out: &mut Vec<Regression>) {
    let value = |r: &ItemRow, k: &str| r.measurements.get(k).and_then(serde_json::Value::as_f64);
    let mut push = |measure: &str, before: f64, after: f64| {
        out.push(Regression {
            key: new.key.clone(),
            measure: measure.to_string(),
            before,
            after,
        });
    };
    for m in TIMES {
        if let (Some(x), Some(y)) = (value(old, m), value(new, m))
            && y > x * (1.0 + t.time_ratio)
            && y - x >= t.time_floor_ms
        {
            push(m, x, y);
        }
    }
    if let (Some(x), Some(y)) = (value(old, LOSS), value(new, LOSS))
        && y - x >= t.loss_points
    {
        push(LOSS, x, y);
    }
}

/// The item's flapping at `b` (the window's last run) and at the run before it.
fn flapping(row: &ItemRow, window: &Window, d: &mut Diff) {
    let Some(states) = window.states.get(&row.key) else {
        return;
    };
    // The window has statuses only; `b`'s own row knows what a waived result found.
    let mut states = states.clone();
    if window.runs.last().is_some_and(|r| r.key == d.b.key)
        && let Some(last) = states.last_mut()
    {
        *last = state(row.status, row.original).or(*last);
    }
    let points = flap_points(&states);
    let Some(now) = points.last() else { return };
    let was = points.len() >= 2 && points[points.len() - 2].flapping;
    let flap = Flap {
        key: row.key.clone(),
        percent: now.percent,
        flapping: now.flapping,
    };
    if now.flapping && !was {
        d.flapping_started.push(flap.clone());
    }
    if !now.flapping && was {
        d.flapping_stopped.push(flap.clone());
    }
    if now.flapping {
        d.flapping.push(flap);
    }
}

/// The report's history: the strips from `window` (its last [`STRIP_RUNS`] runs).
pub fn run_history(diff: Option<Diff>, window: &Window) -> RunHistory {
    let skip = window.runs.len().saturating_sub(STRIP_RUNS);
    let strips = window
        .states
        .iter()
        // Items of this run: those with a result in the window's last run.
        .filter(|(_, s)| s.last().is_some_and(Option::is_some))
        .map(|(k, s)| (k.clone(), s[s.len().saturating_sub(STRIP_RUNS)..].to_vec()))
        .collect();
    RunHistory {
        diff,
        runs: window.runs[skip..].to_vec(),
        strips,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;
    use crate::results::Summary;
    use Status::{Errored as E, Failed as F, Passed as P};

    fn at(day: u32) -> DateTime<Utc> {
        format!("2026-11-{day:02}T18:00:00Z").parse().unwrap()
    }

    fn run(key: i64, day: u32) -> RunRow {
        RunRow {
            key,
            id: format!("run-{key}"),
            suite: "smoke".into(),
            suite_name: "Smoke".into(),
            scope: "vantage:-".into(),
            vantage_id: None,
            host: "probe".into(),
            shard: None,
            merged: false,
            started: at(day),
            finished: at(day),
            complete: true,
            summary: Summary::default(),
            inventory_sha256: String::new(),
            suite_sha256: String::new(),
            netaccept_version: "0".into(),
        }
    }

    fn key(node: &str, check: &str) -> ItemKey {
        ItemKey {
            node: node.into(),
            check: check.into(),
            app: None,
        }
    }

    fn item(node: &str, check: &str, status: Status) -> ItemRow {
        ItemRow {
            key: key(node, check),
            status,
            original: (status == Status::Waived).then_some(E),
            kind: None,
            severity: Severity::Major,
            started: at(2),
            duration_ms: 1.0,
            message: format!("{node} {check}"),
            measurements: serde_json::Map::new(),
        }
    }

    fn with(mut r: ItemRow, m: &[(&str, f64)]) -> ItemRow {
        for (k, v) in m {
            r.measurements.insert((*k).into(), serde_json::json!(v));
        }
        r
    }

    fn keys(v: &[Change]) -> Vec<String> {
        v.iter()
            .map(|c| format!("{}/{}", c.key.node, c.key.check))
            .collect()
    }

    fn diff_of(a: &[ItemRow], b: &[ItemRow]) -> Diff {
        diff(
            (&run(1, 1), a),
            (&run(2, 2), b),
            &Window::default(),
            &HashMap::new(),
            &Tolerance::default(),
        )
    }

    #[test]
    fn each_category_of_change() {
        let a = [
            item("n1", "up", P),
            item("n2", "breaks", P),
            item("n3", "heals", F),
            item("n4", "still", E),
            item("n5", "was-skipped", Status::Skipped),
            item("n6", "now-skipped", F),
            item("n7", "waived-on", F),
        ];
        let b = [
            item("n1", "up", P),
            item("n2", "breaks", E),
            item("n3", "heals", P),
            item("n4", "still", F),
            item("n5", "was-skipped", F),
            item("n6", "now-skipped", Status::Skipped),
            item("n7", "waived-on", Status::Waived),
            item("n8", "new-item", F),
            item("n9", "new-ok", P),
        ];
        let d = diff_of(&a, &b);
        // Absent from `a` and skipped in `a` are both "no state before": new failures.
        assert_eq!(
            keys(&d.new_failures),
            ["n2/breaks", "n5/was-skipped", "n8/new-item"]
        );
        assert_eq!(d.new_failures[2].before, None);
        assert_eq!(d.new_failures[1].before, Some(Status::Skipped));
        assert_eq!(keys(&d.recoveries), ["n3/heals"]);
        // Waived still failed: a problem in both runs.
        assert_eq!(keys(&d.still_failing), ["n4/still", "n7/waived-on"]);
        // Without a streak from the store, the earlier run's start.
        assert_eq!(d.still_failing[0].since, Some(at(1)));
        // n1..n4 and n7 have a state in both; n5 (skipped before), n6 (skipped now), n8, n9
        // (absent before) do not.
        assert_eq!(d.compared, 5);
        assert!(d.changed());
        // Skipped now: neither recovered nor still failing.
        assert!(
            !d.recoveries
                .iter()
                .chain(&d.still_failing)
                .any(|c| c.key.node == "n6")
        );
    }

    #[test]
    fn still_failing_since_comes_from_the_store() {
        let a = [item("n", "c", F)];
        let b = [item("n", "c", F)];
        let since = HashMap::from([(key("n", "c"), at(1) - chrono::TimeDelta::days(9))]);
        let d = diff(
            (&run(1, 1), &a),
            (&run(2, 2), &b),
            &Window::default(),
            &since,
            &Tolerance::default(),
        );
        assert_eq!(
            d.still_failing[0].since,
            Some(at(1) - chrono::TimeDelta::days(9))
        );
        assert!(!d.changed());
    }

    #[test]
    fn regressions_need_the_ratio_and_the_floor() {
        let a = [
            with(item("n1", "http", P), &[("time_ms", 100.0)]),
            with(item("n2", "http", P), &[("time_ms", 2.0)]),
            with(
                item("n3", "icmp", F),
                &[("rtt_avg_ms", 40.0), ("loss_pct", 0.0)],
            ),
            with(
                item("n4", "icmp", P),
                &[("rtt_avg_ms", 40.0), ("loss_pct", 10.0)],
            ),
            with(item("n5", "http", Status::Skipped), &[("time_ms", 1.0)]),
        ];
        let b = [
            // +51 %, +51 ms: a regression.
            with(item("n1", "http", P), &[("time_ms", 151.0)]),
            // +200 % but only +4 ms: under the floor.
            with(item("n2", "http", P), &[("time_ms", 6.0)]),
            // Exactly +50 %: not above the ratio; loss +5 points: at the threshold.
            with(
                item("n3", "icmp", F),
                &[("rtt_avg_ms", 60.0), ("loss_pct", 5.0)],
            ),
            // +4.9 points of loss: under; RTT +60 ms, +150 %: a regression.
            with(
                item("n4", "icmp", P),
                &[("rtt_avg_ms", 100.0), ("loss_pct", 14.9)],
            ),
            // Skipped before: not compared.
            with(item("n5", "http", P), &[("time_ms", 500.0)]),
        ];
        let d = diff_of(&a, &b);
        let got: Vec<(String, String, f64, f64)> = d
            .regressions
            .iter()
            .map(|r| (r.key.node.clone(), r.measure.clone(), r.before, r.after))
            .collect();
        assert_eq!(
            got,
            [
                ("n1".into(), "time_ms".into(), 100.0, 151.0),
                ("n3".into(), "loss_pct".into(), 0.0, 5.0),
                ("n4".into(), "rtt_avg_ms".into(), 40.0, 100.0),
            ]
        );
        // A wider tolerance drops n1 (+51 % < +60 %).
        let t = Tolerance {
            time_ratio: 0.6,
            ..Tolerance::default()
        };
        let d = diff(
            (&run(1, 1), &a),
            (&run(2, 2), &b),
            &Window::default(),
            &HashMap::new(),
            &t,
        );
        assert!(!d.regressions.iter().any(|r| r.key.node == "n1"));
    }

    #[test]
    fn flapping_starts_and_stops_at_b() {
        // 41 runs; see flap::tests::crossing for the hand-computed percents. The item
        // "starts" ends at run 25 (35.5 %, started there), "stops" ends at run 40 (24.5 %,
        // stopped), "steady" has flapped for a while.
        let runs: Vec<RunRow> = (0..41).map(|i| run(i, 1)).collect();
        let mut pattern = vec![Some(P); 20];
        for i in 0..7 {
            pattern.push(Some(if i % 2 == 0 { F } else { P }));
        }
        pattern.extend(std::iter::repeat_n(Some(F), 14));
        // Shifted so that its window ends at run 25: 15 passes in front.
        let mut starts = vec![Some(P); 15];
        starts.extend_from_slice(&pattern[..26]);
        let alternating: Vec<Option<Status>> = (0..41)
            .map(|i| Some(if i % 2 == 0 { P } else { F }))
            .collect();
        let window = Window {
            runs: runs.clone(),
            states: HashMap::from([
                (key("n", "starts"), starts),
                (key("n", "stops"), pattern),
                (key("n", "steady"), alternating),
            ]),
        };
        let b_rows = [
            item("n", "starts", P),
            item("n", "stops", F),
            item("n", "steady", P),
        ];
        let a_rows = b_rows.clone();
        let d = diff(
            (&runs[39], &a_rows),
            (&runs[40], &b_rows),
            &window,
            &HashMap::new(),
            &Tolerance::default(),
        );
        let names = |v: &[Flap]| v.iter().map(|f| f.key.check.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.flapping), ["starts", "steady"]);
        assert_eq!(names(&d.flapping_started), ["starts"]);
        assert_eq!(names(&d.flapping_stopped), ["stops"]);
        assert!((d.flapping_stopped[0].percent - 24.473_684).abs() < 1e-5);
        assert!((d.flapping_started[0].percent - 35.526_316).abs() < 1e-5);
        assert!(d.changed());
    }

    #[test]
    fn strips_are_the_last_14_runs_of_this_runs_items() {
        let runs: Vec<RunRow> = (0..20).map(|i| run(i, 1)).collect();
        let mut here: Vec<Option<Status>> = vec![Some(P); 19];
        here.push(Some(F));
        let mut gone: Vec<Option<Status>> = vec![Some(P); 19];
        gone.push(None);
        let window = Window {
            runs,
            states: HashMap::from([(key("n", "here"), here), (key("n", "gone"), gone)]),
        };
        let h = run_history(None, &window);
        assert_eq!(h.runs.len(), STRIP_RUNS);
        assert_eq!(h.runs[0].key, 6);
        assert_eq!(h.strips.len(), 1);
        let strip = &h.strips[&key("n", "here")];
        assert_eq!(strip.len(), STRIP_RUNS);
        assert_eq!(strip.last(), Some(&Some(F)));
    }
}
