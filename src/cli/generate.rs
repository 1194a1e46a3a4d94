//! `netaccept completions SHELL` and the hidden `netaccept manpages DIR`: shell completions
//! and man pages generated from the clap definitions in [`super::args`], so that what the
//! Debian package (and the release tarball) ships is always the parser it was built with,
//! never a hand-written copy that drifts from it. The package build runs the release binary
//! it packages (`scripts/build-deb`); the completions are also printed for a user who
//! installed with cargo.

use std::path::PathBuf;

use clap::{Args, CommandFactory, ValueEnum};

use super::args::Cli;
use crate::error::Error;
use crate::exit::Exit;

/// The binary's name, as completions register it and the man pages title it.
const NAME: &str = "netaccept";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell whose completion script to print
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells the package installs completions for (FORMAT.md "Command line").
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct ManpagesArgs {
    /// The folder to write the pages into (made if missing): netaccept.1, and
    /// netaccept-SUB.1 for every subcommand (netaccept-history-list.1 for nested ones)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Prints the completion script for `shell` on stdout.
pub fn completions(a: &CompletionsArgs) -> Result<Exit, Error> {
    let shell = match a.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    // Generated into memory first, so that a closed pipe or a full disk is handled the one
    // way every printing command handles it (`super::print`), not as a panic in the writer.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut offered(), NAME, &mut script);
    super::print(&String::from_utf8_lossy(&script))
}

/// The command as completion offers it: without its hidden subcommands (`manpages`), which
/// clap_complete's generators would list as they list every other (they honour `hide` on
/// arguments and values, not on subcommands). The top-level arguments, global ones included,
/// and every visible subcommand with its own are kept as clap defines them.
fn offered() -> clap::Command {
    let full = Cli::command();
    let visible: Vec<clap::Command> = full
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut cmd = clap::Command::new(NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(visible);
    if let Some(about) = full.get_about() {
        cmd = cmd.about(about.clone());
    }
    cmd
}

/// Writes a man page for the command and one for each visible subcommand, nested ones
/// included, into `a.dir`, and lists the files it wrote on stdout.
pub fn manpages(a: &ManpagesArgs) -> Result<Exit, Error> {
    std::fs::create_dir_all(&a.dir).map_err(Error::Output)?;
    // Built once from the root, so that each subcommand has its display name
    // (`netaccept-history-list`), which names its page; no `help` subcommand to document.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    write_pages(&cmd, &a.dir).map_err(Error::Output)?;
    let mut pages: Vec<String> = std::fs::read_dir(&a.dir)
        .map_err(Error::Output)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(NAME) && n.ends_with(".1"))
        .collect();
    pages.sort();
    super::print(&(pages.join("\n") + "\n"))
}

/// The page of `cmd` and of each of its visible subcommands, depth first, as
/// `clap_mangen::generate_to` writes them, but with every page's source (the footer) naming
/// netaccept and its version, not only the root's (clap_mangen's default is the
/// subcommand's own name). No date: the same binary makes the same pages, so a package
/// build is reproducible.
fn write_pages(cmd: &clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    clap_mangen::Man::new(cmd.clone())
        .source(format!("{NAME} {}", env!("CARGO_PKG_VERSION")))
        .generate_to(dir)?;
    Ok(())
}
