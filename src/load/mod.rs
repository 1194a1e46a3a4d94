//! Loading: YAML files → raw serde types ([`raw`]) → the validated [`crate::model`].
//!
//! Loading reads files and nothing else: no name is resolved and no packet is sent, so
//! invalid input always aborts before any traffic. Every problem found is collected as a
//! [`Diagnostic`] (a file that does not parse stops only that file), and the caller gets
//! either a model that cannot be invalid or all of the problems at once.
//!
//! Files are read only when regular and small enough (`files`), parsed within a fixed
//! YAML budget and without tags (`yaml`), and every number is held to its limit
//! (`numbers`, [`crate::model::limits`]): what a file can cost is bounded before it is
//! trusted.

mod dns;
mod dns_values;
mod entry_start;
mod expect;
mod faults;
mod files;
mod header_expect;
mod http;
mod icmp;
mod inventory;
mod json_schema;
mod maintenance;
mod mtu;
mod needs;
mod numbers;
pub mod raw;
mod selector;
mod suite;
mod template;
mod throughput;
mod tls;
mod trace;
mod waivers;
mod yaml;

use std::path::{Path, PathBuf};

use serde_saphyr::Location;

pub use files::{MAX_FILE_BYTES, MAX_FOLDER_BYTES};
pub use maintenance::load_maintenance;
pub use yaml::{MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_VALUES};

use crate::diag::{Diagnostic, Sources};
use crate::model::{Fault, Inventory, Loc, Suite, WaiverTargets, Waivers};

/// Everything one invocation loaded, valid.
#[derive(Debug)]
pub struct Loaded {
    pub inventory: Inventory,
    pub suite: Option<Suite>,
    pub waivers: Option<Waivers>,
    /// The simulator's faults, when a faults file was given.
    pub faults: Option<Vec<Fault>>,
    /// Problems that do not stop anything (a selector that matches no node).
    pub warnings: Vec<Diagnostic>,
    pub sources: Sources,
    /// Which of `sources` make up the inventory, in the order read.
    pub inventory_files: Vec<u32>,
    pub suite_file: Option<u32>,
}

/// The problems that made loading fail, and the texts to show them against.
#[derive(Debug)]
pub struct Invalid {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
}

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub inventory: PathBuf,
    pub suite: Option<PathBuf>,
    pub waivers: Option<PathBuf>,
    /// The simulator's faults file.
    pub faults: Option<PathBuf>,
}

/// Loads and validates the inputs. Waivers need a suite: their check ids refer to it.
pub fn load(inputs: &Inputs) -> Result<Loaded, Invalid> {
    let mut ld = Loader::default();
    let inv_files = ld.read_inventory_files(&inputs.inventory);
    let raw_inv: Vec<(u32, raw::InventoryFile)> = ld.parse_each(&inv_files);
    let raw_suite = inputs
        .suite
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::SuiteFile>(f).map(|r| (f, r)));
    let raw_waivers = inputs
        .waivers
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::WaiversFile>(f).map(|r| (f, r)));

    let raw_faults = inputs
        .faults
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::FaultsFile>(f).map(|r| (f, r)));
    let suite_file = raw_suite.as_ref().map(|(f, _)| *f);
    let suite = raw_suite.map(|(f, r)| {
        let dir = inputs
            .suite
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        suite::build(&mut ld, f, r, dir)
    });
    let catalogue = suite.as_ref().map(|s| s.apps.as_slice());
    let inventory = inventory::build(&mut ld, raw_inv, catalogue);
    if let (Some(inv), Some(s)) = (&inventory, &suite) {
        selector::check_references(&mut ld, s, inv);
    }
    let targets = match (&inventory, &suite) {
        (Some(inv), Some(s)) => Some(WaiverTargets::from_model(inv, s)),
        _ => None,
    };
    let waivers = raw_waivers.map(|(f, r)| waivers::build(&mut ld, f, r, targets.as_ref()));
    let faults = raw_faults.map(|(f, r)| faults::build(&mut ld, f, r, inventory.as_ref()));

    if ld.diags.iter().any(Diagnostic::is_error) {
        return Err(Invalid {
            diagnostics: ld.diags,
            sources: ld.sources,
        });
    }
    Ok(Loaded {
        inventory: inventory.expect("no errors means the inventory was built"),
        suite,
        waivers,
        faults,
        warnings: ld.diags,
        sources: ld.sources,
        inventory_files: inv_files,
        suite_file,
    })
}

/// One loading pass: the files read so far and the problems found. Every build step of
/// [`load`] takes it (as `ld`), so each file and each diagnostic is recorded in one place.
#[derive(Default)]
pub(crate) struct Loader {
    pub sources: Sources,
    pub diags: Vec<Diagnostic>,
    /// JSON Schema files by path, compiled once however many checks name them (`None`: it
    /// could not be, and that was said where it was first named).
    pub schemas: std::collections::HashMap<PathBuf, Option<std::sync::Arc<jsonschema::Validator>>>,
    /// The `ca:` bundles looked into for intermediates, each once.
    pub ca_bundles: tls::SeenBundles,
}

impl Loader {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// Loads a waivers file on its own, checked against `targets` (for `netaccept report`, whose
/// targets come from a results file).
pub fn load_waivers(path: &Path, targets: &WaiverTargets) -> Result<(Waivers, Sources), Invalid> {
    let mut ld = Loader::default();
    let waivers = ld
        .read(path)
        .and_then(|f| ld.parse::<raw::WaiversFile>(f).map(|r| (f, r)))
        .map(|(f, r)| waivers::build(&mut ld, f, r, Some(targets)));
    match waivers {
        Some(w) if !ld.diags.iter().any(Diagnostic::is_error) => Ok((w, ld.sources)),
        _ => Err(Invalid {
            diagnostics: ld.diags,
            sources: ld.sources,
        }),
    }
}

/// A model position from a serde-saphyr one.
pub(crate) fn loc(file: u32, l: &Location) -> Loc {
    Loc {
        file,
        line: l.line() as u32,
        col: l.column() as u32,
        len: l.span().len() as u32,
    }
}

/// Position of a part of a string value: the value starts at `base`; `byte` is an offset in
/// the value. Exact for plain and single-line quoted scalars, which is what ids and templates
/// are; otherwise the value's start.
pub(crate) fn sub_loc(
    sources: &Sources,
    base: Loc,
    value: &str,
    byte: usize,
    len_chars: usize,
) -> Loc {
    let line = sources.files[base.file as usize]
        .line(base.line)
        .unwrap_or("");
    let rest: String = line
        .chars()
        .skip(base.col.saturating_sub(1) as usize)
        .collect();
    let quote: u32 = match rest.chars().next() {
        Some('"' | '\'') => 1,
        _ => 0,
    };
    let prefix = &value[..byte.min(value.len())];
    let fits = rest
        .chars()
        .skip(quote as usize)
        .collect::<String>()
        .starts_with(prefix);
    if !fits || prefix.contains('\n') {
        return base;
    }
    Loc {
        col: base.col + quote + prefix.chars().count() as u32,
        len: len_chars as u32,
        ..base
    }
}
