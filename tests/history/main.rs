//! The `history` test binary: the run history store (`netaccept::history::Store`) on both of
//! its backends, a SQLite file in a temporary folder and a database of a real PostgreSQL
//! server (`support::postgres`: Debian's `postgresql`, started by the tests, or the server
//! `NETACCEPT_TEST_POSTGRES` names). Every test of the store's behaviour runs on both.
//!
//! Not here: what `diff`, flapping and availability make of the history (`trend`, its unit
//! tests), the commands that print it (`tests/cli`, `tests/e2e`).
//! The index of the test binaries is `tests/README.md`.
//!
//! Tools: PostgreSQL (`initdb`, `postgres`, run as the `postgres` user with `setpriv`).
//! Without it the PostgreSQL half of each test says why on stderr and the SQLite half runs,
//! unless `CI` is set, where it fails (`support::host::skip`).

/// Writes that fail halfway, a writer killed mid-run, two writers at once, locks, read-only
/// and missing stores, a newer schema.
mod failures;
/// Runs by filter, prefix and scope; windows, failing-since, series, roll-ups, samples,
/// catalog.
mod queries;
/// Recording runs and reading every field back; the same run imported twice.
mod record;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    pub mod host;
    pub mod postgres;
}

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use netaccept::history::{Access, DayCounts, Location, Recorded, RunRow, Store};
use netaccept::results::{ResultRecord, Results, Status, Summary};

/// One backend's fresh, empty store for one test; whatever holds it (the folder, the
/// database) goes when the value does.
pub struct Backend {
    pub name: &'static str,
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
    _db: Option<support::postgres::Database>,
}

impl Backend {
    pub fn open(&self) -> Store {
        Store::open(&self.location, Access::Write)
            .unwrap_or_else(|e| panic!("{}: open: {e}", self.name))
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.location {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

/// A fresh SQLite store (a file not yet made, in a folder not yet made).
pub fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("temporary folder");
    Backend {
        name: "sqlite",
        location: Location::Sqlite(dir.path().join("reports").join("history.sqlite")),
        _dir: Some(dir),
        _db: None,
    }
}

/// A fresh PostgreSQL database; `None` when there is no server (the skip rule applied).
pub fn postgres() -> Option<Backend> {
    let db = support::postgres::database()?;
    Some(Backend {
        name: "postgres",
        location: Location::parse(&db.conninfo),
        _dir: None,
        _db: Some(db),
    })
}

/// Both backends, each fresh.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![sqlite()];
    all.extend(postgres());
    all
}

/// The fixture record: 94 results of 14 nodes, every status but `not_reported`, a waiver.
pub fn fixture() -> Results {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results/mixed.json");
    netaccept::report::json::read(&p).expect("the fixture is a results record")
}

/// 2026-11-01 02:00 Beijing time.
pub fn first_night() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T02:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// The fixture as run on `night` nights after [`first_night`], its id `<prefix>-<night>`,
/// every result's start moved with it, each result changed by `edit` and the summary
/// counted again.
pub fn night(prefix: &str, night: i64, mut edit: impl FnMut(&mut ResultRecord)) -> Results {
    let mut r = fixture();
    let shift = first_night() + TimeDelta::days(night) - r.run.started;
    r.run.id = format!("{prefix}-{night:03}");
    r.run.started += shift;
    r.run.finished += shift;
    for rec in &mut r.results {
        rec.started += shift;
        edit(rec);
    }
    r.summary = Summary::of(&r.results);
    r
}

/// Sets one item's status in a night (`None`: the item is left out of the run).
pub fn with_status(
    mut r: Results,
    node: &str,
    check: &str,
    app: Option<&str>,
    status: Option<Status>,
) -> Results {
    let at = r
        .results
        .iter()
        .position(|x| x.node == node && x.check == check && x.app.as_deref() == app)
        .expect("the item is in the fixture");
    match status {
        Some(s) => {
            r.results[at].status = s;
            if s != Status::Waived {
                r.results[at].waiver = None;
            }
        }
        None => {
            r.results.remove(at);
        }
    }
    r.summary = Summary::of(&r.results);
    r
}

/// Records a run that is not in the store yet: a run already there fails the test.
pub fn recorded_new(store: &mut Store, r: &Results) -> RunRow {
    match store.record(r).expect("record") {
        Recorded::New(row) => row,
        Recorded::Already(row) => panic!("{} was already there", row.id),
    }
}

/// All results counted in these roll-ups, whatever their status.
pub fn counted(rows: &[DayCounts]) -> u32 {
    rows.iter()
        .map(|d| {
            let c = d.counts;
            c.passed
                + c.failed
                + c.errored
                + c.waived
                + c.skipped_needs
                + c.skipped_other
                + c.not_reported
        })
        .sum()
}
