//! The `reports` test binary: the reporters and the files they write. The renderers of
//! `netaccept::report` (CSV, HTML, JUnit) on the sample record
//! `tests/fixtures/results/mixed.json` and on hostile records; the report files as written to
//! disk (atomic renames, write failures, `results.json` read back); and the reports as the
//! binary writes them (waivers, `--fail-on`, `netaccept report`, secrets kept out).
//!
//! `secrets::a_secret_icmp_host_reaches_no_output` needs root (raw ICMP): it is
//! `#[ignore = "needs root: …"]`.
//!
//! Not here: whether a check's verdict is right (`tests/probes` for one prober, `tests/e2e`
//! for whole runs) and the simulator (`tests/sim`). The index of the test binaries is
//! `tests/README.md`.
//!
//! External tools: `html` renders the report in headless Chromium (`chromium`,
//! `poppler-utils`, `fonts-noto-cjk`); every JUnit file is checked with `xmllint`
//! (`libxml2-utils`), junitparser (`python3-venv`, PyPI once) and test-results-parser
//! (`nodejs`, `npm`, the npm registry once); the metrics file with `promtool check metrics`
//! (`prometheus`). Without them those checks are skipped with a message, and fail when `CI`
//! is set.

/// `netaccept availability`: the hand-computed fixture, the table, JSON and HTML, bad
/// maintenance files.
mod availability;
/// `netaccept run` and `netaccept report` writing reports: waivers, `--fail-on`, exit 3.
mod commands;
/// Control characters in names and messages: none reaches a human-facing report raw.
mod control;
/// `results.csv`, read back with the csv crate.
mod csv;
/// The report files on disk: atomic writes, failures, `results.json` read back.
mod files;
/// The sample results record, read in one place, and checked to be one of this version.
mod fixture;
/// `report.html` of a run with a history: changes since the last run, each check's strip.
mod history_html;
/// What `diff`, `history list` and `history show` print: tables and JSON, from hand-built rows.
mod history_output;
/// `report.html`: content in both languages, escaping, readiness, rendered by Chromium.
mod html;
/// Property tests (proptest): `journal.jsonl` read back in plan order, cut, with stray lines.
mod journal_properties;
/// `junit.xml`: FORMAT.md's mapping and hostile input, checked as CI consumers read it.
mod junit;
/// The link-quality table in every report: HTML per tier (zh, en, split), `link_quality`,
/// `links.csv`, JUnit figures, path evidence; byte for byte as before without it.
mod links;
/// `--metrics`: the Prometheus textfile checked by `promtool check metrics`.
mod metrics;
/// `--notify`: the webhook messages (JSON, WeCom, DingTalk) posted to a server on 127.0.0.1.
mod notify;
/// The report on paper: section order, print footers, `--details`, the matrix's web column,
/// legend and words, `--split provincial`; printed by Chromium.
mod paper;
/// Property tests (proptest): `results.json` read back, random, mutated and round-tripped.
mod properties;
/// `{{ env.* }}` values in no output of `plan`, `run` and `report`, for every probe type.
mod secrets;
/// The HTML report's certificate box: handshake, leaf and the certificate a TLS finding names.
mod tls;
/// The `township` level in the reports: its words, its link-quality tier (HTML, CSV).
mod township;
/// Expired waivers on the failures they no longer cover, skips behind waived failures.
mod waivers;
/// A Chinese report in Chinese: every failure, error and skip kind explained, none in English.
mod zh;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    pub mod browser;
    pub mod host;
    pub mod junit;
    pub mod netaccept;
    pub mod promtool;
    #[path = "../../src/props.rs"]
    pub mod props;
    pub mod venv;
}
