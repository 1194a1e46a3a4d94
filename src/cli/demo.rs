//! `netaccept demo`: the whole job in one command. Starts the simulator in the background on
//! the bundled demo network (with its faults), runs the acceptance suite against it with the
//! demo's waivers through the same engine as `run`, writes every report, and stops the
//! simulator.

use std::path::{Path, PathBuf};

use super::args::DemoArgs;
use crate::engine::{self, PlanRequest, RunConfig, Shutdown, sim};
use crate::error::Error;
use crate::exit::Exit;
use crate::load::Inputs;
use crate::plan::{MissingEnv, Overrides, Selection};

const INVENTORY: &str = "inventories/demo";
const SUITE: &str = "suites/acceptance.yaml";
const FAULTS: &str = "inventories/demo/sim/faults.yaml";
const WAIVERS: &str = "inventories/demo/sim/waivers.yaml";
/// What a previous demo left in its default folder, removed before the next one.
const OUR_FILES: [&str; 5] = [
    "results.json",
    "junit.xml",
    "report.html",
    "results.csv",
    "journal.jsonl",
];

pub fn demo(args: &DemoArgs) -> Result<Exit, Error> {
    for p in [INVENTORY, SUITE, FAULTS, WAIVERS] {
        if !Path::new(p).exists() {
            return Err(Error::DemoInputMissing { path: p.into() });
        }
    }
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
    let prepared = super::prepare(&PlanRequest {
        inputs: Inputs {
            inventory: INVENTORY.into(),
            suite: Some(SUITE.into()),
            waivers: Some(WAIVERS.into()),
            faults: Some(FAULTS.into()),
        },
        selection: Selection::default(),
        missing_env: MissingEnv::Error,
        overrides: Overrides::default(),
    })?;
    let loaded = prepared.loaded;
    let plan = prepared.plan.expect("the demo has a suite");
    let suite = loaded.suite.as_ref().expect("the demo has a suite");
    let ca_out = loaded
        .inventory
        .var(loaded.inventory.root, "ca_file")
        .map(|f| suite.base_dir.join(f));

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
        reporting: args.reporting.resolve(),
        ..RunConfig::new(
            Some(output.clone()),
            args.reporting.operator.clone().unwrap_or_default(),
        )
    };
    let finished = engine::run(loaded, plan, &cfg, Shutdown::Signals);
    let exit = finished.and_then(|f| super::run::finish(&f, &cfg));
    simulator.stop();
    super::say(&format!(
        "HTML report: {}\n",
        output.join("report.html").display()
    ));
    exit
}
