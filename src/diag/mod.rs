//! Diagnostics: problems in the user's input, shown as `file:line:col` with the offending
//! line, a caret under the culprit and a hint, in the manner of rustc and Hurl.
//!
//! Loading and planning both produce them; they are plain data until [`render`] is given the
//! source texts. Everything found in one invocation is reported at once, sorted by file and
//! position, so a user fixes a file in one pass.
//!
//! What a diagnostic quotes is the user's text (the echoed line, a key or value named in
//! the message) and reaches a terminal: its control characters are shown in caret form
//! ([`visible`], which the reports use too).

pub mod suggest;
pub mod visible;

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::model::Loc;

/// The files read in one invocation, indexed by [`Loc::file`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As the user named it (joined to the directory for inventory directories).
    pub path: PathBuf,
    pub text: String,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> u32 {
        self.files.push(SourceFile { path, text });
        (self.files.len() - 1) as u32
    }

    pub fn path(&self, file: u32) -> String {
        self.files[file as usize].path.display().to_string()
    }

    /// `file:line:col`.
    pub fn position(&self, loc: Loc) -> String {
        format!("{}:{}:{}", self.path(loc.file), loc.line, loc.col)
    }

    fn line(&self, loc: Loc) -> Option<&str> {
        let text = &self.files.get(loc.file as usize)?.text;
        text.lines().nth((loc.line as usize).checked_sub(1)?)
    }
}

/// Whether a diagnostic stops the invocation (an error) or is only shown (a warning).
/// Named apart from [`crate::model::Level`] (a node's level) and
/// [`crate::model::Severity`] (a check's), which mean other things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gravity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub gravity: Gravity,
    /// `None` for problems that belong to no place in a file (a file that cannot be read
    /// still names its path in the message).
    pub loc: Option<Loc>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            gravity: Gravity::Error,
            loc: Some(loc),
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            gravity: Gravity::Warning,
            ..Diagnostic::error(loc, message)
        }
    }

    pub fn global(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            gravity: Gravity::Error,
            loc: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn hint_opt(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    pub fn is_error(&self) -> bool {
        self.gravity == Gravity::Error
    }
}

/// Sorts by file path, then position; problems without a place come first.
pub fn sort(diags: &mut [Diagnostic], sources: &Sources) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.loc.map(|l| (sources.path(l.file), l.line, l.col, l.file));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.gravity.cmp(&b.gravity))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Renders one diagnostic:
///
/// ```text
/// error: unknown parent `natinal`
///  --> inventory.yaml:7:13
///   |
/// 7 |     parent: natinal
///   |             ^^^^^^^
///   = hint: did you mean `national`?
/// ```
pub fn render(d: &Diagnostic, sources: &Sources) -> String {
    let mut out = String::new();
    let label = match d.gravity {
        Gravity::Error => "error",
        Gravity::Warning => "warning",
    };
    let _ = writeln!(out, "{label}: {}", visible::text(&d.message));
    let gutter;
    if let Some(loc) = d.loc {
        let num = loc.line.to_string();
        gutter = " ".repeat(num.len());
        let _ = writeln!(out, "{gutter}--> {}", visible::line(&sources.position(loc)));
        if let Some(line) = sources.line(loc) {
            let line = line.replace('\t', " ");
            let before: String = line
                .chars()
                .take(loc.col.saturating_sub(1) as usize)
                .collect();
            let token: String = line
                .chars()
                .skip(loc.col.saturating_sub(1) as usize)
                .take(loc.len.max(1) as usize)
                .collect();
            // Measured as shown: a control before the token takes the columns of its caret
            // form, and one in it is underlined whole.
            let carets = "^".repeat(width(&visible::line(&token)).max(1));
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{num} | {}", visible::line(line.trim_end()));
            let _ = writeln!(
                out,
                "{gutter} | {}{carets}",
                " ".repeat(width(&visible::line(&before)))
            );
        }
    } else {
        gutter = String::new();
    }
    if let Some(h) = &d.hint {
        let _ = writeln!(out, "{gutter} = hint: {}", visible::text(h));
    }
    out
}

/// Renders all diagnostics, sorted, separated by blank lines, with a closing count.
pub fn render_all(diags: &mut [Diagnostic], sources: &Sources) -> String {
    sort(diags, sources);
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render(d, sources));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        let _ = writeln!(
            out,
            "{}, {}: nothing was run, no traffic was sent",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }
    out
}

/// Terminal columns taken by a string: East Asian wide characters take two, so that the
/// caret lands under a token that follows Chinese text.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_lands_under_token_after_wide_text() {
        let mut s = Sources::default();
        let f = s.add("a.yaml".into(), "x: 北京 bad\n".into());
        let d = Diagnostic::error(
            Loc {
                file: f,
                line: 1,
                col: 7,
                len: 3,
            },
            "oops",
        )
        .with_hint("h");
        let r = render(&d, &s);
        assert_eq!(
            r,
            "error: oops\n --> a.yaml:1:7\n  |\n1 | x: 北京 bad\n  |         ^^^\n  = hint: h\n"
        );
    }

    /// The echoed line, the message and the hint quote the user's text: a control character
    /// in it is shown in caret form, and the caret still lands under the token.
    #[test]
    fn control_characters_are_shown_in_caret_form_and_the_caret_still_lands() {
        let mut s = Sources::default();
        let f = s.add("a.yaml".into(), "x: \u{1b}]0;t\u{7}\u{0} bad\n".into());
        let d = Diagnostic::error(
            Loc {
                file: f,
                line: 1,
                col: 12,
                len: 3,
            },
            "unknown key `\u{1b}[31mbad`",
        )
        .with_hint("did you mean `\u{9b}b`?");
        assert_eq!(
            render(&d, &s),
            "error: unknown key `^[[31mbad`\n --> a.yaml:1:12\n  |\n1 | x: ^[]0;t^G^@ bad\n  |               ^^^\n  = hint: did you mean `M-^[b`?\n"
        );
    }
}
