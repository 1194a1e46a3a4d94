//! The validated model: what an inventory, a suite and a waivers file mean once loading has
//! accepted them. Values of these types cannot be invalid (loading is the only way in), and
//! this module does no I/O, so planning and running can rely on it without re-checking.

pub mod beijing;
pub mod dns_name;
pub mod dns_text;
pub mod dns_value;
mod expect;
mod fault;
mod host_port;
mod http;
mod inventory;
mod json_path;
pub mod json_value;
pub mod limits;
pub mod maintenance;
pub mod path;
mod qos;
mod suite;
mod template;
mod throughput;
mod units;
mod waiver;

pub use expect::{
    BodySchema, Compare, HeaderCheck, HeaderExpect, HttpExpect, JsonCheck, JsonOp, Needs, Operand,
    Pattern,
};
pub use fault::{CertFault, DnsFault, Fault, FaultKind, MAX_ICMP_DELAY};
pub use host_port::HostPort;
pub use http::{HeaderName, HttpMethod, RedirectPolicy, TlsPolicy, TlsRequirement, TlsVersion};
pub use inventory::{AppEndpoint, Inventory, Kind, Level, Node, NodeIdx, Vantage};
pub use json_path::JsonPath;
pub use path::{Cidr, MtuSpec, TraceSpec};
pub use qos::{ClassLimits, Objectives, QosClass};
pub use suite::{
    App, AppIdx, Bound, BoundKey, Check, CheckIdx, DnsSpec, HttpSpec, IcmpLimits, IcmpSpec, Probe,
    Rcode, RecordType, Selector, Severity, Suite, TcpSpec,
};
pub use template::{Segment, Template, Text, TextPart, VarRef, is_var_name};
pub use throughput::*;
pub use units::{Duration, Percent};
pub use waiver::{Waiver, WaiverTargets, Waivers};

/// Where something was written: an index into the loader's list of source files, and a
/// 1-based line and column (in characters) with the length of the token for the caret.
///
/// The model keeps positions so that problems found later (a template that cannot be filled
/// for one node) can still point at the user's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

/// An identifier is valid for a node or an app: `[a-z0-9][a-z0-9-]*`, at most 64 characters.
/// Dots are excluded on purpose: JUnit class names join node ids with dots.
pub fn is_valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}
