//! ICMP prober: `count` echo requests to one address, `interval` apart and overlapping as
//! fping sends them, judged on loss and average round trip.
//!
//! One socket per address family serves the whole run (surge-ping's `Client`, opened on the
//! first probe of that family); its receiving task hands each reply to the echo waiting for
//! that (address, identifier, sequence). Every echo takes a sequence number from one
//! counter shared by the run: an unprivileged (DGRAM) ICMP socket has the kernel overwrite
//! the identifier, so the sequence alone must keep concurrent probes to the same address
//! apart. Round trips are timed here, from just before the send to the reply's arrival:
//! surge-ping starts its clock after `send_to` returns, and on loopback the reply can beat
//! that, which reads as 0 ns.

use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::os::fd::BorrowedFd;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, Ordering};
use std::task::Poll;
use std::time::Duration;

use serde_json::json;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use surge_ping::{Client, Config, ICMP, IcmpPacket, PingIdentifier, PingSequence, SurgeError};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::{Context, ErrorKind, FailKind, Failure, Measurements, Outcome, ms};
use crate::model::{IcmpSpec, Text};

/// The size ping sends by default, so that rules written with ping in mind treat us alike.
const PAYLOAD: [u8; 56] = [0x5a; 56];

/// Thousands of probes answered at once by a fast target (loopback, a LAN) queue their
/// replies faster than one receiving task drains them; the default buffer (208 KiB) then
/// drops replies, which would read as loss (measured: 762 of 2,000 simultaneous echoes to
/// 127.x lost with it, none with this).
const RECV_BUFFER: usize = 4 << 20;

/// How long an echo waits when the suite sets no `max_rtt`, as fping does.
const ECHO_TIMEOUT: Duration = Duration::from_secs(1);

/// The least an echo waits: twice a tiny `max_rtt` (0 ms, 1 ms) would turn a slow reply
/// into loss instead of the round-trip failure the suite asked for.
const MIN_ECHO_TIMEOUT: Duration = Duration::from_millis(100);

/// Replies stop being awaited this long before the attempt's deadline, so the probe
/// returns its own figures before the runner drops it.
const DEADLINE_MARGIN: Duration = Duration::from_millis(50);

/// An echo whose sequence number is still in flight to the same address (after the shared
/// counter wrapped) takes the next number; this bounds the tries.
const SEQUENCE_TRIES: usize = 8;

/// ICMP sockets shared by the whole run: one per address family, replies demultiplexed by
/// identifier and sequence.
///
/// The sockets are opened by the first probe of each family. Their receiving tasks run on a
/// thread of their own (see `Receiver`).
pub struct Pinger {
    access: Access,
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
    next_ident: AtomicU16,
    /// Sequence number of the next echo, shared by the run: on unprivileged sockets the
    /// kernel rewrites identifiers, so sequences alone must keep concurrent probes apart.
    next_seq: AtomicU16,
    /// The least time between two echo requests of the run (fping's `-i`), when set.
    pace: Option<Pacer>,
}

/// Spaces the run's echo requests at least `gap` apart, whatever their targets, as fping's
/// `-i` does: a sweep of thousands of nodes then arrives on a thin link as a trickle rather
/// than a burst.
struct Pacer {
    gap: Duration,
    /// The earliest moment the next echo may leave. Each echo reserves its moment under the
    /// lock (held for an addition, never across an await) and then sleeps until it, so echoes
    /// leave in the order they asked.
    next: std::sync::Mutex<Instant>,
}

impl Pacer {
    /// Reserves the next free moment for one echo.
    fn reserve(&self) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = (*next).max(Instant::now());
        *next = at + self.gap;
        at
    }
}

/// A single-threaded runtime on its own thread, where surge-ping's receiving tasks live.
///
/// On the run's runtime the one receiving task per socket queues behind every runnable probe
/// after each 128 packets (tokio's cooperative budget): with thousands of probes sending at
/// once, replies pile up in the socket faster than it drains them, the buffer overflows and
/// replies are lost (measured: 2,285 of 60,000 echoes with 5,000 probes of 3 echoes at
/// once). On a thread of its own it competes only for a CPU. Probes still send from their
/// own tasks; a tokio socket may be used from any runtime while its own runs.
struct Receiver {
    handle: tokio::runtime::Handle,
    /// Dropped with the `Pinger`: the thread then ends, and its runtime with it.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    fn start() -> io::Result<Receiver> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("netaccept-icmp".into())
            .spawn(move || {
                // Built and dropped on this thread: a runtime may not be dropped inside
                // another's async context.
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => return drop(tx.send(Err(e))),
                };
                if tx.send(Ok(rt.handle().clone())).is_ok() {
                    rt.block_on(async {
                        let _ = stopped.await;
                    });
                }
            })?;
        let handle = rx
            .recv()
            .map_err(|_| io::Error::other("the ICMP thread ended at start"))??;
        Ok(Receiver {
            handle,
            _stop: stop,
        })
    }
}

/// Which kind of ICMP socket this process may open, decided once.
enum Access {
    /// Root or CAP_NET_RAW. Preferred: it also sees ICMP errors (destination unreachable).
    Raw,
    /// An unprivileged ICMP socket, allowed by `net.ipv4.ping_group_range`.
    Dgram,
    Denied(String),
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
    async fn client(&self, ip: IpAddr) -> Result<&Client, Outcome> {
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

/// Tries a raw socket, then an unprivileged one, with socket2 directly: surge-ping falls
/// back from one kind to the other silently, and we must know which we have (and whether
/// we have none) before the first probe, outside any runtime.
fn detect_access() -> Access {
    let raw = match Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)) {
        Ok(_) => return Access::Raw,
        Err(e) => e,
    };
    let dgram = match Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4)) {
        Ok(_) => return Access::Dgram,
        Err(e) => e,
    };
    if raw.kind() == io::ErrorKind::PermissionDenied
        && dgram.kind() == io::ErrorKind::PermissionDenied
    {
        Access::Denied(format!(
            "ICMP is not permitted here ({dgram}): netaccept needs a raw ICMP socket or an \
             unprivileged one. Fix one of: run as root; \
             `sudo setcap cap_net_raw+ep $(which netaccept)`; or allow unprivileged ICMP with \
             `sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`"
        ))
    } else {
        // Not a permission problem (IPv4 disabled, no descriptors left): opening the socket
        // again at the first probe reports it there, as a local error.
        Access::Raw
    }
}

/// Opens the family's socket as `ty`, then tunes it.
fn open(kind: ICMP, ty: Type) -> io::Result<Client> {
    let config = Config::builder().kind(kind).sock_type_hint(ty).build();
    let client = Client::new(&config)?;
    let socket = client.get_socket();
    // The type surge-ping really opened: it falls back to the other kind on failure.
    let raw = socket.get_type() == Type::RAW;
    // SAFETY: the descriptor belongs to `client`, which outlives this borrow; socket options
    // are set through it and nothing is closed.
    let fd = unsafe { BorrowedFd::borrow_raw(socket.get_native_sock()) };
    let sock = SockRef::from(&fd);
    raise_recv_buffer(&sock)?;
    if raw {
        filter_replies(&sock, kind)?;
    }
    Ok(client)
}

/// Raises the receive buffer to [`RECV_BUFFER`]. SO_RCVBUF is capped by
/// `net.core.rmem_max`; as root the cap is lifted with SO_RCVBUFFORCE instead of changing
/// the sysctl. Where neither reaches it (CAP_NET_RAW alone), the socket keeps what it got.
fn raise_recv_buffer(sock: &SockRef<'_>) -> io::Result<()> {
    sock.set_recv_buffer_size(RECV_BUFFER)?;
    // Linux reports twice the size asked for (it counts its bookkeeping).
    if sock.recv_buffer_size()? < RECV_BUFFER * 2 {
        let _ = force_recv_buffer(sock, RECV_BUFFER);
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn force_recv_buffer(sock: &SockRef<'_>, size: usize) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // socket2 has no setter for SO_RCVBUFFORCE.
    let value = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
    // SAFETY: a valid descriptor, and a pointer to a c_int with its size.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn force_recv_buffer(_sock: &SockRef<'_>, _size: usize) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A raw socket receives every ICMP packet the host receives: on loopback our own echo
/// requests too, and on IPv6 neighbour discovery. A kernel filter keeps echo replies and
/// the errors that can answer an echo, halving the work at loopback rates.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn filter_replies(sock: &SockRef<'_>, kind: ICMP) -> io::Result<()> {
    use socket2::SockFilter;
    // Classic BPF: load the ICMP type, keep the packet if it is one of three, else drop.
    const LD_B_ABS: u16 = 0x30; // A = byte at k
    const LDX_B_MSH: u16 = 0xb1; // X = IPv4 header length
    const LD_B_IND: u16 = 0x50; // A = byte at X + k
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let mut prog = Vec::with_capacity(7);
    let keep = match kind {
        // IPv4 raw sockets see the IP header; the type follows it.
        ICMP::V4 => {
            prog.push(SockFilter::new(LDX_B_MSH, 0, 0, 0));
            prog.push(SockFilter::new(LD_B_IND, 0, 0, 0));
            [0, 3, 11] // echo reply, destination unreachable, time exceeded
        }
        // IPv6 raw sockets start at the ICMPv6 header.
        ICMP::V6 => {
            prog.push(SockFilter::new(LD_B_ABS, 0, 0, 0));
            [129, 1, 3]
        }
    };
    prog.push(SockFilter::new(JEQ_K, 3, 0, keep[0]));
    prog.push(SockFilter::new(JEQ_K, 2, 0, keep[1]));
    prog.push(SockFilter::new(JEQ_K, 1, 0, keep[2]));
    prog.push(SockFilter::new(RET_K, 0, 0, 0));
    prog.push(SockFilter::new(RET_K, 0, 0, u32::MAX));
    sock.attach_filter(&prog)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn filter_replies(_sock: &SockRef<'_>, _kind: ICMP) -> io::Result<()> {
    Ok(())
}

/// What became of one echo request.
enum Echo {
    Reply(Duration),
    /// No answer before its wait ended.
    Lost,
    /// An ICMP error answered it: what it said, and who said it.
    Unreachable(String),
    /// The send itself failed.
    SendFailed(io::Error),
    /// surge-ping's client went away under us: a bug here.
    Broken(String),
}

/// Sends the echoes that fit before `deadline`, waits for their replies, and judges loss
/// (over the echoes sent) and average round trip.
pub async fn probe(spec: &IcmpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    let pinger = &cx.icmp;
    if let Some(message) = pinger.permission_problem() {
        return Outcome::errored(ErrorKind::NoPermission, message);
    }
    let target = spec.target.expose();
    let addr = match super::resolve::resolve(&target, 0).await {
        Ok(addr) => addr,
        Err(o) => return o,
    };
    let ip = addr.ip();
    // A link-local IPv6 target (`fe80::1%eth0`) needs its interface on every send.
    let scope = match addr {
        std::net::SocketAddr::V6(a) => a.scope_id(),
        std::net::SocketAddr::V4(_) => 0,
    };
    let client = match pinger.client(ip).await {
        Ok(c) => c,
        Err(o) => return o,
    };

    let start = Instant::now();
    let left = deadline.saturating_duration_since(start);
    let cutoff = start + left.saturating_sub(DEADLINE_MARGIN).max(left / 2);
    let timeout = match spec.max_rtt {
        Some(max) => (max.as_std() * 2).max(MIN_ECHO_TIMEOUT),
        None => ECHO_TIMEOUT,
    };
    let interval = spec.interval.as_std();
    // Only echoes that can wait their whole timeout before the deadline are sent (the first
    // always is): an echo cut short would count a slow reply as lost.
    let planned = spec.count.max(1);
    let fits = (1..planned)
        .take_while(|&i| start + interval * i + timeout <= cutoff)
        .count() as u32
        + 1;
    let ident = PingIdentifier(pinger.next_ident.fetch_add(1, Ordering::Relaxed));
    let echoes = (0..fits).map(|i| {
        let send_at = start + interval * i;
        echo(
            pinger,
            client,
            (ip, scope),
            ident,
            Schedule {
                send_at,
                first: i == 0,
                timeout,
                cutoff,
            },
        )
    });
    let results: Vec<Echo> = join_all(echoes).await.into_iter().flatten().collect();
    if results.is_empty() {
        let gap = pinger.pace.as_ref().map_or(Duration::ZERO, |p| p.gap);
        return Outcome::errored(
            ErrorKind::Local,
            format!(
                "no echo to {ip} could be sent before the deadline: the run's ICMP pacing \
                 ({} between echoes) queued it too long; lower --icmp-concurrency or raise \
                 the timeout",
                crate::model::Duration(gap)
            ),
        );
    }
    judge(spec, ip, &results, planned)
}

/// When one echo is due and how long it may wait for its reply.
struct Schedule {
    send_at: Instant,
    /// The probe's first echo is sent even when its whole wait does not fit.
    first: bool,
    timeout: Duration,
    cutoff: Instant,
}

/// `None` when pacing gave the echo its turn too late for its reply to be awaited: it was
/// not sent.
async fn echo(
    pinger: &Pinger,
    client: &Client,
    (ip, scope): (IpAddr, u32),
    ident: PingIdentifier,
    Schedule {
        send_at,
        first,
        timeout,
        cutoff,
    }: Schedule,
) -> Option<Echo> {
    if send_at > Instant::now() {
        tokio::time::sleep_until(send_at).await;
    }
    if let Some(pace) = &pinger.pace {
        let turn = pace.reserve();
        let fits = if first {
            turn < cutoff
        } else {
            turn + timeout <= cutoff
        };
        if !fits {
            return None;
        }
        tokio::time::sleep_until(turn).await;
    }
    Some(
        send_echo(
            client,
            &pinger.next_seq,
            (ip, scope),
            ident,
            timeout,
            cutoff,
        )
        .await,
    )
}

async fn send_echo(
    client: &Client,
    seqs: &AtomicU16,
    (ip, scope): (IpAddr, u32),
    ident: PingIdentifier,
    timeout: Duration,
    cutoff: Instant,
) -> Echo {
    let mut pinger = client.pinger(ip, ident).await;
    pinger.scope_id(scope);
    for _ in 0..SEQUENCE_TRIES {
        let seq = PingSequence(seqs.fetch_add(1, Ordering::Relaxed));
        let sent = Instant::now();
        pinger.timeout((sent + timeout).min(cutoff).saturating_duration_since(sent));
        return match pinger.ping(seq, &PAYLOAD).await {
            Ok((packet, _)) => classify(packet, sent.elapsed()),
            Err(SurgeError::IdenticalRequests { .. }) => continue,
            Err(SurgeError::Timeout { .. }) => Echo::Lost,
            Err(SurgeError::IOError(e)) => Echo::SendFailed(e),
            Err(e) => Echo::Broken(e.to_string()),
        };
    }
    Echo::Broken(format!("no free ICMP sequence number for {ip}"))
}

fn classify(packet: IcmpPacket, rtt: Duration) -> Echo {
    let (ty, code, from) = match &packet {
        IcmpPacket::V4(p) => match p.get_icmp_type().0 {
            0 => return Echo::Reply(rtt),
            t => (t, p.get_icmp_code().0, IpAddr::V4(p.get_source())),
        },
        IcmpPacket::V6(p) => match p.get_icmpv6_type().0 {
            129 => return Echo::Reply(rtt),
            t => (t, p.get_icmpv6_code().0, IpAddr::V6(p.get_source())),
        },
    };
    let what = match (&packet, ty, code) {
        (IcmpPacket::V4(_), 3, 0) | (IcmpPacket::V6(_), 1, 0) => "network unreachable".to_string(),
        (IcmpPacket::V4(_), 3, 1) | (IcmpPacket::V6(_), 1, 3) => "host unreachable".to_string(),
        (IcmpPacket::V4(_), 3, 9 | 10 | 13) | (IcmpPacket::V6(_), 1, 1) => {
            "administratively prohibited".to_string()
        }
        (IcmpPacket::V4(_), 3, c) | (IcmpPacket::V6(_), 1, c) => {
            format!("destination unreachable (code {c})")
        }
        (IcmpPacket::V4(_), 11, _) | (IcmpPacket::V6(_), 3, _) => {
            "time to live exceeded in transit".to_string()
        }
        (_, t, c) => format!("ICMP type {t} code {c}"),
    };
    Echo::Unreachable(format!("{what}, reported by {from}"))
}

/// Runs the echoes together on this task: a handful of futures polled in turn costs less
/// than a spawned task each.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

fn judge(spec: &IcmpSpec<Text>, ip: IpAddr, echoes: &[Echo], planned: u32) -> Outcome {
    let sent = echoes.len();
    let rtts: Vec<Duration> = echoes
        .iter()
        .filter_map(|e| match e {
            Echo::Reply(d) => Some(*d),
            _ => None,
        })
        .collect();
    let received = rtts.len();
    let loss = (sent - received) as f64 * 100.0 / sent as f64;

    let mut m = Measurements::new();
    m.insert("sent".into(), json!(sent));
    m.insert("received".into(), json!(received));
    m.insert("loss_pct".into(), json!((loss * 100.0).round() / 100.0));
    let mut avg = Duration::ZERO;
    if received > 0 {
        let min = rtts.iter().min().copied().unwrap_or_default();
        let max = rtts.iter().max().copied().unwrap_or_default();
        let mean = rtts.iter().map(Duration::as_secs_f64).sum::<f64>() / received as f64;
        let var = rtts
            .iter()
            .map(|d| (d.as_secs_f64() - mean).powi(2))
            .sum::<f64>()
            / received as f64;
        avg = Duration::from_secs_f64(mean);
        m.insert("rtt_min_ms".into(), ms(min));
        m.insert("rtt_avg_ms".into(), ms(avg));
        m.insert("rtt_max_ms".into(), ms(max));
        m.insert(
            "rtt_stddev_ms".into(),
            ms(Duration::from_secs_f64(var.sqrt())),
        );
    }
    m.insert("address".into(), json!(ip.to_string()));

    let short = if (sent as u32) < planned {
        format!(" ({sent} of {planned} echoes fitted before the deadline)")
    } else {
        String::new()
    };
    let evidence = Some(evidence(echoes));

    if received == 0 {
        for e in echoes {
            match e {
                Echo::Broken(why) => {
                    return Outcome::errored(ErrorKind::Internal, format!("ICMP to {ip}: {why}"));
                }
                Echo::SendFailed(err) if !is_route_error(err) => {
                    return Outcome::errored(
                        ErrorKind::Local,
                        format!("cannot send ICMP echo to {ip}: {err}"),
                    );
                }
                _ => {}
            }
        }
        let unreachable = echoes.iter().find_map(|e| match e {
            Echo::Unreachable(what) => Some(what.clone()),
            Echo::SendFailed(err) => Some(format!("no route ({err})")),
            _ => None,
        });
        if let Some(what) = unreachable {
            return Outcome::failed(
                Failure::new(
                    FailKind::Unreachable,
                    format!("{ip} unreachable: {what}; 0 of {sent} replies{short}"),
                )
                .expected("echo replies", "unreachable"),
                m,
            )
            .with_evidence(evidence);
        }
        return Outcome::failed(
            Failure::new(
                FailKind::LossExceeded,
                format!("100 % loss: 0 of {sent} replies from {ip}{short}"),
            )
            .expected(expected_loss(spec), "100 %"),
            m,
        )
        .with_evidence(evidence);
    }
    if let Some(max) = spec.max_loss
        && loss > max.0
    {
        return Outcome::failed(
            Failure::new(
                FailKind::LossExceeded,
                format!(
                    "{} loss: {received} of {sent} replies from {ip}, more than {max}{short}",
                    percent(loss)
                ),
            )
            .expected(expected_loss(spec), percent(loss)),
            m,
        )
        .with_evidence(evidence);
    }
    if let Some(max) = spec.max_rtt
        && avg > max.as_std()
    {
        let avg_ms = format!("{:.3} ms", avg.as_secs_f64() * 1e3);
        return Outcome::failed(
            Failure::new(
                FailKind::RttExceeded,
                format!("average round trip {avg_ms} from {ip}, more than {max}"),
            )
            .expected(format!("average rtt ≤ {max}"), avg_ms),
            m,
        )
        .with_evidence(evidence);
    }
    Outcome::passed(m)
}

/// A send refused for want of a route is the network's answer, not a local fault.
fn is_route_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable
    )
}

fn expected_loss(spec: &IcmpSpec<Text>) -> String {
    match spec.max_loss {
        Some(max) => format!("loss ≤ {max}"),
        None => "at least one reply".to_string(),
    }
}

/// `40 %`, `33.3 %`: the figure as a person reads it, the exact one is in the measurements.
fn percent(p: f64) -> String {
    let s = format!("{p:.1}");
    format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
}

/// Each echo's fate in order: `0.052 ms, lost, host unreachable, reported by 10.1.0.254`.
fn evidence(echoes: &[Echo]) -> String {
    let mut out = String::new();
    for (i, e) in echoes.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = match e {
            Echo::Reply(d) => write!(
                out,
                "echo {}: reply in {:.3} ms",
                i + 1,
                d.as_secs_f64() * 1e3
            ),
            Echo::Lost => write!(out, "echo {}: no reply", i + 1),
            Echo::Unreachable(what) => write!(out, "echo {}: {what}", i + 1),
            Echo::SendFailed(err) => write!(out, "echo {}: not sent: {err}", i + 1),
            Echo::Broken(why) => write!(out, "echo {}: {why}", i + 1),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The socket really is of the kind detected, and its receive buffer reached
    /// [`RECV_BUFFER`] wherever this process may have it: always with CAP_NET_ADMIN
    /// (SO_RCVBUFFORCE), else up to `net.core.rmem_max`.
    #[tokio::test]
    async fn the_socket_is_of_the_detected_kind_with_a_large_receive_buffer() {
        let pinger = Pinger::new();
        if let Some(why) = pinger.permission_problem() {
            eprintln!("skipped: {why}");
            return;
        }
        let Ok(client) = pinger.client("127.0.0.1".parse().unwrap()).await else {
            panic!("cannot open the ICMP socket");
        };
        let socket = client.get_socket();
        let expected = match pinger.access {
            Access::Raw => Type::RAW,
            _ => Type::DGRAM,
        };
        assert_eq!(socket.get_type(), expected);

        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let cap_eff = status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap();
        let net_admin = cap_eff & (1 << 12) != 0;
        let rmem_max: usize = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let want = if net_admin {
            RECV_BUFFER
        } else {
            RECV_BUFFER.min(rmem_max)
        };
        // SAFETY: `client` owns the descriptor for the whole borrow.
        let fd = unsafe { BorrowedFd::borrow_raw(socket.get_native_sock()) };
        let got = SockRef::from(&fd).recv_buffer_size().unwrap();
        assert!(
            got >= want * 2,
            "SO_RCVBUF {got}, want {} (rmem_max {rmem_max})",
            want * 2
        );
    }
}
