//! `manifest.intoto.json`: the bundle as an in-toto Statement v1 with the test-result
//! predicate (v0.1): the subjects are the bundle's files with their SHA-256; the predicate
//! says PASSED, WARNED or FAILED, the configuration (inventory, suite and the record, the
//! run's identity as the record's annotations) and the tests by name (`node/check`, or
//! `node/check@app`) in `passedTests`, `warnedTests` (waived, skipped) and `failedTests`
//! (failed, errored, not reported).

use serde_json::{Value, json};

use super::manifest::Entry;
use crate::results::{Results, Status};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://in-toto.io/attestation/test-result/v0.1";

/// The statement's JSON (pretty, with a final newline): `subjects` are the files it covers,
/// `record` the entry of `results.json` when there is one.
pub fn statement(results: &Results, subjects: &[Entry], record: Option<&Entry>) -> String {
    let (mut passed, mut warned, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for r in &results.results {
        let name = match &r.app {
            Some(app) => format!("{}/{}@{app}", r.node, r.check),
            None => format!("{}/{}", r.node, r.check),
        };
        match r.status {
            Status::Passed => passed.push(name),
            Status::Waived | Status::Skipped => warned.push(name),
            Status::Failed | Status::Errored | Status::NotReported => failed.push(name),
        }
    }
    let result = if !failed.is_empty() || !results.run.complete {
        "FAILED"
    } else if !warned.is_empty() {
        "WARNED"
    } else {
        "PASSED"
    };
    let run = &results.run;
    let mut configuration = vec![
        json!({"name": "inventory", "digest": {"sha256": run.inventory_sha256}}),
        json!({"name": "suite", "digest": {"sha256": run.suite_sha256}}),
    ];
    if let Some(record) = record {
        configuration.push(json!({
            "name": record.path,
            "digest": {"sha256": record.sha256},
            "annotations": {
                "run_id": run.id,
                "vantage_id": run.vantage_id,
                "shard": run.shard.map(|s| format!("{}/{}", s.index, s.count)),
                "host": run.vantage,
                "started": run.started,
                "finished": run.finished,
                "complete": run.complete,
                "netaccept_version": run.netaccept_version,
            }
        }));
    }
    let subject: Vec<Value> = subjects
        .iter()
        .map(|e| json!({"name": e.path, "digest": {"sha256": e.sha256}}))
        .collect();
    let v = json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "result": result,
            "configuration": configuration,
            "passedTests": passed,
            "warnedTests": warned,
            "failedTests": failed,
        }
    });
    serde_json::to_string_pretty(&v).expect("JSON values serialize") + "\n"
}

/// The subjects a statement lists, as (path, sha256), or why it is not a statement of ours.
pub fn subjects(text: &str) -> Result<Vec<Entry>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if v["_type"] != STATEMENT_TYPE || v["predicateType"] != PREDICATE_TYPE {
        return Err("not an in-toto Statement v1 with the test-result predicate".into());
    }
    let Some(list) = v["subject"].as_array() else {
        return Err("no `subject` list".into());
    };
    list.iter()
        .map(
            |s| match (s["name"].as_str(), s["digest"]["sha256"].as_str()) {
                (Some(path), Some(sha)) => Ok(Entry {
                    path: path.to_string(),
                    sha256: sha.to_string(),
                }),
                _ => Err("a subject without a name and a sha256 digest".into()),
            },
        )
        .collect()
}
