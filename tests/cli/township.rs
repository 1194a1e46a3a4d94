//! The fifth level, `township` (乡镇级): an inventory with townships under a county and
//! directly under a province loads; `--level township` selects them alone; an HTTP check
//! selected as `suites/acceptance.yaml`'s below provincial level are (`where: { level:
//! [prefectural, county, township], apps: … }`) reaches a township that hosts an app; the
//! plan's counts name the level only when it has items. (A county under a township is refused in
//! the golden corpus, `270-county-under-township`.)

use std::path::Path;

use crate::{netaccept, netaccept_in};

/// A province, a prefecture, a county and two townships: one under the county hosting an
/// app on plain HTTP 8080, one hanging directly under the province as a county may.
const INVENTORY: &str = r#"nodes:
  - id: national
    name: 国家安全生产监督管理总局
    level: national
    host: 127.0.0.1
    vars:
      migrated_min: "1000"
      link: { max_rtt: 50ms, max_p95: 80ms, max_ipdv: 20ms, max_loss: 1%, min_mtu: 1500 }
  - id: sx
    name: 山西省应急管理厅
    level: provincial
    parent: national
    host: 127.14.0.1
  - id: sx-ty
    name: 太原市应急管理局
    level: prefectural
    parent: sx
    host: 127.14.1.1
  - id: sx-ty-qx
    name: 清徐县应急管理局
    level: county
    parent: sx-ty
    host: 127.14.2.1
  - id: sx-ty-qx-t01
    name: 清徐县第1乡镇安全生产监管站
    level: township
    parent: sx-ty-qx
    host: 127.14.3.1
    apps:
      dispatch: { url: "http://127.14.3.1:8080/dispatch" }
  - id: sx-t01
    name: 山西某重点企业安全生产监管站
    level: township
    parent: sx
    host: 127.14.3.2
"#;

const SUITE: &str = r#"suite: township
name: 乡镇
apps:
  dispatch: 调度
checks:
  - id: net.icmp
    name: 连通
    icmp: { target: "{{ node.host }}", count: 1 }
  - id: net.web-http
    name: Web (HTTP)
    where:
      level: [prefectural, county, township]
      apps: [dispatch]
    http: { url: "http://{{ node.host }}:8080/" }
"#;

fn write_case(dir: &Path) {
    std::fs::write(dir.join("inventory.yaml"), INVENTORY).unwrap();
    std::fs::write(dir.join("suite.yaml"), SUITE).unwrap();
}

fn stdout_of(dir: &Path, args: &[&str]) -> String {
    let out = netaccept_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_inventory_with_townships_validates() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let out = stdout_of(
        dir.path(),
        &["validate", "-i", "inventory.yaml", "-s", "suite.yaml"],
    );
    assert!(out.starts_with("ok: 6 nodes"), "{out}");
}

#[test]
fn level_township_selects_the_townships_alone() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let plan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "plan",
            "-i",
            "inventory.yaml",
            "-s",
            "suite.yaml",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout_of(dir.path(), &args)).unwrap()
    };
    let items = |p: &serde_json::Value| -> Vec<(String, String)> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["node"].as_str().unwrap().to_string(),
                    i["check"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let towns = plan(&["--level", "township"]);
    let mut got = items(&towns);
    got.sort();
    let pair = |n: &str, c: &str| (n.to_string(), c.to_string());
    assert_eq!(
        got,
        [
            pair("sx-t01", "net.icmp"),
            pair("sx-ty-qx-t01", "net.icmp"),
            pair("sx-ty-qx-t01", "net.web-http"),
        ]
    );
    assert_eq!(
        towns["counts"]["by_level"],
        serde_json::json!({"national": 0, "provincial": 0, "prefectural": 0, "county": 0, "township": 3})
    );
    // Without townships in the plan the counts read as before the level existed.
    let counties = plan(&["--level", "county"]);
    assert_eq!(
        counties["counts"]["by_level"],
        serde_json::json!({"national": 0, "provincial": 0, "prefectural": 0, "county": 1})
    );
    let text = stdout_of(
        dir.path(),
        &[
            "plan",
            "-i",
            "inventory.yaml",
            "-s",
            "suite.yaml",
            "--level",
            "township",
        ],
    );
    assert!(
        text.contains("by level: national 0, provincial 0, prefectural 0, county 0, township 3\n"),
        "{text}"
    );
}

#[test]
fn level_township_is_a_value_clap_knows() {
    let out = netaccept(&["plan", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("national, provincial, prefectural, county, township"),
        "{help}"
    );
}
