//! `cargo xtask history-fixture`: a year (or any number of nights) of nightly runs made from
//! one results file (the national run's), recorded through `history::Store::record` into a
//! new SQLite store, for the history benchmark (`cargo xtask history-bench`, `bench/run`).
//!
//! Deterministic for a seed: night `i` of `N` starts at 02:00 Beijing time, the last one on
//! 2026-11-30; a small share of items fails (some flapping from night to night, some down
//! for weeks on end, some every night), and every RTT drifts over the year. Timings are taken in a release
//! build: a debug build runs this task again with `--release`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use netaccept::history::{Access, Location, Recorded, Store};
use netaccept::results::{Results, Status, Summary};

use crate::{Error, Outcome};

pub const USAGE: &str = "--results R.json --nights N --out FILE.sqlite|postgres://… [--seed S]";

/// The last night's start: 2026-11-30 02:00 at UTC+8.
const LAST_NIGHT: &str = "2026-11-30T02:00:00+08:00";

/// Shares of items, in per mille: flapping (failed on about 40 % of the nights), down for
/// weeks (one outage of 1 to 6 weeks somewhere in the period), and down every night (links
/// never brought up: hundreds of items whose streak began on the first night).
const FLAPPING_PER_MILLE: u64 = 5;
const OUTAGE_PER_MILLE: u64 = 3;
const ALWAYS_PER_MILLE: u64 = 10;

struct Args {
    results: PathBuf,
    nights: u32,
    /// A SQLite file, or a PostgreSQL database (to time recording there).
    out: Location,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Args, Error> {
    let (mut results, mut nights, mut out, mut seed) = (None, None, None, 17_u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| Error::Usage(format!("{a} needs a value")))
        };
        match a.as_str() {
            "--results" => results = Some(crate::cmd::from_caller(value()?)),
            "--out" => {
                let v = value()?;
                out = Some(match Location::parse(&v) {
                    Location::Sqlite(p) => Location::Sqlite(crate::cmd::from_caller(p)),
                    pg @ Location::Postgres(_) => pg,
                });
            }
            "--nights" => {
                nights = Some(
                    value()?
                        .parse()
                        .map_err(|_| Error::Usage("--nights takes a number of nights".into()))?,
                );
            }
            "--seed" => {
                seed = value()?
                    .parse()
                    .map_err(|_| Error::Usage("--seed takes a number".into()))?;
            }
            other => return Err(Error::Usage(format!("unexpected argument {other:?}"))),
        }
    }
    Ok(Args {
        results: results.ok_or_else(|| Error::Usage("--results is required".into()))?,
        nights: nights.ok_or_else(|| Error::Usage("--nights is required".into()))?,
        out: out.ok_or_else(|| Error::Usage("--out is required".into()))?,
        seed,
    })
}

/// In a debug build, the same task again from a release build (timings and a year of
/// records need it); `None` when this is that build.
pub fn in_release(task: &str, args: Vec<String>) -> Option<Outcome> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let mut cmd = crate::cmd::cargo(["run", "--release", "--quiet", "--package", "xtask", "--"]);
    cmd.arg(task).args(args);
    Some(crate::cmd::run(cmd))
}

/// SplitMix64: a fixed, seedable sequence, so the same seed makes the same store.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn draw(seed: u64, a: u64, b: u64) -> u64 {
    mix(seed ^ mix(a ^ mix(b)))
}

pub fn run(args: &[String]) -> Outcome {
    let a = parse(args)?;
    if let Some(done) = in_release(
        "history-fixture",
        vec![
            "--results".into(),
            a.results.display().to_string(),
            "--nights".into(),
            a.nights.to_string(),
            "--out".into(),
            match &a.out {
                Location::Sqlite(p) => p.display().to_string(),
                Location::Postgres(c) => c.clone(),
            },
            "--seed".into(),
            a.seed.to_string(),
        ],
    ) {
        return done;
    }
    if let Location::Sqlite(p) = &a.out
        && p.exists()
    {
        return Err(Error::Failed(format!(
            "{} exists: the fixture is written to a new file",
            p.display()
        )));
    }
    let base = netaccept::report::json::read(&a.results)
        .map_err(|e| Error::Failed(format!("{}: {e:?}", a.results.display())))?;
    let mut store = Store::open(&a.out, Access::Write).map_err(|e| Error::Failed(e.to_string()))?;
    let last = DateTime::parse_from_rfc3339(LAST_NIGHT)
        .expect("a fixed date")
        .with_timezone(&Utc);
    let n = a.nights;
    let mut times = Vec::with_capacity(n as usize);
    let started = Instant::now();
    for i in 0..n {
        let at = last - TimeDelta::days(i64::from(n - 1 - i));
        let night = make_night(&base, a.seed, i, n, at);
        let t = Instant::now();
        match store.record(&night) {
            Ok(Recorded::New(_)) => {}
            // A PostgreSQL database used before: its nights are there already, not timed.
            Ok(Recorded::Already(_)) => continue,
            Err(e) => return Err(Error::Failed(e.to_string())),
        }
        times.push(t.elapsed().as_secs_f64());
        if (i + 1) % 30 == 0 || i + 1 == n {
            eprintln!(
                "{}/{n} nights, {:.0} s, last record {:.3} s",
                i + 1,
                started.elapsed().as_secs_f64(),
                times[times.len() - 1]
            );
        }
    }
    drop(store); // the last connection closed: the WAL is checkpointed into the file
    let results = base.results.len();
    if let Location::Sqlite(p) = &a.out {
        let size = file_size(p);
        println!(
            "{}: {n} nights of {results} results, {:.1} MiB, {:.2} MiB per night ({:.0} bytes per result)",
            p.display(),
            size as f64 / 1_048_576.0,
            size as f64 / 1_048_576.0 / f64::from(n.max(1)),
            size as f64 / (f64::from(n.max(1)) * results as f64)
        );
    }
    let median = |v: &mut [f64]| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let tail = times.len().saturating_sub(30);
    println!(
        "record: first night {:.3} s, median {:.3} s, median of the last 30 nights {:.3} s, max {:.3} s",
        times.first().copied().unwrap_or(0.0),
        median(&mut times.clone()),
        median(&mut times[tail..].to_vec()),
        times.iter().copied().fold(0.0, f64::max)
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// The file with its WAL, if one is left.
fn file_size(p: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", p.display()));
    [p, wal.as_path()]
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

/// Night `i` of `n`: the base run moved to `at`, its id made unique, some items failed and
/// every RTT drifted.
fn make_night(base: &Results, seed: u64, i: u32, n: u32, at: DateTime<Utc>) -> Results {
    let mut r = base.clone();
    let shift = at - base.run.started;
    r.run.id = format!(
        "{}-{}-fixture",
        r.run.suite,
        netaccept::model::beijing::local(at).format("%Y%m%dT%H%M")
    );
    r.run.started += shift;
    r.run.finished += shift;
    let night = u64::from(i);
    // Over the period RTTs grow by up to a fifth, with a weekly wave of ±5 %.
    let drift = 1.0
        + 0.2 * f64::from(i) / f64::from(n.max(1))
        + 0.05 * (f64::from(i) * std::f64::consts::TAU / 7.0).sin();
    for (k, rec) in r.results.iter_mut().enumerate() {
        rec.started += shift;
        let item = k as u64;
        let kind = draw(seed, item, u64::MAX) % 1000;
        let failing = if kind < FLAPPING_PER_MILLE {
            draw(seed, item, night) % 100 < 40
        } else if kind < FLAPPING_PER_MILLE + OUTAGE_PER_MILLE {
            let len = 7 + draw(seed, item, 1) % 36;
            let start = draw(seed, item, 2) % u64::from(n.max(1));
            night >= start && night < start + len
        } else {
            kind < FLAPPING_PER_MILLE + OUTAGE_PER_MILLE + ALWAYS_PER_MILLE
        };
        if failing && rec.status == Status::Passed {
            rec.status = Status::Failed;
            rec.kind = Some("ConnectionRefused".into());
            rec.message = format!("{}: connection refused (history fixture)", rec.target);
        }
        for m in ["rtt_avg_ms", "rtt_min_ms", "rtt_max_ms", "time_ms"] {
            if let Some(v) = rec.measurements.get(m).and_then(serde_json::Value::as_f64) {
                let jitter = 1.0 + (draw(seed, item, night) % 100) as f64 / 1000.0;
                let x = (v * drift * jitter * 1000.0).round() / 1000.0;
                rec.measurements.insert(m.into(), serde_json::json!(x));
            }
        }
    }
    r.summary = Summary::of(&r.results);
    r
}
