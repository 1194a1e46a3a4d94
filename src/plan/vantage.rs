//! Vantages and shards: which vantage's probe host runs each planned item, and the
//! deterministic parts (`--shard K/N`) a selection is cut into.
//!
//! The rule (FORMAT.md): every node is probed from its nearest vantage ancestor-or-self
//! (the root is always a vantage), unless it names another vantage with `probed_from`.
//! [`assignment`] works each vantage's share out from the tree (down from the vantage,
//! stopping at the next vantage, plus the nodes that name it), not through
//! [`Inventory::vantage_of`], so that [`exactly_one`] checks the two against each other
//! rather than a function against itself.

use super::{ItemIdx, Plan};
use crate::model::{Inventory, NodeIdx};

/// `--shard K/N`: the K-th of N parts (1-based) of the selected items, split by node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The most parts a selection may be cut into: more than any CI matrix or Indexed Job.
pub const MAX_SHARDS: u32 = 10_000;

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N ≤ [`MAX_SHARDS`].
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 ≤ K ≤ N ≤ {MAX_SHARDS}, e.g. `2/4`");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One vantage's part of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub vantage: NodeIdx,
    /// The nodes it probes that have planned items, in inventory order.
    pub nodes: Vec<NodeIdx>,
    /// Its planned items, in plan order.
    pub items: Vec<ItemIdx>,
}

/// Every vantage of the inventory (in inventory order, the root first) with the nodes and
/// items of `plan` it probes; a vantage with nothing planned has empty lists.
pub fn assignment(inv: &Inventory, plan: &Plan) -> Vec<Share> {
    let vantages = inv.vantages();
    // The nodes each vantage probes, from the tree: its subtree down to the next vantages
    // (whose own node is theirs), less the nodes that name another vantage, plus the nodes
    // anywhere that name it.
    let mut probes: Vec<Vec<bool>> = Vec::with_capacity(vantages.len());
    for &v in &vantages {
        let mut mine = vec![false; inv.nodes.len()];
        let mut stack = vec![v];
        while let Some(n) = stack.pop() {
            mine[n.0 as usize] = inv.node(n).probed_from.is_none_or(|p| p == v);
            for &c in &inv.node(n).children {
                if !inv.is_vantage(c) {
                    stack.push(c);
                } else if inv.node(c).probed_from == Some(v) {
                    mine[c.0 as usize] = true;
                }
            }
        }
        for (i, n) in inv.nodes.iter().enumerate() {
            if n.probed_from == Some(v) {
                mine[i] = true;
            }
        }
        probes.push(mine);
    }
    vantages
        .iter()
        .zip(probes)
        .map(|(&v, mine)| {
            let items: Vec<ItemIdx> = (0..plan.items.len())
                .filter(|&i| mine[plan.items[i].node.0 as usize])
                .collect();
            let mut nodes: Vec<NodeIdx> = items.iter().map(|&i| plan.items[i].node).collect();
            nodes.dedup();
            Share {
                vantage: v,
                nodes,
                items,
            }
        })
        .collect()
}

/// Checks that every planned item is in exactly one share, and in the share of the vantage
/// [`Inventory::vantage_of`] names: `Err` lists the first items that are not (a bug, never
/// an input mistake: the loader has checked every `probed_from`).
pub fn exactly_one(inv: &Inventory, plan: &Plan, shares: &[Share]) -> Result<(), String> {
    let mut owners: Vec<Vec<NodeIdx>> = vec![Vec::new(); plan.items.len()];
    for s in shares {
        for &i in &s.items {
            owners[i].push(s.vantage);
        }
    }
    let wrong: Vec<String> = owners
        .iter()
        .enumerate()
        .filter(|(i, o)| o.as_slice() != [inv.vantage_of(plan.items[*i].node)])
        .take(5)
        .map(|(i, o)| {
            let ids: Vec<&str> = o.iter().map(|&v| inv.node(v).id.as_str()).collect();
            format!(
                "item {} ({} on `{}`) is in the share of [{}]",
                i,
                plan.items[i].label,
                inv.node(plan.items[i].node).id,
                ids.join(", ")
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}
