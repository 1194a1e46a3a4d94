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
