//! Throughput across the chain: the county link `l4` limited to 20 Mbit/s by `tc tbf`, Debian's
//! `iperf3 -s` on the county host behind it, and `netaccept run --check <id>` in the national
//! centre's namespace. Measured within ±10 % of 20 Mbit/s both ways; `min_mbps: 30` fails as
//! `ThroughputLow` with its limit, `min_mbps: 10` passes; without `--check` the on-demand
//! checks are not planned, and the server sees no test.

use std::path::Path;

use serde_json::Value;

use crate::support::chain::{Chain, Link, Role};
use crate::support::{host, net};

const INVENTORY: &str = "nodes:
  - id: county-host
    name: 县局主机
    level: national
    host: 198.18.4.2
";

/// Three on-demand throughput checks (5s each, so the test is short) and one ICMP check.
const SUITE: &str = "suite: links
name: 链路吞吐量
checks:
  - id: net.icmp
    name: 连通性
    icmp: { target: \"{{ node.host }}\" }
  - id: link.tput-up
    name: 上行吞吐量
    timeout: 15s
    throughput: { target: \"{{ node.host }}\", duration: 5s, min_mbps: 10 }
  - id: link.tput-down
    name: 下行吞吐量
    timeout: 15s
    throughput: { target: \"{{ node.host }}\", duration: 5s, direction: down, streams: 2, min_mbps: 10 }
  - id: link.tput-30
    name: 上行吞吐量（下限 30）
    timeout: 15s
    throughput: { target: \"{{ node.host }}\", duration: 5s, min_mbps: 30 }
";

/// Whether something listens on `addr_hex:port` in the namespace (`/proc/net/tcp`).
fn listening(chain: &Chain, port: u16) -> bool {
    let out = chain
        .command(Role::Host, "cat")
        .arg("/proc/net/tcp")
        .output()
        .unwrap();
    // 198.18.4.2 in /proc's little-endian hex.
    let local = format!("020412C6:{port:04X}");
    String::from_utf8_lossy(&out.stdout).lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3 && f[1] == local && f[3] == "0A"
    })
}

/// `netaccept run` in the probe namespace with `args`; its exit code and results.json.
fn run(chain: &Chain, dir: &Path, name: &str, args: &[&str]) -> (i32, Value) {
    let out_dir = dir.join(name);
    let out = chain
        .command(Role::Probe, env!("CARGO_BIN_EXE_netaccept"))
        .args([
            "run",
            "-i",
            "inventory.yaml",
            "-s",
            "suite.yaml",
            "--no-history",
        ])
        .arg("-o")
        .arg(&out_dir)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let results = std::fs::read_to_string(out_dir.join("results.json")).unwrap_or_else(|e| {
        panic!(
            "{name}: no results.json ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&results).unwrap(),
    )
}

fn result<'a>(results: &'a Value, check: &str) -> &'a Value {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no result of {check}: {results}"))
}

fn around_twenty(r: &Value, what: &str) -> f64 {
    let mbps = r["measurements"]["mbps"].as_f64().unwrap();
    assert!(
        (18.0..=22.0).contains(&mbps),
        "{what}: {mbps} Mbit/s over a 20 Mbit/s link: {r}"
    );
    mbps
}

#[test]
#[ignore = "needs root: network namespaces, veths and tc (CI runs it: --include-ignored)"]
fn a_twenty_megabit_link_measures_twenty_both_ways_and_only_when_asked() {
    host::assert_root("network namespaces, veths and tc");
    if !net::available("iperf3") {
        host::skip("iperf3 is not installed (apt-get install iperf3)");
        return;
    }
    let mut chain = Chain::new("tput");
    chain.rate_limit(Link::L4, 20);
    chain.spawn(
        Role::Host,
        "iperf3",
        &[
            "-s",
            "-B",
            Chain::HOST,
            "-p",
            "5201",
            "--logfile",
            "/dev/null",
        ],
    );
    for _ in 0..250 {
        if listening(&chain, 5201) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(listening(&chain, 5201), "iperf3 -s did not start");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inventory.yaml"), INVENTORY).unwrap();
    std::fs::write(dir.path().join("suite.yaml"), SUITE).unwrap();

    // Without --check: the ICMP check alone; the on-demand checks are not planned.
    let (code, plain) = run(&chain, dir.path(), "plain", &[]);
    assert_eq!(code, 0, "{plain}");
    let checks: Vec<&str> = plain["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["net.icmp"]);

    // Each named exactly: they run one after another (one iperf3 server, one test at a
    // time), each within its own timeout.
    let (code, asked) = run(
        &chain,
        dir.path(),
        "asked",
        &[
            "--check",
            "link.tput-up",
            "--check",
            "link.tput-down",
            "--check",
            "link.tput-30",
        ],
    );
    assert_eq!(code, 1, "link.tput-30 fails: {asked}");
    let up = result(&asked, "link.tput-up");
    assert_eq!(up["status"], "passed", "{up}");
    let up_mbps = around_twenty(up, "up");
    assert_eq!(up["measurements"]["direction"], "up");
    assert_eq!(up["measurements"]["limits"]["mbps"], 10.0);
    assert_eq!(up["measurements"]["address"], "198.18.4.2:5201");

    let down = result(&asked, "link.tput-down");
    assert_eq!(down["status"], "passed", "{down}");
    let down_mbps = around_twenty(down, "down");
    assert_eq!(down["measurements"]["direction"], "down");
    assert_eq!(down["measurements"]["streams"], 2);
    assert!(down["measurements"]["retransmits"].is_u64(), "{down}");

    let low = result(&asked, "link.tput-30");
    assert_eq!(low["status"], "failed", "{low}");
    assert_eq!(low["kind"], "ThroughputLow");
    assert_eq!(low["expected"], "throughput ≥ 30 Mbit/s");
    assert_eq!(low["measurements"]["limits"]["mbps"], 30.0);
    around_twenty(low, "up, limit 30");
    eprintln!("20 Mbit/s link: up {up_mbps} Mbit/s, down {down_mbps} Mbit/s");
}
