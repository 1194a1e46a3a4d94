//! `gen-national --townships`: townships (乡镇级) below the counties of the national
//! inventory, so that it holds exactly [`FACTOR`] times the nodes, for the benchmark at ten
//! times the national scale. Not checked in: the benchmark generates it.
//!
//! Each county gets its share of the townships (spread evenly, so the total is exact), each
//! township right after its county in the province's file (parents first), with an id
//! `<county-id>-tNN`, a name after its county's area, an address of its province's block
//! handed out after every bureau's (so the bureaus keep the addresses of the national
//! inventory), the looser limits of the link into the township tier, and most of them one
//! or two of the five apps on plain HTTP 8080, chosen by a hash of the id: the same output
//! every time.

use netaccept::model::{Kind, Level};

use super::divisions::HOSTS_PER_OCTET;
use super::generate::{ALL_APPS, Hosts, Node, NodeFile, endpoints};

/// The inventory with townships holds this many times the nodes of the one without.
pub const FACTOR: usize = 10;

/// Adds the townships to `files` (from `generate::build`): `(FACTOR - 1)` times the nodes
/// already there, spread over the counties in file order. Without a county (trimmed data),
/// nothing is added.
pub(super) fn add(files: &mut [NodeFile]) {
    let base: usize = files.iter().map(|f| f.nodes.len()).sum();
    let counties = files
        .iter()
        .flat_map(|f| &f.nodes)
        .filter(|n| n.level == Level::County)
        .count();
    if counties == 0 {
        return;
    }
    let wanted = base * (FACTOR - 1);
    // County i gets the townships between wanted·i/C and wanted·(i+1)/C: shares differing
    // by at most one, adding up to `wanted` exactly.
    let share = |i: usize| wanted * (i + 1) / counties - wanted * i / counties;
    let mut county = 0;
    for file in files.iter_mut() {
        if !file.nodes.iter().any(|n| n.level == Level::County) {
            continue;
        }
        let mut hosts = after_last_host(&file.nodes);
        let mut nodes = Vec::with_capacity(file.nodes.len() * FACTOR);
        for node in std::mem::take(&mut file.nodes) {
            let is_county = node.level == Level::County;
            nodes.push(node);
            if !is_county {
                continue;
            }
            let parent = nodes.last().expect("just pushed").clone();
            for n in 1..=share(county) {
                nodes.push(township(&parent, n, hosts.next()));
            }
            county += 1;
        }
        file.nodes = nodes;
    }
}

/// The province's next free address: after the highest one its bureaus hold.
fn after_last_host(nodes: &[Node]) -> Hosts {
    let octets = |h: &str| -> [u32; 4] {
        let mut o = [0u32; 4];
        for (slot, part) in o.iter_mut().zip(h.split('.')) {
            *slot = part.parse().expect("generated hosts are IPv4 addresses");
        }
        o
    };
    let first = octets(&nodes[0].host);
    let used = nodes
        .iter()
        .map(|n| {
            let [_, _, x, y] = octets(&n.host);
            x * HOSTS_PER_OCTET + y
        })
        .max()
        .expect("a file with a county has nodes");
    let province = u8::try_from(first[1]).expect("an octet");
    Hosts::from(province, used)
}

/// The `n`-th township (from 1) of `county`.
fn township(county: &Node, n: usize, host: String) -> Node {
    let area = county
        .name
        .strip_suffix("应急管理局")
        .unwrap_or(&county.name);
    // A district's (区) towns are subdistricts (街道); a county's, townships (乡镇).
    let unit = if area.ends_with('区') {
        "街道"
    } else {
        "乡镇"
    };
    let id = format!("{}-t{n:02}", county.id);
    let mut node = Node::new(
        Level::Township,
        Kind::Safety,
        id,
        format!("{area}第{n}{unit}安全生产监管站"),
        &county.id,
        county.region.clone().unwrap_or_default(),
        host,
    );
    // Townships have no name in the zone: the DNS checks are the provinces'.
    node.vars.clear();
    node.apps = endpoints(Level::Township, &node.host, &apps_of(&node.id));
    node
}

/// The apps a township hosts, in catalogue order: by a hash of its id, none for two in
/// ten, one for five in ten, two for three in ten.
fn apps_of(id: &str) -> Vec<&'static str> {
    let h = fnv1a(id);
    let first = (h / 10 % ALL_APPS.len() as u64) as usize;
    let count = match h % 10 {
        0..=1 => 0,
        2..=6 => 1,
        _ => 2,
    };
    let mut picked: Vec<usize> = vec![first];
    if count == 2 {
        let step = 1 + (h / 50 % (ALL_APPS.len() as u64 - 1)) as usize;
        picked.push((first + step) % ALL_APPS.len());
    }
    picked.truncate(count);
    picked.sort_unstable();
    picked.into_iter().map(|i| ALL_APPS[i]).collect()
}

/// FNV-1a, 64-bit: a hash that is the same on every machine and in every build.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::net::Ipv4Addr;

    use super::*;
    use crate::national::divisions::vendored as divisions;
    use crate::national::generate::{generate, generate_with_townships};

    /// Every `- id:` of the rendered files with the lines of its node, in order.
    fn nodes_of(text: &str) -> Vec<(String, Vec<&str>)> {
        let mut out: Vec<(String, Vec<&str>)> = Vec::new();
        for line in text.lines() {
            if let Some(id) = line.strip_prefix("  - id: ") {
                out.push((id.trim_matches('"').to_owned(), Vec::new()));
            } else if let Some(last) = out.last_mut() {
                last.1.push(line);
            }
        }
        out
    }

    fn value<'a>(lines: &[&'a str], key: &str) -> Option<&'a str> {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&format!("    {key}: ")))
            .map(|v| v.trim_matches('"'))
    }

    #[test]
    fn ten_times_the_nodes_deterministic_and_the_bureaus_unchanged() {
        let div = divisions();
        let plain = generate(&div);
        let towns = generate_with_townships(&div);
        assert_eq!(towns, generate_with_townships(&div), "deterministic");
        let count = |files: &[crate::national::generate::GeneratedFile]| -> usize {
            files.iter().map(|f| nodes_of(&f.text).len()).sum()
        };
        assert_eq!(count(&plain), 3_368);
        assert_eq!(count(&towns), FACTOR * 3_368);
        // The same files; each holds the plain file's nodes, unchanged and in order, with
        // townships among them.
        assert_eq!(plain.len(), towns.len());
        for (p, t) in plain.iter().zip(&towns) {
            assert_eq!(p.name, t.name);
            let kept: Vec<_> = nodes_of(&t.text)
                .into_iter()
                .filter(|(_, lines)| value(lines, "level") != Some("township"))
                .collect();
            assert_eq!(kept, nodes_of(&p.text), "{}", p.name);
        }
    }

    #[test]
    fn townships_follow_their_county_with_ids_names_hosts_limits_and_apps() {
        let towns = generate_with_townships(&divisions());
        let mut hosts = BTreeSet::new();
        let mut ids = BTreeSet::new();
        let mut per_county: BTreeMap<String, usize> = BTreeMap::new();
        let mut apps = [0usize; 3];
        let mut by_app: BTreeMap<&str, usize> = BTreeMap::new();
        for file in &towns {
            let mut last_county: Option<(String, String)> = None;
            for (id, lines) in nodes_of(&file.text) {
                let host = value(&lines, "host").unwrap();
                let ip: Ipv4Addr = host.parse().unwrap();
                assert_eq!(ip.octets()[0], 127, "{id} {host}");
                assert!(ip.octets()[3] != 0 && ip.octets()[3] != 255, "{id} {host}");
                assert!(
                    ip.octets()[2] != 255,
                    "{id} {host}: the secondary DNS block"
                );
                assert!(hosts.insert(ip), "duplicate host {host} on {id}");
                assert!(netaccept::model::is_valid_id(&id), "{id}");
                assert!(ids.insert(id.clone()), "duplicate id {id}");
                match value(&lines, "level").unwrap() {
                    "county" => {
                        let name = value(&lines, "name").unwrap().to_owned();
                        last_county = Some((id.clone(), name));
                    }
                    "township" => {
                        let (county, county_name) = last_county.clone().expect("after a county");
                        assert_eq!(value(&lines, "parent"), Some(county.as_str()), "{id}");
                        let n: usize = id
                            .strip_prefix(&format!("{county}-t"))
                            .unwrap_or_else(|| panic!("{id} under {county}"))
                            .parse()
                            .unwrap();
                        let count = per_county.entry(county.clone()).or_default();
                        *count += 1;
                        assert_eq!(n, *count, "{id}: numbered in order");
                        let area = county_name.strip_suffix("应急管理局").unwrap();
                        let name = value(&lines, "name").unwrap();
                        assert!(
                            name == format!("{area}第{n}乡镇安全生产监管站")
                                || name == format!("{area}第{n}街道安全生产监管站"),
                            "{id}: {name}"
                        );
                        assert!(
                            lines.contains(&"      link: { max_rtt: 300ms, max_p95: 450ms, max_ipdv: 300ms, max_loss: 20%, min_mtu: 1400 }"),
                            "{id}"
                        );
                        let urls: Vec<&str> = lines
                            .iter()
                            .filter_map(|l| l.strip_prefix("      "))
                            .filter(|l| l.contains("{ url: "))
                            .collect();
                        apps[urls.len()] += 1;
                        for u in urls {
                            let (app, url) = u.split_once(": { url: ").unwrap();
                            assert_eq!(url, format!("\"http://{host}:8080/{app}\" }}"), "{id}");
                            *by_app
                                .entry(ALL_APPS.iter().find(|a| **a == app).unwrap())
                                .or_default() += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        // Every county has its share, all within one of each other.
        assert_eq!(per_county.len(), 2_978);
        let (lo, hi) = (
            per_county.values().min().unwrap(),
            per_county.values().max().unwrap(),
        );
        assert!(hi - lo <= 1, "{lo}..{hi}");
        // Most host an app, some two, every app somewhere.
        let total: usize = apps.iter().sum();
        assert_eq!(total, 30_312);
        assert!(
            apps[0] < total / 4 && apps[1] > total / 3 && apps[2] > total / 5,
            "{apps:?}"
        );
        assert_eq!(by_app.len(), ALL_APPS.len(), "{by_app:?}");
    }

    #[test]
    fn apps_are_in_catalogue_order_and_distinct() {
        for i in 0..2_000 {
            let apps = apps_of(&format!("x-{i}-t01"));
            assert!(apps.len() <= 2);
            let pos: Vec<usize> = apps
                .iter()
                .map(|a| ALL_APPS.iter().position(|b| b == a).unwrap())
                .collect();
            assert!(pos.windows(2).all(|w| w[0] < w[1]), "{apps:?}");
        }
    }
}
