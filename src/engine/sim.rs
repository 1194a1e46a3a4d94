//! The simulator as the commands use it: in the foreground until a signal (`netaccept sim`),
//! or in the background on a thread and runtime of its own while a run probes it
//! (`netaccept demo`), so that the two never starve each other.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc;

use super::{Shutdown, runtime};
use crate::error::Error;
use crate::load::Inputs;
use crate::model::{Fault, Inventory};
use crate::sim::{self, Running, SimError};

pub use crate::sim::Options;

/// What a started simulator serves.
#[derive(Debug, Clone)]
pub struct Serving {
    pub endpoints: usize,
    pub listeners: usize,
    pub dns: Vec<SocketAddr>,
    pub faults: usize,
    /// The addresses the ICMP responder answers (0: off, the kernel answers pings).
    pub icmp_addresses: usize,
}

impl Serving {
    fn of(r: &Running, faults: usize) -> Serving {
        Serving {
            endpoints: r.endpoints,
            listeners: r.listeners,
            dns: r.dns_addrs.clone(),
            faults,
            icmp_addresses: r.icmp_addresses,
        }
    }
}

fn start_error(e: SimError) -> Error {
    match e {
        SimError::Input(m) => Error::SimInput(m),
        SimError::Start(m) => Error::SimStart(m),
    }
}

/// Loads the inventory (and faults) and serves it until `shutdown`. `on_ready` is called
/// once every listener is bound; then, with `ready_file`, that file is written (whole) for
/// scripts and tests to wait on.
pub fn serve(
    inputs: &Inputs,
    opts: &Options,
    ready_file: Option<&PathBuf>,
    shutdown: Shutdown,
    on_ready: impl FnOnce(&Serving),
) -> Result<(), Error> {
    let loaded = crate::load::load(inputs)?;
    let runtime = runtime()?;
    let faults = loaded.faults.clone().unwrap_or_default();
    runtime.block_on(async move {
        let running = sim::start(&loaded.inventory, &faults, opts)
            .await
            .map_err(start_error)?;
        on_ready(&Serving::of(&running, faults.len()));
        if let Some(path) = ready_file
            && let Err(source) = write_ready(path, &running)
        {
            running.stop().await;
            return Err(Error::ReadyFile {
                path: path.clone(),
                source,
            });
        }
        shutdown.requested().await;
        running.stop().await;
        Ok(())
    })
}

/// Scripts and tests wait for this file: it appears, whole, once every listener is bound.
fn write_ready(path: &std::path::Path, r: &Running) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "listeners": r.listeners,
        "endpoints": r.endpoints,
        "dns": r.dns_addrs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "icmp_addresses": r.icmp_addresses,
    });
    crate::report::write_atomic(path, doc.to_string().as_bytes())
}

/// A simulator serving on a thread of its own until [`Background::stop`].
pub struct Background {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Background {
    /// Starts the simulator and returns once it serves (or could not start).
    pub fn start(
        inventory: Inventory,
        faults: Vec<Fault>,
        opts: Options,
    ) -> Result<(Background, Serving), Error> {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<Serving, Error>>();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::DemoSim(format!(
                        "cannot start the simulator's runtime: {e}"
                    ))));
                    return;
                }
            };
            rt.block_on(async move {
                match sim::start(&inventory, &faults, &opts).await {
                    Ok(running) => {
                        let _ = ready_tx.send(Ok(Serving::of(&running, faults.len())));
                        let _ = stop_rx.await;
                        running.stop().await;
                    }
                    Err(SimError::Input(m) | SimError::Start(m)) => {
                        let _ = ready_tx.send(Err(Error::DemoSim(m)));
                    }
                }
            });
        });
        match ready_rx.recv() {
            Ok(Ok(serving)) => Ok((Background { stop, thread }, serving)),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(Error::SimStart(
                "the simulator stopped before it served".into(),
            )),
        }
    }

    /// Stops the simulator and waits for its thread.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}
