//! Faults the simulator plays, per node or per (node, app): the verdicts a suite should
//! then give are what the simulator's tests and the demo rely on.

use super::{Duration, Loc, Percent};

#[derive(Debug, Clone)]
pub struct Fault {
    pub node: String,
    /// `None`: every endpoint of the node.
    pub app: Option<String>,
    pub kind: FaultKind,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Nothing listens.
    Down,
    /// Connections are accepted and never answered.
    Silent,
    /// Every answer comes after this long.
    Slow(Duration),
    /// Health answers with this status (and `{"status":"DOWN"}`).
    Status(u16),
    /// Health answers 200 with this body.
    Body(String),
    /// This share of requests is answered 503.
    Flaky(Percent),
    /// `/api/records/summary` reports this many migrated records (the migration fell
    /// short, or ran twice), instead of the endpoint's usual total.
    Records(u32),
    /// The health JSON breaks the interface standard (`suites/schemas/health.schema.json`):
    /// no `version`, and `time` in epoch milliseconds instead of RFC 3339 text; it still
    /// says `"status":"UP"`.
    Nonconformant,
    Cert(CertFault),
    Dns(DnsFault),
    /// The node's secondary DNS server (its `dns_secondary`) serves an old version of every
    /// zone: an older SOA serial, without the records added since (the simulator documents
    /// which). A replication check then fails naming it.
    StaleSecondary,
    /// The HTTPS listener sends its leaf certificate only, not the intermediate CA that
    /// signed it: clients that trust only the root cannot build the chain.
    MissingIntermediate,
    /// The HTTPS listener speaks only TLS 1.0, as the oldest servers of the network do;
    /// current clients refuse it at their default settings.
    LegacyTls,
    /// The simulator's ICMP responder answers the node's address (its `host`) itself, each
    /// echo reply held for a delay drawn uniformly from `[delay − jitter, delay + jitter]`
    /// (so `jitter ≤ delay` and the mean is `delay`), and a share `loss` of the echo
    /// requests left unanswered: the delay, delay variation and loss of a long link, which
    /// this kernel (no netem) cannot make. Node-wide (no app).
    Icmp {
        delay: Duration,
        jitter: Duration,
        loss: Percent,
    },
}

/// The longest `delay + jitter` of an `icmp` fault: ten seconds is longer than any ping or
/// check waits for one reply (a reply later than that is loss, say it with `loss`), and it
/// bounds the replies the responder holds at once.
pub const MAX_ICMP_DELAY: Duration = Duration(std::time::Duration::from_secs(10));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertFault {
    /// Valid dates in the past.
    Expired,
    /// Issued for another name.
    WrongHost,
    /// Signed by its own key, not the simulator's CA.
    SelfSigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsFault {
    /// The node's name resolves to an address that is not the node's.
    WrongAddress,
    /// The node's name does not exist.
    Nxdomain,
}
