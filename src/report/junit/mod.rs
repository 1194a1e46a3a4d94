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
//! - `<testsuites>` may not carry `skipped`. With the other counts and without it, some
//!   consumers (test-results-parser) count every skipped test as passed; so the root
//!   carries no counts at all (the schema allows that, and every consumer then adds up the
//!   suites), only its name and the run's wall time. Each `<testsuite>` has its own counts.
//!
//! `timestamp` is the Ant convention every JUnit reader understands: UTC without a zone
//! (and without milliseconds).
//!
//! Everything here comes from targets or users and is untrusted: characters XML 1.0 forbids
//! are dropped (a single one would make the whole file unreadable), and bodies are capped so
//! a target that answers with megabytes cannot bloat the report.
//!
//! The document is written in one pass, each element as soon as it is known. It was
//! quick-junit's until the writer was ours: quick-junit ran every string through an ANSI
//! parser (a fifth of a report's time, for strings already cleaned) and held a whole suite
//! to serialise it. The bytes are the same, attribute order, indentation and escaping
//! included: the tests keep the old writer as their oracle (`oracle`, quick-junit being a
//! dev-dependency) and compare the two on the fixture, hostile records and any record
//! proptest makes (`tests`).
//!
//! The parts: `suite` groups the results by node and writes each node's suite (and the
//! interrupted run's), `cases` their test cases and bodies, `clean` makes untrusted text
//! XML-safe, and `xml` writes tags, attributes and text, escaped and indented. The caps are
//! those of every report ([`super::text`]).

mod cases;
mod clean;
#[cfg(test)]
mod oracle;
mod suite;
mod xml;

use std::io::{self, Write};

use crate::results::Results;
use cases::seconds;
use clean::clean_line;
use suite::{Names, group_by_node, write_run_suite, write_suite};
use xml::Xml;

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

/// Writes the whole record as a UTF-8 JUnit XML document, in one pass: each element is
/// written as soon as it is known, so nothing is held but the one test case being written
/// (18,000 at national scale, each with its bodies).
pub fn write(results: &Results, w: &mut dyn Write) -> io::Result<()> {
    let mut xml = Xml::new(w)?;
    // The root: the suite's name and id, and the run's wall time (the suites' times overlap,
    // since nodes are checked concurrently, and their sum would overstate how long the run
    // took). No counts (see the module doc).
    let name = clean_line(&format!(
        "{} ({})",
        results.run.suite_name, results.run.suite
    ));
    let time = seconds(
        (results.run.finished - results.run.started)
            .to_std()
            .unwrap_or_default(),
    );
    xml.open("testsuites", &[("name", &name), ("time", &time)])?;
    // The interrupted run's own suite comes first, where a reader of the file sees it.
    if !results.run.complete {
        write_run_suite(&mut xml, results)?;
    }
    let names = Names::of(results);
    for (node, records) in group_by_node(results) {
        write_suite(&mut xml, results, &node, &records, &names)?;
    }
    xml.close("testsuites")?;
    xml.finish()
}

#[cfg(test)]
mod tests;
