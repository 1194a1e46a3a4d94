//! The store's reads: runs, a run's results, windows of statuses, failing-since, one node's
//! series, the daily roll-ups, samples of days and the catalog. Each reads integer keys
//! through the tables' indexes and never parses JSON, except `items` and `series`, which
//! hand back the measurements.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::codec;
use super::conn::{Conn, Fail, P, Row};
use super::{
    Catalog, DayCounts, ItemKey, ItemRow, RunFilter, RunRow, Sample, SeriesFilter, SeriesPoint,
    StatusCounts, Window,
};
use crate::model::{Kind, Level};
use crate::results::{AppInfo, CheckInfo, NodeInfo, Shard, Summary};

const RUN_COLS: &str = "u.key, u.run_id, u.suite, u.suite_name, u.scope, u.vantage_id, u.host, \
     u.shard_index, u.shard_count, u.merged, u.started, u.finished, u.complete, u.passed, \
     u.failed, u.errored, u.skipped, u.waived, u.not_reported, u.inventory_sha256, \
     u.suite_sha256, u.netaccept_version";

fn run_row(r: &dyn Row) -> Result<RunRow, Fail> {
    let shard = match (r.oi(7)?, r.oi(8)?) {
        (Some(index), Some(count)) => Some(Shard {
            index: index as u32,
            count: count as u32,
        }),
        _ => None,
    };
    Ok(RunRow {
        key: r.i(0)?,
        id: r.s(1)?,
        suite: r.s(2)?,
        suite_name: r.s(3)?,
        scope: r.s(4)?,
        vantage_id: r.os(5)?,
        host: r.s(6)?,
        shard,
        merged: r.i(9)? != 0,
        started: codec::time_of(r.i(10)?),
        finished: codec::time_of(r.i(11)?),
        complete: r.i(12)? != 0,
        summary: Summary {
            passed: r.i(13)? as usize,
            failed: r.i(14)? as usize,
            errored: r.i(15)? as usize,
            skipped: r.i(16)? as usize,
            waived: r.i(17)? as usize,
            not_reported: r.i(18)? as usize,
        },
        inventory_sha256: r.s(19)?,
        suite_sha256: r.s(20)?,
        netaccept_version: r.s(21)?,
    })
}

/// The scope's id, by the run's suite and scope.
const SCOPE_ID: &str = "(SELECT id FROM scopes WHERE suite = $1 AND scope = $2)";

pub fn run_by_id(c: &mut Conn, id: &str) -> Result<Option<RunRow>, Fail> {
    c.first(
        &format!("SELECT {RUN_COLS} FROM runs u WHERE u.run_id = $1"),
        &[P::T(id)],
        run_row,
    )
}

/// A statement built a clause at a time: each `?` of a clause is numbered as the parameter
/// it comes with.
struct Statement<'a> {
    sql: String,
    params: Vec<P<'a>>,
}

impl<'a> Statement<'a> {
    fn push(&mut self, clause: &str, p: P<'a>) {
        self.params.push(p);
        let mark = format!("${}", self.params.len());
        self.sql.push_str(&clause.replace('?', &mark));
    }
}

pub fn runs(c: &mut Conn, f: &RunFilter) -> Result<Vec<RunRow>, Fail> {
    let mut q = Statement {
        sql: format!("SELECT {RUN_COLS} FROM runs u WHERE 1 = 1"),
        params: Vec::new(),
    };
    if let Some(s) = &f.suite {
        q.push(" AND u.suite = ?", P::T(s));
    }
    if let Some(v) = &f.vantage {
        q.push(" AND u.vantage_id = ?", P::T(v));
    }
    if let Some(s) = &f.scope {
        q.push(" AND u.scope = ?", P::T(s));
    }
    if let Some(t) = f.from {
        q.push(" AND u.started >= ?", P::I(codec::time(t)));
    }
    if let Some(t) = f.to {
        q.push(" AND u.started < ?", P::I(codec::time(t)));
    }
    if let Some(n) = &f.node {
        q.push(
            " AND EXISTS (SELECT 1 FROM items i JOIN results r ON r.item_id = i.id \
             WHERE i.node = ? AND r.run_key = u.key)",
            P::T(n),
        );
    }
    q.sql.push_str(" ORDER BY u.started DESC, u.key DESC");
    if let Some(n) = f.limit {
        q.push(" LIMIT ?", P::I(n as i64));
    }
    c.rows(&q.sql, &q.params, run_row)
}

pub fn find_run(c: &mut Conn, id: &str) -> Result<Vec<RunRow>, Fail> {
    c.rows(
        &format!(
            "SELECT {RUN_COLS} FROM runs u WHERE substr(u.run_id, 1, $2) = $1 \
             ORDER BY u.started DESC, u.key DESC"
        ),
        &[P::T(id), P::I(id.chars().count() as i64)],
        run_row,
    )
}

pub fn previous(c: &mut Conn, run: &RunRow) -> Result<Option<RunRow>, Fail> {
    c.first(
        &format!(
            "SELECT {RUN_COLS} FROM runs u WHERE u.scope_id = {SCOPE_ID} \
             AND (u.started < $3 OR (u.started = $3 AND u.key < $4)) \
             ORDER BY u.started DESC, u.key DESC LIMIT 1"
        ),
        &[
            P::T(&run.suite),
            P::T(&run.scope),
            P::I(codec::time(run.started)),
            P::I(run.key),
        ],
        run_row,
    )
}

const ITEM_COLS: &str = "i.node, i.check_id, i.app, d.status, d.original, d.kind, d.severity, \
     d.started, d.duration_ms, d.message, d.measurements";

fn item_row(r: &dyn Row, at: usize) -> Result<ItemRow, Fail> {
    let measurements =
        serde_json::from_str(&r.s(at + 10)?).map_err(|e| Fail::Db(format!("measurements: {e}")))?;
    Ok(ItemRow {
        key: ItemKey {
            node: r.s(at)?,
            check: r.s(at + 1)?,
            app: codec::app_of(r.s(at + 2)?),
        },
        status: codec::status_of(r.i(at + 3)?)?,
        original: r.oi(at + 4)?.map(codec::status_of).transpose()?,
        kind: r.os(at + 5)?,
        severity: codec::severity_of(r.i(at + 6)?)?,
        started: codec::time_of(r.i(at + 7)?),
        duration_ms: r.f(at + 8)?,
        message: r.s(at + 9)?,
        measurements,
    })
}

pub fn items(c: &mut Conn, run: &RunRow) -> Result<Vec<ItemRow>, Fail> {
    c.rows(
        &format!(
            "SELECT {ITEM_COLS} FROM details d JOIN items i ON i.id = d.item_id \
             WHERE d.run_key = $1 ORDER BY d.seq"
        ),
        &[P::I(run.key)],
        |r| item_row(r, 0),
    )
}

/// Every item's key by id.
pub fn item_keys(c: &mut Conn) -> Result<HashMap<i64, ItemKey>, Fail> {
    let mut keys = HashMap::new();
    c.each("SELECT id, node, check_id, app FROM items", &[], &mut |r| {
        keys.insert(
            r.i(0)?,
            ItemKey {
                node: r.s(1)?,
                check: r.s(2)?,
                app: codec::app_of(r.s(3)?),
            },
        );
        Ok(())
    })?;
    Ok(keys)
}

pub fn window(c: &mut Conn, run: &RunRow, n: usize) -> Result<Window, Fail> {
    let mut runs = c.rows(
        &format!(
            "SELECT {RUN_COLS} FROM runs u WHERE u.scope_id = {SCOPE_ID} \
             AND (u.started < $3 OR (u.started = $3 AND u.key <= $4)) \
             ORDER BY u.started DESC, u.key DESC LIMIT $5"
        ),
        &[
            P::T(&run.suite),
            P::T(&run.scope),
            P::I(codec::time(run.started)),
            P::I(run.key),
            P::I(n as i64),
        ],
        run_row,
    )?;
    runs.reverse();
    let width = runs.len();
    let mut by_id: HashMap<i64, Vec<Option<crate::results::Status>>> = HashMap::new();
    for (j, u) in runs.iter().enumerate() {
        c.each(
            "SELECT item_id, status FROM results WHERE run_key = $1",
            &[P::I(u.key)],
            &mut |r| {
                let states = by_id.entry(r.i(0)?).or_insert_with(|| vec![None; width]);
                states[j] = Some(codec::status_of(r.i(1)?)?);
                Ok(())
            },
        )?;
    }
    let keys = item_keys(c)?;
    let states = by_id
        .into_iter()
        .filter_map(|(id, s)| keys.get(&id).map(|k| (k.clone(), s)))
        .collect();
    Ok(Window { runs, states })
}

/// One read of the run's problems, the keys asked for picked from them.
pub fn failing_since(
    c: &mut Conn,
    run: &RunRow,
    keys: &[ItemKey],
) -> Result<HashMap<ItemKey, DateTime<Utc>>, Fail> {
    let mut problems = HashMap::new();
    c.each(
        &format!(
            "SELECT i.node, i.check_id, i.app, r.since FROM results r \
             JOIN items i ON i.id = r.item_id \
             WHERE r.run_key = $1 AND r.status IN {}",
            codec::PROBLEMS_SQL
        ),
        &[P::I(run.key)],
        &mut |r| {
            let key = ItemKey {
                node: r.s(0)?,
                check: r.s(1)?,
                app: codec::app_of(r.s(2)?),
            };
            problems.insert(key, r.oi(3)?.map_or(run.started, codec::time_of));
            Ok(())
        },
    )?;
    Ok(keys
        .iter()
        .filter_map(|k| problems.get_key_value(k))
        .map(|(k, &at)| (k.clone(), at))
        .collect())
}

pub fn series(c: &mut Conn, f: &SeriesFilter) -> Result<Vec<SeriesPoint>, Fail> {
    let items = c.rows(
        "SELECT id, check_id, app FROM items WHERE node = $1",
        &[P::T(&f.node)],
        |r| Ok((r.i(0)?, r.s(1)?, codec::app_of(r.s(2)?))),
    )?;
    // `$1` is each item's id in turn.
    let mut q = Statement {
        sql: format!(
            "SELECT u.run_id, u.scope, u.started, u.key, d.seq, {ITEM_COLS} FROM results r \
             JOIN runs u ON u.key = r.run_key \
             JOIN details d ON d.run_key = r.run_key AND d.item_id = r.item_id \
             JOIN items i ON i.id = r.item_id WHERE r.item_id = $1"
        ),
        params: vec![P::Null],
    };
    if let Some(s) = &f.suite {
        q.push(" AND u.suite = ?", P::T(s));
    }
    if let Some(t) = f.from {
        q.push(" AND u.started >= ?", P::I(codec::time(t)));
    }
    if let Some(t) = f.to {
        q.push(" AND u.started < ?", P::I(codec::time(t)));
    }
    let mut points = Vec::new();
    for (id, check, app) in items {
        if f.check
            .as_deref()
            .is_some_and(|g| !crate::plan::glob(g, &check))
        {
            continue;
        }
        if f.app.is_some() && f.app != app {
            continue;
        }
        q.params[0] = P::I(id);
        c.each(&q.sql, &q.params, &mut |r| {
            let scope = r.s(1)?;
            if f.scopes.as_ref().is_some_and(|s| !s.contains(&scope)) {
                return Ok(());
            }
            points.push((
                (r.i(2)?, r.i(3)?, r.i(4)?),
                SeriesPoint {
                    run: r.s(0)?,
                    scope,
                    item: item_row(r, 5)?,
                },
            ));
            Ok(())
        })?;
    }
    points.sort_by_key(|(order, _)| *order);
    Ok(points.into_iter().map(|(_, p)| p).collect())
}

/// The id of a suite's scope, if it has runs.
pub fn scope_id(c: &mut Conn, suite: &str, scope: &str) -> Result<Option<i64>, Fail> {
    c.first(
        "SELECT id FROM scopes WHERE suite = $1 AND scope = $2",
        &[P::T(suite), P::T(scope)],
        |r| r.i(0),
    )
}

fn scope_ids(c: &mut Conn, suite: &str, scopes: &[String]) -> Result<Vec<i64>, Fail> {
    let mut ids = Vec::new();
    for s in scopes {
        ids.extend(scope_id(c, suite, s)?);
    }
    Ok(ids)
}

pub fn scopes(
    c: &mut Conn,
    suite: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, usize)>, Fail> {
    c.rows(
        "SELECT scope, count(*) FROM runs WHERE suite = $1 AND started >= $2 AND started < $3 \
         GROUP BY scope ORDER BY scope",
        &[
            P::T(suite),
            P::I(codec::day_start(from)),
            P::I(codec::day_start(to + TimeDelta::days(1))),
        ],
        |r| Ok((r.s(0)?, r.i(1)? as usize)),
    )
}

pub fn daily(
    c: &mut Conn,
    suite: &str,
    scopes: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayCounts>, Fail> {
    let mut sums: HashMap<(i64, i64), StatusCounts> = HashMap::new();
    for id in scope_ids(c, suite, scopes)? {
        c.each(
            "SELECT day, item_id, passed, failed, errored, waived, skipped_needs, \
             skipped_other, not_reported FROM daily \
             WHERE scope_id = $1 AND day >= $2 AND day <= $3",
            &[P::I(id), P::I(codec::day(from)), P::I(codec::day(to))],
            &mut |r| {
                let n = sums.entry((r.i(0)?, r.i(1)?)).or_default();
                n.passed += r.i(2)? as u32;
                n.failed += r.i(3)? as u32;
                n.errored += r.i(4)? as u32;
                n.waived += r.i(5)? as u32;
                n.skipped_needs += r.i(6)? as u32;
                n.skipped_other += r.i(7)? as u32;
                n.not_reported += r.i(8)? as u32;
                Ok(())
            },
        )?;
    }
    if sums.is_empty() {
        return Ok(Vec::new());
    }
    let keys = item_keys(c)?;
    // Ordered by day, then item key: the keys ranked once, so that the sort compares
    // integers.
    let mut ranked: Vec<(&i64, &ItemKey)> = keys.iter().collect();
    ranked.sort_by(|a, b| a.1.cmp(b.1));
    let rank: HashMap<i64, usize> = ranked
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (**id, i))
        .collect();
    let mut rows: Vec<((i64, usize), i64, StatusCounts)> = sums
        .into_iter()
        .filter_map(|((day, id), n)| rank.get(&id).map(|&r| ((day, r), id, n)))
        .collect();
    rows.sort_unstable_by_key(|(order, _, _)| *order);
    rows.into_iter()
        .map(|((day, _), id, counts)| {
            Ok(DayCounts {
                day: codec::day_of(day)?,
                key: keys[&id].clone(),
                counts,
            })
        })
        .collect()
}

pub fn samples(
    c: &mut Conn,
    suite: &str,
    scopes: &[String],
    days: &[NaiveDate],
) -> Result<Vec<Sample>, Fail> {
    let ids = scope_ids(c, suite, scopes)?;
    let mut found: Vec<(i64, i64, i64, Option<String>)> = Vec::new();
    for &d in days {
        let (start, end) = (
            codec::day_start(d),
            codec::day_start(d + TimeDelta::days(1)),
        );
        for &scope in &ids {
            // The results started that day, of the runs of the scope that overlap it.
            c.each(
                "SELECT d.started, d.item_id, d.status, d.kind FROM runs u \
                 JOIN details d ON d.run_key = u.key \
                 WHERE u.scope_id = $1 AND u.started < $2 AND u.finished >= $3 \
                 AND d.started >= $3 AND d.started < $2",
                &[P::I(scope), P::I(end), P::I(start)],
                &mut |r| {
                    found.push((r.i(0)?, r.i(1)?, r.i(2)?, r.os(3)?));
                    Ok(())
                },
            )?;
        }
    }
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let keys = item_keys(c)?;
    found.sort_by_key(|(at, id, _, _)| (*at, *id));
    found
        .into_iter()
        .filter_map(|(at, id, status, kind)| keys.get(&id).map(|k| (at, k, status, kind)))
        .map(|(at, k, status, kind)| {
            Ok(Sample {
                started: codec::time_of(at),
                key: k.clone(),
                status: codec::status_of(status)?,
                kind,
            })
        })
        .collect()
}

pub fn catalog(c: &mut Conn, suite: &str) -> Result<Catalog, Fail> {
    let nodes = c.rows(
        "SELECT id, name, level, kind, parent, path, region, host FROM catalog_nodes \
         WHERE suite = $1 ORDER BY pos, id",
        &[P::T(suite)],
        |r| {
            let level = r.s(2)?;
            let kind = r.s(3)?;
            Ok(NodeInfo {
                id: r.s(0)?,
                name: r.s(1)?,
                level: Level::parse(&level)
                    .ok_or_else(|| Fail::Db(format!("unknown level {level}")))?,
                kind: Kind::parse(&kind).ok_or_else(|| Fail::Db(format!("unknown kind {kind}")))?,
                parent: r.os(4)?,
                path: r.s(5)?,
                region: r.os(6)?,
                host: r.os(7)?,
            })
        },
    )?;
    let checks = c.rows(
        "SELECT id, name, severity, probe FROM catalog_checks WHERE suite = $1 ORDER BY pos, id",
        &[P::T(suite)],
        |r| {
            Ok(CheckInfo {
                id: r.s(0)?,
                name: r.s(1)?,
                severity: codec::severity_of(r.i(2)?)?,
                probe: r.s(3)?,
            })
        },
    )?;
    let apps = c.rows(
        "SELECT id, name FROM catalog_apps WHERE suite = $1 ORDER BY pos, id",
        &[P::T(suite)],
        |r| {
            Ok(AppInfo {
                id: r.s(0)?,
                name: r.s(1)?,
            })
        },
    )?;
    Ok(Catalog {
        nodes,
        checks,
        apps,
    })
}

pub fn suites(c: &mut Conn) -> Result<Vec<(String, String)>, Fail> {
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    c.each(
        "SELECT suite, suite_name FROM runs ORDER BY started, key",
        &[],
        &mut |r| {
            latest.insert(r.s(0)?, r.s(1)?);
            Ok(())
        },
    )?;
    Ok(latest.into_iter().collect())
}
