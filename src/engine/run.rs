//! One run: the output folder and the run's identity, the probers' shared state, the runner
//! on a runtime of its own, every event passed to the reporters (progress, journal, the
//! record), waivers applied. Returns the finished record; writing the report files is
//! [`super::write_reports`], a step of its own.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;

use super::{Finished, RunConfig, Shutdown, identity, output, runtime};
use crate::error::Error;
use crate::event::Event;
use crate::load::Loaded;
use crate::model::Probe;
use crate::plan::Plan;
use crate::probe::Context;
use crate::report::journal::Journal;
use crate::report::progress::{Mode as ProgressShown, Progress, Style as ProgressStyle};
use crate::report::{RecordBook, Recorder, Reporter, ReporterError, waive};

/// Runs the plan made from `loaded` and returns its record, waivers applied. `loaded` must
/// hold a suite (the plan was made from it).
pub fn run(
    loaded: Loaded,
    plan: Plan,
    cfg: &RunConfig,
    shutdown: Shutdown,
) -> Result<Finished, Error> {
    let suite = loaded.suite.as_ref().expect("a planned run has a suite");
    let now = Utc::now();
    let dir = output::prepare(cfg.output.clone(), &suite.id, now)?;
    let meta = identity::meta(
        &loaded,
        &suite.id,
        now,
        cfg.selection.clone(),
        cfg.operator.clone(),
        // The whole plan is the root's share with every other vantage's folded in.
        cfg.vantage.clone().unwrap_or_else(|| {
            let inv = &loaded.inventory;
            inv.node(inv.root).id.clone()
        }),
        cfg.shard.map(|s| crate::results::Shard {
            index: s.index,
            count: s.count,
        }),
    );
    let book = Arc::new(RecordBook::new(
        &plan,
        &loaded.inventory,
        suite,
        meta.vantage.clone(),
    ));
    // The run's first writes, before any traffic: a folder that cannot take the reports is
    // an error now (exit 3, nothing sent), not after the checks.
    output::prove_writable(&dir)?;
    let journal_path = dir.join("journal.jsonl");
    let outline = book.outline(&meta, now, plan.items.len());
    let mut journal = Journal::create(&journal_path, book.clone(), &outline).map_err(|source| {
        Error::Unwritable {
            dir: dir.clone(),
            source,
        }
    })?;
    drop(outline);
    tracing::info!(
        run = %meta.id,
        dir = %dir.display(),
        items = plan.items.len(),
        "run started"
    );
    let inventory = &loaded.inventory;
    let runtime = runtime()?;
    let base_dir = suite.base_dir.clone();
    let waivers = loaded.waivers;
    let records = runtime.block_on(async move {
        let cx = Arc::new(
            Context::new(&base_dir)
                .icmp_interval(cfg.icmp_interval)
                .reuse_connections(cfg.reuse_connections),
        );
        let mut warnings = Vec::new();
        let uses_icmp = plan
            .items
            .iter()
            .any(|it| matches!(it.probe, Probe::Icmp(_)));
        if let (true, Some(problem)) = (uses_icmp, cx.icmp.permission_problem()) {
            // Said once here, not once per ICMP check.
            warnings.push(format!(
                "{problem}\n         ICMP checks will be `errored`; everything else runs.\n"
            ));
        }
        let cancel = shutdown.token();
        let mut limits = cfg.limits.clone();
        // After the probers' shared state is made: its sockets count as open.
        if let Some(lowered) = super::fd_limit::fit(&mut limits) {
            warnings.push(lowered);
        }
        let mut progress = Progress::styled(ProgressStyle {
            mode: match cfg.progress {
                super::ProgressMode::Bar => ProgressShown::Bar,
                super::ProgressMode::Lines => ProgressShown::Lines,
                super::ProgressMode::Off => ProgressShown::Off,
            },
            lang: cfg.terminal.lang,
            color: cfg.terminal.color,
        });
        let mut recorder = Recorder::new(book, plan.items.len());

        let plan = Arc::new(plan);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let runner = tokio::spawn({
            let (plan, cx, cancel) = (plan.clone(), cx.clone(), cancel.clone());
            async move { crate::run::run(plan, cx, &limits, cancel, tx).await }
        });
        {
            let mut reporters = Reporters {
                live: vec![
                    Some(&mut progress as &mut dyn Reporter),
                    Some(&mut journal as &mut dyn Reporter),
                    Some(&mut recorder as &mut dyn Reporter),
                ],
            };
            for message in warnings {
                reporters.send(&Event::Warning { message });
            }
            while let Some(ev) = rx.recv().await {
                if let Event::CheckFinished { item, result } = &ev {
                    log_finished(inventory, &plan.items[*item], result);
                }
                reporters.send(&ev);
                if rx.is_empty() {
                    reporters.flush();
                }
            }
            reporters.finish();
        }
        let _ = runner.await;
        recorder
    });
    // The plan, the probes' shared state (clients, sockets) and the runtime are done with:
    // freed before the reports, the run's last large piece of work.
    drop(runtime);
    let mut results = records.results(&meta);
    if let Some(w) = &waivers {
        waive::apply(&mut results, &w.waivers);
    }
    let s = &results.summary;
    tracing::info!(
        run = %results.run.id,
        complete = results.run.complete,
        passed = s.passed,
        failed = s.failed,
        errored = s.errored,
        skipped = s.skipped,
        waived = s.waived,
        "run finished"
    );
    Ok(Finished { results, dir })
}

/// One item's verdict in the logs (debug): ids, status, time and attempts. Never the
/// message, the target or a measurement: what a target said is for the reports, which cap
/// and scrub it, and the ids are the inventory's and the suite's own names (a filled
/// template's secrets are in none of them).
fn log_finished(
    inventory: &crate::model::Inventory,
    item: &crate::plan::PlanItem,
    result: &crate::event::ItemResult,
) {
    tracing::debug!(
        node = %inventory.node(item.node).id,
        check = %item.label,
        status = result.status.as_str(),
        duration_ms = result.duration.as_secs_f64() * 1e3,
        attempts = result.attempts,
        "check finished"
    );
}

/// The run's reporters, each given every event in order; one that fails is taken out and
/// the others are told why, once.
struct Reporters<'a> {
    live: Vec<Option<&'a mut dyn Reporter>>,
}

impl Reporters<'_> {
    fn send(&mut self, event: &Event) {
        self.each(|r| r.on_event(event));
    }

    fn flush(&mut self) {
        self.each(|r| r.flush());
    }

    fn finish(&mut self) {
        self.each(|r| r.finish());
    }

    fn each(&mut self, mut f: impl FnMut(&mut dyn Reporter) -> Result<(), ReporterError>) {
        let mut failures = Vec::new();
        for slot in &mut self.live {
            if let Some(r) = slot
                && let Err(e) = f(&mut **r)
            {
                failures.push(e.to_string());
                *slot = None;
            }
        }
        for message in failures {
            self.send(&Event::Warning { message });
        }
    }
}
