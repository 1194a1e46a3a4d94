//! National scale: the checked-in ~3,400-node inventory `inventories/national` (generated
//! from the GB/T 2260 division data by `cargo xtask gen-national`, whose own test keeps it
//! equal to the generator's output) loads, validates and plans with the acceptance suite.
//! (How fast is measured by `scripts/bench-load`, not here.)

use crate::netaccept;

const NATIONAL: &str = "inventories/national";

#[test]
fn national_inventory_loads_validates_and_plans() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(NATIONAL);
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, 33, "the centre, 31 provinces and the Corps");

    let v = netaccept(&["validate", "-i", NATIONAL, "-s", "suites/acceptance.yaml"]);
    let stdout = String::from_utf8_lossy(&v.stdout);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let nodes: usize = stdout
        .strip_prefix("ok: ")
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output: {stdout}"));
    assert!((3_300..=3_500).contains(&nodes), "{nodes} nodes");

    let p = netaccept(&[
        "plan",
        "-i",
        NATIONAL,
        "-s",
        "suites/acceptance.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(p.status.code(), Some(0));
    let plan: serde_json::Value = serde_json::from_slice(&p.stdout).expect("plan JSON");
    let items = plan["items"].as_array().unwrap();
    assert_eq!(
        plan["counts"]["total"].as_u64().unwrap() as usize,
        items.len()
    );
    assert_eq!(plan["counts"]["nodes"].as_u64().unwrap() as usize, nodes);
    for level in ["national", "provincial", "prefectural", "county"] {
        assert!(
            plan["counts"]["by_level"][level].as_u64().unwrap() > 0,
            "no item at level {level}"
        );
    }
    // Every node is pinged, and the first item is the root's.
    let icmp = items.iter().filter(|i| i["check"] == "net.icmp").count();
    assert_eq!(icmp, nodes);
    assert_eq!(items[0]["path"], "national");

    // A province's subtree, as on-site acceptance selects it.
    let p = netaccept(&[
        "plan",
        "-i",
        NATIONAL,
        "-s",
        "suites/acceptance.yaml",
        "--node",
        "sx",
        "--format",
        "json",
    ]);
    let plan: serde_json::Value = serde_json::from_slice(&p.stdout).expect("plan JSON");
    let items = plan["items"].as_array().unwrap();
    assert!(items.len() > 100);
    assert!(
        items
            .iter()
            .all(|i| i["path"].as_str().unwrap().starts_with("national.sx"))
    );
}
