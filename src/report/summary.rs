//! The terminal summary at the end of a run: counts by status, failures grouped by province
//! (with the last hop that answered, for a failure that carries its path), the slowest
//! checks, the duration. Made from the finished [`Results`] alone.
//!
//! A province is the HTML report's ([`NodeIndex::province_of`]), so a failure is listed
//! under the node whose row of the readiness matrix it counts in.
//!
//! Names, messages and targets come from the inventory and from the targets: each is shown
//! on one line with its control characters in caret form ([`visible::line`]), so that a
//! node name cannot retitle or recolour the operator's terminal, nor a message forge a line.
//!
//! [`visible::line`]: crate::diag::visible::line()
//!
//! [`NodeIndex::province_of`]: crate::results::NodeIndex::province_of

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::text::{FIELD_CAP, cap};
use crate::diag::visible::line;
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
        line(&r.run.suite_name),
        line(&r.run.suite),
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
        // Failures an expired waiver would have covered: said here too, since they are what
        // fails the run that the waiver's owner may believe excused.
        let lapsed = match r
            .results
            .iter()
            .filter(|x| x.waiver_expired.is_some())
            .count()
        {
            0 => String::new(),
            1 => " (1 failure not waived)".to_string(),
            n => format!(" ({n} failures not waived)"),
        };
        let _ = writeln!(
            out,
            "  waivers: {} in force ({used} used, {} unused), {} expired{lapsed}",
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
            r.not_run(),
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
        let _ = writeln!(
            out,
            "\n  {n} checks errored: {}",
            line(&cap(msg, FIELD_CAP))
        );
    }
    let is_repeated = |x: &ResultRecord| {
        x.status == Status::Errored && repeated.iter().any(|(m, _)| *m == x.message)
    };

    // The provincial-level node on the path, else the national centre; listed by id.
    let ix = r.node_index();
    let mut by_province: BTreeMap<(&str, &str), Vec<&ResultRecord>> = BTreeMap::new();
    for x in &r.results {
        if matches!(x.status, Status::Failed | Status::Errored) && !is_repeated(x) {
            // Only a record without any node has no province: the node stands for itself.
            let (id, name) = ix
                .province(&x.node)
                .map_or((x.node.as_str(), x.node.as_str()), |p| {
                    (p.id.as_str(), p.name.as_str())
                });
            by_province.entry((id, name)).or_default().push(x);
        }
    }
    if !by_province.is_empty() {
        let _ = writeln!(out, "\nFailures by province:");
        for ((p, name), xs) in &by_province {
            let failed = xs.iter().filter(|x| x.status == Status::Failed).count();
            let _ = writeln!(
                out,
                "  {} ({}): {failed} failed, {} errored",
                line(name),
                line(p),
                xs.len() - failed
            );
            for x in xs.iter().take(PER_PROVINCE) {
                let _ = writeln!(
                    out,
                    "    {:<24} {:<28} {:<7} {}",
                    line(&x.node),
                    label(x),
                    x.status.as_str(),
                    // Capped as in the reports: a target's 100 MB message is not for a
                    // terminal.
                    line(&cap(&x.message, FIELD_CAP))
                );
                // The path traced at the failure: the last hop that answered is where an
                // engineer starts on site.
                if let Some(path) = crate::results::links::path_text(&x.measurements) {
                    let hop = crate::results::links::last_hop(&x.measurements).unwrap_or("none");
                    let _ = writeln!(
                        out,
                        "      last hop that answered: {}  (path: {})",
                        line(hop),
                        line(&cap(&path, FIELD_CAP))
                    );
                }
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
                line(&x.node),
                label(x),
                line(&x.target)
            );
        }
    }
    out
}

/// `check` or `check/app`, shown on one line.
fn label(x: &ResultRecord) -> String {
    let label = match &x.app {
        Some(a) => format!("{}/{a}", x.check),
        None => x.check.clone(),
    };
    line(&label).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::{Lang, html};

    /// A record where "the second id of the path" (the summary's old rule) and "the
    /// provincial-level node on the path" part ways: a prefecture directly under the centre,
    /// with a county of its own, and a result for a node the record does not list.
    fn record() -> Results {
        let node = |id: &str, level: &str, path: &str| {
            json!({"id": id, "name": id.to_uppercase(), "level": level, "kind": "safety",
                   "parent": null, "path": path, "region": null, "host": null})
        };
        let rec = |node: &str, status: &str, message: &str| {
            json!({"node": node, "check": "net.icmp", "app": null, "status": status,
                   "severity": "major", "started": "2026-03-15T02:00:00Z", "duration_ms": 1.0,
                   "attempts": 1, "message": message, "measurements": {},
                   "target": "127.0.0.1"})
        };
        serde_json::from_value(json!({
            "format": crate::results::FORMAT,
            "run": {"id": "t", "suite": "s", "suite_name": "S",
                    "started": "2026-03-15T02:00:00Z", "finished": "2026-03-15T02:00:01Z",
                    "complete": true, "vantage": "v", "inventory_sha256": "",
                    "suite_sha256": "", "netaccept_version": "0", "planned": 7},
            "summary": {"passed": 1, "failed": 4, "errored": 2, "skipped": 0, "waived": 0},
            "nodes": [
                node("national", "national", "national"),
                node("sx", "provincial", "national.sx"),
                node("sx-dt", "prefectural", "national.sx.sx-dt"),
                node("lab", "prefectural", "national.lab"),
                node("lab-a", "county", "national.lab.lab-a"),
            ],
            "results": [
                rec("national", "passed", ""),
                rec("sx", "failed", "down"),
                rec("sx-dt", "errored", "no route"),
                rec("lab", "failed", "down"),
                rec("lab-a", "errored", "no route"),
                rec("lab-a", "failed", "down"),
                rec("gone", "failed", "down"),
            ],
            "checks": [{"id": "net.icmp", "name": "ICMP", "severity": "major", "probe": "icmp"}],
            "apps": [],
        }))
        .expect("a Results record")
    }

    /// The summary's "Failures by province" headings: (id, failed, errored), in its order.
    fn summary_provinces(text: &str) -> Vec<(String, usize, usize)> {
        let (_, rest) = text
            .split_once("Failures by province:\n")
            .expect("a failures section");
        rest.lines()
            .take_while(|l| l.starts_with("  "))
            .filter(|l| !l.starts_with("    "))
            .map(|l| {
                let (head, counts) = l.rsplit_once("): ").expect("NAME (ID): counts");
                let (_, id) = head.rsplit_once(" (").expect("NAME (ID)");
                let n: Vec<usize> = counts
                    .split(", ")
                    .map(|c| c.split(' ').next().unwrap().parse().unwrap())
                    .collect();
                (id.to_string(), n[0], n[1])
            })
            .collect()
    }

    /// The ids in `<span class="id">…</span>` after each `open` within `<section id="ID">`.
    fn html_ids(page: &str, section: &str, open: &str) -> Vec<String> {
        let start = page.find(&format!("<section id=\"{section}\"")).unwrap();
        let end = start + page[start..].find("</section>").unwrap();
        page[start..end]
            .split(open)
            .skip(1)
            .filter_map(|s| {
                let s = s.split('\n').next()?;
                let (_, id) = s.split_once("<span class=\"id\">")?;
                Some(id.split_once("</span>")?.0.to_string())
            })
            .collect()
    }

    #[test]
    fn failures_by_province_group_as_the_html_report_does() {
        let r = record();
        let summary = summary_provinces(&render(&r));
        // lab and lab-a are under no province, and gone is not listed: all with the centre.
        assert_eq!(
            summary,
            [("national".to_string(), 3, 1), ("sx".to_string(), 1, 1)]
        );

        // The readiness matrix's groups, with the same failures in them.
        let mut groups: Vec<(String, usize, usize)> = html::province_groups(&r)
            .iter()
            .map(|g| {
                let n = |s| g.results.iter().filter(|x| x.status == s).count();
                (g.node.id.clone(), n(Status::Failed), n(Status::Errored))
            })
            .filter(|&(_, f, e)| f + e > 0)
            .collect();
        groups.sort();
        assert_eq!(groups, summary);

        // And the page itself: one matrix row per group, the failures under the same headings.
        let page = html::render(&r, Lang::En);
        assert_eq!(
            html_ids(&page, "matrix", "<td class=\"rowhead\">"),
            ["national", "sx"]
        );
        assert_eq!(html_ids(&page, "failures", "<h3>"), ["national", "sx"]);
    }

    #[test]
    fn a_failure_with_its_path_shows_the_last_hop_that_answered() {
        let mut r = record();
        let before = render(&r);
        assert!(!before.contains("last hop"));
        let failed = r
            .results
            .iter_mut()
            .find(|x| x.status == Status::Failed)
            .unwrap();
        failed.measurements.insert(
            "path".into(),
            json!([{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.2},
                {"ttl": 2, "addr": null, "rtt_ms": null}]),
        );
        failed
            .measurements
            .insert("path_last_hop".into(), json!("198.18.1.2"));
        let after = render(&r);
        assert!(
            after.contains("\n      last hop that answered: 198.18.1.2  (path: 198.18.1.2 → *)\n"),
            "{after}"
        );
    }

    #[test]
    fn a_huge_message_is_capped_in_the_summary_as_in_the_reports() {
        let mut r = record();
        r.results[1].message = "x".repeat(10_000_000);
        let text = render(&r);
        assert!(text.len() < 20_000, "{} bytes", text.len());
        assert!(text.contains(crate::report::text::TRUNCATED));
    }
}
