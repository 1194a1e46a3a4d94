//! The page model: everything the template (`templates/report.html`) shows, computed from
//! the record in [`Page::new`] so that the template only lays it out. One model for the
//! three kinds of document ([`Scope`]): the whole record, a province's part of it, and the
//! national summary of `--split provincial`.
//!
//! Text that comes from the targets (messages, expectations, targets, evidence and
//! measurements) is capped here as the JUnit file caps it ([`crate::report::text`]), so that
//! a target answering with megabytes cannot make the page as large.

use std::collections::{BTreeMap, HashMap};

use askama::Template;

use std::borrow::Cow;

use super::cert::{self, CertBox};
use super::format::{measurements, span, when};
use super::history::{self as hist, Changes, StripHead, StripRow};
use super::history_strings::{HistoryStrings, history_strings};
use super::links::{LinkStrings, LinkTier, link_strings};
use super::readiness::{province_groups, readiness};
use super::rows::{
    DetailRow, FailureGroup, FailureItem, FailureNode, Footer, HeaderRow, MatrixRow, NodeDetails,
    SeverityRow, StatusLabel, WaiverRow, cell, readiness_class, status_index, status_label,
};
use super::strings::{Strings, fill, strings, strings_with};
use super::{Details, Options};
use crate::model::Severity;
use crate::report::Lang;
use crate::report::text::{BODY_CAP, FIELD_CAP, cap};
use crate::report::waive::{expired_note, not_waived_note};
use crate::report::words;
use crate::results::{ResultRecord, Results, Status, WaiverState};
use crate::trend::{RunHistory, STRIP_RUNS};

/// Which document a page is.
#[derive(Clone, Copy)]
pub(super) enum Scope<'a> {
    /// The whole record: `report.html` without `--split`.
    Whole,
    /// `--split provincial`'s `report.html`: the matrix's rows link to the groups' documents
    /// (by the group node's id), the failures are one line each, and there is no appendix.
    Summary { links: &'a HashMap<String, String> },
    /// One group's document, made from its part of the record: the group's node `id`, and
    /// whether that is the national centre (with the nodes under no provincial-level node)
    /// rather than a province.
    Part { id: &'a str, centre: bool },
}

/// One bundle of a merged record, as the header's table of bundles lists it.
pub(super) struct BundleRow {
    name: String,
    /// The vantage's id, with the shard (`sx (2/4)`) when the bundle is one.
    vantage: String,
    /// The signer's key id, or the words for an unsigned bundle.
    signer: String,
    host: String,
    window: String,
    run_id: String,
    manifest: String,
}

/// What the template shows, prepared here so the template stays markup. The template is
/// `templates/report.html`, found by askama from the crate root whatever this file's place.
#[derive(Template)]
#[template(path = "report.html")]
pub(super) struct Page<'a> {
    t: &'static Strings,
    lang: Lang,
    suite_name: &'a str,
    /// Under the title: the province's name for its document, 全国汇总 for the summary.
    subtitle: Option<String>,
    /// A province's document: the way back to the summary.
    summary_href: Option<&'static str>,
    /// The summary: one line per failure, no appendix.
    summary: bool,
    /// The print CSS's footers, as CSS string contents.
    footer: Footer,
    complete: bool,
    banner_detail: String,
    header: Vec<HeaderRow>,
    /// A merged record's bundles (empty for a single run): who signed each, where and when
    /// it ran, its run id and manifest hash.
    bundles: Vec<BundleRow>,
    /// The matrix legend's words for `∅` when some result is `not_reported`.
    not_reported_legend: Option<&'static str>,
    passed: bool,
    severities: Vec<SeverityRow>,
    severity_total: SeverityRow,
    statuses: Vec<StatusLabel>,
    app_names: Vec<&'a str>,
    matrix: Vec<MatrixRow<'a>>,
    matrix_total: Option<MatrixRow<'a>>,
    failures: Vec<FailureGroup<'a>>,
    waivers: Vec<WaiverRow<'a>>,
    details: Vec<NodeDetails<'a>>,
    details_heading: &'static str,
    /// Under `--details failures`: what the appendix leaves out.
    details_note: Option<String>,
    /// Check and app display names by id, for the rows [`Page::detail_row`] makes.
    names: Names<'a>,
    operator: &'a str,
    version: &'a str,
    run_id: &'a str,
    /// The history parts' strings; used only with a history.
    hs: &'static HistoryStrings,
    /// With a history: the section "changes since the last run".
    changes: Option<Changes<'a>>,
    /// With a history, in a document with an appendix: what the strips are made from.
    history: Option<&'a RunHistory>,
    /// The strips' column heads; empty without strips.
    strip_head: Vec<StripHead>,
    strip_legend: Vec<StatusLabel>,
    strip_caption: String,
    strip_note: String,
    /// The section "link quality": its strings, and its tables (none: no section).
    ls: &'static LinkStrings,
    link_tiers: Vec<LinkTier<'a>>,
    /// After the matrix's rule, when the record has path MTU, path or throughput checks:
    /// that the network column rolls them up too.
    link_rule: Option<&'static str>,
}

impl<'a> Page<'a> {
    pub(super) fn new(
        res: &'a Results,
        opts: Options,
        record_sha256: &str,
        scope: Scope<'a>,
        history: Option<&'a RunHistory>,
    ) -> Page<'a> {
        let lang = opts.lang;
        // The summary of `--split provincial` shows the national → provincial links; each
        // province's document, made from its part of the record, its own.
        let link_tiers = super::links::tiers(
            res,
            strings(lang),
            lang,
            matches!(scope, Scope::Summary { .. }),
        );
        let t = strings_with(lang, !link_tiers.is_empty());
        let hs = history_strings(lang);
        let run = &res.run;
        let ix = res.node_index();
        let crate::results::Lookup {
            checks: check_names,
            apps: app_names,
            ..
        } = res.lookup();
        let names = Names {
            checks: check_names,
            apps: app_names,
        };
        let check_probe: HashMap<&str, &str> = res
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.probe.as_str()))
            .collect();
        let check_name = |id: &'a str| names.check(id);
        let app_name = |id: &'a Option<String>| names.app(id.as_deref());
        // Records an interrupted run added for what it never reached are not results.
        let not_run = res.not_run();
        let planned = run.planned.max(res.results.len());
        let done = planned.saturating_sub(not_run).to_string();
        let planned = planned.to_string();
        let progress = [("done", done.as_str()), ("planned", planned.as_str())];

        let row = |label, value: String| HeaderRow {
            label,
            value,
            mono: false,
        };
        let mono = |label, value: &str| HeaderRow {
            label,
            value: value.to_string(),
            mono: true,
        };
        let scope_node = match &scope {
            Scope::Part { id, .. } => ix.get(id),
            _ => None,
        };
        let scope_text = match (&scope, scope_node) {
            (Scope::Whole, _) => None,
            (Scope::Summary { .. }, _) => Some(t.scope_summary.to_string()),
            (Scope::Part { id, centre }, node) => {
                let name = node.map_or(*id, |n| n.name.as_str());
                let text = if *centre {
                    t.scope_centre
                } else {
                    t.scope_province
                };
                Some(fill(text, &[("name", name), ("id", id)]))
            }
        };
        let mut header = vec![
            row(t.suite, format!("{} ({})", run.suite_name, run.suite)),
            mono(t.run_id, &run.id),
            mono(t.inventory_sha, &run.inventory_sha256),
            mono(t.suite_sha, &run.suite_sha256),
            mono(t.record_sha, record_sha256),
            row(
                t.tool_version,
                format!("netaccept {}", run.netaccept_version),
            ),
            row(t.vantage, run.vantage.clone()),
            row(t.started, when(t, run.started)),
            row(t.finished, when(t, run.finished)),
            row(t.duration, span(run.finished - run.started)),
            row(
                t.operator,
                if run.operator.is_empty() {
                    "—".to_string()
                } else {
                    run.operator.clone()
                },
            ),
            row(
                t.selection,
                if run.selection.is_empty() {
                    t.selection_all.to_string()
                } else {
                    run.selection.join(" ")
                },
            ),
            row(t.results_count, fill(t.results_of_planned, &progress)),
            row(
                t.completeness,
                (if run.complete {
                    t.complete
                } else {
                    t.interrupted
                })
                .to_string(),
            ),
        ];
        if let Some(text) = scope_text {
            header.insert(0, row(t.scope, text));
        }

        // Verdict: the exit code's rule, so the paper and the CI agree.
        let severities: Vec<SeverityRow> = Severity::ALL
            .iter()
            .map(|&sev| {
                let mut counts = vec![0; Status::ALL.len()];
                for r in res.results.iter().filter(|r| r.severity == sev) {
                    counts[status_index(r.status)] += 1;
                }
                SeverityRow {
                    label: t.severity(sev),
                    total: counts.iter().sum(),
                    // An item no bundle of a merge reported was never shown to work.
                    not_passed: counts[status_index(Status::Failed)]
                        + counts[status_index(Status::Errored)]
                        + counts[status_index(Status::NotReported)],
                    counts,
                }
            })
            .collect();
        let mut total_counts = vec![0; Status::ALL.len()];
        for s in &severities {
            for (acc, c) in total_counts.iter_mut().zip(&s.counts) {
                *acc += c;
            }
        }
        let severity_total = SeverityRow {
            label: t.total,
            total: total_counts.iter().sum(),
            not_passed: severities.iter().map(|s| s.not_passed).sum(),
            counts: total_counts,
        };
        let passed = severity_total.not_passed == 0;

        let groups = province_groups(res);
        let is_network = |r: &ResultRecord| {
            matches!(
                check_probe.get(r.check.as_str()).copied(),
                Some("icmp" | "tcp" | "dns" | "mtu" | "trace" | "throughput")
            )
        };
        // The web server's own answer (net.web, net.web-http): an HTTP check of no app. It
        // gates every app check of the node, so it has a column of its own rather than
        // hiding in none.
        let is_web = |r: &ResultRecord| {
            r.app.is_none() && check_probe.get(r.check.as_str()).copied() == Some("http")
        };
        let links = match &scope {
            Scope::Summary { links } => Some(*links),
            _ => None,
        };
        let matrix_row = |name: &'a str, id: &'a str, rs: &[&'a ResultRecord]| {
            let rd = readiness(rs.iter().copied());
            MatrixRow {
                name,
                id,
                href: links.and_then(|l| l.get(id)).map(String::as_str),
                network: cell(rs.iter().copied().filter(|r| is_network(r))),
                web: cell(rs.iter().copied().filter(|r| is_web(r))),
                apps: res
                    .apps
                    .iter()
                    .map(|a| cell(rs.iter().copied().filter(|r| r.app.as_ref() == Some(&a.id))))
                    .collect(),
                class: readiness_class(rd),
                label: rd.label(lang),
            }
        };
        let matrix: Vec<MatrixRow<'a>> = groups
            .iter()
            .map(|g| matrix_row(&g.node.name, &g.node.id, &g.results))
            .collect();
        // A total only adds information when there is more than one row to add up.
        let matrix_total = (matrix.len() > 1).then(|| {
            let all: Vec<&ResultRecord> = res.results.iter().collect();
            matrix_row(t.all_nodes, "", &all)
        });

        let mut failures = Vec::new();
        for g in &groups {
            let mut nodes: Vec<FailureNode<'a>> = Vec::new();
            // Keyed by tree position, then by id for a node the list lacks.
            let mut by_node: BTreeMap<(usize, &str), Vec<&'a ResultRecord>> = BTreeMap::new();
            for &r in &g.results {
                let pos = ix.position(&r.node).unwrap_or(usize::MAX);
                by_node.entry((pos, &r.node)).or_default().push(r);
            }
            for rs in by_node.into_values() {
                let items: Vec<FailureItem<'a>> = rs
                    .iter()
                    .filter(|r| matches!(r.status, Status::Failed | Status::Errored))
                    .map(|r| {
                        let (message, recorded) = failure_message(r, lang);
                        FailureItem {
                            check: check_name(&r.check),
                            check_id: &r.check,
                            app: app_name(&r.app),
                            severity: t.severity(r.severity),
                            status: status_label(t, r.status),
                            kind: r.kind.as_deref().unwrap_or(""),
                            expected: cap(r.expected.as_deref().unwrap_or(""), FIELD_CAP),
                            measured: cap(r.measured.as_deref().unwrap_or(""), FIELD_CAP),
                            attempts: r.attempts,
                            message,
                            target: cap(&r.target, FIELD_CAP),
                            evidence: r
                                .evidence
                                .as_deref()
                                .filter(|e| !e.is_empty())
                                .map(|e| cap(e, BODY_CAP)),
                            recorded,
                            waiver_expired: r
                                .waiver_expired
                                .as_ref()
                                .map(|w| expired_note(w, lang)),
                            path: super::links::failure_path(r, lang),
                            record: r,
                        }
                    })
                    .collect();
                if items.is_empty() {
                    continue;
                }
                let skipped = rs.iter().filter(|r| r.status == Status::Skipped).count();
                let node = ix.get(&rs[0].node);
                nodes.push(FailureNode {
                    is_group: rs[0].node == g.node.id,
                    name: node.map_or(rs[0].node.as_str(), |n| n.name.as_str()),
                    path: node.map_or(rs[0].node.as_str(), |n| n.path.as_str()),
                    host: node.and_then(|n| n.host.as_deref()).unwrap_or(""),
                    items,
                    skipped_note: if skipped > 0 {
                        fill(t.skipped_note, &[("n", &skipped.to_string())])
                    } else {
                        String::new()
                    },
                });
            }
            if !nodes.is_empty() {
                let count = |s: Status| g.results.iter().filter(|r| r.status == s).count();
                failures.push(FailureGroup {
                    name: &g.node.name,
                    id: &g.node.id,
                    href: links
                        .and_then(|l| l.get(g.node.id.as_str()))
                        .map(String::as_str),
                    counts: fill(
                        t.summary_group_counts,
                        &[
                            ("failed", &count(Status::Failed).to_string()),
                            ("errored", &count(Status::Errored).to_string()),
                            ("skipped", &count(Status::Skipped).to_string()),
                        ],
                    ),
                    nodes,
                });
            }
        }

        // Waivers: in force first, as they shape this report's verdict.
        let mut waivers: Vec<WaiverRow<'a>> = res
            .waivers
            .iter()
            .map(|w| {
                let in_force = w.state == WaiverState::InForce;
                WaiverRow {
                    node: ix.get(&w.node).map_or(w.node.as_str(), |n| n.name.as_str()),
                    node_id: &w.node,
                    check: check_name(&w.check),
                    check_id: &w.check,
                    app: match &w.app {
                        Some(_) => app_name(&w.app),
                        None => t.all_apps,
                    },
                    reason: &w.reason,
                    approved_by: &w.approved_by,
                    expires: w.expires.format("%Y-%m-%d").to_string(),
                    in_force,
                    state: if in_force { t.in_force } else { t.expired },
                    used: if w.failures_not_waived > 0 {
                        not_waived_note(w.failures_not_waived, lang)
                    } else if w.used == 0 {
                        t.unused.to_string()
                    } else {
                        fill(t.used_n, &[("n", &w.used.to_string())])
                    },
                    unused: w.used == 0 && w.failures_not_waived == 0,
                    not_waived: w.failures_not_waived > 0,
                }
            })
            .collect();
        waivers.sort_by_key(|w| !w.in_force);

        // The appendix: every node's results, or under `--details failures` those that did
        // not pass; none in the summary, whose provinces' documents hold them.
        let summary = matches!(scope, Scope::Summary { .. });
        let shown = |r: &ResultRecord| match opts.details {
            Details::All => true,
            Details::Failures => r.status != Status::Passed,
        };
        let mut per_node: HashMap<&str, Vec<&'a ResultRecord>> = HashMap::new();
        let mut left_out = 0usize;
        // The strips: every result of a node the appendix lists, shown or not (a check
        // that flaps may pass in this run).
        let mut all_per_node: HashMap<&str, Vec<&'a ResultRecord>> = HashMap::new();
        for r in res.results.iter().filter(|_| !summary) {
            if history.is_some() {
                all_per_node.entry(r.node.as_str()).or_default().push(r);
            }
            if shown(r) {
                per_node.entry(r.node.as_str()).or_default().push(r);
            } else {
                left_out += 1;
            }
        }
        let details = res
            .nodes
            .iter()
            .filter_map(|n| {
                let rs = per_node.remove(n.id.as_str())?;
                Some(NodeDetails {
                    // Empty without a history: nothing was gathered.
                    strip: all_per_node.remove(n.id.as_str()).unwrap_or_default(),
                    name: &n.name,
                    id: &n.id,
                    path: &n.path,
                    level: t.level(n.level),
                    kind: t.kind(n.kind),
                    host: n.host.as_deref().unwrap_or("—"),
                    rows: rs,
                })
            })
            .collect();

        let (details_heading, details_note) = match opts.details {
            Details::All => (t.sec_details, None),
            Details::Failures => (
                t.sec_details_failures,
                Some(fill(
                    t.details_failures_note,
                    &[("n", &left_out.to_string())],
                )),
            ),
        };
        let footer = Footer::new(
            t,
            &run.id,
            record_sha256,
            if summary {
                Some(t.summary_subtitle)
            } else {
                scope_node.map(|n| n.name.as_str())
            },
        );

        let changes = history.map(|h| {
            let part = matches!(scope, Scope::Part { .. });
            hist::changes(t, hs, lang, h, &ix, &names, part)
        });
        let strips = history.filter(|_| !summary);
        let n = STRIP_RUNS.to_string();

        let link_rule = res
            .results
            .iter()
            .any(|r| {
                matches!(
                    check_probe.get(r.check.as_str()).copied(),
                    Some("mtu" | "trace" | "throughput")
                )
            })
            .then_some(link_strings(lang).matrix_rule);
        Page {
            link_rule,
            ls: link_strings(lang),
            link_tiers,
            hs,
            changes,
            history: strips,
            strip_head: strips.map_or_else(Vec::new, |h| hist::strip_head(hs, h)),
            strip_legend: strips.map_or_else(Vec::new, |_| hist::legend(t)),
            strip_caption: fill(hs.strip_caption, &[("n", &n)]),
            strip_note: fill(hs.strip_note, &[("n", &n)]),
            t,
            lang,
            suite_name: &run.suite_name,
            subtitle: match scope {
                Scope::Whole => None,
                Scope::Summary { .. } => Some(t.summary_subtitle.to_string()),
                Scope::Part { id, .. } => Some(format!(
                    "{} · {}",
                    scope_node.map_or(id, |n| n.name.as_str()),
                    t.part_subtitle
                )),
            },
            summary_href: matches!(scope, Scope::Part { .. }).then_some("../report.html"),
            summary,
            footer,
            complete: run.complete,
            banner_detail: fill(t.banner_detail, &progress),
            header,
            bundles: res
                .bundles
                .iter()
                .map(|b| BundleRow {
                    name: b.name.clone(),
                    vantage: match b.shard {
                        Some(s) => format!("{} ({}/{})", b.vantage_id, s.index, s.count),
                        None => b.vantage_id.clone(),
                    },
                    signer: b.signer.clone().unwrap_or_else(|| t.unsigned.to_string()),
                    host: b.host.clone(),
                    window: format!("{} – {}", when(t, b.started), when(t, b.finished)),
                    run_id: b.run_id.clone(),
                    manifest: b.manifest_sha256.clone(),
                })
                .collect(),
            not_reported_legend: (res.summary.not_reported > 0).then_some(t.not_reported),
            passed,
            severities,
            severity_total,
            statuses: Status::ALL.iter().map(|&s| status_label(t, s)).collect(),
            app_names: res.apps.iter().map(|a| a.name.as_str()).collect(),
            matrix,
            matrix_total,
            failures,
            waivers,
            details,
            details_heading,
            details_note,
            names,
            operator: &run.operator,
            version: &run.netaccept_version,
            run_id: &run.id,
        }
    }
}

impl Page<'_> {
    /// One row of the appendix of per-node results, made as the template writes it.
    pub(super) fn detail_row<'r>(&'r self, r: &'r ResultRecord) -> DetailRow<'r> {
        let t = self.t;
        let lang = self.lang;
        /// Needed checks by their display names.
        struct Dir<'p, 'a>(&'p Page<'a>);
        impl words::Directory for Dir<'_, '_> {
            fn need_name(&self, need: &words::Need) -> String {
                self.0.names.check(need.check).to_string()
            }
        }
        // The explanation in the report's language, the record's own line after it where it
        // says more (Chinese only).
        let explained = || {
            let x = words::explain(r, lang, &Dir(self));
            let mut s = x.full(lang);
            if let Some(raw) = x.raw {
                s = format!("{s}（{}{}{raw}）", words::raw_label(lang), t.colon);
            }
            s
        };
        DetailRow {
            check: self.names.check(&r.check),
            app: self.names.app(r.app.as_deref()),
            target: cap(&r.target, FIELD_CAP),
            severity: t.severity(r.severity),
            status: status_label(t, r.status),
            details: match (&r.waiver, r.status) {
                (Some(w), _) => format!(
                    "{} — {}",
                    fill(
                        t.waived_by,
                        &[
                            ("reason", &w.reason),
                            ("by", &w.approved_by),
                            ("expires", &w.expires.to_string()),
                        ],
                    ),
                    match lang {
                        Lang::Zh => cap(&explained(), FIELD_CAP).into_owned().into(),
                        Lang::En => cap(&r.message, FIELD_CAP),
                    }
                )
                .into(),
                (None, Status::Passed) => {
                    let mut shown = measurements(r, lang);
                    for note in cert::notes(r, lang) {
                        shown = format!("{shown} — {}{}{note}", t.tls_note, t.colon);
                    }
                    cap(&shown, FIELD_CAP).into_owned().into()
                }
                (None, _) if lang == Lang::Zh => cap(&explained(), FIELD_CAP).into_owned().into(),
                (None, _) => failure_message(r, lang).0,
            },
            time_ms: format!("{:.1}", r.duration_ms),
            attempts: r.attempts,
        }
    }
}

impl Page<'_> {
    /// One check's strip in the appendix (with a history), made as the template writes it.
    pub(super) fn strip_row<'r>(&'r self, r: &'r ResultRecord) -> StripRow<'r> {
        StripRow {
            check: self.names.check(&r.check),
            app: self.names.app(r.app.as_deref()),
            cells: self
                .history
                .map_or_else(Vec::new, |h| hist::strip_cells(self.t, h, r)),
        }
    }
}

impl Page<'_> {
    /// The certificate box of a failed or errored result (section 4), made as the template
    /// writes it; `None` without TLS measurements.
    pub(super) fn cert_box(&self, r: &ResultRecord) -> Option<CertBox> {
        cert::cert_box(self.t, self.lang, r)
    }
}

/// A failure's message in the report's language, and the record's own line to show beside
/// it as raw evidence. English: the record's message (the prober's English). Chinese: the
/// explanation ([`words::explain`]: the kind in words, or a TLS finding's own sentence), with
/// the record's message beside it only where that says more than the explanation.
fn failure_message(r: &ResultRecord, lang: Lang) -> (Cow<'_, str>, Option<Cow<'_, str>>) {
    match lang {
        Lang::En => (cap(&r.message, FIELD_CAP), None),
        Lang::Zh => {
            let x = words::explain(r, lang, &words::Ids);
            (
                cap(&x.sentence, FIELD_CAP).into_owned().into(),
                x.raw.map(|m| cap(m, FIELD_CAP)),
            )
        }
    }
}

/// Display names by id; an id the record does not describe (a hand-edited file) stands for
/// itself.
pub(super) struct Names<'a> {
    checks: HashMap<&'a str, &'a str>,
    apps: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    pub(super) fn check(&self, id: &'a str) -> &'a str {
        self.checks.get(id).copied().unwrap_or(id)
    }

    /// Empty for a result that is not per app.
    pub(super) fn app(&self, id: Option<&'a str>) -> &'a str {
        match id {
            Some(a) => self.apps.get(a).copied().unwrap_or(a),
            None => "",
        }
    }
}
