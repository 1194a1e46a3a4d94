//! A check's selector (`where:`): the raw selector → [`Selector`], and what the selectors
//! of a suite say about an inventory.

use serde_saphyr::Spanned;

use super::inventory::parse_enum;
use super::raw::RawSelector;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{App, Inventory, Kind, Level, Loc, Selector, Suite};

/// Checks what a suite says about an inventory: the node ids its selectors name, and
/// selectors that take no node at all (a warning: the suite may serve other inventories).
pub(crate) fn check_references(ld: &mut Loader, suite: &Suite, inv: &Inventory) {
    for c in &suite.checks {
        for (id, at) in &c.selector.nodes {
            if inv.find(id).is_none() {
                let hint = suggest::did_you_mean(id, inv.ids())
                    .unwrap_or_else(|| "`where.nodes` names node ids of the inventory".into());
                ld.push(
                    Diagnostic::error(*at, format!("unknown node `{id}` in `where.nodes`"))
                        .with_hint(hint),
                );
            }
        }
        let all_known = c
            .selector
            .nodes
            .iter()
            .all(|(id, _)| inv.find(id).is_some());
        if let (Some(at), true) = (c.selector.loc, all_known)
            && !inv
                .order
                .iter()
                .any(|&n| c.selector.matches(inv, &suite.apps, n))
        {
            ld.push(
                Diagnostic::warning(
                    at,
                    format!(
                        "the selector of check `{}` matches no node of the inventory",
                        c.id
                    ),
                )
                .with_hint("the check will not run; is this the inventory you meant?"),
            );
        }
    }
}

pub(super) fn selector(
    ld: &mut Loader,
    f: u32,
    s: &Spanned<RawSelector>,
    apps: &[App],
) -> Selector {
    let r = &s.value;
    let levels = r
        .level
        .iter()
        .filter_map(|l| {
            parse_enum(
                ld,
                f,
                l,
                "level",
                &Level::ALL.map(Level::as_str),
                Level::parse,
            )
        })
        .collect();
    let kinds = r
        .kind
        .iter()
        .filter_map(|k| parse_enum(ld, f, k, "kind", &Kind::ALL.map(Kind::as_str), Kind::parse))
        .collect();
    let mut app_idx = Vec::new();
    for a in &r.apps {
        if let Some(i) = apps.iter().position(|x| x.id == a.value) {
            app_idx.push(crate::model::AppIdx(i as u32));
        } else {
            let hint = suggest::did_you_mean(&a.value, apps.iter().map(|x| x.id.as_str()))
                .unwrap_or_else(|| "`where.apps` names apps of the suite's catalogue".into());
            ld.push(
                Diagnostic::error(
                    loc(f, &a.referenced),
                    format!("unknown app `{}` in `where.apps`", a.value),
                )
                .with_hint(hint),
            );
        }
    }
    Selector {
        levels,
        kinds,
        tags: r.tags.iter().map(|t| t.value.clone()).collect(),
        nodes: r
            .nodes
            .iter()
            .map(|n| (n.value.clone(), loc(f, &n.referenced)))
            .collect(),
        apps: app_idx,
        loc: Some(Loc {
            len: 0,
            ..loc(f, &s.referenced)
        }),
    }
}
