//! Waivers where they matter (issue 15, item 10), with the real binary: a failure that only an
//! expired waiver covers says so on the failure itself in results.json, junit.xml,
//! results.csv and report.html (both languages), the waiver list says how many failures it
//! no longer excuses instead of "unused", and checks skipped because a waived check failed
//! say so and count as waived in the readiness matrix.

use netaccept::model::Severity;
use netaccept::report::html::{Readiness, readiness};
use netaccept::results::{ResultRecord, Status};

use super::commands::{closed_port, open_port, write_waivers};
use super::fixture::MIXED;
use crate::support::junit as junit_support;
use crate::support::netaccept::{
    assert_exit, read_json, report, report_and_read, result, run_case, write_case,
};

/// A temporary folder with a case written in it: one node whose critical check fails
/// (`down`) and one that passes (`up`); the failure is covered by a waiver that expired on
/// 2026-06-30 only, and `up` by one in force.
fn expired_case() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (open, closed) = (open_port(), closed_port());
    write_case(
        dir,
        &format!(
            "nodes:\n  - {{ id: yn, name: 云南省应急管理厅, level: national, vars: {{ open: \"{open}\", closed: \"{closed}\" }} }}\n"
        ),
        r#"suite: w
name: 豁免测试
checks:
  - { id: up, name: 开放, tcp: { target: "{{ node.vars.open }}" } }
  - { id: down, name: 调度统计, severity: critical, tcp: { target: "{{ node.vars.closed }}" } }
"#,
    );
    write_waivers(
        dir,
        "waivers.yaml",
        "  - node: yn\n    check: down\n    reason: 机房扩容\n    approved_by: 项目推进办\n    expires: 2026-06-30\n  - node: yn\n    check: up\n    reason: 备用\n    approved_by: 项目推进办\n    expires: 2099-12-31\n",
    );
    d
}

#[test]
fn an_expired_waiver_is_said_on_the_failure_in_every_report() {
    let d = expired_case();
    let dir = d.path();
    let out = run_case(dir, "en", &["--waivers", "waivers.yaml", "--lang", "en"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the lapsed waiver excuses nothing\n{stdout}"
    );
    assert!(
        stdout.contains("1 expired (1 failure not waived)"),
        "the summary says it too: {stdout}"
    );

    // results.json: on the failure, and counted on the waiver.
    let r = read_json(&dir.join("en/results.json"));
    let down = result(&r, "yn", "down");
    assert_eq!(down["status"], "failed");
    assert_eq!(
        down["waiver_expired"],
        serde_json::json!({ "reason": "机房扩容", "approved_by": "项目推进办", "expires": "2026-06-30" })
    );
    assert!(result(&r, "yn", "up").get("waiver_expired").is_none());
    let ws = r["waivers"].as_array().unwrap();
    assert_eq!(
        (
            &ws[0]["state"],
            &ws[0]["used"],
            &ws[0]["failures_not_waived"]
        ),
        (&"expired".into(), &0.into(), &1.into())
    );
    assert_eq!(ws[1]["failures_not_waived"], 0, "in force: nothing lapsed");

    // junit.xml: in the failure's message, which CI shows, and in its body.
    let junit = std::fs::read_to_string(dir.join("en/junit.xml")).unwrap();
    let note = "waiver expired on 2026-06-30 (机房扩容, approved by 项目推进办)";
    assert!(
        junit.contains(&format!("; {note}\" type=\"ConnectionRefused\"")),
        "{junit}"
    );
    assert!(
        junit.contains(&format!("note: {note}; not applied")),
        "{junit}"
    );
    junit_support::check_junit(&dir.join("en/junit.xml"));

    // results.csv: one column, the day it lapsed.
    let csv = std::fs::read(dir.join("en/results.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(&csv[3..]);
    let header = rd.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "waiver_expired").unwrap();
    let check = header.iter().position(|h| h == "check").unwrap();
    let rows: Vec<(String, String)> = rd
        .records()
        .map(|row| {
            let row = row.unwrap();
            (row[check].to_string(), row[col].to_string())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("up".to_string(), String::new()),
            ("down".to_string(), "2026-06-30".to_string())
        ]
    );

    // report.html, in English and (rendered again) in Chinese: on the failure item, and in
    // the waiver list instead of "unused".
    let en = std::fs::read_to_string(dir.join("en/report.html")).unwrap();
    assert!(en.contains(&format!("<br><b>{note}</b>")), "on the failure");
    assert!(
        en.contains("✘ expired, 1 failure not waived"),
        "in the list"
    );
    let zh_run = report(dir, "en/results.json", "zh", &[]);
    assert_eq!(zh_run.status.code(), Some(0));
    let zh = std::fs::read_to_string(dir.join("zh/report.html")).unwrap();
    assert!(
        zh.contains("<br><b>豁免已于 2026-06-30 过期（机房扩容，批准：项目推进办）</b>"),
        "on the failure"
    );
    // The expired waiver's row of the list: how many it no longer excuses, not "unused".
    let row = zh
        .split("<tr")
        .find(|r| r.contains("<td>机房扩容</td>"))
        .unwrap();
    assert!(row.contains("✘ 已过期，1 项未通过未获豁免"), "{row}");
    assert!(!row.contains("未使用"), "{row}");

    // A waivers file in which it was renewed: the note goes, the failure is waived.
    write_waivers(
        dir,
        "renewed.yaml",
        "  - node: yn\n    check: down\n    reason: 机房扩容\n    approved_by: 项目推进办\n    expires: 2099-06-30\n",
    );
    let r = report_and_read(
        dir,
        "en/results.json",
        "renewed",
        &["--waivers", "renewed.yaml"],
    );
    assert_eq!(result(&r, "yn", "down")["status"], "waived");
    assert!(result(&r, "yn", "down").get("waiver_expired").is_none());
}

/// The sample record with each skip as the recorder now writes it (kind `NeedsFailed`, the
/// needed check's id in `needs`), and a waiver in force for 大同's failed ping, behind which
/// its seven other checks were skipped.
#[test]
fn checks_skipped_behind_a_waived_failure_say_so_and_count_as_waived() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(MIXED).unwrap()).unwrap();
    for x in record["results"].as_array_mut().unwrap() {
        if x["status"] != "skipped" {
            continue;
        }
        // The message names the first cause; the direct need of a login-page check is its
        // app's health check, that of the others the node's ping.
        let need = if x["check"] == "app.login-page" && x["node"] != "sx-datong" {
            "app.health"
        } else {
            "net.icmp"
        };
        x["kind"] = "NeedsFailed".into();
        x["measurements"]["needs"] = need.into();
    }
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_vec(&record).unwrap(),
    )
    .unwrap();
    write_waivers(
        dir,
        "waivers.yaml",
        "  - node: sx-datong\n    check: net.icmp\n    reason: 大同市局链路割接\n    approved_by: 山西省应急管理厅\n    expires: 2099-12-31\n",
    );
    let out = report(
        dir,
        "results.json",
        "out",
        &["--waivers", "waivers.yaml", "--lang", "en"],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read_json(&dir.join("out/results.json"));
    let skips: Vec<&serde_json::Value> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "skipped")
        .collect();
    let behind: Vec<&serde_json::Value> = skips
        .iter()
        .copied()
        .filter(|x| x["need_waived"] == true)
        .collect();
    assert_eq!(behind.len(), 7, "大同's seven skips");
    for x in &behind {
        assert_eq!(x["node"], "sx-datong", "{x}");
        assert_eq!(
            x["message"],
            "net.icmp failed: 100 % loss: 0 of 5 replies from 127.14.1.2 (that failure is waived)"
        );
    }
    // Skips behind failures that are not waived are unchanged.
    for x in skips.iter().filter(|x| x["node"] != "sx-datong") {
        assert!(x.get("need_waived").is_none(), "{x}");
        assert!(!x["message"].as_str().unwrap().contains("waived"), "{x}");
    }

    // The JUnit skip says so; so does the CSV's message.
    let junit = std::fs::read_to_string(dir.join("out/junit.xml")).unwrap();
    let skip_message = "message=\"net.icmp failed: 100 % loss: 0 of 5 replies from 127.14.1.2 (that failure is waived)\"";
    assert_eq!(
        junit.matches(skip_message).count(),
        7,
        "in the message of each skip: {junit}"
    );
    let csv = String::from_utf8(std::fs::read(dir.join("out/results.csv")).unwrap()).unwrap();
    assert_eq!(csv.matches("(that failure is waived)").count(), 7);

    // The legend and the rule say how they count.
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(
        html.contains("skipped behind a waived check"),
        "the legend names them"
    );
    assert!(
        html.contains(
            "and so does one skipped because the check it needs failed under a waiver, shown ◐"
        ),
        "the rule states it"
    );

    // 大同 alone under 山西: its waived ping and the seven skips behind it make every cell of
    // the row ◐ and the province ready, where counting the skips as not passed would make it
    // ✘ and not ready (its health checks are critical).
    let mut alone = read_json(&dir.join("out/results.json"));
    alone["results"]
        .as_array_mut()
        .unwrap()
        .retain(|x| x["node"] == "sx-datong");
    alone["nodes"]
        .as_array_mut()
        .unwrap()
        .retain(|n| matches!(n["id"].as_str(), Some("national" | "sx" | "sx-datong")));
    alone["waivers"] = serde_json::json!([]);
    alone["summary"] =
        serde_json::json!({"passed": 0, "failed": 0, "errored": 0, "skipped": 7, "waived": 1});
    std::fs::write(dir.join("alone.json"), serde_json::to_vec(&alone).unwrap()).unwrap();
    let out = report(dir, "alone.json", "alone", &["--lang", "en"]);
    assert_exit(&out, 0);
    let html = std::fs::read_to_string(dir.join("alone/report.html")).unwrap();
    let matrix = &html[html.find("<table class=\"matrix\">").unwrap()..];
    let matrix = &matrix[..matrix.find("</table>").unwrap()];
    assert!(matrix.contains("<td class=\"cell-waived\">"), "{matrix}");
    assert!(!matrix.contains("<td class=\"cell-fail\">"), "{matrix}");
    assert!(matrix.contains("rd-ready"), "{matrix}");
    assert!(!matrix.contains("rd-not"), "{matrix}");
}

fn rec(status: Status, severity: Severity, need_waived: bool) -> ResultRecord {
    let mut r: ResultRecord = serde_json::from_value(serde_json::json!({
        "node": "n", "check": "c", "app": null, "status": status, "severity": severity,
        "started": "2026-12-03T02:00:00Z", "duration_ms": 0.0, "attempts": 0,
        "message": "", "measurements": {}, "target": "t"
    }))
    .unwrap();
    r.need_waived = need_waived;
    r
}

#[test]
fn readiness_counts_a_skip_behind_a_waived_failure_as_waived() {
    // A critical check skipped because its need failed: not ready; behind a waived failure:
    // ready, as the waived failure itself is.
    let waived_need = [
        rec(Status::Waived, Severity::Critical, false),
        rec(Status::Skipped, Severity::Critical, true),
        rec(Status::Passed, Severity::Critical, false),
    ];
    assert_eq!(readiness(&waived_need), Readiness::Ready);
    let failed_need = [
        rec(Status::Failed, Severity::Critical, false),
        rec(Status::Skipped, Severity::Critical, false),
    ];
    assert_eq!(readiness(&failed_need), Readiness::NotReady);
    // Minor ones: a skip behind a waiver is not among the 5 % not passed.
    let mut v: Vec<ResultRecord> = (0..18)
        .map(|_| rec(Status::Passed, Severity::Minor, false))
        .collect();
    v.push(rec(Status::Waived, Severity::Minor, false));
    v.extend((0..2).map(|_| rec(Status::Skipped, Severity::Minor, true)));
    assert_eq!(readiness(&v), Readiness::Ready);
    v.pop();
    v.push(rec(Status::Skipped, Severity::Minor, false));
    v.push(rec(Status::Skipped, Severity::Minor, false));
    assert_eq!(readiness(&v), Readiness::InProgress, "2 of 22 not passed");
}
