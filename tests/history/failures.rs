//! What goes wrong: a recording that fails halfway, a writer killed mid-run, two writers
//! at once, a store locked by another writer, read-only, missing, unreachable, or written
//! by a newer netaccept.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netaccept::history::{Access, HistoryError, Location, Recorded, RunFilter, Store};

use super::{Backend, backends, counted, night, postgres, sqlite};

/// Runs statements on the store behind the library's back, as another program could.
fn execute(b: &Backend, sqlite: &str, postgres: &str) {
    match &b.location {
        Location::Sqlite(p) => rusqlite::Connection::open(p)
            .unwrap()
            .execute_batch(sqlite)
            .unwrap(),
        Location::Postgres(conninfo) => ::postgres::Client::connect(conninfo, ::postgres::NoTls)
            .unwrap()
            .batch_execute(postgres)
            .unwrap(),
    }
}

#[test]
fn a_recording_that_fails_halfway_leaves_no_trace() {
    for b in backends() {
        let name = b.name;
        let mut store = b.open();
        let good = night("ok", 0, |_| {});
        store.record(&good).unwrap();
        // An app named `refused` is refused by the store: the last table a run writes, so
        // its row, results, details, roll-ups and node names are written first.
        execute(
            &b,
            "CREATE TRIGGER refuse BEFORE INSERT ON catalog_apps WHEN NEW.name = 'refused' \
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON catalog_apps FOR EACH ROW \
             WHEN (NEW.name = 'refused') EXECUTE FUNCTION refuse();",
        );
        // The same item twice: the run's row, its items and half its results are written
        // before the results' primary key refuses the second one.
        let mut duplicate = night("bad", 1, |_| {});
        let dup = duplicate.results[10].clone();
        duplicate.results.push(dup);
        let mut refused = night("bad", 1, |_| {});
        refused.apps.push(netaccept::results::AppInfo {
            id: "refused".into(),
            name: "refused".into(),
        });
        for mut bad in [duplicate, refused] {
            bad.nodes[1].name = "written by the failed run".into();
            let err = store.record(&bad).unwrap_err();
            assert!(
                matches!(err, HistoryError::Database { .. }),
                "{name}: {err}"
            );
            assert!(store.find_run("bad").unwrap().is_empty(), "{name}");
            assert_eq!(store.runs(&RunFilter::default()).unwrap().len(), 1);
            let c = store.catalog(&good.run.suite).unwrap();
            assert_ne!(c.nodes[1].name, "written by the failed run", "{name}");
            let day = netaccept::history::day_of(bad.run.started);
            assert!(
                store
                    .daily(&bad.run.suite, &["vantage:-".into()], day, day)
                    .unwrap()
                    .is_empty(),
                "{name}: no roll-up of the failed run"
            );
        }
        // The store goes on.
        let next = night("ok", 2, |_| {});
        assert!(matches!(store.record(&next).unwrap(), Recorded::New(_)));
        assert_eq!(store.runs(&RunFilter::default()).unwrap().len(), 2);
    }
}

/// The environment variable that turns [`recorder`] into the child of
/// [`a_writer_killed_mid_run_leaves_whole_runs`]: the store to record into until killed.
const CHILD_STORE: &str = "NETACCEPT_TEST_HISTORY_CHILD";

/// A big run: the fixture's results repeated under 60 copies of each node (5,640 results).
fn big(n: i64) -> netaccept::results::Results {
    let mut r = night("big", n, |_| {});
    let base = r.results.clone();
    r.results.clear();
    for copy in 0..60 {
        for x in &base {
            let mut x = x.clone();
            x.node = format!("{}-{copy}", x.node);
            r.results.push(x);
        }
    }
    r.summary = netaccept::results::Summary::of(&r.results);
    r
}

/// Records big runs one after the other: forever into the store `CHILD_STORE` names (the
/// parent kills it), or, run on its own, three into a fresh store, each new and whole.
#[test]
fn recorder() {
    if let Some(path) = std::env::var_os(CHILD_STORE) {
        let mut store = Store::open(&Location::Sqlite(path.into()), Access::Write).unwrap();
        for n in 0.. {
            store.record(&big(n)).unwrap();
        }
    }
    let b = sqlite();
    let mut store = b.open();
    for n in 0..3 {
        let r = big(n);
        let Recorded::New(row) = store.record(&r).unwrap() else {
            panic!("already there")
        };
        assert_eq!(store.items(&row).unwrap().len(), r.results.len());
    }
}

#[test]
fn a_writer_killed_mid_run_leaves_whole_runs() {
    let b = sqlite();
    let path = b.sqlite_path().unwrap().to_path_buf();
    drop(b.open());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "failures::recorder", "--nocapture"])
        .env(CHILD_STORE, &path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it writes: after its first runs are in, at a moment unrelated to its
    // transactions.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut s = Store::open(&Location::Sqlite(path.clone()), Access::Read).unwrap();
        if s.runs(&RunFilter::default()).unwrap().len() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the child records nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(137));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    drop(conn);
    let mut store = b.open();
    let runs = store.runs(&RunFilter::default()).unwrap();
    assert!(runs.len() >= 2);
    for run in &runs {
        assert_eq!(store.items(run).unwrap().len(), 5640, "{} is whole", run.id);
        assert_eq!(run.summary.total(), 5640);
    }
    // Roll-ups hold exactly the runs present.
    let day0 = netaccept::history::day_of(runs.last().unwrap().started);
    let day1 = netaccept::history::day_of(runs[0].started);
    let daily = store
        .daily(&runs[0].suite, &["vantage:-".into()], day0, day1)
        .unwrap();
    assert_eq!(counted(&daily) as usize, runs.len() * 5640);
    // And it records on.
    let next = big(runs.len() as i64 + 100);
    assert!(matches!(store.record(&next).unwrap(), Recorded::New(_)));
}

#[test]
fn two_writers_at_once_on_one_postgres() {
    let Some(b) = postgres() else { return };
    let location = b.location.clone();
    // Both open (and so migrate) a fresh database at once, then record runs of the same
    // suite in turn.
    let writers: Vec<_> = ["east", "west"]
        .into_iter()
        .map(|who| {
            let location = location.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&location, Access::Write).expect("open");
                for n in 0..4 {
                    let mut r = big(n);
                    r.run.id = format!("{who}-{n}");
                    r.run.vantage_id = Some(who.into());
                    let got = store.record(&r).expect("record");
                    assert!(matches!(got, Recorded::New(_)));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer failed");
    }
    let mut store = b.open();
    let runs = store.runs(&RunFilter::default()).unwrap();
    assert_eq!(runs.len(), 8);
    for run in &runs {
        assert_eq!(store.items(run).unwrap().len(), 5640, "{}", run.id);
    }
}

#[test]
fn a_sqlite_store_locked_past_the_busy_timeout_is_locked() {
    let b = sqlite();
    drop(b.open());
    let path = b.sqlite_path().unwrap();
    let other = rusqlite::Connection::open(path).unwrap();
    other
        .execute_batch("BEGIN IMMEDIATE; DELETE FROM catalog_apps")
        .unwrap();
    let mut store = b.open();
    let started = Instant::now();
    let err = store.record(&night("l", 0, |_| {})).unwrap_err();
    assert!(matches!(err, HistoryError::Locked { .. }), "{err}");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited for the lock"
    );
    assert!(err.to_string().contains(&path.display().to_string()));
    other.execute_batch("ROLLBACK").unwrap();
    // Readers are not blocked by a writer (WAL), and the lock gone, the write goes through.
    assert!(store.runs(&RunFilter::default()).unwrap().is_empty());
    assert!(matches!(
        store.record(&night("l", 0, |_| {})).unwrap(),
        Recorded::New(_)
    ));
}

#[test]
fn a_read_only_sqlite_file_is_not_opened_for_writing() {
    use std::os::unix::fs::PermissionsExt;
    let b = sqlite();
    let mut store = b.open();
    store.record(&night("ro", 0, |_| {})).unwrap();
    drop(store);
    let path = b.sqlite_path().unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let err = Store::open(&b.location, Access::Write)
        .err()
        .expect("refused");
    assert!(matches!(err, HistoryError::Open { .. }), "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    // Reading it is fine.
    let mut store = Store::open(&b.location, Access::Read).unwrap();
    assert_eq!(store.runs(&RunFilter::default()).unwrap().len(), 1);
}

#[test]
fn reading_a_missing_store_creates_nothing() {
    let b = sqlite();
    let path = b.sqlite_path().unwrap();
    let err = Store::open(&b.location, Access::Read)
        .err()
        .expect("refused");
    assert!(matches!(err, HistoryError::Open { .. }), "{err}");
    assert!(!path.exists());
    assert!(!path.parent().unwrap().exists(), "not even its folder");
    // A file that is not a store is not one either.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        path,
        "not a database, just text that is long enough to be read",
    )
    .unwrap();
    for access in [Access::Read, Access::Write] {
        let err = Store::open(&b.location, access).err().expect("refused");
        assert!(matches!(err, HistoryError::Open { .. }), "{err}");
    }
    if let Some(pg) = postgres() {
        // An empty database is not a store to read.
        let err = Store::open(&pg.location, Access::Read)
            .err()
            .expect("refused");
        assert!(matches!(err, HistoryError::Open { .. }), "{err}");
    }
}

#[test]
fn an_unreachable_postgres_is_an_open_error_without_its_password() {
    // Nothing listens on port 1 of the loopback.
    for given in [
        "host=127.0.0.1 port=1 user=na password=s3cret dbname=h connect_timeout=5",
        "postgres://na:s3cret@127.0.0.1:1/h",
    ] {
        let l = Location::parse(given);
        let err = Store::open(&l, Access::Write).err().expect("refused");
        assert!(matches!(err, HistoryError::Open { .. }), "{err}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("127.0.0.1"), "{shown}");
    }
}

#[test]
fn a_store_of_a_newer_netaccept_is_refused() {
    for b in backends() {
        drop(b.open());
        match &b.location {
            Location::Sqlite(p) => {
                let c = rusqlite::Connection::open(p).unwrap();
                c.execute_batch("UPDATE schema_version SET version = 99")
                    .unwrap();
            }
            Location::Postgres(conninfo) => {
                let mut c = ::postgres::Client::connect(conninfo, ::postgres::NoTls).unwrap();
                c.batch_execute("UPDATE schema_version SET version = 99")
                    .unwrap();
            }
        }
        for access in [Access::Read, Access::Write] {
            match Store::open(&b.location, access) {
                Err(HistoryError::TooNew {
                    found, supported, ..
                }) => {
                    assert_eq!(found, 99, "{}", b.name);
                    assert_eq!(supported, netaccept::history::SCHEMA_VERSION);
                }
                Err(e) => panic!("{}: {e}", b.name),
                Ok(_) => panic!("{}: opened", b.name),
            }
        }
    }
}
