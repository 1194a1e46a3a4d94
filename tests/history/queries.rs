//! The reads: runs by filter, by id prefix and by scope; windows of statuses; when a
//! failure began; one node's series; the daily roll-ups and the samples of a day; the
//! catalog's latest names.

use chrono::{NaiveDate, TimeDelta};
use netaccept::history::{ItemKey, RunFilter, SeriesFilter, day_of};
use netaccept::results::{Results, Status};

use super::{backends, counted, first_night, night, recorded_new as record, with_status};

fn key(node: &str, check: &str, app: Option<&str>) -> ItemKey {
    ItemKey {
        node: node.into(),
        check: check.into(),
        app: app.map(Into::into),
    }
}

/// The fixture's run from vantage `v` (`None`: no vantage).
fn from_vantage(prefix: &str, n: i64, v: Option<&str>) -> Results {
    let mut r = night(prefix, n, |_| {});
    r.run.vantage_id = v.map(Into::into);
    r
}

#[test]
fn runs_by_filter_prefix_and_scope() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let a0 = record(&mut store, &from_vantage("a", 0, Some("sx")));
        let b0 = record(&mut store, &from_vantage("b", 0, Some("nm")));
        let a1 = record(&mut store, &from_vantage("a", 1, Some("sx")));
        let mut other = from_vantage("other", 2, Some("sx"));
        other.run.suite = "phase2".into();
        other.run.suite_name = "二期".into();
        let o2 = record(&mut store, &other);
        let mut small = with_status(
            from_vantage("a", 2, Some("sx")),
            "sx",
            "net.icmp",
            None,
            None,
        );
        small.results.retain(|r| r.node != "sx-changzhi");
        let a2 = record(&mut store, &small);

        let all = store.runs(&RunFilter::default()).unwrap();
        let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["a-002", "other-002", "a-001", "b-000", "a-000"],
            "{name}: newest first"
        );

        let f = |suite: Option<&str>, vantage: Option<&str>, node: Option<&str>| RunFilter {
            suite: suite.map(Into::into),
            vantage: vantage.map(Into::into),
            node: node.map(Into::into),
            ..RunFilter::default()
        };
        let got = store
            .runs(&f(Some("phase1-acceptance"), Some("sx"), None))
            .unwrap();
        assert_eq!(got, vec![a2.clone(), a1.clone(), a0.clone()], "{name}");
        let got = store.runs(&f(None, None, Some("sx-changzhi"))).unwrap();
        assert_eq!(
            got,
            vec![o2.clone(), a1.clone(), b0.clone(), a0.clone()],
            "{name}: runs holding the node"
        );
        let got = store
            .runs(&RunFilter {
                limit: Some(2),
                ..RunFilter::default()
            })
            .unwrap();
        assert_eq!(got, vec![a2.clone(), o2.clone()]);
        let got = store
            .runs(&RunFilter {
                from: Some(first_night() + TimeDelta::hours(12)),
                to: Some(first_night() + TimeDelta::days(2)),
                ..RunFilter::default()
            })
            .unwrap();
        assert_eq!(
            got,
            vec![a1.clone()],
            "{name}: from inclusive, to exclusive"
        );
        let got = store
            .runs(&RunFilter {
                scope: Some("vantage:nm".into()),
                ..RunFilter::default()
            })
            .unwrap();
        assert_eq!(got, vec![b0.clone()]);

        assert_eq!(
            store.find_run("a-00").unwrap(),
            vec![a2.clone(), a1.clone(), a0.clone()]
        );
        assert_eq!(store.find_run("b-000").unwrap(), vec![b0.clone()]);
        assert!(store.find_run("zzz").unwrap().is_empty());

        assert_eq!(
            store.previous(&a2).unwrap(),
            Some(a1.clone()),
            "{name}: same scope only"
        );
        assert_eq!(store.previous(&a1).unwrap(), Some(a0.clone()));
        assert_eq!(store.previous(&a0).unwrap(), None);
        assert_eq!(store.previous(&o2).unwrap(), None, "{name}: another suite");
        assert_eq!(store.previous(&b0).unwrap(), None);

        let mut suites = store.suites().unwrap();
        suites.sort();
        assert_eq!(suites.len(), 2);
        assert_eq!(suites[1], ("phase2".into(), "二期".into()));

        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let scopes = store.scopes("phase1-acceptance", day(1), day(2)).unwrap();
        assert_eq!(
            scopes,
            vec![("vantage:nm".into(), 1), ("vantage:sx".into(), 2)],
            "{name}: days inclusive"
        );
    }
}

#[test]
fn window_has_none_where_a_run_lacks_the_item() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let icmp = ("sx", "net.icmp", None);
        let plan = [
            Some(Status::Passed),
            Some(Status::Failed),
            None,
            Some(Status::Errored),
            Some(Status::Passed),
        ];
        let mut rows = Vec::new();
        for (n, s) in plan.iter().enumerate() {
            let r = with_status(night("w", n as i64, |_| {}), icmp.0, icmp.1, icmp.2, *s);
            rows.push(record(&mut store, &r));
        }
        // Another scope's run in between is not part of the window.
        record(&mut store, &from_vantage("x", 3, Some("nm")));

        let w = store.window(&rows[4], 4).unwrap();
        assert_eq!(
            w.runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["w-001", "w-002", "w-003", "w-004"],
            "{name}"
        );
        assert_eq!(
            w.states[&key("sx", "net.icmp", None)],
            vec![
                Some(Status::Failed),
                None,
                Some(Status::Errored),
                Some(Status::Passed)
            ],
            "{name}"
        );
        assert_eq!(
            w.states[&key("sx", "net.dns", None)],
            vec![Some(Status::Failed); 4]
        );
        assert_eq!(w.states.len(), 94);

        let w = store.window(&rows[1], 41).unwrap();
        assert_eq!(
            w.runs,
            rows[..2].to_vec(),
            "{name}: ends at the run asked for"
        );
        assert_eq!(
            w.states[&key("sx", "net.icmp", None)],
            vec![Some(Status::Passed), Some(Status::Failed)]
        );
    }
}

#[test]
fn failing_since_follows_each_streak() {
    use Status::{Errored as E, Failed as F, Passed as P, Skipped as S, Waived as W};
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        // Per night, three items: icmp (a streak through a skip and a missing run), tcp
        // (recovers, then fails again), dispatch health (a problem all along, waived once).
        let icmp: [Option<Status>; 6] = [Some(P), Some(F), Some(S), None, Some(E), Some(F)];
        let tcp = [P, F, F, P, P, F];
        let app = [F, F, W, F, E, F];
        let mut rows = Vec::new();
        for n in 0..6 {
            let mut r = night("s", n as i64, |_| {});
            r = with_status(r, "sx", "net.icmp", None, icmp[n]);
            r = with_status(r, "sx", "net.tcp", None, Some(tcp[n]));
            r = with_status(r, "sx", "app.health", Some("dispatch"), Some(app[n]));
            rows.push(record(&mut store, &r));
        }
        let keys = [
            key("sx", "net.icmp", None),
            key("sx", "net.tcp", None),
            key("sx", "app.health", Some("dispatch")),
            key("sx", "app.login-page", Some("dispatch")),
            key("nowhere", "net.icmp", None),
        ];
        let since = store.failing_since(&rows[5], &keys).unwrap();
        assert_eq!(
            since.len(),
            3,
            "{name}: passed and unknown items are left out"
        );
        assert_eq!(
            since[&keys[0]], rows[1].started,
            "{name}: skipped and missing pass over"
        );
        assert_eq!(since[&keys[1]], rows[5].started, "{name}: a new failure");
        assert_eq!(
            since[&keys[2]], rows[0].started,
            "{name}: waived still a problem"
        );
        let since = store.failing_since(&rows[2], &keys).unwrap();
        assert_eq!(since[&keys[1]], rows[1].started);
        assert!(!since.contains_key(&keys[0]), "{name}: skipped in that run");
    }
}

#[test]
fn an_older_run_imported_late_changes_the_streaks_after_it() {
    use Status::{Failed as F, Passed as P};
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let tcp = [F, F, P, F, F];
        let make = |n: usize| {
            with_status(
                night("late", n as i64, |_| {}),
                "sx",
                "net.tcp",
                None,
                Some(tcp[n]),
            )
        };
        let mut rows = vec![None; 5];
        for n in [0, 1, 3, 4] {
            rows[n] = Some(record(&mut store, &make(n)));
        }
        let k = key("sx", "net.tcp", None);
        let last = rows[4].clone().unwrap();
        let first = rows[0].clone().unwrap();
        assert_eq!(
            store
                .failing_since(&last, std::slice::from_ref(&k))
                .unwrap()[&k],
            first.started,
            "{name}: without night 2 the streak is unbroken"
        );
        let third = record(&mut store, &make(2));
        assert_eq!(
            store
                .failing_since(&last, std::slice::from_ref(&k))
                .unwrap()[&k],
            rows[3].clone().unwrap().started,
            "{name}: night 2 passed: the streak began on night 3"
        );
        assert_eq!(
            store.previous(&rows[3].clone().unwrap()).unwrap(),
            Some(third)
        );
    }
}

#[test]
fn series_of_one_node_by_check_app_and_period() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let mut rows = Vec::new();
        for n in 0..4 {
            let r = night("ser", n, |rec| {
                if rec.node == "sx" && rec.check == "net.icmp" {
                    rec.measurements
                        .insert("rtt_avg_ms".into(), serde_json::json!(10.0 + n as f64));
                }
            });
            rows.push(record(&mut store, &r));
        }
        let mut other = from_vantage("nm", 1, Some("nm"));
        other.run.id = "nm-001".into();
        record(&mut store, &other);

        let all = store
            .series(&SeriesFilter {
                node: "sx".into(),
                ..SeriesFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 15 * 5, "{name}: 15 items of sx in 5 runs");
        let icmp = store
            .series(&SeriesFilter {
                node: "sx".into(),
                check: Some("net.icmp".into()),
                scopes: Some(vec!["vantage:-".into()]),
                ..SeriesFilter::default()
            })
            .unwrap();
        assert_eq!(
            icmp.iter().map(|p| p.run.as_str()).collect::<Vec<_>>(),
            ["ser-000", "ser-001", "ser-002", "ser-003"],
            "{name}: oldest first"
        );
        assert_eq!(
            icmp.iter()
                .map(|p| p.item.measurements["rtt_avg_ms"].as_f64().unwrap())
                .collect::<Vec<_>>(),
            [10.0, 11.0, 12.0, 13.0]
        );
        assert!(icmp.iter().all(|p| p.scope == "vantage:-"));
        let apps = store
            .series(&SeriesFilter {
                node: "sx".into(),
                check: Some("app.*".into()),
                app: Some("dispatch".into()),
                suite: Some("phase1-acceptance".into()),
                from: Some(rows[1].started),
                to: Some(rows[3].started),
                ..SeriesFilter::default()
            })
            .unwrap();
        // Two runs from vantage "-" and one from "nm" in [night 1, night 3).
        assert_eq!(apps.len(), 3 * 3, "{name}: 3 app checks × 3 runs");
        assert!(
            apps.iter()
                .all(|p| p.item.key.app.as_deref() == Some("dispatch"))
        );
        let order: Vec<&str> = apps[..3]
            .iter()
            .map(|p| p.item.key.check.as_str())
            .collect();
        assert_eq!(
            order,
            ["app.health", "app.login-page", "app.cert"],
            "{name}: plan order"
        );
    }
}

#[test]
fn daily_counts_and_samples_by_beijing_day() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        // Two runs on 1 November (Beijing) and one that starts on 2 November at 23:59:59.9
        // and crosses midnight: its later results count on 3 November.
        let r0 = night("d", 0, |_| {});
        let mut r1 = night("d", 0, |_| {});
        r1.run.id = "d-000b".into();
        let shift = TimeDelta::hours(12);
        r1.run.started += shift;
        r1.run.finished += shift;
        for x in &mut r1.results {
            x.started += shift;
        }
        let mut r2 = night("d", 1, |_| {});
        let to_midnight = first_night() + TimeDelta::days(2)
            - TimeDelta::hours(2)
            - TimeDelta::milliseconds(100)
            - r2.run.started;
        r2.run.started += to_midnight;
        r2.run.finished += to_midnight;
        for x in &mut r2.results {
            x.started += to_midnight;
        }
        for r in [&r0, &r1, &r2] {
            record(&mut store, r);
        }
        let scope = vec!["vantage:-".to_string()];
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let suite = r0.run.suite.as_str();

        let nov1 = store.daily(suite, &scope, day(1), day(1)).unwrap();
        assert_eq!(nov1.len(), 94, "{name}");
        assert!(nov1.iter().all(|d| d.day == day(1)));
        let dns = nov1
            .iter()
            .find(|d| d.key == key("sx", "net.dns", None))
            .unwrap();
        assert_eq!(dns.counts.failed, 2, "{name}: two runs that day");
        assert_eq!(counted(&nov1), 188);
        let passed: u32 = nov1.iter().map(|d| d.counts.passed).sum();
        assert_eq!(passed as usize, 2 * r0.summary.passed);
        let waived: u32 = nov1.iter().map(|d| d.counts.waived).sum();
        assert_eq!(waived as usize, 2 * r0.summary.waived);
        let skipped: u32 = nov1
            .iter()
            .map(|d| d.counts.skipped_needs + d.counts.skipped_other)
            .sum();
        assert_eq!(skipped as usize, 2 * r0.summary.skipped);
        let needs = r0
            .results
            .iter()
            .filter(|x| x.kind.as_deref() == Some(netaccept::results::NEEDS_FAILED))
            .count();
        let skipped_needs: u32 = nov1.iter().map(|d| d.counts.skipped_needs).sum();
        assert_eq!(
            skipped_needs as usize,
            2 * needs,
            "{name}: NeedsFailed apart"
        );

        let split = store.daily(suite, &scope, day(2), day(3)).unwrap();
        let on = |d| split.iter().filter(|x| x.day == d).count();
        let before_midnight = r2
            .results
            .iter()
            .filter(|x| day_of(x.started) == day(2))
            .count();
        assert!(
            before_midnight > 0 && before_midnight < 94,
            "the fixture spans midnight"
        );
        assert_eq!(on(day(2)), before_midnight, "{name}");
        assert_eq!(on(day(3)), 94 - before_midnight);
        assert_eq!(counted(&split), 94);
        let days: Vec<NaiveDate> = split.iter().map(|d| d.day).collect();
        assert!(days.is_sorted(), "{name}: by day");
        let on_day2: Vec<&ItemKey> = split
            .iter()
            .filter(|d| d.day == day(2))
            .map(|d| &d.key)
            .collect();
        assert!(on_day2.is_sorted(), "{name}: then by item");

        assert!(
            store
                .daily(suite, &["merged".into()], day(1), day(3))
                .unwrap()
                .is_empty()
        );

        let samples = store.samples(suite, &scope, &[day(3)]).unwrap();
        assert_eq!(samples.len(), 94 - before_midnight, "{name}");
        assert!(samples.iter().all(|s| day_of(s.started) == day(3)));
        assert!(samples.windows(2).all(|w| w[0].started <= w[1].started));
        let want: Vec<_> = r2
            .results
            .iter()
            .filter(|x| day_of(x.started) == day(3))
            .map(|x| {
                (
                    x.started,
                    x.node.clone(),
                    x.check.clone(),
                    x.status,
                    x.kind.clone(),
                )
            })
            .collect();
        for w in &want {
            assert!(
                samples.iter().any(|s| (
                    s.started,
                    s.key.node.clone(),
                    s.key.check.clone(),
                    s.status,
                    s.kind.clone()
                ) == *w),
                "{name}: {w:?}"
            );
        }
        let both = store.samples(suite, &scope, &[day(1)]).unwrap();
        assert_eq!(both.len(), 188);
    }
}

#[test]
fn the_catalog_keeps_the_latest_names() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let mut newer = night("cat", 5, |_| {});
        newer.nodes[1].name = "山西省应急管理厅（新）".into();
        newer.checks[0].name = "renamed".into();
        record(&mut store, &newer);
        let mut older = night("cat", 1, |_| {});
        older.nodes[1].name = "old name".into();
        older.apps.push(netaccept::results::AppInfo {
            id: "retired".into(),
            name: "退役系统".into(),
        });
        record(&mut store, &older);
        let c = store.catalog(&newer.run.suite).unwrap();
        assert_eq!(
            c.nodes[1].name, "山西省应急管理厅（新）",
            "{name}: latest run wins"
        );
        assert_eq!(c.checks[0].name, "renamed");
        assert!(
            c.apps.iter().any(|a| a.id == "retired"),
            "{name}: what only an older run names is kept"
        );
        assert!(store.catalog("no-such-suite").unwrap().nodes.is_empty());
    }
}
