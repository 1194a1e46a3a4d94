//! The HTML acceptance report: its content in both languages, escaping of untrusted text,
//! the readiness rule, and a real browser (headless Chromium) rendering it to PNG and PDF.

use std::path::PathBuf;
use std::process::Command;

use netaccept::model::{Kind, Level, Severity};
use netaccept::report::Lang;
use netaccept::report::html::{self, Readiness, province_groups, readiness};
use netaccept::results::{NodeInfo, ResultRecord, Status};

use crate::support::browser::{browser_available, check_cjk_font, chromium, print_pdf, run};

use crate::fixture::{MIXED as FIXTURE, mixed as fixture};

/// The text between `<section id="ID"` and its `</section>`.
pub(super) fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let len = html[start..].find("</section>").expect("section is closed");
    &html[start..start + len]
}

pub(super) fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert_eq!(html.matches("<html").count(), 1, "one document");
    assert_eq!(html.matches("</html>").count(), 1, "one document");
    for bad in [
        "<script", "<link", "src=", "@import", "url(", "<img", "<iframe",
    ] {
        assert!(
            !html.to_ascii_lowercase().contains(bad),
            "the report must be self-contained, found {bad}"
        );
    }
}

#[test]
fn zh_report_has_every_part() {
    let r = fixture();
    let h = html::render(&r, Lang::Zh);
    assert_self_contained(&h);
    assert!(h.contains("<html lang=\"zh-CN\">"));
    assert!(h.contains("金安工程一期 网络互联互通与应用系统验收"));
    assert!(h.contains("phase1-acceptance"));
    assert!(h.contains(&r.run.inventory_sha256));
    assert!(h.contains(&r.run.suite_sha256));
    assert!(h.contains("probe-01.aq.gov.test"));
    // UTC with a Z, and Beijing time (UTC+8: the next day here).
    assert!(h.contains("2026-11-28 18:10:50Z"), "UTC start time");
    assert!(
        h.contains("北京时间 2026-11-29 02:10:50"),
        "Beijing start time"
    );
    assert!(h.contains("<td>全部</td>"), "no selection means all");
    for heading in [
        "一、测试概况",
        "二、验收结论",
        "三、就绪矩阵",
        "四、失败与错误",
        "五、豁免",
        "六、签字确认",
        "附录　全部检查结果",
    ] {
        assert!(h.contains(&format!("{heading}</h2>")), "heading {heading}");
    }
    // Verdict: failures without a waiver.
    assert!(h.contains("✘ 不通过"));
    assert!(h.contains("class=\"verdict fail\"") && !h.contains("class=\"verdict pass\""));

    // Matrix: its header, one row per provincial-level node and the centre, classified.
    let m = section(&h, "matrix");
    assert!(m.contains("<th>网络连通</th>"));
    assert!(m.contains("<th>Web 服务</th>"));
    for app in &r.apps {
        assert!(
            m.contains(&format!("<th class=\"app\">{}</th>", app.name)),
            "{}",
            app.name
        );
    }
    for name in [
        "应急管理部（国家安全生产监督管理总局）",
        "山西省应急管理厅",
        "山西煤矿安全监察局",
    ] {
        assert!(m.contains(name), "matrix row {name}");
    }
    assert!(
        !m.contains("长治市应急管理局"),
        "prefectures roll up into their province"
    );
    for class in ["可试运行", "整改中", "不具备条件"] {
        assert!(m.contains(class), "the legend or a row names {class}");
    }
    assert!(
        m.contains("rd-progress\">整改中</td>"),
        "the centre: 1 of 18 failed"
    );
    assert!(
        m.contains("rd-not\">不具备条件</td>"),
        "critical failures in sx"
    );
    assert!(m.contains("cell-none"), "sx-coal hosts no hazchem");
    assert!(m.contains("cell-waived") || m.contains("cell-fail"));

    // Failures first, by province then node.
    let f = section(&h, "failures");
    let order = [
        "应急管理部（国家安全生产监督管理总局）",
        "山西省应急管理厅",
        "长治市应急管理局",
        "大同市应急管理局",
        "清徐县应急管理局",
        "山西煤矿安全监察局",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|n| f.find(n).unwrap_or_else(|| panic!("{n} in failures")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(f.contains("应用系统健康检查"), "check display name");
    assert!(
        f.contains("状态码为 [200] 之一") && f.contains("503"),
        "expected, measured, in Chinese"
    );
    assert!(f.contains("StatusMismatch"));
    assert!(f.contains("<pre>"), "evidence in a pre");
    assert!(f.contains("跳过"), "skipped checks are counted");
    assert!(
        !f.contains("盂县应急管理局"),
        "a node without failures is not listed"
    );

    let w = section(&h, "waivers");
    assert!(w.contains("清徐县调度统计系统计划2027年6月底前上线"));
    assert!(w.contains("盂县机房搬迁") && w.contains("已过期"));
    assert!(w.contains("未使用"), "an unused waiver is marked");
    assert!(w.contains("已豁免 1 项"));

    let d = section(&h, "details");
    for n in &r.nodes {
        if r.results.iter().any(|x| x.node == n.id) {
            assert!(d.contains(&n.name), "{}", n.name);
            assert!(d.contains(&n.path), "{}", n.path);
        }
    }
    assert_eq!(
        d.matches("<td class=\"details\">").count(),
        r.results.len(),
        "one detail row per result"
    );
    let s = section(&h, "signoff");
    for label in ["测试单位", "测试人员", "验收单位", "验收人员", "日期"] {
        assert!(s.contains(&format!("<td>{label}</td>")), "sign-off {label}");
    }
    assert!(
        s.contains("<td class=\"line\">张工"),
        "the operator is pre-filled as 测试人员"
    );
}

#[test]
fn untrusted_text_is_escaped() {
    let mut r = fixture();
    r.nodes[1].name = "<b onmouseover=\"x\">山西</b>".to_string();
    r.run.operator = "<i>op</i>".to_string();
    for lang in [Lang::Zh, Lang::En] {
        let h = html::render(&r, lang);
        assert_self_contained(&h);
        assert!(!h.contains("alert(\"x\")</script>"));
        // askama writes `<` as `&#60;`; `&lt;` would be as good.
        assert!(
            h.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;")
                || h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
            "the fixture's evidence appears escaped"
        );
        assert!(!h.contains("<b onmouseover"));
        assert!(!h.contains("<i>op</i>"));
    }
}

/// A target that answers with megabytes (or a hand-edited record) cannot bloat the page:
/// messages, expectations, targets, evidence and measurements are cut as the JUnit file cuts
/// them, at the same caps and with the same mark, and what is shown is their start.
#[test]
fn huge_fields_are_capped_with_the_truncation_mark() {
    const HUGE: usize = 10 << 20;
    let huge = |start: &str| format!("{start} {}", "x".repeat(HUGE));
    let mut r = fixture();
    let failed = r
        .results
        .iter_mut()
        .find(|x| x.status == Status::Failed)
        .unwrap();
    failed.message = huge("MESSAGE-START");
    // A kind whose prober line the Chinese report shows beside its words (as raw evidence):
    // for the kinds that expected and measured explain whole, it shows no line to cap.
    failed.kind = Some("ProtocolError".into());
    failed.expected = Some(huge("EXPECTED-START"));
    failed.measured = Some(huge("MEASURED-START"));
    failed.target = huge("TARGET-START");
    failed.evidence = Some(huge("EVIDENCE-START"));
    let passed = r
        .results
        .iter_mut()
        .find(|x| x.status == Status::Passed)
        .unwrap();
    passed
        .measurements
        .insert("body".into(), huge("MEASUREMENT-START").into());
    for lang in [Lang::Zh, Lang::En] {
        let page = html::render(&r, lang);
        assert!(page.len() < 2 << 20, "{} bytes", page.len());
        for start in [
            "MESSAGE-START",
            "EXPECTED-START",
            "MEASURED-START",
            "TARGET-START",
            "EVIDENCE-START",
            "MEASUREMENT-START",
        ] {
            assert!(page.contains(&format!("{start} xxx")), "{start} shown");
        }
        assert!(
            page.matches(&format!("x{}", netaccept::report::junit::TRUNCATED))
                .count()
                >= 6,
            "every cut field ends with the mark"
        );
    }
}

#[test]
fn interrupted_banner_iff_incomplete() {
    let mut r = fixture();
    assert!(r.run.complete);
    let banner = "本报告不完整（运行被中断）";
    let h = html::render(&r, Lang::Zh);
    assert!(!h.contains(banner));
    assert!(!h.contains("<div class=\"banner\""));

    r.run.complete = false;
    r.run.planned = 120;
    let h = html::render(&r, Lang::Zh);
    assert!(h.contains(banner));
    assert!(h.contains("<div class=\"banner\""));
    assert!(h.contains("计划 120 项检查，其中 94 项有结果"));
    let en = html::render(&r, Lang::En);
    assert!(en.contains("This report is incomplete (the run was interrupted)"));
    assert!(en.contains("94 of 120 planned checks"));
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK punctuation (、。「」)
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}') // full-width forms (（），：)
}

/// The maximal runs of CJK characters of a text.
fn cjk_runs(s: &str) -> Vec<String> {
    let mut runs = vec![String::new()];
    for c in s.chars() {
        if is_cjk(c) {
            runs.last_mut().unwrap().push(c);
        } else if !runs.last().unwrap().is_empty() {
            runs.push(String::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

#[test]
fn en_report_has_no_chinese_fixed_strings() {
    let r = fixture();
    let h = html::render(&r, Lang::En);
    assert_self_contained(&h);
    assert!(h.contains("<html lang=\"en\">"));
    for s in [
        "1. Test run",
        "2. Verdict",
        "3. Readiness matrix",
        "4. Failures and errors",
        "5. Waivers",
        "6. Sign-off",
        "Appendix: all results",
    ] {
        assert!(h.contains(&format!("{s}</h2>")), "heading {s}");
    }
    assert!(h.contains("<th>Network</th>"));
    assert!(h.contains("NOT PASSED"));
    assert!(h.contains("Beijing time 2026-11-29 02:10:50"));
    assert!(h.contains("<td>all</td>"));
    for s in [
        "Ready for trial run",
        "In progress",
        "Not ready",
        "unused",
        "expired",
    ] {
        assert!(h.contains(s), "{s}");
    }
    for label in [
        "Testing organisation",
        "Tester",
        "Accepting organisation",
        "Acceptor",
        "Date",
    ] {
        assert!(h.contains(&format!("<td>{label}</td>")), "sign-off {label}");
    }
    assert!(
        h.contains("清徐县调度统计系统计划2027年6月底前上线"),
        "data stays as is"
    );

    // Chinese may come only from the data: every CJK run of the page must lie inside
    // some string of the record (a name, a message, a reason, the operator).
    let json = std::fs::read_to_string(FIXTURE).unwrap();
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut strings = Vec::new();
    collect_strings(&data, &mut strings);
    for run in cjk_runs(&h) {
        assert!(
            strings.iter().any(|s| s.contains(&run)),
            "fixed Chinese text `{run}` in the English report"
        );
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// The readiness rule, on small hand-built records.

fn rec(node: &str, check: &str, severity: Severity, status: Status) -> ResultRecord {
    ResultRecord {
        node: node.to_string(),
        check: check.to_string(),
        app: None,
        status,
        severity,
        started: "2026-03-15T02:00:00Z".parse().unwrap(),
        duration_ms: 1.0,
        attempts: 1,
        attempt_ms: vec![1.0],
        message: String::new(),
        measurements: serde_json::Map::default(),
        kind: None,
        expected: None,
        measured: None,
        evidence: None,
        target: "127.0.0.1".to_string(),
        waiver: None,
        waiver_expired: None,
        need_waived: false,
        vantage: None,
        host: None,
    }
}

/// `passed` passing critical results plus the given extra ones.
fn set(passed: usize, extra: &[(Severity, Status)]) -> Vec<ResultRecord> {
    let mut v: Vec<ResultRecord> = (0..passed)
        .map(|_| rec("bj", "net.icmp", Severity::Critical, Status::Passed))
        .collect();
    v.extend(extra.iter().map(|&(sev, st)| rec("bj", "x", sev, st)));
    v
}

#[test]
fn readiness_ready() {
    assert_eq!(readiness(&set(10, &[])), Readiness::Ready);
    // 1 of 20 = 5 %: still ready.
    let v = set(19, &[(Severity::Major, Status::Failed)]);
    assert_eq!(readiness(&v), Readiness::Ready);
    // A waived critical failure counts as passed.
    let v = set(5, &[(Severity::Critical, Status::Waived)]);
    assert_eq!(readiness(&v), Readiness::Ready);
}

#[test]
fn readiness_in_progress() {
    // 1 of 19 > 5 %.
    let v = set(18, &[(Severity::Major, Status::Failed)]);
    assert_eq!(readiness(&v), Readiness::InProgress);
    // A skip counts as not passed; an error too.
    let v = set(
        8,
        &[
            (Severity::Minor, Status::Skipped),
            (Severity::Minor, Status::Errored),
        ],
    );
    assert_eq!(readiness(&v), Readiness::InProgress);
}

#[test]
fn readiness_not_ready() {
    for st in [Status::Failed, Status::Errored, Status::Skipped] {
        let v = set(100, &[(Severity::Critical, st)]);
        assert_eq!(readiness(&v), Readiness::NotReady, "{st:?}");
    }
    assert_eq!(
        readiness(std::iter::empty()),
        Readiness::NotReady,
        "nothing proven"
    );
    assert_eq!(Readiness::NotReady.label(Lang::Zh), "不具备条件");
    assert_eq!(Readiness::Ready.label(Lang::Zh), "可试运行");
    assert_eq!(Readiness::InProgress.label(Lang::Zh), "整改中");
    assert_eq!(Readiness::InProgress.as_str(), "in_progress");
}

fn node(id: &str, level: Level, parent: Option<&str>, path: &str) -> NodeInfo {
    NodeInfo {
        id: id.to_string(),
        name: id.to_uppercase(),
        level,
        kind: Kind::Safety,
        parent: parent.map(str::to_string),
        path: path.to_string(),
        region: None,
        host: None,
    }
}

#[test]
fn province_groups_roll_up_subtrees() {
    let mut r = fixture();
    r.nodes = vec![
        node("national", Level::National, None, "national"),
        node("bj", Level::Provincial, Some("national"), "national.bj"),
        node("bj-dc", Level::County, Some("bj"), "national.bj.bj-dc"),
        // Directly under the centre without a province: counted with the centre.
        node("lab", Level::County, Some("national"), "national.lab"),
        node("tj", Level::Provincial, Some("national"), "national.tj"),
    ];
    r.results = vec![
        rec("national", "net.icmp", Severity::Critical, Status::Passed),
        rec("bj", "net.icmp", Severity::Critical, Status::Passed),
        rec("bj-dc", "net.icmp", Severity::Critical, Status::Failed),
        rec("lab", "net.icmp", Severity::Major, Status::Failed),
    ];
    let g = province_groups(&r);
    let ids: Vec<(&str, usize, Readiness)> = g
        .iter()
        .map(|g| (g.node.id.as_str(), g.results.len(), g.readiness()))
        .collect();
    // tj has no result: no row.
    assert_eq!(
        ids,
        [
            ("national", 2, Readiness::InProgress),
            ("bj", 2, Readiness::NotReady)
        ]
    );
    let h = html::render(&r, Lang::Zh);
    assert!(section(&h, "matrix").contains("全部节点"), "a total row");
}

// ---------------------------------------------------------------------------------------
// A real browser.

/// The pages the fixture's report prints on: 14 with Chromium 156 and Noto Sans CJK (Debian
/// 12). The range allows other versions and fonts, and catches a broken print stylesheet
/// (one page per row, or no page breaks at all).
const PAGES: std::ops::RangeInclusive<usize> = 8..=22;

fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn renders_in_chromium_to_png_and_pdf() {
    if !browser_available(&["chromium", "pdfinfo", "pdftotext"]) {
        return;
    }
    check_cjk_font();
    let r = fixture();
    let dir = tempfile::tempdir().unwrap();
    let html_file = dir.path().join("report.html");
    std::fs::write(&html_file, html::render(&r, Lang::Zh)).unwrap();

    let png = dir.path().join("first-page.png");
    let mut c = chromium(&dir.path().join("profile-png"));
    c.arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1240,1754")
        .arg("--hide-scrollbars")
        .arg(format!("file://{}", html_file.display()));
    run(c, "chromium --screenshot");
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.len() > 20_000, "a blank page? {} bytes", bytes.len());
    assert_eq!(png_size(&bytes).0, 1240);

    let pdf = dir.path().join("report.pdf");
    print_pdf(&html_file, &pdf, &dir.path().join("profile-pdf"));
    let bytes = std::fs::read(&pdf).expect("chromium wrote the PDF");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");

    let info = String::from_utf8(run(
        {
            let mut c = Command::new("pdfinfo");
            c.arg(&pdf);
            c
        },
        "pdfinfo",
    ))
    .unwrap();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo gives the pages")
        .trim()
        .parse()
        .unwrap();
    assert!(PAGES.contains(&pages), "{pages} pages, expected {PAGES:?}");
    assert!(info.contains("A4"), "printed on A4: {info}");

    let text = String::from_utf8(run(
        {
            let mut c = Command::new("pdftotext");
            c.args(["-enc", "UTF-8"]).arg(&pdf).arg("-");
            c
        },
        "pdftotext",
    ))
    .unwrap();
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for s in [
        r.run.suite_name.as_str(),
        "山西省应急管理厅",
        "四、失败与错误",
        "签字确认",
        // The hostile evidence is shown as text, not run.
        "<script>alert(\"x\")</script>",
    ] {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains(&s), "the PDF text lacks {s}");
    }

    // To look at them: NETACCEPT_HTML_KEEP=DIR keeps the page, the screenshot and the PDF.
    if let Some(keep) = std::env::var_os("NETACCEPT_HTML_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for f in [&html_file, &png, &pdf] {
            std::fs::copy(f, keep.join(f.file_name().unwrap())).unwrap();
        }
        std::fs::write(keep.join("report.en.html"), html::render(&r, Lang::En)).unwrap();
    }
}
