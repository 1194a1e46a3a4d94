//! `netaccept merge`: the bundles of several runs (one per vantage, or per shard of one)
//! made into one record of the whole plan. No traffic.
//!
//! Each bundle is verified first ([`verify_bundle`]), its `results.json` read, and its
//! inventory and suite hashes compared with the inputs given to `merge` (hashed as a run
//! hashes them), so that every bundle certifies the same plan. Then [`combine`], the pure
//! part: every planned item takes the one result a bundle gave it (two bundles reporting
//! the same item is an error naming both), and an item no bundle reported becomes a
//! `not_reported` record of the vantage that should have probed it.
//!
//! The output depends on the bundles' contents only, never on the order they were given in,
//! the clock or a hash map's order: the bundles are sorted by (the vantage's place in the
//! inventory, shard, run id), the results are in plan order, the merged run's times are the
//! bundles' earliest start and latest end, and its id is made from the bundles' run ids.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Finished, Prepared, identity, output};
use crate::bundle;
use crate::error::Error;
use crate::model::{Inventory, Suite};
use crate::plan::Plan;
use crate::report::json::{self, ReadError};
use crate::report::{RecordBook, RunMeta, waive};
use crate::results::{BundleInfo, ResultRecord, Results, Shard, Status, Summary};

/// What `merge` is asked, besides the inputs (planned by [`super::prepare`]).
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// The bundles' folders, in any order.
    pub bundles: Vec<PathBuf>,
    /// The merged record's folder (new or empty).
    pub output: PathBuf,
    /// A folder of trusted public keys (`*.pub`).
    pub keys: Option<PathBuf>,
    /// Accept a bundle that carries no signature.
    pub allow_unsigned: bool,
    /// The merged record's operator (`--operator`).
    pub operator: String,
}

/// What verification says of a bundle: the hash of its manifest and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub manifest_sha256: String,
    /// The signer's key id, `None` for an unsigned bundle accepted with `--allow-unsigned`.
    pub signer: Option<String>,
}

/// Verifies one bundle: the one place `merge` trusts a bundle's files. Every file must match
/// its `SHA256SUMS` (a changed, missing or added file is refused, whatever the flags); the
/// signature must verify against one of the keys of `--keys`. Without `--keys` no signature
/// can be checked, so every bundle counts as unsigned: accepted only with `allow_unsigned`,
/// as is a bundle that carries no signature.
pub fn verify_bundle(
    dir: &Path,
    keys: Option<&Path>,
    allow_unsigned: bool,
) -> Result<Verified, Error> {
    let keys = match keys {
        Some(k) => bundle::Keys::from_dir(k)?,
        None => bundle::Keys::none(),
    };
    let unsigned = |manifest_sha256: String| {
        if allow_unsigned {
            Ok(Verified {
                manifest_sha256,
                signer: None,
            })
        } else {
            Err(Error::Merge(format!(
                "bundle {}: not signed by a key of --keys (no --keys given, or no \
                 signature); --allow-unsigned merges it anyway",
                dir.display()
            )))
        }
    };
    match bundle::verify(dir, &keys) {
        Ok(v) if keys.is_empty() => unsigned(v.manifest_sha256),
        Ok(v) => Ok(Verified {
            manifest_sha256: v.manifest_sha256,
            signer: v.signer,
        }),
        Err(bundle::BundleError::Unsigned {
            manifest_sha256, ..
        }) => unsigned(manifest_sha256),
        Err(e) => Err(e.into()),
    }
}

/// One bundle read: its name, what verification said and its record.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The folder's name, as the merged record lists it.
    pub name: String,
    pub verified: Verified,
    pub results: Results,
}

/// Merges the bundles into one record of `prepared`'s plan, waivers applied, and makes its
/// folder. `prepared` must hold a suite and its plan.
pub fn merge(prepared: Prepared, req: &MergeRequest) -> Result<Finished, Error> {
    let Prepared { loaded, plan, .. } = prepared;
    let plan = plan.expect("merge plans a suite");
    let suite = loaded.suite.as_ref().expect("merge has a suite");
    let (inventory_sha256, suite_sha256) = identity::input_hashes(&loaded);
    // What the merge needs of the plan, taken before any bundle is read and the plan
    // dropped: the probes' templates and requests (most of the plan's memory at national
    // scale) are not needed by a record that is not run.
    let slots = Slots::new(&plan, &loaded.inventory, suite, req.bundles.len());
    drop(plan);
    // The bundles are verified and read side by side (each is on its own; together they were
    // a fifth of a national merge's CPU time, perf), and the first one refused in the order
    // given is the error, as reading them one after another would have it.
    let hashes = (inventory_sha256.as_str(), suite_sha256.as_str());
    let bundles = crate::par::map_in_order(&req.bundles, |dir| read_bundle(dir, req, hashes))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let mut results = combine_slots(slots, &loaded.inventory, suite, bundles, &req.operator)?;
    if let Some(w) = &loaded.waivers {
        waive::apply(&mut results, &w.waivers);
    }
    let dir = output::prepare(Some(req.output.clone()), &suite.id, results.run.started)?;
    output::prove_writable(&dir)?;
    Ok(Finished { results, dir })
}

/// One bundle verified, then read: its run and results, made with the inventory and suite
/// whose SHA-256 are `hashes`.
fn read_bundle(dir: &Path, req: &MergeRequest, hashes: (&str, &str)) -> Result<Bundle, Error> {
    // Verification first: nothing of a bundle is read before it is trusted.
    let verified = verify_bundle(dir, req.keys.as_deref(), req.allow_unsigned)?;
    let path = dir.join("results.json");
    let results = json::read_run_and_results(&path).map_err(|e| Error::NotResults {
        path: path.clone(),
        why: match e {
            ReadError::Io(e) => format!("cannot read: {e}"),
            ReadError::NotResults(m) | ReadError::Newer(m) => m,
        },
    })?;
    for (what, theirs, ours) in [
        ("inventory", &results.run.inventory_sha256, hashes.0),
        ("suite", &results.run.suite_sha256, hashes.1),
    ] {
        if theirs != ours {
            return Err(Error::Merge(format!(
                "bundle {} was run with another {what} (sha256 {theirs}) than the one given (sha256 {ours})",
                dir.display()
            )));
        }
    }
    // What the merge takes from a bundle is its run and results (read without the rest):
    // the tree of nodes, checks and apps comes from the inputs (a national bundle's tree is
    // 3,368 nodes, parsed 33 times over otherwise).
    let name = dir
        .file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
    Ok(Bundle {
        name,
        verified,
        results,
    })
}

/// The merged record of `bundles` (already verified, hashes checked) over `plan`: the pure
/// part of [`merge`], the same record whatever the order of `bundles`.
pub fn combine(
    plan: &Plan,
    inv: &Inventory,
    suite: &Suite,
    bundles: Vec<Bundle>,
    operator: &str,
) -> Result<Results, Error> {
    let slots = Slots::new(plan, inv, suite, bundles.len());
    combine_slots(slots, inv, suite, bundles, operator)
}

/// What a merge takes of the plan: each item's place and target, and the record book.
struct Slots {
    items: Vec<Slot>,
    book: RecordBook,
}

struct Slot {
    node: crate::model::NodeIdx,
    check: u32,
    app: Option<u32>,
    target: String,
}

impl Slot {
    fn of(it: &crate::plan::PlanItem) -> Slot {
        Slot {
            node: it.node,
            check: it.check.0,
            app: it.app.map(|a| a.0),
            target: it.probe.target_display(),
        }
    }
}

impl Slots {
    fn new(plan: &Plan, inv: &Inventory, suite: &Suite, bundles: usize) -> Slots {
        Slots {
            items: plan.items.iter().map(Slot::of).collect(),
            book: RecordBook::new(plan, inv, suite, host(bundles)),
        }
    }
}

/// The merged record's host: what it says of the machines.
fn host(bundles: usize) -> String {
    format!("merge of {bundles} bundles")
}

fn combine_slots(
    slots: Slots,
    inv: &Inventory,
    suite: &Suite,
    mut bundles: Vec<Bundle>,
    operator: &str,
) -> Result<Results, Error> {
    let Slots { items, book } = slots;
    if bundles.is_empty() {
        return Err(Error::Merge("no bundle given".into()));
    }
    // The inventory's place of each vantage: the bundles' order.
    let place: HashMap<&str, usize> = inv
        .order
        .iter()
        .enumerate()
        .map(|(p, &i)| (inv.node(i).id.as_str(), p))
        .collect();
    let vantage_place = |b: &Bundle| {
        b.results
            .run
            .vantage_id
            .as_deref()
            .and_then(|v| place.get(v).copied())
            .unwrap_or(usize::MAX)
    };
    bundles.sort_by(|a, b| {
        (
            vantage_place(a),
            a.results.run.shard.map(|s| (s.count, s.index)),
            &a.results.run.id,
            &a.name,
            &a.verified.manifest_sha256,
        )
            .cmp(&(
                vantage_place(b),
                b.results.run.shard.map(|s| (s.count, s.index)),
                &b.results.run.id,
                &b.name,
                &b.verified.manifest_sha256,
            ))
    });
    let missing_shards = check_shards(&bundles)?;

    // The planned items by (node, check, app).
    let mut planned: HashMap<(&str, &str, Option<&str>), usize> =
        HashMap::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let key = (
            inv.node(it.node).id.as_str(),
            suite.checks[it.check as usize].id.as_str(),
            it.app.map(|a| suite.apps[a as usize].id.as_str()),
        );
        planned.insert(key, i);
    }
    // Each item's result and the bundle that gave it.
    // (Two vectors rather than one of pairs: the records' one becomes the record's
    // results in place.)
    let mut got: Vec<Option<ResultRecord>> = vec![None; items.len()];
    let mut from: Vec<usize> = vec![usize::MAX; items.len()];
    let names: Vec<String> = bundles.iter().map(|b| b.name.clone()).collect();
    for (b, bundle) in bundles.iter_mut().enumerate() {
        // Moved, not copied: at national scale the records are most of what a merge holds.
        let records = std::mem::take(&mut bundle.results.results);
        let run = &bundle.results.run;
        for mut r in records {
            let key = (r.node.as_str(), r.check.as_str(), r.app.as_deref());
            let Some(&i) = planned.get(&key) else {
                return Err(Error::Merge(format!(
                    "bundle {} reports {} which the plan does not hold",
                    names[b],
                    item_name(&r.node, &r.check, r.app.as_deref())
                )));
            };
            if got[i].is_some() {
                return Err(Error::Merge(format!(
                    "{} is reported by two bundles: {} and {}",
                    item_name(&r.node, &r.check, r.app.as_deref()),
                    names[from[i]],
                    names[b]
                )));
            }
            // Records written before vantages say neither: the bundle's run does.
            if r.vantage.is_none() {
                r.vantage.clone_from(&run.vantage_id);
            }
            if r.host.is_none() {
                r.host = Some(run.vantage.clone());
            }
            got[i] = Some(r);
            from[i] = b;
        }
    }

    let started = bundles
        .iter()
        .map(|b| b.results.run.started)
        .min()
        .expect("at least one bundle");
    let finished = bundles
        .iter()
        .map(|b| b.results.run.finished)
        .max()
        .expect("at least one bundle");
    let mut ids = Sha256::new();
    for b in &bundles {
        ids.update(b.results.run.id.as_bytes());
        ids.update([0]);
    }
    let id = format!("merge-{}", &hex(&ids.finalize())[..12]);
    let first = &bundles[0].results.run;
    let meta = RunMeta {
        id,
        vantage: host(bundles.len()),
        inventory_sha256: first.inventory_sha256.clone(),
        suite_sha256: first.suite_sha256.clone(),
        selection: Vec::new(),
        operator: operator.to_string(),
        // A merged record covers the whole plan: the root's vantage, as a whole run.
        vantage_id: inv.node(inv.root).id.clone(),
        shard: None,
    };
    let mut record = book.outline(&meta, started, items.len());
    drop(book);

    // Who sent something, for the words of a not-reported item.
    let sent: std::collections::HashSet<&str> = bundles
        .iter()
        .filter_map(|b| b.results.run.vantage_id.as_deref())
        .collect();
    // Each node's shard, per count in use: the deal is over the whole inventory, made once.
    let mut deals: HashMap<u32, Vec<u32>> = HashMap::new();
    let results: Vec<ResultRecord> = got
        .into_iter()
        .zip(&items)
        .map(|(g, it)| {
            if let Some(r) = g {
                return r;
            }
            let vantage = inv.vantage_of(it.node);
            let vid = inv.node(vantage).id.as_str();
            let message = match missing_shards.get(vid) {
                Some((count, missing)) => {
                    let deal = deals.entry(*count).or_insert_with(|| inv.shards(*count));
                    let k = deal[it.node.0 as usize];
                    if missing.contains(&k) {
                        format!("not reported: vantage {vid} shard {k}/{count} sent no result")
                    } else {
                        format!("not reported: vantage {vid} sent no result for it")
                    }
                }
                None if sent.contains(vid) => {
                    format!("not reported: vantage {vid} sent no result for it")
                }
                None => format!("not reported: vantage {vid} sent no result"),
            };
            not_reported(inv, suite, it, vid, message, started)
        })
        .collect();
    record.run.finished = finished;
    record.run.complete = bundles.iter().all(|b| b.results.run.complete);
    record.run.vantage_id = Some(inv.node(inv.root).id.clone());
    record.summary = Summary::of(&results);
    record.results = results;
    record.bundles = bundles
        .iter()
        .map(|b| BundleInfo {
            name: b.name.clone(),
            vantage_id: b.results.run.vantage_id.clone().unwrap_or_default(),
            shard: b.results.run.shard,
            host: b.results.run.vantage.clone(),
            started: b.results.run.started,
            finished: b.results.run.finished,
            run_id: b.results.run.id.clone(),
            manifest_sha256: b.verified.manifest_sha256.clone(),
            signer: b.verified.signer.clone(),
        })
        .collect();
    Ok(record)
}

/// The shards of each vantage that sent shards: they must agree on their count, and none
/// may come twice. Returns, per such vantage, the count and the indices that did not come.
fn check_shards(bundles: &[Bundle]) -> Result<HashMap<String, (u32, Vec<u32>)>, Error> {
    let mut by_vantage: HashMap<&str, Vec<(Shard, &str)>> = HashMap::new();
    for b in bundles {
        if let (Some(v), Some(s)) = (&b.results.run.vantage_id, b.results.run.shard) {
            by_vantage
                .entry(v.as_str())
                .or_default()
                .push((s, b.name.as_str()));
        }
    }
    let mut out = HashMap::new();
    // Sorted, so that the error named is the same whatever the order given.
    let mut vantages: Vec<_> = by_vantage.into_iter().collect();
    vantages.sort_by(|a, b| a.0.cmp(b.0));
    for (v, shards) in vantages {
        let count = shards[0].0.count;
        if let Some((s, name)) = shards.iter().find(|(s, _)| s.count != count) {
            return Err(Error::Merge(format!(
                "the shards of vantage {v} disagree on their count: {} says {}/{}, {} says {}/{count}",
                name, s.index, s.count, shards[0].1, shards[0].0.index
            )));
        }
        let mut seen: HashMap<u32, &str> = HashMap::new();
        for (s, name) in &shards {
            if let Some(other) = seen.insert(s.index, name) {
                return Err(Error::Merge(format!(
                    "shard {}/{count} of vantage {v} is given twice: {other} and {name}",
                    s.index
                )));
            }
        }
        let missing: Vec<u32> = (1..=count).filter(|k| !seen.contains_key(k)).collect();
        out.insert(v.to_string(), (count, missing));
    }
    Ok(out)
}

/// The record of a planned item that no bundle reported.
fn not_reported(
    inv: &Inventory,
    suite: &Suite,
    it: &Slot,
    vantage: &str,
    message: String,
    at: DateTime<Utc>,
) -> ResultRecord {
    let check = &suite.checks[it.check as usize];
    ResultRecord {
        node: inv.node(it.node).id.clone(),
        check: check.id.clone(),
        app: it.app.map(|a| suite.apps[a as usize].id.clone()),
        status: Status::NotReported,
        severity: check.severity,
        started: at,
        duration_ms: 0.0,
        attempts: 0,
        attempt_ms: Vec::new(),
        message,
        measurements: serde_json::Map::new(),
        kind: None,
        expected: None,
        measured: None,
        evidence: None,
        target: it.target.clone(),
        waiver: None,
        waiver_expired: None,
        need_waived: false,
        vantage: Some(vantage.to_string()),
        host: None,
    }
}

/// `node/check` or `node/check/app`, as messages name an item.
fn item_name(node: &str, check: &str, app: Option<&str>) -> String {
    match app {
        Some(a) => format!("{node}/{check}/{a}"),
        None => format!("{node}/{check}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests;
