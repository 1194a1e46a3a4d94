//! The maintenance file: declared windows of planned work, each checked where it is written
//! (times, order, a reason, node ids the history knows), every problem at once.
//!
//! Times are RFC 3339 with an offset; a day alone means 00:00 Beijing time, the zone the
//! availability report's days are in. A time without an offset is refused rather than
//! guessed: a window read in the wrong zone would hide eight hours of real outage.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde_saphyr::Spanned;

use super::raw::{MaintenanceFile, S};
use super::{Invalid, Loader, loc};
use crate::diag::{Diagnostic, Sources, suggest};
use crate::model::maintenance::{Maintenance, MaintenanceWindow};

/// Loads a maintenance file, its node ids checked against `known_nodes` (the history's
/// catalog of the suite). The sources come back for warnings to be shown against; there are
/// none today.
pub fn load_maintenance<H: BuildHasher>(
    path: &Path,
    known_nodes: &HashSet<String, H>,
) -> Result<(Maintenance, Sources), Invalid> {
    let mut ld = Loader::default();
    let m = ld
        .read(path)
        .and_then(|f| ld.parse::<MaintenanceFile>(f).map(|r| (f, r)))
        .map(|(f, r)| build(&mut ld, f, r, known_nodes));
    match m {
        Some(m) if !ld.diags.iter().any(Diagnostic::is_error) => Ok((m, ld.sources)),
        _ => Err(Invalid {
            diagnostics: ld.diags,
            sources: ld.sources,
        }),
    }
}

fn build<H: BuildHasher>(
    ld: &mut Loader,
    f: u32,
    raw: MaintenanceFile,
    known: &HashSet<String, H>,
) -> Maintenance {
    let mut windows = Vec::new();
    for w in raw.maintenance {
        let w = w.value;
        let from = time(ld, f, &w.from);
        let to = time(ld, f, &w.to);
        let mut ok = from.is_some() && to.is_some();
        if let (Some(a), Some(b)) = (from, to)
            && b <= a
        {
            ok = false;
            ld.push(
                Diagnostic::error(
                    loc(f, &w.to.referenced),
                    format!(
                        "`to` ({}) is not after `from` ({})",
                        w.to.value, w.from.value
                    ),
                )
                .with_hint("a window is [from, to): `to` is the first moment after the work"),
            );
        }
        if w.reason.value.trim().is_empty() {
            ok = false;
            ld.push(
                Diagnostic::error(loc(f, &w.reason.referenced), "empty `reason`")
                    .with_hint("say what the work was, e.g. `reason: 线路割接`"),
            );
        }
        let nodes = list(ld, f, w.nodes.as_ref(), "nodes", &mut ok);
        for n in w.nodes.iter().flat_map(|l| &l.value) {
            if !known.contains(&n.value) {
                ok = false;
                let hint = suggest::did_you_mean(&n.value, known.iter().map(String::as_str))
                    .unwrap_or_else(|| "a node id of the suite's runs in the history".into());
                ld.push(
                    Diagnostic::error(loc(f, &n.referenced), format!("unknown node `{}`", n.value))
                        .with_hint(hint),
                );
            }
        }
        let checks = list(ld, f, w.checks.as_ref(), "checks", &mut ok);
        let apps = list(ld, f, w.apps.as_ref(), "apps", &mut ok);
        if let (true, Some(from), Some(to)) = (ok, from, to) {
            windows.push(MaintenanceWindow {
                from,
                to,
                nodes,
                checks,
                apps,
                reason: w.reason.value,
            });
        }
    }
    Maintenance { windows }
}

/// A list of ids or patterns; an empty list (which would cover nothing) or an empty entry is
/// an error.
fn list(
    ld: &mut Loader,
    f: u32,
    l: Option<&Spanned<Vec<S>>>,
    key: &str,
    ok: &mut bool,
) -> Vec<String> {
    let Some(l) = l else { return Vec::new() };
    if l.value.is_empty() {
        *ok = false;
        ld.push(
            Diagnostic::error(loc(f, &l.referenced), format!("empty `{key}` list"))
                .with_hint(format!("remove `{key}:` to cover every one, or list some")),
        );
    }
    for s in &l.value {
        if s.value.trim().is_empty() {
            *ok = false;
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("empty entry in `{key}`"))
                    .with_hint("write an id or pattern, or remove the entry"),
            );
        }
    }
    l.value.iter().map(|s| s.value.trim().to_string()).collect()
}

/// An RFC 3339 time with an offset, or a day (00:00 Beijing time).
fn time(ld: &mut Loader, f: u32, s: &S) -> Option<DateTime<FixedOffset>> {
    let v = s.value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t);
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return crate::model::beijing::offset()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single();
    }
    let no_offset = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").is_ok();
    let hint = if no_offset {
        format!("add the offset: `{v}+08:00` for Beijing time")
    } else {
        "RFC 3339 with an offset, `2026-11-10T22:00:00+08:00`, or a day, `2026-11-10` (00:00 Beijing time)".into()
    };
    ld.push(
        Diagnostic::error(loc(f, &s.referenced), format!("invalid time `{}`", s.value))
            .with_hint(hint),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Maintenance, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("maintenance.yaml");
        std::fs::write(&p, text).unwrap();
        let known: HashSet<String> = ["national", "sx", "sx-ty"].map(String::from).into();
        load_maintenance(&p, &known)
            .map(|(m, _)| m)
            .map_err(|mut e| {
                crate::diag::render_all(&mut e.diagnostics, &e.sources)
                    .replace(&format!("{}", dir.path().display()), "")
            })
    }

    #[test]
    fn a_window_with_every_key() {
        let m = load(
            "maintenance:\n  - from: 2026-11-10T22:00:00+08:00\n    to: 2026-11-11\n    nodes: [sx]\n    checks: [\"http.*\"]\n    apps: [dispatch]\n    reason: 线路割接\n  - { from: 2026-11-12T01:00:00Z, to: 2026-11-12T02:00:00Z, reason: x }\n",
        )
        .unwrap();
        assert_eq!(m.windows.len(), 2);
        let w = &m.windows[0];
        assert_eq!(w.from.to_rfc3339(), "2026-11-10T22:00:00+08:00");
        // A day alone is midnight in Beijing.
        assert_eq!(w.to.to_rfc3339(), "2026-11-11T00:00:00+08:00");
        assert_eq!(w.nodes, ["sx"]);
        assert_eq!(w.checks, ["http.*"]);
        assert_eq!(w.apps, ["dispatch"]);
        assert_eq!(w.reason, "线路割接");
        assert!(m.windows[1].nodes.is_empty());
    }

    #[test]
    fn every_problem_at_once_at_its_place() {
        let e = load(concat!(
            "maintenance:\n",
            "  - from: 2026-11-10 22:00\n",
            "    to: 2026-11-10T22:00:00\n",
            "    reason: \" \"\n",
            "  - from: 2026-11-12T02:00:00+08:00\n",
            "    to: 2026-11-12T01:00:00+08:00\n",
            "    nodes: [sxx, nowhere]\n",
            "    reason: r\n",
        ))
        .unwrap_err();
        for want in [
            "maintenance.yaml:2:11",
            "invalid time `2026-11-10 22:00`",
            "maintenance.yaml:3:9",
            "add the offset: `2026-11-10T22:00:00+08:00`",
            "maintenance.yaml:4:13",
            "empty `reason`",
            "maintenance.yaml:6:9",
            "is not after `from`",
            "maintenance.yaml:7:13",
            "unknown node `sxx`",
            "did you mean `sx`?",
            "maintenance.yaml:7:18",
            "unknown node `nowhere`",
        ] {
            assert!(e.contains(want), "missing {want:?} in\n{e}");
        }
        assert_eq!(e.matches("error: ").count(), 6, "{e}");
    }

    #[test]
    fn unknown_keys_and_empty_lists() {
        let e =
            load("maintenance:\n  - { from: 2026-11-10, to: 2026-11-11, reason: r, node: [sx] }\n")
                .unwrap_err();
        assert!(e.contains("unknown key `node`"), "{e}");
        assert!(e.contains("did you mean `nodes`?"), "{e}");
        let e =
            load("maintenance:\n  - { from: 2026-11-10, to: 2026-11-11, reason: r, checks: [] }\n")
                .unwrap_err();
        assert!(e.contains("empty `checks` list"), "{e}");
        assert!(e.contains("maintenance.yaml:2:"), "{e}");
    }
}
