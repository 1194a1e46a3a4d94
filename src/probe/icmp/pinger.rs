//! The run's shared ICMP state: the [`Pinger`] every probe borrows, with its sockets (opened
//! by the first probe of each family), the identifiers and sequence numbers it hands out,
//! and the pacing gate.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::sync::atomic::AtomicU16;
use std::time::Duration;

use socket2::Type;
use surge_ping::{Client, ICMP};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::pacing::Pacer;
use super::receiver::Receiver;
use super::socket::{Access, detect_access, open};
use crate::probe::{ErrorKind, Outcome};

/// ICMP sockets shared by the whole run: one per address family, replies demultiplexed by
/// identifier and sequence.
///
/// The sockets are opened by the first probe of each family. Their receiving tasks run on a
/// thread of their own (see `Receiver`).
pub struct Pinger {
    pub(super) access: Access,
    // Declared before `receiver`: the sockets close before their runtime stops.
    /// The IPv4 socket, opened once by whichever probe needs it first; concurrent first
    /// probes wait for that one opening rather than racing to open several.
    v4: OnceCell<Client>,
    /// The IPv6 socket, likewise.
    v6: OnceCell<Client>,
    /// The receiving thread, started once with the first socket; an error sticks, so every
    /// later probe reports the same cause.
    receiver: OnceLock<Result<Receiver, String>>,
    /// Identifier of the next probe: each probe takes one (relaxed increments; wrapping is
    /// harmless, see `next_seq`).
    pub(super) next_ident: AtomicU16,
    /// Sequence number of the next echo, shared by the run: on unprivileged sockets the
    /// kernel rewrites identifiers, so sequences alone must keep concurrent probes apart.
    pub(super) next_seq: AtomicU16,
    /// The least time between two echo requests of the run (fping's `-i`), when set.
    pub(super) pace: Option<Pacer>,
}

impl Default for Pinger {
    fn default() -> Pinger {
        Pinger::new()
    }
}

impl Pinger {
    /// Never fails: when no ICMP socket can be opened (no root, no CAP_NET_RAW,
    /// ping_group_range closed), every probe returns Errored(NoPermission) with
    /// [`Pinger::permission_problem`]'s message.
    pub fn new() -> Pinger {
        // Two instances of netaccept on one host both see every reply on their raw sockets;
        // different starting identifiers keep them from taking each other's.
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.finish()
        };
        Pinger {
            access: detect_access(),
            v4: OnceCell::new(),
            v6: OnceCell::new(),
            receiver: OnceLock::new(),
            next_ident: AtomicU16::new(seed as u16),
            next_seq: AtomicU16::new((seed >> 16) as u16),
            pace: None,
        }
    }

    /// Paces the run's echo requests at least `gap` apart (fping's `-i`); a zero gap leaves
    /// them unpaced. A paced echo whose turn comes too late to wait for its reply before the
    /// check's deadline is not sent, and does not count as lost.
    pub fn with_interval(mut self, gap: Duration) -> Pinger {
        self.pace = (!gap.is_zero()).then(|| Pacer {
            gap,
            next: std::sync::Mutex::new(Instant::now()),
        });
        self
    }

    /// `Some(message)` when ICMP is not permitted here: the message names the fixes (run as
    /// root, `sudo setcap cap_net_raw+ep $(which netaccept)`, or
    /// `sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"`). The runner prints it once.
    pub fn permission_problem(&self) -> Option<&str> {
        match &self.access {
            Access::Denied(message) => Some(message),
            Access::Raw | Access::Dgram => None,
        }
    }

    /// The family's socket, opened on first use with its receiving task on the receiver
    /// thread. A failure to open is not remembered: a shortage of file descriptors now should
    /// not fail every later probe.
    pub(super) async fn client(&self, ip: IpAddr) -> Result<&Client, Outcome> {
        let (cell, kind) = match ip {
            IpAddr::V4(_) => (&self.v4, ICMP::V4),
            IpAddr::V6(_) => (&self.v6, ICMP::V6),
        };
        let ty = match &self.access {
            Access::Raw => Type::RAW,
            Access::Dgram => Type::DGRAM,
            Access::Denied(message) => {
                return Err(Outcome::errored(ErrorKind::NoPermission, message.clone()));
            }
        };
        let receiver = self
            .receiver
            .get_or_init(|| {
                Receiver::start().map_err(|e| format!("cannot start the ICMP receiver thread: {e}"))
            })
            .as_ref()
            .map_err(|e| Outcome::errored(ErrorKind::Local, e.clone()))?;
        cell.get_or_try_init(|| async {
            let _on_receiver = receiver.handle.enter();
            open(kind, ty)
        })
        .await
        .map_err(|e| {
            let v = if kind == ICMP::V4 { "ICMP" } else { "ICMPv6" };
            Outcome::errored(ErrorKind::Local, format!("cannot open an {v} socket: {e}"))
        })
    }
}
