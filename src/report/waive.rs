//! Waivers applied to a results record: a failed or errored result that a waiver in force
//! covers becomes `waived`, keeping what it found. An expired waiver does not apply: a
//! failure only it covers keeps its status and names it (`waiver_expired`), and the waiver
//! is listed with the failures it no longer excuses. A check skipped because a check it
//! needs failed under a waiver is marked (`need_waived`) and its message says so: the
//! readiness matrix counts it as waived, not as unproven.
//!
//! Applying is idempotent: earlier waivers are taken back first, so `netaccept report
//! --waivers` can apply a newer waivers file to an old run.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Lang;
use crate::model::Waiver;
use crate::results::{
    AppliedWaiver, ExpiredWaiver, NEEDS, ResultRecord, Results, Status, Summary, WaiverInfo,
    WaiverState,
};

/// What [`apply`] adds to the message of a skip whose need was waived, and takes back
/// before applying again. The message names the failed check (the first cause of a chain
/// of skips), so "that failure" is the waived one.
pub const NEED_WAIVED_SUFFIX: &str = " (that failure is waived)";

/// The day a run is judged on: its start, in China Standard Time (UTC+8), where the
/// waivers' dates are written.
pub fn run_day(r: &Results) -> NaiveDate {
    crate::model::beijing::day_of(r.run.started)
}

pub fn apply(r: &mut Results, waivers: &[Waiver]) {
    for x in &mut r.results {
        if let Some(w) = x.waiver.take() {
            x.status = w.original_status;
        }
        x.waiver_expired = None;
        if std::mem::take(&mut x.need_waived)
            && let Some(m) = x.message.strip_suffix(NEED_WAIVED_SUFFIX)
        {
            x.message.truncate(m.len());
        }
    }
    let day = run_day(r);
    let mut used = vec![0usize; waivers.len()];
    let mut not_waived = vec![0usize; waivers.len()];
    for x in &mut r.results {
        if !matches!(x.status, Status::Failed | Status::Errored) {
            continue;
        }
        let covering = || {
            waivers
                .iter()
                .enumerate()
                .filter(|(_, w)| w.covers(&x.node, &x.check, x.app.as_deref()))
        };
        if let Some((i, w)) = covering().find(|(_, w)| w.in_force_on(day)) {
            used[i] += 1;
            x.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                original_status: x.status,
            });
            x.status = Status::Waived;
            continue;
        }
        // Only expired waivers cover it (no waiver in force does): each is counted, and the
        // failure names the one that lapsed last, the one its owner most likely meant.
        let mut latest: Option<&Waiver> = None;
        for (i, w) in covering() {
            not_waived[i] += 1;
            if latest.is_none_or(|l| w.expires > l.expires) {
                latest = Some(w);
            }
        }
        x.waiver_expired = latest.map(|w| ExpiredWaiver {
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
        });
    }
    mark_need_waived(&mut r.results);
    r.waivers = waivers
        .iter()
        .zip(used.into_iter().zip(not_waived))
        .map(|(w, (used, not_waived))| {
            let in_force = w.in_force_on(day);
            WaiverInfo {
                node: w.node.clone(),
                check: w.check.clone(),
                app: w.app.clone(),
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                state: if in_force {
                    WaiverState::InForce
                } else {
                    WaiverState::Expired
                },
                used,
                failures_not_waived: if in_force { 0 } else { not_waived },
            }
        })
        .collect();
    r.summary = Summary::of(&r.results);
}

/// Marks the skipped records whose need was waived, and says so in their message. The
/// needed check is the record's `needs` measurement; its records are those of the same
/// node, of the same app when the needed check has one for it (a per-app need), else all
/// of that check's on the node. The need counts as waived when every one of them that did
/// not pass is waived, or is itself a skip whose need was waived: so a chain of skips
/// behind one waived failure is marked to its end.
fn mark_need_waived(results: &mut [ResultRecord]) {
    let mut by_check: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, x) in results.iter().enumerate() {
        by_check.entry((&x.node, &x.check)).or_default().push(i);
    }
    // Each skip with its needed records, found once.
    let skips: Vec<(usize, Vec<usize>)> = results
        .iter()
        .enumerate()
        .filter(|(_, x)| x.status == Status::Skipped)
        .filter_map(|(i, x)| {
            let need = x.measurements.get(NEEDS)?.as_str()?;
            let all = by_check.get(&(x.node.as_str(), need))?;
            let same_app: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&j| x.app.is_some() && results[j].app == x.app)
                .collect();
            Some((
                i,
                if same_app.is_empty() {
                    all.clone()
                } else {
                    same_app
                },
            ))
        })
        .collect();
    let mut waived = vec![false; results.len()];
    // A chain is marked one link per pass; a pass that marks nothing ends it.
    loop {
        let mut changed = false;
        for (i, needed) in &skips {
            if waived[*i] {
                continue;
            }
            let mut not_passed = needed
                .iter()
                .filter(|&&j| results[j].status != Status::Passed)
                .peekable();
            if not_passed.peek().is_some()
                && not_passed.all(|&j| results[j].status == Status::Waived || waived[j])
            {
                waived[*i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (x, w) in results.iter_mut().zip(waived) {
        if w {
            x.need_waived = true;
            x.message.push_str(NEED_WAIVED_SUFFIX);
        }
    }
}

/// One line about a waived result, for messages and JUnit: why it is excused and what it
/// found.
pub fn describe(w: &AppliedWaiver, message: &str) -> String {
    format!(
        "waived: {} (approved by {}, until {}); was {}: {message}",
        w.reason,
        w.approved_by,
        w.expires,
        w.original_status.as_str()
    )
}

/// What a failure says of the waiver that no longer covers it: `waiver expired on
/// 2026-06-30 (reason, approved by …)` / `豁免已于 2026-06-30 过期（…）`.
pub fn expired_note(w: &ExpiredWaiver, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "豁免已于 {} 过期（{}，批准：{}）",
            w.expires, w.reason, w.approved_by
        ),
        Lang::En => format!(
            "waiver expired on {} ({}, approved by {})",
            w.expires, w.reason, w.approved_by
        ),
    }
}

/// What the waiver list says of an expired waiver that still covers `n` failures:
/// `expired, 1 failure not waived` / `已过期，1 项未通过未获豁免`.
pub fn not_waived_note(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已过期，{n} 项未通过未获豁免"),
        Lang::En if n == 1 => "expired, 1 failure not waived".to_string(),
        Lang::En => format!("expired, {n} failures not waived"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::Severity;
    use crate::results::{FORMAT, RunInfo};

    /// A record as results.json holds it: read, so that a field added to the record does
    /// not touch these tests.
    fn record(node: &str, check: &str, app: Option<&str>, status: Status) -> ResultRecord {
        serde_json::from_value(serde_json::json!({
            "node": node, "check": check, "app": app, "status": status,
            "severity": Severity::Critical, "started": "2026-12-03T02:00:00Z",
            "duration_ms": 1.0, "attempts": 1,
            "message": format!("{check} {}", status.as_str()),
            "measurements": {}, "target": "t"
        }))
        .expect("a record")
    }

    /// A skip as the recorder makes it: the needed check's id in `needs`.
    fn skip(node: &str, check: &str, app: Option<&str>, need: &str, why: &str) -> ResultRecord {
        let mut r = record(node, check, app, Status::Skipped);
        r.message = why.into();
        r.kind = Some("NeedsFailed".into());
        r.measurements.insert(NEEDS.into(), need.into());
        r
    }

    fn results(results: Vec<ResultRecord>) -> Results {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        Results {
            format: FORMAT.into(),
            run: RunInfo {
                id: "r".into(),
                suite: "s".into(),
                suite_name: "s".into(),
                started: at,
                finished: at,
                complete: true,
                vantage: "v".into(),
                inventory_sha256: String::new(),
                suite_sha256: String::new(),
                netaccept_version: String::new(),
                selection: Vec::new(),
                planned: results.len(),
                operator: String::new(),
                vantage_id: None,
                shard: None,
            },
            summary: Summary::of(&results),
            results,
            nodes: Vec::new(),
            checks: Vec::new(),
            apps: Vec::new(),
            waivers: Vec::new(),
            bundles: Vec::new(),
        }
    }

    fn waiver(node: &str, check: &str, app: Option<&str>, expires: (i32, u32, u32)) -> Waiver {
        Waiver {
            node: node.into(),
            check: check.into(),
            app: app.map(Into::into),
            reason: format!("{node} {check}"),
            approved_by: "项目推进办".into(),
            expires: NaiveDate::from_ymd_opt(expires.0, expires.1, expires.2).unwrap(),
            loc: crate::model::Loc::default(),
        }
    }

    #[test]
    fn a_failure_only_an_expired_waiver_covers_names_it_and_the_waiver_counts_it() {
        let mut r = results(vec![
            record("yn", "app.health", Some("dispatch"), Status::Failed),
            record("yn", "app.health", Some("hazchem"), Status::Errored),
            record("yn", "net.dns", None, Status::Failed),
        ]);
        let ws = [
            waiver("yn", "app.health", None, (2026, 3, 31)),
            // Expired later than the first: the one the failures name.
            waiver("yn", "app.health", Some("dispatch"), (2026, 6, 30)),
            waiver("yn", "net.dns", None, (2027, 1, 31)),
        ];
        apply(&mut r, &ws);
        let [dispatch, hazchem, dns] = &r.results[..] else {
            unreachable!()
        };
        assert_eq!(
            dispatch.status,
            Status::Failed,
            "an expired waiver excuses nothing"
        );
        let named = dispatch.waiver_expired.as_ref().unwrap();
        assert_eq!(named.expires.to_string(), "2026-06-30");
        assert_eq!(hazchem.status, Status::Errored);
        assert_eq!(
            hazchem.waiver_expired.as_ref().unwrap().expires.to_string(),
            "2026-03-31"
        );
        assert_eq!(dns.status, Status::Waived, "in force");
        assert!(dns.waiver_expired.is_none());
        let counts: Vec<(WaiverState, usize, usize)> = r
            .waivers
            .iter()
            .map(|w| (w.state, w.used, w.failures_not_waived))
            .collect();
        assert_eq!(
            counts,
            [
                (WaiverState::Expired, 0, 2),
                (WaiverState::Expired, 0, 1),
                (WaiverState::InForce, 1, 0)
            ]
        );
        assert_eq!(
            expired_note(named, Lang::En),
            "waiver expired on 2026-06-30 (yn app.health, approved by 项目推进办)"
        );
        assert_eq!(
            expired_note(named, Lang::Zh),
            "豁免已于 2026-06-30 过期（yn app.health，批准：项目推进办）"
        );
        assert_eq!(
            not_waived_note(1, Lang::En),
            "expired, 1 failure not waived"
        );
        assert_eq!(
            not_waived_note(2, Lang::En),
            "expired, 2 failures not waived"
        );
        assert_eq!(not_waived_note(1, Lang::Zh), "已过期，1 项未通过未获豁免");
    }

    #[test]
    fn skips_behind_a_waived_failure_are_marked_down_the_chain_and_only_those() {
        let icmp_why = "net.icmp failed: 100 % loss";
        let mut r = results(vec![
            record("hun", "net.icmp", None, Status::Failed),
            skip("hun", "net.tcp", None, "net.icmp", icmp_why),
            // A chain: app.health waits for net.tcp, which was skipped.
            skip(
                "hun",
                "app.health",
                Some("dispatch"),
                "net.tcp",
                "app.health/dispatch skipped: net.icmp failed: 100 % loss",
            ),
            // Per app: only hazchem's health failed, and it is not waived.
            record("gx", "app.health", Some("dispatch"), Status::Failed),
            record("gx", "app.health", Some("hazchem"), Status::Failed),
            skip(
                "gx",
                "app.login",
                Some("dispatch"),
                "app.health",
                "app.health/dispatch failed",
            ),
            skip(
                "gx",
                "app.login",
                Some("hazchem"),
                "app.health",
                "app.health/hazchem failed",
            ),
        ]);
        let ws = [
            waiver("hun", "net.icmp", None, (2027, 3, 31)),
            waiver("gx", "app.health", Some("dispatch"), (2027, 3, 31)),
        ];
        apply(&mut r, &ws);
        let marked: Vec<(&str, &str, bool)> = r
            .results
            .iter()
            .filter(|x| x.status == Status::Skipped)
            .map(|x| (x.node.as_str(), x.check.as_str(), x.need_waived))
            .collect();
        assert_eq!(
            marked,
            [
                ("hun", "net.tcp", true),
                ("hun", "app.health", true),
                ("gx", "app.login", true),
                ("gx", "app.login", false)
            ]
        );
        assert_eq!(
            r.results[1].message,
            "net.icmp failed: 100 % loss (that failure is waived)"
        );
        assert_eq!(r.results[6].message, "app.health/hazchem failed");

        // Applied again with no waiver: everything as the run recorded it.
        let before: Vec<String> = [
            icmp_why,
            "app.health/dispatch skipped: net.icmp failed: 100 % loss",
        ]
        .map(String::from)
        .to_vec();
        apply(&mut r, &[]);
        assert!(
            r.results
                .iter()
                .all(|x| !x.need_waived && x.waiver.is_none())
        );
        assert_eq!(
            [r.results[1].message.clone(), r.results[2].message.clone()].to_vec(),
            before
        );
        // And once more with the waivers: the same, not the suffix twice.
        apply(&mut r, &ws);
        apply(&mut r, &ws);
        assert_eq!(
            r.results[1].message,
            "net.icmp failed: 100 % loss (that failure is waived)"
        );
    }
}
