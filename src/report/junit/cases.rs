//! The test cases of a node's suite, one per result: unique names, the status with its
//! message and evidence, the `<system-out>` that says how the check was judged, and the
//! counts the statuses add up to.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::clean::{clean_line, clean_text};
use crate::report::Lang;
use crate::report::text::{BODY_CAP, FIELD_CAP, cap};
use crate::report::waive::expired_note;
use crate::results::{ResultRecord, Status};

/// The test counts of a `<testsuites>` or `<testsuite>` element.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    pub(super) tests: usize,
    pub(super) failures: usize,
    pub(super) errors: usize,
    pub(super) skipped: usize,
}

impl Counts {
    /// The counts of these results' test cases, as [`test_case()`] maps their statuses and
    /// quick-junit counts the cases.
    pub(super) fn of<'a>(results: impl Iterator<Item = &'a ResultRecord>) -> Counts {
        let mut c = Counts::default();
        for r in results {
            c.tests += 1;
            match r.status {
                Status::Passed => {}
                Status::Failed => c.failures += 1,
                Status::Errored => c.errors += 1,
                Status::Skipped | Status::Waived => c.skipped += 1,
            }
        }
        c
    }

    pub(super) fn add(&mut self, suite: &TestSuite) {
        self.tests += suite.tests;
        self.failures += suite.failures;
        self.errors += suite.errors;
        self.skipped += suite.skipped;
    }
}

/// Test case names, unique within the node's suite: GitLab keys a case by suite, class name
/// and name, and silently keeps only one of two that share them.
pub(super) fn unique_names(
    records: &[&ResultRecord],
    checks: &HashMap<&str, &str>,
    apps: &HashMap<&str, &str>,
) -> Vec<String> {
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
            format!("{b} ({})", clean_line(&r.check))
        } else {
            b.clone()
        };
        // Only a record with the same check and app twice gets here; numbering keeps both.
        let mut n = 1;
        while used.contains(&name) {
            n += 1;
            name = format!("{b} ({}) #{n}", clean_line(&r.check));
        }
        used.insert(name.clone());
        out.push(name);
    }
    out
}

pub(super) fn test_case(r: &ResultRecord, name: String, classname: &str) -> TestCase {
    let status = match r.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed | Status::Errored => {
            let kind = if r.status == Status::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            // A waiver that lapsed is said on the failure itself, where CI shows it.
            let message = match &r.waiver_expired {
                Some(w) => Cow::Owned(format!("{}; {}", r.message, expired_note(w, Lang::En))),
                None => Cow::Borrowed(r.message.as_str()),
            };
            s.set_message(cap(&clean_line(&message), FIELD_CAP).into_owned());
            s.set_type(clean_line(r.kind.as_deref().unwrap_or(match r.status {
                Status::Failed => "Failed",
                _ => "Errored",
            })));
            s.set_description(evidence_body(r));
            s
        }
        Status::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(cap(&clean_line(&r.message), FIELD_CAP).into_owned());
            s
        }
        Status::Waived => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(cap(&clean_line(&waived_message(r)), FIELD_CAP).into_owned());
            // The excused failure's evidence stays visible: a waiver is a decision that must
            // be reviewable, not a way to hide what was measured.
            s.set_description(evidence_body(r));
            s
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(clean_line(classname));
    tc.set_time(duration(r.duration_ms));
    tc.set_system_out(system_out(r));
    tc
}

fn waived_message(r: &ResultRecord) -> String {
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
fn evidence_body(r: &ResultRecord) -> String {
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
    if let Some(ev) = &r.evidence {
        b.push_str("evidence:\n");
        b.push_str(&clean_text(ev));
        b.push('\n');
    }
    cap(&b, BODY_CAP).into_owned()
}

/// Every case, passed or not, says how it was judged: the schema allows no properties on a
/// test case, and severity decides what a failure means for acceptance.
fn system_out(r: &ResultRecord) -> String {
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
    line("attempts", &r.attempts.to_string());
    line("target", &r.target);
    line(
        "started",
        &r.started
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    );
    line("duration_ms", &r.duration_ms.to_string());
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
    cap(&b, BODY_CAP).into_owned()
}

/// Durations are recorded as fractional milliseconds; a negative or non-finite one (only a
/// hand-edited file has those) counts as zero rather than aborting the report.
pub(super) fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1e3).unwrap_or_default()
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
