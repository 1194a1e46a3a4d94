//! What a whole `netaccept run` shows on the terminal, run by run on loopback (the TCP case of
//! `run.rs`: two nodes, a port open and one closed, dependants): the summary and progress in
//! Chinese with the HTML report's words (`--lang zh`, `NETACCEPT_LANG`, the locale), English
//! otherwise with the reports still Chinese; `-q` leaving only the verdict line; `--format
//! json` printing the summary document, valid against `netaccept schema summary`, with the
//! logs of `-v` on stderr only; and colour only when asked or on a terminal.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::run::{closed_port, counting_listener, results, tcp_case};
use crate::support::netaccept::{assert_exit, netaccept, run_case_in_env};

/// The TCP case written into a fresh folder: 8 items, 2 failing (the closed port on each
/// node), 2 skipped behind them.
fn case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    tcp_case(dir.path(), open.addr, closed_port("127.0.0.1"), 0);
    // The listener's thread lives on with the process: the case's servers stay up.
    std::mem::forget(open);
    dir
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// The verdict line a record calls for, built from its summary in the words the HTML report
/// prints for the same record (read back from the report, not written here).
fn expected_verdict(r: &Value, zh: bool) -> String {
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    let failing = n("failed") + n("errored") > 0;
    if zh {
        format!(
            "验收结论：{}（通过 {}，失败 {}，错误 {}，跳过 {}，豁免 {}）",
            if failing {
                "✘ 不通过"
            } else {
                "✔ 通过"
            },
            n("passed"),
            n("failed"),
            n("errored"),
            n("skipped"),
            n("waived")
        )
    } else {
        format!(
            "Verdict: {} ({} passed, {} failed, {} errored, {} skipped, {} waived)",
            if failing {
                "✘ NOT PASSED"
            } else {
                "✔ PASSED"
            },
            n("passed"),
            n("failed"),
            n("errored"),
            n("skipped"),
            n("waived")
        )
    }
}

/// The verdict word of the HTML report in `dir`, in its language.
fn html_verdict(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let (_, rest) = html
        .split_once("<span class=\"verdict ")
        .expect("the report has a verdict");
    let (_, rest) = rest.split_once('>').unwrap();
    rest.split_once("</span>").unwrap().0.to_string()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn lang_zh_puts_the_summary_and_progress_in_the_reports_words() {
    let dir = case();
    let out = run_case_in_env(dir.path(), "zh", &["--lang", "zh"], &[("LANG", "C")]);
    assert_exit(&out, 1);
    let (so, se) = (stdout(&out), stderr(&out));
    let r = results(&dir.path().join("zh"));
    assert_eq!(r["summary"]["failed"], 2, "{so}");
    // The last line is the verdict, in the report's words: the HTML says the same.
    let last = so.lines().last().unwrap();
    assert_eq!(last, expected_verdict(&r, true), "{so}");
    assert!(
        last.contains(&html_verdict(&dir.path().join("zh"))),
        "{last} / {}",
        html_verdict(&dir.path().join("zh"))
    );
    // The summary's lines and the progress (plain lines off a terminal) in Chinese.
    assert!(
        so.contains("通过 4，失败 2，错误 0，跳过 2，豁免 0"),
        "{so}"
    );
    assert!(so.contains("失败与错误（按省级节点）："), "{so}");
    assert!(so.contains(" 失败 "), "a failure's status in words: {so}");
    assert!(so.contains("报告："), "{so}");
    assert!(se.contains("开始运行 8 项检查"), "{se}");
    assert!(se.contains("8/8 完成，失败 2，错误 0，跳过 2，"), "{se}");
    assert!(
        !so.contains("passed") && !se.contains("running"),
        "{so}{se}"
    );
}

#[test]
fn english_terminal_keeps_chinese_reports_and_the_locale_picks_chinese() {
    let dir = case();
    // No --lang, an English locale: the terminal is English, the report Chinese as always.
    let out = run_case_in_env(dir.path(), "en", &[], &[("LANG", "en_US.UTF-8")]);
    assert_exit(&out, 1);
    let so = stdout(&out);
    let r = results(&dir.path().join("en"));
    assert_eq!(so.lines().last().unwrap(), expected_verdict(&r, false));
    assert!(!has_cjk(so.lines().last().unwrap()), "{so}");
    assert!(
        so.contains("4 passed, 2 failed, 0 errored, 2 skipped"),
        "{so}"
    );
    assert!(stderr(&out).contains("running 8 checks"));
    assert_eq!(html_verdict(&dir.path().join("en")), "✘ 不通过");

    // A Chinese locale (LC_ALL first): the terminal speaks Chinese without --lang.
    let out = run_case_in_env(
        dir.path(),
        "locale",
        &[],
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "zh_CN.UTF-8")],
    );
    let r = results(&dir.path().join("locale"));
    assert_eq!(
        stdout(&out).lines().last().unwrap(),
        expected_verdict(&r, true)
    );

    // NETACCEPT_LANG=en is --lang en: both the terminal and the report in English, over a
    // Chinese locale.
    let out = run_case_in_env(
        dir.path(),
        "env",
        &[],
        &[("LANG", "zh_CN.UTF-8"), ("NETACCEPT_LANG", "en")],
    );
    let r = results(&dir.path().join("env"));
    assert_eq!(
        stdout(&out).lines().last().unwrap(),
        expected_verdict(&r, false)
    );
    assert_eq!(html_verdict(&dir.path().join("env")), "✘ NOT PASSED");
}

#[test]
fn quiet_leaves_only_the_verdict_line() {
    let dir = case();
    for (name, args, envs) in [
        ("q", &["-q"][..], &[][..]),
        ("env", &[][..], &[("NETACCEPT_QUIET", "1")][..]),
    ] {
        let out = run_case_in_env(dir.path(), name, args, envs);
        assert_exit(&out, 1);
        let r = results(&dir.path().join(name));
        assert_eq!(
            stdout(&out),
            expected_verdict(&r, false) + "\n",
            "{name}: only the verdict line"
        );
        assert_eq!(stderr(&out), "", "{name}: no progress, no warnings");
    }
}

#[test]
fn format_json_prints_the_summary_document_its_schema_accepts() {
    let dir = case();
    let out = run_case_in_env(
        dir.path(),
        "json",
        &["--format", "json", "-vv", "--color", "always"],
        &[],
    );
    assert_exit(&out, 1);
    let (so, se) = (stdout(&out), stderr(&out));
    // Stdout is the document alone: no log line, no colour, no summary text.
    assert!(!so.contains('\u{1b}'), "{so}");
    let doc: Value = serde_json::from_str(&so).expect("stdout is one JSON document");

    let schema = netaccept(&["schema", "summary"], dir.path(), &[]);
    assert_exit(&schema, 0);
    let schema: Value = serde_json::from_slice(&schema.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{so}");

    // What it says agrees with the record and the process.
    let r = results(&dir.path().join("json"));
    assert_eq!(doc["format"], "netaccept-summary/1");
    assert_eq!(doc["run"]["id"], r["run"]["id"]);
    for k in ["passed", "failed", "errored", "skipped", "waived"] {
        assert_eq!(doc["counts"][k], r["summary"][k], "{k}");
    }
    assert_eq!(doc["counts"]["planned"], r["run"]["planned"]);
    assert_eq!(doc["verdict"], "not_passed");
    assert_eq!(doc["exit"]["code"], i64::from(out.status.code().unwrap()));
    let failing: Vec<(String, String)> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "failed" || x["status"] == "errored")
        .map(|x| (x["node"].to_string(), x["check"].to_string()))
        .collect();
    let problems: Vec<(String, String)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["node"].to_string(), x["check"].to_string()))
        .collect();
    assert_eq!(problems, failing);
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for name in ["results.json", "junit.xml", "report.html", "SHA256SUMS"] {
        let path = Path::new("json").join(name);
        assert!(
            files.contains(&path.to_str().unwrap()),
            "{name} in {files:?}"
        );
        assert!(dir.path().join(&path).is_file());
    }

    // The logs went to stderr, with each check at debug, and the verdict line after them
    // (coloured as stderr's text, since --color always).
    assert!(se.contains("plan built"), "{se}");
    assert!(se.contains("check finished"), "{se}");
    assert!(se.contains("reports written"), "{se}");
    let last = se.lines().last().unwrap();
    assert!(last.contains('\u{1b}'), "{last}");
    assert_eq!(strip_ansi(last), expected_verdict(&r, false));
}

/// `s` without its SGR sequences (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = case();
    // Not a terminal: no colour by default, whatever NO_COLOR says.
    let plain = run_case_in_env(dir.path(), "auto", &[], &[]);
    assert!(!stdout(&plain).contains('\u{1b}'));
    // --color always beats NO_COLOR; NETACCEPT_COLOR is --color.
    for (name, args, envs) in [
        (
            "always",
            &["--color", "always"][..],
            &[("NO_COLOR", "1")][..],
        ),
        ("env", &[][..], &[("NETACCEPT_COLOR", "always")][..]),
    ] {
        let out = run_case_in_env(dir.path(), name, args, envs);
        let so = stdout(&out);
        let last = so.lines().last().unwrap();
        assert!(
            last.contains("\u{1b}[1;31m✘ NOT PASSED\u{1b}[0m"),
            "{name}: {so}"
        );
        // The record and the reports never carry colour.
        let html = std::fs::read_to_string(dir.path().join(name).join("report.html")).unwrap();
        assert!(!html.contains('\u{1b}'));
    }
    let never = run_case_in_env(
        dir.path(),
        "never",
        &["--color", "never"],
        &[("NETACCEPT_COLOR", "always")],
    );
    assert!(
        !stdout(&never).contains('\u{1b}'),
        "the flag beats the variable"
    );
}
