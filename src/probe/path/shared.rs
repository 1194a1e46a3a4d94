//! One raw IPv4 ICMP socket for every trace and MTU search of the run, its answers handed
//! to the search they belong to by the echo's identifier.
//!
//! Why one: the kernel hands every ICMP packet that arrives to every raw ICMP socket open
//! at that moment, each running its filter on it. With a socket per search, the national
//! run's 3,368 MTU searches (several hundred open at once) each filtered every echo and
//! reply of the whole run: 0.86 s of system time, the run 16 % slower than before `mtu:`
//! was added. One socket filters each packet once, and a table lookup routes it.
//!
//! A task of the run reads the socket and sends each packet (with the moment it was read,
//! so round trips do not include the wait of the search's task) down the channel of its
//! identifier; it ends when the run's [`super::Paths`] is dropped. IPv6 searches keep a
//! socket of their own: their hop limit is a socket option, set before each send, which
//! searches sharing a socket would race on.

// `AsyncFd::register` and lending a `u8` buffer as `MaybeUninit<u8>`: see `socket`.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use socket2::Socket;
use tokio::io::unix::AsyncFd;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::wire;

/// One packet as the reading task took it off the socket.
pub(super) struct Packet {
    pub bytes: Vec<u8>,
    pub at: Instant,
}

pub(super) struct Shared {
    pub(super) fd: AsyncFd<Socket>,
    routes: Mutex<HashMap<u16, mpsc::UnboundedSender<Packet>>>,
    /// The reading task has ended (a read error, or the run is over): open another.
    closed: AtomicBool,
}

/// One search's place on the shared socket: its identifier, and the channel its answers
/// come down. Dropping it frees the identifier.
pub(super) struct Route {
    pub(super) shared: Arc<Shared>,
    pub(super) ident: u16,
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<Packet>>,
}

impl Shared {
    /// Starts reading `socket` (filtered to echo replies and ICMP errors) on a task of the
    /// current runtime, until `stop`'s sender is dropped.
    pub(super) fn start(socket: Socket, stop: watch::Receiver<()>) -> io::Result<Arc<Shared>> {
        // SAFETY: as in `socket::RawIcmp::open`: the `Socket` owns its descriptor for its
        // whole life, and the `AsyncFd` owns the `Socket`.
        let fd = unsafe { AsyncFd::register(socket) }.map_err(|e| e.into_parts().1)?;
        let shared = Arc::new(Shared {
            fd,
            routes: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        });
        tokio::spawn(read(Arc::clone(&shared), stop));
        Ok(shared)
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// A route under an identifier no other search holds now, taken from `next`.
    pub(super) fn route(self: &Arc<Shared>, next: &AtomicU16) -> io::Result<Route> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut routes = self
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for _ in 0..=u16::MAX {
            let ident = next.fetch_add(1, Ordering::Relaxed);
            if let std::collections::hash_map::Entry::Vacant(e) = routes.entry(ident) {
                e.insert(tx);
                return Ok(Route {
                    shared: Arc::clone(self),
                    ident,
                    rx: tokio::sync::Mutex::new(rx),
                });
            }
        }
        Err(io::Error::other(
            "every ICMP identifier is taken by a search",
        ))
    }
}

impl Route {
    /// The next packet for this identifier; an error once the reading task has ended.
    pub(super) async fn next(&self) -> io::Result<Packet> {
        self.rx.lock().await.recv().await.ok_or_else(|| {
            io::Error::other("the shared ICMP socket's reader has ended (the run is over)")
        })
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        let mut routes = self
            .shared
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        routes.remove(&self.ident);
    }
}

async fn read(shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    // The largest answer is the reply to the largest echo (`max` ≤ 9000) or an error
    // quoting one; a datagram longer than the buffer is cut, which parsing tolerates.
    let mut buf = vec![0u8; 9216];
    'run: loop {
        let mut guard = tokio::select! {
            // Nothing is ever sent: only the sender's drop wakes this.
            _ = stop.changed() => break,
            g = shared.fd.readable() => match g {
                Ok(g) => g,
                Err(_) => break,
            },
        };
        loop {
            // SAFETY: `u8` and `MaybeUninit<u8>` have one layout, and `recv` only writes
            // initialised bytes into the buffer it is lent.
            let lent =
                unsafe { &mut *(std::ptr::from_mut::<[u8]>(&mut buf) as *mut [MaybeUninit<u8>]) };
            match guard.try_io(|s| s.get_ref().recv(lent)) {
                Ok(Ok(n)) => {
                    let at = Instant::now();
                    let Some(ident) = wire::ident_of(&buf[..n]) else {
                        continue;
                    };
                    let routes = shared
                        .routes
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if let Some(tx) = routes.get(&ident) {
                        // A search that has just ended has dropped its receiver: nothing to do.
                        let _ = tx.send(Packet {
                            bytes: buf[..n].to_vec(),
                            at,
                        });
                    }
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(_)) => break 'run,
                Err(_would_block) => break,
            }
        }
    }
    shared.closed.store(true, Ordering::Release);
    // The searches waiting now read an error rather than wait out their deadlines.
    shared
        .routes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
}
