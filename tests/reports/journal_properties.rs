//! Property tests (proptest) of the journal reader, `netaccept::report::journal::read`: a
//! journal made from the sample record (its outline, then its results in any order, the last
//! line possibly cut anywhere, stray lines anywhere) reads back as the sample's results in
//! plan order, marked incomplete, with a warning for each line left out; random bytes never
//! make it panic, and without an outline it refuses with its reason.
//!
//! Cases per property: see each `config(N)`; `PROPTEST_CASES=N` runs N of each instead.

use std::sync::LazyLock;

use netaccept::report::journal::{self, FORMAT, Outline};
use netaccept::report::json::ReadError;
use netaccept::results::{Results, Summary};
use proptest::prelude::*;

use crate::fixture;
use crate::support::props::config;

static MIXED: LazyLock<Results> = LazyLock::new(fixture::mixed);

/// The outline line of the sample record, as a run writes it.
fn outline() -> String {
    let r = &*MIXED;
    let o = Outline {
        format: FORMAT.to_string(),
        run: r.run.clone(),
        nodes: r.nodes.clone(),
        checks: r.checks.clone(),
        apps: r.apps.clone(),
    };
    serde_json::to_string(&o).unwrap()
}

fn result_lines() -> Vec<String> {
    MIXED
        .results
        .iter()
        .map(|x| serde_json::to_string(x).unwrap())
        .collect()
}

fn read(text: &[u8]) -> Result<(Results, Vec<String>), ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, text).unwrap();
    journal::read(&path)
}

/// (node, check, app) of each result, the identity the reader sorts by.
fn keys(r: &Results) -> Vec<(String, String, Option<String>)> {
    r.results
        .iter()
        .map(|x| (x.node.clone(), x.check.clone(), x.app.clone()))
        .collect()
}

proptest! {
    #![proptest_config(config(64))]

    /// Results in any order, the last possibly cut: what is whole is read, in plan order.
    #[test]
    fn results_in_any_order_read_back_in_plan_order(
        order in Just((0..MIXED.results.len()).collect::<Vec<_>>()).prop_shuffle(),
        cut in proptest::option::of(0.0f64..1.0),
    ) {
        let lines = result_lines();
        // Bytes, as a crash leaves them: the cut may fall inside a character.
        let mut text = (outline() + "\n").into_bytes();
        for (n, &i) in order.iter().enumerate() {
            let last = n + 1 == order.len();
            let line = lines[i].as_bytes();
            if let (true, Some(f)) = (last, cut) {
                // A cut inside the line: at least one byte written (a line not begun is no
                // line) and at least one gone, so it is not whole JSON.
                let at = 1 + ((line.len() - 2) as f64 * f) as usize;
                text.extend_from_slice(&line[..at.min(line.len() - 1)]);
            } else {
                text.extend_from_slice(line);
                text.push(b'\n');
            }
        }
        let (r, warnings) = read(&text).unwrap();
        prop_assert!(!r.run.complete);
        prop_assert_eq!(r.summary, Summary::of(&r.results));
        let mut expected: Vec<usize> = order.clone();
        if cut.is_some() {
            expected.pop();
            prop_assert!(warnings.iter().any(|w| w.contains("the last line is cut short")), "{:?}", warnings);
        } else {
            prop_assert!(warnings.is_empty(), "{:?}", warnings);
        }
        expected.sort_unstable();
        let want: Vec<_> = expected
            .iter()
            .map(|&i| {
                let x = &MIXED.results[i];
                (x.node.clone(), x.check.clone(), x.app.clone())
            })
            .collect();
        prop_assert_eq!(keys(&r), want);
    }

    /// Stray lines among the results are left out and said; the results are all there.
    #[test]
    fn stray_lines_are_left_out_and_said(
        strays in prop::collection::vec(("[^\n]{0,40}", 0usize..64), 1..5),
    ) {
        let mut lines = result_lines();
        let mut inserted = 0;
        for (text, at) in &strays {
            // A line that happens to be a result is not stray.
            if serde_json::from_str::<netaccept::results::ResultRecord>(text).is_ok() || text.trim().is_empty() {
                continue;
            }
            let at = at % (lines.len() + 1);
            // Not at the end: a bad last line is the "cut short" case.
            let at = at.min(lines.len() - 1);
            lines.insert(at, text.clone());
            inserted += 1;
        }
        let text = outline() + "\n" + &lines.join("\n") + "\n";
        let (r, warnings) = read(text.as_bytes()).unwrap();
        prop_assert_eq!(r.results.len(), MIXED.results.len());
        prop_assert_eq!(inserted > 0, warnings.iter().any(|w| w.contains("are not results")), "{:?}", warnings);
    }

    /// Random bytes: never a panic; without an outline, refused with the reason.
    #[test]
    fn random_bytes_are_refused_or_read_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        match read(&bytes) {
            Ok((r, _)) => prop_assert!(!r.run.complete),
            Err(ReadError::NotResults(m) | ReadError::Newer(m)) => prop_assert!(!m.is_empty()),
            Err(ReadError::Io(e)) => prop_assert!(false, "I/O error on a readable file: {}", e),
        }
    }
}
