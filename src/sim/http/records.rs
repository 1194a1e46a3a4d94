//! The accident-statistics records migrated to an app, as `P/api/records/summary` reports
//! them:
//!
//! ```json
//! {"app":"dispatch","node":"sx","records":{"total":31234,"migrated_from":"2015-01-01",
//!  "by_year":[{"year":2015,"count":2950},…,{"year":2024,"count":3301}]}}
//! ```
//!
//! Each endpoint has a usual total, fixed by its node's level (a national system holds the
//! whole country's records, a county's its own) and an FNV-1a hash of the node and app ids,
//! so it is the same in every run and every simulator process (`--seed` plays no part):
//!
//! | level | usual total |
//! |---|---|
//! | national | 200,000 to 259,999 |
//! | provincial | 20,000 to 49,999 |
//! | prefectural | 4,000 to 9,999 |
//! | county | 1,200 to 3,999 |
//! | township | 1,000 to 1,199 |
//!
//! The ranges do not overlap, so any node holds more than any node below its level, and
//! every usual total is at least [`LEAST_USUAL_TOTAL`]. `by_year` spreads the total over
//! the ten years 2015 to 2024, oldest first, each year a share of 8 to 12 parts of the
//! total (so none is empty), the counts adding up to the total exactly.
//!
//! The `records: N` fault reports `N` instead: the migration stopped part-way, so
//! `by_year` lists the years in order, each with its usual count, until the `N` records are
//! used up (the last year listed gets what is left; `records: 0` lists none); an `N` above
//! the usual total adds the surplus to 2024.

use super::Endpoint;
use super::answer::json_str;
use super::flaky::endpoint_seed;
use crate::model::Level;

/// The least usual total of any endpoint: a township's least (the national inventory's
/// `migrated_min`, so a healthy township passes the data-migration check).
const LEAST_USUAL_TOTAL: u64 = 1_000;
/// The first of the years migrated.
const FIRST_YEAR: u16 = 2015;
/// The years migrated: 2015 to 2024.
const YEARS: usize = 10;
const MIGRATED_FROM: &str = "2015-01-01";
/// Mixed into the hash of the ids in place of a run's seed: the totals never depend on it.
const SALT: u64 = 0x0072_6563_6f72_6473; // "records" in ASCII

/// The usual totals of a level, inclusive.
fn usual_range(level: Level) -> (u64, u64) {
    match level {
        Level::National => (200_000, 259_999),
        Level::Provincial => (20_000, 49_999),
        Level::Prefectural => (4_000, 9_999),
        Level::County => (1_200, 3_999),
        Level::Township => (LEAST_USUAL_TOTAL, 1_199),
    }
}

/// The usual counts of an endpoint per year, oldest first; they add up to its usual total.
fn usual_by_year(level: Level, node: &str, app: &str) -> [u64; YEARS] {
    let h = endpoint_seed(SALT, node, app);
    let (lo, hi) = usual_range(level);
    let total = lo + h % (hi - lo + 1);
    let mut weights = [0u64; YEARS];
    let mut x = h;
    for w in &mut weights {
        x = endpoint_seed(x, node, app);
        *w = 8 + x % 5;
    }
    let sum: u64 = weights.iter().sum();
    let mut counts = weights.map(|w| total * w / sum);
    let spread: u64 = counts.iter().sum();
    counts[YEARS - 1] += total - spread;
    counts
}

/// The counts served per year: the usual ones, or with a `records` fault the years in
/// order until its total is used up, any surplus on the last year.
fn served_by_year(usual: &[u64; YEARS], fault: Option<u64>) -> Vec<(u16, u64)> {
    let years = (FIRST_YEAR..).zip(usual.iter().copied());
    let Some(mut left) = fault else {
        return years.collect();
    };
    let mut out = Vec::with_capacity(YEARS);
    for (year, usual) in years {
        if left == 0 {
            break;
        }
        let n = usual.min(left);
        out.push((year, n));
        left -= n;
    }
    if let Some(last) = out.last_mut() {
        last.1 += left;
    }
    out
}

/// The body of `P/api/records/summary` for this endpoint (the same for every request).
pub(super) fn summary_json(ep: &Endpoint) -> String {
    let usual = usual_by_year(ep.level, &ep.node, &ep.app);
    let years = served_by_year(&usual, ep.behaviour.records);
    let total: u64 = years.iter().map(|(_, n)| n).sum();
    let by_year = years
        .iter()
        .map(|(year, count)| format!("{{\"year\":{year},\"count\":{count}}}"))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{{\"app\":{},\"node\":{},\"records\":{{\"total\":{total},\"migrated_from\":\"{MIGRATED_FROM}\",\"by_year\":[{by_year}]}}}}",
        json_str(&ep.app),
        json_str(&ep.node),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_totals_fall_in_their_level_range_and_add_up() {
        for level in Level::ALL {
            let (lo, hi) = usual_range(level);
            for node in ["national", "sx", "gs-coal", "sx-taiyuan-qingxu", "n0", "n1"] {
                for app in ["dispatch", "hazchem", "coal-enforcement"] {
                    let years = usual_by_year(level, node, app);
                    let total: u64 = years.iter().sum();
                    assert!(
                        (lo..=hi).contains(&total),
                        "{level:?} {node} {app}: {total}"
                    );
                    assert!(total >= LEAST_USUAL_TOTAL);
                    // Each year 8 to 12 parts: from 8/116 to 12/84 of the total, and the
                    // rounding's rest (under 10) on the last year.
                    for n in years {
                        assert!(n >= total / 16 && n <= total / 7 + 10, "{n} of {total}");
                    }
                    assert_eq!(years, usual_by_year(level, node, app), "deterministic");
                }
            }
        }
        // The ranges are ordered by level and do not overlap.
        for w in Level::ALL.windows(2) {
            assert!(usual_range(w[0]).0 > usual_range(w[1]).1, "{w:?}");
        }
        // Different ids, different totals (these happen to differ; most pairs do).
        assert_ne!(
            usual_by_year(Level::Provincial, "sx", "dispatch"),
            usual_by_year(Level::Provincial, "sx", "hazchem")
        );
    }

    #[test]
    fn a_short_migration_lists_the_years_it_reached() {
        let usual = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190];
        let served = |n| served_by_year(&usual, Some(n));
        assert_eq!(served(0), []);
        assert_eq!(served(10), [(2015, 10)]);
        assert_eq!(served(100), [(2015, 100)]);
        assert_eq!(served(250), [(2015, 100), (2016, 110), (2017, 40)]);
        let all: u64 = usual.iter().sum();
        assert_eq!(served(all).len(), 10);
        let more = served(all + 5);
        assert_eq!(more.last(), Some(&(2024, 195)));
        assert_eq!(served_by_year(&usual, None).len(), 10);
        assert_eq!(served_by_year(&usual, None)[0], (2015, 100));
    }

    #[test]
    fn the_summary_is_json_with_the_served_total() {
        let mut ep = Endpoint {
            node: "gs".into(),
            app: "dis\"patch".into(),
            level: Level::Provincial,
            path: "/dispatch".into(),
            behaviour: super::super::Behaviour::default(),
        };
        let v: serde_json::Value = serde_json::from_str(&summary_json(&ep)).unwrap();
        assert_eq!(v["app"], "dis\"patch");
        let total = v["records"]["total"].as_u64().unwrap();
        let by_year = v["records"]["by_year"].as_array().unwrap();
        assert_eq!(by_year.len(), 10);
        assert_eq!(
            by_year
                .iter()
                .map(|y| y["count"].as_u64().unwrap())
                .sum::<u64>(),
            total
        );
        ep.behaviour.records = Some(10);
        let v: serde_json::Value = serde_json::from_str(&summary_json(&ep)).unwrap();
        assert_eq!(v["records"]["total"], 10);
        assert_eq!(
            v["records"]["by_year"],
            serde_json::json!([{"year": 2015, "count": 10}])
        );
        assert_eq!(v["records"]["migrated_from"], "2015-01-01");
    }
}
