//! `{{ … }}` templates in suite strings, and the filled text they become for one
//! (node, check, app).
//!
//! Values from `{{ env.NAME }}` stay marked as secret inside [`Text`], so that every report
//! can print `***` in their place without having to remember which strings were secret.

use std::fmt;

use super::Loc;

/// A variable a template may name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VarRef {
    NodeId,
    NodeName,
    NodeHost,
    NodeLevel,
    NodeKind,
    NodeRegion,
    NodeVar(String),
    AppId,
    AppName,
    AppUrl,
    Env(String),
}

impl VarRef {
    /// Every fixed variable name, for "did you mean" hints.
    pub const FIXED: [&'static str; 9] = [
        "node.id",
        "node.name",
        "node.host",
        "node.level",
        "node.kind",
        "node.region",
        "app.id",
        "app.name",
        "app.url",
    ];

    /// Parses the inside of `{{ … }}`, already trimmed.
    pub fn parse(s: &str) -> Option<VarRef> {
        Some(match s {
            "node.id" => VarRef::NodeId,
            "node.name" => VarRef::NodeName,
            "node.host" => VarRef::NodeHost,
            "node.level" => VarRef::NodeLevel,
            "node.kind" => VarRef::NodeKind,
            "node.region" => VarRef::NodeRegion,
            "app.id" => VarRef::AppId,
            "app.name" => VarRef::AppName,
            "app.url" => VarRef::AppUrl,
            _ => {
                if let Some(v) = s.strip_prefix("node.vars.") {
                    // A nested var is named by its path: `link.max_rtt`.
                    if !v.split('.').all(is_var_name) {
                        return None;
                    }
                    VarRef::NodeVar(v.to_string())
                } else if let Some(v) = s.strip_prefix("env.") {
                    if !is_env_name(v) {
                        return None;
                    }
                    VarRef::Env(v.to_string())
                } else {
                    return None;
                }
            }
        })
    }

    pub fn is_app(&self) -> bool {
        matches!(self, VarRef::AppId | VarRef::AppName | VarRef::AppUrl)
    }
}

impl fmt::Display for VarRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            VarRef::NodeId => "node.id",
            VarRef::NodeName => "node.name",
            VarRef::NodeHost => "node.host",
            VarRef::NodeLevel => "node.level",
            VarRef::NodeKind => "node.kind",
            VarRef::NodeRegion => "node.region",
            VarRef::AppId => "app.id",
            VarRef::AppName => "app.name",
            VarRef::AppUrl => "app.url",
            VarRef::NodeVar(v) => return write!(f, "node.vars.{v}"),
            VarRef::Env(v) => return write!(f, "env.{v}"),
        };
        f.write_str(s)
    }
}

pub fn is_var_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

fn is_env_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Lit(String),
    Var(VarRef),
}

/// A suite string, parsed: literal text and variables, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
    pub loc: Loc,
}

impl Template {
    /// A template with no variables.
    pub fn literal(s: &str, loc: Loc) -> Template {
        Template {
            segments: vec![Segment::Lit(s.to_string())],
            loc,
        }
    }

    pub fn vars(&self) -> impl Iterator<Item = &VarRef> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Var(v) => Some(v),
            Segment::Lit(_) => None,
        })
    }

    /// The text as the user wrote it (normalised spacing inside braces).
    pub fn source(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Lit(l) => l.clone(),
                Segment::Var(v) => format!("{{{{ {v} }}}}"),
            })
            .collect()
    }

    /// The literal value when the template names no variable.
    pub fn as_literal(&self) -> Option<String> {
        self.vars().next().is_none().then(|| self.source())
    }
}

/// One piece of filled text.
#[derive(Clone, PartialEq, Eq)]
pub enum TextPart {
    Plain(String),
    /// A value from the environment: sent on the wire, never shown.
    Secret(String),
}

/// A template filled for one planned item. `Display` redacts secrets as `***`; only
/// [`Text::expose`] yields the value to send.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub parts: Vec<TextPart>,
}

impl Text {
    pub fn plain(s: impl Into<String>) -> Text {
        Text {
            parts: vec![TextPart::Plain(s.into())],
        }
    }

    /// The real value, secrets included: for the wire only.
    pub fn expose(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                TextPart::Plain(s) | TextPart::Secret(s) => s.as_str(),
            })
            .collect()
    }

    pub fn has_secret(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, TextPart::Secret(_)))
    }

    /// The secret values inside, so that a reporter can scrub them from text the target
    /// sent back (a server may echo a header).
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TextPart::Secret(s) => Some(s.as_str()),
            TextPart::Plain(_) => None,
        })
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                TextPart::Plain(s) => f.write_str(s)?,
                TextPart::Secret(_) => f.write_str("***")?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text {
    // Debug output ends up in logs and panics: it must redact too.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_display_and_debug() {
        let t = Text {
            parts: vec![
                TextPart::Plain("Bearer ".into()),
                TextPart::Secret("s3cr3t".into()),
            ],
        };
        assert_eq!(t.to_string(), "Bearer ***");
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert_eq!(t.expose(), "Bearer s3cr3t");
        assert_eq!(t.secrets().collect::<Vec<_>>(), ["s3cr3t"]);
    }

    #[test]
    fn var_refs_parse_and_print_back() {
        for s in [
            "node.host",
            "node.vars.dns_server",
            "app.url",
            "env.NETACCEPT_TOKEN",
        ] {
            assert_eq!(VarRef::parse(s).unwrap().to_string(), s);
        }
        for bad in [
            "node.hots",
            "node.vars.",
            "env.",
            "env.A-B",
            "app",
            "vars.x",
        ] {
            assert!(VarRef::parse(bad).is_none(), "{bad}");
        }
    }
}

/// Property tests (proptest): any filled text keeps its secrets out of `Display` and
/// `Debug`, and variable names print back as they parse.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{Probe, TcpSpec};
    use crate::props::config;

    /// A part as `(is secret, value)` (`TextPart` has no `Debug`, which proptest needs to
    /// show a case). Secrets always hold a `§`, which plain text never does: a `§` in the
    /// output can only come from a secret.
    fn part() -> impl Strategy<Value = (bool, String)> {
        prop_oneof![
            "[^§]{0,12}".prop_map(|s| (false, s)),
            "[^§]{0,6}§[^§]{0,6}".prop_map(|s| (true, s)),
        ]
    }

    fn var_ref() -> impl Strategy<Value = VarRef> {
        prop_oneof![
            prop::sample::select(VarRef::FIXED.to_vec()).prop_map(|s| VarRef::parse(s).unwrap()),
            "[a-zA-Z_][a-zA-Z0-9_-]{0,12}".prop_map(VarRef::NodeVar),
            "[a-zA-Z_][a-zA-Z0-9_]{0,12}".prop_map(VarRef::Env),
        ]
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn text_shows_plain_parts_and_never_a_secret(parts in prop::collection::vec(part(), 0..8)) {
            let text = Text {
                parts: parts
                    .iter()
                    .map(|(secret, s)| {
                        if *secret {
                            TextPart::Secret(s.clone())
                        } else {
                            TextPart::Plain(s.clone())
                        }
                    })
                    .collect(),
            };
            let shown: String =
                parts.iter().map(|(secret, s)| if *secret { "***" } else { s.as_str() }).collect();
            let exposed: String = parts.iter().map(|(_, s)| s.as_str()).collect();
            let secrets: Vec<&str> =
                parts.iter().filter(|(secret, _)| *secret).map(|(_, s)| s.as_str()).collect();
            prop_assert_eq!(text.to_string(), shown);
            prop_assert_eq!(text.expose(), exposed);
            prop_assert_eq!(text.has_secret(), !secrets.is_empty());
            prop_assert_eq!(text.secrets().collect::<Vec<_>>(), secrets);
            // Debug, plain and pretty, of the text and of a probe holding it (derived Debug).
            let probe = Probe::Tcp(TcpSpec { target: text.clone(), max_connect: None });
            for out in [
                format!("{text:?}"),
                format!("{text:#?}"),
                format!("{text:>40}"),
                format!("{probe:?}"),
                format!("{probe:#?}"),
            ] {
                prop_assert!(!out.contains('§'), "a secret shows: {}", out);
            }
        }

        #[test]
        fn var_refs_print_back_as_they_parse(v in var_ref()) {
            prop_assert_eq!(VarRef::parse(&v.to_string()), Some(v));
        }

        #[test]
        fn any_text_that_parses_as_a_var_ref_prints_back_as_written(
            s in prop_oneof![
                any::<String>(),
                "(node|app|env|vars|id|host|\\.|[a-zA-Z_-]){0,8}",
            ]
        ) {
            if let Some(v) = VarRef::parse(&s) {
                prop_assert_eq!(v.to_string(), s);
            }
        }
    }
}
