//! Recording runs: every field of the run, its results and its names read back as given;
//! the same run recorded twice is recorded once.

use netaccept::history::{Recorded, RunFilter, scope_of};
use netaccept::results::Status;

use super::{backends, night, recorded_new};

#[test]
fn every_field_reads_back_as_recorded() {
    for b in backends() {
        let mut store = b.open();
        let r = night("fx", 0, |_| {});
        let row = recorded_new(&mut store, &r);
        let name = b.name;
        assert_eq!(row.id, r.run.id, "{name}");
        assert_eq!(row.suite, r.run.suite);
        assert_eq!(row.suite_name, r.run.suite_name);
        assert_eq!(row.scope, scope_of(&r));
        assert_eq!(row.scope, "vantage:-");
        assert_eq!(row.vantage_id, r.run.vantage_id);
        assert_eq!(row.host, r.run.vantage);
        assert_eq!(row.shard, r.run.shard);
        assert!(!row.merged);
        assert_eq!(row.started, r.run.started, "{name}: nanoseconds kept");
        assert_eq!(row.finished, r.run.finished);
        assert_eq!(row.complete, r.run.complete);
        assert_eq!(row.summary, r.summary);
        assert_eq!(row.inventory_sha256, r.run.inventory_sha256);
        assert_eq!(row.suite_sha256, r.run.suite_sha256);
        assert_eq!(row.netaccept_version, r.run.netaccept_version);

        // Read back by a new connection, not from what `record` returned.
        drop(store);
        let mut store = b.open();
        let runs = store.runs(&RunFilter::default()).unwrap();
        assert_eq!(runs, vec![row.clone()], "{name}");

        let items = store.items(&row).unwrap();
        assert_eq!(items.len(), r.results.len(), "{name}");
        for (got, want) in items.iter().zip(&r.results) {
            assert_eq!(got.key.node, want.node);
            assert_eq!(got.key.check, want.check);
            assert_eq!(got.key.app, want.app);
            assert_eq!(got.status, want.status);
            assert_eq!(
                got.original,
                want.waiver.as_ref().map(|w| w.original_status)
            );
            assert_eq!(got.kind, want.kind);
            assert_eq!(got.severity, want.severity);
            assert_eq!(got.started, want.started);
            assert_eq!(got.duration_ms, want.duration_ms);
            assert_eq!(got.message, want.message);
            assert_eq!(got.measurements, want.measurements, "{name}: {:?}", got.key);
        }
        // What a run makes of its own record in place of reading it back (its report's diff).
        assert_eq!(
            items,
            netaccept::history::items_of(&r),
            "{name}: items_of gives what the store gives back"
        );
        let waived = items.iter().find(|i| i.status == Status::Waived).unwrap();
        assert_eq!(waived.original, Some(Status::Failed));

        let catalog = store.catalog(&r.run.suite).unwrap();
        assert_eq!(
            catalog.nodes.iter().map(|n| &n.id).collect::<Vec<_>>(),
            r.nodes.iter().map(|n| &n.id).collect::<Vec<_>>(),
            "{name}: nodes in the record's order"
        );
        for (got, want) in catalog.nodes.iter().zip(&r.nodes) {
            assert_eq!(
                (
                    &got.name,
                    got.level,
                    got.kind,
                    &got.parent,
                    &got.path,
                    &got.region,
                    &got.host
                ),
                (
                    &want.name,
                    want.level,
                    want.kind,
                    &want.parent,
                    &want.path,
                    &want.region,
                    &want.host
                )
            );
        }
        for (got, want) in catalog.checks.iter().zip(&r.checks) {
            assert_eq!(
                (&got.id, &got.name, got.severity, &got.probe),
                (&want.id, &want.name, want.severity, &want.probe)
            );
        }
        assert_eq!(catalog.checks.len(), r.checks.len());
        assert_eq!(
            catalog
                .apps
                .iter()
                .map(|a| (&a.id, &a.name))
                .collect::<Vec<_>>(),
            r.apps.iter().map(|a| (&a.id, &a.name)).collect::<Vec<_>>()
        );
        assert_eq!(
            store.suites().unwrap(),
            vec![(r.run.suite.clone(), r.run.suite_name.clone())]
        );
    }
}

#[test]
fn a_shard_of_a_vantage_and_a_merge_have_their_scopes() {
    for b in backends() {
        let mut store = b.open();
        let mut shard = night("shard", 0, |_| {});
        shard.run.vantage_id = Some("sx".into());
        shard.run.shard = Some(netaccept::results::Shard { index: 2, count: 3 });
        shard.run.selection = vec!["--node".into(), "sx*".into()];
        let row = recorded_new(&mut store, &shard);
        assert_eq!(
            row.scope, "vantage:sx shard:2/3 select:--node sx*",
            "{}",
            b.name
        );
        assert_eq!(row.shard, shard.run.shard);
        assert_eq!(row.vantage_id.as_deref(), Some("sx"));
        // Read back, not only as `record` returned it: the shard's columns round-trip.
        assert_eq!(store.find_run("shard-000").unwrap(), vec![row.clone()]);

        let mut merged = night("merged", 0, |_| {});
        merged.bundles.push(netaccept::results::BundleInfo {
            name: "sx".into(),
            vantage_id: "sx".into(),
            shard: None,
            host: "probe-sx".into(),
            started: merged.run.started,
            finished: merged.run.finished,
            run_id: "shard-000".into(),
            manifest_sha256: "0".repeat(64),
            signer: None,
        });
        let row = recorded_new(&mut store, &merged);
        assert!(row.merged);
        assert_eq!(row.scope, "merged");
        let again = store.find_run("merged-000").unwrap();
        assert_eq!(again, vec![row]);
    }
}

#[test]
fn the_same_run_twice_is_recorded_once() {
    for b in backends() {
        let mut store = b.open();
        let r = night("twice", 0, |_| {});
        let first = recorded_new(&mut store, &r);
        let day = netaccept::history::day_of(r.run.started);
        let before = store
            .daily(&r.run.suite, std::slice::from_ref(&first.scope), day, day)
            .unwrap();
        match store.record(&r).unwrap() {
            Recorded::Already(row) => assert_eq!(row, first, "{}", b.name),
            Recorded::New(_) => panic!("{}: recorded twice", b.name),
        }
        // And by another connection, as a second `history import` would.
        let mut other = b.open();
        assert!(matches!(other.record(&r).unwrap(), Recorded::Already(_)));
        assert_eq!(store.runs(&RunFilter::default()).unwrap().len(), 1);
        assert_eq!(store.items(&first).unwrap().len(), r.results.len());
        let after = store
            .daily(&r.run.suite, std::slice::from_ref(&first.scope), day, day)
            .unwrap();
        assert_eq!(before, after, "{}: roll-ups not counted twice", b.name);
        let passed: u32 = after.iter().map(|d| d.counts.passed).sum();
        assert_eq!(passed as usize, r.summary.passed);
    }
}
