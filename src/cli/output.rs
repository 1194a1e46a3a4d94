//! The terminal habits every command shares, decided once from the global flags: colour
//! (`--color`, `NO_COLOR`), `-q` (only the verdict line), the logs (`-v`, `NETACCEPT_LOG`,
//! `RUST_LOG`: `tracing` on stderr), and the terminal's language when `--lang` is not given
//! (the locale). Held in one process-wide value so that every printing helper of `cli/`
//! follows the same decision without each command passing it along.
//!
//! What never changes with them: machine output (`--format json`, `plan`, `schema`, the
//! report files) has no colour and no log line, and the logs go to stderr only.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::OnceLock;

use super::args::{ColorArg, OutputArgs};
use crate::report::Lang;

/// Whether each stream may be coloured: each is a terminal or not on its own (`| less`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Colour {
    pub stdout: bool,
    pub stderr: bool,
}

/// The habits of this invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Output {
    /// `-q`: only the verdict line (and errors).
    pub quiet: bool,
    /// Colour what goes to stdout, and to stderr.
    pub colour: Colour,
    /// Logs are on: the progress prints lines, not a bar that log lines would tear.
    pub logging: bool,
}

static OUTPUT: OnceLock<Output> = OnceLock::new();

/// Decides the habits from the flags and installs the log subscriber; once, first thing.
pub fn init(args: &OutputArgs) {
    let no_color = std::env::var_os("NO_COLOR");
    let colour = Colour {
        stdout: color(
            args.color,
            std::io::stdout().is_terminal(),
            no_color.as_ref(),
        ),
        stderr: color(
            args.color,
            std::io::stderr().is_terminal(),
            no_color.as_ref(),
        ),
    };
    let logging = logs(args.verbose, colour.stderr);
    let _ = OUTPUT.set(Output {
        quiet: args.quiet,
        colour,
        logging,
    });
}

/// This invocation's habits (the defaults, before [`init`]: a library caller's).
pub fn get() -> Output {
    OUTPUT.get().copied().unwrap_or_default()
}

/// Colour on a stream: `always` and `never` as said; `auto` only on a terminal and when
/// `NO_COLOR` is unset or empty (no-color.org: "when present and not an empty string").
pub fn color(choice: ColorArg, terminal: bool, no_color: Option<&OsString>) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// The terminal's language when `--lang` is not given: the first of `LC_ALL`, `LC_MESSAGES`
/// and `LANG` that is set and not empty (POSIX's order for messages), Chinese when it starts
/// with `zh` (`zh_CN.UTF-8`), English otherwise. The reports keep Chinese as their default.
pub fn locale_lang() -> Lang {
    lang_of_locale(|k| std::env::var_os(k))
}

/// [`locale_lang`] over any environment.
pub fn lang_of_locale(env: impl Fn(&str) -> Option<OsString>) -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(&env)
        .find(|v| !v.is_empty());
    match locale {
        Some(v) if v.to_string_lossy().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The log filter: `-v` netaccept's info, `-vv` its debug, `-vvv` its trace (and everyone's
/// info, hyper's and rustls' included); without `-v` the filter in `NETACCEPT_LOG`, else in
/// `RUST_LOG`; else no logs. Other crates stay at `warn` below `-vvv`: their debug lines would
/// drown the run's.
pub fn filter(verbose: u8, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    match verbose {
        0 => ["NETACCEPT_LOG", "RUST_LOG"]
            .into_iter()
            .filter_map(env)
            .find(|v| !v.trim().is_empty()),
        1 => Some("warn,netaccept=info".into()),
        2 => Some("warn,netaccept=debug".into()),
        _ => Some("info,netaccept=trace".into()),
    }
}

/// Installs the `tracing` subscriber on stderr when there is a filter; says so and goes on
/// without logs when the filter cannot be read. Whether logs are on.
fn logs(verbose: u8, ansi: bool) -> bool {
    let Some(spec) = filter(verbose, |k| std::env::var(k).ok()) else {
        return false;
    };
    let filter = match tracing_subscriber::EnvFilter::try_new(&spec) {
        Ok(f) => f,
        Err(e) => {
            super::tell(&crate::diag::visible::line(&format!(
                "warning: the log filter `{spec}` cannot be read ({e}); no logs"
            )));
            return false;
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colour_needs_a_terminal_and_no_no_color() {
        let set = OsString::from("1");
        let empty = OsString::new();
        assert!(color(ColorArg::Auto, true, None));
        assert!(color(ColorArg::Auto, true, Some(&empty)));
        assert!(!color(ColorArg::Auto, true, Some(&set)));
        assert!(!color(ColorArg::Auto, false, None));
        assert!(color(ColorArg::Always, false, Some(&set)));
        assert!(!color(ColorArg::Never, true, None));
    }

    #[test]
    fn the_locale_picks_the_terminal_language_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(lang_of_locale(env(&[])), Lang::En);
        assert_eq!(lang_of_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            lang_of_locale(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            lang_of_locale(env(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US")])),
            Lang::Zh
        );
        // An empty LC_ALL is unset.
        assert_eq!(
            lang_of_locale(env(&[("LC_ALL", ""), ("LANG", "zh_CN.GB18030")])),
            Lang::Zh
        );
    }

    #[test]
    fn the_flag_wins_over_the_log_variables() {
        let env = |k: &str| match k {
            "NETACCEPT_LOG" => Some("netaccept=trace".to_string()),
            "RUST_LOG" => Some("debug".to_string()),
            _ => None,
        };
        assert_eq!(filter(0, env).as_deref(), Some("netaccept=trace"));
        assert_eq!(
            filter(0, |k| env(k).filter(|_| k == "RUST_LOG")).as_deref(),
            Some("debug")
        );
        assert_eq!(filter(0, |_| None), None);
        assert_eq!(filter(2, env).as_deref(), Some("warn,netaccept=debug"));
    }
}
