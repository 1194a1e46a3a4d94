//! The rows and cells the template iterates over, and how a status or a roll-up is shown
//! in them: the symbol and CSS class of each status, matrix cell and readiness class. The
//! symbols are those of the legend, so a black-and-white copy still reads.

use std::borrow::Cow;

use super::css;
use super::readiness::Readiness;
use super::strings::Strings;
use crate::results::{ResultRecord, Status};

pub(super) struct HeaderRow {
    pub(super) label: &'static str,
    pub(super) value: String,
    /// Hashes and ids: monospace, and allowed to break anywhere.
    pub(super) mono: bool,
}

pub(super) struct StatusLabel {
    pub(super) class: &'static str,
    pub(super) symbol: &'static str,
    pub(super) label: &'static str,
}

pub(super) struct SeverityRow {
    pub(super) label: &'static str,
    pub(super) total: usize,
    pub(super) counts: Vec<usize>,
    pub(super) not_passed: usize,
}

pub(super) struct MatrixRow<'a> {
    pub(super) name: &'a str,
    pub(super) id: &'a str,
    /// In the summary of `--split provincial`: the row's document.
    pub(super) href: Option<&'a str>,
    pub(super) network: Cell,
    /// The HTTP(S) checks of no app (net.web, net.web-http).
    pub(super) web: Cell,
    pub(super) apps: Vec<Cell>,
    pub(super) class: &'static str,
    pub(super) label: &'static str,
}

pub(super) struct Cell {
    pub(super) class: &'static str,
    pub(super) symbol: &'static str,
    pub(super) text: String,
}

pub(super) struct FailureGroup<'a> {
    pub(super) name: &'a str,
    pub(super) id: &'a str,
    /// In the summary of `--split provincial`: the group's document.
    pub(super) href: Option<&'a str>,
    /// The group's failed, errored and skipped results, in words (the summary's line).
    pub(super) counts: String,
    pub(super) nodes: Vec<FailureNode<'a>>,
}

pub(super) struct FailureNode<'a> {
    /// The province's own node: its heading would repeat the province's.
    pub(super) is_group: bool,
    pub(super) name: &'a str,
    pub(super) path: &'a str,
    pub(super) host: &'a str,
    pub(super) items: Vec<FailureItem<'a>>,
    pub(super) skipped_note: String,
}

pub(super) struct FailureItem<'a> {
    pub(super) check: &'a str,
    pub(super) check_id: &'a str,
    pub(super) app: &'a str,
    pub(super) severity: &'static str,
    pub(super) status: StatusLabel,
    pub(super) kind: &'a str,
    /// This and the other texts from the target: capped ([`crate::report::text`]).
    pub(super) expected: Cow<'a, str>,
    pub(super) measured: Cow<'a, str>,
    pub(super) attempts: u32,
    pub(super) message: Cow<'a, str>,
    pub(super) target: Cow<'a, str>,
    pub(super) evidence: Option<Cow<'a, str>>,
    /// In the Chinese report, when `message` is the TLS finding's sentence: the record's
    /// own message, which may say more (the redirect hop).
    pub(super) recorded: Option<Cow<'a, str>>,
    /// The waiver that would have covered it, had it not expired, in the report's language.
    pub(super) waiver_expired: Option<String>,
    /// The path traced at the failure, with the last hop that answered, in the report's
    /// language; `None` without path evidence.
    pub(super) path: Option<String>,
    /// For the certificate box, made when the template reaches it
    /// ([`Page::cert_box`](super::page::Page::cert_box)).
    pub(super) record: &'a ResultRecord,
}

pub(super) struct WaiverRow<'a> {
    pub(super) node: &'a str,
    pub(super) node_id: &'a str,
    pub(super) check: &'a str,
    pub(super) check_id: &'a str,
    pub(super) app: &'a str,
    pub(super) reason: &'a str,
    pub(super) approved_by: &'a str,
    pub(super) expires: String,
    pub(super) in_force: bool,
    pub(super) state: &'static str,
    pub(super) used: String,
    pub(super) unused: bool,
    /// Expired, with failures it would have covered: `used` says how many.
    pub(super) not_waived: bool,
}

pub(super) struct NodeDetails<'a> {
    pub(super) name: &'a str,
    pub(super) id: &'a str,
    pub(super) path: &'a str,
    pub(super) level: &'static str,
    pub(super) kind: &'static str,
    pub(super) host: &'a str,
    /// In record order. Each becomes a [`DetailRow`] only when the template reaches it
    /// ([`Page::detail_row`](super::page::Page::detail_row)), so that the rows of a national run (18,000, each with its
    /// text) are never all in memory at once.
    pub(super) rows: Vec<&'a ResultRecord>,
    /// With a history: every result of the node, for its strips (empty without).
    pub(super) strip: Vec<&'a ResultRecord>,
}

pub(super) struct DetailRow<'a> {
    pub(super) check: &'a str,
    pub(super) app: &'a str,
    /// This and the details: capped ([`crate::report::text`]).
    pub(super) target: Cow<'a, str>,
    pub(super) severity: &'static str,
    pub(super) status: StatusLabel,
    pub(super) details: Cow<'a, str>,
    pub(super) time_ms: String,
    pub(super) attempts: u32,
}

/// The page footers and header of the print CSS (`@page` margin boxes), each the inside of
/// a CSS string ([`css::string`]).
pub(super) struct Footer {
    /// Bottom left: the run id.
    pub(super) run: String,
    /// Bottom centre: `第 ` counter(page) ` 页 共 ` counter(pages) ` 页`.
    pub(super) page_before: String,
    pub(super) page_between: String,
    pub(super) page_after: String,
    /// Bottom right: the first 16 hex digits of the record's SHA-256, labelled so.
    pub(super) sha: String,
    /// Top right: what the document covers (a province, the summary); empty for the whole.
    pub(super) scope: String,
}

impl Footer {
    pub(super) fn new(
        t: &Strings,
        run_id: &str,
        record_sha256: &str,
        scope: Option<&str>,
    ) -> Footer {
        let (before, rest) = t.page_of.split_once("{n}").unwrap_or((t.page_of, ""));
        let (between, after) = rest.split_once("{m}").unwrap_or((rest, ""));
        let prefix: String = record_sha256.chars().take(16).collect();
        Footer {
            run: css::string(&format!("{} {run_id}", t.run_id)),
            page_before: css::string(before),
            page_between: css::string(between),
            page_after: css::string(after),
            sha: css::string(&format!("{} {prefix}", t.record_sha_prefix)),
            scope: css::string(scope.unwrap_or("")),
        }
    }
}

pub(super) fn status_label(t: &Strings, s: Status) -> StatusLabel {
    let (class, symbol) = match s {
        Status::Passed => ("st-passed", "✔"),
        Status::Failed => ("st-failed", "✘"),
        // U+FE0E asks for the text form, so no emoji font is needed.
        Status::Errored => ("st-errored", "⚠\u{FE0E}"),
        Status::Skipped => ("st-skipped", "⊘"),
        Status::Waived => ("st-waived", "◐"),
        Status::NotReported => ("st-not-reported", "∅"),
    };
    StatusLabel {
        class,
        symbol,
        label: t.status(s),
    }
}

/// The roll-up of a matrix cell: the symbols are those of the legend.
pub(super) fn cell<'r>(results: impl Iterator<Item = &'r ResultRecord>) -> Cell {
    let (mut total, mut not_passed, mut waived) = (0usize, 0usize, 0usize);
    let mut not_reported = 0usize;
    for r in results {
        total += 1;
        match r.status {
            Status::Passed => {}
            Status::NotReported => {
                not_reported += 1;
                not_passed += 1;
            }
            // A skip behind a waived failure is waived with it (see `readiness`).
            Status::Waived => waived += 1,
            Status::Skipped if r.need_waived => waived += 1,
            _ => not_passed += 1,
        }
    }
    let (class, symbol, text) = if total == 0 {
        ("cell-none", "—", String::new())
    } else if not_reported == total {
        // Nothing here was reported (a vantage that sent no bundle): not a failure seen, but
        // not passed either.
        ("cell-fail", "∅", format!("{not_reported}/{total}"))
    } else if not_passed > 0 {
        ("cell-fail", "✘", format!("{not_passed}/{total}"))
    } else if waived > 0 {
        ("cell-waived", "◐", format!("{waived}/{total}"))
    } else {
        ("cell-pass", "✔", String::new())
    };
    Cell {
        class,
        symbol,
        text,
    }
}

pub(super) fn readiness_class(r: Readiness) -> &'static str {
    match r {
        Readiness::Ready => "rd-ready",
        Readiness::InProgress => "rd-progress",
        Readiness::NotReady => "rd-not",
    }
}

/// The column of a status in the count tables, which list [`Status::ALL`] in order.
pub(super) fn status_index(s: Status) -> usize {
    Status::ALL
        .iter()
        .position(|&x| x == s)
        .expect("Status::ALL lists every status")
}
