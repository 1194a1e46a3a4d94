//! Exit codes, in one place: the contract of FORMAT.md ("Exit codes") that scripts and cron
//! jobs rely on.

/// How a `netaccept` invocation ended, as a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every check passed or was waived (or the command had nothing to run).
    Ok,
    /// Some check failed or errored.
    ChecksFailed,
    /// Invalid input (usage, inventory, suite, waivers); no traffic was sent.
    InvalidInput,
    /// The run could not complete its reports (I/O or internal error).
    ReportFailed,
    /// Interrupted; the reports of what finished are still written and marked incomplete.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::ChecksFailed => 1,
            Exit::InvalidInput => 2,
            Exit::ReportFailed => 3,
            Exit::Interrupted => 130,
        }
    }
}

/// The exit code of a finished run: `--fail-on` sets the lowest severity whose (not waived)
/// failure or error makes the run fail; an interruption overrides everything.
pub fn for_results(r: &crate::results::Results, fail_on: crate::model::Severity) -> Exit {
    use crate::results::Status;
    if !r.run.complete {
        return Exit::Interrupted;
    }
    // Severities are ordered from critical down, so "at or above" is "<=".
    let failing = r
        .results
        .iter()
        .any(|x| matches!(x.status, Status::Failed | Status::Errored) && x.severity <= fail_on);
    if failing {
        Exit::ChecksFailed
    } else {
        Exit::Ok
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}
