//! `cargo xtask layers`: the import rules of ARCHITECTURE.md, checked against the code. The
//! table "Modules: each one's job, and what it may import" is read from ARCHITECTURE.md
//! itself, so the map and the code cannot drift apart: a `crate::X` path (outside comments)
//! in a module whose row does not name `X` is reported, and so is any mention of clap
//! (comments included) outside `src/cli/`. Its unit test runs it on every `cargo test --workspace`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::{Error, Outcome, cmd};

pub fn run(args: &[String]) -> Outcome {
    cmd::no_args(args)?;
    let problems = check(cmd::root()).map_err(Error::Failed)?;
    if problems.is_empty() {
        println!("layers: every import follows ARCHITECTURE.md");
        return Ok(std::process::ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("{p}");
    }
    Err(Error::Failed(format!(
        "{} import(s) against ARCHITECTURE.md",
        problems.len()
    )))
}

/// Every import against the rules, as `file:line: …`.
pub fn check(root: &Path) -> Result<Vec<String>, String> {
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md"))
        .map_err(|e| format!("ARCHITECTURE.md: {e}"))?;
    let rules = rules(&map)?;
    let src = root.join("src");
    let mut problems = Vec::new();
    for file in rust_files(&src)? {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        let module = top_module(rel);
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        // Not even a comment names clap outside the command line, so that `grep -rn clap src`
        // answers "where is the argument parser" with src/cli/ alone.
        if module != "cli" {
            for (n, line) in text.lines().enumerate() {
                if line.contains("clap") {
                    problems.push(format!(
                        "src/{}:{}: clap outside src/cli/",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
        for (n, line) in code_lines(&text) {
            let at = format!("src/{}:{n}", rel.display());
            let Some(module) = &module_name(&module) else {
                continue;
            };
            let Some(allowed) = rules.get(module.as_str()) else {
                problems.push(format!(
                    "{at}: module `{module}` has no row in ARCHITECTURE.md"
                ));
                continue;
            };
            for used in crate_paths(line) {
                if used != *module && !allowed.contains(used.as_str()) {
                    problems.push(format!(
                        "{at}: `{module}` imports `crate::{used}`, which ARCHITECTURE.md does not allow"
                    ));
                }
            }
        }
    }
    for module in rules.keys() {
        let exists = src.join(module).is_dir() || src.join(format!("{module}.rs")).is_file();
        if !exists {
            problems.push(format!("ARCHITECTURE.md: module `{module}` is not in src/"));
        }
    }
    Ok(problems)
}

/// Module → the modules it may import, from the table of ARCHITECTURE.md.
fn rules(map: &str) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut rules = BTreeMap::new();
    let mut in_table = false;
    for line in map.lines() {
        if line.starts_with("| module | job | may import |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(module), Some(deps)) = (cells.first(), cells.last()) else {
            continue;
        };
        let module = module.trim_matches('`').to_string();
        let deps = deps
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty() && *d != "—")
            .map(str::to_string)
            .collect();
        rules.insert(module, deps);
    }
    if rules.is_empty() {
        return Err("ARCHITECTURE.md has no `| module | job | may import |` table".into());
    }
    Ok(rules)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for e in entries {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `cli/args.rs` → `cli`; `error.rs` → `error`.
fn top_module(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_string()
}

/// The module a file's rules are those of; `lib.rs` and `main.rs` name every module and
/// follow no row.
fn module_name(top: &str) -> Option<String> {
    (!matches!(top, "lib" | "main")).then(|| top.to_string())
}

/// Lines of code with their numbers, comments (`//`, `//!`, `///`) left out.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let code = match l.find("//") {
            // A `//` inside a string (a URL) is code; comments start a line or follow code
            // after a space.
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        };
        (!code.trim().is_empty()).then_some((i + 1, code))
    })
}

/// The top-level modules a line names through `crate::`, including grouped imports
/// (`use crate::{a, b::c}`).
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_follows_architecture_md() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let problems = check(&root).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn paths_are_found_in_plain_and_grouped_imports_but_not_in_comments() {
        assert_eq!(crate_paths("use crate::model::{Probe, Text};"), ["model"]);
        assert_eq!(
            crate_paths("use crate::{diag::Diagnostic, load};"),
            ["diag", "load"]
        );
        assert_eq!(
            crate_paths("let x = crate::run::Limits::default(); crate::exit::Exit::Ok"),
            ["run", "exit"]
        );
        let text = "//! see [`crate::run`]\nuse crate::plan::Plan; // not crate::report\n";
        let found: Vec<String> = code_lines(text).flat_map(|(_, l)| crate_paths(l)).collect();
        assert_eq!(found, ["plan"]);
    }

    #[test]
    fn a_forbidden_import_is_reported() {
        let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src/model")).unwrap();
        std::fs::write(
            dir.join("ARCHITECTURE.md"),
            "| module | job | may import |\n|---|---|---|\n| `model` | x | — |\n| `run` | x | model |\n",
        )
        .unwrap();
        std::fs::write(dir.join("src/model/mod.rs"), "use crate::run::Cancel;\n").unwrap();
        std::fs::write(
            dir.join("src/run.rs"),
            "use crate::model::X;\nuse clap::Parser;\n",
        )
        .unwrap();
        let problems = check(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            problems,
            [
                "src/model/mod.rs:1: `model` imports `crate::run`, which ARCHITECTURE.md does not allow",
                "src/run.rs:2: clap outside src/cli/",
            ]
        );
    }
}
