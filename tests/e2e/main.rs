//! The `e2e` test binary: whole runs of the real `netaccept` binary against servers the test
//! starts, on loopback, on the bundled example's own addresses, and across network
//! namespaces: `netaccept run` (verdicts, `needs`, retries, limits, exit codes, the output
//! folder and journal, interruption) and `netaccept demo`, with the record and the reports
//! a run writes; the bundle a run makes of its folder (`keygen`, `--sign-key`, `verify`,
//! Debian's `minisign`); and whole runs through the library's engine (`netaccept::engine`).
//!
//! Not here: one prober on its own (`tests/probes`), one reporter on its own
//! (`tests/reports`), the inputs without a network (`tests/cli`) and the simulator's
//! servers (`tests/sim`). The index of the test binaries is `tests/README.md`.
//!
//! Root: `netns` needs root with `ip`, `nft` and `python3`; two tests of `run` need root (for
//! ICMP, and to drop privileges with `setpriv`). Not root, they say why on stderr and pass,
//! unless `CI` is set, where they fail. `example_acceptance` and `example_nightly` also
//! check more as root (ICMP); not root, they assert the NoPermission error instead.

/// Bundles: keygen, a signed run, minisign and sha256sum on it, verify, every byte changed.
mod bundle;
/// `netaccept demo` as the README's first command runs it.
mod demo;
/// The engine as a library: a run with a config built without clap, a token to stop it.
mod engine;
/// The example province with the acceptance suite and a waiver: every status, every report.
mod example_acceptance;
/// The example province with the nightly suite: each verdict, progress, the summary.
mod example_nightly;
/// What a run keeps when its terminal, its folder or its process limits fail it.
mod hardening;
/// The run history: nightly runs recorded, `diff`, `history`, the report's changes, the
/// metrics file under promtool, the webhook, a store that fails.
mod history;
/// `netaccept merge` of bundles run in parts, against one run of the whole.
mod merge;
/// Across real network namespaces, with loss made by nftables.
mod netns;
/// The `redirects:` policy of `http` checks against servers on two loopback addresses.
mod redirects;
/// `netaccept run` on loopback with TCP and HTTP servers started by the test.
mod run;
/// The terminal: `--lang zh` (and the locale) for the summary and progress, `-q`, `--format
/// json` against `netaccept schema summary`, `-v` logs on stderr, `--color` and `NO_COLOR`.
mod terminal;
/// `run --vantage ID [--shard K/N]`: the share run, and the vantage and host on each result.
mod vantages;

/// The bundled example inventory with its `ca_file` pointed elsewhere, and servers for its
/// plan (`example_acceptance`, `example_nightly`).
mod example;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
/// Held by every test that runs `netaccept demo`: the demo's simulator listens on fixed
/// loopback addresses (the demo inventory's), so two demos at once would collide.
pub static DEMO: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[path = "../support"]
mod support {
    pub mod browser;
    pub mod host;
    pub mod junit;
    pub mod net;
    pub mod netaccept;
    pub mod postgres;
    pub mod promtool;
    pub mod tls;
    pub mod venv;
}
