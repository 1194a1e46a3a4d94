//! The `cli` test binary: what the `netaccept` command line makes of its inputs, with no
//! network involved. Loading, validating and planning inventories, suites and waivers
//! (through the binary and through `netaccept::load` / `netaccept::plan`), the diagnostics
//! and exit codes for bad input (the golden corpus `tests/fixtures/invalid/`), the JSON
//! Schemas, `--help` and usage errors.
//!
//! Not here: anything that sends a packet or starts a server. A prober against real servers
//! goes in `tests/probes`, the simulator in `tests/sim`, a whole `netaccept run` in
//! `tests/e2e`, and what a report contains in `tests/reports`. The index of the test
//! binaries is `tests/README.md`.
//!
//! Nothing here needs root, a network namespace or an external tool.

/// `validate` and `plan` on the bundled example, `--help`, usage errors and exit codes.
mod commands;
/// Legal DNS names and expectations (every dot form, UTS 46, DNS rather than hostname rules) load and plan.
mod dns_names;
/// Every option settable from the environment (`NETACCEPT_…`), the rule checked on clap's tree.
mod env_vars;
/// Input files that are not small regular files: folder entries, size caps, FIFOs.
mod input_files;
/// Golden diagnostics of bad input; `NETACCEPT_BLESS=1` rewrites them.
mod invalid_inputs;
/// The generated national inventory (~3,400 nodes) loads, validates and plans.
mod national;
/// `on_demand`: checks planned only when `--check` names them exactly, and the note that
/// names those left out.
mod on_demand;
/// Planning through the library API: vars, `for_each_app`, `needs`, order, selection, secrets.
mod plan;
/// Property tests (proptest): loading mutated and random inputs, and `validate` on them.
mod properties;
/// `netaccept schema`: the JSON Schemas agree with the bundled files and with the loader.
mod schema;
/// An `http:` check's TLS keys (`tls.min_version`, client certificates) and the load warnings about them.
mod tls_keys;
/// The `township` level: loading, `--level township`, the plan's counts.
mod township;
/// Vantages and shards: the assignment, `--vantage`, `--shard`, `plan --vantages`, `validate`'s statement.
mod vantages;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    #[path = "../../src/props.rs"]
    pub mod props;
}

use std::path::Path;
use std::process::{Command, Output};

/// The checkout: the bundled inventories and suites are relative to it.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, run from the checkout, without the example suites' secret set.
fn netaccept(args: &[&str]) -> Output {
    netaccept_in(root(), args)
}

/// The real binary, run in `dir`, without the example suites' secret set.
fn netaccept_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(args)
        .current_dir(dir)
        .env_remove("NETACCEPT_TOKEN")
        // A run from the checkout keeps its history under target/, never in the checkout's
        // reports/ (the default store).
        .env(
            "NETACCEPT_HISTORY",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-history.sqlite"),
        )
        .output()
        .expect("run netaccept")
}
