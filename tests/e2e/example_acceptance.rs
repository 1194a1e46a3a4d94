//! The bundled example province with the acceptance suite and a waiver, producing every
//! status in one run and every report: servers on the example's own addresses (HTTP on 8080,
//! TLS on 8443), nothing at 大同 (127.14.1.2), 清徐's dispatch answering 503 under a waiver,
//! and the inventory's `ca_file` naming a file that is not there, so the HTTPS checks of the
//! provincial level cannot be carried out: `errored`.

use std::process::Command;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use crate::example;
use crate::support::junit as junit_support;
use crate::support::{host, tls};

const DOWN: &str = "127.14.1.2";
const QINGXU: &str = "127.14.2.2";

fn app(broken_dispatch: bool) -> Router {
    Router::new()
        .route(
            "/dispatch/health",
            get(move || async move {
                if broken_dispatch {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        axum::Json(serde_json::json!({ "status": "DOWN" })),
                    )
                } else {
                    (
                        StatusCode::OK,
                        axum::Json(serde_json::json!({ "status": "UP" })),
                    )
                }
            }),
        )
        .fallback(get(|| async {
            axum::Json(serde_json::json!({ "status": "UP" }))
        }))
}

#[tokio::test(flavor = "multi_thread")]
async fn acceptance_run_with_every_status_and_every_report() {
    let _addresses = example::ADDRESSES.lock().await;
    let root = env!("CARGO_MANIFEST_DIR");
    let work = tempfile::tempdir().unwrap();
    let inventory = example::copy_example(work.path(), &work.path().join("no-such-ca.pem"));
    let plan = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args([
            "plan",
            "-s",
            "suites/acceptance.yaml",
            "--format",
            "json",
            "-i",
        ])
        .arg(&inventory)
        .current_dir(root)
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let ca = tls::Ca::new();
    // 清徐's dispatch answers 503 (its 8080 is plain HTTP; every 8443 is healthy).
    example::serve_plan_targets(&plan, &ca, DOWN, |ip| app(ip == QINGXU)).await;

    let waivers = work.path().join("waivers.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n  - node: sx-taiyuan-qingxu\n    check: app.health\n    app: dispatch\n    reason: 清徐县调度统计系统升级中\n    approved_by: 项目推进办\n    expires: 2099-12-31\n",
    )
    .unwrap();
    let out = work.path().join("out");
    let history = work.path().join("history.sqlite");
    let run = tokio::task::spawn_blocking({
        let (out, waivers, inventory, history) = (
            out.clone(),
            waivers.clone(),
            inventory.clone(),
            history.clone(),
        );
        move || {
            Command::new(env!("CARGO_BIN_EXE_netaccept"))
                .args([
                    "run",
                    "-s",
                    "suites/acceptance.yaml",
                    "--timeout",
                    "2s",
                    "-i",
                ])
                .arg(&inventory)
                .arg("--waivers")
                .arg(&waivers)
                .arg("-o")
                .arg(&out)
                .current_dir(root)
                .env("CI", "true")
                // The history in the test's folder, not the checkout's reports/.
                .env("NETACCEPT_HISTORY", &history)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for f in [
        "results.json",
        "junit.xml",
        "report.html",
        "results.csv",
        "journal.jsonl",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let find = |node: &str, check: &str, app: Option<&str>| -> serde_json::Value {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["node"] == node && x["check"] == check && x["app"].as_str() == app)
            .unwrap_or_else(|| panic!("no {node} {check} {app:?}"))
            .clone()
    };
    if !host::is_root() {
        // Without ICMP everything gated on it is skipped; the mix below needs root (CI is).
        assert_eq!(find("sx", "net.icmp", None)["kind"], "NoPermission");
        eprintln!("not root: the every-status part of this test needs ICMP");
        return;
    }
    for s in ["passed", "failed", "errored", "skipped", "waived"] {
        assert!(
            r["summary"][s].as_u64().unwrap() > 0,
            "no {s} result: {}",
            r["summary"]
        );
    }
    let waived = find("sx-taiyuan-qingxu", "app.health", Some("dispatch"));
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waiver"]["original_status"], "failed");
    assert_eq!(waived["kind"], "StatusMismatch");
    // Without its CA the provincial HTTPS gate cannot be checked, and what needs it waits.
    let errored = find("sx", "net.web", None);
    assert_eq!(
        (errored["status"].as_str(), errored["kind"].as_str()),
        (Some("errored"), Some("Config")),
        "{errored}"
    );
    let gated = find("sx", "app.health", Some("dispatch"));
    assert_eq!(gated["status"], "skipped");
    assert!(
        gated["message"]
            .as_str()
            .unwrap()
            .starts_with("net.web errored"),
        "{gated}"
    );
    // Nothing listens at 大同: the port check fails and the app checks are skipped.
    let failed = find("sx-datong", "net.tcp-http", None);
    assert_eq!(failed["kind"], "ConnectionRefused");
    let skipped = find("sx-datong", "app.health", Some("dispatch"));
    assert_eq!(skipped["status"], "skipped");
    assert!(
        skipped["message"]
            .as_str()
            .unwrap()
            .starts_with("net.web-http skipped: net.tcp-http failed"),
        "{skipped}"
    );
    assert_eq!(
        find("sx-taiyuan", "app.health", Some("dispatch"))["status"],
        "passed"
    );

    junit_support::check_junit_totals(
        &out.join("junit.xml"),
        junit_support::Counts::of_summary(&r["summary"]),
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("山西省应急管理厅") && html.contains("清徐县调度统计系统升级中"));
    let csv = std::fs::read(out.join("results.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV has a BOM");
    let rows = String::from_utf8_lossy(&csv).lines().count();
    assert_eq!(rows, r["results"].as_array().unwrap().len() + 1);

    // The same reports again from the record alone.
    let again = work.path().join("again");
    let rep = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .arg("report")
        .arg(out.join("results.json"))
        .arg("-o")
        .arg(&again)
        .current_dir(root)
        // The run's history, so that the report shows the same changes and strips.
        .env("NETACCEPT_HISTORY", &history)
        .output()
        .unwrap();
    assert_eq!(rep.status.code(), Some(0));
    for f in ["junit.xml", "report.html", "results.csv", "results.json"] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs"
        );
    }
    if let Ok(keep) = std::env::var("NETACCEPT_KEEP") {
        let _ = Command::new("cp").arg("-r").arg(&out).arg(keep).status();
    }
}
