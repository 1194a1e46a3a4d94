//! Selection from the command line (`--node`, `--level`, `--kind`, `--tag`, `--app`,
//! `--check`, `--vantage`, `--shard`): which part of the planned work to keep.
//!
//! Flags of different kinds narrow together (AND); repeating a flag widens it (OR).

use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{Inventory, Kind, Level, NodeIdx, Suite};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Node ids, each with its descendants.
    pub nodes: Vec<String>,
    pub levels: Vec<Level>,
    pub kinds: Vec<Kind>,
    /// Any of.
    pub tags: Vec<String>,
    /// Nodes hosting any of these apps; per-app checks only for these apps.
    pub apps: Vec<String>,
    /// Glob patterns (`*`, `?`) on check ids.
    pub checks: Vec<String>,
    /// Only the nodes this vantage probes (`--vantage ID`).
    pub vantage: Option<String>,
    /// Only the nodes of this part (`--shard K/N`): see [`Inventory::shard_of`]. The same
    /// node is in the same part with or without `--vantage`, since parts are dealt out per
    /// vantage.
    pub shard: Option<super::Shard>,
}

impl Selection {
    /// Checks the selection against the inputs: an id that names nothing is a mistake, not
    /// an empty run.
    pub fn validate(&self, inv: &Inventory, suite: &Suite) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for id in &self.nodes {
            if inv.find(id).is_none() {
                out.push(
                    Diagnostic::global(format!("--node `{id}`: no such node in the inventory"))
                        .hint_opt(suggest::did_you_mean(id, inv.ids())),
                );
            }
        }
        for a in &self.apps {
            if suite.find_app(a).is_none() {
                out.push(
                    Diagnostic::global(format!(
                        "--app `{a}`: no such app in the suite's catalogue"
                    ))
                    .hint_opt(suggest::did_you_mean(
                        a,
                        suite.apps.iter().map(|x| x.id.as_str()),
                    )),
                );
            }
        }
        if let Some(v) = &self.vantage {
            match inv.find(v) {
                Some(i) if inv.is_vantage(i) => {}
                Some(i) => out.push(
                    Diagnostic::global(format!("--vantage `{v}`: node `{v}` is not a vantage"))
                        .with_hint(format!(
                            "it is probed from `{}`; `netaccept plan --vantages` lists the vantages",
                            inv.node(inv.vantage_of(i)).id
                        )),
                ),
                None => out.push(
                    Diagnostic::global(format!("--vantage `{v}`: no such vantage in the inventory"))
                        .hint_opt(suggest::did_you_mean(
                            v,
                            inv.vantages().into_iter().map(|i| inv.node(i).id.as_str()),
                        )),
                ),
            }
        }
        for p in &self.checks {
            if !suite.checks.iter().any(|c| glob(p, &c.id)) {
                out.push(
                    Diagnostic::global(format!("--check `{p}`: matches no check of the suite"))
                        .hint_opt(suggest::did_you_mean(
                            p,
                            suite.checks.iter().map(|c| c.id.as_str()),
                        )),
                );
            }
        }
        out
    }

    pub fn takes_node(&self, inv: &Inventory, i: NodeIdx) -> bool {
        let n = inv.node(i);
        (self.nodes.is_empty()
            || self
                .nodes
                .iter()
                .filter_map(|id| inv.find(id))
                .any(|a| inv.is_self_or_descendant_of(i, a)))
            && (self.levels.is_empty() || self.levels.contains(&n.level))
            && (self.kinds.is_empty() || self.kinds.contains(&n.kind))
            && (self.tags.is_empty() || self.tags.iter().any(|t| n.tags.contains(t)))
            && (self.apps.is_empty() || n.apps.iter().any(|e| self.apps.contains(&e.app)))
            && self
                .vantage
                .as_deref()
                .is_none_or(|v| inv.find(v) == Some(inv.vantage_of(i)))
    }

    /// Whether the check is planned: `--check` matches it (or is absent), and an on-demand
    /// check is planned only when a `--check` names its id exactly, since a glob or no
    /// `--check` at all must not start a test that loads the link (RFC 6815).
    pub fn takes_check(&self, id: &str, on_demand: bool) -> bool {
        if on_demand {
            self.names_check(id)
        } else {
            self.checks.is_empty() || self.checks.iter().any(|p| glob(p, id))
        }
    }

    /// Whether an on-demand check is left out that the selection would otherwise take: a
    /// `--check` glob matches it, or there is no `--check`. The planner says so.
    pub fn leaves_out_on_demand(&self, id: &str) -> bool {
        !self.names_check(id) && (self.checks.is_empty() || self.checks.iter().any(|p| glob(p, id)))
    }

    /// Whether a `--check` names the id exactly (as written, not as a pattern).
    pub fn names_check(&self, id: &str) -> bool {
        self.checks.iter().any(|p| p == id)
    }

    pub fn takes_app(&self, app: &str) -> bool {
        self.apps.is_empty() || self.apps.iter().any(|a| a == app)
    }
}

/// Shell-style glob: `*` any run of characters, `?` one character; everything else matches
/// itself (a `.` is a dot, not "any character").
///
/// ```
/// use netaccept::plan::glob;
///
/// assert!(glob("net.*", "net.icmp"));
/// assert!(glob("app.?ealth", "app.health"));
/// assert!(!glob("net.*", "app.health"));
/// assert!(!glob("net.icmp", "net.icmpx"));
/// ```
pub fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("net.*", "net.icmp"));
        assert!(glob("*", "app.health"));
        assert!(glob("app.?ealth", "app.health"));
        assert!(glob("*.health", "app.health"));
        assert!(glob("net.icmp", "net.icmp"));
        assert!(!glob("net.*", "app.health"));
        assert!(!glob("net.icmp", "net.icmpx"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }
}
