//! A throughput check (`throughput:`): TCP throughput to an iperf3 server, its direction,
//! and the limits on its numbers. Such a check loads the link it measures (RFC 6815), so it
//! is on demand unless the suite says otherwise ([`super::Check::on_demand`]).
//!
//! The limits live here rather than in `limits.rs` beside the others because they belong to
//! this one probe; FORMAT.md ("Limits") lists them with the rest.

use super::Duration;
use super::limits::IntRange;

/// Which way the data flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// The probe sends, the server receives (iperf3's default).
    #[default]
    Up,
    /// The server sends, the probe receives (iperf3's `--reverse`).
    Down,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Up, Direction::Down];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct ThroughputSpec<S> {
    /// The iperf3 server's host (an address or a name), without a port.
    pub target: S,
    /// The server's control port; iperf3's default is 5201.
    pub port: u16,
    /// How long data flows, not counting the setup and the results exchange.
    pub duration: Duration,
    /// Parallel TCP streams (iperf3's `-P`).
    pub streams: u32,
    pub direction: Direction,
    /// The lowest throughput that passes, in megabits (10^6 bit) per second, measured at
    /// the receiver; `None`: any throughput passes once the test completes.
    pub min_mbps: Option<f64>,
}

/// iperf3's default port.
pub const THROUGHPUT_DEFAULT_PORT: u16 = 5201;

/// A TCP port.
pub const THROUGHPUT_PORT: IntRange = IntRange {
    key: "port",
    what: "a TCP port",
    min: 1,
    max: 65_535,
};

/// Parallel streams: 16 fill any link one probe host can drive; more only load the server.
pub const THROUGHPUT_STREAMS: IntRange = IntRange {
    key: "streams",
    what: "a whole number of streams",
    min: 1,
    max: 16,
};

/// The shortest and longest `duration`: below a second TCP's slow start is most of what is
/// measured; a minute is already a long time to fill an acceptance link (RFC 6815).
pub const MIN_THROUGHPUT_DURATION: Duration = Duration(std::time::Duration::from_secs(1));
pub const MAX_THROUGHPUT_DURATION: Duration = Duration(std::time::Duration::from_secs(60));

/// The largest `min_mbps`: 100 Gbit/s, more than one probe host can send.
pub const MAX_MIN_MBPS: f64 = 100_000.0;

/// What a test takes besides its `duration`: the control connection, the parameters, the
/// streams' connections, and the results exchanged at the end. The prober holds itself to
/// it: the setup before the data flows and the exchange after must each fit in it.
pub const THROUGHPUT_SETUP: Duration = Duration(std::time::Duration::from_secs(5));

/// The time an attempt needs: `duration` and [`THROUGHPUT_SETUP`]. A check's timeout must be
/// at least this, or the runner would end every attempt before its results came.
pub fn throughput_time_needed(duration: Duration) -> std::time::Duration {
    duration.as_std() + THROUGHPUT_SETUP.as_std()
}
