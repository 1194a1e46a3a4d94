//! `cargo xtask bench`: `bench/run`, netaccept side by side with fping, nmap, Hurl and wrk.
//! The arguments are the script's own (`--quick`, `--only icmp`, `--runs N`, `--out FILE`).

use crate::Outcome;
use crate::cmd;

pub const USAGE: &str = "[ARGS…]";

pub fn run(args: &[String]) -> Outcome {
    let mut script = cmd::script("bench/run");
    script.args(caller_paths(args));
    cmd::run(script)
}

/// `--out FILE` is the one argument naming a path; the script resolves it from the root, where
/// it runs, so it is made absolute against where the user typed it.
fn caller_paths(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--out" {
            out.push(arg.clone());
            if let Some(path) = args.next() {
                out.push(cmd::from_caller(path).display().to_string());
            }
        } else if let Some(path) = arg.strip_prefix("--out=") {
            out.push(format!("--out={}", cmd::from_caller(path).display()));
        } else {
            out.push(arg.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_output_path_is_rewritten() {
        let cwd = std::env::current_dir().unwrap();
        let args = |a: &[&str]| {
            a.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            caller_paths(&args(&["--quick", "--only", "icmp", "--runs", "2"])),
            ["--quick", "--only", "icmp", "--runs", "2"]
        );
        assert_eq!(
            caller_paths(&args(&["--out", "r.md", "--quick"])),
            [
                "--out".to_owned(),
                cwd.join("r.md").display().to_string(),
                "--quick".to_owned()
            ]
        );
        assert_eq!(
            caller_paths(&args(&["--out=/tmp/r.md"])),
            ["--out=/tmp/r.md"]
        );
    }
}
