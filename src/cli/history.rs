//! `netaccept history list|show|import`, `diff` and `availability`: the arguments resolved,
//! the engine asked, the answer printed (tables or JSON on stdout; the availability report
//! written as a file), and the exit code (`diff`: 1 when there are new failures).

use super::args::{
    AvailabilityArgs, DiffArgs, HistoryCommand, HistoryImportArgs, HistoryListArgs,
    HistoryShowArgs, HistoryStoreArgs, TableFormat,
};
use crate::engine::history::{self as eh, AvailabilityRequest, DiffRequest};
use crate::error::Error;
use crate::exit::Exit;
use crate::history::{Location, RunFilter, SeriesFilter};
use crate::model::beijing;
use crate::report::diff::Names;
use crate::trend::{Period, Tolerance};

impl HistoryStoreArgs {
    pub fn location(&self) -> Location {
        eh::location(self.history.as_deref())
    }
}

pub fn history(command: &HistoryCommand) -> Result<Exit, Error> {
    match command {
        HistoryCommand::List(a) => list(a),
        HistoryCommand::Show(a) => show(a),
        HistoryCommand::Import(a) => import(a),
    }
}

fn list(a: &HistoryListArgs) -> Result<Exit, Error> {
    let runs = eh::list(
        &a.store.location(),
        &RunFilter {
            suite: a.suite.clone(),
            vantage: a.vantage.clone(),
            node: a.node.clone(),
            limit: Some(a.limit),
            ..RunFilter::default()
        },
    )?;
    let out = match a.format {
        TableFormat::Table => crate::report::history::runs_table(&runs),
        TableFormat::Json => crate::report::history::runs_json(&runs),
    };
    super::print(&out)
}

fn show(a: &HistoryShowArgs) -> Result<Exit, Error> {
    let (points, catalog) = eh::show(
        &a.store.location(),
        &SeriesFilter {
            node: a.node.clone(),
            suite: a.suite.clone(),
            scopes: None,
            check: a.check.clone(),
            app: a.app.clone(),
            from: a.from.map(beijing::day_start),
            to: a
                .to
                .map(|d| beijing::day_start(d + chrono::TimeDelta::days(1))),
        },
    )?;
    let names = Names::from_catalog(&catalog);
    let out = match a.format {
        TableFormat::Table => crate::report::history::series_table(&points, &names),
        TableFormat::Json => crate::report::history::series_json(&points, &names),
    };
    super::print(&out)
}

fn import(a: &HistoryImportArgs) -> Result<Exit, Error> {
    let location = a.store.location();
    let done = eh::import(&location, &a.paths)?;
    super::say(&format!(
        "imported {} run(s) into {}; {} already there\n",
        done.new.len(),
        crate::diag::visible::line(&location.to_string()),
        done.already.len()
    ));
    Ok(Exit::Ok)
}

pub fn diff(a: &DiffArgs) -> Result<Exit, Error> {
    let (diff, catalog) = eh::diff(
        &a.store.location(),
        &DiffRequest {
            a: a.a.clone(),
            b: a.b.clone(),
            suite: a.suite.clone(),
            vantage: a.vantage.clone(),
            tolerance: Tolerance {
                time_ratio: a.tolerance,
                time_floor_ms: a.min_change.as_std().as_secs_f64() * 1000.0,
                loss_points: a.loss_points,
            },
        },
    )?;
    let names = Names::from_catalog(&catalog);
    let out = match a.format {
        TableFormat::Table => crate::report::diff::table(&diff, &names),
        TableFormat::Json => crate::report::diff::json(&diff, &names),
    };
    super::print(&out)?;
    // For cron: something broke since the last run.
    Ok(if diff.new_failures.is_empty() {
        Exit::Ok
    } else {
        Exit::ChecksFailed
    })
}

pub fn availability(a: &AvailabilityArgs) -> Result<Exit, Error> {
    if a.to < a.from {
        return Err(Error::HistoryQuery(format!(
            "--to {} is before --from {}",
            a.to, a.from
        )));
    }
    let report = eh::availability(
        &a.store.location(),
        &AvailabilityRequest {
            period: Period {
                from: a.from,
                to: a.to,
            },
            suite: a.suite.clone(),
            vantage: a.vantage.clone(),
            merged: a.merged,
            maintenance: a.maintenance.clone(),
        },
    )?;
    let path = a.output.clone().unwrap_or_else(|| {
        std::path::PathBuf::from("reports").join(format!("availability-{}_{}.html", a.from, a.to))
    });
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::Reports {
            failures: vec![(parent.to_path_buf(), e)],
            interrupted: false,
        })?;
    }
    let html = crate::report::availability::html(&report, a.lang.into());
    crate::report::write_atomic(&path, html.as_bytes()).map_err(|e| Error::Reports {
        failures: vec![(path.clone(), e)],
        interrupted: false,
    })?;
    let out = match a.format {
        TableFormat::Table => format!(
            "{}\nreport: {}\n",
            crate::report::availability::table(&report),
            crate::diag::visible::line(&path.display().to_string())
        ),
        TableFormat::Json => crate::report::availability::json(&report),
    };
    super::print(&out)
}
