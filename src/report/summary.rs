//! The terminal summary at the end of a run: counts by status, failures grouped by province,
//! the slowest checks, the duration. Made from the finished [`Results`] alone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::results::{ResultRecord, Results, Status, WaiverState};

/// Failures listed per province before "… and N more".
const PER_PROVINCE: usize = 10;
const SLOWEST: usize = 5;

pub fn render(r: &Results) -> String {
    let mut out = String::new();
    let secs = (r.run.finished - r.run.started).num_milliseconds() as f64 / 1e3;
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n{} ({}): {} checks in {secs:.1} s{}",
        r.run.suite_name,
        r.run.suite,
        s.total(),
        if r.run.complete {
            ""
        } else {
            ", INTERRUPTED: incomplete"
        }
    );
    let _ = writeln!(
        out,
        "  {} passed, {} failed, {} errored, {} skipped, {} waived",
        s.passed, s.failed, s.errored, s.skipped, s.waived
    );
    if !r.waivers.is_empty() {
        let in_force = r.waivers.iter().filter(|w| w.state == WaiverState::InForce);
        let used = in_force.clone().filter(|w| w.used > 0).count();
        let _ = writeln!(
            out,
            "  waivers: {} in force ({used} used, {} unused), {} expired",
            in_force.count(),
            r.waivers
                .iter()
                .filter(|w| w.state == WaiverState::InForce && w.used == 0)
                .count(),
            r.waivers
                .iter()
                .filter(|w| w.state == WaiverState::Expired)
                .count()
        );
    }
    if !r.run.complete {
        let _ = writeln!(
            out,
            "  {} of {} planned checks have no result",
            r.run.planned.saturating_sub(s.total()),
            r.run.planned
        );
    }

    // One cause behind many errors (ICMP not permitted) is said once, not per check.
    let mut common: BTreeMap<&str, usize> = BTreeMap::new();
    for x in r.results.iter().filter(|x| x.status == Status::Errored) {
        *common.entry(x.message.as_str()).or_default() += 1;
    }
    let repeated: Vec<(&str, usize)> = common.into_iter().filter(|(_, n)| *n > 3).collect();
    for (msg, n) in &repeated {
        let _ = writeln!(out, "\n  {n} checks errored: {msg}");
    }
    let is_repeated = |x: &ResultRecord| {
        x.status == Status::Errored && repeated.iter().any(|(m, _)| *m == x.message)
    };

    let names: BTreeMap<&str, (&str, &str)> = r
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), (n.name.as_str(), n.path.as_str())))
        .collect();
    // The province is the second id of the path; the national centre stands for itself.
    let province_of = |node: &str| -> String {
        let path = names.get(node).map(|(_, p)| *p).unwrap_or(node);
        let mut ids = path.split('.');
        let root = ids.next().unwrap_or(node);
        ids.next().unwrap_or(root).to_string()
    };
    let mut by_province: BTreeMap<String, Vec<&ResultRecord>> = BTreeMap::new();
    for x in &r.results {
        if matches!(x.status, Status::Failed | Status::Errored) && !is_repeated(x) {
            by_province.entry(province_of(&x.node)).or_default().push(x);
        }
    }
    if !by_province.is_empty() {
        let _ = writeln!(out, "\nFailures by province:");
        for (p, xs) in &by_province {
            let name = names.get(p.as_str()).map(|(n, _)| *n).unwrap_or(p);
            let failed = xs.iter().filter(|x| x.status == Status::Failed).count();
            let _ = writeln!(
                out,
                "  {name} ({p}): {failed} failed, {} errored",
                xs.len() - failed
            );
            for x in xs.iter().take(PER_PROVINCE) {
                let _ = writeln!(
                    out,
                    "    {:<24} {:<28} {:<7} {}",
                    x.node,
                    label(x),
                    x.status.as_str(),
                    x.message
                );
            }
            if xs.len() > PER_PROVINCE {
                let _ = writeln!(out, "    … and {} more", xs.len() - PER_PROVINCE);
            }
        }
    }

    let mut ran: Vec<&ResultRecord> = r.results.iter().filter(|x| x.attempts > 0).collect();
    ran.sort_by(|a, b| b.duration_ms.total_cmp(&a.duration_ms));
    if !ran.is_empty() {
        let _ = writeln!(out, "\nSlowest checks:");
        for x in ran.iter().take(SLOWEST) {
            let _ = writeln!(
                out,
                "  {:>9.1} ms  {:<24} {:<28} {}",
                x.duration_ms,
                x.node,
                label(x),
                x.target
            );
        }
    }
    out
}

fn label(x: &ResultRecord) -> String {
    match &x.app {
        Some(a) => format!("{}/{a}", x.check),
        None => x.check.clone(),
    }
}
