//! Live progress on stderr: a bar on a terminal (done/total, failures so far, rate, ETA),
//! plain periodic lines elsewhere (CI logs, cron mail), where a bar would be noise; and the
//! run's warnings, printed above the bar.
//!
//! A warning may quote a name or a message from the inputs or a target: its control
//! characters are shown in caret form ([`visible`]), never sent to the terminal raw.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Reporter, ReporterError};
use crate::diag::visible;
use crate::event::Event;
use crate::results::Status;

/// How often a plain line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
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
        let bar = terminal.then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} {msg} ETA {eta}")
                    .expect("static template")
                    .progress_chars("█▉▊▋▌▍▎▏ "),
            );
            b
        });
        let now = Instant::now();
        Progress {
            bar,
            total: 0,
            done: 0,
            failed: 0,
            errored: 0,
            skipped: 0,
            started: now,
            last_line: now,
        }
    }

    fn show(&mut self, ev: &Event) {
        match ev {
            Event::Started { total, .. } => {
                self.total = *total;
                self.started = Instant::now();
                self.last_line = self.started;
                match &self.bar {
                    Some(b) => b.set_length(*total as u64),
                    None => say(&format!("running {total} checks")),
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
                    None if self.last_line.elapsed() >= PLAIN_EVERY => {
                        self.last_line = Instant::now();
                        say(&self.line());
                    }
                    None => {}
                }
            }
            Event::Warning { message } => self.suspend(|| say(&warning(message))),
            Event::Finished { .. } => match &self.bar {
                Some(b) => b.finish_and_clear(),
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
        format!(
            "{} failed, {} errored, {} skipped, {:.0} checks/s",
            self.failed,
            self.errored,
            self.skipped,
            self.rate()
        )
    }

    fn line(&self) -> String {
        format!(
            "[{:6.1}s] {}/{} done, {}",
            self.started.elapsed().as_secs_f64(),
            self.done,
            self.total,
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
    fn a_warning_shows_control_characters_in_caret_form() {
        let line =
            warning("node \u{1b}]0;pwned\u{7}\u{1b}[31mbj\u{0}\u{9b}: unreachable\nsecond line");
        assert_eq!(
            line,
            "warning: node ^[]0;pwned^G^[[31mbj^@M-^[: unreachable\nsecond line"
        );
    }
}
