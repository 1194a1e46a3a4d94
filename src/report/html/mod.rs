//! The HTML acceptance report (`report.html`): the document an acceptance committee reads,
//! prints on A4 and signs.
//!
//! It must stand on its own years later, on a machine without network access and with
//! JavaScript off, so it is one file: inline CSS, no scripts, no web fonts, no images (the
//! readiness matrix marks cells with a symbol as well as a colour, so a black-and-white copy
//! still reads). Everything in it comes from the [`Results`] record, which is why
//! `netaccept report` can make it again later.
//!
//! On paper it reads in the order a committee works: the run, the verdict, the readiness
//! matrix, the failures, the waivers and the sign-off, then the per-node results as an
//! appendix (`--details failures` leaves the passing ones out). Every printed page carries
//! its number, the run id and the first digits of the SHA-256 of the `results.json` it was
//! made from, through the print CSS (`@page` margin boxes): a loose page can be put back and
//! traced to its record. With `--split provincial` (`split`) a national run becomes one
//! document per provincial-level subtree, each signed on its own, and a short national
//! summary that links to them.
//!
//! Node names, messages, evidence and waiver reasons are untrusted text (an inventory is
//! edited by many hands, and evidence is whatever a target sent back): they reach the page
//! only through askama's HTML auto-escaping (`templates/report.html`); nothing here builds
//! markup by hand and nothing is marked `|safe`. The escaper is the page's own (`escape`):
//! askama's, with control characters shown in caret form (`^[`, `^G`, `^@`), so that
//! none reaches the page raw; line feeds and tabs are kept for evidence in `<pre>`. Text in
//! the `<style>` (the footers) is written as CSS escapes (`css`).
//!
//! The parts: `readiness` is the rule the readiness matrix applies (re-exported here), `page`
//! the model the template renders, `rows` its rows and cells, `format` its times and
//! measurements, `cert` the certificate box of a failed HTTPS check, `split` the documents
//! of `--split provincial`, `strings` every fixed string in both languages, `css` text for
//! the footers, and `escape` the escaper; `links` the section "link quality" (one table
//! per tier, figures with limits) and the path a failure carries; `history` and `history_strings` the parts a run
//! recorded in a history store gains (the changes since the last run, each check's strip of
//! its last results).

mod cert;
mod css;
pub(crate) mod escape; // askama.toml names it the escaper of every `.html` template
mod format;
mod history;
pub(crate) mod history_strings;
mod links;
mod page;
mod readiness;
mod rows;
mod split;
// The report's words, which the terminal's summary and progress reuse (`report::summary`).
pub(crate) mod strings;

use std::path::{Path, PathBuf};

use askama::Template;

use super::Lang;
use crate::results::Results;
use crate::trend::RunHistory;
use page::{Page, Scope};

pub use readiness::{
    ProvinceGroup, READY_MAX_NOT_PASSED_PCT, Readiness, province_groups, readiness,
};
pub use split::{PROVINCES_DIR, document_name};

/// What the appendix of per-node results lists (`--details`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Details {
    /// Every result.
    #[default]
    All,
    /// Only the results that did not pass; the document says how many it leaves out.
    Failures,
}

/// How the report is cut into documents (`--split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Split {
    /// One document, `report.html`.
    #[default]
    None,
    /// One document per provincial-level subtree (and one for the national centre) under
    /// `provinces/`, and a national summary as `report.html`.
    Provincial,
}

/// How the HTML report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub lang: Lang,
    pub details: Details,
    pub split: Split,
}

/// The acceptance report: one self-contained HTML page (inline CSS, no scripts, fonts or
/// images; readable without JavaScript), printable on A4, with every result.
pub fn render(results: &Results, lang: Lang) -> String {
    render_with(
        results,
        &Options {
            lang,
            ..Options::default()
        },
    )
}

/// [`render`] with the options: the one document of the whole record (`split` plays no
/// part here: see [`render_split`]).
pub fn render_with(results: &Results, opts: &Options) -> String {
    render_with_history(results, opts, None)
}

/// [`render_with`] for a run recorded in a history store: with `history`, the document
/// gains the section "changes since the last run" and, per node in the appendix, a strip of
/// each check's last results; with `None` it is [`render_with`]'s, byte for byte.
pub fn render_with_history(
    results: &Results,
    opts: &Options,
    history: Option<&RunHistory>,
) -> String {
    let sha = crate::report::json::sha256(results);
    // Rendering into a String fails only if a Display impl fails, and none of ours can.
    Page::new(results, *opts, &sha, Scope::Whole, history)
        .render()
        .expect("rendering the HTML report into a String cannot fail")
}

/// The documents of `--split provincial`, in memory: each one's path relative to the output
/// folder (`provinces/<id>.html` …, then `report.html`, the summary) and its text.
pub fn render_split(results: &Results, opts: &Options) -> Vec<(String, String)> {
    render_split_with_history(results, opts, None)
}

/// [`render_split`] with a history (see [`render_with_history`]): each province's document
/// shows its own nodes' changes and strips, the summary the whole run's changes.
pub fn render_split_with_history(
    results: &Results,
    opts: &Options,
    history: Option<&RunHistory>,
) -> Vec<(String, String)> {
    let sha = crate::report::json::sha256(results);
    let mut out = Vec::new();
    split::each(results, *opts, &sha, history, &mut |name, page| {
        let text = page
            .render()
            .expect("rendering the HTML report into a String cannot fail");
        out.push((name.to_string(), text));
        Ok(())
    })
    .expect("rendering into memory cannot fail");
    out
}

/// The document of the whole record, streamed into a writer as the template goes rather than
/// built whole first. `record_sha256`: the SHA-256 (hex) of the `results.json` bytes of this
/// record ([`crate::report::json::sha256`]), which the document prints. `history`: see
/// [`render_with_history`].
pub fn write(
    results: &Results,
    opts: &Options,
    history: Option<&RunHistory>,
    record_sha256: &str,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    Page::new(results, *opts, record_sha256, Scope::Whole, history).write_into(w)
}

/// Writes the HTML report of a record into `dir`: `report.html`, and with
/// [`Split::Provincial`] first `provinces/<id>.html` for each provincial-level subtree and
/// the national centre. Each file is written whole or not at all; one that cannot be written
/// does not stop the others, and the failures are returned with their paths. `history`:
/// see [`render_with_history`] and [`render_split_with_history`].
pub fn write_documents(
    dir: &Path,
    results: &Results,
    opts: &Options,
    history: Option<&RunHistory>,
    record_sha256: &str,
) -> Vec<(PathBuf, std::io::Error)> {
    let mut failures = Vec::new();
    match opts.split {
        Split::None => {
            let path = dir.join("report.html");
            if let Err(e) =
                super::write_atomic_with(&path, |w| write(results, opts, history, record_sha256, w))
            {
                failures.push((path, e));
            }
        }
        Split::Provincial => {
            let provinces = dir.join(PROVINCES_DIR);
            if let Err(e) = std::fs::create_dir_all(&provinces) {
                failures.push((provinces, e));
                return failures;
            }
            let _ = split::each(results, *opts, record_sha256, history, &mut |name, page| {
                let path = dir.join(name);
                if let Err(e) = super::write_atomic_with(&path, |w| page.write_into(w)) {
                    failures.push((path, e));
                }
                Ok(())
            });
        }
    }
    failures
}
