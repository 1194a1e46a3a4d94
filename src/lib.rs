//! netaccept: network interconnection and system acceptance testing for a hierarchical
//! government network.
//!
//! The pipeline is visible in the modules, and dependencies point one way along it
//! (ARCHITECTURE.md has the whole map and what each module may import):
//!
//! - [`load`]: YAML files → the validated [`model`], every problem as a [`diag`]nostic with
//!   `file:line:col`; reads files, sends nothing;
//! - [`model`]: inventories, suites, waivers and faults as typed values; no I/O;
//! - [`plan`]: the suite expanded over the inventory into (node, check, app) items, each with
//!   its filled probe, timeout, retries and `needs`;
//! - [`probe`]: one prober per protocol (ICMP, TCP, DNS, HTTP), each returning an
//!   [`outcome`];
//! - [`run`]: the runner: limits, timeouts, retries, `needs`, cancellation; emits [`event`]s;
//! - [`report`]: the reporters fed by those events (progress, journal, the record) and the
//!   report files made from the finished [`results`] record;
//! - [`engine`]: the library API that drives all of the above for a command, with typed
//!   [`error`]s mapped to [`exit`] codes in one place;
//! - [`cli`]: the command line (the only module that knows the argument parser);
//! - [`sim`]: the simulator the probers are tested against, sharing no code with them;
//! - [`schema`]: JSON Schemas of the input files.
//!
//! Developer tasks (the national inventory generator, CI, benchmarks) live in the `xtask`
//! crate beside this one: `cargo xtask help`.

pub mod bundle;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod error;
pub mod event;
pub mod exit;
pub mod history;
pub mod load;
pub mod model;
pub mod notify;
pub mod outcome;
pub mod par;
pub mod plan;
pub mod probe;
#[cfg(test)]
pub(crate) mod props;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod sim;
pub mod trend;
