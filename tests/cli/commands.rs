//! The `netaccept` binary on the bundled example (`inventories/example`,
//! `suites/acceptance.yaml`, `suites/waivers.example.yaml`): `validate` accepts it, `plan`
//! lists every item in the table and in JSON (`netaccept-plan/1`) consistently with the
//! library's plan, `--node` keeps a subtree, invalid input exits 2 with nothing on stdout,
//! and `--help` / usage errors follow the exit-code contract.

use std::collections::BTreeMap;
use std::process::Command;

use netaccept::load::{Inputs, load};
use netaccept::plan::{MissingEnv, Overrides, Selection, build};
use serde_json::Value;

use crate::{netaccept, root};

fn stdout_ok(args: &[&str]) -> String {
    let out = netaccept(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

const PLAN: [&str; 5] = [
    "plan",
    "-i",
    "inventories/example",
    "-s",
    "suites/acceptance.yaml",
];

/// The rows of a plan table: the lines between the header and the first blank line, split
/// into cells (NODE, CHECK, APP, SEVERITY, TARGET...).
fn table_rows(table: &str) -> Vec<Vec<String>> {
    let mut lines = table.lines();
    let head = lines.next().expect("a header line");
    assert!(
        head.split_whitespace()
            .eq(["NODE", "CHECK", "APP", "SEVERITY", "TARGET"]),
        "header: {head}"
    );
    lines
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn plan_json(extra: &[&str]) -> Value {
    let mut args = PLAN.to_vec();
    args.extend(["--format", "json"]);
    args.extend(extra);
    serde_json::from_str(&stdout_ok(&args)).expect("plan --format json is JSON")
}

/// The library's plan of the bundled example, for comparison.
fn library_plan_len() -> usize {
    let loaded = load(&Inputs {
        inventory: root().join("inventories/example"),
        suite: Some(root().join("suites/acceptance.yaml")),
        waivers: None,
        faults: None,
    })
    .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let (plan, _) = build(
        &loaded.inventory,
        loaded.suite.as_ref().unwrap(),
        &Selection::default(),
        &|_| None,
        MissingEnv::Warn,
        Overrides::default(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    plan.items.len()
}

#[test]
fn validate_accepts_the_bundled_example() {
    let out = stdout_ok(&[
        "validate",
        "-i",
        "inventories/example",
        "-s",
        "suites/acceptance.yaml",
        "--waivers",
        "suites/waivers.example.yaml",
    ]);
    assert!(out.starts_with("ok: "), "{out}");
    assert!(out.contains("1 waivers"), "{out}");
    // Also without suite and with the nightly suite.
    assert!(stdout_ok(&["validate", "-i", "inventories/example"]).starts_with("ok: "));
    stdout_ok(&[
        "validate",
        "-i",
        "inventories/example",
        "-s",
        "suites/nightly.yaml",
    ]);
}

#[test]
fn plan_table_json_and_library_agree_on_the_items() {
    let table = stdout_ok(&PLAN);
    let rows = table_rows(&table);
    let json = plan_json(&[]);
    let items = json["items"].as_array().expect("items");
    let lib = library_plan_len();
    assert!(lib > 50, "the example plans {lib} items");
    assert_eq!(rows.len(), lib, "table rows vs library items");
    assert_eq!(items.len(), lib, "JSON items vs library items");
    assert_eq!(json["counts"]["total"], lib);
    assert!(
        table.contains(&format!("\n{lib} items on 14 nodes")),
        "summary line:\n{table}"
    );
    // Row by row, the table and the JSON list the same (path, check, app) in the same order.
    for (row, item) in rows.iter().zip(items) {
        assert_eq!(row[0], item["path"].as_str().unwrap());
        assert_eq!(row[1], item["check"].as_str().unwrap());
        assert_eq!(row[2], item["app"].as_str().unwrap_or("-"));
        assert_eq!(row[3], item["severity"].as_str().unwrap());
    }
}

#[test]
fn plan_json_has_its_format_items_and_counts() {
    let json = plan_json(&[]);
    assert_eq!(json["format"], "netaccept-plan/1");
    assert_eq!(json["suite"], "phase1-acceptance");
    let items = json["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for it in items {
        for key in ["node", "path", "check", "target"] {
            assert!(
                it[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {it}"
            );
        }
        assert!(it["app"].is_null() || it["app"].is_string(), "{it}");
        let (node, path) = (it["node"].as_str().unwrap(), it["path"].as_str().unwrap());
        assert!(
            path == "national" || path.starts_with("national."),
            "{path}"
        );
        assert_eq!(path.rsplit('.').next(), Some(node), "{it}");
        if it["check"].as_str().unwrap().starts_with("app.") {
            assert!(it["app"].is_string(), "per-app check without app: {it}");
        }
    }

    let total = json["counts"]["total"].as_u64().unwrap() as usize;
    assert_eq!(total, items.len());
    let by_level = json["counts"]["by_level"].as_object().unwrap();
    let by_check = json["counts"]["by_check"].as_object().unwrap();
    let sum =
        |m: &serde_json::Map<String, Value>| m.values().map(|v| v.as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum(by_level), total as u64);
    assert_eq!(sum(by_check), total as u64);
    let mut levels: Vec<&str> = by_level.keys().map(String::as_str).collect();
    levels.sort_unstable();
    assert_eq!(levels, ["county", "national", "prefectural", "provincial"]);

    // The counts per check match the items.
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    for it in items {
        *seen.entry(it["check"].as_str().unwrap()).or_default() += 1;
    }
    let declared: BTreeMap<&str, u64> = by_check
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(declared, seen);
    // The example has exactly one national node: its items are the national count.
    let national = items.iter().filter(|it| it["path"] == "national").count();
    assert_eq!(by_level["national"], national);
    assert_eq!(json["counts"]["nodes"], 14);
}

#[test]
fn plan_node_keeps_only_that_subtree() {
    let json = plan_json(&["--node", "sx-taiyuan"]);
    let items = json["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let paths: Vec<&str> = items
        .iter()
        .map(|it| it["path"].as_str().unwrap())
        .collect();
    for p in &paths {
        assert!(
            *p == "national.sx.sx-taiyuan" || p.starts_with("national.sx.sx-taiyuan."),
            "{p}"
        );
    }
    assert!(paths.contains(&"national.sx.sx-taiyuan"));
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("national.sx.sx-taiyuan.")),
        "the descendants are kept: {paths:?}"
    );
    // Same in the table.
    let mut args = PLAN.to_vec();
    args.extend(["--node", "sx-taiyuan"]);
    let rows = table_rows(&stdout_ok(&args));
    assert_eq!(rows.len(), items.len());
    assert!(
        rows.iter()
            .all(|r| r[0].starts_with("national.sx.sx-taiyuan"))
    );
}

#[test]
fn plan_with_invalid_inventory_exits_2_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inv.yaml"),
        "nodes:\n  - id: national\n    name: N\n    level: national\n  - id: bj\n    name: B\n    level: provincial\n    parent: natinal\n",
    )
    .unwrap();
    let suite = root().join("suites/acceptance.yaml");
    for format in ["table", "json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
            .args(["plan", "-i", "inv.yaml", "-s", suite.to_str().unwrap()])
            .args(["--format", format])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
        assert!(stderr.contains("natinal"), "{stderr}");
        assert!(stderr.contains("inv.yaml:8:"), "{stderr}");
    }
}

#[test]
fn plan_with_a_selection_naming_nothing_exits_2() {
    let mut args = PLAN.to_vec();
    args.extend(["--node", "sx-taiyaun"]);
    let out = netaccept(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sx-taiyaun"), "{stderr}");
    assert!(stderr.contains("sx-taiyuan"), "did-you-mean hint: {stderr}");
}

#[test]
fn help_exits_0() {
    let out = netaccept(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["validate", "plan", "schema"] {
        assert!(help.contains(cmd), "{help}");
    }
    let out = netaccept(&["schema", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("inventory, suite, waivers"), "{help}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--bogus"][..],
        &["plan", "-i", "inventories/example", "--bogus"],
        &["schema", "nodes"],
        &["plan", "-i", "inventories/example"], // no suite
        &[],
    ] {
        let out = netaccept(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(!out.stderr.is_empty(), "{args:?} says nothing");
    }
}

/// `completions SHELL` prints each shell's script for the command as clap defines it; the
/// package installs these (scripts/build-deb), so a subcommand missing here would be missing
/// at the operator's TAB.
#[test]
fn completions_print_each_shells_script() {
    for (shell, marker) in [
        ("bash", "complete -F _netaccept"),
        ("zsh", "#compdef netaccept"),
        ("fish", "complete -c netaccept"),
    ] {
        let out = netaccept(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {marker}");
        for sub in ["history", "demo", "completions"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        // The packaging command is hidden, from completion as from --help.
        assert!(!script.contains("manpages"), "{shell} offers manpages");
    }
    assert_eq!(netaccept(&["completions", "tcsh"]).status.code(), Some(2));
}

/// The hidden `manpages DIR`: a page for the command and each visible subcommand, nested ones
/// named with `-`, none for itself or `help`; the names printed one a line.
#[test]
fn manpages_writes_one_page_per_visible_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man");
    let out = netaccept(&["manpages", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut pages: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        pages.join("\n") + "\n"
    );
    for want in [
        "netaccept.1",
        "netaccept-run.1",
        "netaccept-demo.1",
        "netaccept-completions.1",
        "netaccept-history.1",
        "netaccept-history-list.1",
    ] {
        assert!(pages.iter().any(|p| p == want), "{want} in {pages:?}");
    }
    for unwanted in ["netaccept-manpages.1", "netaccept-help.1"] {
        assert!(!pages.iter().any(|p| p == unwanted), "{unwanted}");
    }
    let main = std::fs::read_to_string(out_dir.join("netaccept.1")).unwrap();
    assert!(main.contains(".TH netaccept 1"), "{main}");
    // Every page says which netaccept it documents, not only the root's.
    let list = std::fs::read_to_string(out_dir.join("netaccept-history-list.1")).unwrap();
    assert!(
        list.contains(&format!("\"netaccept {}\"", env!("CARGO_PKG_VERSION"))),
        "{list}"
    );
    assert!(
        !netaccept(&["--help"])
            .stdout
            .windows(8)
            .any(|w| w == b"manpages")
    );
}
