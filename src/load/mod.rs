//! Loading: YAML files → raw serde types ([`raw`]) → the validated [`crate::model`].
//!
//! Loading reads files and nothing else: no name is resolved and no packet is sent, so
//! invalid input always aborts before any traffic. Every problem found is collected as a
//! [`Diagnostic`] (a file that does not parse stops only that file), and the caller gets
//! either a model that cannot be invalid or all of the problems at once.
//!
//! Files are read only when regular and small enough (`files`): what a file can cost is
//! bounded before it is parsed.

mod faults;
mod files;
mod http;
mod inventory;
mod needs;
pub mod raw;
mod selector;
mod suite;
mod template;
mod waivers;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_saphyr::Location;

pub use files::{MAX_FILE_BYTES, MAX_FOLDER_BYTES};

use crate::diag::{Diagnostic, Sources, suggest};
use crate::model::{Fault, Inventory, Loc, Suite, WaiverTargets, Waivers};

/// Everything one invocation loaded, valid.
#[derive(Debug)]
pub struct Loaded {
    pub inventory: Inventory,
    pub suite: Option<Suite>,
    pub waivers: Option<Waivers>,
    /// The simulator's faults, when a faults file was given.
    pub faults: Option<Vec<Fault>>,
    /// Problems that do not stop anything (a selector that matches no node).
    pub warnings: Vec<Diagnostic>,
    pub sources: Sources,
    /// Which of `sources` make up the inventory, in the order read.
    pub inventory_files: Vec<u32>,
    pub suite_file: Option<u32>,
}

/// The problems that made loading fail, and the texts to show them against.
#[derive(Debug)]
pub struct Invalid {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
}

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub inventory: PathBuf,
    pub suite: Option<PathBuf>,
    pub waivers: Option<PathBuf>,
    /// The simulator's faults file.
    pub faults: Option<PathBuf>,
}

/// Loads and validates the inputs. Waivers need a suite: their check ids refer to it.
pub fn load(inputs: &Inputs) -> Result<Loaded, Invalid> {
    let mut ld = Loader::default();
    let inv_files = ld.read_inventory_files(&inputs.inventory);
    let raw_inv: Vec<(u32, raw::InventoryFile)> = inv_files
        .iter()
        .copied()
        .filter_map(|f| ld.parse(f).map(|r| (f, r)))
        .collect();
    let raw_suite = inputs
        .suite
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::SuiteFile>(f).map(|r| (f, r)));
    let raw_waivers = inputs
        .waivers
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::WaiversFile>(f).map(|r| (f, r)));

    let raw_faults = inputs
        .faults
        .as_deref()
        .and_then(|p| ld.read(p))
        .and_then(|f| ld.parse::<raw::FaultsFile>(f).map(|r| (f, r)));
    let suite_file = raw_suite.as_ref().map(|(f, _)| *f);
    let suite = raw_suite.map(|(f, r)| {
        let dir = inputs
            .suite
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        suite::build(&mut ld, f, r, dir)
    });
    let catalogue = suite.as_ref().map(|s| s.apps.as_slice());
    let inventory = inventory::build(&mut ld, raw_inv, catalogue);
    if let (Some(inv), Some(s)) = (&inventory, &suite) {
        selector::check_references(&mut ld, s, inv);
    }
    let targets = match (&inventory, &suite) {
        (Some(inv), Some(s)) => Some(WaiverTargets::from_model(inv, s)),
        _ => None,
    };
    let waivers = raw_waivers.map(|(f, r)| waivers::build(&mut ld, f, r, targets.as_ref()));
    let faults = raw_faults.map(|(f, r)| faults::build(&mut ld, f, r, inventory.as_ref()));

    if ld.diags.iter().any(Diagnostic::is_error) {
        return Err(Invalid {
            diagnostics: ld.diags,
            sources: ld.sources,
        });
    }
    Ok(Loaded {
        inventory: inventory.expect("no errors means the inventory was built"),
        suite,
        waivers,
        faults,
        warnings: ld.diags,
        sources: ld.sources,
        inventory_files: inv_files,
        suite_file,
    })
}

/// One loading pass: the files read so far and the problems found. Every build step of
/// [`load`] takes it (as `ld`), so each file and each diagnostic is recorded in one place.
#[derive(Default)]
pub(crate) struct Loader {
    pub sources: Sources,
    pub diags: Vec<Diagnostic>,
}

impl Loader {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Parses one file into its raw type; a YAML or shape error becomes one diagnostic.
    fn parse<T: DeserializeOwned>(&mut self, file: u32) -> Option<T> {
        let text = &self.sources.files[file as usize].text;
        match serde_saphyr::from_str::<T>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let d = yaml_error(file, &e, text);
                self.push(d);
                None
            }
        }
    }
}

/// Loads a waivers file on its own, checked against `targets` (for `netaccept report`, whose
/// targets come from a results file).
pub fn load_waivers(path: &Path, targets: &WaiverTargets) -> Result<(Waivers, Sources), Invalid> {
    let mut ld = Loader::default();
    let waivers = ld
        .read(path)
        .and_then(|f| ld.parse::<raw::WaiversFile>(f).map(|r| (f, r)))
        .map(|(f, r)| waivers::build(&mut ld, f, r, Some(targets)));
    match waivers {
        Some(w) if !ld.diags.iter().any(Diagnostic::is_error) => Ok((w, ld.sources)),
        _ => Err(Invalid {
            diagnostics: ld.diags,
            sources: ld.sources,
        }),
    }
}

/// A model position from a serde-saphyr one.
pub(crate) fn loc(file: u32, l: &Location) -> Loc {
    Loc {
        file,
        line: l.line() as u32,
        col: l.column() as u32,
        len: l.span().len() as u32,
    }
}

/// Turns a serde-saphyr error into our diagnostic, rewording the common cases and adding
/// "did you mean" to unknown keys and values.
fn yaml_error(file: u32, e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    use serde_saphyr::Error as E;
    let at = e.location().map(|l| loc(file, &l));
    let (message, hint) = match e.without_snippet() {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{field}`"),
            Some(
                match suggest::did_you_mean(field, expected.iter().copied()) {
                    Some(d) => format!("{d} (allowed here: {})", expected.join(", ")),
                    None => format!("allowed here: {}", expected.join(", ")),
                },
            ),
        ),
        E::SerdeMissingField { field, .. } => {
            if let Some(at) = at {
                let (start, misplaced) = entry_start(text, at, field);
                let hint = match misplaced {
                    Some(line) => format!(
                        "`{field}:` on line {line} is not indented like the other keys of this entry, so YAML does not see it as one of them"
                    ),
                    None => format!("add `{field}:` to this entry"),
                };
                return Diagnostic::error(
                    Loc { file, ..start },
                    format!("missing required key `{field}`"),
                )
                .with_hint(hint);
            }
            (
                format!("missing required key `{field}`"),
                Some(format!("add `{field}:` to this entry")),
            )
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown value `{variant}`"),
            Some(
                match suggest::did_you_mean(variant, expected.iter().copied()) {
                    Some(d) => format!("{d} (one of: {})", expected.join(", ")),
                    None => format!("one of: {}", expected.join(", ")),
                },
            ),
        ),
        E::Eof { .. } if text.trim().lines().all(|l| l.trim_start().starts_with('#')) => {
            return Diagnostic::error(
                Loc {
                    file,
                    line: 1,
                    col: 1,
                    len: 0,
                },
                "the file is empty",
            )
            .with_hint(
                "an inventory starts with `nodes:`, a suite with `suite:`, waivers with `waivers:`",
            );
        }
        E::DuplicateMappingKey { key, .. } => (
            format!("duplicate key `{}`", key.clone().unwrap_or_default()),
            Some("each key may appear once in a mapping".into()),
        ),
        other => {
            let msg = other.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            let hint = if msg.starts_with("expected sequence start") {
                Some("write a list: `[a, b]` or one `- item` per line".to_string())
            } else if msg.starts_with("expected string scalar") {
                Some("write a plain value here, not a list or a mapping".to_string())
            } else if msg.starts_with("invalid type") || msg.starts_with("expected") {
                Some("check the value's type against `netaccept schema`".to_string())
            } else {
                Some("this is not valid YAML; check indentation and quotes".to_string())
            };
            (format!("YAML: {msg}"), hint)
        }
    };
    let mut d = match at {
        Some(at) if at.line > 0 => Diagnostic::error(at, message),
        _ => Diagnostic::global(message),
    };
    d.hint = hint;
    d
}

/// Where the mapping that lacks a key begins, given serde's position (its last key, or the
/// token after it). Also finds the key written nearby at another indentation, which is the
/// usual reason a key that is "there" is missing.
fn entry_start(text: &str, at: Loc, field: &str) -> (Loc, Option<u32>) {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let idx = (at.line as usize)
        .saturating_sub(1)
        .min(lines.len().saturating_sub(1));
    let Some(line) = lines.get(idx) else {
        return (at, None);
    };
    // A flow mapping `{ … }` on the error's line starts at its brace.
    let before: String = line
        .chars()
        .take(at.col.saturating_sub(1) as usize)
        .collect();
    if let Some(b) = before.rfind('{') {
        let col = before[..b].chars().count() as u32 + 1;
        return (
            Loc {
                line: at.line,
                col,
                len: 1,
                ..at
            },
            None,
        );
    }
    let key_indent = at.col.saturating_sub(1) as usize;
    let mut start = (idx, key_indent);
    for i in (0..=idx).rev() {
        let l = lines[i];
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(l);
        if ind == key_indent {
            start = (i, ind);
        } else if ind < key_indent {
            if t.starts_with("- ") && ind + 2 == key_indent {
                start = (i, key_indent);
            }
            break;
        }
    }
    // The entry ends where indentation drops below its keys. A key one column off, or
    // deeper than its neighbours without a parent key to nest under, is misplaced; a key of
    // the same name deeper in a nested block is someone else's.
    let mut misplaced = None;
    let mut prev: Option<(usize, &str)> = None;
    for (i, l) in lines.iter().enumerate().skip(start.0) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let content_indent = if i == start.0 { key_indent } else { indent(l) };
        if i > start.0 && t.starts_with(&format!("{field}:")) && content_indent != key_indent {
            let one_off = content_indent.abs_diff(key_indent) == 1;
            let orphan = content_indent > key_indent
                && prev.is_some_and(|(pi, pt)| pi == key_indent && !pt.trim_end().ends_with(':'));
            if one_off || orphan {
                misplaced = Some(i as u32 + 1);
                break;
            }
        }
        if i > start.0 && content_indent < key_indent {
            break;
        }
        prev = Some((content_indent, t));
    }
    let first_key = lines[start.0][start.1.min(lines[start.0].len())..]
        .split(':')
        .next()
        .unwrap_or("")
        .chars()
        .count() as u32;
    (
        Loc {
            line: start.0 as u32 + 1,
            col: start.1 as u32 + 1,
            len: first_key.max(1),
            ..at
        },
        misplaced,
    )
}

/// Position of a part of a string value: the value starts at `base`; `byte` is an offset in
/// the value. Exact for plain and single-line quoted scalars, which is what ids and templates
/// are; otherwise the value's start.
pub(crate) fn sub_loc(
    sources: &Sources,
    base: Loc,
    value: &str,
    byte: usize,
    len_chars: usize,
) -> Loc {
    let line = sources.files[base.file as usize]
        .text
        .lines()
        .nth(base.line.saturating_sub(1) as usize)
        .unwrap_or("");
    let rest: String = line
        .chars()
        .skip(base.col.saturating_sub(1) as usize)
        .collect();
    let quote: u32 = match rest.chars().next() {
        Some('"' | '\'') => 1,
        _ => 0,
    };
    let prefix = &value[..byte.min(value.len())];
    let fits = rest
        .chars()
        .skip(quote as usize)
        .collect::<String>()
        .starts_with(prefix);
    if !fits || prefix.contains('\n') {
        return base;
    }
    Loc {
        col: base.col + quote + prefix.chars().count() as u32,
        len: len_chars as u32,
        ..base
    }
}
