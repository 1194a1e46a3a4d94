//! The acceptance report as a committee reads it on paper: the order of its sections (the
//! sign-off before the appendix), the print footers (page N of M, the run id, the record's
//! SHA-256), `--details failures`, the blank 测试人员 line, the readiness matrix's web column,
//! legend and words, and `--split provincial`. The PDF tests print with headless Chromium
//! and read the pages back with pdftotext (helpers of `html`).

use std::path::Path;

use netaccept::report::html::{self, Details, Options, Split};
use netaccept::report::{Lang, json};
use netaccept::results::{CheckInfo, Results, Status};

use crate::commands::two_node_case;
use crate::fixture::{MIXED, mixed as fixture, record};
use crate::html::{assert_self_contained, section};
use crate::support::browser::{browser_available, check_cjk_font, pdf_pages, print_pdf};
use crate::support::netaccept::{
    assert_exit, hex_sha256, read_json, report, run_case, run_case_in_env,
};

fn opts(lang: Lang, details: Details) -> Options {
    Options {
        lang,
        details,
        split: Split::None,
    }
}

/// Where each `<section id=…>` starts, in the order given; panics on a missing one.
fn positions(h: &str, ids: &[&str]) -> Vec<usize> {
    ids.iter()
        .map(|id| {
            h.find(&format!("<section id=\"{id}\""))
                .unwrap_or_else(|| panic!("no section {id}"))
        })
        .collect()
}

const ORDER: [&str; 7] = [
    "run", "verdict", "matrix", "failures", "waivers", "signoff", "details",
];

#[test]
fn sections_come_in_signing_order_with_the_appendix_last() {
    let r = fixture();
    for lang in [Lang::Zh, Lang::En] {
        let h = html::render(&r, lang);
        let p = positions(&h, &ORDER);
        assert!(p.windows(2).all(|w| w[0] < w[1]), "{lang:?}: {p:?}");
    }
    let h = html::render(&r, Lang::Zh);
    assert!(section(&h, "signoff").contains("六、签字确认</h2>"));
    assert!(section(&h, "details").contains("<h2 class=\"later\">附录　全部检查结果</h2>"));
    let en = html::render(&r, Lang::En);
    assert!(section(&en, "details").contains(">Appendix: all results</h2>"));
}

/// The print CSS's margin boxes: the page counter, the run id and the first 16 digits of the
/// SHA-256 of the record's results.json bytes, labelled as the record's; the whole hash in
/// the header.
#[test]
fn print_footers_carry_page_numbers_run_id_and_record_hash() {
    let r = fixture();
    let sha = json::sha256(&r);
    let direct = hex_sha256(&json::to_bytes(&r));
    assert_eq!(sha, direct, "the hash of the bytes results.json holds");

    let page = html::render(&r, Lang::Zh);
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    let css = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("\\{:06x}", u32::from(c))
                }
            })
            .collect()
    };
    assert!(
        style.contains(&format!(
            "@bottom-center {{ content: \"{}\" counter(page) \"{}\" counter(pages) \"{}\";",
            css("第 "),
            css(" 页 共 "),
            css(" 页")
        )),
        "page N of M"
    );
    assert!(style.contains(&format!(
        "@bottom-left {{ content: \"{}\";",
        css(&format!("运行编号 {}", r.run.id))
    )));
    assert!(style.contains(&format!(
        "@bottom-right {{ content: \"{}\";",
        css(&format!("记录 SHA-256 前缀 {}", &sha[..16]))
    )));
    let run = section(&page, "run");
    assert!(run.contains(&format!("<td class=\"mono\">{sha}</td>")));
    assert!(run.contains("记录 SHA-256（results.json）"));
    assert!(run.contains("报告不能包含自身的哈希值"), "says why");

    let en = html::render(&r, Lang::En);
    assert!(en.contains(&format!(
        "\"{}\" counter(page) \"{}\" counter(pages)",
        css("Page "),
        css(" of ")
    )));
    assert!(en.contains(&css(&format!("record SHA-256 {}", &sha[..16]))));
}

/// A run id from a hand-edited record cannot end the `<style>` or the CSS string.
#[test]
fn footer_text_stays_inside_its_css_string() {
    let mut r = fixture();
    r.run.id = "x\"; } </style><script>alert(1)</script>".to_string();
    for lang in [Lang::Zh, Lang::En] {
        let h = html::render(&r, lang);
        assert_self_contained(&h);
        assert_eq!(h.matches("</style>").count(), 1);
        let style = &h[h.find("<style>").unwrap()..h.find("</style>").unwrap()];
        assert!(!style[1..].contains('<'), "escaped in the CSS: {style}");
    }
}

#[test]
fn details_failures_leaves_the_passing_rows_out_and_says_so() {
    let r = fixture();
    let passed = r
        .results
        .iter()
        .filter(|x| x.status == Status::Passed)
        .count();
    let all = html::render_with(&r, &opts(Lang::Zh, Details::All));
    let d = section(&all, "details");
    assert_eq!(d.matches("<td class=\"details\">").count(), r.results.len());
    assert!(d.contains("st-passed"));

    let h = html::render_with(&r, &opts(Lang::Zh, Details::Failures));
    let d = section(&h, "details");
    assert_eq!(
        d.matches("<td class=\"details\">").count(),
        r.results.len() - passed,
        "one row per result that did not pass"
    );
    assert!(!d.contains("st-passed"), "no passing row");
    assert!(d.contains("附录　未通过的检查结果</h2>"));
    assert!(
        d.contains(&format!("另有 {passed} 项通过的检查未列出")),
        "the document says what it leaves out"
    );
    // A node whose every result passed has no heading in that appendix.
    let all_passed: Vec<&str> = r
        .nodes
        .iter()
        .filter(|n| {
            let mut rs = r.results.iter().filter(|x| x.node == n.id).peekable();
            rs.peek().is_some() && rs.all(|x| x.status == Status::Passed)
        })
        .map(|n| n.name.as_str())
        .collect();
    assert!(!all_passed.is_empty(), "the fixture has such a node");
    for n in all_passed {
        assert!(!d.contains(&format!("<h3>{n} ")), "{n}");
    }
    // The rest of the document is the same.
    assert_eq!(section(&h, "failures"), section(&all, "failures"));
    let en = html::render_with(&r, &opts(Lang::En, Details::Failures));
    assert!(en.contains(&format!("{passed} passed checks are left out")));
}

/// 测试人员 is a line for a pen unless an operator was given.
#[test]
fn tester_line_is_blank_without_an_operator() {
    let mut r = fixture();
    r.run.operator = String::new();
    let h = html::render(&r, Lang::Zh);
    let s = section(&h, "signoff");
    assert!(
        s.contains(
            "<tr><td>测试人员</td><td class=\"line\"><span class=\"hint\">（签字）</span></td>"
        ),
        "{s}"
    );
    assert!(section(&h, "run").contains("<th scope=\"row\">测试人员</th><td>—</td>"));
}

/// `netaccept run` without `--operator` records no operator, whoever the login user is, and
/// its report leaves the line blank; with it, the name is printed.
#[test]
fn run_without_operator_leaves_it_empty() {
    let d = two_node_case();
    let dir = d.path();
    let env = [("USER", "root"), ("LOGNAME", "root")];
    let out = run_case_in_env(dir, "plain", &[], &env);
    assert_eq!(out.status.code(), Some(1));
    let r = read_json(&dir.join("plain/results.json"));
    assert_eq!(r["run"]["operator"], "");
    let h = std::fs::read_to_string(dir.join("plain/report.html")).unwrap();
    assert!(!section(&h, "signoff").contains("root"));

    let out = run_case_in_env(dir, "named", &["--operator", "李工"], &env);
    assert_eq!(out.status.code(), Some(1));
    let h = std::fs::read_to_string(dir.join("named/report.html")).unwrap();
    assert!(section(&h, "signoff").contains("<td class=\"line\">李工"));
}

/// `netaccept run --split provincial`: the centre's and the province's documents and the
/// summary linking to both, from the run itself.
#[test]
fn run_split_provincial_writes_the_documents() {
    let d = two_node_case();
    let dir = d.path();
    let out = run_case(dir, "out", &["--split", "provincial"]);
    assert_exit(&out, 1);
    let summary = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    for id in ["c", "p"] {
        assert!(
            summary.contains(&format!("href=\"provinces/{id}.html\"")),
            "{id}"
        );
        let h = std::fs::read_to_string(dir.join(format!("out/provinces/{id}.html"))).unwrap();
        assert_eq!(
            section(&h, "matrix")
                .matches("<td class=\"rowhead\">")
                .count(),
            1,
            "{id}: its own row"
        );
        assert!(h.contains("<section id=\"details\""), "{id}: its appendix");
    }
    assert!(!summary.contains("<section id=\"details\""));
}

/// The fixture with a node-level web check (net.web, HTTP, no app) that failed at sx only.
fn with_web_check() -> Results {
    let mut r = fixture();
    r.checks.push(CheckInfo {
        id: "net.web".into(),
        name: "Web 服务响应（HTTPS）".into(),
        severity: netaccept::model::Severity::Major,
        probe: "http".into(),
    });
    let template = record(&r, "sx", "net.icmp").clone();
    let mut web = template.clone();
    web.check = "net.web".into();
    web.status = Status::Failed;
    web.kind = Some("Timeout".into());
    web.message = "no answer in 2 s".into();
    r.results.push(web);
    let mut ok = template;
    ok.node = "national".into();
    ok.check = "net.web".into();
    ok.status = Status::Passed;
    r.results.push(ok);
    r.summary = netaccept::results::Summary::of(&r.results);
    r
}

/// The row of node `id` in the matrix.
fn matrix_row<'h>(h: &'h str, id: &str) -> &'h str {
    let m = section(h, "matrix");
    let at = m
        .find(&format!("<span class=\"id\">{id}</span>"))
        .unwrap_or_else(|| panic!("no row {id}"));
    let end = m[at..].find("</tr>").unwrap();
    &m[at..at + end]
}

/// The cells of a matrix row, as (class, text) after the row head.
fn cells(row: &str) -> Vec<&str> {
    row.split("<td class=\"")
        .skip(1)
        .map(|c| &c[..c.find('"').unwrap()])
        .collect()
}

#[test]
fn web_checks_have_their_own_matrix_column() {
    let r = with_web_check();
    let h = html::render(&r, Lang::Zh);
    let m = section(&h, "matrix");
    assert!(m.contains("<th>网络连通</th><th>Web 服务</th>"), "{m}");
    // Columns: network, web, one per app, classification.
    let sx = cells(matrix_row(&h, "sx"));
    assert_eq!(sx.len(), 2 + r.apps.len() + 1, "{sx:?}");
    assert_eq!(sx[1], "cell-fail", "sx's web server never answered");
    let centre = cells(matrix_row(&h, "national"));
    assert_eq!(centre[1], "cell-pass");
    assert_eq!(
        cells(matrix_row(&h, "sx-coal"))[1],
        "cell-none",
        "no web check there"
    );
    // The legend says which checks the column holds.
    assert!(m.contains("Web 服务一列汇总不属于某个应用的 HTTP(S) 检查（net.web、net.web-http"));
    let en = html::render(&r, Lang::En);
    assert!(section(&en, "matrix").contains("<th>Web service</th>"));
    assert!(section(&en, "matrix").contains(
        "the web service column the HTTP(S) checks of no application (net.web, net.web-http"
    ));
}

/// The legend and the rule follow the matrix with no page break between (the print CSS),
/// 不具备条件 is bold, and headers and kinds keep their words whole.
#[test]
fn matrix_legend_bold_not_ready_and_whole_words_in_the_markup() {
    let r = fixture();
    let h = html::render(&r, Lang::Zh);
    let m = section(&h, "matrix");
    let table_end = m.find("</table>").unwrap();
    let legend = m.find("<div class=\"legend-block\">").unwrap();
    assert!(table_end < legend, "the legend follows the matrix");
    assert!(m[legend..].contains("图例"));
    assert!(m[legend..].contains("<b class=\"rd-not\">不具备条件</b>"));
    assert!(m.contains("<td class=\"rd rd-not\">不具备条件</td>"));
    let style = &h[h.find("<style>").unwrap()..h.find("</style>").unwrap()];
    for rule in [
        ".legend-block { break-inside: avoid; page-break-inside: avoid; break-before: avoid;",
        "table.matrix tbody tr:last-child { break-after: avoid;",
        "td.rd-not, .rule b.rd-not { font-weight: bold; }",
        "th, .kind, td.rd, table.matrix td { overflow-wrap: normal; word-break: keep-all;",
        ".kind { white-space: nowrap; }",
    ] {
        assert!(style.contains(rule), "print CSS lacks {rule}");
    }
    assert!(section(&h, "failures").contains("<span class=\"id kind\">StatusMismatch</span>"));
}

/// `--split provincial` in memory: a document per group, each whole, then the summary.
#[test]
fn split_provincial_makes_a_document_per_province_and_a_summary() {
    let r = fixture();
    let docs = html::render_split(
        &r,
        &Options {
            lang: Lang::Zh,
            details: Details::All,
            split: Split::Provincial,
        },
    );
    let names: Vec<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "provinces/national.html",
            "provinces/sx.html",
            "provinces/sx-coal.html",
            "report.html"
        ]
    );
    let sha = json::sha256(&r);
    for (name, h) in &docs {
        assert_self_contained(h);
        let p = positions(h, &ORDER[..6]);
        assert!(p.windows(2).all(|w| w[0] < w[1]), "{name}: {p:?}");
        assert!(h.contains(&sha), "{name}: the whole record's hash");
    }
    let doc = |n: &str| &docs.iter().find(|(x, _)| x == n).unwrap().1;

    // sx: its own verdict, one matrix row, its failures, its waivers, its appendix.
    let sx = doc("provinces/sx.html");
    assert!(sx.contains("<a href=\"../report.html\">../report.html</a>"));
    assert!(sx.contains("山西省应急管理厅（sx）及其全部下级节点"));
    let sx_results: Vec<_> = r
        .results
        .iter()
        .filter(|x| x.node.starts_with("sx") && !x.node.starts_with("sx-coal"))
        .collect();
    assert_eq!(
        section(sx, "matrix")
            .matches("<td class=\"rowhead\">")
            .count(),
        1
    );
    assert_eq!(
        section(sx, "details")
            .matches("<td class=\"details\">")
            .count(),
        sx_results.len()
    );
    assert!(section(sx, "failures").contains("长治市应急管理局"));
    assert!(!section(sx, "failures").contains("应急管理部"));
    assert!(!section(sx, "failures").contains("山西煤矿安全监察局"));
    let w = section(sx, "waivers");
    assert!(w.contains("清徐县调度统计系统计划2027年6月底前上线") && w.contains("盂县机房搬迁"));
    assert!(section(sx, "signoff").contains("测试人员"));
    let failed = sx_results
        .iter()
        .filter(|x| matches!(x.status, Status::Failed | Status::Errored))
        .count();
    assert!(section(sx, "verdict").contains(&format!(
        "<td class=\"num\">{failed}</td><td class=\"num\">{}</td></tr>",
        sx_results.len()
    )));
    // The centre's document: its own results, no waiver of sx's.
    let centre = doc("provinces/national.html");
    assert!(centre.contains("本级，及不属于任何省级节点的节点"));
    assert!(!section(centre, "waivers").contains("盂县"));

    // The summary: every row links to its document, one line per failure, no appendix.
    let s = doc("report.html");
    assert!(!s.contains("<section id=\"details\""), "no appendix");
    let m = section(s, "matrix");
    for id in ["national", "sx", "sx-coal"] {
        assert!(m.contains(&format!("href=\"provinces/{id}.html\"")), "{id}");
    }
    let f = section(s, "failures");
    let not_passed = r
        .results
        .iter()
        .filter(|x| matches!(x.status, Status::Failed | Status::Errored))
        .count();
    assert_eq!(
        f.matches("<tr><td>").count(),
        not_passed,
        "one line per failure"
    );
    assert!(!f.contains("<pre>"), "no evidence in the summary");
    assert!(section(s, "signoff").contains("测试人员"));
}

/// `netaccept report --split provincial`: the files on disk, each link resolving, and the
/// hash every document prints is the one of the results.json beside it.
#[test]
fn report_split_provincial_writes_the_documents() {
    let d = tempfile::tempdir().unwrap();
    let out = report(
        d.path(),
        MIXED,
        "out",
        &["--split", "provincial", "--details", "failures"],
    );
    assert_exit(&out, 0);
    let dir = d.path().join("out");
    let sha = hex_sha256(&std::fs::read(dir.join("results.json")).unwrap());
    let summary = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let mut linked = 0;
    for part in summary.split("href=\"").skip(1) {
        let href = &part[..part.find('"').unwrap()];
        assert!(dir.join(href).is_file(), "{href} written");
        linked += 1;
    }
    assert!(linked >= 3);
    let mut files: Vec<_> = std::fs::read_dir(dir.join("provinces"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["national.html", "sx-coal.html", "sx.html"],
        "no temporary file left"
    );
    for f in &files {
        let h = std::fs::read_to_string(dir.join("provinces").join(f)).unwrap();
        assert!(h.contains(&sha), "{f}");
        assert!(section(&h, "details").contains("未通过的检查结果"), "{f}");
    }
    assert!(summary.contains(&sha));
}

/// The fixture's report printed by Chromium: every page has `第 N 页 共 M 页`, the run id and
/// the record's hash prefix; the sign-off comes before the appendix; the legend is on the page
/// of the matrix's last row; kinds and headers are not broken inside a word.
#[test]
fn printed_pages_carry_footers_and_sign_off_precedes_appendix() {
    if !browser_available(&["chromium", "pdfinfo", "pdftotext"]) {
        return;
    }
    check_cjk_font();
    let mut r = with_web_check();
    // An answer mismatch, a long kind in a narrow column.
    r.results
        .iter_mut()
        .find(|x| x.kind.as_deref() == Some("StatusMismatch"))
        .unwrap()
        .kind = Some("TcpFallbackBlocked".into());
    let dir = tempfile::tempdir().unwrap();
    for lang in [Lang::Zh, Lang::En] {
        let pages = print(&r, lang, dir.path());
        let n = pages.len();
        let sha = json::sha256(&r);
        let flat = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
        for (i, p) in pages.iter().enumerate() {
            let f = flat(p);
            let number = match lang {
                Lang::Zh => format!("第{}页共{n}页", i + 1),
                Lang::En => format!("Page{}of{n}", i + 1),
            };
            assert!(
                f.contains(&number),
                "{lang:?} page {}: {number}\n{p}",
                i + 1
            );
            assert!(f.contains(&r.run.id), "page {}: run id", i + 1);
            assert!(f.contains(&sha[..16]), "page {}: record hash", i + 1);
        }
        let (signoff, appendix, total_row, legend) = match lang {
            Lang::Zh => ("六、签字确认", "附录全部检查结果", "全部节点", "图例"),
            Lang::En => ("6.Sign-off", "Appendix:allresults", "Allnodes", "Legend"),
        };
        let page_of = |s: &str| {
            pages
                .iter()
                .position(|p| flat(p).contains(s))
                .unwrap_or_else(|| panic!("{lang:?}: {s} printed"))
        };
        assert!(page_of(signoff) < page_of(appendix), "{lang:?}");
        assert_eq!(
            page_of(total_row),
            page_of(legend),
            "{lang:?}: legend with the matrix"
        );
        // Whole words on their lines (pdftotext keeps a broken word's pieces apart).
        let all = pages.concat();
        for word in ["TcpFallbackBlocked", "ConnectionRefused"] {
            assert!(all.contains(word), "{lang:?}: {word} unbroken");
        }
        if lang == Lang::En {
            for word in ["Classification", "Attempts", "Severity"] {
                assert!(all.contains(word), "{word} unbroken");
            }
        }
    }
}

/// Prints the record's report to PDF and returns each page's text.
fn print(r: &Results, lang: Lang, dir: &Path) -> Vec<String> {
    let tag = format!("{lang:?}");
    let html_file = dir.join(format!("report-{tag}.html"));
    std::fs::write(&html_file, html::render(r, lang)).unwrap();
    let pdf = dir.join(format!("report-{tag}.pdf"));
    print_pdf(&html_file, &pdf, &dir.join(format!("profile-{tag}")));
    let pages = pdf_pages(&pdf);
    assert!(pages.len() > 3, "{} pages", pages.len());
    pages
}
