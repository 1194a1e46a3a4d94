//! The raw `trace:` block → [`TraceSpec`]: `max_hops` held to its range, each literal
//! `expect_via` entry parsed as an address block now (a templated one is parsed once filled,
//! by the planner).

use super::raw::RawTrace;
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::Diagnostic;
use crate::model::path::{DEFAULT_MAX_HOPS, MAX_HOPS};
use crate::model::{Cidr, Template, TraceSpec};

pub(super) fn trace(
    ld: &mut Loader,
    f: u32,
    p: &RawTrace,
    t: &mut Templates,
) -> TraceSpec<Template> {
    let max_hops = p
        .max_hops
        .as_ref()
        .and_then(|v| numbers::int(ld, f, v, MAX_HOPS))
        .and_then(|n| u8::try_from(n).ok())
        .unwrap_or(DEFAULT_MAX_HOPS);
    let expect_via = p
        .expect_via
        .iter()
        .map(|s| {
            let tpl = t.parse(ld, s);
            if let Some(lit) = tpl.as_literal()
                && let Err(e) = Cidr::parse(lit.trim())
            {
                ld.push(
                    Diagnostic::error(loc(f, &s.referenced), format!("invalid `expect_via` entry: {e}"))
                        .with_hint("an address block or an address the path must pass, e.g. `198.18.1.0/24` or `198.18.2.2`"),
                );
            }
            tpl
        })
        .collect();
    TraceSpec {
        target: t.parse(ld, &p.target),
        max_hops,
        expect_via,
    }
}
