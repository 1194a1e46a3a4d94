//! The HTML report of a run with a history (`html::render_with_history`): the section
//! "changes since the last run" (the previous run, the counts, each list), each node's strip
//! of its checks' last 14 results with its symbols in order, `--split provincial`'s
//! documents each with their own changes, and a report without history unchanged. The
//! history is built by hand on the sample record.

use chrono::TimeDelta;
use netaccept::history::RunRow;
use netaccept::report::Lang;
use netaccept::report::html::{self, Details, Options, Split};
use netaccept::results::{Results, Status};
use netaccept::trend::{Change, Diff, Flap, Regression, RunHistory, STRIP_RUNS};

use crate::fixture::mixed;
use crate::history_output::{key, run_row};
use crate::html::{assert_self_contained, section};

fn opts(lang: Lang) -> Options {
    Options {
        lang,
        details: Details::All,
        split: Split::None,
    }
}

/// `n` runs a day apart, the last one the record's own run.
fn runs(r: &Results, n: usize) -> Vec<RunRow> {
    (0..n)
        .map(|i| {
            let mut row = run_row(&format!("night-{i:02}"), "2026-11-28T18:10:50Z");
            row.started = r.run.started - TimeDelta::days((n - 1 - i) as i64);
            if i + 1 == n {
                row.id.clone_from(&r.run.id);
            }
            row
        })
        .collect()
}

const P: Option<Status> = Some(Status::Passed);
const F: Option<Status> = Some(Status::Failed);
const E: Option<Status> = Some(Status::Errored);
const W: Option<Status> = Some(Status::Waived);
const S: Option<Status> = Some(Status::Skipped);
const N: Option<Status> = Some(Status::NotReported);

/// sx-datong's ICMP check over 14 runs, oldest first: every status, and a run without it.
const DATONG_ICMP: [Option<Status>; 14] = [P, P, F, E, W, S, N, None, P, F, P, F, P, F];
/// Its symbols, as the report's status labels show them.
const DATONG_SYMBOLS: [&str; 14] = [
    "✔",
    "✔",
    "✘",
    "⚠\u{FE0E}",
    "◐",
    "⊘",
    "∅",
    "—",
    "✔",
    "✘",
    "✔",
    "✘",
    "✔",
    "✘",
];

fn change(
    node: &str,
    check: &str,
    app: Option<&str>,
    before: Option<Status>,
    after: Status,
) -> Change {
    Change {
        key: key(node, check, app),
        before,
        after,
        kind: (after != Status::Passed).then(|| "Timeout".to_string()),
        message: String::new(),
        since: None,
    }
}

/// A history of the sample record: 14 runs, and a diff against the 13th with something in
/// every list, one message of which tries markup.
fn history(r: &Results) -> RunHistory {
    let runs = runs(r, STRIP_RUNS);
    let mut new_failure = change(
        "sx-datong",
        "net.icmp",
        None,
        Some(Status::Passed),
        Status::Failed,
    );
    new_failure.message = "<script>alert(1)</script> 100% loss".into();
    let mut still = change("sx", "net.dns", None, Some(Status::Failed), Status::Failed);
    still.since = Some(r.run.started - TimeDelta::days(3));
    still.message = "answer mismatch".into();
    let flap = |node: &str, check: &str, app: Option<&str>, percent, flapping| Flap {
        key: key(node, check, app),
        percent,
        flapping,
    };
    let diff = Diff {
        a: runs[STRIP_RUNS - 2].clone(),
        b: runs[STRIP_RUNS - 1].clone(),
        new_failures: vec![new_failure],
        recoveries: vec![change(
            "sx",
            "net.tcp",
            None,
            Some(Status::Errored),
            Status::Passed,
        )],
        still_failing: vec![still],
        flapping: vec![
            flap("national", "net.dns-negative", None, 41.25, true),
            flap("sx-datong", "net.icmp", None, 63.0, true),
        ],
        flapping_started: vec![flap("sx-datong", "net.icmp", None, 63.0, true)],
        flapping_stopped: vec![flap(
            "sx-changzhi",
            "app.health",
            Some("dispatch"),
            22.5,
            false,
        )],
        regressions: vec![Regression {
            key: key("sx", "net.icmp", None),
            measure: "rtt_avg_ms".into(),
            before: 12.0,
            after: 30.5,
        }],
        compared: 90,
    };
    let mut strips = std::collections::HashMap::new();
    strips.insert(key("sx-datong", "net.icmp", None), DATONG_ICMP.to_vec());
    // A check first seen three runs ago.
    strips.insert(key("sx-datong", "net.tcp-http", None), vec![P, F, S]);
    RunHistory {
        diff: Some(diff),
        runs,
        strips,
    }
}

/// The text of a node's strip table in the appendix.
fn strip_of<'a>(h: &'a str, node_id: &str) -> &'a str {
    let details = section(h, "details");
    let at = details
        .find(&format!("<span class=\"id\">{node_id}</span></h3>"))
        .unwrap_or_else(|| panic!("no node {node_id} in the appendix"));
    let rest = &details[at..];
    let next_node = rest[1..].find("<h3>").map_or(rest.len(), |i| i + 1);
    let start = rest[..next_node]
        .find("<table class=\"strip\">")
        .unwrap_or_else(|| panic!("no strip for {node_id}"));
    let len = rest[start..].find("</table>").unwrap();
    &rest[start..start + len]
}

/// The cells of the strip row that starts with `check` (its name), as (class, symbol).
fn cells<'a>(strip: &'a str, check: &str) -> Vec<(&'a str, &'a str)> {
    let at = strip
        .find(&format!("<tr><td>{check}</td>"))
        .unwrap_or_else(|| panic!("no strip row {check} in {strip}"));
    let row = &strip[at..at + strip[at..].find("</tr>").unwrap()];
    row.split("<td class=\"h ")
        .skip(1)
        .map(|c| {
            let (class, rest) = c.split_once("\">").unwrap();
            (class, rest.split_once("</td>").unwrap().0)
        })
        .collect()
}

#[test]
fn changes_section_lists_what_changed_since_the_last_run() {
    let r = mixed();
    let hist = history(&r);
    let h = html::render_with_history(&r, &opts(Lang::Zh), Some(&hist));
    assert_self_contained(&h);
    // After the verdict and the matrix, before the failures.
    let pos = |id: &str| h.find(&format!("<section id=\"{id}\"")).unwrap();
    assert!(pos("matrix") < pos("changes") && pos("changes") < pos("failures"));

    let c = section(&h, "changes");
    assert!(c.contains("<h2>与上次运行相比的变化</h2>"));
    // The previous run: its id and start in the report's form (UTC, then Beijing time).
    assert!(c.contains("<td class=\"mono\">night-12</td>"), "{c}");
    let before = r.run.started - TimeDelta::days(1);
    let bj = before + TimeDelta::hours(8);
    assert!(c.contains(&format!(
        "{} (北京时间 {})",
        before.format("%Y-%m-%d %H:%M:%SZ"),
        bj.format("%Y-%m-%d %H:%M:%S")
    )));
    assert!(c.contains("<td class=\"mono\">vantage:bj</td>"));
    assert!(c.contains("90 项"));
    for (label, n) in [
        ("新增失败", 1),
        ("已恢复", 1),
        ("持续失败", 1),
        ("开始抖动", 1),
        ("停止抖动", 1),
        ("正在抖动", 2),
        ("测量值退化", 1),
    ] {
        assert!(
            c.contains(&format!(
                "<tr><th scope=\"row\">{label}</th><td class=\"num\">{n}</td></tr>"
            )),
            "count {label}"
        );
        assert!(
            c.contains(&format!(
                "{label} <span class=\"small muted\">({n})</span></h3>"
            )),
            "list {label}"
        );
    }
    // The new failure: node and check by name with their ids, passed → failed, the kind
    // and the message, escaped.
    let list = |id: &str| {
        let at = c.find(&format!("<h3 id=\"changes-{id}\">")).unwrap();
        let end = c[at..].find("</table>").unwrap();
        &c[at..at + end]
    };
    let new = list("new-failures");
    assert!(new.contains("大同市应急管理局<br><span class=\"id\">sx-datong</span>"));
    assert!(new.contains("网络连通性（ICMP）<br><span class=\"id\">net.icmp</span>"));
    assert!(new.contains(
        "<span class=\"st st-passed\">✔ 通过</span> → <span class=\"st st-failed\">✘ 失败</span>"
    ));
    assert!(new.contains("<span class=\"id kind\">Timeout</span>"));
    // askama writes `<` as `&#60;`.
    assert!(
        new.contains("&#60;script&#62;alert(1)&#60;/script&#62; 100% loss"),
        "{new}"
    );
    assert!(!h.contains("<script>"));

    let rec = list("recoveries");
    assert!(rec.contains("<span class=\"st st-errored\">⚠\u{FE0E} 错误</span> → <span class=\"st st-passed\">✔ 通过</span>"));
    let still = list("still-failing");
    let since = r.run.started - TimeDelta::days(3) + TimeDelta::hours(8);
    assert!(
        still.contains(&format!(
            "自 {} (北京时间 {}) 起",
            (r.run.started - TimeDelta::days(3)).format("%Y-%m-%d %H:%M:%SZ"),
            since.format("%Y-%m-%d %H:%M:%S")
        )),
        "{still}"
    );
    assert!(still.contains("answer mismatch"));
    // One decimal, as the diff table shows it.
    assert!(
        list("flapping-now").contains("状态变化率 41.2%"),
        "{}",
        list("flapping-now")
    );
    assert!(list("flapping-started").contains("sx-datong"));
    let stopped = list("flapping-stopped");
    assert!(stopped.contains("长治市应急管理局") && stopped.contains("安全生产调度统计系统"));
    assert!(
        list("regressions").contains("平均往返时间 12.0 ms → 30.5 ms"),
        "{}",
        list("regressions")
    );
}

#[test]
fn changes_section_in_english() {
    let r = mixed();
    let mut hist = history(&r);
    // A new failure of an item the previous run did not have.
    hist.diff.as_mut().unwrap().new_failures[0].before = None;
    let h = html::render_with_history(&r, &opts(Lang::En), Some(&hist));
    let c = section(&h, "changes");
    assert!(c.contains("<h2>Changes since the last run</h2>"));
    assert!(c.contains(
        "<span class=\"st st-skipped\">— no result</span> → <span class=\"st st-failed\">✘ failed</span>"
    ));
    for title in [
        "New failures",
        "Recoveries",
        "Still failing",
        "Flapping started",
        "Flapping stopped",
        "Flapping now",
        "Measured regressions",
    ] {
        assert!(
            c.contains(&format!("<th scope=\"row\">{title}</th>")),
            "{title}"
        );
    }
    assert!(c.contains(
        "<span class=\"st st-errored\">⚠\u{FE0E} errored</span> → <span class=\"st st-passed\">✔ passed</span>"
    ));
    assert!(c.contains("(Beijing time") && c.contains("since "), "{c}");
    let strip = strip_of(&h, "sx-datong");
    assert!(strip.contains("<caption>The last 14 runs (oldest first)</caption>"));
    assert!(strip.contains("<br>this run</th>"));
}

#[test]
fn strips_show_each_checks_last_14_results_oldest_first() {
    let r = mixed();
    let hist = history(&r);
    let h = html::render_with_history(&r, &opts(Lang::Zh), Some(&hist));
    let strip = strip_of(&h, "sx-datong");
    assert!(strip.contains("<caption>最近 14 次运行的结果（从旧到新）</caption>"));
    // The column heads: each run's Beijing date and time, oldest first, this run last.
    let bj = |days: i64| r.run.started - TimeDelta::days(days) + TimeDelta::hours(8);
    let heads: Vec<&str> = strip.split("<th class=\"h\">").skip(1).collect();
    assert_eq!(heads.len(), STRIP_RUNS);
    assert!(
        heads[0].starts_with(&format!(
            "{}<br>{}</th>",
            bj(13).format("%m-%d"),
            bj(13).format("%H:%M")
        )),
        "{}",
        heads[0]
    );
    assert!(
        heads[13].starts_with(&format!("{}<br>本次</th>", bj(0).format("%m-%d"))),
        "{}",
        heads[13]
    );

    let icmp = cells(strip, "网络连通性（ICMP）");
    assert_eq!(icmp.len(), STRIP_RUNS);
    let symbols: Vec<&str> = icmp.iter().map(|c| c.1).collect();
    assert_eq!(symbols, DATONG_SYMBOLS);
    let classes: Vec<&str> = icmp.iter().map(|c| c.0).collect();
    assert_eq!(
        &classes[..8],
        [
            "st-passed",
            "st-passed",
            "st-failed",
            "st-errored",
            "st-waived",
            "st-skipped",
            "st-not-reported",
            "h-none"
        ]
    );
    // Three recorded states: eleven cells with no result first, then those three in order.
    let tcp = cells(strip, "应用服务端口可达（HTTP 8080）");
    assert_eq!(tcp.len(), STRIP_RUNS);
    assert!(tcp[..11].iter().all(|c| *c == ("h-none", "—")), "{tcp:?}");
    assert_eq!(
        &tcp[11..],
        [("st-passed", "✔"), ("st-failed", "✘"), ("st-skipped", "⊘")]
    );
    // A check the history does not know: no result in any run (and a full row of them: an
    // empty row would pass `all`).
    let health = cells(strip, "应用系统健康检查");
    assert_eq!(health.len(), STRIP_RUNS);
    assert!(health.iter().all(|c| *c == ("h-none", "—")));
    // The legend, once, at the top of the appendix.
    let details = section(&h, "details");
    assert_eq!(details.matches("<p class=\"legend\">").count(), 1);
    for (class, sym) in [
        ("st-passed", "✔"),
        ("st-failed", "✘"),
        ("st-errored", "⚠\u{FE0E}"),
        ("st-skipped", "⊘"),
        ("st-waived", "◐"),
        ("st-not-reported", "∅"),
        ("h-none", "—"),
    ] {
        assert!(
            details.contains(&format!("<span class=\"key {class}\">{sym} ")),
            "legend {class}"
        );
    }
    // Every node of the appendix has its strip.
    assert_eq!(
        details.matches("<table class=\"strip\">").count(),
        details.matches("<table class=\"details\">").count()
    );
}

#[test]
fn strips_of_a_short_history_start_blank() {
    let r = mixed();
    let mut hist = history(&r);
    hist.runs = runs(&r, 3);
    hist.diff = None;
    let h = html::render_with_history(&r, &opts(Lang::Zh), Some(&hist));
    // The first run of its scope: nothing to compare with.
    let c = section(&h, "changes");
    assert!(c.contains("这是本套件在本范围内第一次记录的运行"));
    assert!(!c.contains("<table"));
    let strip = strip_of(&h, "sx-datong");
    let icmp = cells(strip, "网络连通性（ICMP）");
    assert_eq!(icmp.len(), STRIP_RUNS);
    assert!(icmp[..11].iter().all(|c| *c == ("h-pad", "")), "{icmp:?}");
    // The last three of the item's states, aligned on this run.
    assert_eq!(
        &icmp[11..],
        [("st-failed", "✘"), ("st-passed", "✔"), ("st-failed", "✘")]
    );
    let blank_heads = strip.matches("<th class=\"h\"><br></th>").count();
    assert_eq!(blank_heads, 11);
}

#[test]
fn without_history_the_report_is_unchanged() {
    let r = mixed();
    for lang in [Lang::Zh, Lang::En] {
        for details in [Details::All, Details::Failures] {
            let o = Options {
                lang,
                details,
                split: Split::None,
            };
            let plain = html::render_with(&r, &o);
            assert_eq!(html::render_with_history(&r, &o, None), plain);
            for absent in [
                "id=\"changes\"",
                "class=\"strip\"",
                "table.strip",
                "table.changes",
                "h-none",
            ] {
                assert!(!plain.contains(absent), "{absent}");
            }
            let o = Options {
                split: Split::Provincial,
                ..o
            };
            assert_eq!(
                html::render_split_with_history(&r, &o, None),
                html::render_split(&r, &o)
            );
        }
    }
    // And with a history, the rest of the document is the same: the parts before the new
    // section are untouched.
    let o = opts(Lang::Zh);
    let plain = html::render_with(&r, &o);
    let with = html::render_with_history(&r, &o, Some(&history(&r)));
    let cut = |h: &str| {
        h[h.find("<body>").unwrap()..h.find("<section id=\"failures\"").unwrap()].to_string()
    };
    assert!(cut(&with).starts_with(&cut(&plain)));
    assert_eq!(section(&with, "failures"), section(&plain, "failures"));
    assert_eq!(section(&with, "waivers"), section(&plain, "waivers"));
}

#[test]
fn split_documents_show_their_own_changes_and_the_summary_all() {
    let r = mixed();
    let hist = history(&r);
    let o = Options {
        lang: Lang::Zh,
        details: Details::All,
        split: Split::Provincial,
    };
    let docs = html::render_split_with_history(&r, &o, Some(&hist));
    let doc = |name: &str| {
        &docs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
    };
    let summary = section(doc("report.html"), "changes");
    for node in ["sx-datong", "national", "sx-changzhi", "sx"] {
        assert!(
            summary.contains(&format!("<span class=\"id\">{node}</span>")),
            "{node}"
        );
    }
    assert!(summary.contains("<th scope=\"row\">正在抖动</th><td class=\"num\">2</td>"));
    // The summary has no appendix, hence no strips.
    assert!(!doc("report.html").contains("<table class=\"strip\">"));

    let sx = doc("provinces/sx.html");
    let c = section(sx, "changes");
    assert!(c.contains("本文件只列出本范围内节点的变化。"));
    assert!(c.contains("sx-datong") && !c.contains("<span class=\"id\">national</span>"));
    // National's flapping check is not Shanxi's: one flapping now here.
    assert!(
        c.contains("<th scope=\"row\">正在抖动</th><td class=\"num\">1</td>"),
        "{c}"
    );
    assert_eq!(
        cells(strip_of(sx, "sx-datong"), "网络连通性（ICMP）").len(),
        STRIP_RUNS
    );

    let national = section(doc("provinces/national.html"), "changes");
    assert!(national.contains("<th scope=\"row\">新增失败</th><td class=\"num\">0</td>"));
    assert!(national.contains("net.dns-negative"));
}

#[test]
fn changes_and_strips_print_on_paper() {
    use crate::support::browser::{browser_available, check_cjk_font, pdf_pages, print_pdf};
    if !browser_available(&["chromium", "pdftotext"]) {
        return;
    }
    check_cjk_font();
    let r = mixed();
    let hist = history(&r);
    let dir = tempfile::tempdir().unwrap();
    let html_file = dir.path().join("report.html");
    std::fs::write(
        &html_file,
        html::render_with_history(&r, &opts(Lang::Zh), Some(&hist)),
    )
    .unwrap();
    let pdf = dir.path().join("report.pdf");
    print_pdf(&html_file, &pdf, &dir.path().join("profile"));
    let pages = pdf_pages(&pdf);
    let all = pages.join("\n");
    let start = all
        .find("与上次运行相比的变化")
        .expect("the section is printed");
    let end = all.find("四、失败与错误").expect("the failures follow");
    let changes = &all[start..end];
    // The cells of a row may print on two text lines (the symbols' fonts differ in height):
    // the words are read without the layout's line breaks.
    let flat: String = changes.split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "新增失败",
        "night-12",
        "平均往返时间 12.0 ms →",
        "30.5 ms",
        "状态变化率 63.0%",
        "✔ 通过 → ✘ 失败",
    ] {
        assert!(flat.contains(words), "{words} in\n{changes}");
    }
    // sx-datong's ICMP strip: all 14 symbols printed (their order is the HTML tests').
    let node = all
        .find("大同市应急管理局 sx-datong")
        .expect("the node is printed");
    let strip = node + all[node..].find("最近 14 次运行的结果").expect("its strip");
    let row = strip + all[strip..].find("网络连通性（ICMP）").unwrap();
    let end = row + all[row..].find("应用服务端口可达（HTTP").unwrap();
    let mut printed: Vec<char> = all[row..end]
        .chars()
        .filter(|c| "✔✘⚠◐⊘∅—".contains(*c))
        .collect();
    let mut expected: Vec<char> = DATONG_SYMBOLS
        .iter()
        .map(|s| s.chars().next().unwrap())
        .collect();
    printed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(printed, expected, "{}", &all[row..end]);
}
