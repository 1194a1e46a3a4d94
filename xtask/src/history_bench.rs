//! `cargo xtask history-bench FILE`: the history store's queries timed on a store made by
//! `cargo xtask history-fixture` (a year of the national run), as `diff`, `history show` and
//! `availability` make them. Each figure is the median of 5; `bench/run` calls it. In a
//! release build (a debug build runs this task again with `--release`).

use std::collections::HashSet;
use std::time::Instant;

use chrono::TimeDelta;
use netaccept::history::{
    Access, ItemKey, Location, RunFilter, SeriesFilter, Store, day_of, is_problem,
};

use crate::{Error, Outcome};

pub const USAGE: &str = "FILE.sqlite";

const REPEAT: usize = 5;

fn fail(e: impl std::fmt::Display) -> Error {
    Error::Failed(e.to_string())
}

/// Runs `f` [`REPEAT`] times; the median time in seconds, and what the last run returned.
fn timed<T>(mut f: impl FnMut() -> Result<T, Error>) -> Result<(f64, T), Error> {
    let mut times = Vec::with_capacity(REPEAT);
    let mut last = None;
    for _ in 0..REPEAT {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((times[REPEAT / 2], last.expect("ran")))
}

pub fn run(args: &[String]) -> Outcome {
    let [file] = args else {
        return Err(Error::Usage("one store file".into()));
    };
    let file = crate::cmd::from_caller(file);
    if let Some(done) =
        crate::history_fixture::in_release("history-bench", vec![file.display().to_string()])
    {
        return done;
    }
    let location = Location::Sqlite(file.clone());
    let mut store = Store::open(&location, Access::Read).map_err(fail)?;
    let newest = store
        .runs(&RunFilter {
            limit: Some(1),
            ..RunFilter::default()
        })
        .map_err(fail)?;
    let Some(b) = newest.into_iter().next() else {
        return Err(Error::Failed(format!("{} holds no run", file.display())));
    };
    let Some(a) = store.previous(&b).map_err(fail)? else {
        return Err(Error::Failed("the newest run has no previous one".into()));
    };
    let runs = store.runs(&RunFilter::default()).map_err(fail)?.len();
    println!(
        "store {}: {runs} runs, {:.1} MiB; a = {}, b = {}",
        file.display(),
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0,
        a.id,
        b.id
    );

    // diff of the last two nights: both runs' results, the window of 41 for flapping, and
    // since when each problem has failed.
    let (t, (problems, since, width)) = timed(|| {
        let before = store.items(&a).map_err(fail)?;
        let after = store.items(&b).map_err(fail)?;
        let window = store.window(&b, 41).map_err(fail)?;
        let problems: Vec<ItemKey> = after
            .iter()
            .filter(|i| is_problem(i.status))
            .map(|i| i.key.clone())
            .collect();
        let since = store.failing_since(&b, &problems).map_err(fail)?;
        drop(before);
        Ok((problems.len(), since.len(), window.runs.len()))
    })?;
    println!(
        "diff (items a + items b + window(b, 41) + failing_since of {problems} problems; \
         {since} found, {width} runs in the window): {t:.3} s"
    );

    // One link's year: the node of the first problem (a county link, in the fixture).
    let items = store.items(&b).map_err(fail)?;
    let node = items
        .iter()
        .find(|i| is_problem(i.status))
        .or(items.last())
        .map(|i| i.key.node.clone())
        .unwrap_or_default();
    let (t, points) = timed(|| {
        store
            .series(&SeriesFilter {
                node: node.clone(),
                suite: Some(b.suite.clone()),
                from: Some(b.started - TimeDelta::days(365)),
                ..SeriesFilter::default()
            })
            .map_err(fail)
    })?;
    println!(
        "series of node {node} over a year ({} results): {t:.3} s",
        points.len()
    );

    // A month's availability: the scopes, the daily roll-ups, the catalog, and the samples
    // of two days a maintenance window would touch.
    let to = day_of(b.started);
    let from = to - TimeDelta::days(29);
    let (t, (days, nodes, samples)) = timed(|| {
        let scopes: Vec<String> = store
            .scopes(&b.suite, from, to)
            .map_err(fail)?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let daily = store.daily(&b.suite, &scopes, from, to).map_err(fail)?;
        let catalog = store.catalog(&b.suite).map_err(fail)?;
        let samples = store
            .samples(&b.suite, &scopes, &[from, from + TimeDelta::days(1)])
            .map_err(fail)?;
        let days: HashSet<_> = daily.iter().map(|d| d.day).collect();
        Ok((days.len(), catalog.nodes.len(), samples.len()))
    })?;
    println!(
        "month of availability ({days} days of roll-ups, catalog of {nodes} nodes, \
         {samples} samples of 2 days): {t:.3} s"
    );
    Ok(std::process::ExitCode::SUCCESS)
}
