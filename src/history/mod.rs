//! The run history: every run's (and merge's) record kept in a database, so that nightly
//! runs can be compared (`diff`), listed (`history list`), followed per link (`history
//! show`) and summed over a period (`availability`). SQLite (embedded, one file, WAL) by
//! default, PostgreSQL when several probe hosts or the national centre share one history.
//!
//! The files stay the record of evidence: `history import` rebuilds a store from
//! `results.json` files and bundles. One schema with versioned migrations for both backends;
//! each run is recorded in one transaction, so a store never holds half a run.
//!
//! This module does I/O (files, sockets to PostgreSQL); the analysis of what it returns is
//! `trend` (pure).

mod codec;
mod conn;
mod query;
mod record;
mod schema;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::Severity;
use crate::outcome::Measurements;
use crate::results::{AppInfo, CheckInfo, NodeInfo, Results, Shard, Status, Summary};

/// Where the history is kept: `--history PATH`, `--history postgres://…`, or
/// `NETACCEPT_HISTORY`; [`DEFAULT_PATH`] without either.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A libpq connection string or URL (`postgres://` or `postgresql://`). It may hold a
    /// password: `Display` and `Debug` never show it.
    Postgres(String),
}

/// The default store: `reports/history.sqlite`, beside the runs' default output folders.
pub const DEFAULT_PATH: &str = "reports/history.sqlite";

/// The days of roll-ups and of `availability --from/--to` are Beijing dates (UTC+08:00, no
/// daylight saving time), as every report's: [`crate::model::beijing`].
pub use crate::model::beijing::{day_of, day_start};

/// One check of one node (and app): what results are compared by across runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub node: String,
    pub check: String,
    pub app: Option<String>,
}

/// A recorded run, as `history list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// The store's own key of the run (a row id): stable within one store only.
    pub key: i64,
    /// The run's id (`RunInfo::id`), unique in a store.
    pub id: String,
    pub suite: String,
    pub suite_name: String,
    /// What runs are compared within: [`scope_of`].
    pub scope: String,
    pub vantage_id: Option<String>,
    /// The probing machine's host name (`RunInfo::vantage`).
    pub host: String,
    pub shard: Option<Shard>,
    /// A record made by `merge`.
    pub merged: bool,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub complete: bool,
    pub summary: Summary,
    pub inventory_sha256: String,
    pub suite_sha256: String,
    pub netaccept_version: String,
}

/// One result of a recorded run.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub key: ItemKey,
    pub status: Status,
    /// For a `waived` result, what the check found (`failed` or `errored`).
    pub original: Option<Status>,
    pub kind: Option<String>,
    pub severity: Severity,
    pub started: DateTime<Utc>,
    pub duration_ms: f64,
    pub message: String,
    pub measurements: Measurements,
}

/// Filters of `history list`; every one given must hold. Runs come newest first.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub suite: Option<String>,
    /// Runs of this vantage (`vantage_id`).
    pub vantage: Option<String>,
    /// Runs holding a result of this node.
    pub node: Option<String>,
    pub scope: Option<String>,
    /// Started at or after.
    pub from: Option<DateTime<Utc>>,
    /// Started before.
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<usize>,
}

/// The statuses of the last runs of one suite and scope, for flapping and the report's
/// strips.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Oldest first; the last one is the run the window was asked up to.
    pub runs: Vec<RunRow>,
    /// Per item, one entry per run of `runs` (same order): its status there, `None` where
    /// that run has no result for it. Items of any run of the window.
    pub states: HashMap<ItemKey, Vec<Option<Status>>>,
}

/// `history show`: one node's (one link's) results over a period.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    pub node: String,
    pub suite: Option<String>,
    /// Only runs of these scopes; all when `None`.
    pub scopes: Option<Vec<String>>,
    /// A glob on check ids (`plan::glob`).
    pub check: Option<String>,
    pub app: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One point of a series: a run and the node's result there.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub run: String,
    pub scope: String,
    pub item: ItemRow,
}

/// How many results of each status an item had on one Beijing day (the daily roll-up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub passed: u32,
    pub failed: u32,
    pub errored: u32,
    pub waived: u32,
    /// Skipped because a check it needs did not pass (`NeedsFailed`).
    pub skipped_needs: u32,
    /// Skipped for any other reason (`NotRun`, …).
    pub skipped_other: u32,
    pub not_reported: u32,
}

/// An item's counts on one day, over the runs of the scopes asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCounts {
    pub day: NaiveDate,
    pub key: ItemKey,
    pub counts: StatusCounts,
}

/// One result as availability reads it on a day a maintenance window touches.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub started: DateTime<Utc>,
    pub key: ItemKey,
    pub status: Status,
    pub kind: Option<String>,
}

/// The latest names and tree the store knows for a suite (from the most recent run that
/// mentions each node, check and app).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub nodes: Vec<NodeInfo>,
    pub checks: Vec<CheckInfo>,
    pub apps: Vec<AppInfo>,
}

/// What `record` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    New(RunRow),
    /// A run with this id was already in the store (an import of the same file twice):
    /// nothing was written.
    Already(RunRow),
}

/// What goes wrong with a store. Never a check's result: the run's reports are written
/// whatever this is.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Cannot be opened or reached: a missing folder, a read-only file, a refused
    /// connection, bad credentials.
    #[error("history store {location}: cannot open: {why}")]
    Open { location: String, why: String },
    /// Another writer holds it longer than the busy timeout.
    #[error("history store {location}: locked by another writer: {why}")]
    Locked { location: String, why: String },
    /// Written by a newer netaccept (schema version above ours).
    #[error(
        "history store {location}: schema version {found} is newer than this netaccept's ({supported})"
    )]
    TooNew {
        location: String,
        found: i64,
        supported: i64,
    },
    /// Any other failure of a statement; the transaction was rolled back.
    #[error("history store {location}: {why}")]
    Database { location: String, why: String },
}

/// The scope runs are compared within: `merged` for a merge's record; otherwise
/// `vantage:<id>` (`vantage:-` for records without one), then ` shard:<k>/<n>` and
/// ` select:<flags>` when present. Two runs are comparable when suite and scope are equal.
pub fn scope_of(results: &Results) -> String {
    if !results.bundles.is_empty() {
        return "merged".into();
    }
    let mut s = format!(
        "vantage:{}",
        results.run.vantage_id.as_deref().unwrap_or("-")
    );
    if let Some(shard) = results.run.shard {
        s.push_str(&format!(" shard:{}/{}", shard.index, shard.count));
    }
    if !results.run.selection.is_empty() {
        s.push_str(" select:");
        s.push_str(&results.run.selection.join(" "));
    }
    s
}

/// A record's results as [`Store::items`] gives them back once recorded, made from the
/// record itself: for the run just recorded, whose rows need not be read back.
pub fn items_of(results: &Results) -> Vec<ItemRow> {
    results
        .results
        .iter()
        .map(|r| ItemRow {
            key: ItemKey {
                node: r.node.clone(),
                check: r.check.clone(),
                app: r.app.clone(),
            },
            status: r.status,
            original: r.waiver.as_ref().map(|w| w.original_status),
            kind: r.kind.clone(),
            severity: r.severity,
            started: r.started,
            duration_ms: r.duration_ms,
            message: r.message.clone(),
            measurements: r.measurements.clone(),
        })
        .collect()
}

/// The vantage of a scope [`scope_of`] made (`vantage:sx shard:1/2` → `sx`); `None` for
/// `merged`. The one reader of the scope's text, beside its one writer.
pub fn scope_vantage(scope: &str) -> Option<&str> {
    scope
        .strip_prefix("vantage:")
        .map(|rest| rest.split(' ').next().unwrap_or(""))
}

/// Whether a status is a problem for `diff`, flapping and "failing since": failed, errored
/// or waived (a waived failure still failed).
pub fn is_problem(status: Status) -> bool {
    matches!(status, Status::Failed | Status::Errored | Status::Waived)
}

/// An open history store (either backend). Every method is one round of statements; `record`
/// is one transaction. PostgreSQL's client is blocking: a store is opened and used outside
/// any tokio runtime (the engine records after the run's runtime is gone).
pub struct Store {
    conn: conn::Conn,
    /// The location as shown (no password).
    location: String,
}

/// Whether `open` may create and migrate the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Created if missing, migrated to the current schema (`run`, `merge`, `history import`).
    Write,
    /// Must exist; never changed (`diff`, `history list|show`, `availability`).
    Read,
}

/// The schema version this netaccept writes (FORMAT.md, "History store").
pub const SCHEMA_VERSION: i64 = schema::VERSION;

fn error(location: &str, fail: conn::Fail) -> HistoryError {
    let location = location.to_string();
    match fail {
        conn::Fail::Open(why) => HistoryError::Open { location, why },
        conn::Fail::Locked(why) => HistoryError::Locked { location, why },
        conn::Fail::Db(why) => HistoryError::Database { location, why },
    }
}

impl Store {
    /// Opens the store: for [`Access::Write`], a SQLite file is created (with its folder)
    /// when missing and either backend is migrated to [`SCHEMA_VERSION`]; for
    /// [`Access::Read`] nothing is created or changed.
    pub fn open(location: &Location, access: Access) -> Result<Store, HistoryError> {
        Ok(Store {
            conn: schema::open(location, access)?,
            location: location.to_string(),
        })
    }

    fn map<T>(&self, r: Result<T, conn::Fail>) -> Result<T, HistoryError> {
        r.map_err(|f| error(&self.location, f))
    }

    /// Records a run (every result, the catalog, the daily roll-ups) in one transaction.
    pub fn record(&mut self, results: &Results) -> Result<Recorded, HistoryError> {
        let r = record::record(&mut self.conn, results);
        self.map(r)
    }

    /// Runs, newest first.
    pub fn runs(&mut self, filter: &RunFilter) -> Result<Vec<RunRow>, HistoryError> {
        let r = query::runs(&mut self.conn, filter);
        self.map(r)
    }

    /// The runs whose id is `id` or starts with it, newest first.
    pub fn find_run(&mut self, id: &str) -> Result<Vec<RunRow>, HistoryError> {
        let r = query::find_run(&mut self.conn, id);
        self.map(r)
    }

    /// The latest run of the same suite and scope started before `run`.
    pub fn previous(&mut self, run: &RunRow) -> Result<Option<RunRow>, HistoryError> {
        let r = query::previous(&mut self.conn, run);
        self.map(r)
    }

    /// A run's results, in the order they were recorded (plan order).
    pub fn items(&mut self, run: &RunRow) -> Result<Vec<ItemRow>, HistoryError> {
        let r = query::items(&mut self.conn, run);
        self.map(r)
    }

    /// The last `n` runs of `run`'s suite and scope, ending with `run`, and their statuses.
    pub fn window(&mut self, run: &RunRow, n: usize) -> Result<Window, HistoryError> {
        let r = query::window(&mut self.conn, run, n);
        self.map(r)
    }

    /// For each key that is a problem ([`is_problem`]) in `run`: when its unbroken streak of
    /// problems began, i.e. the start of the earliest run of `run`'s suite and scope from
    /// which on every run holding the item with a state (passed or a problem; a skipped or
    /// not reported result neither breaks nor starts a streak) found a problem. Keys not a
    /// problem in `run` are left out. Computed when each run is recorded, so this is a
    /// look-up.
    pub fn failing_since(
        &mut self,
        run: &RunRow,
        keys: &[ItemKey],
    ) -> Result<HashMap<ItemKey, DateTime<Utc>>, HistoryError> {
        let r = query::failing_since(&mut self.conn, run, keys);
        self.map(r)
    }

    /// One node's results over a period (runs started in `[from, to)`), oldest first, in
    /// plan order within a run.
    pub fn series(&mut self, filter: &SeriesFilter) -> Result<Vec<SeriesPoint>, HistoryError> {
        let r = query::series(&mut self.conn, filter);
        self.map(r)
    }

    /// The scopes that have runs of `suite` started in `[from, to]` (Beijing days), with how
    /// many runs each.
    pub fn scopes(
        &mut self,
        suite: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, usize)>, HistoryError> {
        let r = query::scopes(&mut self.conn, suite, from, to);
        self.map(r)
    }

    /// The daily roll-ups of `suite` in these scopes for the Beijing days `from..=to`
    /// (summed over the scopes), by day then item.
    pub fn daily(
        &mut self,
        suite: &str,
        scopes: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCounts>, HistoryError> {
        let r = query::daily(&mut self.conn, suite, scopes, from, to);
        self.map(r)
    }

    /// Every result of `suite` in these scopes started on these Beijing days (for days that
    /// a maintenance window touches, where whole-day counts do not do), by start.
    pub fn samples(
        &mut self,
        suite: &str,
        scopes: &[String],
        days: &[NaiveDate],
    ) -> Result<Vec<Sample>, HistoryError> {
        let r = query::samples(&mut self.conn, suite, scopes, days);
        self.map(r)
    }

    /// The latest names and tree of `suite`'s nodes, checks and apps.
    pub fn catalog(&mut self, suite: &str) -> Result<Catalog, HistoryError> {
        let r = query::catalog(&mut self.conn, suite);
        self.map(r)
    }

    /// The suites the store has runs of, by id, each with its latest run's suite name.
    pub fn suites(&mut self) -> Result<Vec<(String, String)>, HistoryError> {
        let r = query::suites(&mut self.conn);
        self.map(r)
    }
}

impl Location {
    /// `--history VALUE`: a PostgreSQL URL (`postgres://`, `postgresql://`) or a libpq
    /// `key=value` string with `dbname=` or `host=`, else a SQLite file path.
    pub fn parse(value: &str) -> Location {
        let v = value.trim();
        if split_url(v).is_some()
            || (v.contains('=') && (v.contains("dbname=") || v.contains("host=")))
        {
            Location::Postgres(v.to_string())
        } else {
            Location::Sqlite(PathBuf::from(value))
        }
    }
}

impl std::fmt::Display for Location {
    /// A SQLite path as is; a PostgreSQL location without its password (`postgres://user@host/db`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(s) => f.write_str(&redact_conninfo(s)),
        }
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location({self})")
    }
}

/// A connection string with any password taken out: the `:password@` of a URL, the
/// `password=` pair of a key=value string, and a `password` query parameter.
fn redact_conninfo(s: &str) -> String {
    let not_password = |kv: &&str| !kv.to_ascii_lowercase().starts_with("password=");
    if let Some((scheme, rest)) = split_url(s) {
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let authority = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or("");
                format!("{user}@{host}")
            }
            None => authority.to_string(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let kept: Vec<&str> = query.split('&').filter(not_password).collect();
                if kept.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{}", kept.join("&"))
                }
            }
            None => tail.to_string(),
        };
        format!("{scheme}{authority}{tail}")
    } else {
        s.split_whitespace()
            .filter(not_password)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A PostgreSQL URL split after its scheme (`postgres://` or `postgresql://`).
fn split_url(s: &str) -> Option<(&'static str, &str)> {
    ["postgres://", "postgresql://"]
        .into_iter()
        .find_map(|scheme| Some((scheme, s.strip_prefix(scheme)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_gives_back_its_vantage() {
        assert_eq!(scope_vantage("vantage:sx"), Some("sx"));
        assert_eq!(
            scope_vantage("vantage:sx shard:1/2 select:--node a"),
            Some("sx")
        );
        assert_eq!(scope_vantage("vantage:-"), Some("-"));
        assert_eq!(scope_vantage("merged"), None);
    }

    #[test]
    fn passwords_never_show() {
        for (given, shown) in [
            (
                "postgres://na:s3cret@db.example/hist",
                "postgres://na@db.example/hist",
            ),
            (
                "postgresql://na@db/h?password=s3cret&sslmode=require",
                "postgresql://na@db/h?sslmode=require",
            ),
            (
                "host=/run/postgresql dbname=h password=s3cret",
                "host=/run/postgresql dbname=h",
            ),
        ] {
            let l = Location::parse(given);
            assert!(matches!(l, Location::Postgres(_)));
            assert_eq!(l.to_string(), shown);
            assert!(!format!("{l:?}").contains("s3cret"));
        }
        assert_eq!(
            Location::parse("reports/history.sqlite"),
            Location::Sqlite(PathBuf::from("reports/history.sqlite"))
        );
    }
}
