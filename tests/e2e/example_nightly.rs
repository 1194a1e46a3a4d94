//! The bundled example province with the nightly suite, against servers this test starts on
//! the example's own loopback addresses and ports: HTTPS on 8443 for the national and
//! provincial nodes (certificates from the test's CA, which the inventory's `ca_file` names),
//! HTTP on 8080 below, and one prefecture (大同, 127.14.1.2) with nothing listening. The real binary must
//! give each (node, check, app) the verdict those servers call for, show progress, print
//! the summary and write a results.json of the FORMAT.md shape.

use std::collections::BTreeMap;
use std::process::Command;

use axum::Router;
use axum::routing::get;

use crate::example;
use crate::support::{host, tls};

const DOWN: &str = "127.14.1.2";

fn health() -> Router {
    Router::new().fallback(get(|| async {
        axum::Json(serde_json::json!({ "status": "UP" }))
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn nightly_suite_on_the_example_province() {
    let _addresses = example::ADDRESSES.lock().await;
    let root = env!("CARGO_MANIFEST_DIR");
    let work = tempfile::tempdir().unwrap();
    let ca = tls::Ca::new();
    let ca_file = work.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let inventory = example::copy_example(work.path(), &ca_file);
    let plan = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args([
            "plan",
            "-s",
            "suites/nightly.yaml",
            "--format",
            "json",
            "-i",
        ])
        .arg(&inventory)
        .current_dir(root)
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let items = plan["items"].as_array().unwrap().clone();

    // Serve every host:port the plan's TCP checks name, but the one meant to be down.
    let served = example::serve_plan_targets(&plan, &ca, DOWN, |_| health()).await;
    assert!(served.len() >= 10, "{served:?}");

    let out = work.path().join("out");
    let history = work.path().join("history.sqlite");
    let run = tokio::task::spawn_blocking({
        let (out, inventory, history) = (out.clone(), inventory.clone(), history.clone());
        move || {
            Command::new(env!("CARGO_BIN_EXE_netaccept"))
                .args(["run", "-s", "suites/nightly.yaml", "-i"])
                .arg(&inventory)
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
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");

    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    // The FORMAT.md shape.
    assert_eq!(r["format"], "netaccept-results/2");
    for k in [
        "id",
        "suite",
        "started",
        "finished",
        "complete",
        "vantage",
        "inventory_sha256",
        "suite_sha256",
        "netaccept_version",
    ] {
        assert!(!r["run"][k].is_null(), "run.{k} missing");
    }
    assert_eq!(r["run"]["inventory_sha256"].as_str().unwrap().len(), 64);
    for k in ["passed", "failed", "errored", "skipped", "waived"] {
        assert!(r["summary"][k].is_u64(), "summary.{k}");
    }
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), items.len(), "one result per planned item");
    for (res, it) in results.iter().zip(&items) {
        assert_eq!(
            (&res["node"], &res["check"], &res["app"]),
            (&it["node"], &it["check"], &it["app"]),
            "plan order"
        );
        for k in [
            "status",
            "severity",
            "started",
            "duration_ms",
            "attempts",
            "message",
            "measurements",
        ] {
            assert!(!res[k].is_null(), "result.{k} missing: {res}");
        }
    }

    let hosts: BTreeMap<String, String> = r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().into(),
                n["host"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let root_user = host::is_root();
    for res in results {
        let node = res["node"].as_str().unwrap();
        let down = hosts[node] == DOWN;
        let https = res["target"].as_str().unwrap().contains("https://");
        let (status, kind) = (res["status"].as_str().unwrap(), res["kind"].as_str());
        let what = format!("{node} {} {}: {res}", res["check"], res["app"]);
        match res["check"].as_str().unwrap() {
            "net.icmp" if root_user => assert_eq!(status, "passed", "{what}"),
            // Without permission ICMP says nothing about the node, so what needs it still runs.
            "net.icmp" => assert_eq!((status, kind), ("errored", Some("NoPermission")), "{what}"),
            "net.tcp" | "net.tcp-http" if down => {
                assert_eq!(
                    (status, kind),
                    ("failed", Some("ConnectionRefused")),
                    "{what}"
                );
            }
            "net.tcp" | "net.tcp-http" => assert_eq!(status, "passed", "{what}"),
            "app.ping" if down => assert_eq!(
                (status, kind),
                ("failed", Some("ConnectionRefused")),
                "{what}"
            ),
            "app.ping" if https => {
                assert_eq!(status, "passed", "{what}");
                assert!(
                    res["measurements"]["cert_days_left"].as_i64().unwrap() > 300,
                    "{what}"
                );
            }
            "app.ping" => {
                assert_eq!(status, "passed", "{what}");
                assert_eq!(res["measurements"]["status"], 200);
            }
            other => panic!("unexpected check {other}"),
        }
    }

    // Progress: plain lines when not on a terminal. Summary: by province, slowest.
    assert!(
        stderr.contains(&format!("running {} checks", items.len())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{0}/{0} done", items.len())),
        "{stderr}"
    );
    assert!(stdout.contains("Failures by province:"), "{stdout}");
    assert!(stdout.contains("山西省应急管理厅 (sx)"), "{stdout}");
    assert!(stdout.contains("Slowest checks:"), "{stdout}");
    assert!(
        stdout.contains(&format!("reports: {}", out.display())),
        "{stdout}"
    );
}
