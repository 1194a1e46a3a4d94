//! The JUnit report (`junit.xml`): FORMAT.md's mapping on the mixed sample record, and a
//! hostile record (markup and control characters in names and messages, a huge body) that
//! must still give a file CI consumers accept.

use std::collections::{HashMap, HashSet};

use netaccept::report::junit::{BODY_CAP, FIELD_CAP, TRUNCATED, render};
use netaccept::results::{Results, Status};

use crate::support::junit::{Element, check_junit, parse};

use crate::fixture::mixed as fixture;

/// Renders, writes to a temporary file, runs the consumers' checks, and parses it back.
fn render_and_check(results: &Results) -> (Vec<u8>, Element) {
    let bytes = render(results);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &bytes).unwrap();
    check_junit(&path);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    (bytes.clone(), parse(text))
}

fn suites(root: &Element) -> Vec<&Element> {
    root.children_named("testsuite").collect()
}

fn suite_of<'a>(root: &'a Element, node_id: &str) -> &'a Element {
    let prop = |s: &&Element| {
        s.child("properties").is_some_and(|p| {
            p.children_named("property")
                .any(|p| p.attr("name") == Some("node.id") && p.attr("value") == Some(node_id))
        })
    };
    suites(root)
        .into_iter()
        .find(prop)
        .unwrap_or_else(|| panic!("no testsuite for {node_id}"))
}

fn properties(suite: &Element) -> HashMap<&str, &str> {
    suite
        .child("properties")
        .expect("<properties>")
        .children_named("property")
        .map(|p| (p.attr("name").unwrap(), p.attr("value").unwrap()))
        .collect()
}

/// The result element of a test case (`failure`, `error` or `skipped`), if any.
fn outcome(tc: &Element) -> Option<&Element> {
    tc.children
        .iter()
        .find(|c| matches!(c.name.as_str(), "failure" | "error" | "skipped"))
}

fn all<'a>(root: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut v = Vec::new();
    root.descendants_named(name, &mut v);
    v
}

#[test]
fn mixed_record_maps_to_one_flat_suite_per_node() {
    let r = fixture();
    let (_, root) = render_and_check(&r);

    // One suite per node that has results, in the record's node order, none nested.
    let with_results: HashSet<&str> = r.results.iter().map(|x| x.node.as_str()).collect();
    let expected: Vec<String> = r
        .nodes
        .iter()
        .filter(|n| with_results.contains(n.id.as_str()))
        .map(|n| format!("{} ({})", n.name, n.id))
        .collect();
    let got: Vec<&str> = suites(&root)
        .iter()
        .map(|s| s.attr("name").unwrap())
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        all(&root, "testsuite").len(),
        expected.len(),
        "nested testsuite"
    );

    // Counts: failed → failure, errored → error, skipped and waived → skipped.
    assert_eq!(all(&root, "testcase").len(), r.results.len());
    assert_eq!(all(&root, "failure").len(), r.summary.failed);
    assert_eq!(all(&root, "error").len(), r.summary.errored);
    assert_eq!(
        all(&root, "skipped").len(),
        r.summary.skipped + r.summary.waived
    );
    assert_eq!(
        root.attr("tests"),
        Some(r.results.len().to_string().as_str())
    );
    assert_eq!(
        root.attr("failures"),
        Some(r.summary.failed.to_string().as_str())
    );
    assert_eq!(
        root.attr("errors"),
        Some(r.summary.errored.to_string().as_str())
    );
    assert_eq!(
        root.attr("skipped"),
        None,
        "the Jenkins schema forbids it on the root"
    );

    for suite in suites(&root) {
        let props = properties(suite);
        let id = props["node.id"];
        let node = r.nodes.iter().find(|n| n.id == id).unwrap();
        let records: Vec<_> = r.results.iter().filter(|x| x.node == id).collect();

        assert_eq!(suite.attr("hostname"), Some(r.run.vantage.as_str()));
        // UTC without a zone or fraction, the earliest start of the node's results.
        let ts = suite.attr("timestamp").unwrap();
        let earliest = records.iter().map(|x| x.started).min().unwrap();
        assert_eq!(ts, earliest.format("%Y-%m-%dT%H:%M:%S").to_string());
        assert_eq!(ts.len(), 19, "{ts}");
        let sum_ms: f64 = records.iter().map(|x| x.duration_ms).sum();
        let time: f64 = suite.attr("time").unwrap().parse().unwrap();
        assert!((time - sum_ms / 1e3).abs() < 0.002, "{time} vs {sum_ms} ms");

        assert_eq!(props["node.name"], node.name);
        assert_eq!(props["node.level"], node.level.as_str());
        assert_eq!(props["node.kind"], node.kind.as_str());
        assert_eq!(props["node.path"], node.path);
        assert_eq!(props.get("node.region").copied(), node.region.as_deref());
        assert_eq!(props.get("node.host").copied(), node.host.as_deref());
        assert_eq!(props["run.id"], r.run.id);
        assert_eq!(props["run.suite"], r.run.suite);
        assert_eq!(props["run.suite_sha256"], r.run.suite_sha256);
        assert_eq!(props["run.inventory_sha256"], r.run.inventory_sha256);
        assert_eq!(props["run.netaccept_version"], r.run.netaccept_version);
        assert_eq!(props["run.complete"], "true");

        let cases: Vec<&Element> = suite.children_named("testcase").collect();
        assert_eq!(cases.len(), records.len());
        let names: HashSet<&str> = cases.iter().map(|c| c.attr("name").unwrap()).collect();
        assert_eq!(names.len(), cases.len(), "names unique in {id}");
        for (tc, rec) in cases.iter().zip(&records) {
            assert_eq!(tc.attr("classname"), Some(node.path.as_str()));
            let out = &tc.child("system-out").expect("system-out").text;
            assert!(
                out.contains(&format!("severity: {}\n", rec.severity.as_str())),
                "{out}"
            );
            assert!(
                out.contains(&format!("attempts: {}\n", rec.attempts)),
                "{out}"
            );
            let o = outcome(tc);
            match rec.status {
                Status::Passed => assert!(o.is_none()),
                Status::Failed | Status::Errored => {
                    let o = o.unwrap();
                    let tag = if rec.status == Status::Failed {
                        "failure"
                    } else {
                        "error"
                    };
                    assert_eq!(o.name, tag);
                    assert_eq!(o.attr("type"), rec.kind.as_deref());
                    assert_eq!(o.attr("message"), Some(rec.message.as_str()));
                    assert!(
                        o.text
                            .contains(&format!("severity: {}", rec.severity.as_str()))
                    );
                    assert!(o.text.contains(&format!("attempts: {}", rec.attempts)));
                    assert!(o.text.contains(&format!("target: {}", rec.target)));
                }
                Status::Skipped => {
                    let o = o.unwrap();
                    assert_eq!(o.name, "skipped");
                    assert_eq!(o.attr("message"), Some(rec.message.as_str()));
                }
                Status::Waived => assert_eq!(o.unwrap().name, "skipped"),
            }
        }
    }

    // A county result: the class name is the dotted path of ids from the root.
    let qingxu = suite_of(&root, "sx-taiyuan-qingxu");
    for tc in qingxu.children_named("testcase") {
        assert_eq!(
            tc.attr("classname"),
            Some("national.sx.sx-taiyuan.sx-taiyuan-qingxu")
        );
    }

    // A per-app check is named with its app; a failure's type is the kind, and its body
    // carries expected vs measured and the evidence.
    let changzhi = suite_of(&root, "sx-changzhi");
    let tc = changzhi
        .children_named("testcase")
        .find(|c| c.attr("name") == Some("应用系统健康检查 [危险化学品和烟花爆竹监管系统]"))
        .expect("the hazchem health check");
    let f = tc.child("failure").unwrap();
    assert_eq!(f.attr("type"), Some("StatusMismatch"));
    assert!(f.text.contains("expected: status in [200]\n"), "{}", f.text);
    assert!(f.text.contains("measured: 503\n"), "{}", f.text);
    assert!(
        f.text
            .contains("<html><body><script>alert(\"x\")</script>服务暂不可用</body></html>"),
        "{}",
        f.text
    );

    // A waived failure: skipped, with the reason, approver, expiry and what it was.
    let tc = qingxu
        .children_named("testcase")
        .find(|c| c.attr("name") == Some("应用系统健康检查 [安全生产调度统计系统]"))
        .unwrap();
    assert_eq!(
        tc.child("skipped").unwrap().attr("message"),
        Some(
            "waived: 清徐县调度统计系统计划2027年6月底前上线 (approved by 项目推进办, \
             until 2027-06-30); was failed: GET http://127.14.2.2:8080/dispatch/health: \
             connection refused (os error 111)"
        )
    );
}

#[test]
fn hostile_text_is_cleaned_escaped_and_capped() {
    let mut r = fixture();
    r.run.suite_name = "套件 <&>\"' ]]>".into();
    r.run.vantage = "probe<&>\"'".into();
    let node = r.nodes.iter_mut().find(|n| n.id == "sx-changzhi").unwrap();
    node.name = "长治 <&>\"'\u{0}".into();
    let big = "证据".repeat(100 * 1024 / 6 + 1) + "END-OF-EVIDENCE";
    assert!(big.len() > 100 * 1024);
    let hazchem = r
        .results
        .iter_mut()
        .find(|x| x.node == "sx-changzhi" && x.app.as_deref() == Some("hazchem"))
        .unwrap();
    hazchem.message =
        "bad\u{0}\u{8}\u{1b}[31mred\u{1b}\u{fffe}\u{ffff} end\nsecond <line> & \"q\"".into();
    hazchem.evidence = Some(format!("]]> <![CDATA[ x ]]>\u{0}\u{1b}\u{fffe}{big}"));
    hazchem.expected = Some("status in [200] ]]>".into());
    hazchem.kind = Some("Status<Mismatch>".into());
    let skipped = r
        .results
        .iter_mut()
        .find(|x| x.status == Status::Skipped)
        .unwrap();
    skipped.message = "needs\u{0} \u{8}failed".repeat(200);

    let (bytes, root) = render_and_check(&r);
    let text = String::from_utf8(bytes.clone()).unwrap();
    for c in text.chars() {
        assert!(
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
                || c >= '\u{10000}',
            "a character XML 1.0 forbids: {c:?}"
        );
    }
    assert!(!text.contains('\u{1b}'));
    assert!(
        bytes.len() < 100 * 1024,
        "{} bytes: the evidence was not capped",
        bytes.len()
    );

    assert_eq!(
        root.attr("name"),
        Some("套件 <&>\"' ]]> (phase1-acceptance)")
    );
    let suite = suite_of(&root, "sx-changzhi");
    assert_eq!(suite.attr("name"), Some("长治 <&>\"' (sx-changzhi)"));
    assert_eq!(suite.attr("hostname"), Some("probe<&>\"'"));
    let f = all(&root, "failure")
        .into_iter()
        .find(|f| f.attr("type") == Some("Status<Mismatch>"))
        .unwrap();
    assert_eq!(f.attr("message"), Some("badred end second <line> & \"q\""));
    assert!(f.text.len() <= BODY_CAP, "{} bytes", f.text.len());
    assert!(
        f.text.ends_with(TRUNCATED),
        "{}",
        &f.text[f.text.len() - 40..]
    );
    assert!(!f.text.contains("END-OF-EVIDENCE"));
    // The figures come before the evidence, so the cap cuts only the evidence.
    assert!(
        f.text
            .starts_with("expected: status in [200] ]]>\nmeasured: 503\n")
    );
    assert!(
        f.text.contains("evidence:\n]]> <![CDATA[ x ]]>证据"),
        "{}",
        &f.text[..400]
    );

    let long = all(&root, "skipped")
        .into_iter()
        .map(|s| s.attr("message").unwrap())
        .find(|m| m.starts_with("needs failed"))
        .unwrap();
    assert!(
        long.len() <= FIELD_CAP && long.ends_with(TRUNCATED),
        "{long}"
    );
}

#[test]
fn colliding_names_get_the_check_id() {
    let mut r = fixture();
    let icmp_name = r
        .checks
        .iter()
        .find(|c| c.id == "net.icmp")
        .unwrap()
        .name
        .clone();
    r.checks
        .iter_mut()
        .find(|c| c.id == "net.tcp")
        .unwrap()
        .name = icmp_name.clone();
    // The same (check, app) twice, as only a hand-edited file has it: still two cases.
    let dup = r
        .results
        .iter()
        .find(|x| x.node == "national" && x.check == "net.dns-negative")
        .unwrap()
        .clone();
    let at = r.results.iter().position(|x| x.check == dup.check).unwrap();
    r.results.insert(at + 1, dup);
    r.summary.add(Status::Failed);

    let (_, root) = render_and_check(&r);
    let names: Vec<&str> = suite_of(&root, "national")
        .children_named("testcase")
        .map(|c| c.attr("name").unwrap())
        .collect();
    assert!(
        names.contains(&format!("{icmp_name} (net.icmp)").as_str()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("{icmp_name} (net.tcp)").as_str()),
        "{names:?}"
    );
    let unique: HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[test]
fn interrupted_and_empty_runs_are_valid_too() {
    let mut r = fixture();
    r.run.complete = false;
    r.results.retain(|x| x.node == "sx-coal");
    r.summary = netaccept::results::Summary::default();
    for x in &r.results {
        r.summary.add(x.status);
    }
    let (_, root) = render_and_check(&r);
    assert_eq!(suites(&root).len(), 1);
    assert_eq!(properties(suites(&root)[0])["run.complete"], "false");

    r.results.clear();
    r.summary = netaccept::results::Summary::default();
    let (_, root) = render_and_check(&r);
    assert_eq!(suites(&root).len(), 0);
    assert_eq!(root.attr("tests"), Some("0"));
}

#[test]
fn a_result_for_an_undescribed_node_still_gets_a_suite() {
    let mut r = fixture();
    r.nodes.retain(|n| n.id != "sx-coal");
    let (_, root) = render_and_check(&r);
    let last = *suites(&root).last().unwrap();
    assert_eq!(last.attr("name"), Some("sx-coal (sx-coal)"));
    let n = r.results.iter().filter(|x| x.node == "sx-coal").count();
    assert_eq!(last.children_named("testcase").count(), n);
}
