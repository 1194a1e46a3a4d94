//! Delay and jitter across the chain: this kernel has no netem, so the county host's echo
//! replies come from the simulator's ICMP responder (`netaccept sim` in the host namespace,
//! the kernel's own replies off there), with an `icmp` fault of 60 ms ± 20 ms; the real
//! `netaccept run` in the national centre measures it through the three routers.
//!
//! The delays are drawn uniformly from [40, 80] ms (FORMAT.md, "Simulator faults"): mean 60,
//! standard deviation 20/√3 ≈ 11.5, and the IPDV of Y.1540 (an upper quantile of the delay
//! minus its minimum) close to 2 × 20 = 40 ms. The chain itself adds well under a
//! millisecond.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::chain::{Chain, Link, Role};
use crate::support::host;

/// The second county host's address, on the host's side of link l4 (routed like `HOST`).
const FAR: &str = "198.18.4.3";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_netaccept")
}

/// The centre (the probe's own address) and the county hosts: `county-host` at
/// `Chain::HOST`, `far` at [`FAR`].
fn inventory() -> String {
    format!(
        "nodes:\n  - {{ id: centre, name: 国家中心, level: national, host: \"198.18.1.1\" }}\n  - {{ id: county-host, name: 县局主机, level: county, parent: centre, host: \"{}\" }}\n  - {{ id: far, name: 远端县局, level: county, parent: centre, host: \"{FAR}\" }}\n",
        Chain::HOST
    )
}

/// Starts `netaccept sim` in the host namespace with `faults` (the kernel's echo replies
/// off there first) and waits until it serves.
fn start_sim(chain: &mut Chain, dir: &Path, faults: &str) {
    chain.sysctl(Role::Host, "net.ipv4.icmp_echo_ignore_all", "1");
    std::fs::write(dir.join("inv.yaml"), inventory()).unwrap();
    std::fs::write(dir.join("faults.yaml"), format!("faults:\n{faults}")).unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    let ready = dir.join("ready.json");
    chain.spawn(
        Role::Host,
        bin(),
        &[
            "sim",
            "-i",
            &p("inv.yaml"),
            "--faults",
            &p("faults.yaml"),
            "--ca-out",
            &p("ca.pem"),
            "--ready-file",
            &p("ready.json"),
            "--seed",
            "1",
        ],
    );
    let t0 = Instant::now();
    while !ready.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the simulator did not start in the host namespace"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `netaccept run` in the centre with `suite`; its results.
fn run(chain: &Chain, dir: &Path, suite: &str) -> Vec<Value> {
    std::fs::write(dir.join("suite.yaml"), suite).unwrap();
    // A measurement taken again (`undisturbed`) writes its reports afresh.
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let out = chain.netaccept_run(dir, &[]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
    r["results"].as_array().unwrap().clone()
}

fn of<'a>(results: &'a [Value], node: &str) -> &'a Value {
    results
        .iter()
        .find(|x| x["node"] == node)
        .unwrap_or_else(|| panic!("no result for {node}: {results:?}"))
}

fn num(x: &Value, key: &str) -> f64 {
    x["measurements"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key}: {x}"))
}

const SUITE_DELAY: &str = "suite: link-delay\nname: 链路时延\ndefaults: { timeout: 10s, retries: 0 }\nchecks:\n  - id: net.delay\n    name: 链路时延\n    where: { level: [county] }\n    icmp: { target: \"{{ node.host }}\", count: 100, interval: 10ms, max_rtt: 100ms, max_loss: 1% }\n";

/// Slack over the largest delay a fault can draw before a reply proves the machine
/// stalled (another process's burst on CI's two cores holds the prober or the simulator
/// for tens of ms; measured once: a max of 140 ms for 60 ± 20).
const STALL: f64 = 10.0;

/// Runs `measure` until no node's `rtt_max_ms` is more than its fault's largest delay plus
/// [`STALL`], at most three times: a reply later than any the fault draws was held by the
/// machine, not the link, and the figures of that run measure the machine. Fails with the
/// last figures when every run was disturbed.
fn undisturbed(mut measure: impl FnMut() -> Vec<Value>, highest: &[(&str, f64)]) -> Vec<Value> {
    let mut last = Vec::new();
    for _ in 0..3 {
        last = measure();
        let stalled = highest.iter().any(|(node, top)| {
            last.iter().filter(|x| x["node"] == *node).any(|x| {
                x["measurements"]["rtt_max_ms"]
                    .as_f64()
                    .is_some_and(|m| m > top + STALL)
            })
        });
        if !stalled {
            return last;
        }
        eprintln!("a reply later than the fault can draw: the machine stalled, measuring again");
    }
    panic!("every run was disturbed by the machine: {last:?}");
}

const FAULTS: &str = "  - { node: county-host, icmp: { delay: 60ms, jitter: 20ms, loss: 0% } }\n  - { node: far, icmp: { delay: 120ms, jitter: 10ms } }\n";

#[test]
#[ignore = "needs root: network namespaces, raw ICMP (CI runs it: --include-ignored)"]
fn the_icmp_check_measures_the_simulated_delay_through_the_chain() {
    host::assert_root("network namespaces and raw ICMP");
    let mut chain = Chain::new("dly");
    let far = format!("{FAR}/24");
    chain.ip(
        Role::Host,
        &["addr", "add", &far, "dev", &chain.ifname(Link::L4, false)],
    );
    let dir = tempfile::tempdir().unwrap();
    start_sim(&mut chain, dir.path(), FAULTS);
    let suite = SUITE_DELAY;
    let results = undisturbed(
        || run(&chain, dir.path(), suite),
        &[("county-host", 80.0), ("far", 130.0)],
    );
    let x = of(&results, "county-host");
    assert_eq!(x["status"], "passed", "{x}");
    assert_eq!((num(x, "sent"), num(x, "received")), (100.0, 100.0), "{x}");
    // 60 ms ± 3, as the issue asks: the chain's own few tenths of a millisecond included.
    // The simulator's draws are a function of its seed (their mean here about 61.1 ms),
    // so the margin left is the machine's lateness, which `undisturbed` rules out.
    let avg = num(x, "rtt_avg_ms");
    assert!((avg - 60.0).abs() <= 3.0, "avg {avg} ms: {x}");
    let (min, max) = (num(x, "rtt_min_ms"), num(x, "rtt_max_ms"));
    assert!((40.0..46.0).contains(&min), "min {min} ms: {x}");
    // Late, never early: a loaded machine wakes the sender a few ms late at worst.
    assert!((74.0..80.0 + STALL).contains(&max), "max {max} ms: {x}");
    let sd = num(x, "rtt_stddev_ms");
    assert!(
        (8.5..14.5).contains(&sd),
        "stddev {sd} ms (20/√3 = 11.5): {x}"
    );
    // The far host is slower than max_rtt on average (120 ± 10 ms): the check fails there,
    // on the delay and not on loss (its replies come within the check's wait).
    let y = of(&results, "far");
    assert_eq!(y["status"], "failed", "{y}");
    assert_eq!(y["kind"], "RttExceeded", "{y}");
    assert_eq!(num(y, "received"), 100.0, "{y}");
    let avg = num(y, "rtt_avg_ms");
    assert!((avg - 120.0).abs() <= 3.0, "avg {avg} ms: {y}");
}

/// Faults of the class test: the far host is slower than class 0 allows a round trip.
const CLASS_FAULTS: &str = "  - { node: county-host, icmp: { delay: 60ms, jitter: 20ms, loss: 0% } }\n  - { node: far, icmp: { delay: 250ms, jitter: 10ms } }\n";

/// The delay variation and the Y.1541 class presets of the icmp check: `ipdv_ms` of uniform
/// 60 ± 20 ms delays is about 2 × 20 = 40 ms (p99.9 − min), `rtt_p95_ms` about 78. A class's
/// one-way objectives are doubled for the round trip (src/model/qos.rs): class 0 (IPTD ≤ 100
/// ms one way, so a mean round trip ≤ 200 ms; IPDV ≤ 50 ms, so ≤ 100 ms) passes at 60 ± 20
/// and fails at 250 ± 10, which class 1 (IPTD ≤ 400 ms, a round trip ≤ 800 ms) passes.
#[test]
#[ignore = "needs root: network namespaces, raw ICMP (CI runs it: --include-ignored)"]
fn ipdv_and_the_class_presets_of_the_simulated_delay() {
    host::assert_root("network namespaces and raw ICMP");
    let mut chain = Chain::new("ipdv");
    let far = format!("{FAR}/24");
    chain.ip(
        Role::Host,
        &["addr", "add", &far, "dev", &chain.ifname(Link::L4, false)],
    );
    let dir = tempfile::tempdir().unwrap();
    start_sim(&mut chain, dir.path(), CLASS_FAULTS);
    let suite = "suite: link-class\nname: 链路等级\ndefaults: { timeout: 15s, retries: 0 }\nchecks:\n  - id: net.class0\n    name: 一类链路\n    where: { level: [county] }\n    icmp: { target: \"{{ node.host }}\", count: 200, interval: 10ms, class: y1541-0 }\n  - id: net.class1\n    name: 二类链路\n    where: { level: [county] }\n    icmp: { target: \"{{ node.host }}\", count: 200, interval: 10ms, class: y1541-1 }\n";
    let results = undisturbed(
        || run(&chain, dir.path(), suite),
        &[("county-host", 80.0), ("far", 260.0)],
    );
    let r = &results;
    let find = |node: &str, check: &str| {
        results
            .iter()
            .find(|x| x["node"] == node && x["check"] == check)
            .unwrap_or_else(|| panic!("no {check} on {node}: {r:?}"))
    };
    let x = find("county-host", "net.class0");
    let ipdv = num(x, "ipdv_ms");
    assert!((30.0..=45.0).contains(&ipdv), "ipdv {ipdv} ms: {x}");
    let p95 = num(x, "rtt_p95_ms");
    assert!((72.0..84.0).contains(&p95), "p95 {p95} ms: {x}");
    assert_eq!(x["measurements"]["class"], "y1541-0", "{x}");
    assert_eq!(x["status"], "passed", "{x}");
    let y = find("far", "net.class0");
    assert_eq!(
        y["status"], "failed",
        "a mean round trip of 250 ms is over class 0's 2 × 100 ms: {y}"
    );
    let ipdv = num(y, "ipdv_ms");
    assert!(
        (15.0..=25.0).contains(&ipdv),
        "ipdv {ipdv} ms (±10 ms): {y}"
    );
    assert_eq!(find("far", "net.class1")["status"], "passed", "{r:?}");
    assert_eq!(
        find("county-host", "net.class1")["status"],
        "passed",
        "{r:?}"
    );
}
