//! `netaccept demo`: the whole job in one command. Starts the simulator in the background on
//! the bundled demo network (with its faults), runs the acceptance suite against it with the
//! demo's waivers through the same engine as `run`, writes every report, and stops the
//! simulator. It writes nothing outside its output folder: the simulator's CA lives in a
//! temporary folder for the length of the run.
//!
//! Its inputs are found where a checkout or an installation keeps them ([`data_root`]): in
//! the current folder (a checkout), else beside the binary's prefix (`bin/../share/netaccept`,
//! the release tarball or a `/usr/local` install), else in `/usr/share/netaccept` (the Debian
//! package). They are only read, so a read-only `/usr/share` is fine.

use std::path::{Path, PathBuf};

use super::args::DemoArgs;
use crate::engine::{self, PlanRequest, RunConfig, Shutdown, sim};
use crate::error::Error;
use crate::exit::Exit;
use crate::load::Inputs;
use crate::model::Inventory;
use crate::plan::{MissingEnv, Overrides, Selection};

const INVENTORY: &str = "inventories/demo";
const SUITE: &str = "suites/acceptance.yaml";
const FAULTS: &str = "inventories/demo/sim/faults.yaml";
const WAIVERS: &str = "inventories/demo/sim/waivers.yaml";
/// The simulator's CA, in the demo's temporary folder.
const CA_FILE: &str = "demo-sim-ca.pem";
/// What a previous demo left in its default folder, removed before the next one.
const OUR_FILES: [&str; 9] = [
    "results.json",
    "junit.xml",
    "report.html",
    "results.csv",
    "links.csv",
    "journal.jsonl",
    crate::bundle::STATEMENT,
    crate::bundle::SUMS,
    crate::bundle::SIGNATURE,
];

/// Where the package installs the demo's inputs (and the suites and example inventory).
const SYSTEM_DATA: &str = "/usr/share/netaccept";

pub fn demo(args: &DemoArgs) -> Result<Exit, Error> {
    let root = data_root()?;
    let [inventory, suite, faults, waivers] =
        [INVENTORY, SUITE, FAULTS, WAIVERS].map(|p| root.join(p));
    let key = super::run::sign_key(&args.reporting)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/demo"));
    if args.output.is_none() && output.is_dir() {
        // The default folder belongs to the demo: its last reports make way for the new ones.
        for f in OUR_FILES {
            let _ = std::fs::remove_file(output.join(f));
        }
        // And the provinces' documents of an earlier `--split provincial`.
        let _ = std::fs::remove_dir_all(output.join(crate::report::html::PROVINCES_DIR));
    }
    // The simulator's CA is the demo's own: it goes to a private temporary folder (removed
    // when the demo ends), and the suite's `ca_file` is pointed there, so that the demo writes
    // nothing outside its output folder (not the inventory's `../reports/demo-sim-ca.pem`).
    let ca_dir = tempfile::Builder::new()
        .prefix("netaccept-demo-")
        .tempdir()
        .map_err(|e| Error::DemoSim(format!("cannot make a temporary folder for its CA: {e}")))?;
    let ca_file = ca_dir.path().join(CA_FILE);
    let prepared = super::prepare_edited(
        &PlanRequest {
            inputs: Inputs {
                inventory,
                suite: Some(suite),
                waivers: Some(waivers),
                faults: Some(faults),
            },
            selection: Selection {
                vantage: args.vantage.clone(),
                shard: args.shard,
                ..Selection::default()
            },
            missing_env: MissingEnv::Error,
            overrides: Overrides::default(),
        },
        |loaded| point_ca_file_at(&mut loaded.inventory, &ca_file),
    )?;
    let loaded = prepared.loaded;
    let plan = prepared.plan.expect("the demo has a suite");
    let ca_out = Some(ca_file.clone());

    let (simulator, s) = sim::Background::start(
        loaded.inventory.clone(),
        loaded.faults.clone().unwrap_or_default(),
        sim::Options { seed: 1, ca_out },
    )?;
    super::say(&format!(
        "simulator: {} endpoints on {} listeners, DNS at {}, {} faults\n",
        s.endpoints,
        s.listeners,
        super::sim::addresses(&s.dns),
        s.faults
    ));
    let cfg = RunConfig {
        progress: super::resolve::progress_mode(),
        terminal: args.reporting.terminal(),
        reporting: args.reporting.resolve(),
        vantage: args.vantage.clone(),
        shard: args.shard,
        selection: args
            .vantage
            .iter()
            .map(|v| format!("--vantage {v}"))
            .chain(args.shard.iter().map(|s| format!("--shard {s}")))
            .collect(),
        ..RunConfig::new(
            Some(output.clone()),
            args.reporting.operator.clone().unwrap_or_default(),
        )
    };
    let finished = engine::run(loaded, plan, &cfg, Shutdown::Signals);
    // The demo keeps no history: it writes nothing outside its output folder.
    let exit = finished.and_then(|f| {
        super::run::finish(
            &f,
            cfg.reporting,
            &crate::engine::history::After::default(),
            key.as_ref(),
            &format!("HTML report: {}\n", output.join("report.html").display()),
            super::run::View {
                lang: cfg.terminal.lang,
                json: false,
            },
        )
    });
    simulator.stop();
    drop(ca_dir);
    exit
}

/// The folder the demo's inputs are read from: the first of the current folder (as before:
/// the paths stay relative, so a checkout's reports name `inventories/demo`),
/// `<the executable's folder>/../share/netaccept` and [`SYSTEM_DATA`] that holds all four.
/// The current folder comes first so that a checkout always demonstrates its own inputs,
/// even on a machine where the package is installed.
fn data_root() -> Result<PathBuf, Error> {
    let mut roots = vec![PathBuf::new()];
    // `current_exe` is the resolved path (/proc/self/exe): a symlink in /usr/local/bin to an
    // unpacked tarball still finds the tarball's `share/`.
    if let Some(prefix) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
    {
        roots.push(prefix.join("share/netaccept"));
    }
    roots.push(PathBuf::from(SYSTEM_DATA));
    let has_all = |root: &Path| {
        [INVENTORY, SUITE, FAULTS, WAIVERS]
            .iter()
            .all(|p| root.join(p).exists())
    };
    if let Some(root) = roots.iter().find(|r| has_all(r)) {
        return Ok(root.clone());
    }
    let missing = [INVENTORY, SUITE, FAULTS, WAIVERS]
        .into_iter()
        .find(|p| !Path::new(p).exists())
        .unwrap_or(INVENTORY);
    Err(Error::DemoInputMissing {
        path: missing.into(),
        searched: roots[1..]
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Every node that sets the demo's `ca_file` variable (the national centre; the others
/// inherit it) gets the simulator's CA at `ca` instead: an absolute path, which the suite's
/// `ca:` takes as it is.
fn point_ca_file_at(inventory: &mut Inventory, ca: &Path) {
    let ca = ca.to_string_lossy().into_owned();
    for node in &mut inventory.nodes {
        if let Some(v) = node.vars.get_mut("ca_file") {
            v.clone_from(&ca);
        }
    }
}
