//! iperf3's control protocol, client side, written from iperf3's sources (`iperf_api.c`,
//! `iperf_client_api.c`, `iperf_api.h`): no iperf3 binary is needed on the probe host, and
//! the server is the stock `iperf3 -s` network engineers already run.
//!
//! The exchange, over one TCP control connection:
//!
//! 1. the client sends a 37-byte cookie (36 characters of `a-z2-7` and a NUL) that names the
//!    test; a server already running a test answers `ACCESS_DENIED` (-2) at once and closes;
//! 2. the server sends one-byte states; `PARAM_EXCHANGE` (9): the client sends its parameters
//!    as JSON behind a 4-byte big-endian length (`tcp`, `time`, `parallel`, `len`,
//!    `reverse`, …);
//! 3. `CREATE_STREAMS` (10): the client opens `parallel` data connections to the same port,
//!    each opening with the cookie;
//! 4. `TEST_START` (1), `TEST_RUNNING` (2): data flows, from the client (up) or, reversed,
//!    from the server (down); the client ends the test by sending `TEST_END` (4);
//! 5. `EXCHANGE_RESULTS` (13): the client sends its results JSON (per stream: `id`, `bytes`,
//!    `retransmits`, …), then reads the server's;
//! 6. `DISPLAY_RESULTS` (14): the client sends `IPERF_DONE` (16) and closes.
//!
//! `SERVER_ERROR` (-1) is followed by two 4-byte big-endian numbers (iperf3's error number
//! and the system's); `SERVER_TERMINATE` (11) means the server was stopped mid-test. A busy
//! server says so as soon as it accepts, before the cookie: `ACCESS_DENIED`, or (Debian's
//! 3.12) a lone `SERVER_ERROR` byte and a close; others send `IEACCESSDENIED` (121) behind it.
//!
//! Stream ids follow iperf3's own numbering, 1, 3, 4, 5, …: the server matches the results
//! it is sent to its streams by id.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

const COOKIE_SIZE: usize = 37;
/// iperf3's default TCP block: what each write sends.
const BLOCK: usize = 128 * 1024;
/// The largest results JSON read from a server: a results object of 16 streams is a few
/// kilobytes; a server's textual output, if it sent one, far less than this.
const MAX_JSON: u32 = 1 << 20;

pub const TEST_START: i8 = 1;
pub const TEST_RUNNING: i8 = 2;
pub const TEST_END: i8 = 4;
pub const PARAM_EXCHANGE: i8 = 9;
pub const CREATE_STREAMS: i8 = 10;
pub const SERVER_TERMINATE: i8 = 11;
pub const CLIENT_TERMINATE: i8 = 12;
pub const EXCHANGE_RESULTS: i8 = 13;
pub const DISPLAY_RESULTS: i8 = 14;
pub const IPERF_DONE: i8 = 16;
pub const SERVER_ERROR: i8 = -1;
pub const ACCESS_DENIED: i8 = -2;
/// iperf3's error number for "the server is busy running a test" (`IEACCESSDENIED`).
const IE_ACCESS_DENIED: i32 = 121;

/// One test to run.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    pub addr: SocketAddr,
    pub duration: Duration,
    pub streams: u32,
    /// The server sends (iperf3's `--reverse`).
    pub reverse: bool,
    /// The longest wait for each step of the setup and of the results exchange.
    pub step: Duration,
}

/// What the receiver counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// Bytes received over all streams while the test ran.
    pub bytes: u64,
    /// How long the receiver counted them.
    pub seconds: f64,
    /// The sender's TCP retransmissions, when the sender reported them (the server, down).
    pub retransmits: Option<u64>,
}

/// Why a test gave no figures.
#[derive(Debug)]
pub enum Error {
    /// The control connection could not be made.
    Connect(std::io::Error),
    /// A data stream's connection could not be made.
    StreamConnect(std::io::Error),
    /// The server is running another client's test.
    Busy,
    /// The server reported an error: iperf3's error number and the system's.
    Server { code: i32, errno: i32 },
    /// The server was stopped mid-test.
    Terminated,
    /// The connection closed or was reset, during `phase`.
    Closed(&'static str),
    /// No answer within the step's time, during `phase`.
    Stalled(&'static str),
    /// The server sent something else than iperf3's protocol.
    Protocol(String),
    /// An I/O error of this machine.
    Io(std::io::Error),
}

/// Runs one test. iperf3 still answers `ACCESS_DENIED` for a moment after its previous
/// test ended, while it resets (seen with Debian's 3.12 when one test follows another at
/// once): "busy" is believed only once it has lasted [`BUSY_FOR`].
pub async fn run(t: Test) -> Result<Figures, Error> {
    let first = Instant::now();
    loop {
        match run_once(t).await {
            Err(Error::Busy) if first.elapsed() < BUSY_FOR => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            r => return r,
        }
    }
}

/// How long a server that says it is busy is asked again (see [`run`]).
const BUSY_FOR: Duration = Duration::from_secs(1);

async fn run_once(t: Test) -> Result<Figures, Error> {
    let cookie = cookie();
    let (mut ctrl, started) = connect_control(t).await?;
    let _ = ctrl.set_nodelay(true);
    // A busy server answers ACCESS_DENIED as soon as it accepts, and closes without reading:
    // a cookie sent into that close would be answered with a reset that can discard the
    // byte. It comes within about a round trip, which the connect just measured.
    let rtt = started.elapsed();
    let mut early = [0u8; 1];
    if let Ok(r) = timeout(rtt * 2 + Duration::from_millis(20), ctrl.read(&mut early)).await {
        return match r {
            // Before the cookie a server speaks only to turn the client away.
            Ok(1) if matches!(early[0] as i8, ACCESS_DENIED | SERVER_ERROR) => {
                match unexpected(&mut ctrl, early[0] as i8, "connect").await {
                    Error::Server { code: 0, .. } => Err(Error::Busy),
                    e => Err(e),
                }
            }
            Ok(1) => Err(Error::Protocol(format!(
                "the server spoke first, state {}",
                early[0] as i8
            ))),
            Ok(_) => Err(Error::Closed("connect")),
            Err(e) => Err(closed_or_io(e, "connect")),
        };
    }
    ctrl.write_all(&cookie)
        .await
        .map_err(|e| closed_or_io(e, "the cookie"))?;
    let r = exchange(&mut ctrl, &cookie, t).await;
    if let Err(Error::Stalled(_) | Error::Protocol(_) | Error::Io(_) | Error::StreamConnect(_)) = &r
    {
        // The server is still in the test: tell it to give up now rather than at its own
        // timeout, so that the next client is not turned away as busy.
        let _ = timeout(
            Duration::from_millis(200),
            ctrl.write_all(&[CLIENT_TERMINATE as u8]),
        )
        .await;
    }
    r
}

/// The exchange after the cookie.
async fn exchange(
    ctrl: &mut TcpStream,
    cookie: &[u8; COOKIE_SIZE],
    t: Test,
) -> Result<Figures, Error> {
    expect(ctrl, t.step, PARAM_EXCHANGE, "the parameter exchange").await?;
    let mut params = json!({
        "tcp": true,
        "omit": 0,
        "time": t.duration.as_secs_f64().ceil() as u64,
        "num": 0,
        "blockcount": 0,
        "parallel": t.streams,
        "len": BLOCK,
        "pacing_timer": 1000,
        "client_version": concat!("netaccept ", env!("CARGO_PKG_VERSION")),
    });
    if t.reverse {
        params["reverse"] = json!(true);
    }
    write_json(ctrl, &params).await?;

    expect(ctrl, t.step, CREATE_STREAMS, "creating the streams").await?;
    let mut data = Vec::with_capacity(t.streams as usize);
    for _ in 0..t.streams {
        let mut s = match timeout(t.step, TcpStream::connect(t.addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(Error::StreamConnect(e)),
            Err(_) => {
                return Err(Error::StreamConnect(std::io::Error::from(
                    std::io::ErrorKind::TimedOut,
                )));
            }
        };
        s.write_all(cookie)
            .await
            .map_err(|e| closed_or_io(e, "a stream's cookie"))?;
        data.push(s);
    }

    expect(ctrl, t.step, TEST_START, "the test's start").await?;
    expect(ctrl, t.step, TEST_RUNNING, "the test's start").await?;
    let start = Instant::now();
    let end = start + t.duration;

    // Each stream's byte count, sent or received before `end`.
    let counts: Vec<Arc<AtomicU64>> = (0..t.streams).map(|_| Arc::default()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    // Aborted when this function returns, whichever way (or is dropped at the deadline):
    // no stream outlives its test.
    let mut tasks = Streams(Vec::with_capacity(data.len()));
    for (s, n) in data.into_iter().zip(&counts) {
        let n = n.clone();
        let stop = stop.clone();
        tasks.0.push(if t.reverse {
            tokio::spawn(receive(s, n, end, stop))
        } else {
            tokio::spawn(send(s, n, end))
        });
    }
    // The data flows; the control connection is watched meanwhile, so that a server that
    // fails or is stopped mid-test is heard at once.
    let mut state = [0u8; 1];
    match timeout_at(end, ctrl.read(&mut state)).await {
        Err(_) => {}
        Ok(Ok(1)) => {
            stop.store(true, Ordering::Relaxed);
            return Err(unexpected(ctrl, state[0] as i8, "the test").await);
        }
        Ok(Ok(_)) => return Err(Error::Closed("the test")),
        Ok(Err(e)) => return Err(closed_or_io(e, "the test")),
    }
    let seconds = start.elapsed().as_secs_f64();
    // Up: the writers have stopped at `end`; their sockets stay open until the end of the
    // exchange, as iperf3's do.
    let mut senders = Vec::new();
    if !t.reverse {
        for task in tasks.0.drain(..) {
            senders.push(
                task.await
                    .map_err(|e| Error::Io(std::io::Error::other(e)))?,
            );
        }
    }
    ctrl.write_all(&[TEST_END as u8])
        .await
        .map_err(|e| closed_or_io(e, "the test's end"))?;

    expect(ctrl, t.step, EXCHANGE_RESULTS, "the results").await?;
    let ours: Vec<u64> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let streams: Vec<Value> = ours
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            json!({
                "id": stream_id(i),
                "bytes": bytes,
                "retransmits": -1,
                "jitter": 0,
                "errors": 0,
                "omitted_errors": 0,
                "packets": 0,
                "omitted_packets": 0,
                "start_time": 0,
                "end_time": seconds,
            })
        })
        .collect();
    // We measure no CPU; the server requires the keys and only prints them.
    let results = json!({
        "cpu_util_total": 0,
        "cpu_util_user": 0,
        "cpu_util_system": 0,
        "sender_has_retransmits": if t.reverse { -1 } else { 0 },
        "streams": streams,
    });
    write_json(ctrl, &results).await?;
    let theirs = timeout(t.step, read_json(ctrl))
        .await
        .map_err(|_| Error::Stalled("the results"))??;

    expect(ctrl, t.step, DISPLAY_RESULTS, "the results").await?;
    let _ = ctrl.write_all(&[IPERF_DONE as u8]).await;
    stop.store(true, Ordering::Relaxed);
    drop(tasks);
    drop(senders);

    if t.reverse {
        // Down: we are the receiver; the server, the sender, reports its retransmissions.
        let retransmits = (theirs["sender_has_retransmits"].as_i64() == Some(1)).then(|| {
            server_streams(&theirs)
                .map(|s| s.retransmits.max(0) as u64)
                .sum()
        });
        Ok(Figures {
            bytes: ours.iter().sum(),
            seconds,
            retransmits,
        })
    } else {
        // Up: the server is the receiver; its bytes over its time.
        let streams: Vec<ServerStream> = server_streams(&theirs).collect();
        if streams.is_empty() {
            return Err(Error::Protocol(
                "the server's results have no streams".into(),
            ));
        }
        let bytes = streams.iter().map(|s| s.bytes).sum();
        let seconds = streams
            .iter()
            .filter_map(|s| s.seconds)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
            .filter(|s| *s > 0.0)
            .unwrap_or(seconds);
        Ok(Figures {
            bytes,
            seconds,
            retransmits: None,
        })
    }
}

/// The control connection, and when its last try started. iperf3 closes its listening
/// socket at the end of each test and opens a new one, so a test that follows another at
/// once may find the port closed for a moment: a refusal is tried again for up to
/// [`REFUSED_FOR`] before it is believed.
async fn connect_control(t: Test) -> Result<(TcpStream, Instant), Error> {
    let first = Instant::now();
    loop {
        let started = Instant::now();
        match timeout(t.step, TcpStream::connect(t.addr)).await {
            Ok(Ok(s)) => return Ok((s, started)),
            Ok(Err(e))
                if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && first.elapsed() < REFUSED_FOR =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(Err(e)) => return Err(Error::Connect(e)),
            Err(_) => {
                return Err(Error::Connect(std::io::Error::from(
                    std::io::ErrorKind::TimedOut,
                )));
            }
        }
    }
}

/// How long a refused control connection is tried again (see [`connect_control`]).
const REFUSED_FOR: Duration = Duration::from_millis(500);

/// The data streams' tasks, aborted when dropped.
struct Streams(Vec<tokio::task::JoinHandle<Option<TcpStream>>>);

impl Drop for Streams {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// iperf3's stream ids: 1, then 3, 4, 5, … (its `iperf_add_stream`).
fn stream_id(i: usize) -> usize {
    if i == 0 { 1 } else { i + 2 }
}

struct ServerStream {
    bytes: u64,
    retransmits: i64,
    seconds: Option<f64>,
}

fn server_streams(v: &Value) -> impl Iterator<Item = ServerStream> + '_ {
    v["streams"].as_array().into_iter().flatten().map(|s| {
        let start = s["start_time"].as_f64();
        let end = s["end_time"].as_f64();
        ServerStream {
            bytes: s["bytes"]
                .as_u64()
                .or_else(|| s["bytes"].as_f64().map(|b| b as u64))
                .unwrap_or(0),
            retransmits: s["retransmits"].as_i64().unwrap_or(-1),
            seconds: end.map(|e| e - start.unwrap_or(0.0)),
        }
    })
}

/// Writes blocks until `end`; returns the socket, kept open until the exchange ends.
async fn send(mut s: TcpStream, n: Arc<AtomicU64>, end: Instant) -> Option<TcpStream> {
    let block = vec![0u8; BLOCK];
    let _ = timeout_at(end, async {
        loop {
            match s.write(&block).await {
                Ok(0) | Err(_) => break,
                Ok(k) => {
                    n.fetch_add(k as u64, Ordering::Relaxed);
                }
            }
        }
        // A stream that failed waits for the end like the others: the control connection
        // says what happened.
        std::future::pending::<()>().await;
    })
    .await;
    Some(s)
}

/// Reads until the exchange ends, counting what arrives before `end`. Reading on after it
/// keeps the server's writes from blocking while the results are exchanged.
async fn receive(
    mut s: TcpStream,
    n: Arc<AtomicU64>,
    end: Instant,
    stop: Arc<AtomicBool>,
) -> Option<TcpStream> {
    let mut buf = vec![0u8; BLOCK];
    while !stop.load(Ordering::Relaxed) {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                if Instant::now() < end {
                    n.fetch_add(k as u64, Ordering::Relaxed);
                }
            }
        }
    }
    None
}

/// A fresh cookie: 36 characters of iperf3's alphabet and a NUL.
fn cookie() -> [u8; COOKIE_SIZE] {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut random = [0u8; COOKIE_SIZE - 1];
    if getrandom::fill(&mut random).is_err() {
        // No randomness here: a cookie only tells this test's streams apart from another
        // client's, and the time does that well enough.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        for (i, b) in random.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
    let mut c = [0u8; COOKIE_SIZE];
    for (o, r) in c.iter_mut().zip(random) {
        *o = ALPHABET[(r & 31) as usize];
    }
    c
}

/// Reads the next state and requires it to be `want`.
async fn expect(
    ctrl: &mut TcpStream,
    step: Duration,
    want: i8,
    phase: &'static str,
) -> Result<(), Error> {
    let mut b = [0u8; 1];
    match timeout(step, ctrl.read(&mut b)).await {
        Err(_) => Err(Error::Stalled(phase)),
        Ok(Ok(0)) => Err(Error::Closed(phase)),
        Ok(Ok(_)) if b[0] as i8 == want => Ok(()),
        Ok(Ok(_)) => Err(unexpected(ctrl, b[0] as i8, phase).await),
        Ok(Err(e)) => Err(closed_or_io(e, phase)),
    }
}

/// What a state other than the one awaited means.
async fn unexpected(ctrl: &mut TcpStream, state: i8, phase: &'static str) -> Error {
    match state {
        ACCESS_DENIED => Error::Busy,
        SERVER_TERMINATE => Error::Terminated,
        SERVER_ERROR => {
            let mut b = [0u8; 8];
            match timeout(Duration::from_secs(1), ctrl.read_exact(&mut b)).await {
                // iperf3 3.12 and others say "busy" this way rather than with ACCESS_DENIED.
                Ok(Ok(_)) if b[..4] == IE_ACCESS_DENIED.to_be_bytes() => Error::Busy,
                Ok(Ok(_)) => Error::Server {
                    code: i32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                    errno: i32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                },
                _ => Error::Server { code: 0, errno: 0 },
            }
        }
        s => Error::Protocol(format!("state {s} during {phase}")),
    }
}

async fn write_json(ctrl: &mut TcpStream, v: &Value) -> Result<(), Error> {
    let text = v.to_string();
    let mut buf = Vec::with_capacity(4 + text.len());
    buf.extend_from_slice(&(text.len() as u32).to_be_bytes());
    buf.extend_from_slice(text.as_bytes());
    ctrl.write_all(&buf)
        .await
        .map_err(|e| closed_or_io(e, "the exchange"))
}

async fn read_json(ctrl: &mut TcpStream) -> Result<Value, Error> {
    let mut len = [0u8; 4];
    ctrl.read_exact(&mut len)
        .await
        .map_err(|e| closed_or_io(e, "the results"))?;
    let len = u32::from_be_bytes(len);
    if len == 0 || len > MAX_JSON {
        return Err(Error::Protocol(format!(
            "a results object of {len} bytes announced"
        )));
    }
    let mut buf = vec![0u8; len as usize];
    ctrl.read_exact(&mut buf)
        .await
        .map_err(|e| closed_or_io(e, "the results"))?;
    serde_json::from_slice(&buf)
        .map_err(|e| Error::Protocol(format!("the server's results are not JSON: {e}")))
}

fn closed_or_io(e: std::io::Error, phase: &'static str) -> Error {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
            Error::Closed(phase)
        }
        _ => Error::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_iperf3_cookies() {
        let c = cookie();
        assert_eq!(c[36], 0);
        assert!(
            c[..36]
                .iter()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(b))
        );
        assert_ne!(cookie(), c, "two cookies alike");
    }

    #[test]
    fn stream_ids_follow_iperf3() {
        let ids: Vec<usize> = (0..4).map(stream_id).collect();
        assert_eq!(ids, [1, 3, 4, 5]);
    }
}
