//! Waivers validation: every waiver names a known node, check and (optionally) app.

use chrono::NaiveDate;

use super::raw::WaiversFile;
use super::{Cx, loc, suggest};
use crate::diag::Diagnostic;
use crate::model::{Inventory, Suite, Waiver, Waivers};

/// Validates the waivers. Without a valid inventory or suite (they had errors of their
/// own), only what the waivers file says by itself is checked, so that every problem is
/// still reported in one pass.
pub(crate) fn build(
    cx: &mut Cx,
    f: u32,
    raw: WaiversFile,
    inv: Option<&Inventory>,
    suite: Option<&Suite>,
) -> Waivers {
    let mut waivers = Vec::new();
    for w in raw.waivers {
        let at = loc(f, &w.referenced);
        let w = w.value;
        let node = inv.and_then(|inv| inv.find(&w.node.value));
        if let (None, Some(inv)) = (node, inv) {
            let hint = suggest::did_you_mean(&w.node.value, inv.ids())
                .unwrap_or_else(|| "a waiver names a node id of the inventory".into());
            cx.push(
                Diagnostic::error(
                    loc(f, &w.node.referenced),
                    format!("waiver for unknown node `{}`", w.node.value),
                )
                .with_hint(hint),
            );
        }
        let check = suite.and_then(|s| s.find_check(&w.check.value));
        if let (None, Some(suite)) = (check, suite) {
            let hint =
                suggest::did_you_mean(&w.check.value, suite.checks.iter().map(|c| c.id.as_str()))
                    .unwrap_or_else(|| "a waiver names a check id of the suite".into());
            cx.push(
                Diagnostic::error(
                    loc(f, &w.check.referenced),
                    format!("waiver for unknown check `{}`", w.check.value),
                )
                .with_hint(hint),
            );
        }
        let mut app = None;
        if let (Some(a), Some(suite)) = (&w.app, suite) {
            let plain_check = check.filter(|&c| !suite.check(c).for_each_app);
            if let Some(c) = plain_check {
                cx.push(
                    Diagnostic::error(
                        loc(f, &a.referenced),
                        format!(
                            "check `{}` is not per app, so a waiver cannot name an app",
                            suite.check(c).id
                        ),
                    )
                    .with_hint("remove `app:`, or waive a check that has `for_each_app: true`"),
                );
            } else {
                app = suite.find_app(&a.value);
                if app.is_none() {
                    let hint =
                        suggest::did_you_mean(&a.value, suite.apps.iter().map(|x| x.id.as_str()))
                            .unwrap_or_else(|| {
                                "a waiver's `app` is an app id of the suite's catalogue".into()
                            });
                    cx.push(
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
                cx.push(
                    Diagnostic::error(loc(f, &s.referenced), format!("empty `{what}` in waiver"))
                        .with_hint("a waiver says why it exists and who approved it"),
                );
            }
        }
        let expires = match NaiveDate::parse_from_str(w.expires.value.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                cx.push(
                    Diagnostic::error(
                        loc(f, &w.expires.referenced),
                        format!("invalid date `{}`", w.expires.value),
                    )
                    .with_hint("a calendar day written `YYYY-MM-DD`, e.g. `2026-12-31`"),
                );
                None
            }
        };
        if let (Some(node), Some(check), Some(expires)) = (node, check, expires) {
            waivers.push(Waiver {
                node,
                check,
                app,
                reason: w.reason.value,
                approved_by: w.approved_by.value,
                expires,
                loc: at,
            });
        }
    }
    Waivers { waivers }
}
