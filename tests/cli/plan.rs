//! Planning through the library API (`netaccept::load::load` then `netaccept::plan::build`)
//! on small inventories and suites written to temporary folders: vars inheritance,
//! `for_each_app` expansion and `where.apps`, `needs` pairing, the deterministic order (and
//! its independence from file names), command-line selection and its errors,
//! `{{ env.NAME }}` secrets (library and `netaccept plan` output), grouped reporting of a
//! template that cannot be filled, how `where` keys combine, and nested vars filling an ICMP
//! check's templated limits, typed in the plan.

use std::path::Path;
use std::process::Command;

use netaccept::diag::{Diagnostic, Gravity};
use netaccept::load::{Inputs, Loaded, load};
use netaccept::model::{Kind, Level, Probe};
use netaccept::plan::{MissingEnv, Overrides, Plan, Selection, build};
use tempfile::TempDir;

/// The five apps of FORMAT.md, in the catalogue order every suite below uses.
const CATALOGUE: &str = "apps:
  dispatch: 调度
  coal-enforcement: 煤监
  noncoal-mines: 非煤
  major-hazards: 重大危险源
  hazchem: 危化品
";

/// A loaded inventory and suite, with the folder they live in.
struct Case {
    dir: TempDir,
    loaded: Loaded,
}

/// Writes `files` (name, text) under a fresh inventory folder and `suite` beside it, and
/// loads them; panics with the diagnostics when loading fails.
fn case_files(files: &[(&str, &str)], suite: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    std::fs::create_dir(&inv).unwrap();
    for (name, text) in files {
        std::fs::write(inv.join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("suite.yaml"), suite).unwrap();
    let loaded = load_dir(dir.path());
    Case { dir, loaded }
}

fn case(inventory: &str, suite: &str) -> Case {
    case_files(&[("inventory.yaml", inventory)], suite)
}

fn load_dir(dir: &Path) -> Loaded {
    let inputs = Inputs {
        inventory: dir.join("inv"),
        suite: Some(dir.join("suite.yaml")),
        waivers: None,
        faults: None,
    };
    match load(&inputs) {
        Ok(l) => l,
        Err(e) => panic!("inputs should load: {:#?}", e.diagnostics),
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

impl Case {
    fn plan_with(
        &self,
        sel: &Selection,
        env: &dyn Fn(&str) -> Option<String>,
        missing: MissingEnv,
    ) -> Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>> {
        build(
            &self.loaded.inventory,
            self.loaded.suite.as_ref().expect("a suite"),
            sel,
            env,
            missing,
            Overrides::default(),
        )
    }

    fn plan(&self, sel: &Selection) -> Plan {
        match self.plan_with(sel, &no_env, MissingEnv::Warn) {
            Ok((p, _)) => p,
            Err(d) => panic!("plan should build: {d:#?}"),
        }
    }

    fn plan_err(&self, sel: &Selection) -> Vec<Diagnostic> {
        match self.plan_with(sel, &no_env, MissingEnv::Warn) {
            Ok((p, _)) => panic!("plan should fail, got {:?}", self.rows(&p)),
            Err(d) => d,
        }
    }

    /// One `node check app` line per item (`-` for no app), in plan order.
    fn rows(&self, plan: &Plan) -> Vec<String> {
        let inv = &self.loaded.inventory;
        let suite = self.loaded.suite.as_ref().unwrap();
        plan.items
            .iter()
            .map(|it| {
                format!(
                    "{} {} {}",
                    inv.node(it.node).id,
                    suite.check(it.check).id,
                    it.app.map_or("-", |a| suite.app(a).id.as_str())
                )
            })
            .collect()
    }

    /// Rows with each item's needs (`check/app` of the needed items) and target: the whole
    /// observable plan, for comparisons.
    fn full_rows(&self, plan: &Plan) -> Vec<String> {
        let suite = self.loaded.suite.as_ref().unwrap();
        let rows = self.rows(plan);
        plan.items
            .iter()
            .zip(rows)
            .map(|(it, row)| {
                let needs: Vec<String> = it
                    .needs
                    .iter()
                    .map(|&n| {
                        let o = &plan.items[n];
                        format!(
                            "{}/{}",
                            suite.check(o.check).id,
                            o.app.map_or("-", |a| suite.app(a).id.as_str())
                        )
                    })
                    .collect();
                format!(
                    "{row} needs[{}] {}",
                    needs.join(","),
                    it.probe.target_display()
                )
            })
            .collect()
    }

    /// The needs of the item `node check app`, as `check/app` strings, each asserted to be
    /// on the same node.
    fn needs_of(&self, plan: &Plan, row: &str) -> Vec<String> {
        let rows = self.rows(plan);
        let i = rows
            .iter()
            .position(|r| r == row)
            .unwrap_or_else(|| panic!("no item `{row}` in {rows:#?}"));
        let it = &plan.items[i];
        it.needs
            .iter()
            .map(|&n| {
                assert_eq!(plan.items[n].node, it.node, "`{row}` needs another node");
                let r = &rows[n];
                let mut parts = r.split(' ').skip(1);
                format!("{}/{}", parts.next().unwrap(), parts.next().unwrap())
            })
            .collect()
    }

    /// Distinct node ids of the plan, in order of first appearance.
    fn nodes(&self, plan: &Plan) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for it in &plan.items {
            let id = &self.loaded.inventory.node(it.node).id;
            if out.last() != Some(id) {
                assert!(!out.contains(id), "items of `{id}` are not contiguous");
                out.push(id.clone());
            }
        }
        out
    }
}

fn suite(checks: &str) -> String {
    format!("suite: t\nname: T\n{CATALOGUE}checks:\n{checks}")
}

fn messages(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("{:?}: {}", d.gravity, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------
// vars

#[test]
fn vars_are_inherited_nearest_wins() {
    let inv = "nodes:
  - id: root
    name: R
    level: national
    vars: { x: root-x, y: root-y }
  - id: p
    name: P
    level: provincial
    parent: root
    vars: { x: p-x }
  - id: p-f
    name: PF
    level: prefectural
    parent: p
  - id: p-f-c
    name: PFC
    level: county
    parent: p-f
    vars: { y: c-y }
  - id: q
    name: Q
    level: provincial
    parent: root
";
    let c = case(
        inv,
        &suite(
            "  - id: v
    name: V
    icmp: { target: \"{{ node.vars.x }}+{{ node.vars.y }}\" }
",
        ),
    );
    let plan = c.plan(&Selection::default());
    let got: Vec<String> = c
        .rows(&plan)
        .iter()
        .zip(&plan.items)
        .map(|(r, it)| {
            format!(
                "{} {}",
                r.split(' ').next().unwrap(),
                it.probe.target_display()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "root root-x+root-y",
            "p p-x+root-y",
            "p-f p-x+root-y",  // from the parent, not the root
            "p-f-c p-x+c-y",   // own y, grandparent's x
            "q root-x+root-y", // the sibling sees the root's values
        ]
    );
    // The inventory's own view agrees.
    let inv = &c.loaded.inventory;
    let pfc = inv.find("p-f-c").unwrap();
    assert_eq!(inv.var(pfc, "x"), Some("p-x"));
    assert_eq!(inv.var(pfc, "y"), Some("c-y"));
    assert_eq!(inv.var(pfc, "z"), None);
    let all = inv.vars(pfc);
    assert_eq!(all.get("x"), Some(&"p-x"));
    assert_eq!(all.len(), 2);
}

// ---------------------------------------------------------------------------------------
// for_each_app

const APPS_INV: &str = "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
    apps:
      hazchem: { url: \"https://root/hz\" }
      major-hazards: { url: \"https://root/mh\" }
      dispatch: { url: \"https://root/d\" }
  - id: only-dispatch
    name: D
    level: provincial
    parent: root
    host: 10.0.0.2
    apps:
      dispatch: { url: \"https://od/d\" }
  - id: no-apps
    name: N
    level: provincial
    parent: root
    host: 10.0.0.3
";

#[test]
fn for_each_app_expands_in_catalogue_order_with_each_nodes_url() {
    let c = case(
        APPS_INV,
        &suite(
            "  - id: app.health
    name: H
    for_each_app: true
    http: { url: \"{{ app.url }}/health?app={{ app.id }}\" }
",
        ),
    );
    let plan = c.plan(&Selection::default());
    let got: Vec<String> = c
        .rows(&plan)
        .into_iter()
        .zip(&plan.items)
        .map(|(r, it)| format!("{r} {}", it.probe.target_display()))
        .collect();
    assert_eq!(
        got,
        [
            // the node lists hazchem, major-hazards, dispatch: the plan follows the catalogue
            "root app.health dispatch GET https://root/d/health?app=dispatch",
            "root app.health major-hazards GET https://root/mh/health?app=major-hazards",
            "root app.health hazchem GET https://root/hz/health?app=hazchem",
            "only-dispatch app.health dispatch GET https://od/d/health?app=dispatch",
            // no-apps: nothing
        ]
    );
}

#[test]
fn where_apps_narrows_nodes_and_apps() {
    let c = case(
        APPS_INV,
        &suite(
            "  - id: net.icmp
    name: I
    where: { apps: [hazchem, dispatch] }
    icmp: { target: \"{{ node.host }}\" }
  - id: app.hz
    name: HZ
    for_each_app: true
    where: { apps: [hazchem] }
    http: { url: \"{{ app.url }}\" }
",
        ),
    );
    let plan = c.plan(&Selection::default());
    assert_eq!(
        c.rows(&plan),
        [
            "root net.icmp -",
            // root hosts three apps; only hazchem is expanded
            "root app.hz hazchem",
            // only-dispatch hosts dispatch: taken by net.icmp, not by app.hz
            "only-dispatch net.icmp -",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// needs

#[test]
fn needs_pair_per_app_per_node_and_skip_unplanned_checks() {
    let inv = "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
    apps:
      hazchem: { url: \"https://r/hz\" }
      dispatch: { url: \"https://r/d\" }
  - id: p
    name: P
    level: provincial
    parent: root
    host: 10.0.0.2
    apps:
      dispatch: { url: \"https://p/d\" }
";
    let checks = "  - id: net.icmp
    name: I
    icmp: { target: \"{{ node.host }}\" }
  - id: net.dns
    name: DNS (national only)
    where: { level: [national] }
    dns: { name: x.test, server: \"10.0.0.53\" }
  - id: app.health
    name: H
    for_each_app: true
    needs: [net.icmp, net.dns]
    http: { url: \"{{ app.url }}/health\" }
  - id: app.login
    name: L
    for_each_app: true
    needs: [app.health]
    http: { url: \"{{ app.url }}/\" }
  - id: summary
    name: S
    needs: [app.health]
    tcp: { target: \"{{ node.host }}:443\" }
";
    let c = case(inv, &suite(checks));
    let plan = c.plan(&Selection::default());
    assert_eq!(
        c.rows(&plan),
        [
            "root net.icmp -",
            "root net.dns -",
            "root app.health dispatch",
            "root app.health hazchem",
            "root app.login dispatch",
            "root app.login hazchem",
            "root summary -",
            "p net.icmp -",
            "p app.health dispatch",
            "p app.login dispatch",
            "p summary -",
        ]
    );
    // per-app needing per-node: waits for that node's item
    assert_eq!(
        c.needs_of(&plan, "root app.health hazchem"),
        ["net.icmp/-", "net.dns/-"]
    );
    // net.dns is not planned on p: it imposes nothing there
    assert_eq!(c.needs_of(&plan, "p app.health dispatch"), ["net.icmp/-"]);
    // per-app needing per-app: app by app
    assert_eq!(
        c.needs_of(&plan, "root app.login hazchem"),
        ["app.health/hazchem"]
    );
    assert_eq!(
        c.needs_of(&plan, "root app.login dispatch"),
        ["app.health/dispatch"]
    );
    // per-node needing per-app: all of the node's items of that check
    assert_eq!(
        c.needs_of(&plan, "root summary -"),
        ["app.health/dispatch", "app.health/hazchem"]
    );
    assert_eq!(c.needs_of(&plan, "p summary -"), ["app.health/dispatch"]);
    assert!(c.needs_of(&plan, "root net.icmp -").is_empty());

    // A needed check left out by --check imposes nothing either.
    let sel = Selection {
        checks: vec!["app.*".into()],
        ..Selection::default()
    };
    let plan = c.plan(&sel);
    assert!(c.needs_of(&plan, "root app.health dispatch").is_empty());
    assert_eq!(
        c.needs_of(&plan, "root app.login dispatch"),
        ["app.health/dispatch"]
    );
}

// ---------------------------------------------------------------------------------------
// order

/// Nodes spread over two files, written out of order within each.
const ORDER_A: &str = "nodes:
  - id: zz
    name: ZZ
    level: provincial
    parent: root
    host: 10.0.9.1
  - id: root
    name: R
    level: national
    host: 10.0.0.1
  - id: aa-y
    name: AAY
    level: prefectural
    parent: aa
    host: 10.0.1.3
";
const ORDER_B: &str = "nodes:
  - id: aa-x-9
    name: AAX9
    level: county
    parent: aa-x
    host: 10.0.1.9
  - id: aa-x
    name: AAX
    level: prefectural
    parent: aa
    host: 10.0.1.2
  - id: mm
    name: MM
    level: provincial
    parent: root
    host: 10.0.5.1
  - id: aa
    name: AA
    level: provincial
    parent: root
    host: 10.0.1.1
  - id: aa-x-1
    name: AAX1
    level: county
    parent: aa-x
    host: 10.0.1.8
";
const ORDER_CHECKS: &str = "  - id: z.last-in-id-order
    name: first in suite order
    icmp: { target: \"{{ node.host }}\" }
  - id: a.first-in-id-order
    name: second in suite order
    needs: [z.last-in-id-order]
    tcp: { target: \"{{ node.host }}:22\" }
";

#[test]
fn order_is_tree_depth_first_children_by_id_then_suite_order() {
    let c = case_files(
        &[("a.yaml", ORDER_A), ("b.yaml", ORDER_B)],
        &suite(ORDER_CHECKS),
    );
    let plan = c.plan(&Selection::default());
    assert_eq!(
        c.nodes(&plan),
        ["root", "aa", "aa-x", "aa-x-1", "aa-x-9", "aa-y", "mm", "zz"]
    );
    let rows = c.rows(&plan);
    assert_eq!(rows.len(), 16);
    for pair in rows.chunks(2) {
        assert!(pair[0].ends_with(" z.last-in-id-order -"), "{pair:?}");
        assert!(pair[1].ends_with(" a.first-in-id-order -"), "{pair:?}");
    }
    // The inventory's own order says the same.
    let inv = &c.loaded.inventory;
    let order: Vec<&str> = inv.order.iter().map(|&i| inv.node(i).id.as_str()).collect();
    assert_eq!(order, c.nodes(&plan));
    assert_eq!(inv.path(inv.find("aa-x-9").unwrap()), "root.aa.aa-x.aa-x-9");
}

#[test]
fn order_does_not_depend_on_file_names() {
    let suite = suite(ORDER_CHECKS);
    let first = case_files(&[("a.yaml", ORDER_A), ("b.yaml", ORDER_B)], &suite);
    let plan1 = first.plan(&Selection::default());
    let rows1 = first.full_rows(&plan1);

    // Rename the files in place so that they load the other way round.
    let inv = first.dir.path().join("inv");
    std::fs::rename(inv.join("a.yaml"), inv.join("z.yaml")).unwrap();
    std::fs::rename(inv.join("b.yaml"), inv.join("0.yml")).unwrap();
    let reloaded = load_dir(first.dir.path());
    // The files really were read in the other order.
    let first_file = reloaded.sources.files[0].path.file_name().unwrap();
    assert_eq!(first_file, "0.yml");
    let second = Case {
        dir: tempfile::tempdir().unwrap(),
        loaded: reloaded,
    };
    let plan2 = second.plan(&Selection::default());
    assert_eq!(second.full_rows(&plan2), rows1);
    assert!(
        rows1[1].contains("needs[z.last-in-id-order/-]"),
        "{rows1:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// selection

const SEL_INV: &str = "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
    apps:
      hazchem: { url: \"https://root/hz\" }
      dispatch: { url: \"https://root/d\" }
  - id: pa
    name: PA
    level: provincial
    kind: coal
    parent: root
    host: 10.1.0.1
    tags: [pilot]
    apps:
      coal-enforcement: { url: \"https://pa/ce\" }
  - id: pa-f
    name: PAF
    level: prefectural
    kind: coal
    parent: pa
    host: 10.1.1.1
    tags: [batch-2]
  - id: pb
    name: PB
    level: provincial
    parent: root
    host: 10.2.0.1
    tags: [batch-1]
    apps:
      dispatch: { url: \"https://pb/d\" }
  - id: pb-c
    name: PBC
    level: county
    parent: pb
    host: 10.2.2.1
    tags: [pilot, batch-1]
    apps:
      dispatch: { url: \"https://pbc/d\" }
      hazchem: { url: \"https://pbc/hz\" }
  - id: pb-f
    name: PBF
    level: prefectural
    parent: pb
    host: 10.2.1.1
";

fn sel_case() -> Case {
    case(
        SEL_INV,
        &suite(
            "  - id: net.icmp
    name: I
    icmp: { target: \"{{ node.host }}\" }
  - id: net.tcp
    name: T
    tcp: { target: \"{{ node.host }}:443\" }
  - id: app.health
    name: H
    for_each_app: true
    http: { url: \"{{ app.url }}/health\" }
",
        ),
    )
}

fn sel_nodes(c: &Case, sel: &Selection) -> Vec<String> {
    let plan = c.plan(sel);
    c.nodes(&plan)
}

#[test]
fn selection_by_node_takes_descendants() {
    let c = sel_case();
    let all = sel_nodes(&c, &Selection::default());
    assert_eq!(all, ["root", "pa", "pa-f", "pb", "pb-c", "pb-f"]);
    let sel = |nodes: &[&str]| Selection {
        nodes: nodes.iter().map(std::string::ToString::to_string).collect(),
        ..Selection::default()
    };
    assert_eq!(sel_nodes(&c, &sel(&["pb"])), ["pb", "pb-c", "pb-f"]);
    assert_eq!(sel_nodes(&c, &sel(&["pb-f"])), ["pb-f"]);
    // repeated: union, still in tree order
    assert_eq!(sel_nodes(&c, &sel(&["pb-f", "pa"])), ["pa", "pa-f", "pb-f"]);
    assert_eq!(sel_nodes(&c, &sel(&["root"])), all);
}

#[test]
fn selection_by_level_kind_and_tag() {
    let c = sel_case();
    let levels = |l: Vec<Level>| Selection {
        levels: l,
        ..Selection::default()
    };
    assert_eq!(sel_nodes(&c, &levels(vec![Level::County])), ["pb-c"]);
    assert_eq!(
        sel_nodes(&c, &levels(vec![Level::Prefectural, Level::National])),
        ["root", "pa-f", "pb-f"]
    );
    let kinds = Selection {
        kinds: vec![Kind::Coal],
        ..Selection::default()
    };
    assert_eq!(sel_nodes(&c, &kinds), ["pa", "pa-f"]);
    let tags = Selection {
        tags: vec!["pilot".into(), "batch-2".into()],
        ..Selection::default()
    };
    assert_eq!(sel_nodes(&c, &tags), ["pa", "pa-f", "pb-c"]);
    // different flags narrow together
    let both = Selection {
        levels: vec![Level::Provincial],
        tags: vec!["pilot".into()],
        ..Selection::default()
    };
    assert_eq!(sel_nodes(&c, &both), ["pa"]);
    let none = Selection {
        kinds: vec![Kind::Coal],
        tags: vec!["batch-1".into()],
        ..Selection::default()
    };
    assert!(c.plan(&none).items.is_empty());
}

#[test]
fn selection_by_app_keeps_hosting_nodes_and_only_that_apps_items() {
    let c = sel_case();
    let sel = Selection {
        apps: vec!["hazchem".into()],
        ..Selection::default()
    };
    let plan = c.plan(&sel);
    assert_eq!(
        c.rows(&plan),
        [
            "root net.icmp -",
            "root net.tcp -",
            "root app.health hazchem",
            "pb-c net.icmp -",
            "pb-c net.tcp -",
            "pb-c app.health hazchem",
        ]
    );
}

#[test]
fn selection_by_check_glob() {
    let c = sel_case();
    let checks = |p: &[&str]| Selection {
        checks: p.iter().map(std::string::ToString::to_string).collect(),
        ..Selection::default()
    };
    let plan = c.plan(&checks(&["net.*"]));
    let rows = c.rows(&plan);
    assert_eq!(rows.len(), 12, "{rows:#?}");
    assert!(rows.iter().all(|r| r.contains(" net.")), "{rows:#?}");
    let plan = c.plan(&checks(&["*.tcp", "app.heal?h"]));
    let rows = c.rows(&plan);
    assert!(rows.iter().all(|r| !r.contains("net.icmp")), "{rows:#?}");
    assert_eq!(rows.iter().filter(|r| r.contains(" net.tcp ")).count(), 6);
    assert_eq!(
        rows.iter().filter(|r| r.contains(" app.health ")).count(),
        6
    );
}

#[test]
fn selection_naming_nothing_is_an_error() {
    let c = sel_case();
    let d = c.plan_err(&Selection {
        nodes: vec!["pbb".into()],
        ..Selection::default()
    });
    assert_eq!(d.len(), 1, "{}", messages(&d));
    assert!(d[0].is_error());
    assert!(d[0].message.contains("--node `pbb`"), "{}", messages(&d));
    assert!(
        d[0].hint.as_deref().is_some_and(|h| h.contains("pb")),
        "{:?}",
        d[0].hint
    );

    // An app of the catalogue that no node hosts is fine (an empty plan is not a typo).
    let ok = c.plan(&Selection {
        apps: vec!["major-hazards".into()],
        ..Selection::default()
    });
    assert!(ok.items.is_empty());
    let d = c.plan_err(&Selection {
        apps: vec!["hazchen".into()],
        ..Selection::default()
    });
    assert!(d[0].message.contains("--app `hazchen`"), "{}", messages(&d));

    let d = c.plan_err(&Selection {
        checks: vec!["dns.*".into()],
        ..Selection::default()
    });
    assert!(d[0].message.contains("--check `dns.*`"), "{}", messages(&d));

    // Every mistake at once.
    let d = c.plan_err(&Selection {
        nodes: vec!["x".into()],
        apps: vec!["y".into()],
        checks: vec!["z".into()],
        ..Selection::default()
    });
    assert_eq!(d.len(), 3, "{}", messages(&d));
}

// ---------------------------------------------------------------------------------------
// env

const SECRET: &str = "s3cr3t-Xq7";

fn env_case() -> Case {
    case(
        "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
    apps:
      dispatch: { url: \"https://root/d\" }
",
        &suite(
            "  - id: app.health
    name: H
    for_each_app: true
    http:
      url: \"{{ app.url }}/health?token={{ env.NETACCEPT_TEST_TOKEN }}\"
      headers: { Authorization: \"Bearer {{ env.NETACCEPT_TEST_TOKEN }}\" }
",
        ),
    )
}

#[test]
fn missing_env_warns_or_fails() {
    let c = env_case();
    let (plan, warnings) = c
        .plan_with(&Selection::default(), &no_env, MissingEnv::Warn)
        .unwrap_or_else(|d| panic!("{}", messages(&d)));
    assert_eq!(plan.items.len(), 1);
    assert_eq!(warnings.len(), 1, "{}", messages(&warnings));
    assert_eq!(warnings[0].gravity, Gravity::Warning);
    assert!(
        warnings[0]
            .message
            .contains("environment variable `NETACCEPT_TEST_TOKEN` is not set"),
        "{}",
        messages(&warnings)
    );

    let err = c
        .plan_with(&Selection::default(), &no_env, MissingEnv::Error)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.len(), 1, "{}", messages(&err));
    assert!(err[0].is_error());
    assert!(err[0].message.contains("NETACCEPT_TEST_TOKEN"));
}

#[test]
fn env_values_are_secret_in_display_but_exposed_for_the_wire() {
    let c = env_case();
    let env = |k: &str| (k == "NETACCEPT_TEST_TOKEN").then(|| SECRET.to_string());
    let (plan, warnings) = c
        .plan_with(&Selection::default(), &env, MissingEnv::Error)
        .unwrap_or_else(|d| panic!("{}", messages(&d)));
    assert!(warnings.is_empty(), "{}", messages(&warnings));
    let Probe::Http(h) = &plan.items[0].probe else {
        panic!("an http probe")
    };
    assert_eq!(h.url.to_string(), "https://root/d/health?token=***");
    assert_eq!(
        h.url.expose(),
        format!("https://root/d/health?token={SECRET}")
    );
    let (name, value) = &h.headers[0];
    assert_eq!(name, "Authorization");
    assert_eq!(value.to_string(), "Bearer ***");
    assert_eq!(value.expose(), format!("Bearer {SECRET}"));
    assert!(value.has_secret());
    assert!(!format!("{value:?}").contains(SECRET));
    assert!(!plan.items[0].probe.target_display().contains(SECRET));
    assert!(!format!("{:?}", plan.items[0]).contains(SECRET));
}

#[test]
fn plan_output_never_contains_the_secret() {
    let c = env_case();
    for format in ["json", "table"] {
        let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
            .args(["plan", "-i", "inv", "-s", "suite.yaml", "--format", format])
            .current_dir(c.dir.path())
            .env("NETACCEPT_TEST_TOKEN", SECRET)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        // The variable was set: no "not set" warning.
        assert!(!stderr.contains("not set"), "{format}: {stderr}");
        assert!(!stdout.contains(SECRET), "{format} leaks:\n{stdout}");
        assert!(!stderr.contains(SECRET), "{format} leaks on stderr");
        assert!(stdout.contains("token=***"), "{format}:\n{stdout}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(
                v["items"][0]["target"],
                "GET https://root/d/health?token=***"
            );
        }
    }
}

/// `plan` and `validate` plan with `MissingEnv::Warn`: an unset variable must only warn, even
/// when it is the host of a target. Ignored until src/plan is fixed: today the empty value is
/// then checked as the target ("tcp target is not `host:port`, e.g. `***:443`"), planning
/// fails, and the "not set" warning that names the real cause is dropped.
#[test]
fn an_unset_env_var_in_a_target_only_warns() {
    let c = case(
        "nodes:\n  - id: root\n    name: R\n    level: national\n",
        &suite(
            "  - id: net.tcp
    name: T
    tcp: { target: \"{{ env.NETACCEPT_TEST_HOST }}:443\" }
",
        ),
    );
    let (plan, warnings) = c
        .plan_with(&Selection::default(), &no_env, MissingEnv::Warn)
        .unwrap_or_else(|d| panic!("{}", messages(&d)));
    assert_eq!(plan.items.len(), 1);
    assert_eq!(warnings.len(), 1, "{}", messages(&warnings));
    assert!(warnings[0].message.contains("NETACCEPT_TEST_HOST"));
    // With MissingEnv::Error, the error names the variable, not the target's shape.
    let err = c
        .plan_with(&Selection::default(), &no_env, MissingEnv::Error)
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.iter()
            .all(|d| d.message.contains("NETACCEPT_TEST_HOST")),
        "{}",
        messages(&err)
    );
}

// ---------------------------------------------------------------------------------------
// unfillable templates

#[test]
fn an_unfillable_template_is_reported_once_with_the_node_count() {
    let mut inv = String::from(
        "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
",
    );
    for i in 1..=8 {
        inv.push_str(&format!(
            "  - id: p{i}\n    name: P{i}\n    level: provincial\n    parent: root\n"
        ));
    }
    let c = case(
        &inv,
        &suite(
            "  - id: net.icmp
    name: I
    icmp: { target: \"{{ node.host }}\" }
  - id: net.tcp
    name: T
    tcp: { target: \"{{ node.host }}:443\" }
",
        ),
    );
    let d = c.plan_err(&Selection::default());
    // one per template (two checks), not one per node
    assert_eq!(d.len(), 2, "{}", messages(&d));
    for (diag, check) in d.iter().zip(["net.icmp", "net.tcp"]) {
        assert!(diag.is_error());
        assert!(diag.loc.is_some(), "points at the template");
        assert!(
            diag.message.contains(&format!("`{check}`")),
            "{}",
            diag.message
        );
        assert!(diag.message.contains("node.host"), "{}", diag.message);
        assert!(diag.message.contains("8 nodes"), "{}", diag.message);
        assert!(diag.message.contains("`p1`"), "{}", diag.message);
        assert!(diag.message.contains("5 more"), "{}", diag.message);
        assert!(!diag.message.contains("`root`"), "{}", diag.message);
    }

    // A selection that avoids the hostless nodes plans fine.
    let sel = Selection {
        levels: vec![Level::National],
        ..Selection::default()
    };
    assert_eq!(c.plan(&sel).items.len(), 2);
    // One such node is named alone.
    let sel = Selection {
        nodes: vec!["p3".into()],
        ..Selection::default()
    };
    let d = c.plan_err(&sel);
    assert_eq!(d.len(), 2, "{}", messages(&d));
    assert!(d[0].message.contains("(on node `p3`)"), "{}", d[0].message);
}

// ---------------------------------------------------------------------------------------
// where

#[test]
fn where_keys_and_together_values_or_within() {
    let c = case(
        SEL_INV,
        &suite(
            "  - id: lt
    name: level and tags
    where: { level: [provincial, county], tags: [pilot, batch-2] }
    icmp: { target: \"{{ node.host }}\" }
  - id: kn
    name: kind and nodes
    where: { kind: [safety], nodes: [pa, pb] }
    icmp: { target: \"{{ node.host }}\" }
  - id: na
    name: nodes and apps
    where: { nodes: [pb], apps: [hazchem, coal-enforcement] }
    icmp: { target: \"{{ node.host }}\" }
  - id: tags-only
    name: tags, any of
    where: { tags: [batch-1, batch-2] }
    icmp: { target: \"{{ node.host }}\" }
",
        ),
    );
    let plan = c.plan(&Selection::default());
    let on = |check: &str| -> Vec<String> {
        c.rows(&plan)
            .iter()
            .filter(|r| r.split(' ').nth(1) == Some(check))
            .map(|r| r.split(' ').next().unwrap().to_string())
            .collect()
    };
    // pa: provincial + pilot; pb-c: county + pilot; pa-f has batch-2 but is prefectural;
    // pb is provincial but has neither tag.
    assert_eq!(on("lt"), ["pa", "pb-c"]);
    // safety nodes under pa or pb: pa and pa-f are coal.
    assert_eq!(on("kn"), ["pb", "pb-c", "pb-f"]);
    // under pb and hosting hazchem or coal-enforcement: only pb-c (pa hosts
    // coal-enforcement but is not under pb).
    assert_eq!(on("na"), ["pb-c"]);
    assert_eq!(on("tags-only"), ["pa-f", "pb", "pb-c"]);
}

// ---------------------------------------------------------------------------------------
// per-item settings

#[test]
fn each_item_carries_its_timeout_retries_and_label_and_a_run_may_override_them() {
    let inv = "nodes:
  - id: root
    name: R
    level: national
    host: 10.0.0.1
    apps:
      dispatch: { url: \"https://r/d\" }
";
    let c = case(
        inv,
        &format!(
            "suite: t\nname: T\n{CATALOGUE}defaults: {{ timeout: 3s, retries: 2 }}\nchecks:
  - id: net.icmp
    name: I
    icmp: {{ target: \"{{{{ node.host }}}}\" }}
  - id: app.health
    name: H
    for_each_app: true
    timeout: 750ms
    retries: 0
    http: {{ url: \"{{{{ app.url }}}}/health\" }}
"
        ),
    );
    let settings = |p: &Plan| -> Vec<(String, u128, u32)> {
        p.items
            .iter()
            .map(|i| (i.label.to_string(), i.timeout.as_millis(), i.retries))
            .collect()
    };
    let plan = c.plan(&Selection::default());
    assert_eq!(
        settings(&plan),
        [
            ("net.icmp".to_string(), 3_000, 2),
            ("app.health/dispatch".to_string(), 750, 0)
        ]
    );
    let suite = c.loaded.suite.as_ref().unwrap();
    let overridden = build(
        &c.loaded.inventory,
        suite,
        &Selection::default(),
        &no_env,
        MissingEnv::Warn,
        Overrides {
            timeout: Some(std::time::Duration::from_millis(1_500)),
            retries: Some(1),
        },
    )
    .unwrap()
    .0;
    assert_eq!(
        settings(&overridden),
        [
            ("net.icmp".to_string(), 1_500, 1),
            ("app.health/dispatch".to_string(), 1_500, 1)
        ]
    );
}

/// A target made of a node's name shows that name in the plan table: the control characters
/// in it (an OSC that retitles the terminal, a colour, a NUL, a bell) are shown in caret
/// form, never sent to the operator's terminal raw.
#[test]
fn plan_table_shows_control_characters_in_caret_form() {
    let c = case(
        "nodes:
  - id: root
    name: \"\\e]0;pwned\\a\\e[31mred\\0nul\\a\\x7f\\u009b2J\"
    level: national
",
        &suite(
            "  - id: net.icmp
    name: I
    icmp: { target: \"{{ node.name }}\" }
",
        ),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["plan", "-i", "inv", "-s", "suite.yaml", "--format", "table"])
        .current_dir(c.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for raw in ['\u{1b}', '\u{7}', '\u{0}', '\u{7f}', '\u{9b}'] {
        assert!(
            !stdout.contains(raw),
            "U+{:04X} raw in:\n{stdout:?}",
            raw as u32
        );
    }
    assert!(
        stdout.contains("^[]0;pwned^G^[[31mred^@nul^G^?M-^[2J"),
        "{stdout}"
    );
}

/// Nested vars are flattened to dotted names, each inherited on its own (nearest wins), and
/// an ICMP check's templated limits reach the plan typed, its class's objectives filling
/// only what the check leaves unset: probers see no template.
#[test]
fn templated_icmp_limits_are_filled_per_node_from_nested_vars_and_typed() {
    let c = case(
        "nodes:
  - { id: n, name: N, level: national, host: 127.0.0.1,
      vars: { link: { max_rtt: 20ms, max_loss: 0.5%, class: y1541-0 } } }
  - { id: p, name: P, level: provincial, parent: n, host: 127.0.0.2,
      vars: { link: { max_rtt: 100ms, class: y1541-1 } } }
  - { id: c, name: C, level: county, parent: p, host: 127.0.0.3,
      vars: { link: { max_rtt: 150ms, deep: { p95: 250ms } } } }
",
        &format!(
            "suite: s
name: S
{CATALOGUE}checks:
  - id: net.icmp
    name: ICMP
    icmp: {{ target: \"{{{{ node.host }}}}\", max_rtt: \"{{{{ node.vars.link.max_rtt }}}}\",
            max_loss: \"{{{{ node.vars.link.max_loss }}}}\", class: \"{{{{ node.vars.link.class }}}}\" }}
  - id: net.p95
    name: P95
    where: {{ level: [county] }}
    icmp: {{ target: \"{{{{ node.host }}}}\", max_p95: \"{{{{ node.vars.link.deep.p95 }}}}\" }}
"
        ),
    );
    let plan = c.plan(&Selection::default());
    let inv = &c.loaded.inventory;
    let icmp = |node: &str, check: usize| {
        let it = plan
            .items
            .iter()
            .find(|it| inv.node(it.node).id == node && it.check.0 as usize == check)
            .unwrap_or_else(|| panic!("no item for {node}"));
        match &it.probe {
            Probe::Icmp(p) => p.clone(),
            p => panic!("not icmp: {p:?}"),
        }
    };
    let ms = netaccept::model::Duration::from_millis;
    let pct = netaccept::model::Percent;
    for (node, rtt, loss, class) in [
        ("n", 20, 0.5, "y1541-0"),
        ("p", 100, 0.5, "y1541-1"),
        ("c", 150, 0.5, "y1541-1"),
    ] {
        let s = icmp(node, 0);
        assert!(
            s.bounds.is_empty(),
            "{node}: a template left for the prober"
        );
        assert_eq!(s.max_rtt, Some(ms(rtt)), "{node}");
        assert_eq!(s.max_loss, Some(pct(loss)), "{node}: inherited per key");
        assert_eq!(
            s.class.map(netaccept::model::QosClass::as_str),
            Some(class),
            "{node}"
        );
        // The check's own max_rtt wins over the class; IPDV comes from the class.
        let l = s.limits();
        assert_eq!(l.max_rtt, Some(ms(rtt)), "{node}");
        assert_eq!(l.max_ipdv, Some(ms(100)), "{node}: 2 × the class's 50 ms");
    }
    assert_eq!(icmp("c", 1).max_p95, Some(ms(250)));
}

/// A var's number or boolean is filled as written (`1.10`, `010`, `0x1F`, `yes`), nested or
/// not: YAML's typing of the scalar never reaches a template.
#[test]
fn typed_scalar_vars_are_filled_as_written_nested_or_not() {
    let c = case(
        "nodes:
  - { id: n, name: N, level: national,
      vars: { a: 1.10, b: 010, c: 0x1F, d: yes, k: { l: 1.0, m: -0.50 } } }
",
        &format!(
            "suite: s
name: S
{CATALOGUE}checks:
  - id: t
    name: T
    tcp: {{ target: \"{{{{ node.vars.a }}}}-{{{{ node.vars.b }}}}-{{{{ node.vars.c }}}}-{{{{ node.vars.d }}}}-{{{{ node.vars.k.l }}}}-{{{{ node.vars.k.m }}}}:1\" }}
"
        ),
    );
    let plan = c.plan(&Selection::default());
    match &plan.items[0].probe {
        Probe::Tcp(t) => assert_eq!(t.target.expose(), "1.10-010-0x1F-yes-1.0--0.50:1"),
        p => panic!("not tcp: {p:?}"),
    }
}
