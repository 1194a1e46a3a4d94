//! The simulator's ICMP responder: answers the echo requests addressed to the inventory's
//! node addresses itself, over a raw socket, with each node's `icmp` fault (a delay drawn
//! from delay ± jitter, a share lost; no fault: at once), because this kernel has no netem to
//! make a link long and jittery. It shares no code with the ICMP prober (`probe::icmp`):
//! the two meet only on the wire, and Debian's `ping` is the independent client in tests.
//!
//! It is on when the faults name an `icmp` fault, and then it needs the kernel's own echo
//! replies off in its network namespace and a raw socket (`socket.rs`), or the simulator
//! does not start. Two threads, whatever the traffic: a reader takes the requests off the
//! socket, stamps and draws each, and hands the replies to a sender that holds them in a
//! heap ordered by the time they are due and waits (`recv_timeout`) until the first is, so
//! replies leave in the order they are due and with jitter overtake each other, as on a
//! real network. Not tokio: its timer wheel counts whole milliseconds and rounds a sleep up
//! (measured: `delay: 60ms` answered in 61.3 ms on average, up to 74 ms), where a thread's
//! timed wait is good to a tenth of that; and `AsyncFd` over a raw descriptor now needs
//! `unsafe`, which the crate keeps to the prober's socket module.

mod draw;
mod packet;
mod socket;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::Read as _;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Instant;

use socket2::{SockAddr, Socket};
use tokio::sync::watch;

use crate::model::{Duration, Percent};
use draw::Draws;

/// How often the threads look up from a quiet socket, or an empty heap, to see whether to
/// stop.
const POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// An address the responder answers for: its node, and the node's `icmp` fault if any.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: Ipv4Addr,
    pub node: String,
    /// `(delay, jitter, loss)`; `None`: answered at once.
    pub fault: Option<(Duration, Duration, Percent)>,
}

/// The responder, checked and with its socket open, not yet serving.
pub struct Responder {
    socket: Arc<Socket>,
    /// The addresses answered and their draws (`None`: at once, nothing lost).
    targets: HashMap<Ipv4Addr, Option<Draws>>,
}

/// A reply and when it is due: due first, then the order received (so equal times keep
/// it), the asker, the packet.
type Held = Reverse<(Instant, u64, Ipv4Addr, Vec<u8>)>;

impl Responder {
    /// Checks the kernel's echo replies are off here and opens the raw socket. `seed` is the
    /// simulator's `--seed`.
    pub fn open(targets: &[Target], seed: u64) -> Result<Responder, String> {
        socket::require_kernel_echo_off()?;
        let socket = socket::open(POLL)?;
        let mut map = HashMap::new();
        for t in targets {
            let draws = t
                .fault
                .map(|(delay, jitter, loss)| Draws::new(seed, &t.node, delay, jitter, loss));
            map.insert(t.addr, draws);
        }
        Ok(Responder {
            socket: Arc::new(socket),
            targets: map,
        })
    }

    /// How many addresses it answers for.
    pub fn addresses(&self) -> usize {
        self.targets.len()
    }

    /// Answers until `shutdown` turns true (or its sender is gone); returns once both
    /// threads have ended. Replies still held then are dropped.
    pub async fn serve(self, mut shutdown: watch::Receiver<bool>) {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let Responder { socket, targets } = self;
        let reader = {
            let (socket, stop) = (Arc::clone(&socket), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("sim-icmp-read".into())
                .spawn(move || read(&socket, targets, &tx, &stop))
        };
        let sender = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("sim-icmp-send".into())
                .spawn(move || send(&socket, &rx, &stop))
        };
        if reader.is_ok() && sender.is_ok() {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    break;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        let _ = tokio::task::spawn_blocking(move || {
            for t in [reader, sender].into_iter().flatten() {
                let _ = t.join();
            }
        })
        .await;
    }
}

/// The reader thread: every echo request to an address answered, stamped as read and
/// drawn, goes to the sender as (due, asker, reply), until `stop` or the sender is gone.
fn read(
    socket: &Socket,
    mut targets: HashMap<Ipv4Addr, Option<Draws>>,
    tx: &mpsc::Sender<(Instant, Ipv4Addr, Vec<u8>)>,
    stop: &AtomicBool,
) {
    let mut buf = vec![0u8; 1 << 16];
    let mut s: &Socket = socket;
    while !stop.load(Ordering::Relaxed) {
        // An error is the read timeout (to look at `stop`), a signal or a transient one
        // (ENOBUFS): nothing to answer, go on.
        if let Ok(n) = s.read(&mut buf)
            && let Some(r) = answer(&mut targets, &buf[..n], Instant::now())
            && tx.send(r).is_err()
        {
            return;
        }
    }
}

/// The sender thread: holds the replies until due, sends each then, until `stop` or the
/// reader is gone.
fn send(socket: &Socket, rx: &mpsc::Receiver<(Instant, Ipv4Addr, Vec<u8>)>, stop: &AtomicBool) {
    let mut held: BinaryHeap<Held> = BinaryHeap::new();
    let mut received: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        let wait = held
            .peek()
            .map_or(POLL, |Reverse((due, ..))| {
                due.saturating_duration_since(now)
            })
            .min(POLL);
        match rx.recv_timeout(wait) {
            Ok((due, to, reply)) => {
                received += 1;
                held.push(Reverse((due, received, to, reply)));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        while held.peek().is_some_and(|Reverse((due, ..))| *due <= now) {
            let Some(Reverse((_, _, to, reply))) = held.pop() else {
                break;
            };
            // One that cannot be sent (no route back, larger than the MTU) is lost, as it
            // would be on the wire.
            let _ = socket.send_to(&reply, &SockAddr::from(SocketAddrV4::new(to, 0)));
        }
    }
}

/// What to do with `packet`, read at `now`: `None` when it is not an echo request to an
/// address answered, or the draw lost it; else when the reply is due, to whom, and the reply.
fn answer(
    targets: &mut HashMap<Ipv4Addr, Option<Draws>>,
    packet: &[u8],
    now: Instant,
) -> Option<(Instant, Ipv4Addr, Vec<u8>)> {
    let echo = packet::parse(packet)?;
    let wait = match targets.get_mut(&echo.to)? {
        None => std::time::Duration::ZERO,
        Some(d) => d.next()?,
    };
    Some((now + wait, echo.from, packet::reply(&echo)))
}
