//! The oracle of the tests: the JUnit writer as it was on quick-junit (each suite built as
//! quick-junit's `TestSuite` of `TestCase`s, serialised in a `Report` of its own, cut apart
//! and the root's counts taken off), kept as it was so that the tests can show the writer
//! that replaced it writes the same bytes. The text it is made of (names, bodies,
//! properties) comes from the same functions as the writer's.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::cases::NOT_RUN_REASON;
use super::cases::{duration, evidence_body, system_out, unique_names, waived_message};
use super::clean::clean_line;
use super::suite::{
    SuiteNode, group_by_node, interrupted, run_properties, suite_properties, wall_span,
};
use crate::report::Lang;
use crate::report::text::{BODY_CAP, FIELD_CAP, cap};
use crate::report::waive::expired_note;
use crate::results::{NOT_RUN, ResultRecord, Results, Status};

/// The document as the old writer wrote it.
pub(super) fn render(results: &Results) -> Vec<u8> {
    let mut out = Vec::new();
    write(results, &mut out).expect("writing to memory cannot fail");
    out
}

fn write(results: &Results, w: &mut dyn Write) -> io::Result<()> {
    let root = root(results);
    // The interrupted run's own suite comes first, where a reader of the file sees it.
    let run = (!results.run.complete).then(|| run_suite(results));
    let groups = group_by_node(results);
    let count = usize::from(run.is_some()) + groups.len();
    if count == 0 {
        // No results: the document is the root alone.
        let doc = serialise(&root);
        return w.write_all(drop_root_counts(&doc).as_bytes());
    }
    let crate::results::Lookup { checks, apps, .. } = results.lookup();
    // Each check's probe kind: a link-quality check's figures go into its `<system-out>`.
    let probes: std::collections::HashMap<&str, &str> = results
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.probe.as_str()))
        .collect();
    let suites = run.into_iter().chain(
        groups
            .into_iter()
            .map(|(node, records)| test_suite(results, &node, &records, &checks, &apps, &probes)),
    );
    for (i, suite) in suites.enumerate() {
        let mut report = root.clone();
        report.test_suites.push(suite);
        let doc = serialise(&report);
        let (head, suite, tail) = split_root(&doc);
        if i == 0 {
            w.write_all(drop_root_counts(head).as_bytes())?;
        }
        w.write_all(suite.as_bytes())?;
        if i == count - 1 {
            w.write_all(tail.as_bytes())?;
        }
    }
    Ok(())
}

/// The `<testsuites>` root without its suites: the suite's name and id, and the run's wall
/// time (the suites' times overlap, since nodes are checked concurrently, and their sum
/// would overstate how long the run took).
fn root(results: &Results) -> Report {
    let mut report = Report::new(clean_line(&format!(
        "{} ({})",
        results.run.suite_name, results.run.suite
    )));
    report.set_time(
        (results.run.finished - results.run.started)
            .to_std()
            .unwrap_or_default(),
    );
    report
}

/// `probe`: the check's probe kind (empty when the record does not describe the check).
fn test_case(r: &ResultRecord, name: String, classname: &str, probe: &str) -> TestCase {
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
        // No bundle reported it: an error (the check was not carried out, as far as the
        // merged record knows), so that no consumer counts it as passed or skipped.
        Status::NotReported => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            let reason = format!(
                "未报告 / not reported: vantage {} sent no result for it",
                r.vantage.as_deref().unwrap_or("?")
            );
            s.set_message(clean_line(&reason));
            s.set_type("NotReported");
            s.set_description(clean_line(&reason));
            s
        }
        // The reason goes in the text as well as in `message`: GitLab shows only the text
        // of a `<skipped>`, Jenkins and most others the message.
        Status::Skipped => {
            let reason = if r.kind.as_deref() == Some(NOT_RUN) {
                NOT_RUN_REASON.to_string()
            } else {
                cap(&clean_line(&r.message), FIELD_CAP).into_owned()
            };
            let mut s = TestCaseStatus::skipped();
            s.set_message(reason.clone());
            s.set_description(reason);
            s
        }
        Status::Waived => {
            let reason = cap(&clean_line(&waived_message(r)), FIELD_CAP).into_owned();
            let mut s = TestCaseStatus::skipped();
            s.set_message(reason.clone());
            // The excused failure's evidence stays visible after the reason: a waiver is a
            // decision that must be reviewable, not a way to hide what was measured.
            s.set_description(
                cap(&format!("{reason}\n{}", evidence_body(r)), BODY_CAP).into_owned(),
            );
            s
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(clean_line(classname));
    // The item's time: its attempts added up (a 5 s timeout tried twice shows 10 s); each
    // attempt's own time is in `<system-out>`.
    tc.set_time(duration(r.duration_ms));
    tc.set_system_out(system_out(r, probe));
    tc
}

/// One node's `<testsuite>`, with a `<testcase>` per result.
fn test_suite(
    results: &Results,
    node: &SuiteNode,
    records: &[&ResultRecord],
    checks: &HashMap<&str, &str>,
    apps: &HashMap<&str, &str>,
    probes: &HashMap<&str, &str>,
) -> TestSuite {
    let mut suite = TestSuite::new(clean_line(&format!("{} ({})", node.name, node.id)));
    // The node's wall span, not the sum of its checks' times: they run concurrently, and the
    // sums of a run's suites would add up to several times the run.
    suite.set_time(wall_span(records));
    if let Some(first) = records.iter().map(|r| r.started).min() {
        suite.extra.insert(
            "timestamp".into(),
            first.format("%Y-%m-%dT%H:%M:%S").to_string().into(),
        );
    }
    suite
        .extra
        .insert("hostname".into(), clean_line(&results.run.vantage).into());
    suite.add_properties(props(suite_properties(results, node)));

    let names = unique_names(records, node.name, checks, apps);
    for (r, name) in records.iter().zip(names) {
        let probe = probes.get(r.check.as_str()).copied().unwrap_or("");
        suite.add_test_case(test_case(r, name, node.path, probe));
    }
    suite
}

/// The suite of an interrupted run itself: one test case, an `<error>` that says how many
/// planned checks have no result. `run.complete` alone is a property, which GitLab ignores
/// and Jenkins drops; an error is what every consumer shows as "not passed".
fn run_suite(results: &Results) -> TestSuite {
    let run = &results.run;
    // A fixed name, not one with the run id: GitLab keys a test's history on suite, class
    // name and name, and an interrupted run should join the history of the ones before it.
    // The run id is among the properties.
    let mut suite = TestSuite::new("netaccept run");
    suite.extra.insert(
        "timestamp".into(),
        run.started.format("%Y-%m-%dT%H:%M:%S").to_string().into(),
    );
    suite
        .extra
        .insert("hostname".into(), clean_line(&run.vantage).into());
    suite.add_properties(props(run_properties(results)));

    let (message, body) = interrupted(results);
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(message);
    status.set_type("Interrupted");
    status.set_description(body);
    let mut tc = TestCase::new("运行完成 / run completed", status);
    tc.set_classname("netaccept");
    suite.add_test_case(tc);
    suite
}

/// A report serialised into memory, which cannot fail.
fn serialise(report: &Report) -> String {
    report
        .to_string()
        .expect("serialising to memory cannot fail")
}

/// Splits a serialised report of one suite into the declaration with the `<testsuites>`
/// start tag, the suite's element (with the line break and indentation before it), and
/// the line break with the `</testsuites>` end tag that follow it. Attribute values and
/// text are escaped, so neither tag can occur inside a name or a body.
fn split_root(doc: &str) -> (&str, &str, &str) {
    let start = doc.find("<testsuites").expect("the root start tag");
    let head_end = start + doc[start..].find('>').expect("the root start tag's end") + 1;
    let tail_start = doc.rfind("\n</testsuites>").expect("the root end tag");
    (
        &doc[..head_end],
        &doc[head_end..tail_start],
        &doc[tail_start..],
    )
}

/// The counts quick-junit puts on `<testsuites>`, which the root must not carry (see the
/// module doc of `junit`).
const ROOT_COUNTS: [&str; 5] = ["tests", "failures", "errors", "skipped", "disabled"];

/// Removes the counts from the `<testsuites>` start tag, keeping its name and time.
/// Attribute values are escaped, so ` tests="` and the like cannot occur inside one.
fn drop_root_counts(xml: &str) -> Cow<'_, str> {
    let Some(start) = xml.find("<testsuites") else {
        return Cow::Borrowed(xml);
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let mut tag = xml[start..end].to_string();
    for name in ROOT_COUNTS {
        let key = format!(" {name}=\"");
        let Some(at) = tag.find(&key) else { continue };
        let value_start = at + key.len();
        let Some(close) = tag[value_start..].find('"') else {
            continue;
        };
        tag.replace_range(at..=value_start + close, "");
    }
    if tag.len() == end - start {
        return Cow::Borrowed(xml);
    }
    Cow::Owned(format!("{}{tag}{}", &xml[..start], &xml[end..]))
}

fn props(pairs: Vec<(&'static str, String)>) -> Vec<Property> {
    pairs
        .into_iter()
        .map(|(name, value)| Property::new(name, value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_keeps_its_name_and_time_only() {
        let xml = "<?xml version=\"1.0\"?>\n<testsuites name=\"a tests=&quot;1&quot;\" \
                   tests=\"3\" skipped=\"1\" failures=\"1\" errors=\"0\" time=\"2.5\">\n\
                   <testsuite name=\"s\" tests=\"3\" skipped=\"1\">";
        assert_eq!(
            drop_root_counts(xml),
            "<?xml version=\"1.0\"?>\n<testsuites name=\"a tests=&quot;1&quot;\" \
             time=\"2.5\">\n<testsuite name=\"s\" tests=\"3\" skipped=\"1\">"
        );
    }
}
