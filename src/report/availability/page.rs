//! The page model of the availability report: every string the template
//! (`templates/availability.html`) shows, made here so the template only lays it out.

use askama::Template;
use chrono::{DateTime, Utc};

use super::percent;
use super::strings::{Strings, strings};
use crate::report::Lang;
use crate::trend::{Availability, Counts, Row};

/// One table row: a name, its id and the numbers as shown.
pub(super) struct Line {
    name: String,
    id: String,
    up: u64,
    down: u64,
    maintenance: u64,
    unknown: u64,
    percent: String,
    /// Below 100 % (for the row's colour; the percent itself says it in black and white).
    short: bool,
}

/// A table of the report.
pub(super) struct Table {
    anchor: &'static str,
    title: &'static str,
    what: &'static str,
    lines: Vec<Line>,
}

/// A declared window, as shown.
pub(super) struct WindowLine {
    from: String,
    to: String,
    nodes: String,
    checks: String,
    apps: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "availability.html")]
struct Page<'a> {
    t: &'static Strings,
    version: &'static str,
    suite: &'a str,
    suite_name: &'a str,
    period: String,
    /// The period as the print footer shows it (dates only: nothing from the user's files
    /// reaches the CSS).
    period_footer: String,
    scopes: String,
    generated: String,
    overall: Line,
    tables: Vec<Table>,
    windows: Vec<WindowLine>,
    /// The name on the tester's line of the sign-off block (`templates/signoff.html`, which
    /// the acceptance report shares): none, a period's report has no operator.
    operator: &'static str,
}

fn line(name: &str, id: &str, c: &Counts) -> Line {
    Line {
        name: name.to_string(),
        id: id.to_string(),
        up: c.up,
        down: c.down,
        maintenance: c.maintenance,
        unknown: c.unknown,
        percent: percent(c),
        short: c.down > 0,
    }
}

fn lines(rows: &[Row]) -> Vec<Line> {
    rows.iter()
        .map(|r| line(&r.name, &r.id, &r.counts))
        .collect()
}

/// A time in Beijing time, as the period's days are.
fn beijing(at: DateTime<Utc>) -> String {
    crate::model::beijing::local(at)
        .format("%Y-%m-%d %H:%M:%S (UTC+08:00)")
        .to_string()
}

pub(super) fn render(a: &Availability, lang: Lang) -> String {
    let t = strings(lang);
    let list = |v: &[String]| {
        if v.is_empty() {
            t.all.to_string()
        } else {
            v.join(", ")
        }
    };
    let mut tables = Vec::new();
    for (anchor, title, what, rows) in [
        ("provinces", t.sec_provinces, t.province, &a.provinces),
        ("nodes", t.sec_nodes, t.node, &a.nodes),
        ("checks", t.sec_checks, t.check, &a.checks),
        ("apps", t.sec_apps, t.app, &a.apps),
    ] {
        // A suite without per-app checks has no app table.
        if anchor == "apps" && rows.is_empty() {
            continue;
        }
        tables.push(Table {
            anchor,
            title,
            what,
            lines: lines(rows),
        });
    }
    let page = Page {
        t,
        version: env!("CARGO_PKG_VERSION"),
        suite: &a.suite,
        suite_name: &a.suite_name,
        period: format!(
            "{}{}{}{}",
            a.period.from, t.period_to, a.period.to, t.period_zone
        ),
        period_footer: format!("{} – {}", a.period.from, a.period.to),
        scopes: if a.scopes.is_empty() {
            t.none.to_string()
        } else {
            a.scopes.join(", ")
        },
        generated: beijing(a.generated),
        overall: line(t.total, "", &a.overall),
        tables,
        windows: a
            .maintenance
            .windows
            .iter()
            .map(|w| WindowLine {
                from: w.from.to_rfc3339(),
                to: w.to.to_rfc3339(),
                nodes: list(&w.nodes),
                checks: list(&w.checks),
                apps: list(&w.apps),
                reason: w.reason.clone(),
            })
            .collect(),
        operator: "",
    };
    page.render().expect("the availability template renders")
}
