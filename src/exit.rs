//! Exit codes, in one place: the contract of FORMAT.md ("Exit codes") that scripts and cron
//! jobs rely on. The help text and the documentation read them from [`Exit::ALL`]; the
//! typed errors map to them in [`crate::error::Error::exit`].

/// How a `netaccept` invocation ended, as a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every check passed or was waived (or the command had nothing to run).
    Ok,
    /// Some check failed or errored.
    ChecksFailed,
    /// Invalid input (usage, inventory, suite, waivers, a results file); no traffic was sent.
    InvalidInput,
    /// The reports (or another output file) could not be completed.
    ReportFailed,
    /// A resource of this machine that the command needs to start was unavailable (the async
    /// runtime, an address to listen on); nothing was sent.
    CouldNotStart,
    /// The history store could not be opened, read or written: for `run` and `merge`, the
    /// reports are written but the run is not recorded; for `diff`, `history` and
    /// `availability`, nothing could be answered.
    HistoryFailed,
    /// Interrupted; the reports of what finished are still written and marked incomplete.
    Interrupted,
}

impl Exit {
    /// Every exit code, in order.
    pub const ALL: [Exit; 7] = [
        Exit::Ok,
        Exit::ChecksFailed,
        Exit::InvalidInput,
        Exit::ReportFailed,
        Exit::CouldNotStart,
        Exit::HistoryFailed,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::ChecksFailed => 1,
            Exit::InvalidInput => 2,
            Exit::ReportFailed => 3,
            Exit::CouldNotStart => 4,
            Exit::HistoryFailed => 5,
            Exit::Interrupted => 130,
        }
    }

    /// What the code means, in a few words, as the help text and FORMAT.md say it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "all passed or waived",
            Exit::ChecksFailed => "some check failed or errored",
            Exit::InvalidInput => "invalid input (no traffic sent)",
            Exit::ReportFailed => "reports could not be completed",
            Exit::CouldNotStart => {
                "could not start: the runtime or an address to listen on is unavailable (no traffic sent)"
            }
            Exit::HistoryFailed => {
                "history store unavailable (a run's reports are still written, the run not recorded)"
            }
            Exit::Interrupted => "interrupted",
        }
    }

    /// `Exit codes: 0 …; 1 …; …`, for `--help`.
    pub fn help() -> String {
        let codes: Vec<String> = Exit::ALL
            .iter()
            .map(|e| format!("{} {}", e.code(), e.meaning()))
            .collect();
        format!("Exit codes: {}.", codes.join("; "))
    }
}

/// The exit code of a finished run: `--fail-on` sets the lowest severity whose (not waived)
/// failure or error makes the run fail; an interruption overrides everything.
pub fn for_results(r: &crate::results::Results, fail_on: crate::model::Severity) -> Exit {
    use crate::results::Status;
    if !r.run.complete {
        return Exit::Interrupted;
    }
    // Severities are ordered from critical down, so "at or above" is "<=". An item that no
    // bundle of a merge reported was never shown to work: whatever its severity, the merged
    // run has not passed.
    let failing = r.results.iter().any(|x| {
        x.status == Status::NotReported
            || (matches!(x.status, Status::Failed | Status::Errored) && x.severity <= fail_on)
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_documented_in_format_md() {
        let format = include_str!("../docs/FORMAT.md");
        let mut seen = std::collections::BTreeSet::new();
        for e in Exit::ALL {
            assert!(seen.insert(e.code()), "{e:?} reuses {}", e.code());
            assert!(
                format.contains(&format!("`{}` {}", e.code(), e.meaning())),
                "FORMAT.md does not say \"`{}` {}\"",
                e.code(),
                e.meaning()
            );
            assert!(Exit::help().contains(&format!("{} {}", e.code(), e.meaning())));
        }
    }
}
