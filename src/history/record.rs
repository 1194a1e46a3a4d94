//! Recording a run: the run's row, its items, results and details, the daily roll-ups and
//! the catalog, in the one transaction of [`super::Store::record`]; and each problem's
//! `since` (when its streak of problems began), computed here from the previous comparable
//! run so that `failing_since` is a look-up, never a walk through a year of runs.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;

use super::codec;
use super::conn::{Conn, Fail, P};
use super::query;
use super::{ItemKey, Recorded, RunRow, is_problem, scope_of};
use crate::results::{NEEDS_FAILED, ResultRecord, Results, Status};

pub fn record(c: &mut Conn, results: &Results) -> Result<Recorded, Fail> {
    c.write(|c| record_in(c, results))
}

fn record_in(c: &mut Conn, results: &Results) -> Result<Recorded, Fail> {
    let run = &results.run;
    // Inside the write lock: a second import of the same file, even a concurrent one,
    // finds the first.
    if let Some(row) = query::run_by_id(c, &run.id)? {
        return Ok(Recorded::Already(row));
    }
    let scope = scope_of(results);
    c.exec(
        "INSERT INTO scopes (suite, scope) VALUES ($1, $2) ON CONFLICT (suite, scope) DO NOTHING",
        &[P::T(&run.suite), P::T(&scope)],
    )?;
    let scope_id = query::scope_id(c, &run.suite, &scope)?
        .ok_or_else(|| Fail::Db("the scope just inserted is missing".into()))?;
    let started = codec::time(run.started);
    let s = &results.summary;
    let merged = !results.bundles.is_empty();
    let key = c
        .first(
            "INSERT INTO runs (run_id, scope_id, suite, suite_name, scope, vantage_id, host, \
             shard_index, shard_count, merged, started, finished, complete, passed, failed, \
             errored, skipped, waived, not_reported, inventory_sha256, suite_sha256, \
             netaccept_version, recorded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING key",
            &[
                P::T(&run.id),
                P::I(scope_id),
                P::T(&run.suite),
                P::T(&run.suite_name),
                P::T(&scope),
                P::opt_t(run.vantage_id.as_deref()),
                P::T(&run.vantage),
                P::opt_i(run.shard.map(|s| i64::from(s.index))),
                P::opt_i(run.shard.map(|s| i64::from(s.count))),
                P::I(i64::from(merged)),
                P::I(started),
                P::I(codec::time(run.finished)),
                P::I(i64::from(run.complete)),
                P::I(s.passed as i64),
                P::I(s.failed as i64),
                P::I(s.errored as i64),
                P::I(s.skipped as i64),
                P::I(s.waived as i64),
                P::I(s.not_reported as i64),
                P::T(&run.inventory_sha256),
                P::T(&run.suite_sha256),
                P::T(&run.netaccept_version),
                P::I(codec::time(Utc::now())),
            ],
            |r| r.i(0),
        )?
        .ok_or_else(|| Fail::Db("the run's key was not returned".into()))?;

    let ids = item_ids(c, &results.results)?;
    let problems: Vec<i64> = results
        .results
        .iter()
        .zip(&ids)
        .filter(|(r, _)| is_problem(r.status))
        .map(|(_, &id)| id)
        .collect();
    let since = since_for(c, scope_id, started, key, &problems)?;

    let mut narrow = Vec::with_capacity(ids.len() * 4);
    for (r, &id) in results.results.iter().zip(&ids) {
        narrow.extend([
            P::I(key),
            P::I(id),
            P::I(codec::status(r.status)),
            P::opt_i(since.get(&id).copied()),
        ]);
    }
    c.insert(
        "INSERT INTO results (run_key, item_id, status, since)",
        4,
        "",
        &narrow,
    )?;
    drop(narrow);

    let mut wide = Vec::with_capacity(ids.len() * 11);
    for (seq, (r, &id)) in results.results.iter().zip(&ids).enumerate() {
        wide.extend([
            P::I(key),
            P::I(id),
            P::I(seq as i64),
            P::I(codec::status(r.status)),
            P::opt_i(r.waiver.as_ref().map(|w| codec::status(w.original_status))),
            P::opt_t(r.kind.as_deref()),
            P::I(codec::severity(r.severity)),
            P::I(codec::time(r.started)),
            P::F(r.duration_ms),
            P::T(&r.message),
            P::S(serde_json::to_string(&r.measurements).unwrap_or_else(|_| "{}".into())),
        ]);
    }
    c.insert(
        "INSERT INTO details (run_key, item_id, seq, status, original, kind, severity, started, \
         duration_ms, message, measurements)",
        11,
        "",
        &wide,
    )?;
    drop(wide);

    roll_up(c, scope_id, &results.results, &ids)?;
    catalog(c, results, started)?;
    rebuild_later(c, scope_id, started)?;

    Ok(Recorded::New(RunRow {
        key,
        id: run.id.clone(),
        suite: run.suite.clone(),
        suite_name: run.suite_name.clone(),
        scope,
        vantage_id: run.vantage_id.clone(),
        host: run.vantage.clone(),
        shard: run.shard,
        merged,
        started: codec::time_of(started),
        finished: codec::time_of(codec::time(run.finished)),
        complete: run.complete,
        summary: results.summary,
        inventory_sha256: run.inventory_sha256.clone(),
        suite_sha256: run.suite_sha256.clone(),
        netaccept_version: run.netaccept_version.clone(),
    }))
}

/// Every item's id by key.
fn known_items(c: &mut Conn) -> Result<HashMap<ItemKey, i64>, Fail> {
    Ok(query::item_keys(c)?
        .into_iter()
        .map(|(id, key)| (key, id))
        .collect())
}

/// Each result's item id, the items never seen before added.
fn item_ids(c: &mut Conn, results: &[ResultRecord]) -> Result<Vec<i64>, Fail> {
    let mut known = known_items(c)?;
    let keys: Vec<ItemKey> = results
        .iter()
        .map(|r| ItemKey {
            node: r.node.clone(),
            check: r.check.clone(),
            // As the store keeps it: an empty app is none.
            app: r.app.clone().and_then(codec::app_of),
        })
        .collect();
    let mut missing = Vec::new();
    let mut added = std::collections::HashSet::new();
    for k in &keys {
        if !known.contains_key(k) && added.insert(k) {
            missing.extend([
                P::T(&k.node),
                P::T(&k.check),
                P::T(codec::app(k.app.as_deref())),
            ]);
        }
    }
    if !missing.is_empty() {
        c.insert(
            "INSERT INTO items (node, check_id, app)",
            3,
            "ON CONFLICT (node, check_id, app) DO NOTHING",
            &missing,
        )?;
        known = known_items(c)?;
    }
    keys.iter()
        .map(|k| {
            known
                .get(k)
                .copied()
                .ok_or_else(|| Fail::Db("an item just inserted is missing".into()))
        })
        .collect()
}

/// When each problem item's streak began, for a run of `scope_id` started at `started`
/// (key `key`): the streak of the last earlier comparable run holding the item with a state
/// (passed or a problem) if that was a problem, else this run's start. Results without a
/// state (skipped, not reported) neither break nor start a streak.
fn since_for(
    c: &mut Conn,
    scope_id: i64,
    started: i64,
    key: i64,
    problems: &[i64],
) -> Result<HashMap<i64, i64>, Fail> {
    let mut since = HashMap::new();
    if problems.is_empty() {
        return Ok(since);
    }
    let prev = c.first(
        "SELECT key, started FROM runs WHERE scope_id = $1 \
         AND (started < $2 OR (started = $2 AND key < $3)) \
         ORDER BY started DESC, key DESC LIMIT 1",
        &[P::I(scope_id), P::I(started), P::I(key)],
        |r| Ok((r.i(0)?, r.i(1)?)),
    )?;
    let Some((prev_key, prev_started)) = prev else {
        for &id in problems {
            since.insert(id, started);
        }
        return Ok(since);
    };
    // The previous run's states, read at once: most problems were there already.
    let mut before: HashMap<i64, (i64, Option<i64>)> = HashMap::new();
    c.each(
        &format!(
            "SELECT item_id, status, since FROM results WHERE run_key = $1 AND status IN {}",
            codec::STATED_SQL
        ),
        &[P::I(prev_key)],
        &mut |r| {
            before.insert(r.i(0)?, (r.i(1)?, r.oi(2)?));
            Ok(())
        },
    )?;
    let problem = |code: i64| codec::status_of(code).is_ok_and(is_problem);
    let latest_stated = format!(
        "SELECT r.status, r.since, u.started FROM results r \
         JOIN runs u ON u.key = r.run_key \
         WHERE r.item_id = $1 AND u.scope_id = $2 \
         AND (u.started < $3 OR (u.started = $3 AND u.key < $4)) \
         AND r.status IN {} ORDER BY u.started DESC, u.key DESC LIMIT 1",
        codec::STATED_SQL
    );
    for &id in problems {
        let found = match before.get(&id) {
            Some(&(status, s)) => Some((status, s, prev_started)),
            // Not in the previous run, or without a state there: the latest run that has
            // one.
            None => c.first(
                &latest_stated,
                &[P::I(id), P::I(scope_id), P::I(started), P::I(key)],
                |r| Ok((r.i(0)?, r.oi(1)?, r.i(2)?)),
            )?,
        };
        let s = match found {
            Some((status, s, at)) if problem(status) => s.unwrap_or(at),
            _ => started,
        };
        since.insert(id, s);
    }
    Ok(since)
}

/// A run imported older than runs already recorded in its scope changes their streaks:
/// those later runs' `since` are computed again, oldest first. (An import oldest first,
/// as `history import` does, never comes here.)
fn rebuild_later(c: &mut Conn, scope_id: i64, started: i64) -> Result<(), Fail> {
    let later = c.rows(
        "SELECT key, started FROM runs WHERE scope_id = $1 AND started > $2 \
         ORDER BY started, key",
        &[P::I(scope_id), P::I(started)],
        |r| Ok((r.i(0)?, r.i(1)?)),
    )?;
    let problems_of = format!(
        "SELECT item_id FROM results WHERE run_key = $1 AND status IN {}",
        codec::PROBLEMS_SQL
    );
    for (key, at) in later {
        let problems = c.rows(&problems_of, &[P::I(key)], |r| r.i(0))?;
        let since = since_for(c, scope_id, at, key, &problems)?;
        for (id, s) in since {
            c.exec(
                "UPDATE results SET since = $1 WHERE run_key = $2 AND item_id = $3",
                &[P::I(s), P::I(key), P::I(id)],
            )?;
        }
    }
    Ok(())
}

/// The column of the daily roll-up a result counts in.
fn column(r: &ResultRecord) -> usize {
    match r.status {
        Status::Passed => 0,
        Status::Failed => 1,
        Status::Errored => 2,
        Status::Waived => 3,
        Status::Skipped if r.kind.as_deref() == Some(NEEDS_FAILED) => 4,
        Status::Skipped => 5,
        Status::NotReported => 6,
    }
}

/// Adds the run's results to the daily counts of its scope, per item and Beijing day of the
/// result's start (a run across midnight counts on both days).
fn roll_up(c: &mut Conn, scope_id: i64, results: &[ResultRecord], ids: &[i64]) -> Result<(), Fail> {
    // Sorted, so that concurrent writers (serialised anyway on PostgreSQL) touch rows in one
    // order.
    let mut counts: BTreeMap<(i64, i64), [i64; 7]> = BTreeMap::new();
    for (r, &id) in results.iter().zip(ids) {
        let day = codec::day(super::day_of(r.started));
        counts.entry((day, id)).or_default()[column(r)] += 1;
    }
    let mut values = Vec::with_capacity(counts.len() * 10);
    for ((day, id), n) in &counts {
        values.extend([P::I(scope_id), P::I(*day), P::I(*id)]);
        values.extend(n.iter().map(|&v| P::I(v)));
    }
    c.insert(
        "INSERT INTO daily (scope_id, day, item_id, passed, failed, errored, waived, \
         skipped_needs, skipped_other, not_reported)",
        10,
        "ON CONFLICT (scope_id, day, item_id) DO UPDATE SET \
         passed = daily.passed + excluded.passed, \
         failed = daily.failed + excluded.failed, \
         errored = daily.errored + excluded.errored, \
         waived = daily.waived + excluded.waived, \
         skipped_needs = daily.skipped_needs + excluded.skipped_needs, \
         skipped_other = daily.skipped_other + excluded.skipped_other, \
         not_reported = daily.not_reported + excluded.not_reported",
        &values,
    )
}

/// The run's names and tree, kept where this run is the latest to mention them.
fn catalog(c: &mut Conn, results: &Results, started: i64) -> Result<(), Fail> {
    let suite = results.run.suite.as_str();
    let mut nodes = Vec::with_capacity(results.nodes.len() * 11);
    for (pos, n) in results.nodes.iter().enumerate() {
        nodes.extend([
            P::T(suite),
            P::T(&n.id),
            P::I(pos as i64),
            P::T(&n.name),
            P::T(n.level.as_str()),
            P::T(n.kind.as_str()),
            P::opt_t(n.parent.as_deref()),
            P::T(&n.path),
            P::opt_t(n.region.as_deref()),
            P::opt_t(n.host.as_deref()),
            P::I(started),
        ]);
    }
    upsert_catalog(
        c,
        "catalog_nodes",
        &["name", "level", "kind", "parent", "path", "region", "host"],
        &nodes,
    )?;
    let mut checks = Vec::with_capacity(results.checks.len() * 7);
    for (pos, k) in results.checks.iter().enumerate() {
        checks.extend([
            P::T(suite),
            P::T(&k.id),
            P::I(pos as i64),
            P::T(&k.name),
            P::I(codec::severity(k.severity)),
            P::T(&k.probe),
            P::I(started),
        ]);
    }
    upsert_catalog(c, "catalog_checks", &["name", "severity", "probe"], &checks)?;
    let mut apps = Vec::with_capacity(results.apps.len() * 5);
    for (pos, a) in results.apps.iter().enumerate() {
        apps.extend([
            P::T(suite),
            P::T(&a.id),
            P::I(pos as i64),
            P::T(&a.name),
            P::I(started),
        ]);
    }
    upsert_catalog(c, "catalog_apps", &["name"], &apps)
}

/// Writes rows of a catalog table: `suite, id, pos`, then `named`, then `seen`, each row
/// replacing the one of its suite and id unless that was seen in a later run.
fn upsert_catalog(c: &mut Conn, table: &str, named: &[&str], values: &[P<'_>]) -> Result<(), Fail> {
    let cols: Vec<&str> = ["suite", "id", "pos"]
        .into_iter()
        .chain(named.iter().copied())
        .chain(["seen"])
        .collect();
    let set: Vec<String> = cols[2..]
        .iter()
        .map(|col| format!("{col} = excluded.{col}"))
        .collect();
    c.insert(
        &format!("INSERT INTO {table} ({})", cols.join(", ")),
        cols.len(),
        &format!(
            "ON CONFLICT (suite, id) DO UPDATE SET {} WHERE excluded.seen >= {table}.seen",
            set.join(", ")
        ),
        values,
    )
}
