//! The maintenance file (`availability --maintenance FILE`) as written: declared windows of
//! planned work, whose results availability leaves out.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{NameStr, S};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "netaccept maintenance windows")]
pub struct MaintenanceFile {
    #[schemars(with = "Vec<RawMaintenanceWindow>")]
    pub maintenance: Vec<Spanned<RawMaintenanceWindow>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenanceWindow {
    /// RFC 3339 with an offset (`2026-11-10T22:00:00+08:00`), or a day (00:00 Beijing time).
    #[schemars(with = "String")]
    pub from: S,
    /// Exclusive; after `from`. Same forms as `from`.
    #[schemars(with = "String")]
    pub to: S,
    /// Node ids: these nodes and their subtrees. All nodes when absent.
    #[schemars(with = "Option<Vec<String>>")]
    pub nodes: Option<Spanned<Vec<S>>>,
    /// Glob patterns on check ids (`http.*`). All checks when absent.
    #[schemars(with = "Option<Vec<String>>")]
    pub checks: Option<Spanned<Vec<S>>>,
    /// App ids. All apps (and the checks that are not per app) when absent.
    #[schemars(with = "Option<Vec<String>>")]
    pub apps: Option<Spanned<Vec<S>>>,
    /// Why: the work done.
    #[schemars(with = "NameStr")]
    pub reason: S,
}
