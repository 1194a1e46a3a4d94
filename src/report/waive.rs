//! Waivers applied to a results record: a failed or errored result that a waiver in force
//! covers becomes `waived`, keeping what it found; expired waivers do not apply and are
//! listed as such; unused ones are counted as unused.
//!
//! Applying is idempotent: earlier waivers are taken back first, so `netaccept report
//! --waivers` can apply a newer waivers file to an old run.

use chrono::{Duration, NaiveDate};

use crate::model::Waiver;
use crate::results::{AppliedWaiver, Results, Status, Summary, WaiverInfo, WaiverState};

/// The day a run is judged on: its start, in China Standard Time (UTC+8), where the
/// waivers' dates are written.
pub fn run_day(r: &Results) -> NaiveDate {
    (r.run.started + Duration::hours(8)).date_naive()
}

pub fn apply(r: &mut Results, waivers: &[Waiver]) {
    for x in &mut r.results {
        if let Some(w) = x.waiver.take() {
            x.status = w.original_status;
        }
    }
    let day = run_day(r);
    let mut used = vec![0usize; waivers.len()];
    for x in &mut r.results {
        if !matches!(x.status, Status::Failed | Status::Errored) {
            continue;
        }
        let found = waivers
            .iter()
            .enumerate()
            .find(|(_, w)| w.in_force_on(day) && w.covers(&x.node, &x.check, x.app.as_deref()));
        if let Some((i, w)) = found {
            used[i] += 1;
            x.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                original_status: x.status,
            });
            x.status = Status::Waived;
        }
    }
    r.waivers = waivers
        .iter()
        .zip(used)
        .map(|(w, used)| WaiverInfo {
            node: w.node.clone(),
            check: w.check.clone(),
            app: w.app.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            state: if w.in_force_on(day) {
                WaiverState::InForce
            } else {
                WaiverState::Expired
            },
            used,
        })
        .collect();
    r.summary = Summary::of(&r.results);
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
