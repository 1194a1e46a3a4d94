//! Every way a command can fail before or after its checks, as one typed [`Error`], and the
//! one function that maps an error to its exit code ([`Error::exit`]). A command returns its
//! error; only `main` prints it (see [`Error::render`]) and exits: no call site decides an
//! exit code after printing on its own.
//!
//! A check that fails or errors is not an `Error`: it is a result, in the record.

use std::path::PathBuf;

use crate::diag::{self, Diagnostic, Sources};
use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the inputs, each with its place; nothing was sent.
    #[error("{} problem(s) in the input", diagnostics.len())]
    Invalid {
        diagnostics: Vec<Diagnostic>,
        sources: Sources,
    },
    #[error(
        "{}: the output folder must be new or empty, so reports of different runs never mix",
        dir.display()
    )]
    OutputNotEmpty { dir: PathBuf },
    #[error("cannot create the output folder {}: {source}", dir.display())]
    CreateOutput {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// The output folder exists (or was made) but a file cannot be written in it; found
    /// before any traffic.
    #[error("cannot write in the output folder {}: {source}; nothing was sent", dir.display())]
    Unwritable {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Some report files could not be written; the others were.
    #[error("{}", failures.iter().map(|(p, e)| format!("cannot write {}: {e}", p.display())).collect::<Vec<_>>().join("\n"))]
    Reports {
        failures: Vec<(PathBuf, std::io::Error)>,
        /// The run was interrupted: its exit code stays the interruption's.
        interrupted: bool,
    },
    /// A file given to `report` that is not a results record this version reads.
    #[error("{}: {why}", path.display())]
    NotResults { path: PathBuf, why: String },
    /// An inventory or faults file the simulator cannot serve.
    #[error("{0}")]
    SimInput(String),
    /// The simulator could not open its listeners (an address in use, too few files).
    #[error("{0}")]
    SimStart(String),
    #[error("cannot write the ready file {}: {source}", path.display())]
    ReadyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `demo` run outside a checkout, without the installed data: its inputs are not there.
    #[error("{} not found here, nor under {searched}: run `netaccept demo` from the root of a netaccept checkout, or install the package (its data in /usr/share/netaccept)", path.display())]
    DemoInputMissing { path: PathBuf, searched: String },
    #[error("the simulator could not start: {0}")]
    DemoSim(String),
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
    /// `verify` (or a command that verifies) found a bundle that does not hold: each file
    /// changed, missing or added, a bad signature, or a key that cannot be read.
    #[error("{0}")]
    Bundle(#[from] crate::bundle::BundleError),
    /// `--sign-key` names a file that is not an unencrypted minisign secret key; found before
    /// any traffic.
    #[error("--sign-key {}: {why}", path.display())]
    SignKey { path: PathBuf, why: String },
    /// `keygen` never replaces a key.
    #[error("{}: already exists; keygen never replaces a key", path.display())]
    KeyExists { path: PathBuf },
    /// Bundles that do not make one record: other inventory or suite hashes, an item
    /// reported twice, shards of a vantage that disagree on their count.
    #[error("merge: {0}")]
    Merge(String),
    /// The history store could not answer (`diff`, `history`, `availability`), or could not
    /// record a run (the run's reports are written all the same).
    #[error("{0}")]
    History(#[from] crate::history::HistoryError),
    /// A question the history cannot answer as asked: an unknown or ambiguous run id, runs
    /// of different suites, no run to compare with.
    #[error("{0}")]
    HistoryQuery(String),
    /// Flags that cannot be used together, or a value the argument parser must not check
    /// itself because its error would echo it (a webhook URL holding a token).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The exit code of an invocation that ended with this error: the one place that
    /// decides it.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Invalid { .. }
            | Error::OutputNotEmpty { .. }
            | Error::NotResults { .. }
            | Error::SimInput(_)
            | Error::DemoInputMissing { .. }
            | Error::Bundle(_)
            | Error::SignKey { .. }
            | Error::KeyExists { .. }
            | Error::Merge(_)
            | Error::HistoryQuery(_)
            | Error::Usage(_) => Exit::InvalidInput,
            Error::CreateOutput { .. }
            | Error::Unwritable { .. }
            | Error::ReadyFile { .. }
            | Error::Output(_) => Exit::ReportFailed,
            Error::Reports { interrupted, .. } => {
                if *interrupted {
                    Exit::Interrupted
                } else {
                    Exit::ReportFailed
                }
            }
            Error::Runtime(_) | Error::SimStart(_) | Error::DemoSim(_) => Exit::CouldNotStart,
            Error::History(_) => Exit::HistoryFailed,
        }
    }

    /// The text for stderr: diagnostics rendered against their files (`file:line:col`, the
    /// line, a caret and a hint), anything else as `error: …` lines; either way with the
    /// control characters of what they quote in caret form ([`diag::visible`]).
    pub fn render(&self) -> String {
        match self {
            Error::Invalid {
                diagnostics,
                sources,
            } => diag::render_all(&mut diagnostics.clone(), sources),
            other => {
                let mut out = String::new();
                for line in other.to_string().lines() {
                    out.push_str("error: ");
                    // Paths and text from the user's files, shown without their controls.
                    out.push_str(&diag::visible::line(line));
                    out.push('\n');
                }
                out
            }
        }
    }

    /// Problems in the inputs, from the loader or the planner.
    pub fn invalid(diagnostics: Vec<Diagnostic>, sources: Sources) -> Error {
        Error::Invalid {
            diagnostics,
            sources,
        }
    }
}

impl From<crate::load::Invalid> for Error {
    fn from(i: crate::load::Invalid) -> Error {
        Error::invalid(i.diagnostics, i.sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_failures_to_start_are_not_report_failures() {
        let io = || std::io::Error::from(std::io::ErrorKind::AddrInUse);
        assert_eq!(Error::Runtime(io()).exit(), Exit::CouldNotStart);
        assert_eq!(
            Error::SimStart("127.0.0.1:8443: address in use".into()).exit(),
            Exit::CouldNotStart
        );
        assert_eq!(
            Error::Reports {
                failures: vec![(PathBuf::from("r/junit.xml"), io())],
                interrupted: false
            }
            .exit(),
            Exit::ReportFailed
        );
        assert_eq!(
            Error::Reports {
                failures: vec![(PathBuf::from("r/junit.xml"), io())],
                interrupted: true
            }
            .exit(),
            Exit::Interrupted
        );
        assert_eq!(
            Error::OutputNotEmpty { dir: "r".into() }.exit(),
            Exit::InvalidInput
        );
    }

    /// A bundle that does not verify, a signing key that cannot sign and a key keygen
    /// would replace are all refused input: exit 2, as `verify` documents.
    #[test]
    fn bundle_and_key_problems_are_invalid_input() {
        let bundle = crate::bundle::BundleError::Problems {
            dir: "b".into(),
            problems: vec![crate::bundle::Problem::Changed("junit.xml".into())],
        };
        assert_eq!(Error::Bundle(bundle).exit(), Exit::InvalidInput);
        let key = Error::SignKey {
            path: "k".into(),
            why: "an encrypted secret key".into(),
        };
        assert_eq!(key.exit(), Exit::InvalidInput);
        assert_eq!(
            Error::KeyExists { path: "k".into() }.exit(),
            Exit::InvalidInput
        );
    }

    #[test]
    fn every_line_of_an_error_is_marked() {
        let e = Error::Reports {
            failures: vec![
                (PathBuf::from("r/a"), std::io::Error::other("disk full")),
                (PathBuf::from("r/b"), std::io::Error::other("disk full")),
            ],
            interrupted: false,
        };
        assert_eq!(
            e.render(),
            "error: cannot write r/a: disk full\nerror: cannot write r/b: disk full\n"
        );
    }

    /// An error quotes paths and text from the user's files: their control characters are
    /// shown in caret form, on the line they belong to.
    #[test]
    fn control_characters_in_an_error_are_shown_in_caret_form() {
        let e = Error::NotResults {
            path: PathBuf::from("r/\u{1b}]0;pwned\u{7}.json"),
            why: "unknown status `\u{1b}[31mok\u{0}\r`".into(),
        };
        assert_eq!(
            e.render(),
            "error: r/^[]0;pwned^G.json: unknown status `^[[31mok^@^M`\n"
        );
    }
}
