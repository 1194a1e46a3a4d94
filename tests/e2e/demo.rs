//! `netaccept demo`, as the README's first command runs it: the simulator on the bundled
//! demo network with its faults, the acceptance suite with the demo's waivers, every report
//! written; failures on purpose, so exit 1. The JUnit passes the schema, junitparser and
//! test-results-parser (npm), each counting what results.json counts.

use std::path::Path;
use std::process::Command;

use crate::support::browser;
use crate::support::junit as junit_support;
use crate::support::netaccept::hex_sha256;

#[test]
fn demo_runs_and_writes_every_report() {
    let _demo = crate::DEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = tempfile::tempdir().unwrap();
    // In a scratch copy of the demo's inputs, with a temporary folder of its own: what the
    // demo writes outside `-o` would show there.
    let cwd = demo_checkout();
    let before = files_under(cwd.path());
    let tmp = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .arg("demo")
        .arg("-o")
        .arg(out.path())
        .current_dir(cwd.path())
        .env("CI", "true")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "the demo fails on purpose\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("simulator: "), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "HTML report: {}",
            out.path().join("report.html").display()
        )),
        "{stdout}"
    );
    for f in [
        "results.json",
        "junit.xml",
        "report.html",
        "results.csv",
        "journal.jsonl",
    ] {
        assert!(out.path().join(f).is_file(), "{f}");
    }
    // Everything the demo wrote is in its output folder: nothing new beside its inputs (once
    // the simulator's CA went to `reports/demo-sim-ca.pem` there), nothing left in the
    // temporary folder where the CA was kept during the run.
    assert_eq!(
        files_under(cwd.path()),
        before,
        "the demo wrote outside its output folder"
    );
    assert_eq!(
        files_under(tmp.path()),
        Vec::<String>::new(),
        "left in TMPDIR"
    );
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("results.json")).unwrap()).unwrap();
    junit_support::check_junit_totals(
        &out.path().join("junit.xml"),
        junit_support::Counts::of_summary(&r["summary"]),
    );
    assert_eq!(r["run"]["complete"], true);
    assert_eq!(r["summary"]["waived"], 1, "one waiver in force");
    assert!(r["summary"]["failed"].as_u64().unwrap() > 0);
    let find = |node: &str, check: &str, app: Option<&str>| result(&r, node, check, app);
    // Each node's `net.mtu` holds the minimum of its tier's link, filled from its vars
    // (`link.min_mtu`): 1500 into the provinces, 1400 below them. Without a raw socket the
    // check is errored and has no limits to show.
    let mtu = find("sx-taiyuan", "net.mtu", None);
    if mtu["status"] == "errored" {
        assert_eq!(
            mtu["kind"], "NoPermission",
            "no raw socket is the one excuse: {mtu}"
        );
    } else {
        assert_eq!(mtu["measurements"]["limits"]["path_mtu"], 1400, "{mtu}");
        let sx = find("sx", "net.mtu", None);
        assert_eq!(sx["measurements"]["limits"]["path_mtu"], 1500, "{sx}");
        assert_eq!(
            sx["measurements"]["path_mtu"], 1500,
            "the loopback carries it: {sx}"
        );
    }
    // The story the faults tell (inventories/demo/README.md), where it does not need ICMP.
    assert_eq!(find("gx", "net.dns", None)["kind"], "AnswerMismatch");
    assert_eq!(find("nx", "net.dns", None)["kind"], "RcodeMismatch");
    // 山西's secondary DNS server lags behind the national primary; the other provinces'
    // secondaries are in sync.
    let lagging = find("sx", "net.dns-replication", None);
    assert_eq!(lagging["kind"], "SerialMismatch");
    assert_eq!(
        lagging["message"],
        "SOA aq.gov.test: 127.100.4.53:5353 serves serial 2026112901, 127.100.0.53:5353 (the reference) 2026120301"
    );
    let in_sync: Vec<&serde_json::Value> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["check"] == "net.dns-replication" && x["node"] != "sx")
        .collect();
    assert!(in_sync.len() >= 5, "several provinces have a secondary");
    for x in in_sync {
        assert_eq!(x["status"], "passed", "{x}");
    }
    assert_eq!(
        find("hun", "app.health", Some("hazchem"))["status"],
        "waived"
    );
    // A province whose dispatch system did not migrate its historical records, and a
    // system whose health interface does not follow the integrator's standard.
    let short = find("gz-coal", "app.records", Some("dispatch"));
    assert_eq!(short["status"], "failed");
    assert_eq!(short["kind"], "JsonMismatch");
    assert!(
        short["message"]
            .as_str()
            .unwrap()
            .contains("$.records.total is 860, expected >= 1000"),
        "{short}"
    );
    let nonconformant = find("sn-coal", "app.interface", Some("coal-enforcement"));
    assert_eq!(nonconformant["status"], "failed");
    assert_eq!(nonconformant["kind"], "SchemaMismatch");
    assert!(
        nonconformant["message"]
            .as_str()
            .unwrap()
            .contains("\"version\" is a required property"),
        "{nonconformant}"
    );
    // Everywhere else the records are there and the interface conforms.
    let others_fail = r["results"].as_array().unwrap().iter().any(|x| {
        matches!(x["check"].as_str(), Some("app.records" | "app.interface"))
            && x["status"] == "failed"
            && !matches!(x["node"].as_str(), Some("gz-coal" | "sn-coal"))
    });
    assert!(
        !others_fail,
        "only the two faulted systems fail the new checks"
    );
    let ws = r["waivers"].as_array().unwrap();
    assert!(
        ws.iter().any(|w| w["state"] == "expired"),
        "an expired waiver is listed"
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.contains("可试运行") && html.contains("不具备条件"),
        "the matrix shows ready and not-ready provinces"
    );
    assert!(
        html.contains("历史事故统计数据迁移") && html.contains("健康检查接口符合接口规范"),
        "the report names the migration and interface checks among its failures"
    );
    printed_with_footers(out.path(), r["run"]["id"].as_str().unwrap());
    // The TLS story needs the checks before it (net.icmp, net.tcp) to pass: ICMP works as
    // root (CI) or where `ping_group_range` admits the user.
    let icmp = find("gs", "net.icmp", None);
    if icmp["status"] == "passed" {
        tls_story(&r, out.path());
    } else {
        assert_eq!(icmp["kind"], "NoPermission", "{icmp}");
        eprintln!("no ICMP permission: the TLS part of this test needs ICMP");
    }
}

/// The demo's report as a committee prints it (Chromium): every page carries `第 N 页 共 M
/// 页`, the run id and the record's hash prefix, and the sign-off comes before the appendix.
fn printed_with_footers(out: &Path, run_id: &str) {
    if !browser::browser_available(&["chromium", "pdftotext"]) {
        return;
    }
    browser::check_cjk_font();
    let record = std::fs::read(out.join("results.json")).unwrap();
    let sha = hex_sha256(&record);
    let pdf = out.join("report.pdf");
    browser::print_pdf(&out.join("report.html"), &pdf, &out.join("profile"));
    let pages = browser::pdf_pages(&pdf);
    let n = pages.len();
    assert!(n > 10, "{n} pages");
    let flat = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    for (i, p) in pages.iter().enumerate() {
        let f = flat(p);
        assert!(
            f.contains(&format!("第{}页共{n}页", i + 1)),
            "page {}\n{p}",
            i + 1
        );
        assert!(f.contains(run_id), "page {}: the run id", i + 1);
        assert!(f.contains(&sha[..16]), "page {}: the record's hash", i + 1);
    }
    let page_of = |s: &str| pages.iter().position(|p| flat(p).contains(s));
    let signoff = page_of("七、签字确认").expect("a sign-off");
    let appendix = page_of("附录全部检查结果").expect("an appendix");
    assert!(
        signoff < appendix,
        "sign-off on page {signoff}, appendix on {appendix}"
    );
    assert!(
        signoff < n / 4,
        "the sign-off comes early, not after the passing details"
    );
}

/// 甘肃's server speaks only TLS 1.0; 黑龙江's does not send its intermediate CA. Each fails
/// its first HTTPS check (net.web) with the finding named, its application checks are
/// skipped behind it, and the report says so in its language.
fn tls_story(r: &serde_json::Value, out: &Path) {
    let find = |node: &str, check: &str, app: Option<&str>| result(r, node, check, app);
    let legacy = web_failure(r, "gs", "LegacyTls");
    let legacy_message = legacy["message"].as_str().unwrap();
    assert!(
        legacy_message.contains("server offers only TLSv1.0 ("),
        "{legacy}"
    );
    // The record holds the handshake that found it: the protocol, the suite, the chain.
    assert_eq!(legacy["measurements"]["tls_version"], "TLSv1.0", "{legacy}");
    assert_eq!(legacy["measurements"]["tls_backend"], "openssl", "{legacy}");
    assert_eq!(
        legacy["measurements"]["tls_chain"].as_array().map(Vec::len),
        Some(2),
        "{legacy}"
    );
    let missing = web_failure(r, "hlj", "CertInvalid");
    let missing_message = missing["message"].as_str().unwrap();
    assert!(
        missing_message
            .contains("server sent 1 certificate; issuer 'CN=netaccept sim intermediate CA")
            && missing_message.contains("was not sent"),
        "{missing}"
    );
    assert_eq!(
        missing["measurements"]["tls_chain"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "the leaf alone: {missing}"
    );
    for node in ["gs", "hlj"] {
        assert_eq!(
            find(node, "app.health", Some("dispatch"))["status"],
            "skipped",
            "{node}"
        );
    }
    // Every other HTTPS server passes its handshake and chain, and only the certificate
    // faults of the story fail one.
    for x in r["results"].as_array().unwrap() {
        if x["check"] == "net.web"
            && !matches!(x["node"].as_str(), Some("gs" | "hlj" | "qh" | "xz"))
        {
            assert_eq!(x["status"], "passed", "{x}");
        }
    }
    // The two findings in the report's language: Chinese by default…
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let zh = page_text(&html);
    assert!(
        zh.contains("服务器只支持 TLSv1.0（"),
        "甘肃's TLS 1.0 in Chinese"
    );
    assert!(
        zh.contains("服务器只发送了 1 张证书，未发送签发者 'CN=netaccept sim intermediate CA"),
        "黑龙江's missing intermediate in Chinese"
    );
    // …and English when the same results are rendered again with `--lang en`.
    let en_dir = out.join("en");
    let rendered = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .arg("report")
        .arg(out.join("results.json"))
        .args(["--lang", "en", "-o"])
        .arg(&en_dir)
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let en = page_text(&std::fs::read_to_string(en_dir.join("report.html")).unwrap());
    assert!(
        en.contains("server offers only TLSv1.0 ("),
        "甘肃's TLS 1.0 in English"
    );
    assert!(
        en.contains("server sent 1 certificate; issuer 'CN=netaccept sim intermediate CA"),
        "黑龙江's missing intermediate in English"
    );
    assert!(
        !en.contains("服务器只支持 TLSv1.0"),
        "the English report does not show the Chinese sentence"
    );
}

/// `node`'s first HTTPS check (net.web), which must have failed as `kind`: the TLS story's
/// two faults are asserted the same way.
fn web_failure(r: &serde_json::Value, node: &str, kind: &str) -> serde_json::Value {
    let x = result(r, node, "net.web", None);
    assert_eq!(
        (&x["status"], &x["kind"]),
        (&"failed".into(), &kind.into()),
        "{x}"
    );
    x
}

/// The result of `check` on `node` (and `app`).
fn result(r: &serde_json::Value, node: &str, check: &str, app: Option<&str>) -> serde_json::Value {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["node"] == node && x["check"] == check && x["app"].as_str() == app)
        .unwrap_or_else(|| panic!("no {node} {check} {app:?}"))
        .clone()
}

/// The page's text as a reader sees it: the escapes the report's escaper writes (`<>&"'`)
/// read back, so that a message is found as the prober wrote it.
fn page_text(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// A scratch folder holding what `netaccept demo` reads (`inventories/demo`, `suites/`), as
/// in a checkout.
fn demo_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["inventories/demo", "suites"] {
        copy_tree(&root.join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Every file and folder under `dir`, as sorted paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(base).unwrap().display().to_string());
            if p.is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
