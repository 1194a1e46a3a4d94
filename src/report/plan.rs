//! The plan as `netaccept plan` shows it: a table for people, JSON (`netaccept-plan/1`) for
//! scripts. Secrets print as `***`. Made from the plan alone; nothing is sent.
//!
//! A cell of the table may hold text from the inventory (a target made of a node's name or
//! vars): it is shown on one line with its control characters in caret form
//! ([`visible::line`]), measured as shown, so that the table neither reaches the terminal
//! raw nor loses its alignment. The JSON carries the text as it is, escaped by JSON.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diag::{visible, width};
use crate::model::{Inventory, Suite};
use crate::plan::{Plan, Share, counts};

pub fn table(plan: &Plan, inv: &Inventory, suite: &Suite) -> String {
    let head = ["NODE", "CHECK", "APP", "SEVERITY", "TARGET"];
    // The check, app and severity cells borrow from the suite rather than being copied
    // into each of the rows (272,497 of them for ten times the national network).
    let rows: Vec<[Cow<'_, str>; 5]> = plan
        .items
        .iter()
        .map(|it| {
            let c = suite.check(it.check);
            [
                one_line(inv.path(it.node)),
                one_line(c.id.as_str()),
                one_line(it.app.map_or("-", |a| suite.app(a).id.as_str())),
                Cow::Borrowed(c.severity.as_str()),
                one_line(it.probe.target_display()),
            ]
        })
        .collect();
    let mut widths = head.map(width);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(cell));
        }
    }
    let row_len = widths.iter().sum::<usize>() + 2 * widths.len() + 1;
    let mut out = String::with_capacity(row_len.saturating_mul(rows.len() + 1));
    let mut line = |cells: [&str; 5]| {
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < 4 {
                for _ in width(cell)..widths[i] + 2 {
                    out.push(' ');
                }
            }
        }
        out.push('\n');
    };
    line(head);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    let nodes: BTreeSet<_> = plan.items.iter().map(|it| it.node).collect();
    let crate::plan::Counts { by_level, by_check } = counts(plan, inv, suite);
    let _ = writeln!(
        out,
        "\n{} on {} (suite `{}`)",
        plural(plan.items.len(), "item"),
        plural(nodes.len(), "node"),
        suite.id
    );
    let _ = writeln!(
        out,
        "by level: {}",
        by_level
            .iter()
            .map(|(l, n)| format!("{} {n}", l.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "by check: {}",
        by_check
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}

/// A cell as [`visible::line`] shows it, not copied when it holds no control character.
fn one_line<'a>(cell: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let cell = cell.into();
    match visible::line(&cell) {
        Cow::Borrowed(_) => None,
        Cow::Owned(shown) => Some(shown),
    }
    .map_or(cell, Cow::Owned)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    format: &'static str,
    suite: &'a str,
    items: Vec<JsonItem<'a>>,
    counts: JsonCounts,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    node: &'a str,
    path: String,
    check: &'a str,
    app: Option<&'a str>,
    severity: &'static str,
    probe: &'static str,
    target: String,
    timeout_ms: u128,
    retries: u32,
    needs: Vec<JsonNeed<'a>>,
    /// The vantage that probes the item's node.
    vantage: &'a str,
}

#[derive(Serialize)]
struct JsonNeed<'a> {
    check: &'a str,
    app: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonCounts {
    total: usize,
    nodes: usize,
    by_level: serde_json::Map<String, serde_json::Value>,
    by_check: serde_json::Map<String, serde_json::Value>,
}

pub fn json(plan: &Plan, inv: &Inventory, suite: &Suite) -> String {
    let app_id = |a: Option<crate::model::AppIdx>| a.map(|a| suite.app(a).id.as_str());
    let items = plan
        .items
        .iter()
        .map(|it| {
            let c = suite.check(it.check);
            JsonItem {
                node: &inv.node(it.node).id,
                path: inv.path(it.node),
                check: &c.id,
                app: app_id(it.app),
                severity: c.severity.as_str(),
                probe: it.probe.kind(),
                target: it.probe.target_display(),
                timeout_ms: c.timeout.as_std().as_millis(),
                retries: c.retries,
                needs: it
                    .needs
                    .iter()
                    .map(|&n| JsonNeed {
                        check: &suite.check(plan.items[n].check).id,
                        app: app_id(plan.items[n].app),
                    })
                    .collect(),
                vantage: &inv.node(inv.vantage_of(it.node)).id,
            }
        })
        .collect();
    let crate::plan::Counts { by_level, by_check } = counts(plan, inv, suite);
    let nodes: BTreeSet<_> = plan.items.iter().map(|it| it.node).collect();
    let doc = JsonPlan {
        format: "netaccept-plan/1",
        suite: &suite.id,
        items,
        counts: JsonCounts {
            total: plan.items.len(),
            nodes: nodes.len(),
            by_level: by_level
                .into_iter()
                .map(|(l, n)| (l.as_str().to_string(), n.into()))
                .collect(),
            by_check: by_check.into_iter().map(|(c, n)| (c, n.into())).collect(),
        },
    };
    serde_json::to_string_pretty(&doc).expect("plan serialises") + "\n"
}

/// `plan --vantages`: each vantage with its probe host, then the nodes it probes, one line
/// of ids; and the statement that every item is in exactly one share.
pub fn vantages_table(plan: &Plan, inv: &Inventory, shares: &[Share]) -> String {
    let mut out = String::new();
    for s in shares {
        let v = inv.node(s.vantage);
        let host = v
            .vantage
            .as_ref()
            .and_then(|x| x.probe_host.as_deref())
            .unwrap_or("-");
        let _ = writeln!(
            out,
            "{}  {}  probe host {}: {}, {}",
            one_line(v.id.clone()),
            one_line(v.name.clone()),
            one_line(host.to_string()),
            plural(s.nodes.len(), "node"),
            plural(s.items.len(), "item")
        );
        if !s.nodes.is_empty() {
            let ids: Vec<&str> = s.nodes.iter().map(|&n| inv.node(n).id.as_str()).collect();
            let _ = writeln!(out, "  {}", one_line(ids.join(" ")));
        }
    }
    let _ = writeln!(out, "\n{}", exactly_one_line(plan, shares));
    out
}

/// What `validate` and `plan --vantages` state once [`crate::plan::exactly_one`] holds:
/// `1037 items over 5 vantages, each in exactly one`.
pub fn exactly_one_line(plan: &Plan, shares: &[Share]) -> String {
    format!(
        "{} over {}, each in exactly one",
        plural(plan.items.len(), "item"),
        plural(shares.len(), "vantage")
    )
}

#[derive(Serialize)]
struct JsonVantages<'a> {
    format: &'static str,
    items: usize,
    vantages: Vec<JsonVantage<'a>>,
}

#[derive(Serialize)]
struct JsonVantage<'a> {
    id: &'a str,
    name: &'a str,
    path: String,
    probe_host: Option<&'a str>,
    /// The nodes it probes that have items, in inventory order.
    nodes: Vec<&'a str>,
    items: usize,
}

/// `plan --vantages --format json` (`netaccept-vantages/1`).
pub fn vantages_json(plan: &Plan, inv: &Inventory, shares: &[Share]) -> String {
    let doc = JsonVantages {
        format: "netaccept-vantages/1",
        items: plan.items.len(),
        vantages: shares
            .iter()
            .map(|s| {
                let v = inv.node(s.vantage);
                JsonVantage {
                    id: &v.id,
                    name: &v.name,
                    path: inv.path(s.vantage),
                    probe_host: v.vantage.as_ref().and_then(|x| x.probe_host.as_deref()),
                    nodes: s.nodes.iter().map(|&n| inv.node(n).id.as_str()).collect(),
                    items: s.items.len(),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("vantages serialise") + "\n"
}
