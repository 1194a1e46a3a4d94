//! `junit.xml`: the results as JUnit XML, for Jenkins, GitLab and any other CI that reads it.
//!
//! The mapping is FORMAT.md's "JUnit mapping": one flat `<testsuite>` per node that has
//! results (no nesting: consumers disagree on nested suites, and GitLab flattens them
//! anyway), one `<testcase>` per (check, app), `classname` = the dotted path of node ids so
//! that Jenkins, which splits a class name at its last `.`, shows the hierarchy.
//!
//! The gate is the Jenkins xUnit plugin's `junit-10.xsd`, which a file must pass or Jenkins
//! skips it. Two things follow from that schema and shape this module:
//!
//! - a `<testcase>` may not hold `<properties>`, so a check's severity, attempts and target
//!   go into its `<system-out>` (and, for a non-passing check, into the failure body too);
//! - `<testsuites>` may not carry `skipped`, which quick-junit always writes, so it is taken
//!   off the root after serialising (each `<testsuite>` keeps its own `skipped`).
//!
//! `timestamp` and `hostname` are written as plain attributes rather than through
//! quick-junit's typed timestamp, which always appends a zone and milliseconds: the Ant
//! convention every JUnit reader understands is UTC without a zone.
//!
//! Everything here comes from targets or users and is untrusted: characters XML 1.0 forbids
//! are dropped (a single one would make the whole file unreadable), and bodies are capped so
//! a target that answers with megabytes cannot bloat the report.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::results::{NodeInfo, ResultRecord, Results, Status};

/// Largest failure, error or skip body, and largest `<system-out>`, in bytes.
pub const BODY_CAP: usize = 8 * 1024;
/// Largest single field (a message attribute, a target, an expectation), in bytes.
pub const FIELD_CAP: usize = 1024;
/// Appended where text was cut; counted inside the cap.
pub const TRUNCATED: &str = "… (truncated)";

/// Renders the whole record as a UTF-8 JUnit XML document.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = Vec::new();
    write(results, &mut out).expect("writing to memory cannot fail");
    out
}

/// Writes the whole record as a UTF-8 JUnit XML document, one node's `<testsuite>` at a time.
///
/// quick-junit serialises a whole [`Report`], which would hold every test case of the run at
/// once (18,000 at national scale, each with its bodies) and then the whole document.
/// Instead each suite is built and serialised in a report of its own that carries the run's
/// root (name, wall time and the counts of the whole run), and freed before the next: the
/// first such document gives the XML declaration and the `<testsuites>` start tag, each one
/// its `<testsuite>` element, the last one the closing tag. Suites sit at the same depth
/// with the same indentation either way, so the pieces put together are, byte for byte, the
/// document quick-junit writes for the whole report.
pub fn write(results: &Results, w: &mut dyn Write) -> io::Result<()> {
    let name = clean_line(&format!(
        "{} ({})",
        results.run.suite_name, results.run.suite
    ));
    // The root's time is the run's wall time: the suites' sums overlap, since checks run
    // concurrently, and would overstate how long the run took.
    let wall = (results.run.finished - results.run.started)
        .to_std()
        .unwrap_or_default();
    // Known before any suite is built, since the root's start tag comes first.
    let totals = Counts::of(results.results.iter());
    let root = || {
        let mut report = Report::new(name.as_str());
        report.set_time(wall);
        (report.tests, report.failures, report.errors, report.skipped) =
            (totals.tests, totals.failures, totals.errors, totals.skipped);
        report
    };

    let groups = group_by_node(results);
    if groups.is_empty() {
        // No results: the document is the root alone.
        let doc = serialise(&root());
        return w.write_all(drop_root_skipped(&doc).as_bytes());
    }
    let crate::results::Lookup { checks, apps, .. } = results.lookup();
    let last = groups.len() - 1;
    let mut built = Counts::default();
    for (i, (node, records)) in groups.into_iter().enumerate() {
        let suite = test_suite(results, &node, &records, &checks, &apps);
        built.add(&suite);
        let mut report = root();
        // Pushed, not added: the root keeps the counts of the whole run.
        report.test_suites.push(suite);
        let doc = serialise(&report);
        let (head, suite, tail) = split_root(&doc);
        if i == 0 {
            w.write_all(drop_root_skipped(head).as_bytes())?;
        }
        w.write_all(suite.as_bytes())?;
        if i == last {
            w.write_all(tail.as_bytes())?;
        }
    }
    debug_assert_eq!(built, totals, "the root's counts are the suites' sums");
    Ok(())
}

/// The test counts of a `<testsuites>` or `<testsuite>` element.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    /// The counts of these results' test cases, as [`test_case`] maps their statuses and
    /// quick-junit counts the cases.
    fn of<'a>(results: impl Iterator<Item = &'a ResultRecord>) -> Counts {
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

    fn add(&mut self, suite: &TestSuite) {
        self.tests += suite.tests;
        self.failures += suite.failures;
        self.errors += suite.errors;
        self.skipped += suite.skipped;
    }
}

/// One node's `<testsuite>`, with a `<testcase>` per result.
fn test_suite(
    results: &Results,
    node: &SuiteNode,
    records: &[&ResultRecord],
    checks: &HashMap<&str, &str>,
    apps: &HashMap<&str, &str>,
) -> TestSuite {
    let mut suite = TestSuite::new(clean_line(&format!("{} ({})", node.name, node.id)));
    // Saturating: `Sum` for `Duration` panics on overflow, and absurd durations can be
    // typed into a results file.
    let time = records.iter().fold(Duration::ZERO, |t, r| {
        t.saturating_add(duration(r.duration_ms))
    });
    suite.set_time(time);
    if let Some(first) = records.iter().map(|r| r.started).min() {
        suite.extra.insert(
            "timestamp".into(),
            first.format("%Y-%m-%dT%H:%M:%S").to_string().into(),
        );
    }
    suite
        .extra
        .insert("hostname".into(), clean_line(&results.run.vantage).into());
    suite.add_properties(suite_properties(results, node));

    let names = unique_names(records, checks, apps);
    for (r, name) in records.iter().zip(names) {
        suite.add_test_case(test_case(r, name, node.path));
    }
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

/// A node with results: described by the record, or only named by a result.
struct SuiteNode<'a> {
    id: &'a str,
    name: &'a str,
    path: &'a str,
    info: Option<&'a NodeInfo>,
}

/// The nodes that have results, in `results.nodes` order, each with its results in record
/// order. A result naming a node the record does not describe (a hand-edited file) still
/// gets a suite, after the others, rather than vanishing from CI.
fn group_by_node(results: &Results) -> Vec<(SuiteNode<'_>, Vec<&ResultRecord>)> {
    let mut by_node: HashMap<&str, Vec<&ResultRecord>> = HashMap::new();
    let mut first_seen: Vec<&str> = Vec::new();
    for r in &results.results {
        let v = by_node.entry(r.node.as_str()).or_default();
        if v.is_empty() {
            first_seen.push(r.node.as_str());
        }
        v.push(r);
    }
    let mut out = Vec::new();
    for n in &results.nodes {
        if let Some(records) = by_node.remove(n.id.as_str()) {
            let node = SuiteNode {
                id: &n.id,
                name: &n.name,
                path: &n.path,
                info: Some(n),
            };
            out.push((node, records));
        }
    }
    for id in first_seen {
        if let Some(records) = by_node.remove(id) {
            let node = SuiteNode {
                id,
                name: id,
                path: id,
                info: None,
            };
            out.push((node, records));
        }
    }
    out
}

fn suite_properties(results: &Results, node: &SuiteNode) -> Vec<Property> {
    let run = &results.run;
    let mut props = vec![prop("node.id", node.id), prop("node.name", node.name)];
    if let Some(n) = node.info {
        props.push(prop("node.level", n.level.as_str()));
        props.push(prop("node.kind", n.kind.as_str()));
        if let Some(region) = &n.region {
            props.push(prop("node.region", region));
        }
        if let Some(host) = &n.host {
            props.push(prop("node.host", host));
        }
    }
    props.push(prop("node.path", node.path));
    // On every suite, not only the first: CI tools show suites one at a time, and a suite
    // copied out of the file should still say which run, suite and inventory it came from.
    props.extend([
        prop("run.id", &run.id),
        prop("run.suite", &run.suite),
        prop("run.suite_sha256", &run.suite_sha256),
        prop("run.inventory_sha256", &run.inventory_sha256),
        prop("run.netaccept_version", &run.netaccept_version),
        prop("run.complete", if run.complete { "true" } else { "false" }),
    ]);
    props
}

fn prop(name: &str, value: &str) -> Property {
    Property::new(name, clean_line(value))
}

/// Test case names, unique within the node's suite: GitLab keys a case by suite, class name
/// and name, and silently keeps only one of two that share them.
fn unique_names(
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

fn test_case(r: &ResultRecord, name: String, classname: &str) -> TestCase {
    let status = match r.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed | Status::Errored => {
            let kind = if r.status == Status::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(cap(&clean_line(&r.message), FIELD_CAP));
            s.set_type(clean_line(r.kind.as_deref().unwrap_or(match r.status {
                Status::Failed => "Failed",
                _ => "Errored",
            })));
            s.set_description(evidence_body(r));
            s
        }
        Status::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(cap(&clean_line(&r.message), FIELD_CAP));
            s
        }
        Status::Waived => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(cap(&clean_line(&waived_message(r)), FIELD_CAP));
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
    if let Some(ev) = &r.evidence {
        b.push_str("evidence:\n");
        b.push_str(&clean_text(ev));
        b.push('\n');
    }
    cap(&b, BODY_CAP)
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
    cap(&b, BODY_CAP)
}

/// Durations are recorded as fractional milliseconds; a negative or non-finite one (only a
/// hand-edited file has those) counts as zero rather than aborting the report.
fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1e3).unwrap_or_default()
}

/// Text for a body: line breaks kept (as `\n`), tabs as spaces, and nothing XML 1.0 forbids.
///
/// quick-junit's own filter drops C0 controls and ANSI sequences but lets U+FFFE and U+FFFF
/// through, which no XML parser accepts; it also eats tabs and carriage returns. Cleaning
/// here makes the output independent of that filter.
fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            // A CRLF pair is one line break; a lone CR is one too.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            '\t' => out.push(' '),
            // An ANSI CSI sequence (colours, cursor moves) goes whole: dropping only the ESC
            // would leave `[31m` in the text. A lone ESC is dropped by the last arm.
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Text for an attribute or a one-line field: as [`clean_text`], with line breaks as
/// spaces, since a parser folds a raw line break in an attribute into a space anyway.
fn clean_line(s: &str) -> String {
    clean_text(s).replace('\n', " ")
}

/// XML 1.0 `Char`, less the C1 controls: allowed but discouraged by the spec, never
/// meaningful in a report, and some terminals act on them when a log is viewed.
fn xml_char(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// At most `max` bytes, cut on a character boundary, with [`TRUNCATED`] inside the limit.
fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(TRUNCATED.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{TRUNCATED}", &s[..end])
}

/// Removes the `skipped` attribute from the `<testsuites>` start tag (see the module doc).
/// Attribute values are escaped, so ` skipped="` cannot occur inside one.
fn drop_root_skipped(xml: &str) -> Cow<'_, str> {
    let Some(start) = xml.find("<testsuites") else {
        return Cow::Borrowed(xml);
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return Cow::Borrowed(xml);
    };
    let value_start = at + " skipped=\"".len();
    let Some(close) = tag[value_start..].find('"') else {
        return Cow::Borrowed(xml);
    };
    let (from, to) = (start + at, start + value_start + close + 1);
    Cow::Owned(format!("{}{}", &xml[..from], &xml[to..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as quick-junit writes it for the whole report at once: what [`write`]
    /// must reproduce piece by piece.
    fn whole_report(results: &Results) -> String {
        let mut report = Report::new(clean_line(&format!(
            "{} ({})",
            results.run.suite_name, results.run.suite
        )));
        report.set_time(
            (results.run.finished - results.run.started)
                .to_std()
                .unwrap_or_default(),
        );
        let crate::results::Lookup { checks, apps, .. } = results.lookup();
        for (node, records) in group_by_node(results) {
            report.add_test_suite(test_suite(results, &node, &records, &checks, &apps));
        }
        drop_root_skipped(&serialise(&report)).into_owned()
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
        for (what, r) in [
            ("mixed", mixed()),
            ("hostile", hostile),
            ("empty", empty),
            ("one", one),
        ] {
            let streamed = String::from_utf8(render(&r)).unwrap();
            assert!(streamed == whole_report(&r), "{what}: differs");
        }
    }

    #[test]
    fn clean_drops_what_xml_forbids() {
        let s = "a\u{0}b\u{8}c\u{1b}[31md\u{1b}e\u{fffe}f\u{ffff}g\u{85}h\ti\r\nj\rk";
        assert_eq!(clean_text(s), "abcdefgh i\nj\nk");
        assert_eq!(clean_line("x\ny"), "x y");
    }

    #[test]
    fn cap_cuts_on_a_char_boundary_within_the_limit() {
        let s = "应".repeat(100);
        let c = cap(&s, 50);
        assert!(c.len() <= 50, "{}", c.len());
        assert!(c.ends_with(TRUNCATED));
        assert_eq!(cap("short", 50), "short");
    }

    #[test]
    fn duration_of_a_bad_value_is_zero() {
        assert_eq!(duration(-1.0), Duration::ZERO);
        assert_eq!(duration(f64::NAN), Duration::ZERO);
        assert_eq!(duration(1500.0), Duration::from_millis(1500));
        assert_eq!(duration(f64::MAX), Duration::ZERO);
    }
}
