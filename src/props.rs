//! The property tests' configuration (proptest): how many cases each property runs, and
//! where a failing case is kept. In test builds only: the unit tests' `proptests` modules
//! import it as `crate::props`, and the integration test binaries include this same file as
//! `support::props`, so that one rule holds for every property.
//!
//! Each property names its own count, chosen so that the whole property suite adds seconds,
//! not minutes, to `cargo test` on two cores. `PROPTEST_CASES=N` in the environment runs N
//! cases of every property instead. proptest reads that variable only into its default
//! configuration, which a fixed `cases` would override, hence this function.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases, unless `PROPTEST_CASES` is set; everything else as proptest's default
/// (which also reads the other `PROPTEST_*` variables), but for where the seed of a failing
/// case is saved: beside the test's file (`tests/cli/properties.proptest-regressions`),
/// since proptest's default place would be the same file for every binary's
/// `properties.rs` (and `src/model/dns_text.proptest-regressions` for a unit test's). Commit such a file with the fix: its cases run first from then on.
pub fn config(cases: u32) -> Config {
    let mut base = Config::default();
    // None when `PROPTEST_DISABLE_FAILURE_PERSISTENCE` is set.
    if base.failure_persistence.is_some() {
        base.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        )));
    }
    if std::env::var_os("PROPTEST_CASES").is_some() {
        base
    } else {
        Config { cases, ..base }
    }
}
