//! The link-quality table in every report (issue 18): the mixed sample record with
//! link-quality results added (ping statistics with limits, path MTU, trace, throughput, on
//! a provincial, a prefectural and a county link, and path evidence on a failed ping and a
//! failed TCP check), as the HTML report (zh, en, `--split provincial`), `results.json`'s
//! `link_quality`, `links.csv` and JUnit show it; and the sample record alone, which has no
//! link-quality result, rendered byte for byte as before the table existed.

use netaccept::report::html::{self, Details, Options, Split};
use netaccept::report::{Lang, csv as csv_report, json, junit};
use netaccept::results::{CheckInfo, ResultRecord, Results, Status, Summary};
use serde_json::{Value, json};

use crate::fixture::{mixed as fixture, record};
use crate::html::section;
use crate::support::junit::{Element, check_junit, parse};
use crate::support::netaccept::{assert_exit, hex_sha256, read_json, report};

/// The hop list a failed check at the county carries: two routers answered, then silence.
fn path() -> Value {
    json!([
        {"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.21},
        {"ttl": 2, "addr": "198.18.2.2", "rtt_ms": 0.35},
        {"ttl": 3, "addr": null, "rtt_ms": null}
    ])
}

/// A result of `check` on `node`, a copy of the sample's `net.icmp` result there with these
/// status and measurements.
fn link_result(
    r: &Results,
    node: &str,
    check: &str,
    status: Status,
    kind: Option<&str>,
    m: Value,
) -> ResultRecord {
    let mut x = record(r, node, "net.icmp").clone();
    x.check = check.to_string();
    x.status = status;
    x.kind = kind.map(str::to_string);
    x.message = match status {
        Status::Failed => format!("{check} failed"),
        _ => String::new(),
    };
    x.waiver = None;
    x.waiver_expired = None;
    let Value::Object(m) = m else {
        panic!("measurements are an object")
    };
    x.measurements = m;
    x
}

fn ping(p95: f64, loss: f64) -> Value {
    json!({"sent": 1000, "received": 995, "loss_pct": loss, "rtt_min_ms": 1.234,
        "rtt_avg_ms": 2.5, "rtt_p50_ms": 2.4, "rtt_p95_ms": p95, "rtt_p99_ms": 9.0,
        "rtt_max_ms": 12.75, "rtt_stddev_ms": 0.8, "ipdv_ms": 3.125, "jitter_ms": 0.625,
        "address": "198.18.1.2",
        "limits": {"loss_pct": 0.1, "rtt_avg_ms": 100.0, "rtt_p95_ms": 50.0, "ipdv_ms": 50.0}})
}

/// The sample record with link-quality checks and their results.
fn with_links() -> Results {
    let mut r = fixture();
    for (id, probe) in [
        ("link.icmp", "icmp"),
        ("link.mtu", "mtu"),
        ("link.trace", "trace"),
        ("link.tput", "throughput"),
    ] {
        r.checks.push(CheckInfo {
            id: id.into(),
            name: format!("Link {probe}"),
            severity: netaccept::model::Severity::Major,
            probe: probe.into(),
        });
    }
    let added = vec![
        // National → Shanxi: a p95 beyond its limit, a black hole, a path not as expected.
        link_result(
            &r,
            "sx",
            "link.icmp",
            Status::Failed,
            Some("RttExceeded"),
            ping(60.5, 0.0),
        ),
        link_result(
            &r,
            "sx",
            "link.mtu",
            Status::Failed,
            Some("MtuBlackHole"),
            json!({"path_mtu": 1400, "mtu_evidence": "black_hole", "black_hole": true,
                "probes": 12, "address": "198.18.1.2", "limits": {"path_mtu": 1500}}),
        ),
        link_result(
            &r,
            "sx",
            "link.trace",
            Status::Failed,
            Some("PathMismatch"),
            json!({"path": [{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.2}],
                "path_reached": true, "path_last_hop": "198.18.1.2", "hops": 1,
                "path_expected": false, "expect_via": ["198.18.9.0/24"],
                "address": "198.18.1.2", "limits": {"hops": 30}}),
        ),
        // National → the coal province: all within limits.
        link_result(
            &r,
            "sx-coal",
            "link.icmp",
            Status::Passed,
            None,
            ping(4.25, 0.0),
        ),
        // Shanxi → Datong: throughput above its minimum.
        link_result(
            &r,
            "sx-datong",
            "link.tput",
            Status::Passed,
            None,
            json!({"mbps": 19.5, "bytes": 24_375_000, "seconds": 10.0, "streams": 1,
                "direction": "up", "address": "198.18.2.2", "limits": {"mbps": 15}}),
        ),
        // Datong → Zuoyun: the ping failed, with the path traced at the failure.
        link_result(
            &r,
            "sx-datong-zuoyun",
            "link.icmp",
            Status::Failed,
            Some("LossExceeded"),
            json!({"sent": 1000, "received": 0, "loss_pct": 100.0, "address": "198.18.4.2",
                "limits": {"loss_pct": 0.1}, "path": path(), "path_reached": false,
                "path_last_hop": "198.18.2.2"}),
        ),
    ];
    r.results.extend(added);
    // A failed TCP check with path evidence: no link figure, but its path in every report.
    let tcp = r
        .results
        .iter_mut()
        .find(|x| x.node == "sx-coal" && x.check == "net.tcp")
        .expect("a tcp result at the coal province");
    tcp.status = Status::Failed;
    tcp.kind = Some("Timeout".into());
    tcp.message = "connect timed out".into();
    tcp.waiver = None;
    tcp.measurements.insert("path".into(), path());
    tcp.measurements.insert("path_reached".into(), json!(false));
    tcp.measurements
        .insert("path_last_hop".into(), json!("198.18.2.2"));
    r.run.planned = r.results.len();
    r.summary = Summary::of(&r.results);
    r
}

fn opts(lang: Lang, split: Split) -> Options {
    Options {
        lang,
        details: Details::All,
        split,
    }
}

/// The `<h3>` titles of a section, in order.
fn h3s(s: &str) -> Vec<&str> {
    s.split("<h3>")
        .skip(1)
        .map(|x| &x[..x.find("</h3>").unwrap()])
        .collect()
}

/// The text of some markup: tags dropped, a `<br>` read as a space.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        if rest[i..j].starts_with("<br") {
            out.push(' ');
        }
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// The row of the links table whose first cell names `to_id`.
fn row<'h>(links: &'h str, to_id: &str) -> &'h str {
    links
        .split("<tr>")
        .find(|tr| tr.contains(&format!("{to_id}</span>")) && tr.contains("<td"))
        .unwrap_or_else(|| panic!("no row for {to_id} in {links}"))
}

#[test]
fn html_has_a_table_per_tier_with_figures_limits_and_marks_in_both_languages() {
    let r = with_links();
    let zh = html::render(&r, Lang::Zh);
    let links = section(&zh, "links");
    assert!(
        links.contains("<h2 class=\"later\">六、链路质量</h2>"),
        "{links}"
    );
    assert_eq!(
        h3s(links),
        [
            "省级链路（国家 → 省）",
            "地市级链路（省 → 地市）",
            "县级链路（地市 → 县）"
        ]
    );
    // The section comes after the waivers and before the sign-off, renumbered 七.
    let at = |id: &str| zh.find(&format!("<section id=\"{id}\"")).unwrap();
    assert!(at("waivers") < at("links") && at("links") < at("signoff"));
    assert!(section(&zh, "signoff").contains("七、签字确认</h2>"));

    let sx = row(links, "national → sx");
    let words = plain(sx);
    assert!(words.contains("1000"), "probes: {words}");
    // min / avg / p95 / max, the p95 beyond its limit marked, the limits named below (the
    // sign kept with its number by a no-break space).
    assert!(words.contains("1.234 / 2.5 / ✘ 60.5 / 12.75"), "{words}");
    assert!(sx.contains("<b class=\"v\">✘ 60.5</b>"), "{sx}");
    assert!(
        words.contains("限值 平均 ≤\u{a0}100 · P95 ≤\u{a0}50"),
        "{words}"
    );
    assert!(words.contains("3.125 限值 ≤\u{a0}50"), "IPDV: {words}");
    assert!(words.contains("0.625"), "jitter: {words}");
    assert!(
        words.contains("✘ 1400 · ✘ 黑洞 限值 ≥\u{a0}1500"),
        "{words}"
    );
    assert!(
        words.contains("✘ 不符合预期 · 已到达目标 · 1 跳 · 最后应答 198.18.1.2 限值 ≤\u{a0}30 跳"),
        "{words}"
    );
    assert!(
        sx.contains("<span class=\"st st-failed\">✘ 失败</span>"),
        "the row's verdict: {sx}"
    );
    assert!(words.contains("link.icmp, link.mtu, link.trace"), "{words}");
    assert_eq!(sx.matches("lq-bad").count(), 3, "RTT, MTU, path: {sx}");

    let coal = row(links, "national → sx-coal");
    assert!(
        !coal.contains('✘') && !coal.contains("lq-bad"),
        "within limits: {coal}"
    );
    assert!(
        plain(coal).contains("4.25") && coal.contains("✔ 通过"),
        "{coal}"
    );
    let datong = plain(row(links, "sx → sx-datong"));
    assert!(datong.contains("19.5 · 上行 限值 ≥\u{a0}15"), "{datong}");
    let county = row(links, "sx-datong → sx-datong-zuoyun");
    assert!(county.contains("<b class=\"v\">✘ 100.0%</b>"), "{county}");
    let county = plain(county);
    assert!(
        county.contains("✘ 未到达目标 · 最后应答 198.18.2.2"),
        "{county}"
    );
    assert!(county.contains("198.18.1.2 → 198.18.2.2 → *"), "{county}");

    let en = html::render(&r, Lang::En);
    let links = section(&en, "links");
    assert!(links.contains(">6. Link quality</h2>"));
    assert_eq!(
        h3s(links),
        [
            "Provincial links (national → provincial)",
            "Prefectural links (provincial → prefectural)",
            "County links (prefectural → county)"
        ]
    );
    assert!(section(&en, "signoff").contains("7. Sign-off</h2>"));
    let sx = plain(row(links, "national → sx"));
    assert!(sx.contains("limit avg ≤\u{a0}100 · p95 ≤\u{a0}50"), "{sx}");
    assert!(sx.contains("✘ 1400 · ✘ black hole"), "{sx}");
    assert!(
        sx.contains("✘ not as expected · target reached · 1 hop · last answered 198.18.1.2"),
        "{sx}"
    );
    assert!(plain(row(links, "sx → sx-datong")).contains("19.5 · up"));
}

#[test]
fn html_failures_show_the_path_and_the_last_hop_that_answered() {
    let r = with_links();
    let zh = html::render(&r, Lang::Zh);
    let failures = section(&zh, "failures");
    let line =
        "失败时的路径：198.18.1.2 → 198.18.2.2 → *；最后应答的一跳：198.18.2.2（未到达目标）";
    // The failed ping at the county and the failed TCP check at the coal province.
    assert_eq!(failures.matches(line).count(), 2, "{failures}");
    let en = html::render(&r, Lang::En);
    let line = "Path at the failure: 198.18.1.2 → 198.18.2.2 → *; last hop that answered: \
                198.18.2.2 (target not reached)";
    assert_eq!(section(&en, "failures").matches(line).count(), 2);
    // The appendix shows a passed check's figures in words, the limits too.
    let details = section(&en, "details");
    assert!(
        details.contains("95th percentile round trip 4.25 ms"),
        "{details}"
    );
    assert!(details.contains("limits loss 0.1%"), "{details}");
}

#[test]
fn split_provincial_documents_have_their_own_links_and_the_summary_the_provincial_ones() {
    let r = with_links();
    for lang in [Lang::Zh, Lang::En] {
        let docs = html::render_split(&r, &opts(lang, Split::Provincial));
        let doc = |name: &str| {
            &docs
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no {name}"))
                .1
        };
        let sx = section(doc("provinces/sx.html"), "links");
        assert_eq!(h3s(sx).len(), 3, "{lang:?}: {sx}");
        assert!(sx.contains("sx → sx-datong</span>"));
        assert!(sx.contains("sx-datong → sx-datong-zuoyun</span>"));
        assert!(!sx.contains("sx-coal"), "another province's link");

        let coal = section(doc("provinces/sx-coal.html"), "links");
        assert_eq!(h3s(coal).len(), 1);
        assert!(coal.contains("national → sx-coal</span>"));
        assert!(!coal.contains("national → sx</span>"));

        // The centre has no link-quality result: its document is as it was.
        let centre = doc("provinces/national.html");
        assert!(!centre.contains("<section id=\"links\""));
        assert!(!centre.contains("table.links"));

        let summary = section(doc("report.html"), "links");
        assert_eq!(h3s(summary).len(), 1, "{lang:?}: only the provincial links");
        assert!(summary.contains("national → sx</span>"));
        assert!(summary.contains("national → sx-coal</span>"));
        assert!(!summary.contains("sx-datong"));
        // The summary's one-line failures carry the path too.
        let failures = section(doc("report.html"), "failures");
        let hop = match lang {
            Lang::Zh => "最后应答的一跳：198.18.2.2",
            Lang::En => "last hop that answered: 198.18.2.2",
        };
        assert_eq!(failures.matches(hop).count(), 2, "{lang:?}: {failures}");
    }
}

#[test]
fn results_json_carries_link_quality_and_reading_derives_it_again() {
    let r = with_links();
    let bytes = json::to_bytes(&r);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let rows = v["link_quality"].as_array().expect("link_quality");
    assert_eq!(rows.len(), 4);
    let sx = &rows[0];
    assert_eq!(sx["tier"], "provincial");
    assert_eq!((&sx["from"], &sx["to"]), (&json!("national"), &json!("sx")));
    assert_eq!(sx["checks"], json!(["link.icmp", "link.mtu", "link.trace"]));
    assert_eq!(sx["status"], "failed");
    let p95 = sx["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "rtt_p95_ms")
        .unwrap();
    assert_eq!(
        p95,
        &json!({"key": "rtt_p95_ms", "value": 60.5, "limit": 50.0, "check": "link.icmp",
            "status": "failed", "breaks": true})
    );
    assert_eq!(rows[3]["tier"], "county");
    assert_eq!(rows[3]["path"], "198.18.1.2 → 198.18.2.2 → *");

    // Read back, the key is ignored and the table derived again: the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    std::fs::write(&path, &bytes).unwrap();
    let back = json::read(&path).unwrap();
    assert_eq!(json::to_bytes(&back), bytes);
    // A hand-edited table is not believed: it is derived again from the results.
    let mut edited = v.clone();
    edited["link_quality"] = json!([{"tier": "county", "nonsense": true}]);
    std::fs::write(&path, serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
    assert_eq!(json::to_bytes(&json::read(&path).unwrap()), bytes);
}

/// The SHA-256 of the sample record's `report.html` (`netaccept report mixed.json
/// --no-history`, `--lang zh` and `--lang en`; the same documents as `html::render` makes) as the build before the link-quality table
/// wrote it (commit ddfbe01): a record without link-quality results must render byte for
/// byte as it did. A change to the report that is meant to change every document changes
/// these too (print the new ones and check the difference is the one intended).
const BEFORE_ZH: &str = "4ee0afedaaabe7600e9b766ab0886c00f33f6f80dabb74a34f4ac49627b3c636";
const BEFORE_EN: &str = "ed2f80452416cf412a5c2c5c2f681f7502f45ce276179fb1c3dbb5288977ee55";
/// The same build's `junit.xml` and `results.json` of the sample record.
const BEFORE_JUNIT: &str = "c38ad4e978477a9fe228137830693fe3377b3e0d035e98c04481a95fb9636647";
const BEFORE_JSON: &str = "cb358679677f35e46abf02fa39ed1f950e7f2f3e1cee9909e362ccc1edfe7cac";

#[test]
fn a_record_without_link_results_renders_byte_for_byte_as_before() {
    let r = fixture();
    assert!(netaccept::results::links::derive(&r).is_empty());
    assert_eq!(hex_sha256(html::render(&r, Lang::Zh).as_bytes()), BEFORE_ZH);
    assert_eq!(hex_sha256(html::render(&r, Lang::En).as_bytes()), BEFORE_EN);
    // results.json is the record as serde writes it, no `link_quality` key.
    let mut plain = serde_json::to_vec_pretty(&r).unwrap();
    plain.push(b'\n');
    assert_eq!(json::to_bytes(&r), plain);
    // No links.csv, and the JUnit file has no figure lines.
    let dir = tempfile::tempdir().unwrap();
    let failures = netaccept::report::write_all(dir.path(), &r, Lang::Zh, &Options::default());
    assert!(failures.is_empty(), "{failures:?}");
    assert!(!dir.path().join(csv_report::LINKS_FILE).exists());
    assert!(dir.path().join("results.csv").exists());
    assert_eq!(hex_sha256(&junit::render(&r)), BEFORE_JUNIT);
    assert_eq!(hex_sha256(&json::to_bytes(&r)), BEFORE_JSON);
    let xml = String::from_utf8(junit::render(&r)).unwrap();
    assert!(!xml.contains(" limit<=") && !xml.contains("path="));
}

/// `links.csv` read back: header and rows.
fn read_links(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    let mut rd = csv::ReaderBuilder::new().from_reader(bytes);
    let header = rd.headers().unwrap().iter().map(String::from).collect();
    (header, rd.records().collect::<Result<_, _>>().unwrap())
}

fn col(name: &str) -> usize {
    csv_report::LINKS_HEADER
        .iter()
        .position(|h| *h == name)
        .unwrap()
}

#[test]
fn links_csv_has_one_line_per_figure_with_its_limit_in_the_reports_language() {
    let r = with_links();
    let mut en = Vec::new();
    csv_report::write_links(&r, Lang::En, &mut en).unwrap();
    let (header, rows) = read_links(&en);
    assert_eq!(header, csv_report::LINKS_HEADER);
    let find = |to: &str, figure: &str| {
        rows.iter()
            .find(|x| &x[col("to")] == to && &x[col("figure")] == figure)
            .unwrap_or_else(|| panic!("no {to} {figure}"))
    };
    let p95 = find("sx", "rtt_p95_ms");
    assert_eq!(&p95[col("tier")], "provincial");
    assert_eq!(&p95[col("from")], "national");
    assert_eq!(&p95[col("value")], "60.5");
    assert_eq!(&p95[col("limit")], "50");
    assert_eq!(&p95[col("limit_broken")], "yes");
    assert_eq!(&p95[col("status")], "failed");
    assert_eq!(&p95[col("row")], "1");
    assert_eq!(&find("sx", "sent")[col("limit_broken")], "", "no limit");
    assert_eq!(&find("sx-coal", "rtt_p95_ms")[col("limit_broken")], "no");
    let mbps = find("sx-datong", "mbps");
    assert_eq!((&mbps[col("value")], &mbps[col("limit")]), ("19.5", "15"));
    // Path evidence: the county's ping (in the table) and a TCP check (not in it).
    let county = find("sx-datong-zuoyun", "path_reached");
    assert_eq!(&county[col("path")], "198.18.1.2 → 198.18.2.2 → *");
    assert_eq!(&county[col("last_hop")], "198.18.2.2");
    let tcp = find("sx-coal", "path_last_hop");
    assert_eq!(&tcp[col("check")], "net.tcp");
    assert_eq!(&tcp[col("value")], "198.18.2.2");
    assert_eq!(&tcp[col("limit_broken")], "yes", "target not reached");
    assert_eq!(&tcp[col("path")], "198.18.1.2 → 198.18.2.2 → *");
    assert!(rows.iter().all(|x| x.len() == header.len()));

    let mut zh = Vec::new();
    csv_report::write_links(&r, Lang::Zh, &mut zh).unwrap();
    let (header, rows_zh) = read_links(&zh);
    assert_eq!(header, csv_report::LINKS_HEADER_ZH);
    assert_eq!(
        rows_zh.len(),
        rows.len(),
        "the same lines in either language"
    );
    let p95 = rows_zh
        .iter()
        .find(|x| &x[col("to")] == "sx" && &x[col("figure")] == "rtt_p95_ms")
        .unwrap();
    assert_eq!(&p95[col("tier")], "省级");
    assert_eq!(&p95[col("figure_name")], "往返时间第 95 百分位");
    assert_eq!(&p95[col("limit_broken")], "是");
    assert_eq!(&p95[col("status")], "未通过");
}

#[test]
fn netaccept_report_writes_links_csv_beside_results_csv_and_seals_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.json"), json::to_bytes(&with_links())).unwrap();
    let out = report(
        dir.path(),
        "in.json",
        "out",
        &["--no-history", "--lang", "en"],
    );
    // `report` re-renders; failures do not make it fail.
    assert_exit(&out, 0);
    let folder = dir.path().join("out");
    let csv_bytes = std::fs::read(folder.join("links.csv")).expect("links.csv written");
    let (header, _) = read_links(&csv_bytes);
    assert_eq!(header, csv_report::LINKS_HEADER);
    let sums = std::fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    let line = format!("{}  links.csv", hex_sha256(&csv_bytes));
    assert!(sums.lines().any(|l| l == line), "{sums}");
    let record = read_json(&folder.join("results.json"));
    assert_eq!(record["link_quality"].as_array().map(Vec::len), Some(4));
}

/// The `<system-out>` and the failure text of the test case of `check` at `node`.
fn case_texts(root: &Element, node_name: &str, check_name: &str) -> (String, String) {
    let mut cases = Vec::new();
    root.descendants_named("testcase", &mut cases);
    let tc = cases
        .into_iter()
        .find(|c| c.attr("name") == Some(&format!("{check_name} — {node_name}")))
        .unwrap_or_else(|| panic!("no case {check_name} — {node_name}"));
    let out = tc
        .child("system-out")
        .map(|s| s.text.clone())
        .unwrap_or_default();
    let failure = tc
        .child("failure")
        .map(|s| s.text.clone())
        .unwrap_or_default();
    (out, failure)
}

#[test]
fn junit_carries_the_figures_in_system_out_and_the_path_in_the_failure() {
    let r = with_links();
    let bytes = junit::render(&r);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &bytes).unwrap();
    // xmllint against the schema, junitparser and test-results-parser.
    check_junit(&path);
    let root = parse(std::str::from_utf8(&bytes).unwrap());
    let name = |id: &str| &r.nodes.iter().find(|n| n.id == id).unwrap().name;

    let (out, _) = case_texts(&root, name("sx"), "Link icmp");
    for l in [
        "sent=1000",
        "rtt_min_ms=1.234",
        "rtt_avg_ms=2.5 limit<=100",
        "rtt_p95_ms=60.5 limit<=50 breaks",
        "ipdv_ms=3.125 limit<=50",
        "jitter_ms=0.625",
        "loss_pct=0.0 limit<=0.1",
    ] {
        assert!(out.lines().any(|x| x == l), "no line {l} in\n{out}");
    }
    let (out, _) = case_texts(&root, name("sx"), "Link mtu");
    assert!(
        out.lines().any(|x| x == "path_mtu=1400 limit>=1500 breaks"),
        "{out}"
    );
    assert!(out.lines().any(|x| x == "black_hole=true breaks"), "{out}");
    let (out, _) = case_texts(&root, name("sx-datong"), "Link throughput");
    assert!(out.lines().any(|x| x == "mbps=19.5 limit>=15"), "{out}");
    assert!(out.lines().any(|x| x == "direction=up"), "{out}");

    let (out, failure) = case_texts(&root, name("sx-datong-zuoyun"), "Link icmp");
    assert!(
        out.lines().any(|x| x == "path=198.18.1.2 → 198.18.2.2 → *"),
        "{out}"
    );
    for text in [
        failure,
        case_texts(&root, name("sx-coal"), "应用服务端口可达（HTTPS 8443）").1,
    ] {
        assert!(
            text.contains("path: 198.18.1.2 → 198.18.2.2 → *\n"),
            "{text}"
        );
        assert!(text.contains("last_hop: 198.18.2.2\n"), "{text}");
        assert!(text.contains("path_reached: no\n"), "{text}");
    }
}

/// The report with link quality printed by Chromium: the section starts a page of its own
/// after the waivers and before the sign-off (renumbered), each page keeps its footer, and
/// each table's every column is on the paper (the verdict, the rightmost, is printed for
/// every row, and no figure is cut).
#[test]
fn printed_link_tables_fit_the_page_and_precede_the_sign_off() {
    use crate::support::browser::{browser_available, check_cjk_font, pdf_pages, print_pdf};
    if !browser_available(&["chromium", "pdfinfo", "pdftotext"]) {
        return;
    }
    check_cjk_font();
    let r = with_links();
    let dir = tempfile::tempdir().unwrap();
    let flat = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    for lang in [Lang::Zh, Lang::En] {
        let tag = format!("{lang:?}");
        let file = dir.path().join(format!("links-{tag}.html"));
        std::fs::write(&file, html::render(&r, lang)).unwrap();
        let pdf = dir.path().join(format!("links-{tag}.pdf"));
        print_pdf(&file, &pdf, &dir.path().join(format!("profile-{tag}")));
        let pages: Vec<String> = pdf_pages(&pdf).iter().map(|p| flat(p)).collect();
        let n = pages.len();
        for (i, p) in pages.iter().enumerate() {
            let number = match lang {
                Lang::Zh => format!("第{}页共{n}页", i + 1),
                Lang::En => format!("Page{}of{n}", i + 1),
            };
            assert!(p.contains(&number), "{tag} page {}: {number}", i + 1);
            assert!(p.contains(&r.run.id), "{tag} page {}: run id", i + 1);
        }
        let (waivers, links, signoff, tiers, verdict) = match lang {
            Lang::Zh => (
                "五、豁免",
                "六、链路质量",
                "七、签字确认",
                ["省级链路", "地市级链路", "县级链路"],
                "结论",
            ),
            Lang::En => (
                "5.Waivers",
                "6.Linkquality",
                "7.Sign-off",
                ["Provinciallinks", "Prefecturallinks", "Countylinks"],
                "Verdict",
            ),
        };
        let page_of = |s: &str| {
            pages
                .iter()
                .position(|p| p.contains(s))
                .unwrap_or_else(|| panic!("{tag}: {s} not printed"))
        };
        assert!(
            page_of(waivers) < page_of(links),
            "{tag}: a page of its own"
        );
        assert!(page_of(links) <= page_of(signoff), "{tag}");
        let section: String = pages[page_of(links)..=page_of(signoff)].concat();
        let section = &section[section.find(links).unwrap()..section.find(signoff).unwrap()];
        for t in tiers {
            assert!(section.contains(t), "{tag}: {t}");
        }
        assert_eq!(
            section.matches(verdict).count(),
            3,
            "{tag}: a header per table"
        );
        for figure in [
            "✘60.5",
            "1.234",
            "12.75",
            "3.125",
            "0.625",
            "✘1400",
            "19.5",
            "✘100.0%",
        ] {
            assert!(section.contains(figure), "{tag}: {figure} printed whole");
        }
        // Each row's verdict, the rightmost cell: four rows, three failed, one passed.
        let (failed, passed) = match lang {
            Lang::Zh => ("✘失败", "✔通过"),
            Lang::En => ("✘failed", "✔passed"),
        };
        assert_eq!(section.matches(failed).count(), 2, "{tag}: {section}");
        assert_eq!(section.matches(passed).count(), 2, "{tag}: {section}");
    }
}

/// The network cell of the readiness matrix's row of `id`: `not passed/total`.
fn network_cell(html: &str, id: &str) -> String {
    let matrix = section(html, "matrix");
    let start = matrix
        .find(&format!("<span class=\"id\">{id}</span>"))
        .unwrap_or_else(|| panic!("no matrix row {id}"));
    let row = &matrix[start..start + matrix[start..].find("</tr>").unwrap()];
    let cell = &row[row.find("<td class=\"cell-").unwrap()..];
    plain(&cell[..cell.find("</td>").unwrap()])
        .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '✔')
        .trim()
        .to_string()
}

#[test]
fn the_matrix_network_column_rolls_up_the_link_checks_and_says_so() {
    let before = html::render(&fixture(), Lang::En);
    let r = with_links();
    let after = html::render(&r, Lang::En);
    let count = |s: &str| -> (usize, usize) {
        let (a, b) = s.split_once('/').unwrap_or_else(|| panic!("{s}"));
        (a.parse().unwrap(), b.parse().unwrap())
    };
    let (np, total) = count(&network_cell(&before, "sx"));
    // Shanxi's subtree gained five link results: the ping, MTU and trace at sx (failed),
    // the throughput at Datong (passed) and the ping at Zuoyun (failed).
    assert_eq!(
        count(&network_cell(&after, "sx")),
        (np + 4, total + 5),
        "{}",
        network_cell(&after, "sx")
    );
    let rule = "The network column rolls up the path MTU, path and throughput checks too.";
    assert!(section(&after, "matrix").contains(&format!("checks. {rule}</p>")));
    assert!(!section(&before, "matrix").contains(rule));
    let zh = html::render(&r, Lang::Zh);
    assert!(
        section(&zh, "matrix").contains("检查。网络连通一列也汇总路径 MTU、路径和吞吐量检查。</p>")
    );
}
