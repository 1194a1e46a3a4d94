//! Availability over a period: each result counted as up, down, unknown or in maintenance,
//! summed per province, node, check and app, worst first.
//!
//! Whole days come from the store's daily roll-ups; the days a maintenance window touches
//! come from the raw results (`Sample`s), since only a result's start says whether a window
//! covered it. A result inside a window that covers its node (or an ancestor), check and app
//! is `maintenance`: neither up nor down, so planned work never counts against a link.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Availability, Counts, Period, Row};
use crate::history::{Catalog, DayCounts, ItemKey, Sample, StatusCounts};
use crate::model::beijing::{day_of, day_start};
use crate::model::maintenance::{Maintenance, MaintenanceWindow};
use crate::plan::glob;
use crate::results::{NEEDS_FAILED, NodeIndex, Status};

impl Counts {
    /// Adds another's counts.
    pub fn add(&mut self, o: &Counts) {
        self.up += o.up;
        self.down += o.down;
        self.maintenance += o.maintenance;
        self.unknown += o.unknown;
    }

    /// Every result counted.
    pub fn total(&self) -> u64 {
        self.up + self.down + self.maintenance + self.unknown
    }

    /// A day's roll-up, each of its counts classed as [`Counts::of_result`] classes one
    /// result of that status: the one rule for both.
    pub fn of_day(c: &StatusCounts) -> Counts {
        let mut out = Counts::default();
        for (n, status, kind) in [
            (c.passed, Status::Passed, None),
            (c.failed, Status::Failed, None),
            (c.errored, Status::Errored, None),
            (c.waived, Status::Waived, None),
            (c.skipped_needs, Status::Skipped, Some(NEEDS_FAILED)),
            (c.skipped_other, Status::Skipped, None),
            (c.not_reported, Status::NotReported, None),
        ] {
            let one = Counts::of_result(status, kind);
            let n = u64::from(n);
            out.add(&Counts {
                up: one.up * n,
                down: one.down * n,
                maintenance: 0,
                unknown: one.unknown * n,
            });
        }
        out
    }

    /// One result outside maintenance: passed is up; failed, waived and skipped behind a
    /// failed check are down; errored, otherwise skipped and not reported are unknown.
    pub fn of_result(status: Status, kind: Option<&str>) -> Counts {
        let mut c = Counts::default();
        match status {
            Status::Passed => c.up = 1,
            Status::Failed | Status::Waived => c.down = 1,
            Status::Skipped if kind == Some(NEEDS_FAILED) => c.down = 1,
            Status::Skipped | Status::Errored | Status::NotReported => c.unknown = 1,
        }
        c
    }
}

/// Whether a window overlaps the period at all.
fn touches(w: &MaintenanceWindow, period: Period) -> bool {
    let (from, to) = (
        day_start(period.from),
        day_start(period.to) + TimeDelta::days(1),
    );
    w.from.to_utc() < to && w.to.to_utc() > from && w.from < w.to
}

/// The Beijing days of `period` that a maintenance window touches: the store's samples are
/// asked for these.
pub fn touched_days(period: Period, maintenance: &Maintenance) -> Vec<NaiveDate> {
    let mut days = BTreeSet::new();
    for w in maintenance.windows.iter().filter(|w| touches(w, period)) {
        let first = day_of(w.from.to_utc()).max(period.from);
        // `to` is exclusive: its last instant is just before it.
        let last = day_of(w.to.to_utc() - TimeDelta::nanoseconds(1)).min(period.to);
        let mut d = first;
        while d <= last {
            days.insert(d);
            d = d.succ_opt().expect("a day after");
        }
    }
    days.into_iter().collect()
}

/// Whether `w` covers a result of `key` started at `at`. `path` is the node's ids from the
/// root (`NodeInfo::path`), so listing a node covers its subtree.
pub fn covers(w: &MaintenanceWindow, at: DateTime<Utc>, key: &ItemKey, path: &str) -> bool {
    at >= w.from.to_utc()
        && at < w.to.to_utc()
        && (w.nodes.is_empty()
            || w.nodes
                .iter()
                .any(|n| *n == key.node || path.split('.').any(|p| p == n)))
        && (w.checks.is_empty() || w.checks.iter().any(|g| glob(g, &key.check)))
        && (w.apps.is_empty()
            || key
                .app
                .as_ref()
                .is_some_and(|a| w.apps.iter().any(|x| x == a)))
}

/// Availability over `period` from the roll-ups (`daily`, whose days `maintenance` does not
/// touch) and the raw results of the days it touches (`samples`).
pub fn availability(
    period: Period,
    catalog: &Catalog,
    daily: &[DayCounts],
    samples: &[Sample],
    maintenance: &Maintenance,
) -> Availability {
    let in_period = |d: NaiveDate| d >= period.from && d <= period.to;
    let paths: HashMap<&str, &str> = catalog
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.path.as_str()))
        .collect();
    let windows: Vec<&MaintenanceWindow> = maintenance
        .windows
        .iter()
        .filter(|w| touches(w, period))
        .collect();
    // A day with raw results is counted from them alone: the store sends samples for the
    // days a window touches, and those days' roll-ups would count the same results again.
    let sampled: HashSet<NaiveDate> = samples
        .iter()
        .map(|s| day_of(s.started))
        .filter(|d| in_period(*d))
        .collect();
    let mut per_item: HashMap<&ItemKey, Counts> = HashMap::new();
    for d in daily {
        if in_period(d.day) && !sampled.contains(&d.day) {
            per_item
                .entry(&d.key)
                .or_default()
                .add(&Counts::of_day(&d.counts));
        }
    }
    for s in samples {
        if !in_period(day_of(s.started)) {
            continue;
        }
        let path = paths.get(s.key.node.as_str()).copied().unwrap_or("");
        let c = if windows.iter().any(|w| covers(w, s.started, &s.key, path)) {
            Counts {
                maintenance: 1,
                ..Counts::default()
            }
        } else {
            Counts::of_result(s.status, s.kind.as_deref())
        };
        per_item.entry(&s.key).or_default().add(&c);
    }

    let index = NodeIndex::new(&catalog.nodes);
    let mut overall = Counts::default();
    let mut provinces: BTreeMap<String, Counts> = BTreeMap::new();
    let mut nodes: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut checks: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut apps: BTreeMap<&str, Counts> = BTreeMap::new();
    for (key, c) in &per_item {
        overall.add(c);
        // `NodeIndex`'s rule, the one every report uses; with no catalog at all, each node
        // is its own province rather than lost from the table.
        let province = index
            .province(&key.node)
            .map_or_else(|| key.node.clone(), |n| n.id.clone());
        provinces.entry(province).or_default().add(c);
        nodes.entry(&key.node).or_default().add(c);
        checks.entry(&key.check).or_default().add(c);
        if let Some(a) = &key.app {
            apps.entry(a).or_default().add(c);
        }
    }
    let node_name = |id: &str| index.get(id).map_or(id, |n| n.name.as_str()).to_string();
    let check_names: HashMap<&str, &str> = catalog
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let app_names: HashMap<&str, &str> = catalog
        .apps
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let rows = |m: Vec<(String, Counts)>, name: &dyn Fn(&str) -> String| {
        let mut v: Vec<Row> = m
            .into_iter()
            .map(|(id, counts)| Row {
                name: name(&id),
                id,
                counts,
            })
            .collect();
        v.sort_by(worst_first);
        v
    };
    Availability {
        suite: String::new(),
        suite_name: String::new(),
        period,
        scopes: Vec::new(),
        generated: Utc::now(),
        overall,
        provinces: rows(provinces.into_iter().collect(), &node_name),
        nodes: rows(
            nodes.into_iter().map(|(k, c)| (k.to_string(), c)).collect(),
            &node_name,
        ),
        checks: rows(
            checks
                .into_iter()
                .map(|(k, c)| (k.to_string(), c))
                .collect(),
            &|id| check_names.get(id).copied().unwrap_or(id).to_string(),
        ),
        apps: rows(
            apps.into_iter().map(|(k, c)| (k.to_string(), c)).collect(),
            &|id| app_names.get(id).copied().unwrap_or(id).to_string(),
        ),
        maintenance: Maintenance {
            windows: windows.into_iter().cloned().collect(),
        },
    }
}

/// Lowest availability first; rows without up or down results last; then most down, then id.
fn worst_first(a: &Row, b: &Row) -> Ordering {
    match (a.counts.percent(), b.counts.percent()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then(b.counts.down.cmp(&a.counts.down))
    .then(a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn window(from: &str, to: &str) -> MaintenanceWindow {
        MaintenanceWindow {
            from: DateTime::<FixedOffset>::parse_from_rfc3339(from).unwrap(),
            to: DateTime::<FixedOffset>::parse_from_rfc3339(to).unwrap(),
            nodes: vec![],
            checks: vec![],
            apps: vec![],
            reason: "r".into(),
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn touched_days_are_beijing_days_and_to_is_exclusive() {
        let period = Period {
            from: day(1),
            to: day(30),
        };
        let m = Maintenance {
            windows: vec![
                // 22:00 to 02:00 Beijing: two days.
                window("2026-11-10T22:00:00+08:00", "2026-11-11T02:00:00+08:00"),
                // Ends at midnight Beijing: the 12th only.
                window("2026-11-12T10:00:00+08:00", "2026-11-13T00:00:00+08:00"),
                // 15:00 UTC on the 19th is 23:00 Beijing; to 16:30 UTC = 00:30 on the 21st.
                window("2026-11-19T15:00:00Z", "2026-11-20T16:30:00Z"),
                // Outside the period.
                window("2026-12-05T00:00:00+08:00", "2026-12-06T00:00:00+08:00"),
                // Starting before the period: clipped to it.
                window("2026-10-31T20:00:00+08:00", "2026-11-01T01:00:00+08:00"),
            ],
        };
        assert_eq!(
            touched_days(period, &m),
            [day(1), day(10), day(11), day(12), day(19), day(20), day(21)]
        );
    }

    #[test]
    fn a_window_covers_subtrees_globs_and_apps() {
        let mut w = window("2026-11-10T22:00:00+08:00", "2026-11-11T02:00:00+08:00");
        w.nodes = vec!["sx".into()];
        w.checks = vec!["http.*".into()];
        w.apps = vec!["dispatch".into()];
        let k = |node: &str, check: &str, app: Option<&str>| ItemKey {
            node: node.into(),
            check: check.into(),
            app: app.map(Into::into),
        };
        let inside: DateTime<Utc> = "2026-11-10T15:00:00Z".parse().unwrap();
        let at_to: DateTime<Utc> = "2026-11-10T18:00:00Z".parse().unwrap();
        let path = "national.sx.sx-ty";
        assert!(covers(
            &w,
            inside,
            &k("sx-ty", "http.login", Some("dispatch")),
            path
        ));
        // `to` is exclusive; `from` inclusive.
        assert!(!covers(
            &w,
            at_to,
            &k("sx-ty", "http.login", Some("dispatch")),
            path
        ));
        assert!(covers(
            &w,
            w.from.to_utc(),
            &k("sx-ty", "http.login", Some("dispatch")),
            path
        ));
        assert!(!covers(
            &w,
            inside,
            &k("sx-ty", "net.icmp", Some("dispatch")),
            path
        ));
        assert!(!covers(
            &w,
            inside,
            &k("sx-ty", "http.login", Some("other")),
            path
        ));
        assert!(!covers(&w, inside, &k("sx-ty", "http.login", None), path));
        assert!(!covers(
            &w,
            inside,
            &k("he", "http.login", Some("dispatch")),
            "national.he"
        ));
    }

    #[test]
    fn sampled_days_replace_their_roll_ups_and_the_period_bounds_both() {
        let key = ItemKey {
            node: "n".into(),
            check: "c".into(),
            app: None,
        };
        let counts = |passed, failed| StatusCounts {
            passed,
            failed,
            ..StatusCounts::default()
        };
        let daily = [
            DayCounts {
                day: day(1),
                key: key.clone(),
                counts: counts(3, 1),
            },
            // Sampled below: these counts are left out.
            DayCounts {
                day: day(2),
                key: key.clone(),
                counts: counts(100, 0),
            },
            // Outside the period.
            DayCounts {
                day: day(4),
                key: key.clone(),
                counts: counts(0, 100),
            },
        ];
        let sample = |at: &str, status| Sample {
            started: at.parse().unwrap(),
            key: key.clone(),
            status,
            kind: None,
        };
        let samples = [
            // 2026-11-02 03:00 Beijing: in the window.
            sample("2026-11-01T19:00:00Z", Status::Failed),
            // 2026-11-02 12:00 Beijing: after it.
            sample("2026-11-02T04:00:00Z", Status::Failed),
            // 2026-11-04 01:00 Beijing: outside the period.
            sample("2026-11-03T17:00:00Z", Status::Passed),
        ];
        let m = Maintenance {
            windows: vec![window(
                "2026-11-02T00:00:00+08:00",
                "2026-11-02T06:00:00+08:00",
            )],
        };
        let period = Period {
            from: day(1),
            to: day(3),
        };
        let a = availability(period, &Catalog::default(), &daily, &samples, &m);
        assert_eq!(
            a.overall,
            Counts {
                up: 3,
                down: 2,
                maintenance: 1,
                unknown: 0
            }
        );
        assert_eq!(a.overall.percent(), Some(60.0));
        // Without a catalog, a node is its own province, named by its id.
        assert_eq!(a.provinces[0].id, "n");
        assert_eq!(a.nodes[0].name, "n");
        assert!(a.apps.is_empty());
    }

    #[test]
    fn statuses_count_as_the_design_says() {
        let c = |s, k: Option<&str>| Counts::of_result(s, k);
        assert_eq!(c(Status::Passed, None).up, 1);
        assert_eq!(c(Status::Failed, None).down, 1);
        assert_eq!(c(Status::Waived, None).down, 1);
        assert_eq!(c(Status::Skipped, Some(NEEDS_FAILED)).down, 1);
        assert_eq!(c(Status::Skipped, Some("NotRun")).unknown, 1);
        assert_eq!(c(Status::Errored, None).unknown, 1);
        assert_eq!(c(Status::NotReported, None).unknown, 1);
        let day = StatusCounts {
            passed: 7,
            failed: 1,
            errored: 2,
            waived: 1,
            skipped_needs: 1,
            skipped_other: 3,
            not_reported: 4,
        };
        assert_eq!(
            Counts::of_day(&day),
            Counts {
                up: 7,
                down: 3,
                maintenance: 0,
                unknown: 9
            }
        );
        assert_eq!(Counts::of_day(&day).percent(), Some(70.0));
        assert_eq!(Counts::default().percent(), None);
    }
}
