//! `netaccept sim`: serves an inventory's network on loopback until Ctrl-C, with faults.

use std::path::Path;

use super::args::SimArgs;
use crate::exit::Exit;
use crate::load::{self, Inputs};
use crate::sim::{self, SimError};

pub fn sim(args: &SimArgs) -> Exit {
    let inputs = Inputs {
        inventory: args.inventory.clone(),
        faults: args.faults.clone(),
        ..Inputs::default()
    };
    let loaded = match load::load(&inputs) {
        Ok(l) => l,
        Err(invalid) => {
            super::report(invalid.diagnostics, &invalid.sources);
            return Exit::InvalidInput;
        }
    };
    let Some(runtime) = super::runtime() else {
        return Exit::ReportFailed;
    };
    let opts = sim::Options {
        seed: args.seed,
        ca_out: Some(args.ca_out.clone()),
    };
    let faults = loaded.faults.clone().unwrap_or_default();
    runtime.block_on(async move {
        let running = match sim::start(&loaded.inventory, &faults, &opts).await {
            Ok(r) => r,
            Err(SimError::Input(m)) => {
                eprintln!("error: {m}");
                return Exit::InvalidInput;
            }
            Err(SimError::Start(m)) => {
                eprintln!("error: {m}");
                return Exit::ReportFailed;
            }
        };
        println!(
            "serving {} endpoints on {} listeners, DNS at {}, {} faults; CA certificate in {}",
            running.endpoints,
            running.listeners,
            if running.dns_addrs.is_empty() {
                "nowhere (no dns_server var)".to_string()
            } else {
                running
                    .dns_addrs
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            faults.len(),
            args.ca_out.display()
        );
        println!("press Ctrl-C to stop");
        if let Some(path) = &args.ready_file
            && let Err(e) = write_ready(path, &running)
        {
            eprintln!("error: cannot write the ready file {}: {e}", path.display());
            running.stop().await;
            return Exit::ReportFailed;
        }
        wait_for_signal().await;
        running.stop().await;
        eprintln!("stopped");
        Exit::Ok
    })
}

/// Scripts and tests wait for this file: it appears, whole, once every listener is bound.
fn write_ready(path: &Path, r: &sim::Running) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "listeners": r.listeners,
        "endpoints": r.endpoints,
        "dns": r.dns_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
    });
    crate::report::write_atomic(path, doc.to_string().as_bytes())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            Some(_) = async { match term.as_mut() { Some(t) => t.recv().await, None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
