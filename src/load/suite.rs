//! Suite validation: the raw suite → [`Suite`], with every template parsed and every
//! reference (needs, apps, selector nodes) resolved.

use std::collections::HashMap;
use std::path::Path;

use serde_saphyr::Spanned;

use super::inventory::{check_id, parse_enum};
use super::raw::{RawCheck, RawSelector, S, SuiteFile};
use super::{Loader, loc, sub_loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{
    App, Check, CheckIdx, DnsSpec, Duration, IcmpSpec, Inventory, Kind, Level, Loc, Percent, Probe,
    Rcode, RecordType, Segment, Selector, Severity, Suite, TcpSpec, Template, VarRef,
};

const DEFAULT_TIMEOUT_MS: u64 = 5_000;

pub(crate) fn build(ld: &mut Loader, f: u32, raw: SuiteFile, dir: &Path) -> Suite {
    check_id(
        ld,
        &raw.suite.value,
        loc(f, &raw.suite.referenced),
        "suite id",
    );
    non_empty(ld, f, &raw.name, "suite name");

    let mut apps = Vec::new();
    for (k, v) in &raw.apps.0 {
        check_id(ld, &k.value, loc(f, &k.referenced), "app id");
        non_empty(ld, f, v, "app name");
        apps.push(App {
            id: k.value.clone(),
            name: v.value.clone(),
        });
    }

    let (timeout, retries) = match &raw.defaults {
        Some(d) => (
            d.timeout
                .as_ref()
                .and_then(|t| timeout_value(ld, f, t))
                .unwrap_or(Duration::from_millis(DEFAULT_TIMEOUT_MS)),
            d.retries.unwrap_or(0),
        ),
        None => (Duration::from_millis(DEFAULT_TIMEOUT_MS), 0),
    };

    let mut seen: HashMap<String, Loc> = HashMap::new();
    let mut checks = Vec::new();
    let mut needs_raw: Vec<Vec<S>> = Vec::new();
    for c in raw.checks {
        let c_loc = loc(f, &c.value.id.referenced);
        let c = c.value;
        let id = c.id.value.clone();
        check_check_id(ld, &id, c_loc);
        if let Some(first) = seen.get(&id) {
            ld.push(
                Diagnostic::error(c_loc, format!("duplicate check id `{id}`")).with_hint(format!(
                    "`{id}` is first defined at {}; check ids must be unique in the suite",
                    ld.sources.position(*first)
                )),
            );
        } else {
            seen.insert(id.clone(), c_loc);
        }
        non_empty(ld, f, &c.name, "check name");
        let severity = c
            .severity
            .as_ref()
            .and_then(|s| {
                parse_enum(
                    ld,
                    f,
                    s,
                    "severity",
                    &Severity::ALL.map(Severity::as_str),
                    Severity::parse,
                )
            })
            .unwrap_or_default();
        let selector = c
            .selector
            .as_ref()
            .map(|s| selector(ld, f, s, &apps))
            .unwrap_or_default();
        let probe = probe(ld, f, &c, c_loc);
        let check_timeout = c
            .timeout
            .as_ref()
            .and_then(|t| timeout_value(ld, f, t))
            .unwrap_or(timeout);
        needs_raw.push(c.needs);
        checks.push(Check {
            id,
            name: c.name.value,
            severity,
            selector,
            for_each_app: c.for_each_app,
            needs: Vec::new(),
            timeout: check_timeout,
            retries: c.retries.unwrap_or(retries),
            probe: probe.unwrap_or_else(|| {
                Probe::Tcp(TcpSpec {
                    target: Template::literal("", c_loc),
                    max_connect: None,
                })
            }),
            loc: c_loc,
        });
    }

    // Needs are resolved once every id is known, so a check may need one written below it.
    let ids: Vec<String> = checks.iter().map(|c| c.id.clone()).collect();
    for (ci, needs) in needs_raw.iter().enumerate() {
        for n in needs {
            match ids.iter().position(|i| *i == n.value) {
                Some(ni) if checks[ci].needs.contains(&CheckIdx(ni as u32)) => {
                    ld.push(
                        Diagnostic::warning(
                            loc(f, &n.referenced),
                            format!("`{}` is listed twice in `needs`", n.value),
                        )
                        .with_hint("remove the repeat"),
                    );
                }
                Some(ni) => checks[ci].needs.push(CheckIdx(ni as u32)),
                None => {
                    let hint = suggest::did_you_mean(&n.value, ids.iter().map(String::as_str))
                        .unwrap_or_else(|| "`needs` names checks of this suite".into());
                    ld.push(
                        Diagnostic::error(
                            loc(f, &n.referenced),
                            format!("unknown check `{}` in `needs`", n.value),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
    }
    report_needs_cycles(ld, &checks);

    Suite {
        id: raw.suite.value,
        base_dir: dir.to_path_buf(),
        name: raw.name.value,
        apps,
        checks,
    }
}

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

fn check_check_id(ld: &mut Loader, id: &str, at: Loc) {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        ld.push(
            Diagnostic::error(at, format!("invalid check id `{id}`"))
                .with_hint("check ids hold letters, digits, `.`, `_` and `-`, at most 64 characters, e.g. `net.icmp`"),
        );
    }
}

fn non_empty(ld: &mut Loader, f: u32, s: &S, what: &str) {
    if s.value.trim().is_empty() {
        ld.push(Diagnostic::error(
            loc(f, &s.referenced),
            format!("empty {what}"),
        ));
    }
}

pub(super) fn duration(ld: &mut Loader, f: u32, s: &S) -> Option<Duration> {
    match Duration::parse(&s.value) {
        Ok(d) => Some(d),
        Err(e) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid duration {e}"))
                    .with_hint("a number and a unit: `250ms`, `2s`, `1m`"),
            );
            None
        }
    }
}

fn timeout_value(ld: &mut Loader, f: u32, s: &S) -> Option<Duration> {
    let d = duration(ld, f, s)?;
    if d.as_std().is_zero() {
        ld.push(
            Diagnostic::error(
                loc(f, &s.referenced),
                "a timeout of zero lets no check finish",
            )
            .with_hint("e.g. `timeout: 5s`"),
        );
        return None;
    }
    Some(d)
}

fn percent(ld: &mut Loader, f: u32, s: &S) -> Option<Percent> {
    match Percent::parse(&s.value) {
        Ok(p) => Some(p),
        Err(e) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid percentage {e}"))
                    .with_hint("a number from 0 to 100 and `%`, e.g. `20%`"),
            );
            None
        }
    }
}

fn selector(ld: &mut Loader, f: u32, s: &Spanned<RawSelector>, apps: &[App]) -> Selector {
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
        match apps.iter().position(|x| x.id == a.value) {
            Some(i) => app_idx.push(crate::model::AppIdx(i as u32)),
            None => {
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

/// Validates the one probe of a check. `None` when there is not exactly one.
fn probe(ld: &mut Loader, f: u32, c: &RawCheck, c_loc: Loc) -> Option<Probe<Template>> {
    let present: Vec<(&str, Loc)> = [
        c.icmp.as_ref().map(|p| ("icmp", loc(f, &p.referenced))),
        c.tcp.as_ref().map(|p| ("tcp", loc(f, &p.referenced))),
        c.dns.as_ref().map(|p| ("dns", loc(f, &p.referenced))),
        c.http.as_ref().map(|p| ("http", loc(f, &p.referenced))),
    ]
    .into_iter()
    .flatten()
    .collect();
    match present.as_slice() {
        [] => {
            ld.push(
                Diagnostic::error(c_loc, format!("check `{}` has no probe", c.id.value))
                    .with_hint("add exactly one of `icmp:`, `tcp:`, `dns:` or `http:`"),
            );
            return None;
        }
        [_] => {}
        [(first, _), rest @ ..] => {
            for (k, at) in rest {
                ld.push(
                    Diagnostic::error(
                        Loc { len: 0, ..*at },
                        format!(
                            "check `{}` has a second probe `{k}` besides `{first}`",
                            c.id.value
                        ),
                    )
                    .with_hint("a check has exactly one probe: split it into two checks"),
                );
            }
            return None;
        }
    }
    let mut t = Templates {
        f,
        for_each_app: c.for_each_app,
        check: &c.id.value,
    };
    Some(if let Some(p) = &c.icmp {
        let p = &p.value;
        let count = p.count.unwrap_or(3);
        if count == 0 {
            ld.push(
                Diagnostic::error(loc(f, &p.target.referenced), "`count` must be at least 1")
                    .with_hint("e.g. `count: 5`"),
            );
        }
        Probe::Icmp(IcmpSpec {
            target: t.parse(ld, &p.target),
            count,
            interval: p
                .interval
                .as_ref()
                .and_then(|s| duration(ld, f, s))
                .unwrap_or(Duration::from_millis(200)),
            max_loss: p.max_loss.as_ref().and_then(|s| percent(ld, f, s)),
            max_rtt: p.max_rtt.as_ref().and_then(|s| duration(ld, f, s)),
        })
    } else if let Some(p) = &c.tcp {
        let p = &p.value;
        Probe::Tcp(TcpSpec {
            target: t.parse(ld, &p.target),
            max_connect: p.max_connect.as_ref().and_then(|s| duration(ld, f, s)),
        })
    } else if let Some(p) = &c.dns {
        let p = &p.value;
        let names = RecordType::ALL.map(RecordType::as_str);
        let record_type = p
            .record_type
            .as_ref()
            .and_then(|s| parse_enum(ld, f, s, "record type", &names, RecordType::parse))
            .unwrap_or(RecordType::A);
        let rcode = p.rcode.as_ref().and_then(|s| {
            parse_enum(
                ld,
                f,
                s,
                "rcode",
                &Rcode::ALL.map(Rcode::as_str),
                Rcode::parse,
            )
        });
        Probe::Dns(DnsSpec {
            name: t.parse(ld, &p.name),
            server: t.parse(ld, &p.server),
            record_type,
            expect: p.expect.iter().map(|s| t.parse(ld, s)).collect(),
            expect_any: p.expect_any.iter().map(|s| t.parse(ld, s)).collect(),
            rcode,
        })
    } else if let Some(p) = &c.http {
        Probe::Http(super::http::http(ld, f, &p.value, &mut t))
    } else {
        unreachable!("exactly one probe is present")
    })
}

/// Template parsing for the strings of one check.
pub(super) struct Templates<'a> {
    f: u32,
    for_each_app: bool,
    check: &'a str,
}

impl Templates<'_> {
    pub(super) fn parse(&mut self, ld: &mut Loader, s: &S) -> Template {
        let base = loc(self.f, &s.referenced);
        let text = s.value.as_str();
        let mut segments = Vec::new();
        let mut rest = 0;
        while let Some(open) = text[rest..].find("{{").map(|i| i + rest) {
            if open > rest {
                segments.push(Segment::Lit(text[rest..open].to_string()));
            }
            let Some(close) = text[open..].find("}}").map(|i| i + open) else {
                let at = sub_loc(&ld.sources, base, text, open, 2);
                ld.push(
                    Diagnostic::error(at, "unclosed `{{` in template")
                        .with_hint("close it with `}}`, e.g. `{{ node.host }}`"),
                );
                return Template::literal(text, base);
            };
            let inner = text[open + 2..close].trim();
            let at = sub_loc(
                &ld.sources,
                base,
                text,
                open,
                text[open..close + 2].chars().count(),
            );
            match VarRef::parse(inner) {
                Some(v) if v.is_app() && !self.for_each_app => {
                    ld.push(
                        Diagnostic::error(
                            at,
                            format!(
                                "`{{{{ {inner} }}}}` in check `{}`, which is not per app",
                                self.check
                            ),
                        )
                        .with_hint(
                            "add `for_each_app: true` to the check, or use a `node.*` variable",
                        ),
                    );
                }
                Some(v) => segments.push(Segment::Var(v)),
                None => {
                    let mut names: Vec<String> =
                        VarRef::FIXED.iter().map(|s| s.to_string()).collect();
                    if let Some(v) = inner.strip_prefix("node.vars.") {
                        names.push(format!("node.vars.{v}"));
                    }
                    let hint = suggest::did_you_mean(inner, names.iter().map(String::as_str)).unwrap_or_else(|| {
                        "variables: node.id|name|host|level|kind|region, node.vars.NAME, app.id|name|url, env.NAME"
                            .into()
                    });
                    ld.push(
                        Diagnostic::error(at, format!("unknown template variable `{inner}`"))
                            .with_hint(hint),
                    );
                }
            }
            rest = close + 2;
        }
        if rest < text.len() {
            segments.push(Segment::Lit(text[rest..].to_string()));
        }
        Template {
            segments,
            loc: base,
        }
    }
}

/// Reports each cycle of `needs` once, at the check of the cycle written first.
fn report_needs_cycles(ld: &mut Loader, checks: &[Check]) {
    fn visit(
        i: usize,
        checks: &[Check],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        state[i] = 1;
        stack.push(i);
        for n in &checks[i].needs {
            let n = n.0 as usize;
            match state[n] {
                0 => visit(n, checks, state, stack, cycles),
                1 => {
                    let pos = stack.iter().position(|&s| s == n).unwrap_or(0);
                    cycles.push(stack[pos..].to_vec());
                }
                _ => {}
            }
        }
        stack.pop();
        state[i] = 2;
    }
    let mut state = vec![0u8; checks.len()];
    let mut cycles = Vec::new();
    for i in 0..checks.len() {
        if state[i] == 0 {
            visit(i, checks, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    for cycle in cycles {
        let first = *cycle
            .iter()
            .min_by_key(|&&c| checks[c].loc)
            .unwrap_or(&cycle[0]);
        let start = cycle.iter().position(|&c| c == first).unwrap_or(0);
        let mut names: Vec<&str> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .map(|&c| checks[c].id.as_str())
            .collect();
        names.push(&checks[first].id);
        ld.push(
            Diagnostic::error(
                checks[first].loc,
                format!("`needs` cycle: {}", names.join(" → ")),
            )
            .with_hint("a check cannot wait, directly or not, for itself"),
        );
    }
}
