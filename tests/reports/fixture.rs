//! The sample results file used by the reporters' tests is a valid record of this version.

#[test]
fn mixed_fixture_is_a_results_record() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/results/mixed.json"
    ))
    .unwrap();
    let r: netaccept::results::Results = serde_json::from_str(&text).expect("a Results record");
    assert_eq!(r.format, netaccept::results::FORMAT);
    assert_eq!(r.summary.total(), r.results.len());
    for s in netaccept::results::Status::ALL {
        assert!(r.summary.get(s) > 0, "the fixture has no {s:?} result");
    }
}
