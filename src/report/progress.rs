//! Live progress on stderr: a bar on a terminal (done/total, failures so far, rate, ETA),
//! plain periodic lines elsewhere (CI logs, cron mail), where a bar would be noise; and the
//! run's warnings, printed above the bar.
//!
//! It speaks the report's language with the report's words (`--lang`, or the locale), and
//! its bar is coloured only when the terminal may have colour (`--color`, `NO_COLOR`). Under
//! `-q` it shows nothing; the warnings then go to the logs only (`tracing`), as they always
//! do too.
//!
//! A warning may quote a name or a message from the inputs or a target: its control
//! characters are shown in caret form ([`visible`]), never sent to the terminal raw.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::html::strings::{Strings, fill, strings};
use super::{Lang, Reporter, ReporterError};
use crate::diag::visible;
use crate::event::Event;
use crate::results::Status;

/// How often a plain line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
    /// Nothing printed (`-q`).
    silent: bool,
    lang: Lang,
    total: usize,
    done: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// `terminal`: draw a bar; otherwise print a line every few seconds.
    pub fn new(terminal: bool) -> Progress {
        Progress::styled(Style {
            mode: if terminal { Mode::Bar } else { Mode::Lines },
            lang: Lang::En,
            color: true,
        })
    }

    /// The progress in a mode, a language and with colour or not.
    pub fn styled(style: Style) -> Progress {
        let bar = (style.mode == Mode::Bar).then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            // The bar's colours are its only ones: left out under `--color never`/NO_COLOR.
            let template = if style.color {
                "{bar:30.cyan/blue} {pos}/{len} {msg} ETA {eta}"
            } else {
                "{bar:30} {pos}/{len} {msg} ETA {eta}"
            };
            b.set_style(
                ProgressStyle::with_template(template)
                    .expect("static template")
                    .progress_chars("█▉▊▋▌▍▎▏ "),
            );
            b
        });
        let now = Instant::now();
        Progress {
            bar,
            silent: style.mode == Mode::Off,
            lang: style.lang,
            total: 0,
            done: 0,
            failed: 0,
            errored: 0,
            skipped: 0,
            started: now,
            last_line: now,
        }
    }

    fn words(&self) -> &'static Strings {
        strings(self.lang)
    }

    fn show(&mut self, ev: &Event) {
        match ev {
            Event::Started { total, .. } => {
                self.total = *total;
                self.started = Instant::now();
                self.last_line = self.started;
                match &self.bar {
                    Some(b) => b.set_length(*total as u64),
                    None if self.silent => {}
                    None => say(&fill(
                        self.words().term_running,
                        &[("total", &total.to_string())],
                    )),
                }
            }
            Event::CheckStarted { .. } => {}
            Event::CheckFinished { result, .. } => {
                self.done += 1;
                match result.status {
                    Status::Failed => self.failed += 1,
                    Status::Errored => self.errored += 1,
                    Status::Skipped => self.skipped += 1,
                    // A run's own results are never `not_reported` (only a merge makes them).
                    Status::Passed | Status::Waived | Status::NotReported => {}
                }
                match &self.bar {
                    Some(b) => {
                        b.set_position(self.done as u64);
                        // The message is rebuilt now and then, not per check: at thousands of
                        // checks a second the formatting would show in a profile.
                        if self.done % 64 == 1 || self.done == self.total {
                            b.set_message(self.counts());
                        }
                    }
                    None if self.silent => {}
                    None if self.last_line.elapsed() >= PLAIN_EVERY => {
                        self.last_line = Instant::now();
                        say(&self.line());
                    }
                    None => {}
                }
            }
            Event::Warning { message } => {
                // Whoever reads the logs (a journal, a log collector) sees the warning there.
                tracing::warn!(warning = %visible::text(message), "run warning");
                if !self.silent {
                    self.suspend(|| say(&warning(message)));
                }
            }
            Event::Finished { .. } => match &self.bar {
                Some(b) => b.finish_and_clear(),
                None if self.silent => {}
                None => say(&self.line()),
            },
        }
    }

    fn rate(&self) -> f64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            self.done as f64 / secs
        } else {
            0.0
        }
    }

    fn counts(&self) -> String {
        let t = self.words();
        // The rate reads number first in both languages ("3368 checks/s", "3368 项/秒").
        let rate = format!("{:.0} {}", self.rate(), t.term_rate);
        [
            t.count(t.failed, self.failed),
            t.count(t.errored, self.errored),
            t.count(t.skipped, self.skipped),
            rate,
        ]
        .join(t.comma)
    }

    fn line(&self) -> String {
        let t = self.words();
        format!(
            "[{:6.1}s] {}/{} {}{}{}",
            self.started.elapsed().as_secs_f64(),
            self.done,
            self.total,
            t.term_done,
            t.comma,
            self.counts()
        )
    }

    /// Hides the bar (to print a message above it) or does nothing.
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }
}

/// How the progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar redrawn in place (a terminal).
    Bar,
    /// A line every few seconds (logs, cron mail, CI).
    Lines,
    /// Nothing (`-q`).
    Off,
}

/// The progress's mode, language and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub mode: Mode,
    pub lang: Lang,
    pub color: bool,
}

/// A warning's line, as printed above the bar; its own line breaks are kept.
fn warning(message: &str) -> String {
    format!("warning: {}", visible::text(message))
}

impl Reporter for Progress {
    fn on_event(&mut self, event: &Event) -> Result<(), ReporterError> {
        self.show(event);
        Ok(())
    }
}

/// One line on stderr. An operator's terminal that went away (a closed pipe, a full log disk)
/// loses the line and nothing else: a run never stops, let alone panics, for its progress.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_speaks_the_reports_words() {
        let mut p = Progress::styled(Style {
            mode: Mode::Off,
            lang: Lang::Zh,
            color: false,
        });
        (p.total, p.done, p.failed, p.errored, p.skipped) = (20, 10, 3, 1, 2);
        let zh = p.line();
        let t = strings(Lang::Zh);
        assert!(
            zh.contains(&format!(
                "10/20 {}，{} 3，{} 1，{} 2，",
                t.term_done, t.failed, t.errored, t.skipped
            )),
            "{zh}"
        );
        assert!(zh.contains("失败 3") && zh.contains("错误 1"), "{zh}");
        p.lang = Lang::En;
        let en = p.line();
        assert!(
            en.contains("10/20 done, 3 failed, 1 errored, 2 skipped, "),
            "{en}"
        );
    }

    #[test]
    fn a_warning_shows_control_characters_in_caret_form() {
        let line =
            warning("node \u{1b}]0;pwned\u{7}\u{1b}[31mbj\u{0}\u{9b}: unreachable\nsecond line");
        assert_eq!(
            line,
            "warning: node ^[]0;pwned^G^[[31mbj^@M-^[: unreachable\nsecond line"
        );
    }
}
