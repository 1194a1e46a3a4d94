//! Diagnostics: problems in the user's input, shown as `file:line:col` with the offending
//! line, a caret under the culprit and a hint, in the manner of rustc and Hurl. A long line
//! is shown as a window around the caret and a long message keeps only its ends, so that
//! what is printed stays small whatever the input holds.
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
    /// Where each line (as [`yaml_lines`] counts them) starts and ends in `text`: the loader
    /// reads a value back as written once per number in an inventory (tens of thousands in a
    /// large one), which scanning the text from its start each time made quadratic.
    lines: Vec<(usize, usize)>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let base = text.as_ptr() as usize;
        let lines = yaml_lines(&text)
            .map(|l| {
                let start = l.as_ptr() as usize - base;
                (start, start + l.len())
            })
            .collect();
        SourceFile { path, text, lines }
    }

    /// Line `n` (1-based), without its line break.
    pub fn line(&self, n: u32) -> Option<&str> {
        let &(start, end) = self.lines.get((n as usize).checked_sub(1)?)?;
        Some(&self.text[start..end])
    }
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> u32 {
        self.files.push(SourceFile::new(path, text));
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
        self.files.get(loc.file as usize)?.line(loc.line)
    }
}

/// The lines of a text as YAML (and so the loader's positions) counts them: a line ends at
/// `\r\n`, `\n` or a lone `\r` (old Mac files), where `str::lines` knows only the first two.
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        if let Some(i) = t.find(['\r', '\n']) {
            let next = if t[i..].starts_with("\r\n") {
                i + 2
            } else {
                i + 1
            };
            rest = (next < t.len()).then(|| &t[next..]);
            Some(&t[..i])
        } else {
            rest = None;
            (!t.is_empty()).then_some(t)
        }
    })
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
    let _ = writeln!(out, "{label}: {}", elide(&visible::text(&d.message)));
    let gutter;
    if let Some(loc) = d.loc {
        let num = loc.line.to_string();
        gutter = " ".repeat(num.len());
        let _ = writeln!(out, "{gutter}--> {}", visible::line(&sources.position(loc)));
        if let Some(line) = sources.line(loc) {
            let line = line.replace('\t', " ");
            // Shown as escaped (control characters in caret form), so the caret is placed
            // on the escaped text: a control before the token takes the columns of its caret
            // form, and one in it is underlined whole. A long line is then windowed.
            let col = loc.col.saturating_sub(1) as usize;
            let before: String = line.chars().take(col).collect();
            let token: String = line
                .chars()
                .skip(col)
                .take(loc.len.max(1) as usize)
                .collect();
            let (before, token) = (visible::line(&before), visible::line(&token));
            let shown = visible::line(line.trim_end());
            let w = window(&shown, before.chars().count(), token.chars().count().max(1));
            let carets = "^".repeat(w.caret_width.max(1));
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{num} | {}", w.text.trim_end());
            let _ = writeln!(out, "{gutter} | {}{carets}", " ".repeat(w.caret_at));
        }
    } else {
        gutter = String::new();
    }
    if let Some(h) = &d.hint {
        let _ = writeln!(out, "{gutter} = hint: {}", elide(&visible::text(h)));
    }
    out
}

/// The most columns of a source line shown: a longer line is shown as a window around the
/// caret, cut with `…`, so that a line of a megabyte does not put a megabyte on stderr.
pub const MAX_LINE_COLUMNS: usize = 120;

/// Columns of context kept before the caret when a line is cut.
const CONTEXT_BEFORE: usize = 40;

/// The most characters of a message or hint shown; a longer one (it quotes a huge value)
/// keeps its beginning and end around a `…`.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// What of a source line is shown, and where the caret goes in it.
struct Window {
    text: String,
    /// Columns before the caret.
    caret_at: usize,
    caret_width: usize,
}

/// The part of `line` to show for a caret at character `col` (0-based) over `len`
/// characters: all of it when it fits [`MAX_LINE_COLUMNS`], else a window that starts
/// [`CONTEXT_BEFORE`] columns before the caret (earlier if the line ends first), with `…`
/// where it was cut. Carets past the window's end are not drawn.
fn window(line: &str, col: usize, len: usize) -> Window {
    let chars: Vec<char> = line.chars().collect();
    let cw = |c: &char| width(c.encode_utf8(&mut [0; 4]));
    let total: usize = chars.iter().map(cw).sum();
    let caret_width = |from: usize, to: usize| -> usize {
        chars[from.min(chars.len())..to.min(chars.len())]
            .iter()
            .map(cw)
            .sum()
    };
    if total <= MAX_LINE_COLUMNS {
        return Window {
            text: line.to_string(),
            caret_at: caret_width(0, col),
            caret_width: caret_width(col, col + len),
        };
    }
    // Room for the text between the two `…` marks.
    let room = MAX_LINE_COLUMNS - 2;
    let col = col.min(chars.len());
    // Start CONTEXT_BEFORE columns before the caret...
    let mut start = col;
    let mut before = 0;
    while start > 0 && before + cw(&chars[start - 1]) <= CONTEXT_BEFORE {
        start -= 1;
        before += cw(&chars[start]);
    }
    // ...and go as far as the room allows; if the line ends first, start earlier.
    let mut end = start;
    let mut used = 0;
    while end < chars.len() && used + cw(&chars[end]) <= room {
        used += cw(&chars[end]);
        end += 1;
    }
    while start > 0 && used + cw(&chars[start - 1]) <= room {
        start -= 1;
        used += cw(&chars[start]);
    }
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    let lead = usize::from(start > 0);
    Window {
        text,
        caret_at: lead + caret_width(start, col),
        caret_width: caret_width(col, (col + len).min(end)),
    }
}

/// `s` whole when it holds at most [`MAX_MESSAGE_CHARS`] characters; else its first two
/// thirds and its last third of that, around a `…`.
fn elide(s: &str) -> std::borrow::Cow<'_, str> {
    let n = s.chars().count();
    if n <= MAX_MESSAGE_CHARS {
        return s.into();
    }
    let head = MAX_MESSAGE_CHARS * 2 / 3;
    let tail = MAX_MESSAGE_CHARS - head - 1;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out.into()
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
    fn lines_end_as_yaml_ends_them() {
        let lines = |t| yaml_lines(t).collect::<Vec<_>>();
        assert_eq!(lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\n\nb\n"), ["a", "", "b"]);
        assert_eq!(lines("a\r\r\nb"), ["a", "", "b"]);
        assert!(lines("").is_empty());
        // A diagnostic in a file with old Mac line ends shows its line and caret.
        let mut s = Sources::default();
        let f = s.add("cr.yaml".into(), "nodes:\r  - id: bad id\r".into());
        let d = Diagnostic::error(
            Loc {
                file: f,
                line: 2,
                col: 9,
                len: 6,
            },
            "invalid id",
        );
        assert_eq!(
            render(&d, &s),
            "error: invalid id\n --> cr.yaml:2:9\n  |\n2 |   - id: bad id\n  |         ^^^^^^\n"
        );
    }

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

    fn at(col: u32, len: u32) -> Loc {
        Loc {
            file: 0,
            line: 1,
            col,
            len,
        }
    }

    /// The source line and the caret line of a rendered diagnostic.
    fn shown(line: &str, loc: Loc) -> (String, String) {
        let mut s = Sources::default();
        s.add("a.yaml".into(), format!("{line}\n"));
        let r = render(&Diagnostic::error(loc, "oops"), &s);
        let lines: Vec<&str> = r.lines().collect();
        (lines[3][4..].to_string(), lines[4][4..].to_string())
    }

    #[test]
    fn a_long_line_is_a_window_around_the_caret() {
        let line = format!("{}BAD{}", "a".repeat(1_000_000), "z".repeat(1_000_000));
        let (text, carets) = shown(&line, at(1_000_001, 3));
        assert_eq!(width(&text), MAX_LINE_COLUMNS);
        assert_eq!(text, format!("…{}BAD{}…", "a".repeat(40), "z".repeat(75)));
        assert_eq!(carets, format!("{}^^^", " ".repeat(41)));
    }

    #[test]
    fn a_long_line_near_its_ends_is_cut_on_one_side() {
        let line = format!("key: {}", "x".repeat(500));
        let (text, carets) = shown(&line, at(1, 3));
        assert_eq!(text, format!("key: {}…", "x".repeat(113)));
        assert_eq!(carets, "^^^");
        let (text, carets) = shown(&line, at(505, 1));
        assert_eq!(text, format!("…{}", "x".repeat(118)));
        assert_eq!(carets, format!("{}^", " ".repeat(118)));
    }

    #[test]
    fn a_window_counts_wide_characters_twice_and_stops_long_carets() {
        let line = format!("{}x: {}", "北".repeat(300), "y".repeat(300));
        let (text, carets) = shown(&line, at(301, 1_000));
        assert!(width(&text) <= MAX_LINE_COLUMNS, "{text}");
        assert!(
            text.starts_with(&format!("…{}x: y", "北".repeat(20))),
            "{text}"
        );
        assert_eq!(width(&carets), MAX_LINE_COLUMNS - 1, "{carets}");
        assert!(carets.starts_with(&format!("{}^", " ".repeat(41))));
    }

    #[test]
    fn a_long_message_keeps_its_ends() {
        let message = format!("invalid id `{}`: too long", "X".repeat(5_000));
        let shown = elide(&message);
        assert_eq!(shown.chars().count(), MAX_MESSAGE_CHARS);
        assert!(shown.starts_with("invalid id `XXX"));
        assert!(shown.ends_with("XXX`: too long"));
        assert!(shown.contains('…'));
        assert_eq!(elide("short"), "short");
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
