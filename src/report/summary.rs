//! The terminal summary at the end of a run: counts by status, failures grouped by province
//! (with the last hop that answered, for a failure that carries its path), the slowest
//! checks, the duration; then the verdict line ([`verdict_line`]), the run in one line.
//! Made from the finished [`Results`] alone, in the HTML report's language and words (its
//! `html::strings` table: 通过, 失败, 验收结论…), in colour only when the caller says so.
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

use super::Lang;
use super::html::strings::{fill, strings};
use super::text::{FIELD_CAP, cap};
use crate::diag::visible::line;
use crate::results::{ResultRecord, Results, Status, WaiverState};

/// Failures listed per province before "… and N more".
const PER_PROVINCE: usize = 10;
const SLOWEST: usize = 5;

/// The summary in English without colour (what the library's callers and the tests of
/// names read); [`render_in`] for a language and colour.
pub fn render(r: &Results) -> String {
    render_in(r, Lang::En, false)
}

/// The summary in `lang`, with the report's own words for statuses (its `strings`
/// table), and the statuses in colour when `color`. The verdict line is apart
/// ([`verdict_line`]): under `-q` it is all that is printed.
pub fn render_in(r: &Results, lang: Lang, color: bool) -> String {
    let t = strings(lang);
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let secs = (r.run.finished - r.run.started).num_milliseconds() as f64 / 1e3;
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n{}{}{}{}{}{}",
        line(&r.run.suite_name),
        if zh { "（" } else { " (" },
        line(&r.run.suite),
        if zh { "）" } else { ")" },
        t.colon,
        fill(
            t.term_checks_in,
            &[
                ("n", &s.total().to_string()),
                ("secs", &format!("{secs:.1}"))
            ]
        ) + if r.run.complete {
            ""
        } else {
            t.term_interrupted
        }
    );
    let _ = writeln!(out, "  {}", counts(r, lang, color, false));
    if !r.waivers.is_empty() {
        let in_force = r.waivers.iter().filter(|w| w.state == WaiverState::InForce);
        let used = in_force.clone().filter(|w| w.used > 0).count();
        let unused = r
            .waivers
            .iter()
            .filter(|w| w.state == WaiverState::InForce && w.used == 0)
            .count();
        let expired = r
            .waivers
            .iter()
            .filter(|w| w.state == WaiverState::Expired)
            .count();
        // Failures an expired waiver would have covered: said here too, since they are what
        // fails the run that the waiver's owner may believe excused.
        let lapsed_n = r
            .results
            .iter()
            .filter(|x| x.waiver_expired.is_some())
            .count();
        let in_force = in_force.count();
        if zh {
            let lapsed = match lapsed_n {
                0 => String::new(),
                n => format!("（{}）", crate::report::waive::not_waived_note(n, lang)),
            };
            let _ = writeln!(
                out,
                "  {}{}{} {in_force}（{}，{} {unused}），{} {expired}{lapsed}",
                t.term_waivers,
                t.colon,
                t.in_force,
                fill(t.used_n, &[("n", &used.to_string())]),
                t.unused,
                t.expired
            );
        } else {
            let lapsed = match lapsed_n {
                0 => String::new(),
                1 => " (1 failure not waived)".to_string(),
                n => format!(" ({n} failures not waived)"),
            };
            let _ = writeln!(
                out,
                "  waivers: {in_force} in force ({used} used, {unused} unused), {expired} expired{lapsed}"
            );
        }
    }
    if !r.run.complete {
        let _ = writeln!(
            out,
            "  {}",
            fill(
                t.term_no_result,
                &[
                    ("n", &r.not_run().to_string()),
                    ("planned", &r.run.planned.to_string())
                ]
            )
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
            "\n  {}{}{}",
            fill(t.term_errored_alike, &[("n", &n.to_string())]),
            t.colon,
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
        let _ = writeln!(
            out,
            "\n{}{}",
            t.term_failures_by_province,
            t.colon.trim_end()
        );
        for ((p, name), xs) in &by_province {
            let failed = xs.iter().filter(|x| x.status == Status::Failed).count();
            let errored = xs.len() - failed;
            let group = if zh {
                format!(
                    "{}（{}）：{} {failed}，{} {errored}",
                    line(name),
                    line(p),
                    t.failed,
                    t.errored
                )
            } else {
                format!(
                    "{} ({}): {failed} failed, {errored} errored",
                    line(name),
                    line(p)
                )
            };
            let _ = writeln!(out, "  {group}");
            for x in xs.iter().take(PER_PROVINCE) {
                let _ = writeln!(
                    out,
                    "    {:<24} {:<28} {} {}",
                    line(&x.node),
                    label(x),
                    status_word(x.status, lang, color),
                    // Capped as in the reports: a target's 100 MB message is not for a
                    // terminal.
                    line(&cap(&x.message, FIELD_CAP))
                );
                // The path traced at the failure: the last hop that answered is where an
                // engineer starts on site.
                if let Some(path) = crate::results::links::path_text(&x.measurements) {
                    let hop = crate::results::links::last_hop(&x.measurements).unwrap_or("none");
                    let (open, close) = if zh { ("（", "）") } else { ("  (", ")") };
                    let _ = writeln!(
                        out,
                        "      {}{}{}{open}{}{}{}{close}",
                        t.term_last_hop,
                        t.colon,
                        line(hop),
                        if zh { t.path } else { "path" },
                        t.colon,
                        line(&cap(&path, FIELD_CAP))
                    );
                }
            }
            if xs.len() > PER_PROVINCE {
                let _ = writeln!(
                    out,
                    "    {}",
                    fill(
                        t.term_and_more,
                        &[("n", &(xs.len() - PER_PROVINCE).to_string())]
                    )
                );
            }
        }
    }

    let mut ran: Vec<&ResultRecord> = r.results.iter().filter(|x| x.attempts > 0).collect();
    ran.sort_by(|a, b| b.duration_ms.total_cmp(&a.duration_ms));
    if !ran.is_empty() {
        let _ = writeln!(out, "\n{}{}", t.term_slowest, t.colon.trim_end());
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

/// Whether the record passes by the HTML report's rule ("验收结论"): no result failed,
/// errored or went unreported without a waiver, whatever `--fail-on` says of the exit code.
pub fn passed(r: &Results) -> bool {
    !r.results.iter().any(|x| {
        matches!(
            x.status,
            Status::Failed | Status::Errored | Status::NotReported
        )
    })
}

/// The verdict line, the run in one line, last on the terminal and all that `-q` leaves:
/// the HTML report's verdict in its words, then the counts by status (`Verdict: NOT PASSED
/// (4 passed, 2 failed, …)`, `验收结论：不通过（通过 4，失败 2，…）`), and whether the run
/// was interrupted. No trailing newline.
pub fn verdict_line(r: &Results, lang: Lang, color: bool) -> String {
    let t = strings(lang);
    let zh = lang == Lang::Zh;
    let word = if passed(r) {
        paint(&format!("✔ {}", t.verdict_pass), GREEN, color)
    } else {
        paint(&format!("✘ {}", t.verdict_fail), RED, color)
    };
    let (open, close) = if zh { ("（", "）") } else { (" (", ")") };
    let mut out = format!(
        "{}{}{word}{open}{}{close}",
        t.verdict,
        t.colon,
        counts(r, lang, color, true)
    );
    if !r.run.complete {
        out.push_str(t.rule_sep);
        out.push_str(t.interrupted);
    }
    out
}

/// `4 passed, 2 failed, …` (`通过 4，失败 2，…`): every status, `not reported` only where a
/// merge made any (`with_unreported`: the verdict line lists it; the counts line never did).
fn counts(r: &Results, lang: Lang, color: bool, with_unreported: bool) -> String {
    let t = strings(lang);
    let s = &r.summary;
    let not_reported = r
        .results
        .iter()
        .filter(|x| x.status == Status::NotReported)
        .count();
    let mut parts = vec![
        (Status::Passed, s.passed),
        (Status::Failed, s.failed),
        (Status::Errored, s.errored),
        (Status::Skipped, s.skipped),
        (Status::Waived, s.waived),
    ];
    if with_unreported && not_reported > 0 {
        parts.push((Status::NotReported, not_reported));
    }
    let parts: Vec<String> = parts
        .into_iter()
        .map(|(status, n)| {
            let text = t.count(t.status(status), n);
            // Only what needs looking at is coloured, and only when there is some.
            match status_colour(status) {
                Some(c) if n > 0 => paint(&text, c, color),
                _ => text,
            }
        })
        .collect();
    parts.join(t.comma)
}

/// A status as the report words it, padded to the column (7 columns in English, as the
/// summary always was; the Chinese words are two wide), in colour when `color`.
fn status_word(status: Status, lang: Lang, color: bool) -> String {
    let t = strings(lang);
    let word = match lang {
        Lang::En => format!("{:<7}", status.as_str()),
        Lang::Zh => t.status(status).to_string(),
    };
    match status_colour(status) {
        Some(c) => paint(&word, c, color),
        None => word,
    }
}

const GREEN: &str = "\x1b[1;32m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

fn status_colour(s: Status) -> Option<&'static str> {
    match s {
        Status::Failed | Status::NotReported => Some(RED),
        Status::Errored => Some(YELLOW),
        Status::Passed | Status::Skipped | Status::Waived => None,
    }
}

/// `text` in an SGR colour when `color`; as it is otherwise. The colour is ours: any text
/// from the inputs inside it has been through [`line`] already.
fn paint(text: &str, colour: &str, color: bool) -> String {
    if color {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_string()
    }
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
    use crate::report::html;

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
    fn chinese_summary_and_verdict_use_the_html_reports_words() {
        let r = record();
        let t = strings(Lang::Zh);
        let zh = render_in(&r, Lang::Zh, false);
        let s = &r.summary;
        assert!(
            zh.contains(&format!(
                "  {} {}，{} {}，{} {}，",
                t.passed, s.passed, t.failed, s.failed, t.errored, s.errored
            )),
            "{zh}"
        );
        assert!(zh.contains("失败与错误（按省级节点）："), "{zh}");
        assert!(!zh.contains("passed") && !zh.contains("Failures"), "{zh}");
        // The verdict is the HTML report's, in its words: the page says 不通过 too.
        let verdict = verdict_line(&r, Lang::Zh, false);
        assert!(
            verdict.starts_with("验收结论：✘ 不通过（通过 1，失败 4，"),
            "{verdict}"
        );
        let page = html::render(&r, Lang::Zh);
        assert!(page.contains(&format!("✘ {}", t.verdict_fail)));
        // In colour the words are the same, wrapped in SGR codes; English stays English.
        // The waivers' line says as much as the English one does: how many in force were used.
        let mut w = r.clone();
        w.waivers = serde_json::from_value(json!([
            {"node": "sx", "check": "net.icmp", "app": null, "reason": "r", "approved_by": "a",
             "expires": "2099-01-01", "state": "in_force", "used": 1, "failures_not_waived": 0},
            {"node": "lab", "check": "net.icmp", "app": null, "reason": "r", "approved_by": "a",
             "expires": "2099-01-01", "state": "in_force", "used": 0, "failures_not_waived": 0},
        ]))
        .unwrap();
        let zh = render_in(&w, Lang::Zh, false);
        assert!(
            zh.contains("  豁免：生效中 2（已豁免 1 项，未使用 1），"),
            "{zh}"
        );
        assert!(
            render_in(&w, Lang::En, false).contains("waivers: 2 in force (1 used, 1 unused)"),
            "{}",
            render_in(&w, Lang::En, false)
        );
        let coloured = verdict_line(&r, Lang::Zh, true);
        assert!(coloured.contains("\x1b[1;31m✘ 不通过\x1b[0m"), "{coloured}");
        assert!(
            verdict_line(&r, Lang::En, false)
                .starts_with("Verdict: ✘ NOT PASSED (1 passed, 4 failed")
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
