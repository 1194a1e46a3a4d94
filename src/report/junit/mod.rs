//! `junit.xml`: the results as JUnit XML, for Jenkins, GitLab and any other CI that reads it.
//!
//! The mapping is FORMAT.md's "JUnit mapping": one flat `<testsuite>` per node that has
//! results (no nesting: consumers disagree on nested suites, and GitLab flattens them
//! anyway), one `<testcase>` per (check, app), named `<check> [<app>] — <node name>` so that
//! a CI page says what was checked where, `classname` = the dotted path of node ids so that
//! Jenkins, which splits a class name at its last `.`, shows the hierarchy. An interrupted
//! run lists the items it did not finish as skipped (`NotRun` records) and gets a suite of
//! its own whose one test case is an error, so that no consumer shows it as passed.
//!
//! The gate is the Jenkins xUnit plugin's `junit-10.xsd`, which a file must pass or Jenkins
//! skips it. Two things follow from that schema and shape this module:
//!
//! - a `<testcase>` may not hold `<properties>`, so a check's severity, attempts and target
//!   go into its `<system-out>` (and, for a non-passing check, into the failure body too);
//! - `<testsuites>` may not carry `skipped`, which quick-junit always writes. With the
//!   other counts and without it, some consumers (test-results-parser) count every skipped
//!   test as passed; so the root carries no counts at all (the schema allows that, and
//!   every consumer then adds up the suites), only its name and the run's wall time. They
//!   are taken off after serialising; each `<testsuite>` keeps its own counts.
//!
//! `timestamp` and `hostname` are written as plain attributes rather than through
//! quick-junit's typed timestamp, which always appends a zone and milliseconds: the Ant
//! convention every JUnit reader understands is UTC without a zone.
//!
//! Everything here comes from targets or users and is untrusted: characters XML 1.0 forbids
//! are dropped (a single one would make the whole file unreadable), and bodies are capped so
//! a target that answers with megabytes cannot bloat the report.
//!
//! The parts: `suite` groups the results by node and builds each node's suite (and the
//! interrupted run's), `cases` their test cases and bodies, `clean` makes untrusted text XML-safe and caps it, and
//! `stream` serialises a report and cuts it into the pieces [`write()`] puts together. The
//! caps are those of every report ([`super::text`]).

mod cases;
mod clean;
mod stream;
mod suite;

use std::io::{self, Write};

use quick_junit::Report;

use crate::results::Results;
use clean::clean_line;
use stream::{drop_root_counts, serialise, split_root};
use suite::{group_by_node, run_suite, test_suite};

/// The caps of a failure, error or skip body and of `<system-out>` ([`BODY_CAP`]), of a
/// single field ([`FIELD_CAP`]) and the mark where text was cut: the reports' shared ones,
/// named here too as this file's.
pub use super::text::{BODY_CAP, FIELD_CAP, TRUNCATED};

/// Renders the whole record as a UTF-8 JUnit XML document.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = Vec::new();
    write(results, &mut out).expect("writing to memory cannot fail");
    out
}

/// Writes the whole record as a UTF-8 JUnit XML document, one `<testsuite>` at a time.
///
/// quick-junit serialises a whole [`Report`], which would hold every test case of the run at
/// once (18,000 at national scale, each with its bodies) and then the whole document.
/// Instead each suite is built and serialised in a report of its own that carries the run's
/// root (its name and wall time), and freed before the next: the first such document gives
/// the XML declaration and the `<testsuites>` start tag, each one its `<testsuite>` element,
/// the last one the closing tag. Suites sit at the same depth with the same indentation
/// either way, so the pieces put together are, byte for byte, the document quick-junit
/// writes for the whole report (with the root's counts taken off).
pub fn write(results: &Results, w: &mut dyn Write) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as quick-junit writes it for the whole report at once: what [`write`]
    /// must reproduce piece by piece.
    fn whole_report(results: &Results) -> String {
        let mut report = root(results);
        if !results.run.complete {
            report.add_test_suite(run_suite(results));
        }
        let crate::results::Lookup { checks, apps, .. } = results.lookup();
        let probes: std::collections::HashMap<&str, &str> = results
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.probe.as_str()))
            .collect();
        for (node, records) in group_by_node(results) {
            report.add_test_suite(test_suite(
                results, &node, &records, &checks, &apps, &probes,
            ));
        }
        drop_root_counts(&serialise(&report)).into_owned()
    }

    fn mixed() -> Results {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/results/mixed.json"
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn the_streamed_document_is_the_whole_reports() {
        let mut hostile = mixed();
        hostile.run.suite_name = "<testsuites skipped=\"1\"> & \u{0}\u{1b}[1m".into();
        for (i, r) in hostile.results.iter_mut().enumerate() {
            r.message = format!("</testsuites>\n<testsuite> \"{i}\" \u{fffe}");
            r.evidence = Some("]]> </testsuite>".repeat(100));
        }
        // Results of nodes the record does not describe get suites of their own, last.
        let mut ghost = hostile.results[0].clone();
        ghost.node = "ghost".into();
        hostile.results.push(ghost);
        let mut empty = mixed();
        empty.results.clear();
        let mut one = mixed();
        one.results.truncate(1);
        let mut interrupted = mixed();
        interrupted.run.complete = false;
        let mut interrupted_empty = empty.clone();
        interrupted_empty.run.complete = false;
        for (what, r) in [
            ("mixed", mixed()),
            ("hostile", hostile),
            ("empty", empty),
            ("one", one),
            ("interrupted", interrupted),
            ("interrupted, no results", interrupted_empty),
        ] {
            let streamed = String::from_utf8(render(&r)).unwrap();
            assert!(streamed == whole_report(&r), "{what}: differs");
        }
    }
}
