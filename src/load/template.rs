//! Template parsing: a check's string → [`Template`], its `{{ … }}` variables resolved
//! (and refused where the check is not per app).

use super::raw::S;
use super::{Loader, loc, sub_loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{Segment, Template, VarRef};

/// Template parsing for the strings of one check.
pub(super) struct Templates<'a> {
    pub(super) f: u32,
    pub(super) for_each_app: bool,
    pub(super) check: &'a str,
}

impl Templates<'_> {
    pub(super) fn parse(&mut self, ld: &mut Loader, s: &S) -> Template {
        let base = loc(self.f, &s.referenced);
        let text = s.value.as_str();
        let mut segments = Vec::new();
        let mut rest = 0;
        while let Some(open) = text[rest..].find("{{").map(|i| i + rest) {
            if open > rest {
                segments.push(Segment::Lit(text[rest..open].to_string()));
            }
            let Some(close) = text[open..].find("}}").map(|i| i + open) else {
                let at = sub_loc(&ld.sources, base, text, open, 2);
                ld.push(
                    Diagnostic::error(at, "unclosed `{{` in template")
                        .with_hint("close it with `}}`, e.g. `{{ node.host }}`"),
                );
                return Template::literal(text, base);
            };
            let inner = text[open + 2..close].trim();
            let at = sub_loc(
                &ld.sources,
                base,
                text,
                open,
                text[open..close + 2].chars().count(),
            );
            match VarRef::parse(inner) {
                Some(v) if v.is_app() && !self.for_each_app => {
                    ld.push(
                        Diagnostic::error(
                            at,
                            format!(
                                "`{{{{ {inner} }}}}` in check `{}`, which is not per app",
                                self.check
                            ),
                        )
                        .with_hint(
                            "add `for_each_app: true` to the check, or use a `node.*` variable",
                        ),
                    );
                }
                Some(v) => segments.push(Segment::Var(v)),
                None => {
                    let mut names: Vec<String> =
                        VarRef::FIXED.iter().map(ToString::to_string).collect();
                    if let Some(v) = inner.strip_prefix("node.vars.") {
                        names.push(format!("node.vars.{v}"));
                    }
                    let hint = suggest::did_you_mean(inner, names.iter().map(String::as_str)).unwrap_or_else(|| {
                        "variables: node.id|name|host|level|kind|region, node.vars.NAME, app.id|name|url, env.NAME"
                            .into()
                    });
                    ld.push(
                        Diagnostic::error(at, format!("unknown template variable `{inner}`"))
                            .with_hint(hint),
                    );
                }
            }
            rest = close + 2;
        }
        if rest < text.len() {
            segments.push(Segment::Lit(text[rest..].to_string()));
        }
        Template {
            segments,
            loc: base,
        }
    }
}

/// Property tests (proptest): any string gives a template or diagnostics at its place, and
/// a template made of generated pieces parses back to exactly those pieces.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::props::config;

    /// Parses `text` as a suite string written on the first line of a file, quoted as JSON
    /// quotes it (valid YAML), for a check that is per app or not. Returns the template, the
    /// diagnostics, the value YAML read and the file's line.
    fn parse(text: &str, for_each_app: bool) -> (Template, Vec<Diagnostic>, String, String) {
        let line = serde_json::to_string(text).unwrap();
        let s: S = serde_saphyr::from_str(&line).expect("a JSON string is a YAML scalar");
        let mut ld = Loader::default();
        let f = ld.sources.add("suite.yaml".into(), line.clone());
        let mut t = Templates {
            f,
            for_each_app,
            check: "c",
        };
        let template = t.parse(&mut ld, &s);
        (template, ld.diags, s.value, line)
    }

    /// Literal text that YAML and JSON carry unchanged and unescaped: no braces, quotes,
    /// backslashes, control or line-separator characters.
    fn literal() -> impl Strategy<Value = String> {
        "[^{}\"\\\\\\pC\\p{Zl}\\p{Zp}]{1,10}"
    }

    /// A variable as written between the braces: its name and the spaces around it.
    fn variable() -> impl Strategy<Value = (VarRef, String)> {
        let name = prop_oneof![
            prop::sample::select(VarRef::FIXED.to_vec()).prop_map(str::to_string),
            "[a-zA-Z_][a-zA-Z0-9_-]{0,8}".prop_map(|v| format!("node.vars.{v}")),
            "[a-zA-Z_][a-zA-Z0-9_]{0,8}".prop_map(|v| format!("env.{v}")),
        ];
        (name, "[ \t]{0,2}", "[ \t]{0,2}").prop_map(|(name, l, r)| {
            (
                VarRef::parse(&name).unwrap(),
                format!("{{{{{l}{name}{r}}}}}"),
            )
        })
    }

    /// Pieces of a template: literals never side by side, so that parsing cannot merge them.
    fn pieces() -> impl Strategy<Value = Vec<Result<String, (VarRef, String)>>> {
        prop::collection::vec(
            prop_oneof![literal().prop_map(Ok), variable().prop_map(Err)],
            0..8,
        )
        .prop_map(|mut v| {
            v.dedup_by(|b, a| a.is_ok() && b.is_ok());
            v
        })
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_string_parses_or_is_diagnosed_at_its_place(
            text in prop_oneof![
                any::<String>(),
                // Braces, spaces and pieces of names, in any order.
                "(\\{\\{|\\}\\}|\\{|\\}| |node\\.|app\\.|env\\.|vars\\.|host|url|id|X|é|北)\
                 {0,12}",
            ],
            for_each_app in any::<bool>(),
        ) {
            let (template, diags, value, line) = parse(&text, for_each_app);
            let width = line.chars().count() as u32;
            for d in &diags {
                let at = d.loc.expect("a template diagnostic has a place");
                prop_assert!(d.is_error());
                prop_assert_eq!((at.file, at.line), (0, 1));
                prop_assert!(at.col >= 1 && at.col <= width, "col {} of {}", at.col, width);
                prop_assert!(at.col + at.len <= width + 1, "{at:?} past the line's end ({width})");
            }
            if diags.is_empty() {
                // What was parsed names no variable it could not, and prints back to a
                // template that parses to the same pieces.
                let (again, diags, _, _) = parse(&template.source(), for_each_app);
                prop_assert!(diags.is_empty());
                prop_assert_eq!(&again.segments, &template.segments);
                if template.vars().next().is_none() {
                    prop_assert_eq!(template.as_literal(), Some(value));
                }
            }
        }

        #[test]
        fn generated_templates_parse_to_their_pieces(pieces in pieces()) {
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Ok(lit) => lit.as_str(),
                    Err((_, written)) => written.as_str(),
                })
                .collect();
            let expected: Vec<Segment> = pieces
                .iter()
                .map(|p| match p {
                    Ok(lit) => Segment::Lit(lit.clone()),
                    Err((v, _)) => Segment::Var(v.clone()),
                })
                .collect();
            let (template, diags, value, _) = parse(&text, true);
            prop_assert_eq!(&value, &text);
            prop_assert!(diags.is_empty(), "{:?}", diags);
            prop_assert_eq!(&template.segments, &expected);
            prop_assert_eq!(template.loc.line, 1);

            // Not per app: each `app.*` variable is refused, at its own braces (after the
            // opening quote: column 2 plus the characters before it), or at the string's
            // start once a tab came before it (the file has `\t` there: columns differ).
            let (_, diags, _, line) = parse(&text, false);
            let mut col = 2;
            let mut tab_before = false;
            let mut at_app = Vec::new();
            for p in &pieces {
                let written = match p {
                    Ok(lit) => lit,
                    Err((v, written)) => {
                        if v.is_app() {
                            at_app.push(if tab_before {
                                (1, line.chars().count() as u32)
                            } else {
                                (col, written.chars().count() as u32)
                            });
                        }
                        written
                    }
                };
                col += written.chars().count() as u32;
                tab_before |= written.contains('\t');
            }
            let found: Vec<(u32, u32)> =
                diags.iter().map(|d| d.loc.map(|l| (l.col, l.len)).unwrap()).collect();
            prop_assert_eq!(found, at_app);
        }
    }
}
