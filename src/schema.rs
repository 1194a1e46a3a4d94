//! JSON Schemas of the input files, for editor completion (`netaccept schema …`), and of the
//! summary document `run --format json` prints (`netaccept schema summary`).
//!
//! The input files' are generated from the loader's own raw types ([`crate::load::raw`]), so
//! a key the schema lists is a key the loader accepts, and an unknown key fails both; the
//! summary's from the type that writes it ([`crate::report::summary_doc`]).

use schemars::generate::SchemaSettings;

use crate::load::raw::{FaultsFile, InventoryFile, SuiteFile, WaiversFile};
use crate::report::summary_doc::SummaryDoc;

/// Which input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Inventory,
    Suite,
    Waivers,
    Faults,
    /// Not an input: the document `run --format json` prints.
    Summary,
}

/// The schema as pretty JSON (draft 2020-12).
pub fn schema(which: Which) -> String {
    let g = SchemaSettings::draft2020_12().into_generator();
    let s = match which {
        Which::Inventory => g.into_root_schema_for::<InventoryFile>(),
        Which::Suite => g.into_root_schema_for::<SuiteFile>(),
        Which::Waivers => g.into_root_schema_for::<WaiversFile>(),
        Which::Faults => g.into_root_schema_for::<FaultsFile>(),
        Which::Summary => g.into_root_schema_for::<SummaryDoc>(),
    };
    serde_json::to_string_pretty(&s).expect("a schema serialises")
}
