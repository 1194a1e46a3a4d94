//! YAML text → a raw type, within fixed limits, and every problem in the user's words.
//!
//! serde-saphyr parses under a budget ([`MAX_YAML_VALUES`] values counting the copies
//! aliases make, [`MAX_YAML_DEPTH`] levels, [`MAX_YAML_ALIASES`] aliases), so an alias bomb
//! ("billion laughs") or a deep nesting stops at once. Its errors are reworded here: a
//! budget breach, a second document, a number that is not one, each says what is wrong in
//! the file and what to do, never which Rust API to call.
//!
//! Tags: serde-saphyr ignores a tag it does not know (`!evil`) and obeys some it does
//! (`!!binary` decodes base64), both silently. Before deserializing, the text is run once
//! through serde-saphyr's own parser (`granit_parser`, re-exported by serde-saphyr), whose
//! events carry each node's resolved tag and the tag's position: a tag outside the YAML
//! core schema (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map`, which
//! only restate a type) is an error at the tag. Asking the parser, rather than scanning the
//! text for `!`, leaves a `!` inside a quoted or plain scalar (`name: Hi!`, `"!x"`) alone.

use serde::de::DeserializeOwned;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::granit_parser::{Event, Parser};

use super::entry_start::entry_start;
use super::{Loader, loc, numbers};
use crate::diag::{Diagnostic, suggest};
use crate::model::Loc;

/// The most YAML values (scalars, lists, mappings) one file may hold, counting every copy an
/// alias (`*name`) makes: the whole national inventory holds about 88,000.
pub const MAX_YAML_VALUES: usize = 250_000;

/// The deepest lists and mappings may nest in one file; netaccept's own formats need 6.
pub const MAX_YAML_DEPTH: usize = 64;

/// The most aliases (`*name`) one file may hold.
pub const MAX_YAML_ALIASES: usize = 50_000;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_YAML_VALUES;
    budget.max_depth = MAX_YAML_DEPTH;
    budget.max_aliases = MAX_YAML_ALIASES;
    // A block of vars or apps written once with `&common` and reused by every node with
    // `*common` is fair use; what aliases can cost is bounded by the values they copy.
    budget.enforce_alias_anchor_ratio = false;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    // The diagnostics show the line themselves (`diag::render`).
    o.with_snippet = false;
    o
}

impl Loader {
    /// Parses one file into its raw type; a tag, a YAML or a shape error becomes a
    /// diagnostic (one per tag, else one for the file).
    pub(super) fn parse<T: DeserializeOwned>(&mut self, file: u32) -> Option<T> {
        let parsed = parse_text(file, &self.sources.files[file as usize].text);
        self.keep(parsed)
    }

    /// [`Loader::parse`] of each of `files`, side by side on the machine's cores (the
    /// files of a folder inventory are independent, and parsing them is most of loading
    /// one), the diagnostics kept in the files' order as one after another would give them.
    pub(super) fn parse_each<T: DeserializeOwned + Send>(
        &mut self,
        files: &[u32],
    ) -> Vec<(u32, T)> {
        let sources = &self.sources;
        let parsed = crate::par::map_in_order(files, |&f| {
            parse_text::<T>(f, &sources.files[f as usize].text)
        });
        files
            .iter()
            .zip(parsed)
            .filter_map(|(&f, p)| self.keep(p).map(|v| (f, v)))
            .collect()
    }

    fn keep<T>(&mut self, parsed: Parsed<T>) -> Option<T> {
        parsed.map_err(|d| self.diags.extend(d)).ok()
    }
}

/// A file's raw type, or the diagnostics that say why it has none.
type Parsed<T> = Result<T, Vec<Diagnostic>>;

/// One file's text into its raw type, or the diagnostics that say why not.
fn parse_text<T: DeserializeOwned>(file: u32, text: &str) -> Parsed<T> {
    let tags = tags(file, text);
    if !tags.is_empty() {
        return Err(tags);
    }
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|e| vec![yaml_error(file, &e, text)])
}

/// Every tag outside the core schema, as an error at the tag. A syntax error ends the scan;
/// deserializing then reports it.
fn tags(file: u32, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Every tag starts with `!`: a file without one has none, and the scan (a second parse
    // of the file, a fifth of loading a large inventory) is not needed.
    if !text.contains('!') {
        return out;
    }
    for ev in Parser::new_from_str(text) {
        let Ok((ev, span)) = ev else { break };
        let (Event::Scalar(_, _, _, tag)
        | Event::SequenceStart(_, _, tag)
        | Event::MappingStart(_, _, tag)) = &ev
        else {
            continue;
        };
        let Some(tag) = tag else { continue };
        if tag.is_yaml_core_schema() {
            continue;
        }
        let m = span.tag_start.unwrap_or(span.start);
        let written = tag_text(m.byte_offset().and_then(|b| text.get(b..)).unwrap_or("!"));
        out.push(
            Diagnostic::error(
                Loc {
                    file,
                    line: m.line() as u32,
                    col: m.col() as u32 + 1,
                    len: written.chars().count() as u32,
                },
                format!("YAML tag `{written}` is not supported"),
            )
            .with_hint(
                "netaccept reads plain values: remove the tag (to keep a value as text, quote it: `\"130000\"`)",
            ),
        );
    }
    out
}

/// The tag as written at the start of `rest`: `!<…>` whole, otherwise up to a space or a
/// flow indicator.
fn tag_text(rest: &str) -> &str {
    let token = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
    if token.starts_with("!<")
        && let Some(i) = token.find('>')
    {
        return &token[..=i];
    }
    let end = token.find([',', '[', ']', '{', '}']).unwrap_or(token.len());
    &token[..end]
}

/// The error serde-saphyr reports inside its wrappers: a snippet, or an alias (whose use
/// site is the outer error's position).
fn original(e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    use serde_saphyr::Error as E;
    match e {
        E::WithSnippet { error, .. } | E::AliasError { error, .. } => original(error),
        other => other,
    }
}

/// Turns a serde-saphyr error into our diagnostic, rewording the common cases and adding
/// "did you mean" to unknown keys and values.
fn yaml_error(file: u32, e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    use serde_saphyr::Error as E;
    let at = e.location().map(|l| loc(file, &l));
    let (message, hint) = match original(e) {
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
        E::MultipleDocuments { .. } => {
            let message = "the file holds a second YAML document";
            let hint = "a file is one document: remove this `---` line (an inventory can be a folder of files, one per province)";
            return match at {
                Some(at) => Diagnostic::error(document_start(text, at), message),
                None => Diagnostic::global(message),
            }
            .with_hint(hint);
        }
        E::Budget { breach, .. } => too_much(match breach {
            BudgetBreach::Depth { .. } => TooMuch::Depth,
            BudgetBreach::Aliases { .. }
            | BudgetBreach::Anchors { .. }
            | BudgetBreach::AliasAnchorRatio { .. } => TooMuch::Aliases,
            _ => TooMuch::Values,
        }),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => too_much(TooMuch::Values),
        E::InvalidScalar { ty, .. } => {
            if let Some(at) = at {
                return numbers::unreadable_scalar(text, at, ty);
            }
            (format!("a value is not {ty}"), None)
        }
        other => {
            let msg = other.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            if msg.contains("recursion limit exceeded") {
                too_much(TooMuch::Depth)
            } else {
                let hint = if msg.starts_with("expected sequence start") {
                    "write a list: `[a, b]` or one `- item` per line"
                } else if msg.starts_with("expected string scalar") {
                    "write a plain value here, not a list or a mapping"
                } else if msg.starts_with("invalid type") || msg.starts_with("expected") {
                    "check the value's type against `netaccept schema`"
                } else {
                    "this is not valid YAML; check indentation and quotes"
                };
                (format!("YAML: {msg}"), Some(hint.to_string()))
            }
        }
    };
    let mut d = match at {
        Some(at) if at.line > 0 => Diagnostic::error(at, message),
        _ => Diagnostic::global(message),
    };
    d.hint = hint;
    d
}

/// What a file has too much of, for the budget's words.
#[derive(Clone, Copy)]
enum TooMuch {
    Depth,
    Aliases,
    /// Values, events or text, and the alias replay limits alike: usually aliases copying
    /// what they name.
    Values,
}

/// What a budget breach means for the user's file, and what to do about it.
fn too_much(what: TooMuch) -> (String, Option<String>) {
    let aliases = "aliases that repeat aliases multiply (a \"billion laughs\"): write the values out, or repeat less";
    let (message, hint) = match what {
        TooMuch::Depth => (
            format!("lists and mappings nested more than {MAX_YAML_DEPTH} levels deep"),
            "netaccept's files nest a few levels: check the brackets and the indentation".into(),
        ),
        TooMuch::Aliases => (
            format!("more than {MAX_YAML_ALIASES} aliases (`*name`)"),
            aliases.into(),
        ),
        TooMuch::Values => (
            format!(
                "the file holds more than {MAX_YAML_VALUES} YAML values, counting the copies aliases (`*name`) make"
            ),
            format!("{aliases}; a large inventory belongs in a folder of files, one per province"),
        ),
    };
    (message, Some(hint))
}

/// The `---` line that starts the document holding `at`, else `at`.
fn document_start(text: &str, at: Loc) -> Loc {
    let lines: Vec<&str> = crate::diag::yaml_lines(text).collect();
    let last = (at.line as usize).min(lines.len());
    (0..last)
        .rev()
        .find(|&i| lines[i].starts_with("---"))
        .map_or(at, |i| Loc {
            line: i as u32 + 1,
            col: 1,
            len: 3,
            ..at
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::InventoryFile;

    fn tag_messages(text: &str) -> Vec<String> {
        tags(0, text)
            .into_iter()
            .map(|d| {
                let l = d.loc.expect("at the tag");
                format!("{}:{}:{} {}", l.line, l.col, l.len, d.message)
            })
            .collect()
    }

    #[test]
    fn a_bang_inside_a_scalar_is_no_tag_and_core_tags_pass() {
        let text = "a: Hi!\nb: \"!x\"\nc: '!y'\nd: x!y\ne: !!str 130000\nf: !!int 5\n# !no\ng: [1, !!null ~]\n";
        assert_eq!(tag_messages(text), Vec::<String>::new());
    }

    #[test]
    fn other_tags_are_errors_at_the_tag() {
        assert_eq!(
            tag_messages("a: !evil x\nb: [1, !!binary QQ==]\nc: !<tag:x.org,2026:y> {k: v}\n"),
            [
                "1:4:5 YAML tag `!evil` is not supported",
                "2:8:8 YAML tag `!!binary` is not supported",
                "3:4:19 YAML tag `!<tag:x.org,2026:y>` is not supported",
            ]
        );
        // A `%TAG` directive cannot pass a tag off as a core one: the resolved tag counts.
        let redefined = "%TAG !! tag:example.com,2026:\n---\na: !!str x\n";
        assert_eq!(
            tag_messages(redefined),
            ["3:4:5 YAML tag `!!str` is not supported"]
        );
    }

    #[test]
    fn one_anchor_reused_by_every_node_is_fair_use() {
        let mut text = String::from(
            "nodes:\n  - { id: national, name: n, level: national, vars: &common { a: b } }\n",
        );
        for i in 0..500 {
            text.push_str(&format!(
                "  - {{ id: p{i}, name: p, level: provincial, parent: national, vars: *common }}\n"
            ));
        }
        let mut ld = Loader::default();
        let f = ld.sources.add("inv.yaml".into(), text);
        let parsed = ld.parse::<InventoryFile>(f);
        assert!(ld.diags.is_empty(), "{:?}", ld.diags);
        assert_eq!(parsed.map(|p| p.nodes.len()), Some(501));
    }

    #[test]
    fn files_parsed_side_by_side_give_what_one_after_another_gives_in_file_order() {
        // Good files, a file with a tag, a file with a shape error, more than there are
        // cores: the side-by-side parse must keep each file's value with its file and the
        // diagnostics in the files' order.
        // File 1 is large, its shape error at its end: its diagnostic is ready after those
        // of the files after it, and must still come before them.
        let mut large = String::new();
        for k in 0..3000 {
            large.push_str(&format!(
                "  - {{ id: big{k}, name: n, level: provincial, parent: national }}\n"
            ));
        }
        let texts: Vec<String> = (0..9)
            .map(|i| match i % 3 {
                1 if i == 1 => {
                    format!("nodes:\n{large}  - {{ id: n1, nmae: n, level: provincial }}\n")
                }
                0 => format!(
                    "nodes:\n  - {{ id: n{i}, name: n, level: provincial, parent: national }}\n"
                ),
                1 => format!("nodes:\n  - {{ id: n{i}, name: !evil n, level: provincial }}\n"),
                _ => format!("nodes:\n  - {{ id: n{i}, nmae: n, level: provincial }}\n"),
            })
            .collect();
        let load = |each: bool| {
            let mut ld = Loader::default();
            let files: Vec<u32> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| ld.sources.add(format!("{i}.yaml").into(), t.clone()))
                .collect();
            let parsed: Vec<(u32, InventoryFile)> = if each {
                ld.parse_each(&files)
            } else {
                files
                    .iter()
                    .filter_map(|&f| ld.parse(f).map(|v| (f, v)))
                    .collect()
            };
            let ids: Vec<(u32, String)> = parsed
                .iter()
                .map(|(f, p)| (*f, p.nodes[0].value.id.value.clone()))
                .collect();
            let diags: Vec<(Option<u32>, String)> = ld
                .diags
                .iter()
                .map(|d| (d.loc.map(|l| l.file), d.message.clone()))
                .collect();
            (ids, diags)
        };
        let (ids, diags) = load(true);
        assert_eq!(
            ids,
            [(0, "n0".into()), (3, "n3".into()), (6, "n6".into())],
            "the good files, each with its own nodes"
        );
        let files: Vec<Option<u32>> = diags.iter().map(|d| d.0).collect();
        assert_eq!(
            files,
            [Some(1), Some(2), Some(4), Some(5), Some(7), Some(8)],
            "{diags:?}"
        );
        assert_eq!((ids, diags), load(false));
    }
}
