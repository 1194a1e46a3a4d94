//! The test cases of a node's suite, one per result, written as they are made: unique names
//! that say what was checked where, the status with its message and evidence (a skip's
//! reason in both its `message` and its text), and the `<system-out>` that says how the
//! check was judged.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io;
use std::time::Duration;

use super::clean::{clean_line, clean_text};
use super::xml::Xml;
use crate::report::Lang;
use crate::report::text::{BODY_CAP, FIELD_CAP, cap};
use crate::report::waive::expired_note;
use crate::results::{NOT_RUN, ResultRecord, Status};

/// The reason a [`NOT_RUN`] item gives, in both languages: a JUnit file has no language of
/// its own, and the operator reading it in CI may read either.
pub(super) const NOT_RUN_REASON: &str = "未执行：运行被中断 / not run: run interrupted";

/// Test case names, `<check name> [<app name>] — <node name>`, unique within the node's
/// suite: GitLab keys a case by suite, class name and name, and silently keeps only one of
/// two that share them. The node's name is in every name because neither Jenkins nor
/// GitLab shows a suite's properties, and Jenkins lists tests of many nodes side by side.
/// A name depends on the record alone (and on its suite's other records only where two
/// would collide), never on the order checks finished in, so it stays the same from run to
/// run and CI can follow its history.
pub(super) fn unique_names(
    records: &[&ResultRecord],
    node_name: &str,
    checks: &HashMap<&str, &str>,
    apps: &HashMap<&str, &str>,
) -> Vec<String> {
    let node = clean_line(node_name);
    let base: Vec<String> = records
        .iter()
        .map(|r| {
            let check = checks.get(r.check.as_str()).copied().unwrap_or(&r.check);
            match &r.app {
                Some(app) => {
                    let app = apps.get(app.as_str()).copied().unwrap_or(app);
                    clean_line(&format!("{check} [{app}]"))
                }
                None => clean_line(check),
            }
        })
        .collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for b in &base {
        *count.entry(b.as_str()).or_default() += 1;
    }
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(base.len());
    for (r, b) in records.iter().zip(&base) {
        let mut name = if count[b.as_str()] > 1 {
            format!("{b} ({}) — {node}", clean_line(&r.check))
        } else {
            format!("{b} — {node}")
        };
        // Only a record with the same check and app twice gets here; numbering keeps both.
        let mut n = 1;
        while used.contains(&name) {
            n += 1;
            name = format!("{b} ({}) #{n} — {node}", clean_line(&r.check));
        }
        used.insert(name.clone());
        out.push(name);
    }
    out
}

/// What a test case holds before its `<system-out>` when it did not pass: the element
/// (`failure`, `error` or `skipped`), its `message`, its `type` (none on a skip) and its text.
struct Verdict {
    tag: &'static str,
    message: String,
    ty: Option<String>,
    body: String,
}

/// The element a status is shown as; `None` for a pass, which has none. A suite's counts
/// are the number of each.
pub(super) fn tag_of(status: Status) -> Option<&'static str> {
    match status {
        Status::Passed => None,
        Status::Failed => Some(FAILURE),
        // No bundle reported it: an error (the check was not carried out, as far as the
        // merged record knows), so that no consumer counts it as passed or skipped.
        Status::Errored | Status::NotReported => Some(ERROR),
        Status::Skipped | Status::Waived => Some(SKIPPED),
    }
}

pub(super) const FAILURE: &str = "failure";
pub(super) const ERROR: &str = "error";
pub(super) const SKIPPED: &str = "skipped";

/// One `<testcase>`. `classname` is cleaned already; `probe`: the check's probe kind (empty
/// when the record does not describe the check).
pub(super) fn write_case(
    xml: &mut Xml,
    r: &ResultRecord,
    name: &str,
    classname: &str,
    probe: &str,
) -> io::Result<()> {
    // The item's time: its attempts added up (a 5 s timeout tried twice shows 10 s); each
    // attempt's own time is in `<system-out>`.
    let time = seconds(duration(r.duration_ms));
    xml.open(
        "testcase",
        &[("name", name), ("classname", classname), ("time", &time)],
    )?;
    if let Some(v) = verdict(r) {
        match &v.ty {
            Some(ty) => xml.text(v.tag, &[("message", &v.message), ("type", ty)], &v.body)?,
            None => xml.text(v.tag, &[("message", &v.message)], &v.body)?,
        }
    }
    xml.text("system-out", &[], &system_out(r, probe))?;
    xml.close("testcase")
}

/// The failure, error or skip of a result that did not pass.
fn verdict(r: &ResultRecord) -> Option<Verdict> {
    let tag = tag_of(r.status)?;
    Some(match r.status {
        Status::Passed => return None,
        Status::Failed | Status::Errored => {
            // A waiver that lapsed is said on the failure itself, where CI shows it.
            let message = match &r.waiver_expired {
                Some(w) => Cow::Owned(format!("{}; {}", r.message, expired_note(w, Lang::En))),
                None => Cow::Borrowed(r.message.as_str()),
            };
            let ty = r.kind.as_deref().unwrap_or(match r.status {
                Status::Failed => "Failed",
                _ => "Errored",
            });
            Verdict {
                tag,
                message: cap(&clean_line(&message), FIELD_CAP).into_owned(),
                ty: Some(clean_line(ty)),
                body: evidence_body(r),
            }
        }
        Status::NotReported => {
            let reason = clean_line(&format!(
                "未报告 / not reported: vantage {} sent no result for it",
                r.vantage.as_deref().unwrap_or("?")
            ));
            Verdict {
                tag,
                message: reason.clone(),
                ty: Some("NotReported".into()),
                body: reason,
            }
        }
        // The reason goes in the text as well as in `message`: GitLab shows only the text
        // of a `<skipped>`, Jenkins and most others the message.
        Status::Skipped => {
            let reason = if r.kind.as_deref() == Some(NOT_RUN) {
                NOT_RUN_REASON.to_string()
            } else {
                cap(&clean_line(&r.message), FIELD_CAP).into_owned()
            };
            Verdict {
                tag,
                message: reason.clone(),
                ty: None,
                body: reason,
            }
        }
        Status::Waived => {
            let reason = cap(&clean_line(&waived_message(r)), FIELD_CAP).into_owned();
            // The excused failure's evidence stays visible after the reason: a waiver is a
            // decision that must be reviewable, not a way to hide what was measured.
            let body = cap(&format!("{reason}\n{}", evidence_body(r)), BODY_CAP).into_owned();
            Verdict {
                tag,
                message: reason,
                ty: None,
                body,
            }
        }
    })
}

pub(super) fn waived_message(r: &ResultRecord) -> String {
    match &r.waiver {
        Some(w) => format!(
            "waived: {} (approved by {}, until {}); was {}: {}",
            w.reason,
            w.approved_by,
            w.expires,
            w.original_status.as_str(),
            r.message
        ),
        None => format!("waived: {}", r.message),
    }
}

/// What a reader needs to judge a non-passing check without the results file: the figures
/// first, so that the cap, when it bites, cuts the evidence and not the verdict.
pub(super) fn evidence_body(r: &ResultRecord) -> String {
    let mut b = String::new();
    let mut line = |key: &str, value: &str| {
        b.push_str(key);
        b.push_str(": ");
        b.push_str(&cap(&clean_line(value), FIELD_CAP));
        b.push('\n');
    };
    if let Some(e) = &r.expected {
        line("expected", e);
    }
    if let Some(m) = &r.measured {
        line("measured", m);
    }
    line("target", &r.target);
    line("attempts", &r.attempts.to_string());
    line("severity", r.severity.as_str());
    if let Some(k) = &r.kind {
        line("kind", k);
    }
    line("message", &r.message);
    if let Some(w) = &r.waiver {
        line(
            "waiver",
            &format!(
                "{} (approved by {}, until {}); was {}",
                w.reason,
                w.approved_by,
                w.expires,
                w.original_status.as_str()
            ),
        );
    }
    if let Some(w) = &r.waiver_expired {
        line(
            "note",
            &format!("{}; not applied", expired_note(w, Lang::En)),
        );
    }
    // The path at the time of the failure: the last hop that answered is what an engineer
    // needs on site.
    if let Some(path) = crate::results::links::path_text(&r.measurements) {
        line("path", &path);
        if let Some(hop) = crate::results::links::last_hop(&r.measurements) {
            line("last_hop", hop);
        }
        if let Some(reached) = crate::results::links::path_reached(&r.measurements) {
            line("path_reached", if reached { "yes" } else { "no" });
        }
    }
    if let Some(ev) = &r.evidence {
        b.push_str("evidence:\n");
        b.push_str(&clean_text(ev));
        b.push('\n');
    }
    cap(&b, BODY_CAP).into_owned()
}

/// Every case, passed or not, says how it was judged: the schema allows no properties on a
/// test case, and severity decides what a failure means for acceptance. A link-quality
/// check's figures follow, one `key=value` per line with its limit beside
/// (`rtt_p95_ms=60.2 limit<=50 breaks`), and its hop list (`path=198.18.1.2 → *`).
pub(super) fn system_out(r: &ResultRecord, probe: &str) -> String {
    let mut b = String::new();
    let mut line = |key: &str, value: &str| {
        b.push_str(key);
        b.push_str(": ");
        b.push_str(&cap(&clean_line(value), FIELD_CAP));
        b.push('\n');
    };
    line("node", &r.node);
    line("check", &r.check);
    if let Some(app) = &r.app {
        line("app", app);
    }
    line("status", r.status.as_str());
    line("severity", r.severity.as_str());
    // Which vantage probed it, from which machine (a merged record's results come from many).
    if let Some(v) = &r.vantage {
        line("vantage", v);
    }
    if let Some(h) = &r.host {
        line("host", h);
    }
    line("attempts", &r.attempts.to_string());
    line("target", &r.target);
    line(
        "started",
        &r.started
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    );
    line("duration_ms", &r.duration_ms.to_string());
    if !r.attempt_ms.is_empty() {
        let each: Vec<String> = r.attempt_ms.iter().map(f64::to_string).collect();
        line("attempts_ms", &each.join(" "));
    }
    if !r.measurements.is_empty() {
        let m: Vec<String> = r
            .measurements
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        line("measurements", &m.join(" "));
    }
    link_figures(&mut b, r, probe);
    cap(&b, BODY_CAP).into_owned()
}

/// A link-quality result's figures (see [`system_out`]), the figures before the hop list
/// so that the cap, when it bites, cuts the hops.
fn link_figures(b: &mut String, r: &ResultRecord, probe: &str) {
    use crate::results::links::{self, Bound};
    let figures = links::figures_of(probe, r);
    if figures.is_empty() {
        return;
    }
    for f in &figures {
        let value = match &f.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mut l = format!("{}={}", f.key, cap(&clean_line(&value), FIELD_CAP));
        match (links::bound_of(f.key), f.limit) {
            (Bound::Max, Some(limit)) => l.push_str(&format!(" limit<={limit}")),
            (Bound::Min, Some(limit)) => l.push_str(&format!(" limit>={limit}")),
            _ => {}
        }
        if f.breaks {
            l.push_str(" breaks");
        }
        b.push_str(&l);
        b.push('\n');
    }
    if let Some(path) = links::path_text(&r.measurements) {
        b.push_str("path=");
        b.push_str(&cap(&clean_line(&path), FIELD_CAP));
        b.push('\n');
    }
}

/// Durations are recorded as fractional milliseconds; a negative or non-finite one (only a
/// hand-edited file has those) counts as zero rather than aborting the report.
pub(super) fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1e3).unwrap_or_default()
}

/// A time as quick-junit wrote it: seconds with three decimals.
pub(super) fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_of_a_bad_value_is_zero() {
        assert_eq!(duration(-1.0), Duration::ZERO);
        assert_eq!(duration(f64::NAN), Duration::ZERO);
        assert_eq!(duration(1500.0), Duration::from_millis(1500));
        assert_eq!(duration(f64::MAX), Duration::ZERO);
    }
}
