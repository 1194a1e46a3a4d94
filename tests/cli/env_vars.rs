//! Every option can be set from the environment, for cron lines and systemd units: each
//! non-positional argument of every command (but `--help` and `--version`) has the variable
//! `NETACCEPT_` + its long name upper-cased with `-` as `_`, and `--help` shows it. Walks
//! clap's own command tree, so an option added later without its variable fails here.

use clap::CommandFactory;
use netaccept::cli::args::Cli;

use crate::netaccept;

/// `(command path, --long, env)` of every option in the tree, global ones in each command.
fn options() -> Vec<(String, String, Option<String>)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String, Option<String>)>) {
        for a in cmd.get_arguments() {
            if a.is_positional() || matches!(a.get_id().as_str(), "help" | "version") {
                continue;
            }
            let long = a
                .get_long()
                .unwrap_or_else(|| panic!("{path}: {} has no long name", a.get_id()));
            out.push((
                path.to_string(),
                long.to_string(),
                a.get_env().map(|e| e.to_string_lossy().into_owned()),
            ));
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut cmd = Cli::command();
    // Global options are copied into the subcommands when the tree is built.
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, "netaccept", &mut out);
    out
}

#[test]
fn every_option_has_its_environment_variable() {
    let all = options();
    // The tree is the whole command line: the global flags and the run's limits are in it.
    for (path, long) in [
        ("netaccept run", "concurrency"),
        ("netaccept run", "quiet"),
        ("netaccept diff", "color"),
        ("netaccept history list", "verbose"),
    ] {
        assert!(
            all.iter().any(|(p, l, _)| p == path && l == long),
            "{path} --{long} not found"
        );
    }
    let wrong: Vec<String> = all
        .iter()
        .filter_map(|(path, long, env)| {
            let want = format!("NETACCEPT_{}", long.to_uppercase().replace('-', "_"));
            (env.as_deref() != Some(want.as_str()))
                .then(|| format!("{path} --{long}: {env:?}, want {want}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn help_shows_the_variables_and_the_environment_sets_options() {
    let out = netaccept(&["run", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for env in [
        "NETACCEPT_CONCURRENCY",
        "NETACCEPT_LANG",
        "NETACCEPT_QUIET",
        "NETACCEPT_FORMAT",
    ] {
        assert!(help.contains(&format!("[env: {env}")), "{env} in:\n{help}");
    }
    // A variable stands for its flag: a wrong value is the same usage error (exit 2).
    let bad = plan_with(&[("NETACCEPT_FORMAT", "yaml")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("yaml"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let json = plan_with(&[("NETACCEPT_FORMAT", "json"), ("NETACCEPT_VERBOSE", "2")]);
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&json.stdout).expect("NETACCEPT_FORMAT=json");
    // One value serves `plan`, `diff` and `run`: `text` (run's word) is plan's table.
    let text = plan_with(&[("NETACCEPT_FORMAT", "text")]);
    assert_eq!(
        text.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(
        serde_json::from_slice::<serde_json::Value>(&text.stdout).is_err()
            && !text.stdout.is_empty(),
        "a table, not JSON: {}",
        String::from_utf8_lossy(&text.stdout)
    );
    // NETACCEPT_VERBOSE=2 is -vv: the logs on stderr, never on stdout.
    assert!(
        String::from_utf8_lossy(&json.stderr).contains("plan built"),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
}

/// `netaccept plan` of the example inventory and nightly suite, with these variables set.
fn plan_with(env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args([
            "plan",
            "-i",
            "inventories/example",
            "-s",
            "suites/nightly.yaml",
        ])
        .current_dir(crate::root())
        .envs(env.iter().copied())
        .output()
        .unwrap()
}
