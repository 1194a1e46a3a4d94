//! What a run is asked to do, resolved once: the command line builds it from its arguments
//! (`cli/`), `demo` and tests build it directly. Nothing here is parsed again later.

use std::path::PathBuf;
use std::time::Duration;

use crate::load::Inputs;
use crate::model::Severity;
use crate::plan::{MissingEnv, Overrides, Selection};
use crate::report::Lang;
use crate::report::html::{Details, Split};
use crate::run::Limits;

/// What to load and how to plan it.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub inputs: Inputs,
    pub selection: Selection,
    /// `run` refuses a missing `{{ env.NAME }}`; `validate` and `plan` only warn.
    pub missing_env: MissingEnv,
    /// `--timeout` and `--retries`, applied by the planner to every item.
    pub overrides: Overrides,
}

/// How a run goes and what it records about itself.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The output folder: new, or existing and empty. `None`:
    /// `reports/<suite>-<UTC timestamp>/`.
    pub output: Option<PathBuf>,
    pub limits: Limits,
    /// Least time between two ICMP echo requests of the run (fping's `-i`); zero: unpaced.
    pub icmp_interval: Duration,
    /// An HTTP check may reuse a connection the previous check of its endpoint left open.
    pub reuse_connections: bool,
    /// The selection as the user typed it (`--node sx`), for the record's header.
    pub selection: Vec<String>,
    /// Who runs the tests, for the report's sign-off block.
    pub operator: String,
    pub progress: ProgressMode,
    /// The language and colour of the progress on stderr.
    pub terminal: Terminal,
    pub reporting: Reporting,
    /// The vantage whose share this run is (`--vantage ID`); `None`: the whole plan, which
    /// the record gives as the root's.
    pub vantage: Option<String>,
    /// `--shard K/N`, for the record.
    pub shard: Option<crate::plan::Shard>,
}

impl RunConfig {
    /// The defaults of `netaccept run`, writing to `output`.
    pub fn new(output: Option<PathBuf>, operator: String) -> RunConfig {
        RunConfig {
            output,
            limits: Limits::default(),
            icmp_interval: Duration::ZERO,
            reuse_connections: false,
            selection: Vec::new(),
            operator,
            progress: ProgressMode::for_stderr(),
            terminal: Terminal::default(),
            reporting: Reporting::default(),
            vantage: None,
            shard: None,
        }
    }
}

/// How reports look and when a run counts as failed; shared by `run`, `demo` and `report`.
#[derive(Debug, Clone, Copy)]
pub struct Reporting {
    pub lang: Lang,
    /// The lowest severity whose (not waived) failure or error makes the run fail.
    pub fail_on: Severity,
    /// What the HTML report's appendix lists (`--details`).
    pub details: Details,
    /// One HTML document, or one per provincial-level subtree and a summary (`--split`).
    pub split: Split,
}

impl Default for Reporting {
    /// Chinese reports, one HTML document with every result; any failure or error fails
    /// the run.
    fn default() -> Self {
        Reporting {
            lang: Lang::Zh,
            fail_on: Severity::Minor,
            details: Details::All,
            split: Split::None,
        }
    }
}

/// How live progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar, redrawn in place: for a terminal.
    Bar,
    /// A plain line every few seconds: for logs, cron mail and CI.
    Lines,
    /// Nothing, not even the run's warnings (`-q`: only the verdict line is printed); the
    /// warnings still go to the logs.
    Off,
}

/// How what a person reads on the terminal is worded and shown: the same language as the
/// reports' words, colour or not. Decided once by `cli/` (`--lang` or the locale,
/// `--color` and `NO_COLOR`); English without colour for the library's own callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub lang: Lang,
    pub color: bool,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            lang: Lang::En,
            color: false,
        }
    }
}

impl ProgressMode {
    /// A bar when stderr is a terminal and `CI` is not set; lines otherwise.
    pub fn for_stderr() -> ProgressMode {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}
