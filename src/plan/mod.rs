//! Planning: the suite expanded over the inventory into (node, check, app) items, each with
//! its probe filled in and its `needs` resolved to other items of the same node.
//!
//! The order is deterministic, whatever the order of the input files: inventory tree order
//! (depth-first, children by id), then suite order, then app catalogue order. Planning is
//! pure: the environment is passed in, and nothing is resolved or sent.

mod filled;
mod select;
#[cfg(test)]
mod tests;
mod vantage;

use std::collections::{BTreeMap, HashMap};

use filled::{check_filled, resolve_bounds};
pub use select::{Selection, glob};
pub use vantage::{MAX_SHARDS, Shard, Share, assignment, exactly_one};

use crate::diag::Diagnostic;
use crate::model::{
    AppIdx, CheckIdx, Inventory, Level, Loc, NodeIdx, Probe, Segment, Suite, Template, Text,
    TextPart, TlsRequirement, VarRef,
};

/// Index of an item in [`Plan::items`].
pub type ItemIdx = usize;

#[derive(Debug, Clone)]
pub struct PlanItem {
    pub node: NodeIdx,
    pub check: CheckIdx,
    pub app: Option<AppIdx>,
    /// Items on the same node that must pass before this one runs.
    pub needs: Vec<ItemIdx>,
    pub probe: Probe<Text>,
    /// The time each attempt may take: the check's, unless the run overrides it.
    pub timeout: std::time::Duration,
    /// Attempts after a failed one: the check's, unless the run overrides it.
    pub retries: u32,
    /// A short name for messages about the item (`net.icmp`, `app.health/dispatch`), as a
    /// skipped dependant quotes it.
    pub label: Box<str>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub items: Vec<PlanItem>,
}

/// What a run may impose on every check over the suite's own settings (`--timeout`,
/// `--retries`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub timeout: Option<std::time::Duration>,
    pub retries: Option<u32>,
}

/// How to treat `{{ env.NAME }}` when NAME is not set: `run` must refuse (it would send a
/// wrong value), while `validate` and `plan` only warn, since they send nothing and may run
/// where the secrets are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingEnv {
    Error,
    Warn,
}

/// A planned item that could not be filled, kept to be reported once per template.
struct Unfillable {
    headline: String,
    hint: String,
    nodes: Vec<String>,
}

/// Expands the suite over the inventory. Errors are every template that cannot be filled
/// (grouped: one diagnostic per template and cause, naming the nodes) and every filled value
/// that is not usable (a TCP target without a port).
pub fn build(
    inv: &Inventory,
    suite: &Suite,
    sel: &Selection,
    env: &dyn Fn(&str) -> Option<String>,
    missing_env: MissingEnv,
    overrides: Overrides,
) -> Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>> {
    let sel_errors = sel.validate(inv, suite);
    if !sel_errors.is_empty() {
        return Err(sel_errors);
    }
    let checks: Vec<CheckIdx> = (0..suite.checks.len() as u32)
        .map(CheckIdx)
        .filter(|&c| sel.takes_check(&suite.check(c).id, suite.check(c).on_demand))
        .collect();
    let short = too_short_for_icmp(suite, &checks, overrides);
    if !short.is_empty() {
        return Err(short);
    }

    // Each node's part, worked out once for the whole inventory (not per node).
    let shards = sel.shard.map(|s| (s.index, inv.shards(s.count)));
    let mut items = Vec::new();
    let mut problems: BTreeMap<(Loc, String), Unfillable> = BTreeMap::new();
    // Each missing variable, where it was first used, and how many uses.
    let mut missing_env_vars: BTreeMap<String, (Loc, usize)> = BTreeMap::new();
    for &n in &inv.order {
        if !sel.takes_node(inv, n)
            || shards
                .as_ref()
                .is_some_and(|(k, part)| part[n.0 as usize] != *k)
        {
            continue;
        }
        let node = inv.node(n);
        for &c in &checks {
            let check = suite.check(c);
            if !check.selector.matches(inv, &suite.apps, n) {
                continue;
            }
            let apps: Vec<Option<AppIdx>> = if check.for_each_app {
                // Catalogue order, not the order the node lists them: plans of different
                // inventories line up.
                (0..suite.apps.len() as u32)
                    .map(AppIdx)
                    .filter(|&a| {
                        let id = &suite.app(a).id;
                        node.apps.iter().any(|e| &e.app == id)
                            && (check.selector.apps.is_empty() || check.selector.apps.contains(&a))
                            && sel.takes_app(id)
                    })
                    .map(Some)
                    .collect()
            } else {
                vec![None]
            };
            for app in apps {
                let env_missing_before = missing_env_count(&missing_env_vars);
                let mut fill = |t: &Template| {
                    fill(inv, suite, n, app, t, env, &mut missing_env_vars).map_err(|v| (t.loc, v))
                };
                let filled = check.probe.try_map(&mut fill);
                // A value left empty for a missing secret is reported as that, not as a
                // malformed target.
                let secret_missing = missing_env_count(&missing_env_vars) != env_missing_before;
                let timeout = overrides.timeout.unwrap_or(check.timeout.as_std());
                match filled {
                    Ok(mut probe) => {
                        // The templated limits parsed into the probe's typed ones: probers
                        // see typed values only.
                        let mut found = resolve_bounds(&mut probe, &check.probe, timeout);
                        if found.is_empty() {
                            found.extend(check_filled(&probe, &check.probe));
                        }
                        for (at, what, headline, hint) in
                            found.into_iter().filter(|_| !secret_missing)
                        {
                            problems
                                .entry((at, what.to_string()))
                                .or_insert_with(|| Unfillable {
                                    headline: format!("check `{}`: {headline}", check.id),
                                    hint,
                                    nodes: Vec::new(),
                                })
                                .nodes
                                .push(node.id.clone());
                        }
                        items.push(PlanItem {
                            node: n,
                            check: c,
                            app,
                            needs: Vec::new(),
                            probe,
                            timeout,
                            retries: overrides.retries.unwrap_or(check.retries),
                            label: match app {
                                Some(a) => format!("{}/{}", check.id, suite.app(a).id).into(),
                                None => check.id.as_str().into(),
                            },
                        });
                    }
                    Err((at, var)) => {
                        let (what, hint) = missing_hint(&var, node.id.as_str());
                        problems
                            .entry((at, var.to_string()))
                            .or_insert_with(|| Unfillable {
                                headline: format!(
                                    "`{{{{ {var} }}}}` cannot be filled for check `{}`: {what}",
                                    check.id
                                ),
                                hint,
                                nodes: Vec::new(),
                            })
                            .nodes
                            .push(node.id.clone());
                    }
                }
            }
        }
    }

    let mut diags: Vec<Diagnostic> = problems
        .into_iter()
        .map(|((at, _), p)| {
            let on = listing("node", "nodes", &p.nodes);
            Diagnostic::error(at, format!("{} (on {on})", p.headline)).with_hint(p.hint)
        })
        .collect();
    let mut warnings = plain_http_warnings(inv, suite, &items);
    warnings.extend(on_demand_notes(suite, sel));
    for (name, (at, _)) in missing_env_vars {
        let d = Diagnostic::error(at, format!("environment variable `{name}` is not set"))
            .with_hint(format!(
                "export {name}=… before `netaccept run`; its value is never reported"
            ));
        match missing_env {
            MissingEnv::Error => diags.push(d),
            MissingEnv::Warn => warnings.push(Diagnostic {
                gravity: crate::diag::Gravity::Warning,
                ..d
            }),
        }
    }
    if !diags.is_empty() {
        diags.extend(warnings);
        return Err(diags);
    }
    resolve_needs(suite, &mut items);
    Ok((Plan { items }, warnings))
}

/// `one` item or `many`, named: all of them up to five, else the first three and how many
/// more.
fn listing(one: &str, many: &str, names: &[String]) -> String {
    let quoted = |ns: &[String]| {
        ns.iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match names {
        [only] => format!("{one} `{only}`"),
        all if all.len() <= 5 => format!("{} {many}: {}", all.len(), quoted(all)),
        all => format!(
            "{} {many}: {}, … and {} more",
            all.len(),
            quoted(&all[..3]),
            all.len() - 3
        ),
    }
}

/// The HTTPS-only expectations that meet a plain-HTTP URL once filled, one warning per
/// check: `cert_valid_days` will not apply to those items (they are judged on the rest and
/// record `tls: none`), and under `expect.tls: required` they will fail as `TlsRequired`.
/// A warning, not an error: a suite may mix HTTP and HTTPS apps on purpose. Only the URL as
/// written is known here; a redirect to plain HTTP is found at run time.
fn plain_http_warnings(inv: &Inventory, suite: &Suite, items: &[PlanItem]) -> Vec<Diagnostic> {
    let mut by_check: BTreeMap<CheckIdx, Vec<String>> = BTreeMap::new();
    for it in items {
        let Probe::Http(p) = &it.probe else { continue };
        let x = &p.expect;
        if x.cert_valid_days.is_none() && x.tls != TlsRequirement::Required {
            continue;
        }
        let url = p.url.expose();
        if !url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            continue;
        }
        let node = &inv.node(it.node).id;
        by_check.entry(it.check).or_default().push(match it.app {
            Some(a) => format!("{node} {}", suite.app(a).id),
            None => node.clone(),
        });
    }
    by_check
        .into_iter()
        .filter_map(|(c, names)| {
            let check = suite.check(c);
            let Probe::Http(p) = &check.probe else {
                return None;
            };
            let on = listing("item", "items", &names);
            let d = if p.expect.tls == TlsRequirement::Required {
                Diagnostic::warning(
                    p.url.loc,
                    format!(
                        "check `{}`: `expect.tls: required`, and the URL is plain HTTP on {on}: \
                         these items will fail (TlsRequired)",
                        check.id
                    ),
                )
                .with_hint("give those apps an https:// URL, or drop `tls: required`")
            } else {
                Diagnostic::warning(
                    p.url.loc,
                    format!(
                        "check `{}`: `cert_valid_days` does not apply to a plain-HTTP URL, \
                         on {on}",
                        check.id
                    ),
                )
                .with_hint(
                    "those items are judged on their other expectations and record `tls: none`; \
                     `expect.tls: required` makes a plain-HTTP URL fail instead",
                )
            };
            Some(d)
        })
        .collect()
}

/// One note per on-demand check the selection leaves out (no `--check`, or only a glob
/// matches it): the operator learns that the check exists and how to run it. A warning, not
/// an error: leaving it out is the point.
fn on_demand_notes(suite: &Suite, sel: &Selection) -> Vec<Diagnostic> {
    suite
        .checks
        .iter()
        .filter(|c| c.on_demand && sel.leaves_out_on_demand(&c.id))
        .map(|c| {
            let why = match &c.probe {
                Probe::Throughput(_) => {
                    "it loads the link it measures (RFC 6815), so it runs only when asked for"
                }
                _ => "the suite marks it `on_demand: true`",
            };
            Diagnostic::warning(
                c.loc,
                format!("check `{}` is on demand and not planned: {why}", c.id),
            )
            .with_hint(format!(
                "run it with `--check {}` (its id exactly; a pattern does not count), or set `on_demand: false` on it",
                c.id
            ))
        })
        .collect()
}

/// A `--timeout` shorter than an ICMP check's echoes need: the loader makes every check's
/// own timeout fit its `count × interval` (see `model::limits::icmp_time_needed`), and a
/// run's override must not undo that, or the prober would send fewer echoes than the suite
/// asks for and judge loss on those.
fn too_short_for_icmp(suite: &Suite, checks: &[CheckIdx], overrides: Overrides) -> Vec<Diagnostic> {
    let Some(timeout) = overrides.timeout else {
        return Vec::new();
    };
    checks
        .iter()
        .map(|&c| suite.check(c))
        .filter_map(|check| match &check.probe {
            Probe::Icmp(p) => {
                let needed = crate::model::limits::icmp_time_needed(
                    p.count,
                    p.interval,
                    p.limits().wait_basis(),
                );
                (timeout < needed).then(|| {
                    let (t, n) = (
                        crate::model::Duration(timeout),
                        crate::model::Duration(needed),
                    );
                    Diagnostic::error(
                        check.loc,
                        format!(
                            "--timeout {t} is shorter than the {n} check `{}` needs for its {} echoes",
                            check.id, p.count
                        ),
                    )
                    .with_hint(format!(
                        "give --timeout {n} or more, or leave --timeout out (the suite's timeouts fit their checks)"
                    ))
                })
            }
            Probe::Throughput(p) => {
                let needed = crate::model::throughput_time_needed(p.duration);
                (timeout < needed).then(|| {
                    let (t, n) = (
                        crate::model::Duration(timeout),
                        crate::model::Duration(needed),
                    );
                    Diagnostic::error(
                        check.loc,
                        format!(
                            "--timeout {t} is shorter than the {n} check `{}` needs for its {} throughput test",
                            check.id, p.duration
                        ),
                    )
                    .with_hint(format!(
                        "give --timeout {n} or more, or leave --timeout out (the suite's timeouts fit their checks)"
                    ))
                })
            }
            _ => None,
        })
        .collect()
}

fn missing_env_count(m: &BTreeMap<String, (Loc, usize)>) -> usize {
    m.values().map(|(_, n)| n).sum()
}

/// Links each item to the items of its needed checks on the same node. When both checks
/// are per app they pair app by app; otherwise an item waits for every item of the needed
/// check. A needed check that is not planned on the node (not selected there) imposes
/// nothing.
fn resolve_needs(suite: &Suite, items: &mut [PlanItem]) {
    let mut by_node_check: HashMap<(NodeIdx, CheckIdx), Vec<ItemIdx>> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        by_node_check
            .entry((it.node, it.check))
            .or_default()
            .push(i);
    }
    for i in 0..items.len() {
        let (node, check, app) = (items[i].node, items[i].check, items[i].app);
        let mut needs: Vec<ItemIdx> = Vec::new();
        for &nc in &suite.check(check).needs {
            let Some(cands) = by_node_check.get(&(node, nc)) else {
                continue;
            };
            if app.is_some() && suite.check(nc).for_each_app {
                needs.extend(cands.iter().copied().filter(|&c| items[c].app == app));
            } else {
                needs.extend(cands.iter().copied());
            }
        }
        needs.sort_unstable();
        needs.dedup();
        items[i].needs = needs;
    }
}

fn fill(
    inv: &Inventory,
    suite: &Suite,
    n: NodeIdx,
    app: Option<AppIdx>,
    t: &Template,
    env: &dyn Fn(&str) -> Option<String>,
    missing_env: &mut BTreeMap<String, (Loc, usize)>,
) -> Result<Text, VarRef> {
    let node = inv.node(n);
    let mut parts: Vec<TextPart> = Vec::with_capacity(t.segments.len());
    fn push(parts: &mut Vec<TextPart>, s: &str) {
        match parts.last_mut() {
            Some(TextPart::Plain(p)) => p.push_str(s),
            _ => parts.push(TextPart::Plain(s.to_string())),
        }
    }
    for seg in &t.segments {
        let v = match seg {
            Segment::Lit(l) => {
                push(&mut parts, l);
                continue;
            }
            Segment::Var(v) => v,
        };
        let missing = || v.clone();
        let endpoint = || {
            let a = suite.app(app?);
            node.apps.iter().find(|e| e.app == a.id)
        };
        match v {
            VarRef::NodeId => push(&mut parts, &node.id),
            VarRef::NodeName => push(&mut parts, &node.name),
            VarRef::NodeHost => push(&mut parts, node.host.as_deref().ok_or_else(missing)?),
            VarRef::NodeLevel => push(&mut parts, node.level.as_str()),
            VarRef::NodeKind => push(&mut parts, node.kind.as_str()),
            VarRef::NodeRegion => push(&mut parts, node.region.as_deref().ok_or_else(missing)?),
            VarRef::NodeVar(name) => push(&mut parts, inv.var(n, name).ok_or_else(missing)?),
            VarRef::AppId => push(&mut parts, &suite.app(app.ok_or_else(missing)?).id),
            VarRef::AppName => push(&mut parts, &suite.app(app.ok_or_else(missing)?).name),
            VarRef::AppUrl => push(&mut parts, &endpoint().ok_or_else(missing)?.url),
            VarRef::Env(name) => {
                // A missing secret is recorded, not fatal here: the caller decides whether
                // it is an error (run) or a warning (validate, plan).
                let value = env(name).unwrap_or_else(|| {
                    missing_env.entry(name.clone()).or_insert((t.loc, 0)).1 += 1;
                    String::new()
                });
                parts.push(TextPart::Secret(value));
            }
        }
    }
    Ok(Text { parts })
}

fn missing_hint(var: &VarRef, node: &str) -> (String, String) {
    match var {
        VarRef::NodeHost => (
            "the node has no `host`".into(),
            format!("set `host:` on `{node}`, or narrow the check's `where`"),
        ),
        VarRef::NodeRegion => (
            "the node has no `region`".into(),
            format!("set `region:` on `{node}`, or narrow the check's `where`"),
        ),
        VarRef::NodeVar(name) => {
            // A dotted name is a nested var: `link.max_rtt` is `vars: { link: { max_rtt: … } }`.
            let parts: Vec<&str> = name.split('.').collect();
            let mut set = "…".to_string();
            for p in parts.iter().rev() {
                set = format!("{{ {p}: {set} }}");
            }
            (
                format!("no `{name}` in the node's vars or its ancestors'"),
                format!(
                    "set `vars: {set}` on `{node}` or an ancestor, or narrow the check's `where` (e.g. by tag)"
                ),
            )
        }
        _ => (
            "no value here".into(),
            "use this variable only where it has a value".into(),
        ),
    }
}

/// Item counts of a plan, in display order.
pub struct Counts {
    pub by_level: Vec<(Level, usize)>,
    /// Checks with at least one item, in suite order.
    pub by_check: Vec<(String, usize)>,
}

/// Item counts per level and per check, for the plan's closing lines.
pub fn counts(plan: &Plan, inv: &Inventory, suite: &Suite) -> Counts {
    let mut by_level = [0usize; Level::ALL.len()];
    let mut by_check = vec![0usize; suite.checks.len()];
    for it in &plan.items {
        by_level[inv.node(it.node).level.rank() as usize] += 1;
        by_check[it.check.0 as usize] += 1;
    }
    Counts {
        // Township, the level added last, is listed only when the plan has township items:
        // the counts of a plan without any read as they did before the level existed.
        by_level: Level::ALL
            .iter()
            .map(|&l| (l, by_level[l.rank() as usize]))
            .filter(|&(l, n)| l != Level::Township || n > 0)
            .collect(),
        by_check: suite
            .checks
            .iter()
            .zip(by_check)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (c.id.clone(), n))
            .collect(),
    }
}
