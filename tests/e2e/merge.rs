//! `netaccept merge` end to end: a small network on loopback run in parts (each part a
//! bundle), merged, and compared with one run of the whole; the merged files the same
//! whatever the order of the bundles; a missing bundle's items not reported; the refusals
//! (another suite, an item twice, an unsigned bundle).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;

use crate::run::{Counting, closed_port, counting_listener, write};
use crate::support::netaccept::{assert_exit, read_json};

fn netaccept(args: &[&str], dir: &Path) -> Output {
    crate::support::netaccept::netaccept(args, dir, &[])
}

/// A folder holding the network (`network`) with a listening port and a closed one; the
/// listener is returned so that it lives as long as the test.
fn case(by_vantage: bool) -> (tempfile::TempDir, Counting) {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    network(dir.path(), open.addr, closed, by_vantage);
    (dir, open)
}

/// The centre and three provinces, each with a prefecture; provinces `vantage: true` when
/// `vantages` (the inventory key of `run --vantage`).
fn network(dir: &Path, open: SocketAddr, closed: SocketAddr, vantages: bool) {
    let v = if vantages { ", vantage: true" } else { "" };
    let mut inv = format!(
        "nodes:\n  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", vars: {{ open: \"{open}\", closed: \"{closed}\" }} }}\n"
    );
    for p in ["p1", "p2", "p3"] {
        inv += &format!(
            "  - {{ id: {p}, name: 省{p}, level: provincial, parent: c, host: \"127.0.0.1\"{v} }}\n  - {{ id: {p}-a, name: 市{p}, level: prefectural, parent: {p}, host: \"127.0.0.1\" }}\n"
        );
    }
    write(dir, "inv.yaml", &inv);
    write(
        dir,
        "suite.yaml",
        r#"suite: t
name: 测试
defaults: { timeout: 2s, retries: 0 }
checks:
  - { id: up, name: 开放端口, tcp: { target: "{{ node.vars.open }}" } }
  - { id: down, name: 关闭端口, tcp: { target: "{{ node.vars.closed }}" } }
  - { id: after-up, name: 依赖, needs: [up], tcp: { target: "{{ node.vars.open }}" } }
"#,
    );
}

fn run(dir: &Path, out: &str, extra: &[&str]) {
    let args = [
        &["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", out][..],
        extra,
    ]
    .concat();
    // A closed port fails a check: exit 1.
    assert_exit(&netaccept(&args, dir), 1);
}

fn merge(dir: &Path, out: &str, bundles: &[&str], extra: &[&str]) -> Output {
    let args = [
        &["merge"][..],
        bundles,
        &[
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "-o",
            out,
            "--allow-unsigned",
        ],
        extra,
    ]
    .concat();
    netaccept(&args, dir)
}

/// Each result's status by (node, check).
fn statuses(record: &serde_json::Value) -> Vec<(String, String, String)> {
    record["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["node"].as_str().unwrap().to_string(),
                r["check"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every file of a merged folder, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The parts as bundles: `b-c` the centre alone, `b-p1`… each province's subtree.
fn run_parts(dir: &Path, by_vantage: bool) {
    if by_vantage {
        for v in ["c", "p1", "p2", "p3"] {
            run(dir, &format!("b-{v}"), &["--vantage", v]);
        }
    } else {
        run(dir, "b-c", &["--level", "national"]);
        for p in ["p1", "p2", "p3"] {
            run(dir, &format!("b-{p}"), &["--node", p]);
        }
    }
}

fn merged_like_the_whole_run(by_vantage: bool) {
    let (dir, _open) = case(by_vantage);
    let d = dir.path();
    run(d, "whole", &[]);
    run_parts(d, by_vantage);

    // Three orders, one output, and its verdicts the whole run's.
    let orders: [&[&str]; 3] = [
        &["b-c", "b-p1", "b-p2", "b-p3"],
        &["b-p3", "b-p1", "b-c", "b-p2"],
        &["b-p2", "b-p3", "b-p1", "b-c"],
    ];
    for (i, order) in orders.iter().enumerate() {
        assert_exit(&merge(d, &format!("m{i}"), order, &[]), 1);
    }
    let first = files(&d.join("m0"));
    assert!(first.iter().any(|(n, _)| n == "report.html"));
    for i in 1..3 {
        assert!(
            files(&d.join(format!("m{i}"))) == first,
            "order {i} gave other files"
        );
    }
    let whole = read_json(&d.join("whole/results.json"));
    let merged = read_json(&d.join("m0/results.json"));
    assert_eq!(statuses(&merged), statuses(&whole));
    assert_eq!(merged["bundles"].as_array().unwrap().len(), 4);
    // The reports say where each result came from: the HTML header lists the bundles, the
    // JUnit cases and the CSV rows name the probing host.
    let html = std::fs::read_to_string(d.join("m0/report.html")).unwrap();
    assert!(html.contains("合并的结果包"), "no table of bundles");
    for b in ["b-c", "b-p1", "b-p2", "b-p3"] {
        assert!(html.contains(&format!("<td>{b}</td>")), "{b} not listed");
    }
    let host = merged["bundles"][0]["host"].as_str().unwrap();
    let junit = std::fs::read_to_string(d.join("m0/junit.xml")).unwrap();
    assert!(junit.contains(&format!("host: {host}\n")), "{junit}");
    let csv = std::fs::read_to_string(d.join("m0/results.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",探测点,探测主机"));
    assert!(merged["run"]["id"].as_str().unwrap().starts_with("merge-"));

    // Without p2's bundle: exactly p2's subtree is not reported, and the run not passed
    // even when only critical failures would fail it.
    let out = merge(
        d,
        "m-p2",
        &["b-c", "b-p1", "b-p3"],
        &["--fail-on", "critical"],
    );
    assert_exit(&out, 1);
    let m = read_json(&d.join("m-p2/results.json"));
    for (node, check, status) in statuses(&m) {
        let lost = node == "p2" || node == "p2-a";
        assert_eq!(status == "not_reported", lost, "{node}/{check}: {status}");
    }
    assert_eq!(m["summary"]["not_reported"], 6);
    let junit = std::fs::read_to_string(d.join("m-p2/junit.xml")).unwrap();
    assert!(junit.contains("type=\"NotReported\""), "{junit}");
    // The HTML verdict is not passed, and the matrix legend explains ∅.
    let html = std::fs::read_to_string(d.join("m-p2/report.html")).unwrap();
    assert!(
        html.contains("<span class=\"sym\">∅</span> 未报告"),
        "legend without ∅"
    );
    assert!(
        html.contains("verdict fail"),
        "the merged run shown as passed"
    );
}

#[test]
fn parts_run_by_node_merge_into_the_whole_runs_verdicts_in_any_order() {
    merged_like_the_whole_run(false);
}

#[test]
fn vantage_bundles_merge_into_the_whole_runs_verdicts_in_any_order() {
    // `run --vantage` and the `vantage: true` key.
    merged_like_the_whole_run(true);
}

#[test]
fn merge_refuses_another_suite_an_item_twice_and_an_unsigned_bundle() {
    let (dir, _open) = case(false);
    let d = dir.path();
    run(d, "b-c", &["--level", "national"]);
    run(d, "b-p1", &["--node", "p1"]);
    run(d, "b-p1-again", &["--node", "p1"]);

    let out = merge(d, "m1", &["b-c", "b-p1", "b-p1-again"], &[]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("p1/up is reported by two bundles: b-p1 and b-p1-again"),
        "{err}"
    );

    let out = netaccept(
        &[
            "merge",
            "b-c",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "-o",
            "m2",
        ],
        d,
    );
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bundle b-c: not signed"), "{err}");

    let suite = std::fs::read_to_string(d.join("suite.yaml")).unwrap();
    write(d, "suite.yaml", &format!("{suite}# edited\n"));
    let out = merge(d, "m3", &["b-c"], &[]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    let theirs = read_json(&d.join("b-c/results.json"))["run"]["suite_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        err.contains("bundle b-c was run with another suite")
            && err.contains(&theirs)
            && err.contains(&crate::support::netaccept::hex_sha256(
                format!("{suite}# edited\n").as_bytes()
            )),
        "{err}"
    );
    // Every bundle is refused now; the bundles are read side by side, and the error is the
    // first one's in the order given, whichever thread read it first.
    for (order, first, other) in [
        (["b-p1", "b-c"], "b-p1", "b-c"),
        (["b-c", "b-p1"], "b-c", "b-p1"),
    ] {
        let out = merge(d, "m4", &order, &[]);
        assert_exit(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("bundle {first} was run with another suite"))
                && !err.contains(&format!("bundle {other} ")),
            "{order:?}: {err}"
        );
    }
}

/// Signed bundles merge with the keys that signed them and are refused with another; a
/// changed byte in any bundle file is refused whatever the flags, naming the file.
#[test]
fn merge_checks_signatures_and_refuses_a_changed_byte() {
    let (dir, _open) = case(false);
    let d = dir.path();
    for (keys, name) in [("keys", "site"), ("other", "stranger")] {
        let out = netaccept(&["keygen", "-o", keys, "--name", name], d);
        assert_exit(&out, 0);
    }
    // The trusted keys folder holds public keys only.
    std::fs::create_dir(d.join("trusted")).unwrap();
    std::fs::copy(d.join("keys/site.pub"), d.join("trusted/site.pub")).unwrap();
    std::fs::create_dir(d.join("untrusted")).unwrap();
    std::fs::copy(
        d.join("other/stranger.pub"),
        d.join("untrusted/stranger.pub"),
    )
    .unwrap();
    run(
        d,
        "b-c",
        &["--level", "national", "--sign-key", "keys/site.key"],
    );
    run(d, "b-p1", &["--node", "p1", "--sign-key", "keys/site.key"]);
    run(d, "b-p2", &["--node", "p2", "--sign-key", "keys/site.key"]);
    let bundles = ["b-c", "b-p1", "b-p2"];
    let signed = |out: &str, keys: &str| {
        netaccept(
            &[
                &["merge"][..],
                &bundles,
                &[
                    "-i",
                    "inv.yaml",
                    "-s",
                    "suite.yaml",
                    "-o",
                    out,
                    "--keys",
                    keys,
                ],
            ]
            .concat(),
            d,
        )
    };
    let out = signed("m-ok", "trusted");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = read_json(&d.join("m-ok/results.json"));
    for b in merged["bundles"].as_array().unwrap() {
        assert!(b["signer"].is_string(), "{b}");
    }
    let out = signed("m-stranger", "untrusted");
    assert_exit(&out, 2);

    // One byte of one file of one bundle: refused, with or without --allow-unsigned.
    let html = d.join("b-p1/report.html");
    let mut bytes = std::fs::read(&html).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&html, bytes).unwrap();
    for out in [
        signed("m-changed", "trusted"),
        merge(d, "m-changed-2", &bundles, &[]),
    ] {
        assert_exit(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("report.html") && err.contains("changed"),
            "{err}"
        );
    }
}
