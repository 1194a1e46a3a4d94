//! `cargo xtask gen-national`: writes the national inventory (`inventories/national/`, one
//! file per province, about 3,400 nodes) from the GB/T 2260 division data vendored in
//! `data/divisions/`, for the tests and benchmarks that need a network at real scale.
//!
//! This module does the I/O; [`divisions`] reads the CSVs and [`mod@generate`] renders the
//! files, both on in-memory text; with `--townships`, [`townships`] adds the townships
//! below the counties first (ten times the nodes, for the benchmark; not checked in).

mod divisions;
mod generate;
mod townships;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cmd;
use crate::{Error, Outcome};
use divisions::Divisions;
use generate::{generate, generate_with_townships};

pub const USAGE: &str = "[--data DIR] [-o DIR] [--townships]";

const HELP: &str = "\
usage: cargo xtask gen-national [--data DIR] [-o DIR] [--townships]

  --data DIR   folder with provinces.csv, cities.csv and areas.csv (default: data/divisions)
  -o, --out DIR
               folder to write the inventory to (default: inventories/national)
  --townships  add townships (level township, 乡镇级) below the counties, so that the
               inventory holds exactly ten times the nodes (33,680 from the vendored data):
               ids <county-id>-tNN, addresses of the province's 127.P block after its
               bureaus', most hosting one or two apps on plain HTTP 8080. Deterministic.
               For the benchmark (bench/run --only scale10); never checked in, so -o is
               required with it.

The defaults are relative to the workspace root; a DIR given is relative to the current
directory. Files of the same name are overwritten; other files in DIR are left alone.";

pub fn run(args: &[String]) -> Outcome {
    let mut data = cmd::root().join("data/divisions");
    let mut out = cmd::root().join("inventories/national");
    let mut out_given = false;
    let mut with_townships = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut folder = || {
            args.next()
                .map(cmd::from_caller)
                .ok_or_else(|| Error::Usage(format!("{arg} needs a folder")))
        };
        match arg.as_str() {
            "--data" => data = folder()?,
            "-o" | "--out" => {
                out = folder()?;
                out_given = true;
            }
            "--townships" => with_townships = true,
            "-h" | "--help" => {
                println!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(Error::Usage(format!("unexpected argument {other:?}"))),
        }
    }

    if with_townships && !out_given {
        // The default folder is the checked-in inventory, which must stay the plain one.
        return Err(Error::Usage(
            "--townships needs -o DIR: the inventory with townships is not checked in".into(),
        ));
    }
    let div = read_divisions(&data).map_err(Error::Failed)?;
    let files = if with_townships {
        generate_with_townships(&div)
    } else {
        generate(&div)
    };
    std::fs::create_dir_all(&out)
        .and_then(|()| {
            files
                .iter()
                .try_for_each(|f| std::fs::write(out.join(&f.name), &f.text))
        })
        .map_err(|e| Error::Failed(format!("cannot write to {}: {e}", out.display())))?;
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn read_divisions(dir: &Path) -> Result<Divisions, String> {
    let read = |name: &str| {
        let path: PathBuf = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    Divisions::parse(
        &read("provinces.csv")?,
        &read("cities.csv")?,
        &read("areas.csv")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGENERATE: &str = "run `cargo xtask gen-national` and commit inventories/national";

    /// The guarantee that the checked-in inventory, which tests and benchmarks read, is what
    /// the generator makes of the vendored data: a change to either shows up here.
    #[test]
    fn checked_in_inventory_is_the_generators_output() {
        let root = cmd::root();
        let files = generate(&read_divisions(&root.join("data/divisions")).unwrap());
        let dir = root.join("inventories/national");

        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort_unstable();
        let generated: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(on_disk, generated, "files differ: {REGENERATE}");

        for file in &files {
            let path = dir.join(&file.name);
            let checked_in = std::fs::read_to_string(&path).unwrap();
            if checked_in == file.text {
                continue;
            }
            // The files are 100 KB each: point at the first difference rather than print both.
            // Endless on purpose: the texts differ, so `find` stops at a line.
            #[allow(clippy::maybe_infinite_iter)]
            let (line, (ours, theirs)) = file
                .text
                .lines()
                .chain(std::iter::repeat("<end of file>"))
                .zip(checked_in.lines().chain(std::iter::repeat("<end of file>")))
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .expect("the texts differ, so some line does");
            panic!(
                "{}:{}: checked in {theirs:?}, generated {ours:?}: {REGENERATE}",
                path.display(),
                line + 1
            );
        }
    }

    #[test]
    fn missing_data_names_the_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-folder");
        let err = read_divisions(&dir).unwrap_err();
        assert!(err.starts_with("cannot read "), "{err}");
        assert!(err.contains("no-such-folder/provinces.csv"), "{err}");
    }
}
