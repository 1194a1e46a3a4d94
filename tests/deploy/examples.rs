//! `deploy/k8s/acceptance-job.yaml` and `deploy/gitlab-ci.example.yml`: they parse as YAML,
//! and their `--shard K/N` arguments give each of shards 1..N of a vantage exactly once:
//! the Job's pods (JOB_COMPLETION_INDEX 0..completions-1, put through the same shell
//! arithmetic the pod runs), and the GitLab matrix's jobs.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

fn yaml(rel: &str) -> Value {
    serde_saphyr::from_str(&crate::read_deploy(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every shard K/N for K in 1..=N, as text.
fn all_shards(n: u64) -> BTreeSet<String> {
    (1..=n).map(|k| format!("{k}/{n}")).collect()
}

#[test]
fn the_indexed_job_runs_every_shard_once() {
    let job = yaml("k8s/acceptance-job.yaml");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().expect("completions");
    let container = &spec["template"]["spec"]["containers"][0];
    let env: BTreeMap<&str, &str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert_eq!(env["SHARDS"], n.to_string(), "SHARDS must be completions");
    assert_eq!(container["command"], serde_json::json!(["/bin/sh", "-c"]));
    let script = container["args"][0].as_str().expect("the script");
    let words: Vec<&str> = script.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "--shard")
        .expect("--shard in the pod's command");
    let shard = words[at + 1];
    assert_eq!(shard, "$((JOB_COMPLETION_INDEX+1))/$SHARDS");
    assert!(
        script.contains("netaccept run --vantage \"$VANTAGE\""),
        "{script}"
    );
    assert!(script.contains("--sign-key "), "{script}");
    // What each pod's shell makes of it.
    let mut seen = BTreeSet::new();
    for index in 0..n {
        let out = Command::new("sh")
            .args(["-c", &format!("printf %s {shard}")])
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("SHARDS", env["SHARDS"])
            .output()
            .expect("sh");
        let got = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(seen.insert(got.clone()), "pod {index}: shard {got} twice");
    }
    assert_eq!(seen, all_shards(n));
    // The raw sockets of the ICMP checks, and no other capability.
    let caps = &container["securityContext"]["capabilities"];
    assert_eq!(caps["drop"], serde_json::json!(["ALL"]));
    assert_eq!(caps["add"], serde_json::json!(["NET_RAW"]));
}

/// A matrix entry's values: a string is one value, a list several.
fn values(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().expect("a string").to_string())
            .collect(),
        other => panic!("a matrix value: {other}"),
    }
}

#[test]
fn the_gitlab_matrix_runs_every_shard_of_every_vantage_once() {
    let ci = yaml("gitlab-ci.example.yml");
    let run = &ci["run"];
    let script = run["script"]
        .as_array()
        .expect("run.script")
        .iter()
        .map(|s| s.as_str().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        script.contains("netaccept run --vantage \"$VANTAGE\" --shard \"$SHARD\""),
        "{script}"
    );
    // The jobs GitLab makes: each entry's product of its values.
    let mut shards: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in run["parallel"]["matrix"].as_array().expect("matrix") {
        for v in values(&entry["VANTAGE"]) {
            for s in values(&entry["SHARD"]) {
                shards.entry(v.clone()).or_default().push(s);
            }
        }
    }
    assert!(shards.len() >= 2, "several vantages: {shards:?}");
    assert!(
        shards.values().any(|s| s.len() > 1),
        "one vantage split in shards: {shards:?}"
    );
    for (vantage, got) in &shards {
        let n: u64 = got[0]
            .split_once('/')
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or_else(|| panic!("{vantage}: shard {:?} is not K/N", got[0]));
        let set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "{vantage}: a shard twice in {got:?}");
        assert_eq!(set, all_shards(n), "{vantage}: shards {got:?}");
    }
    let merge = ci["merge"]["script"][0].as_str().expect("merge.script");
    assert!(merge.starts_with("netaccept merge bundles/* "), "{merge}");
    assert!(merge.contains("--keys "), "{merge}");
    assert_eq!(ci["merge"]["needs"], serde_json::json!(["run"]));
}
