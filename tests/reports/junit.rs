//! The JUnit report (`junit.xml`): FORMAT.md's mapping on the mixed sample record (names,
//! times, skip reasons, counts every consumer agrees on), an interrupted run's record (as
//! the recorder makes it, and as a journal gives it back), and a hostile record (markup and
//! control characters in names and messages, a huge body) that must still give a file CI
//! consumers accept.

use std::collections::{HashMap, HashSet};

use netaccept::report::junit::{BODY_CAP, FIELD_CAP, TRUNCATED, render};
use netaccept::results::{NEEDS_FAILED, NOT_RUN, NOT_RUN_MESSAGE, Results, Status, Summary};

use crate::support::junit::{Counts, Element, check_junit, parse};

use crate::fixture::{mixed as fixture, record, record_mut};

/// Renders, writes to a temporary file, runs the consumers' checks, and parses it back.
fn render_and_check(results: &Results) -> (Vec<u8>, Element) {
    let (bytes, root, _) = render_and_count(results);
    (bytes, root)
}

/// [`render_and_check`], with the totals every consumer agreed on.
fn render_and_count(results: &Results) -> (Vec<u8>, Element, Counts) {
    let bytes = render(results);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &bytes).unwrap();
    let counts = check_junit(&path);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    (bytes.clone(), parse(text), counts)
}

/// What the consumers must count for a record's summary: failed → failures, errored →
/// errors, skipped and waived → skipped.
fn counts_of(s: &Summary) -> Counts {
    Counts {
        tests: s.total(),
        failures: s.failed,
        errors: s.errored,
        skipped: s.skipped + s.waived,
    }
}

/// Every test case of the file, whatever its suite.
fn cases(root: &Element) -> Vec<&Element> {
    all(root, "testcase")
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
    // No counts on the root, only its name and the run's wall time: the Jenkins schema
    // forbids `skipped` there, and with the others alone some consumers count the skipped
    // tests as passed.
    let attrs: Vec<&str> = root.attrs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(attrs, ["name", "time"]);
    let wall = (r.run.finished - r.run.started).num_microseconds().unwrap() as f64 / 1e6;
    let time: f64 = root.attr("time").unwrap().parse().unwrap();
    assert!((time - wall).abs() < 0.002, "{time} vs {wall}");

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
        // The node's wall span: earliest start to latest end of its checks.
        let end = records
            .iter()
            .map(|x| x.started + chrono::TimeDelta::microseconds((x.duration_ms * 1e3) as i64))
            .max()
            .unwrap();
        let span_ms = (end - earliest).num_microseconds().unwrap() as f64 / 1e3;
        let time: f64 = suite.attr("time").unwrap().parse().unwrap();
        assert!(
            (time - span_ms / 1e3).abs() < 0.002,
            "{time} vs {span_ms} ms"
        );

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
                // The reason in the message and in the text: GitLab shows only the text.
                Status::Skipped => {
                    let o = o.unwrap();
                    assert_eq!(o.name, "skipped");
                    assert_eq!(o.attr("message"), Some(rec.message.as_str()));
                    assert_eq!(o.text, rec.message);
                }
                Status::Waived => {
                    let o = o.unwrap();
                    assert_eq!(o.name, "skipped");
                    let m = o.attr("message").unwrap();
                    assert!(m.starts_with("waived: "), "{m}");
                    assert!(o.text.starts_with(&format!("{m}\n")), "{}", o.text);
                }
                Status::NotReported => {
                    let o = o.unwrap();
                    assert_eq!(o.name, "error");
                    assert_eq!(o.attr("type"), Some("NotReported"));
                }
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
        .find(|c| {
            c.attr("name")
                == Some("应用系统健康检查 [危险化学品和烟花爆竹监管系统] — 长治市应急管理局")
        })
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
        .find(|c| {
            c.attr("name") == Some("应用系统健康检查 [安全生产调度统计系统] — 清徐县应急管理局")
        })
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
    let dup = record(&r, "national", "net.dns-negative").clone();
    let at = r.results.iter().position(|x| x.check == dup.check).unwrap();
    r.results.insert(at + 1, dup);
    r.summary.add(Status::Failed);

    let (_, root) = render_and_check(&r);
    let names: Vec<&str> = suite_of(&root, "national")
        .children_named("testcase")
        .map(|c| c.attr("name").unwrap())
        .collect();
    let node = "应急管理部（国家安全生产监督管理总局）";
    assert!(
        names.contains(&format!("{icmp_name} (net.icmp) — {node}").as_str()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("{icmp_name} (net.tcp) — {node}").as_str()),
        "{names:?}"
    );
    let unique: HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[test]
fn every_consumer_counts_what_results_json_counts() {
    let r = fixture();
    let (_, root, counts) = render_and_count(&r);
    // junitparser and test-results-parser agreed with these in `check_junit`.
    assert_eq!(counts, counts_of(&r.summary));
    assert_eq!(cases(&root).len(), r.summary.total());
}

/// The record of an interrupted run, as the Recorder makes it: the last `n` planned items
/// had no result, and are skipped records of kind `NotRun`.
fn interrupted(n: usize) -> Results {
    let mut r = fixture();
    r.run.complete = false;
    let at = r.run.finished;
    let len = r.results.len();
    for x in &mut r.results[len - n..] {
        x.status = Status::Skipped;
        x.kind = Some(NOT_RUN.to_string());
        x.message = NOT_RUN_MESSAGE.to_string();
        x.started = at;
        x.duration_ms = 0.0;
        x.attempts = 0;
        x.attempt_ms.clear();
        x.measurements.clear();
        (x.expected, x.measured, x.evidence, x.waiver) = (None, None, None, None);
    }
    r.run.planned = len;
    r.summary = Summary::of(&r.results);
    r
}

/// The run's own suite: first, one test case, an `<error>`.
fn run_error(root: &Element) -> &Element {
    let first = suites(root)[0];
    assert!(
        first.attr("name").unwrap() == "netaccept run",
        "{:?}",
        first.attr("name")
    );
    let tcs: Vec<&Element> = first.children_named("testcase").collect();
    assert_eq!(tcs.len(), 1);
    assert_eq!(tcs[0].attr("name"), Some("运行完成 / run completed"));
    let e = tcs[0]
        .child("error")
        .expect("the run's test case is an error");
    assert_eq!(e.attr("type"), Some("Interrupted"));
    e
}

#[test]
fn an_interrupted_run_lists_what_did_not_run_and_is_an_error() {
    let r = interrupted(30);
    let (_, root, counts) = render_and_count(&r);
    // Every planned item is a test case (the 30 not run are skipped), plus the run's own
    // error: every consumer shows the run as not passed.
    let mut want = counts_of(&r.summary);
    want.tests += 1;
    want.errors += 1;
    assert_eq!(counts, want);
    assert_eq!(cases(&root).len(), r.run.planned + 1);

    let e = run_error(&root);
    let m = e.attr("message").unwrap();
    assert_eq!(
        m,
        format!(
            "运行被中断：计划 {p} 项检查中 30 项没有结果 / run interrupted: 30 of {p} planned \
             checks have no result",
            p = r.run.planned
        )
    );
    assert!(
        e.text.contains(&format!("run: {}\n", r.run.id)),
        "{}",
        e.text
    );
    assert!(e.text.contains("without a result: 30\n"), "{}", e.text);
    let props = properties(suites(&root)[0]);
    assert_eq!(props["run.id"], r.run.id);
    assert_eq!(props["run.complete"], "false");

    // The reason of each item not run, in the message and in the text (GitLab shows the
    // text), in both languages.
    let reason = "未执行：运行被中断 / not run: run interrupted";
    let not_run: Vec<&Element> = all(&root, "skipped")
        .into_iter()
        .filter(|s| s.attr("message") == Some(reason))
        .collect();
    assert_eq!(not_run.len(), 30);
    assert!(not_run.iter().all(|s| s.text == reason));
    // A node whose failing check never ran is not all green: it shows skipped tests.
    let last = r.results.last().unwrap();
    let suite = suite_of(&root, &last.node);
    assert!(
        suite.attr("skipped").unwrap().parse::<usize>().unwrap() > 0,
        "{:?}",
        suite.attrs
    );
}

#[test]
fn a_record_read_back_from_a_journal_says_how_many_were_not_run() {
    // A journal holds only what finished: the record has fewer results than planned, and
    // no `NotRun` records to list.
    let mut r = fixture();
    r.run.complete = false;
    r.results.truncate(60);
    r.summary = Summary::of(&r.results);
    let (_, root, counts) = render_and_count(&r);
    let mut want = counts_of(&r.summary);
    want.tests += 1;
    want.errors += 1;
    assert_eq!(counts, want);
    let e = run_error(&root);
    assert!(
        e.attr("message").unwrap().ends_with(&format!(
            "34 of {} planned checks have no result",
            r.run.planned
        )),
        "{:?}",
        e.attr("message")
    );
    assert!(
        e.text
            .contains("34 are not listed: this record was rebuilt from a journal"),
        "{}",
        e.text
    );

    // A record without `planned` (older) still fails as a run, with what it can say.
    r.run.planned = 0;
    let (_, root) = render_and_check(&r);
    assert_eq!(
        run_error(&root).attr("message"),
        Some("运行被中断 / run interrupted")
    );
}

#[test]
fn interrupted_and_empty_runs_are_valid_too() {
    let mut r = fixture();
    r.run.complete = false;
    r.results.retain(|x| x.node == "sx-coal");
    r.summary = Summary::of(&r.results);
    let (_, root) = render_and_check(&r);
    // The run's own suite, then the node's.
    assert_eq!(suites(&root).len(), 2);
    run_error(&root);
    assert_eq!(properties(suites(&root)[1])["run.complete"], "false");

    r.results.clear();
    r.summary = Summary::default();
    let (_, root) = render_and_check(&r);
    assert_eq!(suites(&root).len(), 1, "the run's error alone");
    run_error(&root);

    r.run.complete = true;
    let (_, root) = render_and_check(&r);
    assert_eq!(suites(&root).len(), 0);
    assert_eq!(root.attr("tests"), None);
}

#[test]
fn a_skip_for_a_failed_need_says_why_in_its_text_and_names_the_need() {
    let mut r = fixture();
    let x = record_mut(&mut r, "sx-datong", "net.tcp-http");
    // As the runner now records it.
    x.kind = Some(NEEDS_FAILED.to_string());
    x.measurements
        .insert("needs".into(), serde_json::json!("net.icmp"));
    let message = x.message.clone();
    let (_, root) = render_and_check(&r);
    let tc = suite_of(&root, "sx-datong")
        .children_named("testcase")
        .find(|c| {
            c.attr("name")
                .unwrap()
                .starts_with("应用服务端口可达（HTTP 8080） — ")
        })
        .unwrap();
    let s = tc.child("skipped").unwrap();
    assert_eq!(s.attr("message"), Some(message.as_str()));
    assert_eq!(s.text, message);
    assert!(message.starts_with("net.icmp failed: "), "{message}");
    let out = &tc.child("system-out").unwrap().text;
    assert!(out.contains("measurements: needs=net.icmp\n"), "{out}");
}

#[test]
fn test_names_say_what_was_checked_where_and_do_not_depend_on_order() {
    let r = fixture();
    let (_, root) = render_and_check(&r);
    let names_of = |root: &Element| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = suites(root)
            .iter()
            .flat_map(|s| {
                s.children_named("testcase").map(move |c| {
                    (
                        s.attr("name").unwrap().to_string(),
                        c.attr("classname").unwrap().to_string(),
                        c.attr("name").unwrap().to_string(),
                    )
                })
            })
            .collect();
        v.sort();
        v
    };
    // `<check name> [<app name>] — <node name>`.
    let dns = suite_of(&root, "sx")
        .children_named("testcase")
        .map(|c| c.attr("name").unwrap())
        .find(|n| n.starts_with("域名解析 — "));
    assert_eq!(dns, Some("域名解析 — 山西省应急管理厅"));
    for (suite, class, name) in names_of(&root) {
        let node = r.nodes.iter().find(|n| n.path == class).unwrap();
        assert!(name.ends_with(&format!(" — {}", node.name)), "{name}");
        assert_eq!(suite, format!("{} ({})", node.name, node.id));
    }
    // The same results finished in another order (and so recorded in another order within
    // each node: a hand-edited or merged file): the same suite + classname + name keys,
    // which is what GitLab follows from run to run.
    let mut shuffled = r.clone();
    shuffled.results.reverse();
    let (_, back) = render_and_check(&shuffled);
    assert_eq!(names_of(&back), names_of(&root));
}

#[test]
fn a_tests_time_is_its_attempts_added_up_and_a_suites_is_its_wall_span() {
    let mut r = fixture();
    let start = r.run.started;
    let node = "sx-yangquan";
    let mut n = 0;
    for x in r.results.iter_mut().filter(|x| x.node == node) {
        // Checks of one node run side by side: each of them took 10 s (a 5 s timeout tried
        // twice), all started together.
        x.started = start;
        x.attempts = 2;
        x.attempt_ms = vec![5001.2, 5000.8];
        x.duration_ms = 10002.0;
        n += 1;
    }
    assert!(n > 1);
    let (_, root) = render_and_check(&r);
    let suite = suite_of(&root, node);
    assert_eq!(
        suite.attr("time"),
        Some("10.002"),
        "the span, not {n} × 10 s"
    );
    for tc in suite.children_named("testcase") {
        assert_eq!(tc.attr("time"), Some("10.002"));
        let out = &tc.child("system-out").unwrap().text;
        assert!(out.contains("attempts: 2\n"), "{out}");
        assert!(out.contains("attempts_ms: 5001.2 5000.8\n"), "{out}");
    }
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
