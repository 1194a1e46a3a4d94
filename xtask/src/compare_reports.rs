//! `cargo xtask compare-reports`: `scripts/compare-reports`, which proves that a change meant
//! to leave every report as it was (a refactoring) does, by running two binaries side by side.

use std::path::PathBuf;

use crate::cmd;
use crate::{Error, Outcome};

pub const USAGE: &str = "OLD_BIN NEW_BIN [--keep DIR]";

pub fn run(args: &[String]) -> Outcome {
    let mut binaries: Vec<PathBuf> = Vec::new();
    let mut keep = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep" => {
                let dir = args
                    .next()
                    .ok_or_else(|| Error::Usage("--keep needs a folder".to_owned()))?;
                keep = Some(cmd::from_caller(dir));
            }
            // The script runs from the root; the binaries are where the user said.
            _ => binaries.push(cmd::from_caller(arg)),
        }
    }
    if binaries.len() != 2 {
        return Err(Error::Usage(format!(
            "expected two binaries, got {}",
            binaries.len()
        )));
    }
    let mut script = cmd::script("scripts/compare-reports");
    script.args(&binaries);
    if let Some(dir) = keep {
        script.arg("--keep").arg(dir);
    }
    cmd::run(script)
}
