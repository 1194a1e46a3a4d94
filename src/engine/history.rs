//! The history's side of the commands: what a run (or merge) does after its checks besides
//! the reports (record it, work out what changed, write the metrics file, notify), and the
//! work of `history list|show|import`, `diff` and `availability`. The store (`history`)
//! reads and writes; `trend` works the answers out; the caller prints them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::history::{
    self, Access, Catalog, HistoryError, ItemKey, Location, RunFilter, RunRow, SeriesFilter,
    SeriesPoint, Store,
};
use crate::model::maintenance::Maintenance;
use crate::notify;
use crate::results::Results;
use crate::trend::{self, Availability, Diff, Period, RunHistory, Tolerance, WINDOW_RUNS};

/// What a run does after its checks besides the reports.
#[derive(Clone, Default)]
pub struct After {
    /// The store to record the run in; `None` with `--no-history`.
    pub history: Option<Location>,
    /// `--metrics FILE`.
    pub metrics: Option<PathBuf>,
    /// `--notify URL` and its format.
    pub notify: Option<(notify::WebhookUrl, notify::Format)>,
}

/// The store given, or the default one.
pub fn location(given: Option<&str>) -> Location {
    given.map_or_else(
        || Location::Sqlite(PathBuf::from(history::DEFAULT_PATH)),
        Location::parse,
    )
}

/// Records a finished run and works out its history for the report: the previous
/// comparable run, what changed since, the strips. One transaction for the record; the
/// reads after it see it.
pub fn record(location: &Location, results: &Results) -> Result<RunHistory, HistoryError> {
    let mut store = Store::open(location, Access::Write)?;
    let recorded = store.record(results)?;
    tracing::info!(
        run = %results.run.id,
        store = %location,
        new = matches!(recorded, history::Recorded::New(_)),
        "run recorded in the history"
    );
    match recorded {
        // The rows just written are the record's: made from it, not read back.
        history::Recorded::New(run) => history_at(&mut store, &run, Some(results)),
        history::Recorded::Already(run) => history_at(&mut store, &run, None),
    }
}

/// What a run's report shows of the history: the window ending at `run` and the diff
/// against the run before it (none for the first of its suite and scope). `record`: the
/// run's own record when it was just recorded from it.
fn history_at(
    store: &mut Store,
    run: &RunRow,
    record: Option<&Results>,
) -> Result<RunHistory, HistoryError> {
    let window = store.window(run, WINDOW_RUNS)?;
    let diff = match store.previous(run)? {
        Some(prev) => Some(diff_with(
            store,
            &prev,
            (run, record),
            &window,
            &Tolerance::default(),
        )?),
        None => None,
    };
    Ok(trend::run_history(diff, &window))
}

/// The history a run's report showed, read back for `netaccept report`: the window ending at
/// that run and the diff against the run before it, as `record` worked them out (runs
/// recorded later do not change either). `None` when the store does not exist or does not
/// hold the run (the report is then made without the history section, as for a run with
/// `--no-history`); an error when it exists and cannot be read.
pub fn recall(location: &Location, results: &Results) -> Result<Option<RunHistory>, HistoryError> {
    if let Location::Sqlite(path) = location
        && !path.exists()
    {
        return Ok(None);
    }
    let mut store = Store::open(location, Access::Read)?;
    let Some(run) = store
        .find_run(&results.run.id)?
        .into_iter()
        .find(|r| r.id == results.run.id)
    else {
        return Ok(None);
    };
    history_at(&mut store, &run, None).map(Some)
}

/// `diff` of two recorded runs (`b` the later, with its record when it was just recorded
/// from it), with the window ending at `b`.
fn diff_with(
    store: &mut Store,
    a: &RunRow,
    (b, b_record): (&RunRow, Option<&Results>),
    window: &history::Window,
    tolerance: &Tolerance,
) -> Result<Diff, HistoryError> {
    let a_items = store.items(a)?;
    let b_items = match b_record {
        Some(r) => history::items_of(r),
        None => store.items(b)?,
    };
    let problems: Vec<ItemKey> = b_items
        .iter()
        .filter(|i| history::is_problem(i.status))
        .map(|i| i.key.clone())
        .collect();
    let since = store.failing_since(b, &problems)?;
    Ok(trend::diff(
        (a, &a_items),
        (b, &b_items),
        window,
        &since,
        tolerance,
    ))
}

/// `netaccept diff`: which runs, and how close a measurement may move.
#[derive(Debug, Clone, Default)]
pub struct DiffRequest {
    pub a: Option<String>,
    pub b: Option<String>,
    pub suite: Option<String>,
    pub vantage: Option<String>,
    pub tolerance: Tolerance,
}

/// A run named on the command line: its id or a unique prefix.
fn find(store: &mut Store, id: &str) -> Result<RunRow, Error> {
    let mut found = store.find_run(id)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::HistoryQuery(format!("no recorded run `{id}`"))),
        n => Err(Error::HistoryQuery(format!(
            "`{id}` names {n} runs ({}…): give more of the id",
            found
                .iter()
                .take(3)
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `netaccept diff`: the two runs (by default the newest and the one before it of the same
/// suite and scope) and what changed, with the catalog for names.
pub fn diff(location: &Location, req: &DiffRequest) -> Result<(Diff, Catalog), Error> {
    let mut store = Store::open(location, Access::Read)?;
    let b = if let Some(id) = &req.b {
        find(&mut store, id)?
    } else {
        let newest = store.runs(&RunFilter {
            suite: req.suite.clone(),
            vantage: req.vantage.clone(),
            limit: Some(1),
            ..RunFilter::default()
        })?;
        newest
            .into_iter()
            .next()
            .ok_or_else(|| Error::HistoryQuery("no recorded run to compare".into()))?
    };
    let a = match &req.a {
        Some(id) => find(&mut store, id)?,
        None => store.previous(&b)?.ok_or_else(|| {
            Error::HistoryQuery(format!(
                "run {} is the first of its suite and scope ({}): nothing to compare it with",
                b.id, b.scope
            ))
        })?,
    };
    // Given in either order, compared oldest to newest.
    let (a, b) = if a.started > b.started {
        (b, a)
    } else {
        (a, b)
    };
    if a.suite != b.suite {
        return Err(Error::HistoryQuery(format!(
            "runs {} and {} are of different suites ({} and {})",
            a.id, b.id, a.suite, b.suite
        )));
    }
    let window = store.window(&b, WINDOW_RUNS)?;
    let diff = diff_with(&mut store, &a, (&b, None), &window, &req.tolerance)?;
    let catalog = store.catalog(&b.suite)?;
    Ok((diff, catalog))
}

/// `history list`.
pub fn list(location: &Location, filter: &RunFilter) -> Result<Vec<RunRow>, Error> {
    let mut store = Store::open(location, Access::Read)?;
    Ok(store.runs(filter)?)
}

/// `history show`: one node's results, with the names of its suite's catalog.
pub fn show(
    location: &Location,
    filter: &SeriesFilter,
) -> Result<(Vec<SeriesPoint>, Catalog), Error> {
    let mut store = Store::open(location, Access::Read)?;
    let points = store.series(filter)?;
    let suite = match &filter.suite {
        Some(s) => Some(s.clone()),
        None => store.suites()?.into_iter().next().map(|(id, _)| id),
    };
    let catalog = match suite {
        Some(s) => store.catalog(&s)?,
        None => Catalog::default(),
    };
    Ok((points, catalog))
}

/// What `history import` did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Run ids recorded now.
    pub new: Vec<String>,
    /// Run ids that were already in the store.
    pub already: Vec<String>,
}

/// `history import`: each path a results.json or an output folder (a bundle: its files
/// checked against SHA256SUMS first when it has one); recorded oldest first, each run in its
/// own transaction, so the store can always be rebuilt from the files.
pub fn import(location: &Location, paths: &[PathBuf]) -> Result<Imported, Error> {
    let mut records = Vec::with_capacity(paths.len());
    for path in paths {
        records.push(read_record(path)?);
    }
    records.sort_by_key(|r| r.run.started);
    let mut store = Store::open(location, Access::Write)?;
    let mut done = Imported::default();
    for r in &records {
        match store.record(r)? {
            history::Recorded::New(run) => done.new.push(run.id),
            history::Recorded::Already(run) => done.already.push(run.id),
        }
    }
    Ok(done)
}

/// A results.json, or the one of an output folder (verified when it is a bundle).
fn read_record(path: &Path) -> Result<Results, Error> {
    let file = if path.is_dir() {
        if path.join(crate::bundle::SUMS).is_file() {
            // Signed or not: the files must be as the run wrote them.
            super::verify_bundle(path, None, true)?;
        }
        path.join("results.json")
    } else {
        path.to_path_buf()
    };
    // A journal is the record of a run that never wrote its results.json: what it holds
    // was measured, so it belongs in the history too.
    super::rerender::read_record(&file).map(|(r, _)| r)
}

/// `netaccept availability`: which runs count.
#[derive(Debug, Clone)]
pub struct AvailabilityRequest {
    pub period: Period,
    pub suite: Option<String>,
    pub vantage: Option<String>,
    pub merged: bool,
    pub maintenance: Option<PathBuf>,
}

/// `netaccept availability`: the scopes picked (see FORMAT.md), the maintenance file loaded
/// against the store's nodes (file:line:col on a mistake), the roll-ups of untouched days and
/// the raw results of touched ones.
pub fn availability(location: &Location, req: &AvailabilityRequest) -> Result<Availability, Error> {
    let mut store = Store::open(location, Access::Read)?;
    let suites = store.suites()?;
    let suite = if let Some(s) = &req.suite {
        s.clone()
    } else {
        match suites.len() {
            1 => suites[0].0.clone(),
            0 => return Err(Error::HistoryQuery("the history holds no run".into())),
            _ => {
                return Err(Error::HistoryQuery(format!(
                    "the history holds runs of several suites ({}): name one with --suite",
                    suites
                        .iter()
                        .map(|(id, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    };
    let catalog = store.catalog(&suite)?;
    let maintenance = match &req.maintenance {
        Some(path) => {
            let known: HashSet<String> = catalog.nodes.iter().map(|n| n.id.clone()).collect();
            load_maintenance(path, &known)?
        }
        None => Maintenance::default(),
    };
    let scopes: Vec<String> = {
        let all = store.scopes(&suite, req.period.from, req.period.to)?;
        if let Some(v) = &req.vantage {
            all.into_iter()
                .map(|(s, _)| s)
                .filter(|s| history::scope_vantage(s) == Some(v.as_str()))
                .collect()
        } else if req.merged || all.iter().any(|(s, _)| s == "merged") {
            all.into_iter()
                .map(|(s, _)| s)
                .filter(|s| s == "merged")
                .collect()
        } else {
            all.into_iter().map(|(s, _)| s).collect()
        }
    };
    let touched = trend::touched_days(req.period, &maintenance);
    let daily = store.daily(&suite, &scopes, req.period.from, req.period.to)?;
    let samples = store.samples(&suite, &scopes, &touched)?;
    let mut report = trend::availability(req.period, &catalog, &daily, &samples, &maintenance);
    report.suite_name = suites
        .into_iter()
        .find(|(id, _)| *id == suite)
        .map(|(_, name)| name)
        .unwrap_or_default();
    report.suite.clone_from(&suite);
    report.scopes = scopes;
    Ok(report)
}

/// The maintenance file, checked against the nodes the history knows: every mistake at its
/// `file:line:col` (exit 2), before the report is made.
fn load_maintenance(path: &Path, known: &HashSet<String>) -> Result<Maintenance, Error> {
    Ok(crate::load::load_maintenance(path, known)?.0)
}
