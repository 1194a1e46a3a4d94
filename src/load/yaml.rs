//! YAML text → a raw type, and serde-saphyr's errors in the user's words.

use serde::de::DeserializeOwned;

use super::entry_start::entry_start;
use super::{Loader, loc};
use crate::diag::{Diagnostic, suggest};
use crate::model::Loc;

impl Loader {
    /// Parses one file into its raw type; a YAML or shape error becomes one diagnostic.
    pub(super) fn parse<T: DeserializeOwned>(&mut self, file: u32) -> Option<T> {
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
