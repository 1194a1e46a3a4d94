//! The report's history parts, for a run recorded in a history store: the section "changes
//! since the last run" (the previous run, the counts, then each list: new failures,
//! recoveries, still failing with since when, flapping started, stopped and now, measured
//! regressions before → after) and, per node in the appendix, a strip of each check's last
//! [`STRIP_RUNS`] results, oldest first, each cell a colour and a symbol (the symbols of the
//! statuses everywhere else in the report, so that a black-and-white copy reads).
//!
//! Made from a [`RunHistory`] the caller worked out from the store; without one the report
//! has neither part and is byte for byte what it was. A province's document of `--split
//! provincial` shows its own nodes' changes, the summary the whole run's.

use std::borrow::Cow;

use super::format::when;
use super::history_strings::HistoryStrings;
use super::page::Names;
use super::rows::{HeaderRow, StatusLabel, status_label};
use super::strings::{Strings, fill};
use crate::history::ItemKey;
use crate::report::Lang;
use crate::report::diff::measure_value;
use crate::report::text::{FIELD_CAP, cap};
use crate::report::words;
use crate::results::{NodeIndex, ResultRecord, Status};
use crate::trend::{Change, Diff, Flap, RunHistory, STRIP_RUNS};

/// The section "changes since the last run".
pub(super) struct Changes<'a> {
    /// The previous run, as the run's header shows a run; empty for the first run of its
    /// suite and scope, which has nothing to compare with.
    pub(super) previous: Vec<HeaderRow>,
    /// A province's document: the lists hold its own nodes only.
    pub(super) part: bool,
    pub(super) counts: Vec<CountRow>,
    /// The lists that are not empty, in the order of the counts.
    pub(super) lists: Vec<ChangeList<'a>>,
}

pub(super) struct CountRow {
    pub(super) label: &'static str,
    pub(super) n: usize,
}

pub(super) struct ChangeList<'a> {
    /// For the heading's anchor (`changes-<id>`).
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) rows: Vec<ChangeRow<'a>>,
}

pub(super) struct ChangeRow<'a> {
    pub(super) node: &'a str,
    pub(super) node_id: &'a str,
    pub(super) check: &'a str,
    pub(super) check_id: &'a str,
    pub(super) app: &'a str,
    /// The status before, shown `before → after`; `None` where the change is not a status.
    pub(super) before: Option<StatusLabel>,
    pub(super) after: Option<StatusLabel>,
    /// After the statuses: the flapping percent, the measurement before → after.
    pub(super) change: String,
    pub(super) kind: &'a str,
    /// Since when, and the later run's message (capped like every message of the report).
    pub(super) note: Cow<'a, str>,
}

/// A column head of the strips: a run's start in Beijing time (blank before the first
/// recorded run).
pub(super) struct StripHead {
    pub(super) date: String,
    pub(super) time: String,
}

/// One cell of a strip.
pub(super) struct StripCell {
    pub(super) class: &'static str,
    pub(super) symbol: &'static str,
}

/// A check's strip: its check and app names and [`STRIP_RUNS`] cells.
pub(super) struct StripRow<'a> {
    pub(super) check: &'a str,
    pub(super) app: &'a str,
    pub(super) cells: Vec<StripCell>,
}

/// The section for a document, with the nodes and the check and app names of its page.
/// `part`: a province's document, which keeps the changes of its own nodes (those of
/// `nodes`) only.
pub(super) fn changes<'a>(
    t: &'static Strings,
    h: &'static HistoryStrings,
    lang: Lang,
    history: &'a RunHistory,
    nodes: &NodeIndex<'a>,
    names: &Names<'a>,
    part: bool,
) -> Changes<'a> {
    let Some(diff) = &history.diff else {
        return Changes {
            previous: Vec::new(),
            part,
            counts: Vec::new(),
            lists: Vec::new(),
        };
    };
    let row = |label, value: String, mono| HeaderRow { label, value, mono };
    let previous = vec![
        row(h.previous_run, diff.a.id.clone(), true),
        row(h.previous_started, when(t, diff.a.started), false),
        row(h.compared_scope, diff.b.scope.clone(), true),
        row(
            h.compared,
            fill(h.compared_n, &[("n", &diff.compared.to_string())]),
            false,
        ),
    ];
    let keep = |id: &str| !part || nodes.position(id).is_some();
    let lists = lists(t, h, lang, diff, nodes, names, &keep);
    let counts = lists
        .iter()
        .map(|l| CountRow {
            label: l.title,
            n: l.rows.len(),
        })
        .collect();
    Changes {
        previous,
        part,
        counts,
        lists: lists.into_iter().filter(|l| !l.rows.is_empty()).collect(),
    }
}

/// Every list, empty ones too, in the order of the counts (which are read from them).
fn lists<'a>(
    t: &'static Strings,
    h: &'static HistoryStrings,
    lang: Lang,
    diff: &'a Diff,
    nodes: &NodeIndex<'a>,
    names: &Names<'a>,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<ChangeList<'a>> {
    // The earlier status of an item the earlier run did not have.
    let absent = || StatusLabel {
        class: "st-skipped",
        symbol: "—",
        label: h.absent,
    };
    // An item's row with its names and nothing else: each list fills in its own columns.
    let item = |key: &'a ItemKey| ChangeRow {
        node: nodes
            .get(&key.node)
            .map_or(key.node.as_str(), |n| n.name.as_str()),
        node_id: &key.node,
        check: names.check(&key.check),
        check_id: &key.check,
        app: names.app(key.app.as_deref()),
        before: None,
        after: None,
        change: String::new(),
        kind: "",
        note: Cow::Borrowed(""),
    };
    let change_row = |c: &'a Change, with_before: bool, note: Cow<'a, str>| ChangeRow {
        before: with_before.then(|| match c.before {
            Some(s) => status_label(t, s),
            None => absent(),
        }),
        after: Some(status_label(t, c.after)),
        kind: if c.after == Status::Passed {
            ""
        } else {
            c.kind.as_deref().unwrap_or("")
        },
        note,
        ..item(&c.key)
    };
    let flap_row = |f: &'a Flap| ChangeRow {
        change: fill(h.flap_percent, &[("pct", &format!("{:.1}", f.percent))]),
        ..item(&f.key)
    };
    let message = |c: &'a Change| cap(&c.message, FIELD_CAP);
    let flaps = |id, title, fs: &'a [Flap]| ChangeList {
        id,
        title,
        rows: fs
            .iter()
            .filter(|f| keep(&f.key.node))
            .map(flap_row)
            .collect(),
    };
    vec![
        ChangeList {
            id: "new-failures",
            title: h.new_failures,
            rows: diff
                .new_failures
                .iter()
                .filter(|c| keep(&c.key.node))
                .map(|c| change_row(c, true, message(c)))
                .collect(),
        },
        ChangeList {
            id: "recoveries",
            title: h.recoveries,
            rows: diff
                .recoveries
                .iter()
                .filter(|c| keep(&c.key.node))
                .map(|c| change_row(c, true, Cow::Borrowed("")))
                .collect(),
        },
        ChangeList {
            id: "still-failing",
            title: h.still_failing,
            rows: diff
                .still_failing
                .iter()
                .filter(|c| keep(&c.key.node))
                .map(|c| {
                    let since = c.since.map(|at| fill(h.since, &[("when", &when(t, at))]));
                    let note = match since {
                        Some(s) if c.message.is_empty() => Cow::Owned(s),
                        Some(s) => Cow::Owned(format!("{s}{}{}", t.colon, message(c))),
                        None => message(c),
                    };
                    change_row(c, false, note)
                })
                .collect(),
        },
        flaps(
            "flapping-started",
            h.flapping_started,
            &diff.flapping_started,
        ),
        flaps(
            "flapping-stopped",
            h.flapping_stopped,
            &diff.flapping_stopped,
        ),
        flaps("flapping-now", h.flapping_now, &diff.flapping),
        ChangeList {
            id: "regressions",
            title: h.regressions,
            rows: diff
                .regressions
                .iter()
                .filter(|r| keep(&r.key.node))
                .map(|r| ChangeRow {
                    change: format!(
                        "{} {} → {}",
                        words::labels::label(&r.measure, lang),
                        measure_value(&r.measure, r.before),
                        measure_value(&r.measure, r.after)
                    ),
                    ..item(&r.key)
                })
                .collect(),
        },
    ]
}

/// The strips' column heads: blank ones first where fewer than [`STRIP_RUNS`] runs are
/// recorded, then each run's start (Beijing date and time), this run's marked so.
pub(super) fn strip_head(h: &HistoryStrings, history: &RunHistory) -> Vec<StripHead> {
    let runs = &history.runs[history.runs.len().saturating_sub(STRIP_RUNS)..];
    let mut head: Vec<StripHead> = (runs.len()..STRIP_RUNS)
        .map(|_| StripHead {
            date: String::new(),
            time: String::new(),
        })
        .collect();
    for (i, run) in runs.iter().enumerate() {
        let bj = crate::model::beijing::local(run.started);
        head.push(StripHead {
            date: bj.format("%m-%d").to_string(),
            time: if i + 1 == runs.len() {
                h.this_run.to_string()
            } else {
                bj.format("%H:%M").to_string()
            },
        });
    }
    head
}

/// A result's strip: [`STRIP_RUNS`] cells, oldest first, aligned on the newest run (blank
/// cells first when fewer runs are recorded).
pub(super) fn strip_cells(t: &Strings, history: &RunHistory, r: &ResultRecord) -> Vec<StripCell> {
    let key = ItemKey {
        node: r.node.clone(),
        check: r.check.clone(),
        app: r.app.clone(),
    };
    let shown = history.runs.len().min(STRIP_RUNS);
    let states = history.strips.get(&key).map_or(&[][..], Vec::as_slice);
    // The states line up with the runs, newest last; a shorter list lacks the oldest.
    let states = &states[states.len().saturating_sub(shown)..];
    let mut cells: Vec<StripCell> = (0..STRIP_RUNS - shown)
        .map(|_| StripCell {
            class: "h-pad",
            symbol: "",
        })
        .collect();
    cells.extend((states.len()..shown).map(|_| none()));
    cells.extend(states.iter().map(|s| match s {
        Some(s) => {
            let l = status_label(t, *s);
            StripCell {
                class: l.class,
                symbol: l.symbol,
            }
        }
        None => none(),
    }));
    cells
}

fn none() -> StripCell {
    StripCell {
        class: "h-none",
        symbol: "—",
    }
}

/// The statuses of the strips' legend, in the order of the report's counts.
pub(super) fn legend(t: &Strings) -> Vec<StatusLabel> {
    Status::ALL.iter().map(|&s| status_label(t, s)).collect()
}
