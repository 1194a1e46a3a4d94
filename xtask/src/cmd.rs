//! Running a task's child process the way a developer would by hand: from the workspace root,
//! its output straight to the terminal, its exit code becoming the task's.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

use crate::{Error, Outcome};

/// The workspace root, whatever the current directory: the scripts and the defaults of the
/// tasks are written relative to it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is a folder of the workspace root")
}

/// A path given by the user, made absolute against the directory the user typed it in, since
/// the child runs from the root.
pub fn from_caller(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => path.to_owned(),
    }
}

/// The cargo that runs xtask, so that a pinned toolchain stays pinned for the child.
pub fn cargo<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args);
    cmd
}

/// A script of the repository, by its path from the root. The program path is made absolute
/// because how a relative one combines with `current_dir` differs between platforms.
pub fn script(path: &str) -> Command {
    Command::new(root().join(path))
}

/// For the tasks that take nothing: a stray argument is more likely a mistake than something
/// to pass on.
pub fn no_args(args: &[String]) -> Result<(), Error> {
    match args.first() {
        None => Ok(()),
        Some(arg) => Err(Error::Usage(format!("unexpected argument {arg:?}"))),
    }
}

/// Runs `cmd` from the root and leaves with its exit code.
pub fn run(cmd: Command) -> Outcome {
    run_all(vec![cmd])
}

/// Runs the commands in order from the root and stops at the first that fails, leaving with
/// its exit code, as `set -e` would.
pub fn run_all(cmds: Vec<Command>) -> Outcome {
    for mut cmd in cmds {
        eprintln!("> {}", describe(&cmd));
        let mut child = cmd
            .current_dir(root())
            .spawn()
            .map_err(|e| Error::Failed(format!("cannot run {}: {e}", describe(&cmd))))?;
        // Ctrl-C reaches the child too (the terminal signals the whole foreground group):
        // the child decides what to do with it (bench/run stops its servers first).
        let status = child
            .wait()
            .map_err(|e| Error::Failed(format!("waiting for {}: {e}", describe(&cmd))))?;
        if !status.success() {
            return Ok(ExitCode::from(exit_code(status)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the command line would have been in a shell at the root, for the log.
fn describe(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    let program = match program.strip_prefix(root()) {
        Ok(in_repo) => in_repo,
        // $CARGO is the toolchain's absolute path; `cargo` says the same more briefly.
        Err(_) => program.file_name().map_or(program, Path::new),
    };
    let mut words: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={:?}", k.to_str()?, v?.to_str()?)))
        .collect();
    words.push(program.display().to_string());
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

/// A child killed by a signal leaves with 128 + the signal's number, as a shell reports it.
fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(1);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    fn describe_shows_the_command_as_typed_at_the_root() {
        let mut doc = cargo(["doc", "--no-deps"]);
        doc.env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            describe(&doc),
            "RUSTDOCFLAGS=\"-D warnings\" cargo doc --no-deps"
        );
        let mut bench = script("bench/run");
        bench.arg("--quick");
        assert_eq!(describe(&bench), "bench/run --quick");
    }

    #[test]
    fn exit_codes_pass_through() {
        let code = |script: &str| {
            let status = Command::new("sh").args(["-c", script]).status().unwrap();
            exit_code(status)
        };
        assert_eq!(code("exit 0"), 0);
        assert_eq!(code("exit 3"), 3);
        assert_eq!(code("kill -TERM $$"), 128 + 15);
    }

    #[test]
    fn stray_arguments_are_refused() {
        assert!(no_args(&[]).is_ok());
        assert!(matches!(no_args(&["x".into()]), Err(Error::Usage(m)) if m.contains("\"x\"")));
    }
}
