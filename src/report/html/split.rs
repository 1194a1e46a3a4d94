//! `--split provincial`: the report of a national run as one document per provincial-level
//! subtree and a national summary. Each province signs its own acceptance, and 1,700 printed
//! pages of one file are read by no one: a province's document holds its own verdict,
//! matrix row, failures in full, waivers, sign-off and appendix; the summary
//! (`report.html`) the national verdict, the matrix with one row per province (each linking
//! to its document), every failure on one line, the waivers and a sign-off, and no appendix.
//!
//! The groups are the readiness matrix's ([`province_groups`]): a provincial-level node with
//! its whole subtree, and the national centre with its own results and those of any node
//! under no provincial-level node. The centre's group gets a document of its own like a
//! province's (`provinces/<root id>.html`): the national centre signs for its own systems
//! too, and the summary stays a summary.
//!
//! A document is the same page made from a part of the record (`sub_record`): the group's
//! results, nodes and waivers, every check and app (the matrix keeps its columns). Its
//! footer prints the SHA-256 of the whole record's `results.json`, the file it was made from.
//!
//! With a history, each group's document shows its own nodes' changes and strips, and the
//! summary the whole run's changes (and no strips: it has no appendix).

use std::collections::HashMap;

use super::Options;
use super::page::{Page, Scope};
use super::readiness::{ProvinceGroup, province_groups};
use crate::model::Level;
use crate::results::{NodeIndex, Results, RunInfo, Summary};
use crate::trend::RunHistory;

/// The folder of the provinces' documents, in the output folder.
pub const PROVINCES_DIR: &str = "provinces";

/// The path of a group's document relative to the output folder: `provinces/<id>.html`.
///
/// The id comes from the record, which may have been edited by hand: it becomes a file name
/// only through `file_stem`, which keeps lower-case ASCII letters, digits and `-` (what
/// inventories use) and writes every other byte as `_xx`, so that no id names another
/// folder (`..`, `/`), a hidden file or another id's document.
pub fn document_name(id: &str) -> String {
    format!("{PROVINCES_DIR}/{}.html", file_stem(id))
}

fn file_stem(id: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Makes each document of the split, in the order they are written: every group's document,
/// then the summary (`report.html`) that links to them, so that a summary on disk never
/// links to a document not yet written. `f` gets each one's path (relative to the output
/// folder) and page.
pub(super) fn each(
    results: &Results,
    opts: Options,
    record_sha256: &str,
    history: Option<&RunHistory>,
    f: &mut dyn FnMut(&str, Page<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let ix = results.node_index();
    let mut links = HashMap::new();
    for g in province_groups(results) {
        let name = document_name(&g.node.id);
        let sub = sub_record(results, &ix, &g);
        let scope = Scope::Part {
            id: &g.node.id,
            centre: g.node.level != Level::Provincial,
        };
        f(&name, Page::new(&sub, opts, record_sha256, scope, history))?;
        links.insert(g.node.id.clone(), name);
    }
    f(
        "report.html",
        Page::new(
            results,
            opts,
            record_sha256,
            Scope::Summary { links: &links },
            history,
        ),
    )
}

/// The part of the record one group's document is made from.
fn sub_record(res: &Results, ix: &NodeIndex<'_>, g: &ProvinceGroup<'_>) -> Results {
    let at = ix.position(&g.node.id);
    let ours = |id: &str| ix.province_of(id) == at;
    let results: Vec<_> = g.results.iter().map(|&r| r.clone()).collect();
    Results {
        format: res.format.clone(),
        run: RunInfo {
            planned: results.len(),
            ..res.run.clone()
        },
        summary: Summary::of(&results),
        results,
        nodes: res.nodes.iter().filter(|n| ours(&n.id)).cloned().collect(),
        checks: res.checks.clone(),
        apps: res.apps.clone(),
        waivers: res
            .waivers
            .iter()
            .filter(|w| ours(&w.node))
            .cloned()
            .collect(),
        bundles: res.bundles.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_file_name_of_its_own() {
        assert_eq!(document_name("sx-coal"), "provinces/sx-coal.html");
        assert_eq!(file_stem("../etc"), "_2e_2e_2fetc");
        assert_eq!(file_stem("Sx"), "_53x");
        assert_eq!(file_stem("a_b"), "a_5fb");
        assert_eq!(file_stem(""), "_");
        assert_ne!(file_stem("a_5fb"), file_stem("a_b"));
    }
}
