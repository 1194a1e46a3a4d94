//! Availability against the hand-computed fixture (`tests/fixtures/availability/`, whose
//! README shows the arithmetic): the store's roll-ups and samples as text, the maintenance
//! file through the loader, every count and percent compared (percents to 0.01). Then the
//! report made from it: the table, the JSON and the printable HTML in both languages. And
//! the invalid maintenance files, each against its expected diagnostics.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use netaccept::history::{Catalog, DayCounts, ItemKey, Sample, StatusCounts};
use netaccept::load::load_maintenance;
use netaccept::model::maintenance::Maintenance;
use netaccept::report::Lang;
use netaccept::report::availability as report;
use netaccept::results::{AppInfo, CheckInfo, NodeInfo, Status};
use netaccept::trend::{self, Availability, Counts, Period, Row};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/availability")
}

/// The fixture's lines without comments, split on white space.
fn lines(name: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir().join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

fn opt(s: &str) -> Option<String> {
    (s != "-").then(|| s.to_string())
}

fn key(node: &str, check: &str, app: &str) -> ItemKey {
    ItemKey {
        node: node.into(),
        check: check.into(),
        app: opt(app),
    }
}

fn catalog() -> Catalog {
    #[derive(serde::Deserialize)]
    struct File {
        nodes: Vec<NodeInfo>,
        checks: Vec<CheckInfo>,
        apps: Vec<AppInfo>,
    }
    let f: File =
        serde_json::from_str(&std::fs::read_to_string(dir().join("catalog.json")).unwrap())
            .unwrap();
    Catalog {
        nodes: f.nodes,
        checks: f.checks,
        apps: f.apps,
    }
}

fn daily() -> Vec<DayCounts> {
    lines("daily.txt")
        .iter()
        .map(|f| {
            let n: Vec<u32> = f[4..].iter().map(|x| x.parse().unwrap()).collect();
            DayCounts {
                day: f[0].parse().unwrap(),
                key: key(&f[1], &f[2], &f[3]),
                counts: StatusCounts {
                    passed: n[0],
                    failed: n[1],
                    errored: n[2],
                    waived: n[3],
                    skipped_needs: n[4],
                    skipped_other: n[5],
                    not_reported: n[6],
                },
            }
        })
        .collect()
}

fn samples() -> Vec<Sample> {
    lines("samples.txt")
        .iter()
        .map(|f| Sample {
            started: f[0].parse::<DateTime<Utc>>().unwrap(),
            key: key(&f[1], &f[2], &f[3]),
            status: serde_json::from_value(serde_json::Value::String(f[4].clone())).unwrap(),
            kind: opt(&f[5]),
        })
        .collect()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

const PERIOD: Period = Period {
    from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    to: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
};

fn known_nodes(c: &Catalog) -> HashSet<String> {
    c.nodes.iter().map(|n| n.id.clone()).collect()
}

fn maintenance() -> Maintenance {
    let c = catalog();
    load_maintenance(&dir().join("maintenance.yaml"), &known_nodes(&c))
        .expect("the fixture's maintenance file is valid")
        .0
}

/// The report as the command makes it: the store's days and samples, the caller's suite
/// and scopes filled in, a fixed generation time.
fn fixture() -> Availability {
    let c = catalog();
    let m = maintenance();
    let mut a = trend::availability(PERIOD, &c, &daily(), &samples(), &m);
    a.suite = "acceptance".into();
    a.suite_name = "省级平台验收 <测试>".into();
    a.scopes = vec!["vantage:national".into()];
    a.generated = "2026-12-01T01:02:03Z".parse().unwrap();
    a
}

#[test]
fn availability_matches_the_hand_computed_fixture() {
    let m = maintenance();
    assert_eq!(m.windows.len(), 3);
    // The store is asked for samples of the days the windows touch; the third is outside.
    assert_eq!(trend::touched_days(PERIOD, &m), [day(2), day(3)]);
    let a = fixture();
    assert_eq!(a.period, PERIOD);
    // Only the windows that overlap the period are listed.
    let reasons: Vec<&str> = a
        .maintenance
        .windows
        .iter()
        .map(|w| w.reason.as_str())
        .collect();
    assert_eq!(reasons, ["线路割接", "设备升级"]);

    let expected = lines("expected.txt");
    let check = |what: &str, got: &Counts, f: &[String]| {
        let n: Vec<u64> = f[2..6].iter().map(|x| x.parse().unwrap()).collect();
        assert_eq!(
            (got.up, got.down, got.maintenance, got.unknown),
            (n[0], n[1], n[2], n[3]),
            "{what} {}",
            f[1]
        );
        let want: f64 = f[6].parse().unwrap();
        let pct = got.percent().expect("up or down results");
        assert!((pct - want).abs() < 0.01, "{what} {}: {pct} ≠ {want}", f[1]);
    };
    let table =
        |t: &str| -> Vec<Vec<String>> { expected.iter().filter(|f| f[0] == t).cloned().collect() };
    let overall = table("overall");
    check("overall", &a.overall, &overall[0]);
    for (name, rows) in [
        ("province", &a.provinces),
        ("node", &a.nodes),
        ("check", &a.checks),
        ("app", &a.apps),
    ] {
        let want = table(name);
        let ids: Vec<&str> = rows.iter().map(|r: &Row| r.id.as_str()).collect();
        let want_ids: Vec<&str> = want.iter().map(|f| f[1].as_str()).collect();
        // Worst first, in the order the README works out.
        assert_eq!(ids, want_ids, "{name} rows");
        for (row, f) in rows.iter().zip(&want) {
            check(name, &row.counts, f);
        }
    }
    // Names come from the catalog.
    assert_eq!(a.provinces[0].name, "河北省应急管理厅");
    assert_eq!(a.checks[0].name, "应用登录页");
    assert_eq!(a.apps[0].name, "安全生产调度统计系统");
}

#[test]
fn the_table_lists_every_row_with_two_decimals() {
    let t = report::table(&fixture());
    for want in [
        "73.33",
        "44.44",
        "81.25",
        "72.73",
        "85.00",
        "50.00",
        "100.00",
        "he-sjz",
        "sx-ty",
        "http.login",
        "dispatch",
        "2026-11-01",
        "2026-11-03",
    ] {
        assert!(t.contains(want), "missing {want} in\n{t}");
    }
    // Worst first within the node table: he-sjz before sx-ty before sx.
    let at = |s: &str| {
        t.find(&format!(" {s} "))
            .unwrap_or_else(|| panic!("{s} in\n{t}"))
    };
    assert!(at("he-sjz") < at("sx-ty"));
}

#[test]
fn the_json_is_netaccept_availability_1() {
    let v: serde_json::Value = serde_json::from_str(&report::json(&fixture())).unwrap();
    assert_eq!(v["format"], "netaccept-availability/1");
    assert_eq!(v["period"]["from"], "2026-11-01");
    assert_eq!(v["period"]["to"], "2026-11-03");
    assert_eq!(v["overall"]["up"], 22);
    assert_eq!(v["overall"]["down"], 8);
    assert_eq!(v["overall"]["maintenance"], 3);
    assert_eq!(v["overall"]["unknown"], 3);
    assert!((v["overall"]["percent"].as_f64().unwrap() - 73.3333).abs() < 0.01);
    assert_eq!(v["nodes"][0]["id"], "he-sjz");
    assert_eq!(v["maintenance"][0]["from"], "2026-11-02T21:00:00+08:00");
    assert_eq!(v["maintenance"][0]["nodes"][0], "sx");
    assert_eq!(v["scopes"][0], "vantage:national");
}

#[test]
fn the_html_is_one_printable_page_in_each_language() {
    let a = fixture();
    for (lang, words) in [
        (Lang::Zh, ["可用性报告", "维护窗口", "签字"]),
        (
            Lang::En,
            ["Availability report", "Maintenance windows", "Signature"],
        ),
    ] {
        let h = report::html(&a, lang);
        for w in words {
            assert!(h.contains(w), "{lang:?}: missing {w}");
        }
        for want in ["73.33", "44.44", "72.73", "线路割接", "2026-11-01"] {
            assert!(h.contains(want), "{lang:?}: missing {want}");
        }
        // Self-contained and printable: inline CSS for A4, no script, nothing fetched.
        assert!(h.contains("@page") && h.contains("A4"));
        assert!(!h.to_lowercase().contains("<script"));
        assert!(!h.contains("http://") && !h.contains("https://"));
        // The suite name reaches the page escaped.
        assert!(h.contains("省级平台验收 &#60;测试&#62;"), "{lang:?}");
        assert!(!h.contains("<测试>"));
    }
}

#[test]
fn invalid_maintenance_files_are_reported_exactly() {
    let bless = std::env::var_os("NETACCEPT_BLESS").is_some();
    let known = known_nodes(&catalog());
    let root = dir().join("invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let Err(e) = load_maintenance(&case.join("maintenance.yaml"), &known) else {
            failures.push(format!("{name}: loaded"));
            continue;
        };
        let mut diags = e.diagnostics;
        // Shown as the command line shows them, the path relative to the case.
        let text = netaccept::diag::render_all(&mut diags, &e.sources)
            .replace(&format!("{}/", case.display()), "");
        if !text.contains("--> maintenance.yaml:") || !text.contains("= hint: ") {
            failures.push(format!("{name}: no file:line:col or no hint\n{text}"));
        }
        let expected = case.join("expected.txt");
        if bless {
            std::fs::write(&expected, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{name}: no expected.txt (NETACCEPT_BLESS=1)"));
        if want != text {
            failures.push(format!("{name}:\n--- expected\n{want}\n--- actual\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn statuses_of_the_samples_parse() {
    // The fixture's statuses are the record's own words.
    let s = samples();
    assert_eq!(s.len(), 24);
    assert!(s.iter().any(|x| x.status == Status::NotReported));
}

#[test]
fn the_maintenance_example_of_format_md_loads() {
    // FORMAT.md's example is the format: it must load as written.
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMAT.md"))
        .unwrap();
    let section = &doc[doc.find("## Maintenance windows: YAML").unwrap()..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("maintenance.yaml");
    std::fs::write(&path, example).unwrap();
    let known: HashSet<String> = ["national", "sx"].map(String::from).into();
    let (m, _) = load_maintenance(&path, &known).expect("FORMAT.md's example loads");
    let w = &m.windows[0];
    assert_eq!(w.from.to_rfc3339(), "2026-11-10T22:00:00+08:00");
    assert_eq!(w.to.to_rfc3339(), "2026-11-11T02:00:00+08:00");
    assert_eq!((w.nodes.len(), w.checks.len(), w.apps.len()), (1, 1, 1));
    assert_eq!(w.reason, "线路割接");
}

#[test]
fn control_characters_in_names_reach_no_output_raw() {
    let mut a = fixture();
    a.nodes[0].name = "石家庄\u{1b}[31m<b>".into();
    a.maintenance.windows[0].reason = "割接\u{7}".into();
    for out in [
        report::html(&a, Lang::Zh),
        report::html(&a, Lang::En),
        report::table(&a),
    ] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'));
        assert!(out.contains("石家庄^[[31m"), "{out}");
        assert!(out.contains("割接^G"));
    }
    // In JSON they are escaped by JSON itself.
    let j = report::json(&a);
    assert!(j.contains("\\u001b[31m<b>"), "{j}");
}
