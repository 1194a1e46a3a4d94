//! `netaccept sim` with the real binary: it serves what the inventory says (HTTP, HTTPS from
//! its own CA, DNS), and each fault kind produces the verdict it is meant to when the real
//! `netaccept run` probes it. Each test has its own loopback addresses (127.70.K.x).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Sim {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_netaccept")
}

/// One node `a` at 127.70.K.1 with `dispatch` over HTTP (8080) and `hazchem` over HTTPS
/// (8443), its name in the simulator's DNS at 127.70.K.53:5353.
fn inventory(k: u8, dir: &Path) -> String {
    let ip = format!("127.70.{k}.1");
    format!(
        "nodes:\n  - id: a\n    name: 测试省局\n    level: national\n    host: \"{ip}\"\n    vars: {{ fqdn: a.sim.test, dns_server: \"127.70.{k}.53:5353\", ca_file: \"{ca}\" }}\n    apps:\n      dispatch: {{ url: \"http://{ip}:8080/dispatch\" }}\n      hazchem: {{ url: \"https://{ip}:8443/whp\" }}\n",
        ca = dir.join("ca.pem").display()
    )
}

const SUITE: &str = r#"suite: sim-test
name: 模拟器测试
apps: { dispatch: 调度统计, hazchem: 危化品 }
defaults: { timeout: 2s, retries: 0 }
checks:
  - { id: net.dns, name: 域名解析, dns: { name: "{{ node.vars.fqdn }}", server: "{{ node.vars.dns_server }}", expect: ["{{ node.host }}"] } }
  - { id: net.tcp, name: 端口, tcp: { target: "{{ node.host }}:8443" } }
  - id: app.health
    name: 健康检查
    for_each_app: true
    http: { url: "{{ app.url }}/health", ca: "{{ node.vars.ca_file }}", expect: { status: [200], json: { "$.status": UP } } }
  - { id: app.login, name: 登录页, for_each_app: true, http: { url: "{{ app.url }}/", ca: "{{ node.vars.ca_file }}", expect: { status: [200] } } }
"#;

fn start(k: u8, faults: &str) -> Sim {
    start_with(|dir| inventory(k, dir), faults)
}

/// `netaccept sim` on the inventory `inventory` writes (given the test's folder) with
/// `faults`, once it is ready.
fn start_with(inventory: impl FnOnce(&Path) -> String, faults: &str) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv.yaml"), inventory(dir.path())).unwrap();
    std::fs::write(dir.path().join("faults.yaml"), format!("faults:\n{faults}")).unwrap();
    std::fs::write(dir.path().join("suite.yaml"), SUITE).unwrap();
    let ready = dir.path().join("ready.json");
    let mut child = Command::new(bin())
        .args([
            "sim",
            "-i",
            "inv.yaml",
            "--faults",
            "faults.yaml",
            "--ca-out",
            "ca.pem",
            "--ready-file",
            "ready.json",
            "--seed",
            "7",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !ready.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("sim exited {status}: {err}");
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "sim not ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    Sim { child, dir }
}

fn run(sim: &Sim) -> serde_json::Value {
    let out = Command::new(bin())
        .args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
        .current_dir(sim.dir.path())
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(sim.dir.path().join("out/results.json")).unwrap())
        .unwrap()
}

fn result(r: &serde_json::Value, check: &str, app: Option<&str>) -> (String, String, String) {
    let x = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == check && x["app"].as_str() == app)
        .unwrap_or_else(|| panic!("no {check} {app:?}: {r}"));
    (
        x["status"].as_str().unwrap().to_string(),
        x["kind"].as_str().unwrap_or("").to_string(),
        x["message"].as_str().unwrap().to_string(),
    )
}

fn status(r: &serde_json::Value, check: &str, app: Option<&str>) -> String {
    result(r, check, app).0
}

fn kind(r: &serde_json::Value, check: &str, app: Option<&str>) -> String {
    let (s, k, m) = result(r, check, app);
    assert_eq!(s, "failed", "{check} {app:?}: {m}");
    k
}

#[test]
fn healthy_node_passes_everything() {
    let sim = start(1, "  []\n");
    let r = run(&sim);
    for x in r["results"].as_array().unwrap() {
        assert_eq!(x["status"], "passed", "{x}");
    }
    assert_eq!(r["results"].as_array().unwrap().len(), 6);
    // The CA it wrote is what made HTTPS verify.
    assert!(
        std::fs::read_to_string(sim.dir.path().join("ca.pem"))
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
}

#[test]
fn down_node_refuses_connections() {
    let sim = start(2, "  - { node: a, down: true }\n");
    let r = run(&sim);
    assert_eq!(kind(&r, "net.tcp", None), "ConnectionRefused");
    assert_eq!(
        kind(&r, "app.health", Some("dispatch")),
        "ConnectionRefused"
    );
    assert_eq!(
        status(&r, "net.dns", None),
        "passed",
        "its name still resolves"
    );
}

#[test]
fn silent_node_accepts_and_never_answers() {
    let sim = start(3, "  - { node: a, silent: true }\n");
    let t0 = Instant::now();
    let r = run(&sim);
    assert_eq!(
        status(&r, "net.tcp", None),
        "passed",
        "the handshake completes"
    );
    assert_eq!(kind(&r, "app.health", Some("dispatch")), "Timeout");
    assert_eq!(kind(&r, "app.health", Some("hazchem")), "Timeout");
    assert!(t0.elapsed() < Duration::from_secs(15));
}

#[test]
fn slow_app_runs_into_the_timeout() {
    let sim = start(4, "  - { node: a, app: dispatch, slow: 3s }\n");
    let r = run(&sim);
    assert_eq!(kind(&r, "app.health", Some("dispatch")), "Timeout");
    assert_eq!(
        status(&r, "app.health", Some("hazchem")),
        "passed",
        "only that app is slow"
    );
}

#[test]
fn status_fault_is_a_status_mismatch() {
    let sim = start(5, "  - { node: a, app: dispatch, status: 500 }\n");
    let r = run(&sim);
    assert_eq!(kind(&r, "app.health", Some("dispatch")), "StatusMismatch");
    assert_eq!(
        status(&r, "app.login", Some("dispatch")),
        "passed",
        "status plays on health only"
    );
}

#[test]
fn body_fault_is_a_json_mismatch() {
    let sim = start(
        6,
        "  - { node: a, app: hazchem, body: '{\"status\":\"DOWN\"}' }\n",
    );
    let r = run(&sim);
    assert_eq!(kind(&r, "app.health", Some("hazchem")), "JsonMismatch");
}

#[test]
fn flaky_app_fails_some_checks() {
    let sim = start(7, "  - { node: a, app: dispatch, flaky: 50% }\n");
    let mut suite = String::from(
        "suite: flaky\nname: 抖动\napps: { dispatch: 调度统计, hazchem: 危化品 }\ndefaults: { timeout: 2s }\nchecks:\n",
    );
    for i in 0..40 {
        suite.push_str(&format!(
            "  - {{ id: h{i}, name: h{i}, for_each_app: true, where: {{ apps: [dispatch] }}, http: {{ url: \"{{{{ app.url }}}}/health\", expect: {{ status: [200] }} }} }}\n"
        ));
    }
    std::fs::write(sim.dir.path().join("suite.yaml"), suite).unwrap();
    let r = run(&sim);
    let failed = r["summary"]["failed"].as_u64().unwrap();
    assert!(
        (5..=35).contains(&failed),
        "50% flaky over 40 checks: {failed} failed"
    );
}

#[test]
fn certificate_faults_are_invalid_certificates() {
    for (k, fault, word) in [
        (8, "expired", "expired"),
        (9, "wrong-host", "not for 127.70.9.1"),
        (10, "self-signed", "self-signed"),
    ] {
        let sim = start(
            k,
            &format!("  - {{ node: a, app: hazchem, cert: {fault} }}\n"),
        );
        let r = run(&sim);
        let (s, kind, message) = result(&r, "app.health", Some("hazchem"));
        assert_eq!(
            (s.as_str(), kind.as_str()),
            ("failed", "CertInvalid"),
            "{fault}: {message}"
        );
        assert!(message.to_lowercase().contains(word), "{fault}: {message}");
        assert_eq!(
            status(&r, "app.health", Some("dispatch")),
            "passed",
            "plain HTTP is untouched"
        );
    }
}

#[test]
fn dns_faults() {
    let sim = start(11, "  - { node: a, dns: wrong-address }\n");
    assert_eq!(kind(&run(&sim), "net.dns", None), "AnswerMismatch");
    let sim = start(12, "  - { node: a, dns: nxdomain }\n");
    assert_eq!(kind(&run(&sim), "net.dns", None), "RcodeMismatch");
}

/// An OpenSSL handshake with `addr` offering `min..=max` (security level 0, so that TLS 1.0
/// can be offered), the chain verified against the `ca.pem` the simulator wrote but not
/// enforced: (protocol, certificates sent, verification result) and the stream, or the
/// handshake's error.
fn openssl_get(
    sim: &Sim,
    addr: &str,
    min: openssl::ssl::SslVersion,
    max: openssl::ssl::SslVersion,
) -> Result<(String, usize, String, String), String> {
    use openssl::ssl::{Ssl, SslConnector, SslMethod, SslVerifyMode};
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_cipher_list("DEFAULT:@SECLEVEL=0").unwrap();
    b.set_min_proto_version(Some(min)).unwrap();
    b.set_max_proto_version(Some(max)).unwrap();
    b.set_verify(SslVerifyMode::NONE);
    b.set_ca_file(sim.dir.path().join("ca.pem")).unwrap();
    let ssl = Ssl::new(&b.build().into_context()).unwrap();
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut tls = ssl.connect(tcp).map_err(|e| e.to_string())?;
    let facts = (
        tls.ssl().version_str().to_string(),
        tls.ssl()
            .peer_cert_chain()
            .map_or(0, openssl::stack::StackRef::len),
        tls.ssl().verify_result().error_string().to_string(),
    );
    tls.write_all(b"GET /whp/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    // A TLS 1.0 peer may close without close_notify after the answer; what came is enough.
    let _ = tls.read_to_end(&mut answer);
    Ok((
        facts.0,
        facts.1,
        facts.2,
        String::from_utf8_lossy(&answer).into_owned(),
    ))
}

/// The CA file and the chain of a healthy listener, and the two TLS faults, as an OpenSSL
/// client of the test's own sees them through the real `netaccept sim`. (The verdicts
/// netaccept's prober gives them, `LegacyTls` and `CertInvalid` naming the intermediate,
/// are pinned by `netaccept demo`'s test, whose network has one of each.)
#[test]
fn tls_faults_legacy_tls_and_missing_intermediate() {
    use openssl::ssl::SslVersion;
    let healthy = start(20, "  []\n");
    let pem = std::fs::read_to_string(healthy.dir.path().join("ca.pem")).unwrap();
    assert_eq!(
        pem.matches("BEGIN CERTIFICATE").count(),
        1,
        "the CA file holds the root alone"
    );
    let (protocol, sent, verified, answer) = openssl_get(
        &healthy,
        "127.70.20.1:8443",
        SslVersion::TLS1_2,
        SslVersion::TLS1_3,
    )
    .unwrap();
    assert_eq!(
        (protocol.as_str(), sent, verified.as_str()),
        ("TLSv1.3", 2, "ok"),
        "leaf and intermediate, verified by the root"
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");

    let legacy = start(21, "  - { node: a, app: hazchem, legacy_tls: true }\n");
    let (protocol, sent, verified, answer) = openssl_get(
        &legacy,
        "127.70.21.1:8443",
        SslVersion::TLS1,
        SslVersion::TLS1_3,
    )
    .unwrap();
    assert_eq!(
        (protocol.as_str(), sent, verified.as_str()),
        ("TLSv1", 2, "ok")
    );
    assert!(answer.contains("\"status\":\"UP\""), "{answer}");
    let refused = openssl_get(
        &legacy,
        "127.70.21.1:8443",
        SslVersion::TLS1_2,
        SslVersion::TLS1_3,
    )
    .expect_err("TLS 1.2 and later are refused");
    // The server's alert (or, had the client seen the server's version first, its own words).
    assert!(
        refused.contains("alert protocol version") || refused.contains("unsupported protocol"),
        "{refused}"
    );

    let missing = start(22, "  - { node: a, missing_intermediate: true }\n");
    let (protocol, sent, verified, answer) = openssl_get(
        &missing,
        "127.70.22.1:8443",
        SslVersion::TLS1_2,
        SslVersion::TLS1_3,
    )
    .unwrap();
    assert_eq!(
        (protocol.as_str(), sent, verified.as_str()),
        ("TLSv1.3", 1, "unable to get local issuer certificate")
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

/// The replication check of the acceptance suite, and the node's name asked at the secondary.
const REPLICATION_SUITE: &str = r#"suite: sim-replication
name: 区数据同步
apps: { dispatch: 调度统计, hazchem: 危化品 }
checks:
  - { id: net.dns-secondary, name: 辅服务器解析, dns: { name: "{{ node.vars.fqdn }}", server: "{{ node.vars.dns_secondary }}", expect: ["{{ node.host }}"] } }
  - { id: net.dns-replication, name: 区数据同步, dns: { name: sim.test, servers: ["{{ node.vars.dns_server }}", "{{ node.vars.dns_secondary }}"], type: SOA } }
"#;

#[test]
fn a_secondary_serves_the_zone_and_a_stale_one_lags() {
    let with_secondary = |k: u8| {
        move |dir: &Path| {
            inventory(k, dir).replace(
                "dns_server:",
                &format!("dns_secondary: \"127.70.{k}.54:5353\", dns_server:"),
            )
        }
    };
    let sim = start_with(with_secondary(18), "  []\n");
    std::fs::write(sim.dir.path().join("suite.yaml"), REPLICATION_SUITE).unwrap();
    let r = run(&sim);
    for check in ["net.dns-secondary", "net.dns-replication"] {
        assert_eq!(status(&r, check, None), "passed", "{check}: {r}");
    }

    let sim = start_with(
        with_secondary(19),
        "  - { node: a, stale_secondary: true }\n",
    );
    std::fs::write(sim.dir.path().join("suite.yaml"), REPLICATION_SUITE).unwrap();
    let r = run(&sim);
    assert_eq!(
        status(&r, "net.dns-secondary", None),
        "passed",
        "the stale copy still has the node's name"
    );
    assert_eq!(kind(&r, "net.dns-replication", None), "SerialMismatch");
    let (_, _, message) = result(&r, "net.dns-replication", None);
    assert_eq!(
        message,
        "SOA sim.test: 127.70.19.54:5353 serves serial 2026112901, 127.70.19.53:5353 (the reference) 2026120301"
    );
}

#[test]
fn refuses_hosts_off_loopback_and_bad_fault_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inv.yaml"),
        "nodes:\n  - { id: far, name: 远端, level: national, host: \"192.0.2.7\" }\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["sim", "-i", "inv.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`far`") && err.contains("loopback"), "{err}");

    std::fs::write(dir.path().join("inv.yaml"), inventory(13, dir.path())).unwrap();
    std::fs::write(
        dir.path().join("faults.yaml"),
        "faults:\n  - { node: a, slwo: 3s }\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["sim", "-i", "inv.yaml", "--faults", "faults.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("faults.yaml:2:"),
        "file:line"
    );
}

#[test]
fn ctrl_c_stops_cleanly() {
    let mut sim = start(14, "  []\n");
    Command::new("kill")
        .args(["-INT", &sim.child.id().to_string()])
        .status()
        .unwrap();
    let t0 = Instant::now();
    let code = loop {
        if let Some(s) = sim.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(t0.elapsed() < Duration::from_secs(5), "sim did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
    // The address is free again.
    std::net::TcpListener::bind("127.70.14.1:8080").expect("port released");
}

#[test]
fn an_address_already_in_use_is_could_not_start_not_a_report_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv.yaml"), inventory(15, dir.path())).unwrap();
    // Something else holds the node's HTTP port: a simulator already running, say, whose
    // CA is in ca.pem.
    let _taken = std::net::TcpListener::bind("127.70.15.1:8080").unwrap();
    std::fs::write(dir.path().join("ca.pem"), "the running simulator's CA").unwrap();
    let out = Command::new(bin())
        .args(["sim", "-i", "inv.yaml", "--ca-out", "ca.pem"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("127.70.15.1:8080"), "{err}");
    // The simulator that could not start leaves the running one's CA alone.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ca.pem")).unwrap(),
        "the running simulator's CA"
    );
}

/// A GET with a client of the test's own (HTTP/1.1 over `std::net`, `Connection: close`):
/// the status and the JSON body.
fn get_json(addr: &str, path: &str) -> (u16, serde_json::Value) {
    let mut s = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: sim.test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let body = serde_json::from_slice(&raw[end + 4..])
        .unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {head}"));
    (status, body)
}

/// A national node `a`, a provincial `b` and a county `c`, all over plain HTTP on
/// 127.70.K.1–3:8080.
fn levels_inventory(k: u8) -> String {
    format!(
        "nodes:
  - {{ id: a, name: 部, level: national, host: \"127.70.{k}.1\", apps: {{ dispatch: {{ url: \"http://127.70.{k}.1:8080/dispatch\" }} }} }}
  - id: b
    name: 省
    level: provincial
    parent: a
    host: \"127.70.{k}.2\"
    apps:
      dispatch: {{ url: \"http://127.70.{k}.2:8080/dispatch\" }}
      hazchem: {{ url: \"http://127.70.{k}.2:8080/hazchem\" }}
  - {{ id: c, name: 县, level: county, parent: b, host: \"127.70.{k}.3\", apps: {{ dispatch: {{ url: \"http://127.70.{k}.3:8080/dispatch\" }} }} }}
"
    )
}

/// The total of `GET <url>/api/records/summary`.
fn records_total(addr: &str, prefix: &str) -> u64 {
    let (status, j) = get_json(addr, &format!("{prefix}/api/records/summary"));
    assert_eq!(status, 200, "{j}");
    j["records"]["total"].as_u64().expect("a total")
}

#[test]
fn records_follow_the_level_and_the_records_and_nonconformant_faults() {
    let faults = "  - { node: b, app: dispatch, records: 10 }
  - { node: b, app: hazchem, nonconformant: true }
  - { node: c, records: 5 }
";
    let _sim = start_with(|_| levels_inventory(16), faults);
    let (a, b, c) = ("127.70.16.1:8080", "127.70.16.2:8080", "127.70.16.3:8080");
    let national = records_total(a, "/dispatch");
    assert!((200_000..=259_999).contains(&national), "{national}");
    let provincial = records_total(b, "/hazchem");
    assert!((20_000..=49_999).contains(&provincial), "{provincial}");
    // The faults: one app short, and a node-wide `records` on every app of `c`.
    assert_eq!(records_total(b, "/dispatch"), 10);
    assert_eq!(records_total(c, "/dispatch"), 5);
    let (_, j) = get_json(b, "/dispatch/api/records/summary");
    assert_eq!(
        j["records"]["by_year"],
        serde_json::json!([{"year": 2015, "count": 10}])
    );

    // `nonconformant`: still UP, without `version`, `time` a number; the others conform.
    let (status, j) = get_json(b, "/hazchem/health");
    assert_eq!((status, j["status"].as_str()), (200, Some("UP")));
    assert!(j.get("version").is_none() && j["time"].is_i64(), "{j}");
    let (_, j) = get_json(b, "/dispatch/health");
    assert!(j["version"].is_string() && j["time"].is_string(), "{j}");

    // Another simulator process, on other addresses, serves the same totals.
    let _again = start_with(|_| levels_inventory(17), "  []\n");
    assert_eq!(records_total("127.70.17.1:8080", "/dispatch"), national);
    assert_eq!(records_total("127.70.17.2:8080", "/hazchem"), provincial);
    let county = records_total("127.70.17.3:8080", "/dispatch");
    assert!((1_200..=3_999).contains(&county), "{county}");
}

/// Nodes in the wildcard test: more than the simulator serves with a listener per address
/// on one port, and two ports each, so that one listener per (address, port) would need
/// several times the file-descriptor limit the test gives it.
const MANY: usize = 1500;

/// The address of node `i` of the wildcard test: 127.71.0.1 onwards.
fn many_ip(i: usize) -> String {
    format!("127.71.{}.{}", i / 200, i % 200 + 1)
}

#[test]
fn thousands_of_loopback_addresses_share_one_wildcard_listener_per_port() {
    let dir = tempfile::tempdir().unwrap();
    // Node i serves `dispatch` at http://IP:18080/nI and `hazchem` at https://IP:18443/hI:
    // every address has paths of its own, so an answer says which node's endpoints served
    // it. Ports no other test uses: the wildcard takes the whole port on loopback.
    let mut inv = String::from("nodes:\n");
    for i in 0..MANY {
        let ip = many_ip(i);
        let (level, parent) = if i == 0 {
            ("national", String::new())
        } else {
            ("provincial", ", parent: n0".to_string())
        };
        inv.push_str(&format!(
            "  - {{ id: n{i}, name: 节点{i}, level: {level}{parent}, host: \"{ip}\", apps: {{ dispatch: {{ url: \"http://{ip}:18080/n{i}\" }}, hazchem: {{ url: \"https://{ip}:18443/h{i}\" }} }} }}\n"
        ));
    }
    std::fs::write(dir.path().join("inv.yaml"), inv).unwrap();
    // 512 file descriptors, soft and hard: 3,000 listeners would not fit, and the
    // simulator could not raise the limit.
    let mut child = Command::new("prlimit")
        .args(["--nofile=512:512", "--", bin()])
        .args(["sim", "-i", "inv.yaml", "--ca-out", "ca.pem"])
        .args(["--ready-file", "ready.json"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux)");
    let ready = dir.path().join("ready.json");
    let t0 = Instant::now();
    while !ready.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            child
                .stderr
                .as_mut()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("sim exited {status}: {err}");
        }
        // Generous: 1,500 certificates are made first, on a machine that may be busy.
        assert!(t0.elapsed() < Duration::from_secs(120), "sim not ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sim = Sim { child, dir };
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
    // One listener per port, every endpoint served.
    assert_eq!(r["listeners"], 2, "{r}");
    assert_eq!(r["endpoints"], 2 * MANY, "{r}");

    let ca = openssl::x509::X509::from_pem(&std::fs::read(sim.dir.path().join("ca.pem")).unwrap())
        .unwrap();
    for i in [0, 1, 199, 200, 777, MANY - 1] {
        let ip = many_ip(i);
        // HTTP: the node's own endpoint answers, with its name; another node's path is
        // not served at this address.
        let (status, j) = get_json(&format!("{ip}:18080"), &format!("/n{i}/health"));
        assert_eq!(
            (status, j["node"].as_str()),
            (200, Some(&*format!("n{i}"))),
            "{j}"
        );
        let other = (i + 1) % MANY;
        let (status, _) = get_json(&format!("{ip}:18080"), &format!("/n{other}/health"));
        assert_eq!(status, 404, "{ip} serves n{other}'s path");
        // HTTPS: the certificate is for this address (verified, the IP checked), and the
        // answer is this node's.
        let (status, body) = https_get(&ca, &ip, 18443, &format!("/h{i}/health"));
        assert_eq!(status, 200, "{body}");
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (j["node"].as_str(), j["app"].as_str()),
            (Some(&*format!("n{i}")), Some("hazchem"))
        );
    }

    // An address on the port that no node names: closed at once, never an HTTP answer.
    for addr in ["127.72.0.1:18080", "127.71.200.1:18080", "127.0.0.1:18443"] {
        let Ok(mut s) = std::net::TcpStream::connect(addr) else {
            continue;
        };
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        assert!(
            raw.is_empty(),
            "{addr} answered: {}",
            String::from_utf8_lossy(&raw)
        );
    }
}

/// A GET over TLS with OpenSSL, the simulator's CA trusted and the certificate checked for
/// `ip`: the status and the body.
fn https_get(ca: &openssl::x509::X509, ip: &str, port: u16, path: &str) -> (u16, String) {
    use openssl::ssl::{SslConnector, SslMethod};
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.cert_store_mut().add_cert(ca.clone()).unwrap();
    let connector = b.build();
    let tcp = std::net::TcpStream::connect((ip, port)).unwrap_or_else(|e| panic!("{ip}: {e}"));
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut tls = connector
        .connect(ip, tcp)
        .unwrap_or_else(|e| panic!("TLS to {ip}:{port}: {e}"));
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: {ip}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, body.to_string())
}
