//! Nodes of the network and the tree they form.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Loc;

/// A node's place in the hierarchy; a parent's level is always strictly higher.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    National,
    Provincial,
    Prefectural,
    County,
    // A township (乡镇) or key enterprise below a county bureau: the lowest level. A plain
    // comment, not a doc one: schemars would make the variant a schema of its own.
    Township,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::National,
        Level::Provincial,
        Level::Prefectural,
        Level::County,
        Level::Township,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Provincial => "provincial",
            Level::Prefectural => "prefectural",
            Level::County => "county",
            Level::Township => "township",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Higher levels rank lower: national is 0.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// Which administration a node belongs to: a work-safety bureau or a coal-mine safety
/// supervision bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Safety,
    Coal,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Safety, Kind::Coal];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Safety => "safety",
            Kind::Coal => "coal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Index of a node in [`Inventory::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIdx(pub u32);

/// An application a node hosts, and where it answers.
#[derive(Debug, Clone)]
pub struct AppEndpoint {
    /// An id of the suite's app catalogue (checked when a suite is loaded with it).
    pub app: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub kind: Kind,
    pub parent: Option<NodeIdx>,
    /// Children sorted by id, which fixes the depth-first order of plans and reports.
    pub children: Vec<NodeIdx>,
    pub region: Option<String>,
    pub host: Option<String>,
    pub tags: Vec<String>,
    /// The node's own vars; see [`Inventory::var`] for the inherited view.
    pub vars: BTreeMap<String, String>,
    /// In the order written.
    pub apps: Vec<AppEndpoint>,
    /// Where the node's `id` was written.
    pub loc: Loc,
    /// This node is a vantage: a probe host here probes it and the nodes below it that
    /// have no nearer vantage (`vantage: true`, or `probe: { host: … }`). The root is always
    /// one, whether it says so or not ([`Inventory::is_vantage`]).
    pub vantage: Option<Vantage>,
    /// The vantage that probes this node instead of its nearest vantage ancestor-or-self
    /// (`probed_from: ID`); the loader has checked that it names a vantage.
    pub probed_from: Option<NodeIdx>,
}

/// What the inventory says of a vantage's probe host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vantage {
    /// The probe host's name (`probe: { host: … }`): where Ansible deploys the vantage's
    /// timer; `None` for `vantage: true`.
    pub probe_host: Option<String>,
}

/// A validated inventory: one tree, unique ids, levels strictly decreasing downwards.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub nodes: Vec<Node>,
    pub root: NodeIdx,
    /// Depth-first pre-order from the root, children by id.
    pub order: Vec<NodeIdx>,
    by_id: HashMap<String, NodeIdx>,
}

impl Inventory {
    /// Builds the indexes. The caller (the loader) has checked that the nodes form one tree
    /// rooted at `root` with parent links consistent with `children`.
    pub fn new(mut nodes: Vec<Node>, root: NodeIdx) -> Inventory {
        let by_id: HashMap<String, NodeIdx> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), NodeIdx(i as u32)))
            .collect();
        let ids: Vec<String> = nodes.iter().map(|n| n.id.clone()).collect();
        for n in &mut nodes {
            n.children
                .sort_by(|a, b| ids[a.0 as usize].cmp(&ids[b.0 as usize]));
        }
        let mut order = Vec::with_capacity(nodes.len());
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(nodes[i.0 as usize].children.iter().rev());
        }
        Inventory {
            nodes,
            root,
            order,
            by_id,
        }
    }

    /// Whether a probe host at `i` probes from there: the root always, any other node that
    /// is marked a vantage.
    pub fn is_vantage(&self, i: NodeIdx) -> bool {
        i == self.root || self.node(i).vantage.is_some()
    }

    /// The vantage that probes `i`: the one it names (`probed_from`), else its nearest
    /// vantage ancestor-or-self (the root at the latest).
    pub fn vantage_of(&self, i: NodeIdx) -> NodeIdx {
        if let Some(v) = self.node(i).probed_from {
            return v;
        }
        self.ancestors_and_self(i)
            .find(|&a| self.is_vantage(a))
            .unwrap_or(self.root)
    }

    /// The shard of `count` (1-based, as `--shard 2/4` writes it) that probes `i`: its
    /// vantage's nodes, in the inventory's order, dealt out in turn. A node's checks stay
    /// together, so `needs` holds within a shard; the same inventory always deals the same.
    pub fn shard_of(&self, i: NodeIdx, count: u32) -> u32 {
        self.shards(count)[i.0 as usize]
    }

    /// [`Self::shard_of`] for every node at once (indexed by [`NodeIdx`]), in one pass.
    pub fn shards(&self, count: u32) -> Vec<u32> {
        let mut dealt: HashMap<NodeIdx, u32> = HashMap::new();
        let mut out = vec![0; self.nodes.len()];
        for &n in &self.order {
            let next = dealt.entry(self.vantage_of(n)).or_insert(0);
            out[n.0 as usize] = (*next % count.max(1)) + 1;
            *next += 1;
        }
        out
    }

    /// The vantages, in the inventory's order (the root first).
    pub fn vantages(&self) -> Vec<NodeIdx> {
        self.order
            .iter()
            .copied()
            .filter(|&i| self.is_vantage(i))
            .collect()
    }

    pub fn node(&self, i: NodeIdx) -> &Node {
        &self.nodes[i.0 as usize]
    }

    pub fn find(&self, id: &str) -> Option<NodeIdx> {
        self.by_id.get(id).copied()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.id.as_str())
    }

    /// The node itself, then its parent, up to the root.
    pub fn ancestors_and_self(&self, i: NodeIdx) -> impl Iterator<Item = NodeIdx> + '_ {
        std::iter::successors(Some(i), |&i| self.node(i).parent)
    }

    /// A var as the node sees it: its own, else the nearest ancestor's.
    pub fn var(&self, i: NodeIdx, name: &str) -> Option<&str> {
        self.ancestors_and_self(i)
            .find_map(|a| self.node(a).vars.get(name).map(String::as_str))
    }

    /// All vars the node sees, nearest wins.
    pub fn vars(&self, i: NodeIdx) -> BTreeMap<&str, &str> {
        let mut out = BTreeMap::new();
        for a in self.ancestors_and_self(i) {
            for (k, v) in &self.node(a).vars {
                out.entry(k.as_str()).or_insert(v.as_str());
            }
        }
        out
    }

    /// Ids from the root down to the node, joined by `.` (`national.bj.bj-dongcheng`).
    pub fn path(&self, i: NodeIdx) -> String {
        let mut ids: Vec<&str> = self
            .ancestors_and_self(i)
            .map(|a| self.node(a).id.as_str())
            .collect();
        ids.reverse();
        ids.join(".")
    }

    pub fn is_self_or_descendant_of(&self, i: NodeIdx, ancestor: NodeIdx) -> bool {
        self.ancestors_and_self(i).any(|a| a == ancestor)
    }

    /// The provincial-level node a node belongs to (itself if provincial), if any.
    pub fn province_of(&self, i: NodeIdx) -> Option<NodeIdx> {
        self.ancestors_and_self(i)
            .find(|&a| self.node(a).level == Level::Provincial)
    }
}
