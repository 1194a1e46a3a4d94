//! The bundled example inventory, copied for a test with its `ca_file` pointed elsewhere:
//! the test's own CA, or a file that does not exist.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The example's own addresses and ports (127.0.0.1:8443, 127.14.*:8080 and :8443) are
/// served by one test at a time: a test that serves them holds this for its whole body.
pub static ADDRESSES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Copies `inventories/example` into `dest/inventory` with `ca_file` set to `ca_file`
/// (absolute, so that it does not depend on the suite's folder); returns the copy's path.
pub fn copy_example(dest: &Path, ca_file: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("inventories/example");
    let out = dest.join("inventory");
    std::fs::create_dir_all(&out).unwrap();
    let mut replaced = 0;
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let new = text.replace(
            "ca_file: \"../reports/sim-ca.pem\"",
            &format!("ca_file: \"{}\"", ca_file.display()),
        );
        replaced += usize::from(new != text);
        std::fs::write(out.join(p.file_name().unwrap()), new).unwrap();
    }
    assert_eq!(replaced, 1, "the example sets ca_file once, on its root");
    out
}

/// Serves every `host:port` the plan's TCP checks name but those at `down`: TLS with a leaf
/// of `ca` on 8443, plain HTTP elsewhere, each with the router `app(ip)` makes. Returns the
/// targets served.
pub async fn serve_plan_targets(
    plan: &serde_json::Value,
    ca: &crate::support::tls::Ca,
    down: &str,
    app: impl Fn(&str) -> axum::Router,
) -> std::collections::BTreeSet<String> {
    let mut served = std::collections::BTreeSet::new();
    for it in plan["items"].as_array().unwrap() {
        if it["probe"] != "tcp" {
            continue;
        }
        let target = it["target"].as_str().unwrap().to_string();
        let (ip, port) = target.rsplit_once(':').unwrap();
        if ip == down || !served.insert(target.clone()) {
            continue;
        }
        let port: u16 = port.parse().unwrap();
        wait_until_free(ip, port);
        if port == 8443 {
            crate::support::tls::serve_https_on(ip, port, ca.leaf(&[ip], -1, 400), app(ip)).await;
        } else {
            let l = tokio::net::TcpListener::bind((ip, port)).await.unwrap();
            let router = app(ip);
            tokio::spawn(async move { axum::serve(l, router).await });
        }
    }
    served
}

/// Waits (10 s at most) until `ip:port` can be bound. The test that held [`ADDRESSES`]
/// before gave it up at the end of its body, but its servers go only when its runtime is
/// dropped, just after.
fn wait_until_free(ip: &str, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpListener::bind((ip, port)).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}
