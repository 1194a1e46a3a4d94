//! The sample results record the reporters' tests render
//! (`tests/fixtures/results/mixed.json`), read in one place, and the test that it is a valid
//! record of this version holding every status.

use netaccept::results::{FORMAT, ResultRecord, Results, Status};

/// Where the sample record is.
pub const MIXED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/results/mixed.json"
);

/// The sample record, parsed.
pub fn mixed() -> Results {
    let text = std::fs::read_to_string(MIXED).unwrap();
    serde_json::from_str(&text).expect("mixed.json is a Results record")
}

/// The result of `check` on `node` in a record, for a test that edits or copies it; panics
/// naming them when there is none.
pub fn record<'r>(r: &'r Results, node: &str, check: &str) -> &'r ResultRecord {
    r.results
        .iter()
        .find(|x| x.node == node && x.check == check)
        .unwrap_or_else(|| panic!("no result {node} {check}"))
}

/// [`record`], to be edited in place.
pub fn record_mut<'r>(r: &'r mut Results, node: &str, check: &str) -> &'r mut ResultRecord {
    r.results
        .iter_mut()
        .find(|x| x.node == node && x.check == check)
        .unwrap_or_else(|| panic!("no result {node} {check}"))
}

#[test]
fn mixed_fixture_is_a_results_record() {
    let r = mixed();
    // Written by a version-1 build, and read by this one: the older format stays readable.
    assert_eq!(r.format, "netaccept-results/1");
    assert_ne!(r.format, FORMAT);
    assert_eq!(r.summary.total(), r.results.len());
    // `not_reported` is a merged record's status only.
    for s in Status::ALL
        .into_iter()
        .filter(|&s| s != Status::NotReported)
    {
        assert!(r.summary.get(s) > 0, "the fixture has no {s:?} result");
    }
}
