//! The plain JSON notification, `netaccept-notification/1` (FORMAT.md, "Notifications"):
//! what changed since the previous comparable run, every item with its ids and names, for a
//! receiver that routes or files it itself. Lists are whole (a robot's size limit is the
//! robots' concern, `markdown.rs`).

use serde_json::{Value, json};

use super::{Context, FORMAT};
use crate::history::{ItemKey, RunRow};
use crate::results::Status;
use crate::trend::{Change, Diff, Flap};

pub(super) fn json(diff: &Diff, ctx: &Context) -> Value {
    json!({
        "format": FORMAT,
        "run": run(&diff.b),
        "previous": {
            "id": diff.a.id,
            "started": diff.a.started,
        },
        "counts": {
            "new_failures": diff.new_failures.len(),
            "recoveries": diff.recoveries.len(),
            "still_failing": diff.still_failing.len(),
            "flapping": diff.flapping.len(),
            "flapping_started": diff.flapping_started.len(),
            "flapping_stopped": diff.flapping_stopped.len(),
            "regressions": diff.regressions.len(),
        },
        "new_failures": changes(&diff.new_failures, ctx),
        "recoveries": changes(&diff.recoveries, ctx),
        "flapping_started": flaps(&diff.flapping_started, ctx),
        "flapping_stopped": flaps(&diff.flapping_stopped, ctx),
        "report_dir": ctx.report_dir,
    })
}

fn run(r: &RunRow) -> Value {
    json!({
        "id": r.id,
        "suite": r.suite,
        "suite_name": r.suite_name,
        "scope": r.scope,
        "vantage": r.vantage_id,
        "host": r.host,
        "started": r.started,
        "finished": r.finished,
        "complete": r.complete,
        "summary": r.summary,
    })
}

/// An item's ids and display names (the id again when the record has no name for it).
fn item(key: &ItemKey, ctx: &Context) -> serde_json::Map<String, Value> {
    let (node_name, check_name, app_name) = ctx.names(key);
    let mut m = serde_json::Map::new();
    m.insert("node".into(), json!(key.node));
    m.insert("node_name".into(), json!(node_name));
    m.insert("check".into(), json!(key.check));
    m.insert("check_name".into(), json!(check_name));
    m.insert("app".into(), json!(key.app));
    m.insert("app_name".into(), json!(app_name));
    m
}

fn changes(list: &[Change], ctx: &Context) -> Value {
    list.iter()
        .map(|c| {
            let mut m = item(&c.key, ctx);
            m.insert("before".into(), json!(c.before.map(Status::as_str)));
            m.insert("status".into(), json!(c.after.as_str()));
            m.insert("kind".into(), json!(c.kind));
            m.insert("message".into(), json!(c.message));
            Value::Object(m)
        })
        .collect()
}

fn flaps(list: &[Flap], ctx: &Context) -> Value {
    list.iter()
        .map(|f| {
            let mut m = item(&f.key, ctx);
            m.insert("percent".into(), json!(super::percent(f)));
            Value::Object(m)
        })
        .collect()
}
