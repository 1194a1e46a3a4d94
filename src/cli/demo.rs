//! `netaccept demo`: the whole job in one command. Starts the simulator in-process on the
//! bundled demo network (with its faults), runs the acceptance suite against it with the
//! demo's waivers, writes every report, and stops the simulator.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::args::{
    DemoArgs, InputArgs, LimitArgs, PlannedArgs, ReportingArgs, RunArgs, SelectionArgs, SeverityArg,
};
use crate::exit::Exit;
use crate::load::Inputs;
use crate::plan::{MissingEnv, Selection};
use crate::sim;

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

pub fn demo(args: &DemoArgs) -> Exit {
    for p in [INVENTORY, SUITE, FAULTS, WAIVERS] {
        if !Path::new(p).exists() {
            eprintln!(
                "error: {p} not found: run `netaccept demo` from the root of a netaccept checkout"
            );
            return Exit::InvalidInput;
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
    }
    let inputs = Inputs {
        inventory: INVENTORY.into(),
        suite: Some(SUITE.into()),
        waivers: Some(WAIVERS.into()),
        faults: Some(FAULTS.into()),
    };
    let Some((loaded, Some(plan))) =
        super::load_and_plan(&inputs, &Selection::default(), MissingEnv::Error)
    else {
        return Exit::InvalidInput;
    };
    let suite = loaded.suite.as_ref().expect("the demo has a suite");
    let ca_out = loaded
        .inventory
        .var(loaded.inventory.root, "ca_file")
        .map(|f| suite.base_dir.join(f));

    // The simulator gets a runtime of its own on its own thread: the run below builds and
    // owns its runtime, and the two must not starve each other.
    let (ready_tx, ready_rx) = mpsc::channel::<Result<String, String>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let inventory = loaded.inventory.clone();
    let faults = loaded.faults.clone().unwrap_or_default();
    let opts = sim::Options { seed: 1, ca_out };
    let sim_thread = std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(format!("cannot start the simulator's runtime: {e}")));
                return;
            }
        };
        rt.block_on(async move {
            match sim::start(&inventory, &faults, &opts).await {
                Ok(running) => {
                    let _ = ready_tx.send(Ok(format!(
                        "simulator: {} endpoints on {} listeners, DNS at {}, {} faults",
                        running.endpoints,
                        running.listeners,
                        running
                            .dns_addrs
                            .iter()
                            .map(|a| a.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        faults.len()
                    )));
                    let _ = stop_rx.await;
                    running.stop().await;
                }
                Err(sim::SimError::Input(m) | sim::SimError::Start(m)) => {
                    let _ = ready_tx.send(Err(m));
                }
            }
        });
    });
    match ready_rx.recv() {
        Ok(Ok(line)) => println!("{line}"),
        Ok(Err(m)) => {
            eprintln!("error: the simulator could not start: {m}");
            let _ = sim_thread.join();
            return Exit::ReportFailed;
        }
        Err(_) => {
            eprintln!("error: the simulator stopped before it served");
            return Exit::ReportFailed;
        }
    }

    let run_args = RunArgs {
        planned: PlannedArgs {
            input: InputArgs {
                inventory: INVENTORY.into(),
            },
            suite: SUITE.into(),
            selection: SelectionArgs::default(),
        },
        output: Some(output.clone()),
        limits: LimitArgs::default(),
        timeout: None,
        retries: None,
        waivers: Some(WAIVERS.into()),
        reporting: ReportingArgs {
            lang: args.reporting.lang,
            operator: args.reporting.operator.clone(),
            fail_on: SeverityArg::Minor,
        },
    };
    let exit = super::run::run(&run_args, loaded, plan);
    let _ = stop_tx.send(());
    let _ = sim_thread.join();
    println!("HTML report: {}", output.join("report.html").display());
    exit
}
