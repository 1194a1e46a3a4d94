//! Path probers: `trace:` (the hop list to a target, judged on reaching it and on the
//! routers it passes), `mtu:` (the largest packet that crosses the path with Don't
//! Fragment set) and the path evidence the runner asks for when an ICMP or TCP check has
//! failed (a bounded trace, a few at once).
//!
//! All three send ICMP echo requests over a raw socket (IPv4: one for the run, its answers
//! routed to each trace or search by identifier: `shared`; IPv6: one per trace or search,
//! filtered in the kernel to its identifier: `socket`), each packet with its own TTL (hop
//! limit) and Don't Fragment, and read the routers' ICMP errors (`wire`). They need root or
//! CAP_NET_RAW; without it a check is errored (`NoPermission`)
//! and the path evidence is simply absent. IPv4 and IPv6 alike (`socket` and `wire` say
//! where they differ).
//!
//! The parts: `wire` (packets), `socket`, `shared`, `hops` (one trace: every TTL at once, a silent
//! TTL retried once), `trace` and `mtu` (the checks and their verdicts), `evidence`.

mod evidence;
mod hops;
mod mtu;
mod shared;
pub(super) mod socket;
mod trace;
mod wire;

use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, watch};

pub use evidence::evidence;
pub(crate) use mtu::probe as mtu;
pub(crate) use trace::probe as trace;

use super::{ErrorKind, Outcome};
use shared::Shared;
use socket::{OpenError, RawIcmp};

/// Traces taken for path evidence at once, over the whole run: when a province goes dark,
/// hundreds of checks fail together, and one trace each would be a flood of probes toward
/// the same dead routers. The rest go without (and say so).
pub const EVIDENCE_TRACES: usize = 16;

/// The run's shared state of the path probers.
pub struct Paths {
    /// Identifier of the next trace or search (relaxed increments from a per-process seed,
    /// so that two netaccept processes on one host rarely share one).
    next_ident: AtomicU16,
    /// The run's IPv4 socket, opened with the first search that needs it (and again if
    /// its reader has ended). An error to open is not kept: a shortage of descriptors now
    /// need not last.
    shared_v4: Mutex<Option<Arc<Shared>>>,
    /// Dropped with this: the shared socket's reading task then ends.
    stop: watch::Sender<()>,
    /// Slots for path evidence traces ([`EVIDENCE_TRACES`]).
    pub(super) evidence_slots: Semaphore,
}

impl Default for Paths {
    fn default() -> Paths {
        Paths::new()
    }
}

impl Paths {
    pub fn new() -> Paths {
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.finish()
        };
        Paths {
            next_ident: AtomicU16::new((seed >> 32) as u16),
            shared_v4: Mutex::new(None),
            stop: watch::Sender::new(()),
            evidence_slots: Semaphore::new(EVIDENCE_TRACES),
        }
    }

    /// The socket of one trace or search toward `target`, with an identifier of its own.
    fn open(&self, target: IpAddr) -> Result<RawIcmp, OpenError> {
        match target {
            IpAddr::V4(v4) => {
                let shared = self.shared_v4()?;
                let route = shared.route(&self.next_ident).map_err(OpenError::Other)?;
                Ok(RawIcmp::shared(route, v4))
            }
            IpAddr::V6(_) => {
                let ident = self.next_ident.fetch_add(1, Ordering::Relaxed);
                RawIcmp::own(ident, target)
            }
        }
    }

    fn shared_v4(&self) -> Result<Arc<Shared>, OpenError> {
        let mut slot = self
            .shared_v4
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(Arc::clone(s));
        }
        let socket = socket::shared_v4()?;
        let shared = Shared::start(socket, self.stop.subscribe()).map_err(OpenError::Other)?;
        *slot = Some(Arc::clone(&shared));
        Ok(shared)
    }

    /// [`Paths::open`] for a check: no permission and other failures are what its errored
    /// outcome says.
    fn open_for_check(&self, target: IpAddr) -> Result<RawIcmp, (ErrorKind, String)> {
        self.open(target).map_err(|e| match e {
            OpenError::NoPermission(m) => (ErrorKind::NoPermission, m),
            OpenError::Other(e) => (
                ErrorKind::Local,
                format!("cannot open a raw ICMP socket: {e}"),
            ),
        })
    }
}

/// The target resolved to its address (IPv4 or IPv6), or the outcome that says why not.
async fn resolve_ip(target: &str) -> Result<IpAddr, Outcome> {
    Ok(super::resolve::resolve(target, 0).await?.ip())
}
