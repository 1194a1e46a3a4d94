//! Waivers validation: every waiver names a known node, check and (optionally) app.

use chrono::NaiveDate;

use super::raw::WaiversFile;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{Waiver, WaiverTargets, Waivers};

/// Validates the waivers against what they may name. Without targets (the inventory or the
/// suite had errors of their own), only what the waivers file says by itself is checked, so
/// that every problem is still reported in one pass.
pub(crate) fn build(
    ld: &mut Loader,
    f: u32,
    raw: WaiversFile,
    targets: Option<&WaiverTargets>,
) -> Waivers {
    let mut waivers = Vec::new();
    for w in raw.waivers {
        let at = loc(f, &w.referenced);
        let w = w.value;
        let mut ok = true;
        if let Some(t) = targets {
            if !t.nodes.contains(&w.node.value) {
                ok = false;
                let hint = suggest::did_you_mean(&w.node.value, t.nodes.iter().map(String::as_str))
                    .unwrap_or_else(|| "a waiver names a node id of the inventory".into());
                ld.push(
                    Diagnostic::error(
                        loc(f, &w.node.referenced),
                        format!("waiver for unknown node `{}`", w.node.value),
                    )
                    .with_hint(hint),
                );
            }
            let check = t.checks.iter().find(|(id, _)| *id == w.check.value);
            if check.is_none() {
                ok = false;
                let hint =
                    suggest::did_you_mean(&w.check.value, t.checks.iter().map(|(c, _)| c.as_str()))
                        .unwrap_or_else(|| "a waiver names a check id of the suite".into());
                ld.push(
                    Diagnostic::error(
                        loc(f, &w.check.referenced),
                        format!("waiver for unknown check `{}`", w.check.value),
                    )
                    .with_hint(hint),
                );
            }
            if let Some(a) = &w.app {
                if let Some((id, false)) = check {
                    ok = false;
                    ld.push(
                        Diagnostic::error(
                            loc(f, &a.referenced),
                            format!("check `{id}` is not per app, so a waiver cannot name an app"),
                        )
                        .with_hint("remove `app:`, or waive a check that has `for_each_app: true`"),
                    );
                } else if !t.apps.contains(&a.value) {
                    ok = false;
                    let hint = suggest::did_you_mean(&a.value, t.apps.iter().map(String::as_str))
                        .unwrap_or_else(|| {
                            "a waiver's `app` is an app id of the suite's catalogue".into()
                        });
                    ld.push(
                        Diagnostic::error(
                            loc(f, &a.referenced),
                            format!("waiver for unknown app `{}`", a.value),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
        for (s, what) in [(&w.reason, "reason"), (&w.approved_by, "approved_by")] {
            if s.value.trim().is_empty() {
                ok = false;
                ld.push(
                    Diagnostic::error(loc(f, &s.referenced), format!("empty `{what}` in waiver"))
                        .with_hint("a waiver says why it exists and who approved it"),
                );
            }
        }
        let expires = NaiveDate::parse_from_str(w.expires.value.trim(), "%Y-%m-%d");
        if expires.is_err() {
            ok = false;
            ld.push(
                Diagnostic::error(
                    loc(f, &w.expires.referenced),
                    format!("invalid date `{}`", w.expires.value),
                )
                .with_hint("a calendar day written `YYYY-MM-DD`, e.g. `2026-12-31`"),
            );
        }
        if let (true, Ok(expires)) = (ok, expires) {
            waivers.push(Waiver {
                node: w.node.value,
                check: w.check.value,
                app: w.app.map(|a| a.value),
                reason: w.reason.value,
                approved_by: w.approved_by.value,
                expires,
                loc: at,
            });
        }
    }
    Waivers { waivers }
}
