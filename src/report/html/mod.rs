//! The HTML acceptance report (`report.html`): the document an acceptance committee reads,
//! prints on A4 and signs.
//!
//! It must stand on its own years later, on a machine without network access and with
//! JavaScript off, so it is one file: inline CSS, no scripts, no web fonts, no images (the
//! readiness matrix marks cells with a symbol as well as a colour, so a black-and-white copy
//! still reads). Everything in it comes from the [`Results`] record, which is why
//! `netaccept report` can make it again later.
//!
//! Node names, messages, evidence and waiver reasons are untrusted text (an inventory is
//! edited by many hands, and evidence is whatever a target sent back): they reach the page
//! only through askama's HTML auto-escaping (`templates/report.html`); nothing here builds
//! markup by hand and nothing is marked `|safe`. The escaper is the page's own (`escape`):
//! askama's, with control characters shown in caret form (`^[`, `^G`, `^@`), so that
//! none reaches the page raw; line feeds and tabs are kept for evidence in `<pre>`.
//!
//! The parts: `readiness` is the rule the readiness matrix applies (re-exported here), `page`
//! the model the template renders, `rows` its rows and cells, `format` its times and
//! measurements, `cert` the certificate box of a failed HTTPS check, `strings` every fixed string in both languages, and `escape` the escaper.

mod cert;
mod escape;
mod format;
mod page;
mod readiness;
mod rows;
mod strings;

use askama::Template;

use super::Lang;
use crate::results::Results;
use page::Page;

pub use readiness::{
    ProvinceGroup, READY_MAX_NOT_PASSED_PCT, Readiness, province_groups, readiness,
};

/// The acceptance report: one self-contained HTML page (inline CSS, no scripts, fonts or
/// images; readable without JavaScript), printable on A4.
pub fn render(results: &Results, lang: Lang) -> String {
    let page = Page::new(results, lang);
    // Rendering into a String fails only if a Display impl fails, and none of ours can.
    page.render()
        .expect("rendering the HTML report into a String cannot fail")
}

/// [`render`], streamed into a writer as the template goes rather than built whole first.
pub fn write(results: &Results, lang: Lang, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    Page::new(results, lang).write_into(w)
}
