//! Inventory validation: raw nodes from one or more files → one [`Inventory`] tree.

use std::collections::{BTreeMap, HashMap};

use serde_saphyr::Spanned;

use super::raw::{InventoryFile, RawNode, RawVar, RawVarAt, SpannedMap};
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{
    App, AppEndpoint, Inventory, Kind, Level, Loc, Node, NodeIdx, Vantage, is_valid_id,
};

/// Validates every node and the tree they form. `catalogue` is the suite's app list, when a
/// suite was given: an app id outside it is an error.
pub(crate) fn build(
    ld: &mut Loader,
    files: Vec<(u32, InventoryFile)>,
    catalogue: Option<&[App]>,
) -> Option<Inventory> {
    let errors_before = ld.diags.len();
    let raw: Vec<(u32, Spanned<RawNode>)> = files
        .into_iter()
        .flat_map(|(f, file)| file.nodes.into_iter().map(move |n| (f, n)))
        .collect();
    if raw.is_empty() && !ld.diags.iter().any(Diagnostic::is_error) {
        ld.push(Diagnostic::global("the inventory has no nodes").with_hint(
            "an inventory lists nodes: `nodes: [{ id: national, name: …, level: national }]`",
        ));
    }

    let mut nodes: Vec<Node> = Vec::with_capacity(raw.len());
    let mut parent_refs: Vec<Option<(String, Loc)>> = Vec::with_capacity(raw.len());
    let mut probed_refs: Vec<Option<(String, Loc)>> = Vec::with_capacity(raw.len());
    let mut first_seen: HashMap<String, Loc> = HashMap::with_capacity(raw.len());
    // An unknown level is reported once; comparing it with its neighbours would only add
    // noise.
    let mut levels_known: Vec<bool> = Vec::with_capacity(raw.len());
    for (f, n) in &raw {
        let n = &n.value;
        let id_loc = loc(*f, &n.id.referenced);
        let id = n.id.value.clone();
        check_id(ld, &id, id_loc, "node id");
        if let Some(first) = first_seen.get(&id) {
            ld.push(
                Diagnostic::error(id_loc, format!("duplicate node id `{id}`")).with_hint(format!(
                    "`{id}` is first defined at {}; node ids must be unique across the inventory",
                    ld.sources.position(*first)
                )),
            );
        } else {
            first_seen.insert(id.clone(), id_loc);
        }
        if n.name.value.trim().is_empty() {
            ld.push(
                Diagnostic::error(loc(*f, &n.name.referenced), "empty node name")
                    .with_hint("give the bureau's display name, e.g. `北京市应急管理局`"),
            );
        }
        let level = parse_enum(
            ld,
            *f,
            &n.level,
            "level",
            &Level::ALL.map(Level::as_str),
            Level::parse,
        );
        levels_known.push(level.is_some());
        let level = level.unwrap_or(Level::County);
        let kind = match &n.kind {
            Some(k) => parse_enum(ld, *f, k, "kind", &Kind::ALL.map(Kind::as_str), Kind::parse)
                .unwrap_or_default(),
            None => Kind::Safety,
        };
        if let Some(r) = &n.region {
            let ok = r.value.len() == 6 && r.value.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                ld.push(
                    Diagnostic::error(
                        loc(*f, &r.referenced),
                        format!("region `{}` is not a 6-digit GB/T 2260 code", r.value),
                    )
                    .with_hint("write the six digits in quotes, e.g. `region: \"110000\"`"),
                );
            }
        }
        if let Some(h) = &n.host {
            let v = h.value.trim();
            if v.is_empty() || v.contains(char::is_whitespace) || v.contains('/') {
                ld.push(
                    Diagnostic::error(
                        loc(*f, &h.referenced),
                        format!("invalid host `{}`", h.value),
                    )
                    .with_hint("an IP address or a DNS name, without scheme, port or path"),
                );
            }
        }
        let mut vars = BTreeMap::new();
        flatten_vars(ld, *f, "", &n.vars, &mut vars);
        let mut apps = Vec::new();
        for (k, ep) in &n.apps.0 {
            let k_loc = loc(*f, &k.referenced);
            match catalogue {
                Some(cat) if !cat.iter().any(|a| a.id == k.value) => {
                    let hint = suggest::did_you_mean(&k.value, cat.iter().map(|a| a.id.as_str()))
                        .unwrap_or_else(|| {
                            format!(
                                "add it to the suite's `apps:` catalogue, or use one of: {}",
                                cat.iter()
                                    .map(|a| a.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        });
                    ld.push(
                        Diagnostic::error(
                            k_loc,
                            format!("app `{}` is not in the suite's app catalogue", k.value),
                        )
                        .with_hint(hint),
                    );
                }
                _ => check_id(ld, &k.value, k_loc, "app id"),
            }
            let url = ep.url.value.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 9 {
                ld.push(
                    Diagnostic::error(
                        loc(*f, &ep.url.referenced),
                        format!(
                            "app url `{}` is not an http:// or https:// URL",
                            ep.url.value
                        ),
                    )
                    .with_hint("e.g. `url: \"https://10.11.0.10/dispatch\"`"),
                );
            }
            apps.push(AppEndpoint {
                app: k.value.clone(),
                url: url.trim_end_matches('/').to_string(),
            });
        }
        let vantage = vantage_of_raw(ld, *f, n);
        probed_refs.push(
            n.probed_from
                .as_ref()
                .map(|p| (p.value.clone(), loc(*f, &p.referenced))),
        );
        parent_refs.push(
            n.parent
                .as_ref()
                .map(|p| (p.value.clone(), loc(*f, &p.referenced))),
        );
        nodes.push(Node {
            id,
            name: n.name.value.clone(),
            level,
            kind,
            parent: None,
            children: Vec::new(),
            region: n.region.as_ref().map(|r| r.value.clone()),
            host: n.host.as_ref().map(|h| h.value.trim().to_string()),
            tags: n.tags.iter().map(|t| t.value.clone()).collect(),
            vars,
            apps,
            loc: id_loc,
            vantage,
            // Resolved below, once every node is known.
            probed_from: None,
        });
    }

    // Parents are resolved against the first node of each id, so that a duplicate is
    // reported once and does not cascade.
    let index: HashMap<&str, usize> = {
        let mut m = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            m.entry(n.id.as_str()).or_insert(i);
        }
        m
    };
    let mut parents: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut roots = Vec::new();
    for (i, p) in parent_refs.iter().enumerate() {
        let Some((pid, ploc)) = p else {
            roots.push(i);
            continue;
        };
        match index.get(pid.as_str()) {
            None => {
                let hint = suggest::did_you_mean(pid, nodes.iter().map(|n| n.id.as_str()))
                    .unwrap_or_else(|| "the parent must be a node of this inventory".into());
                ld.push(
                    Diagnostic::error(*ploc, format!("unknown parent `{pid}`")).with_hint(hint),
                );
            }
            Some(&pi) if pi == i => {
                ld.push(
                    Diagnostic::error(*ploc, format!("node `{pid}` is its own parent"))
                        .with_hint("name the node above it, or remove `parent:` if it is the root"),
                );
            }
            Some(&pi) => {
                let (child, parent) = (&nodes[i], &nodes[pi]);
                if levels_known[i] && levels_known[pi] && parent.level.rank() >= child.level.rank()
                {
                    ld.push(
                        Diagnostic::error(
                            *ploc,
                            format!(
                                "parent `{}` is {}, not higher than {} node `{}`",
                                parent.id,
                                parent.level.as_str(),
                                child.level.as_str(),
                                child.id
                            ),
                        )
                        .with_hint(
                            "a parent's level must be strictly higher: national > provincial > prefectural > county > township",
                        ),
                    );
                }
                parents[i] = Some(pi);
            }
        }
    }
    match roots.as_slice() {
        [] if !nodes.is_empty() => {
            ld.push(
                Diagnostic::error(
                    nodes[0].loc,
                    "the inventory has no root: every node has a parent",
                )
                .with_hint("exactly one node, the national centre, has no `parent:`"),
            );
        }
        [first, rest @ ..] => {
            for &r in rest {
                ld.push(
                    Diagnostic::error(
                        nodes[r].loc,
                        format!(
                            "node `{}` has no parent, but `{}` is already the root",
                            nodes[r].id, nodes[*first].id
                        ),
                    )
                    .with_hint(format!(
                        "the inventory is one tree; add `parent:` to `{}` (the root is at {})",
                        nodes[r].id,
                        ld.sources.position(nodes[*first].loc)
                    )),
                );
            }
        }
        [] => {}
    }
    report_cycles(ld, &nodes, &parents);
    let probed_from = resolve_probed_from(ld, &nodes, &index, &probed_refs, &roots);

    if ld.diags[errors_before..].iter().any(Diagnostic::is_error) || roots.is_empty() {
        return None;
    }
    for (i, p) in parents.iter().enumerate() {
        nodes[i].parent = p.map(|p| NodeIdx(p as u32));
        nodes[i].probed_from = probed_from[i].map(|v| NodeIdx(v as u32));
    }
    for (i, p) in parents.iter().enumerate() {
        if let Some(p) = *p {
            nodes[p].children.push(NodeIdx(i as u32));
        }
    }
    Some(Inventory::new(nodes, NodeIdx(roots[0] as u32)))
}

/// What `vantage:` and `probe:` make of a node: a vantage (with its probe host's name, if
/// given) or not. `vantage: false` beside a `probe:` block contradicts it.
fn vantage_of_raw(ld: &mut Loader, f: u32, n: &RawNode) -> Option<Vantage> {
    let flag = n.vantage.as_ref().map(|v| v.value);
    let probe_host = n.probe.as_ref().map(|p| {
        let v = p.host.value.trim();
        if v.is_empty() || v.contains(char::is_whitespace) || v.contains('/') || v.contains(':') {
            ld.push(
                Diagnostic::error(
                    loc(f, &p.host.referenced),
                    format!("invalid probe host `{}`", p.host.value),
                )
                .with_hint(
                    "the probe machine's host name, e.g. `probe: { host: probe-he.aq.gov.test }`",
                ),
            );
        }
        v.to_string()
    });
    if let (Some(false), Some(_), Some(v)) = (flag, &probe_host, &n.vantage) {
        ld.push(
            Diagnostic::error(
                loc(f, &v.referenced),
                "`vantage: false` beside a `probe:` block",
            )
            .with_hint("a node with a probe host is a vantage: drop `vantage: false`, or the `probe:` block"),
        );
    }
    match (flag, probe_host) {
        (_, Some(h)) => Some(Vantage {
            probe_host: Some(h),
        }),
        (Some(true), None) => Some(Vantage::default()),
        _ => None,
    }
}

/// Each `probed_from:` as the index of the vantage it names, or a diagnostic at its value:
/// an unknown id (with the nearest vantage id), or a node that is no vantage.
fn resolve_probed_from(
    ld: &mut Loader,
    nodes: &[Node],
    index: &HashMap<&str, usize>,
    refs: &[Option<(String, Loc)>],
    roots: &[usize],
) -> Vec<Option<usize>> {
    let is_vantage = |i: usize| nodes[i].vantage.is_some() || roots.first() == Some(&i);
    let vantage_ids = || {
        (0..nodes.len())
            .filter(|&i| is_vantage(i))
            .map(|i| nodes[i].id.as_str())
    };
    let list = |ids: Vec<&str>| {
        let n = ids.len();
        let mut s = ids.into_iter().take(8).collect::<Vec<_>>().join(", ");
        if n > 8 {
            s.push_str(&format!(", … ({n} in all)"));
        }
        s
    };
    refs.iter()
        .map(|r| {
            let (id, at) = r.as_ref()?;
            match index.get(id.as_str()) {
                None => {
                    let hint = suggest::did_you_mean(id, vantage_ids()).unwrap_or_else(|| {
                        format!("it names a vantage: {}", list(vantage_ids().collect()))
                    });
                    ld.push(
                        Diagnostic::error(*at, format!("probed_from `{id}`: no such node"))
                            .with_hint(hint),
                    );
                    None
                }
                Some(&v) if !is_vantage(v) => {
                    ld.push(
                        Diagnostic::error(*at, format!("probed_from `{id}`: `{id}` is not a vantage"))
                            .with_hint(format!(
                                "mark it `vantage: true` (or give it `probe: {{ host: … }}`), or name a vantage: {}",
                                list(vantage_ids().collect())
                            )),
                    );
                    None
                }
                Some(&v) => Some(v),
            }
        })
        .collect()
}

/// Reports each parent cycle once, at the node of the cycle written first.
fn report_cycles(ld: &mut Loader, nodes: &[Node], parents: &[Option<usize>]) {
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; nodes.len()];
    for start in 0..nodes.len() {
        let mut walk = Vec::new();
        let mut i = start;
        while state[i] == 0 {
            state[i] = 1;
            walk.push(i);
            match parents[i] {
                Some(p) => i = p,
                None => break,
            }
        }
        if state[i] == 1
            && parents[i].is_some()
            && let Some(pos) = walk.iter().position(|&w| w == i)
        {
            {
                let cycle = &walk[pos..];
                let first = *cycle.iter().min_by_key(|&&c| nodes[c].loc).unwrap_or(&i);
                let mut names: Vec<&str> = Vec::new();
                let mut c = first;
                loop {
                    names.push(&nodes[c].id);
                    c = parents[c].unwrap_or(first);
                    if c == first {
                        break;
                    }
                }
                names.push(&nodes[first].id);
                ld.push(
                    Diagnostic::error(
                        nodes[first].loc,
                        format!("parent cycle: {}", names.join(" → ")),
                    )
                    .with_hint("follow `parent:` from each node of the cycle and break the loop"),
                );
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
}

/// Checks the id rule, with a message saying what is wrong with this one.
pub(crate) fn check_id(ld: &mut Loader, id: &str, at: Loc, what: &str) {
    if is_valid_id(id) {
        return;
    }
    let why = if id.is_empty() {
        "is empty".to_string()
    } else if id.chars().count() > 64 {
        format!("is {} characters long; the limit is 64", id.chars().count())
    } else {
        "may only hold lowercase letters, digits and `-`, and starts with a letter or digit"
            .to_string()
    };
    let suggestion: String = id
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(64)
        .collect();
    let hint = if is_valid_id(&suggestion) {
        format!("ids match [a-z0-9][a-z0-9-]*, at most 64 characters, e.g. `{suggestion}`")
    } else {
        "ids match [a-z0-9][a-z0-9-]*, at most 64 characters".to_string()
    };
    ld.push(Diagnostic::error(at, format!("invalid {what} `{id}`: it {why}")).with_hint(hint));
}

/// Parses a keyword value, or reports it with the allowed values and a suggestion.
pub(crate) fn parse_enum<T>(
    ld: &mut Loader,
    file: u32,
    s: &Spanned<String>,
    what: &str,
    allowed: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let v = parse(s.value.as_str());
    if v.is_none() {
        let hint = match suggest::did_you_mean(&s.value, allowed.iter().copied()) {
            Some(d) => format!("{d} ({what} is one of: {})", allowed.join(", ")),
            None => format!("{what} is one of: {}", allowed.join(", ")),
        };
        ld.push(
            Diagnostic::error(
                loc(file, &s.referenced),
                format!("unknown {what} `{}`", s.value),
            )
            .with_hint(hint),
        );
    }
    v
}

/// A node's vars into `out`, nested mappings flattened to dotted names
/// (`link: { max_rtt: 60ms }` → `link.max_rtt`), so that each name is inherited on its own,
/// nearest wins, as a flat var is. Every name part is checked.
fn flatten_vars(
    ld: &mut Loader,
    f: u32,
    prefix: &str,
    vars: &SpannedMap<RawVarAt>,
    out: &mut BTreeMap<String, String>,
) {
    for (k, v) in &vars.0 {
        if !crate::model::is_var_name(&k.value) {
            ld.push(
                Diagnostic::error(loc(f, &k.referenced), format!("invalid var name `{}`", k.value))
                    .with_hint(
                        "letters, digits, `_` and `-`, starting with a letter or `_`; nest a mapping to make a dotted name",
                    ),
            );
        }
        let name = format!("{prefix}{}", k.value);
        match &v.value {
            RawVar::Text(text) => {
                out.insert(name, text.clone());
            }
            RawVar::Typed => {
                let at = loc(f, &v.referenced);
                let text = super::numbers::written_in(&ld.sources.files[f as usize], at);
                out.insert(name, text);
            }
            RawVar::Map(inner) => flatten_vars(ld, f, &format!("{name}."), inner, out),
        }
    }
}
