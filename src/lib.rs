//! netaccept: network interconnection and system acceptance testing for a hierarchical
//! government network.
//!
//! The pipeline is visible in the modules, and dependencies point one way along it:
//! [`load`] turns the user's YAML into the validated [`model`] (no traffic), [`plan`]
//! expands a suite over an inventory into (node, check, app) items, and [`cli`] wires the
//! commands. The model does no I/O; loading never touches the network.

pub mod cli;
pub mod dev;
pub mod diag;
pub mod exit;
pub mod load;
pub mod model;
pub mod outcome;
pub mod plan;
pub mod probe;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod sim;
