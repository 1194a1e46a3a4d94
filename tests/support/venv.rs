//! A Python virtual environment made for the tests' own tools (junitparser for the JUnit
//! check, ansible-core and ansible-lint for the deployment tests): `python3 -m venv`, then
//! pip installs the pinned packages. Each caller decides where it lives and how it is locked.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Makes the venv at `dir` and installs `packages` (pinned, `name==version`) into it; the
/// error says which step failed and what it printed.
pub fn build(dir: &Path, packages: &[&str]) -> Result<(), String> {
    run(
        Command::new("python3").args(["-m", "venv"]).arg(dir),
        "python3 -m venv",
    )?;
    run(
        Command::new(dir.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages),
        &format!("pip install {}", packages.join(" ")),
    )
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("{what} cannot be run ({e})")),
    }
}
