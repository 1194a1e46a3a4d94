//! End to end across real network namespaces (root only; CI runs as root).
//!
//! A probe namespace reaches three target namespaces over veth pairs in 198.18.0.0/15:
//! `healthy` answers everything, `lossy` drops half of the ICMP it receives (nftables random
//! drop on its input hook: this kernel has no netem), `silent` drops all input. The real
//! `netaccept run` runs inside the probe namespace against an inventory of the three. The
//! test asserts the verdicts and loss figures, that the silent node's dependent checks are
//! skipped, and, with an nftables counter in the probe namespace, that nothing was sent to
//! any other address. Every namespace is deleted by name at the end, pass or fail.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::support::host;
use crate::support::net::{available, nft, sh};

/// Deletes the namespaces (and with them the veths and the servers' sockets) and kills the
/// servers when dropped, so a failing assertion leaves nothing behind.
struct Lab {
    names: Vec<String>,
    servers: Vec<Child>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for s in &mut self.servers {
            let _ = s.kill();
            let _ = s.wait();
        }
        for n in &self.names {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

#[test]
#[ignore = "needs root: network namespaces, veths and nftables (CI runs it: --include-ignored)"]
fn namespaces_healthy_lossy_silent() {
    // CI is root with iproute2, nftables and python3 installed by .ci/run; a developer
    // without the tools is told why nothing ran (and CI fails).
    host::assert_root("network namespaces, veths and nftables");
    let missing: Vec<&str> = ["ip", "nft", "python3"]
        .into_iter()
        .filter(|t| !available(t))
        .collect();
    if !missing.is_empty() {
        host::skip(&format!(
            "{} not on PATH (apt-get install iproute2 nftables python3)",
            missing.join(", ")
        ));
        return;
    }
    let tag = format!("{}", std::process::id() % 100_000);
    let probe = format!("na{tag}-probe");
    let targets = ["healthy", "lossy", "silent"];
    let mut lab = Lab {
        names: vec![probe.clone()],
        servers: Vec::new(),
    };
    sh(&["ip", "netns", "add", &probe]);
    sh(&["ip", "-n", &probe, "link", "set", "lo", "up"]);
    // A default route into a veth pair whose both ends stay in the probe namespace: anything
    // netaccept tried to send elsewhere would leave its socket (and be counted below) but
    // never this namespace.
    let (d0, d1) = (format!("na{tag}d0"), format!("na{tag}d1"));
    sh(&[
        "ip", "-n", &probe, "link", "add", &d0, "type", "veth", "peer", "name", &d1,
    ]);
    sh(&[
        "ip",
        "-n",
        &probe,
        "addr",
        "add",
        "198.19.255.1/24",
        "dev",
        &d0,
    ]);
    sh(&["ip", "-n", &probe, "link", "set", &d0, "up"]);
    sh(&["ip", "-n", &probe, "link", "set", &d1, "up"]);
    sh(&["ip", "-n", &probe, "route", "add", "default", "dev", &d0]);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("health"), "{\"status\":\"UP\"}").unwrap();

    for (k, t) in targets.iter().enumerate() {
        let ns = format!("na{tag}-{t}");
        lab.names.push(ns.clone());
        let (a, b) = (format!("na{tag}p{k}"), format!("na{tag}t{k}"));
        let (pa, ta) = (
            format!("198.18.{}.1/24", k + 1),
            format!("198.18.{}.2", k + 1),
        );
        sh(&["ip", "netns", "add", &ns]);
        sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        sh(&[
            "ip", "link", "add", &a, "netns", &probe, "type", "veth", "peer", "name", &b, "netns",
            &ns,
        ]);
        sh(&["ip", "-n", &probe, "addr", "add", &pa, "dev", &a]);
        sh(&[
            "ip",
            "-n",
            &ns,
            "addr",
            "add",
            &format!("{ta}/24"),
            "dev",
            &b,
        ]);
        sh(&["ip", "-n", &probe, "link", "set", &a, "up"]);
        sh(&["ip", "-n", &ns, "link", "set", &b, "up"]);
        // An HTTP server on 8080 in every target; the silent one's is unreachable by rule.
        let mut server = Command::new("ip")
            .args([
                "netns",
                "exec",
                &ns,
                "python3",
                "-u",
                "-m",
                "http.server",
                "8080",
                "--bind",
                &ta,
                "--directory",
            ])
            .arg(work.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 http.server");
        let mut first = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("Serving HTTP"), "server in {ns}: {first}");
        lab.servers.push(server);
    }
    nft(
        &format!("na{tag}-lossy"),
        "table inet netaccept_test {\n chain input { type filter hook input priority 0; policy accept;\n  meta l4proto icmp numgen random mod 100 < 50 drop\n }\n}\n",
    );
    nft(
        &format!("na{tag}-silent"),
        "table inet netaccept_test {\n chain input { type filter hook input priority 0; policy drop; }\n}\n",
    );
    // Counts what the probe namespace sends anywhere but the lab and loopback over the
    // protocols netaccept speaks (the kernel's own IGMP and IPv6 neighbour chatter on a new
    // link is not ours to count).
    nft(
        &probe,
        "table inet netaccept_test {\n counter stray {}\n chain output { type filter hook output priority 0; policy accept;\n  ip daddr != { 198.18.0.0/16, 127.0.0.0/8 } meta l4proto { tcp, udp, icmp } counter name stray\n  ip6 daddr != ::1 meta l4proto { tcp, udp } counter name stray\n  ip6 daddr != ::1 icmpv6 type echo-request counter name stray\n }\n}\n",
    );

    let dir = work.path();
    write_inputs(dir);
    let out_dir = dir.join("out");
    let run = Command::new("ip")
        .args(["netns", "exec", &probe])
        .arg(env!("CARGO_BIN_EXE_netaccept"))
        .args(["run", "-i"])
        .arg(dir.join("inventory.yaml"))
        .arg("-s")
        .arg(dir.join("suite.yaml"))
        .arg("-o")
        .arg(&out_dir)
        // The history beside the run's folder, not in the checkout's reports/.
        .arg("--history")
        .arg(dir.join("history.sqlite"))
        .env("CI", "true")
        .output()
        .expect("netaccept run");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "some checks fail on purpose\n{stdout}\n{stderr}"
    );

    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["run"]["complete"], true);
    let find = |node: &str, check: &str| -> serde_json::Value {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["node"] == node && r["check"] == check)
            .unwrap_or_else(|| panic!("no result for {node} {check}\n{stdout}"))
            .clone()
    };

    for c in ["net.icmp", "net.tcp", "app.health"] {
        let r = find("healthy", c);
        assert_eq!(r["status"], "passed", "healthy {c}: {r}");
    }
    let h = find("healthy", "net.icmp");
    assert_eq!(h["measurements"]["loss_pct"].as_f64(), Some(0.0), "{h}");
    assert!(
        h["measurements"]["rtt_avg_ms"].as_f64().unwrap() > 0.0,
        "{h}"
    );

    // 50 % random drop over 40 echoes: the measured loss lies far inside these bounds
    // (outside them with probability below 1e-4).
    let l = find("lossy", "net.icmp");
    let loss = l["measurements"]["loss_pct"].as_f64().unwrap();
    assert!((15.0..=85.0).contains(&loss), "lossy loss {loss}: {l}");
    assert_eq!(l["status"], "failed");
    assert_eq!(l["kind"], "LossExceeded");
    assert_eq!(find("lossy", "net.tcp")["status"], "skipped");

    let s = find("silent", "net.icmp");
    assert_eq!(s["status"], "failed");
    assert_eq!(s["measurements"]["loss_pct"].as_f64(), Some(100.0), "{s}");
    for c in ["net.tcp", "app.health"] {
        let r = find("silent", c);
        assert_eq!(r["status"], "skipped", "silent {c}: {r}");
        assert_eq!(r["attempts"], 0);
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .starts_with("net.icmp failed"),
            "{r}"
        );
    }

    let counter = Command::new("ip")
        .args([
            "netns",
            "exec",
            &probe,
            "nft",
            "list",
            "counter",
            "inet",
            "netaccept_test",
            "stray",
        ])
        .output()
        .unwrap();
    let counter = String::from_utf8_lossy(&counter.stdout);
    assert!(
        counter.contains("packets 0 bytes 0"),
        "traffic left the lab: {counter}"
    );
    drop(lab);
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&left.stdout).contains(&format!("na{tag}-")),
        "namespaces left behind"
    );
}

fn write_inputs(dir: &Path) {
    let mut inv = String::from(
        "nodes:\n  - id: centre\n    name: 测试中心\n    level: national\n    host: \"198.18.0.1\"\n",
    );
    for (k, t) in ["healthy", "lossy", "silent"].iter().enumerate() {
        inv.push_str(&format!(
            "  - id: {t}\n    name: {t} 省局\n    level: provincial\n    parent: centre\n    host: \"198.18.{n}.2\"\n    apps:\n      dispatch: {{ url: \"http://198.18.{n}.2:8080\" }}\n",
            n = k + 1
        ));
    }
    std::fs::write(dir.join("inventory.yaml"), inv).unwrap();
    std::fs::write(
        dir.join("suite.yaml"),
        r#"suite: netns-e2e
name: 命名空间端到端
apps: { dispatch: 调度统计 }
defaults: { timeout: 3s, retries: 0 }
checks:
  - id: net.icmp
    name: ICMP
    severity: critical
    where: { level: [provincial] }
    icmp: { target: "{{ node.host }}", count: 40, interval: 10ms, max_loss: 10%, max_rtt: 500ms }
  - id: net.tcp
    name: TCP 8080
    where: { level: [provincial] }
    needs: [net.icmp]
    tcp: { target: "{{ node.host }}:8080" }
  - id: app.health
    name: 健康检查
    for_each_app: true
    needs: [net.icmp]
    http: { url: "{{ app.url }}/health", expect: { status: [200], json: { "$.status": UP } } }
"#,
    )
    .unwrap();
}
