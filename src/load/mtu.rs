//! The raw `mtu:` block → [`MtuSpec`]: `max` and `min_mtu` held to their ranges, and
//! `min_mtu` to at most `max` (the search never tries above `max`, so a higher minimum
//! could never pass). A `min_mtu` written as a template (`"{{ node.vars.link.min_mtu }}"`)
//! is kept as one: the planner fills it per node and holds the filled value to the same
//! ranges (`plan/filled.rs`).

use serde_saphyr::Spanned;

use super::raw::{Number, RawMtu};
use super::template::Templates;
use super::{Loader, loc, numbers};
use crate::diag::Diagnostic;
use crate::model::path::{DEFAULT_MTU_MAX, MIN_MTU, MTU_MAX};
use crate::model::{MtuSpec, Template};

pub(super) fn mtu(ld: &mut Loader, f: u32, p: &RawMtu, t: &mut Templates) -> MtuSpec<Template> {
    let max = p
        .max
        .as_ref()
        .map(|v| numbers::int(ld, f, v, MTU_MAX).and_then(|n| u16::try_from(n).ok()));
    let templated = p.min_mtu.as_ref().filter(|v| v.value.contains("{{"));
    let min_mtu_from = templated.map(|v| t.parse(ld, v));
    let literal = p.min_mtu.as_ref().filter(|_| templated.is_none());
    let min_mtu = literal
        .and_then(|v| {
            // Written as a number or as quoted digits: read as `count:` and the other
            // whole-number keys are, with their diagnostics.
            let n = Spanned {
                value: Number::from_text(&v.value),
                referenced: v.referenced,
                defined: v.defined,
            };
            numbers::int(ld, f, &n, MIN_MTU)
        })
        .and_then(|n| u16::try_from(n).ok());
    // Judged only against a valid `max` (or the default): one mistake, one diagnostic.
    if let (Some(min), Some(max), Some(v)) =
        (min_mtu, max.unwrap_or(Some(DEFAULT_MTU_MAX)), literal)
        && min > max
    {
        let which = if p.max.is_some() {
            "`max`"
        } else {
            "the default `max`"
        };
        ld.push(
            Diagnostic::error(loc(f, &v.referenced), format!("`min_mtu: {min}` is above {which}, {max}"))
                .with_hint("the search never tries a packet larger than `max`, so this minimum could never pass: raise `max` or lower `min_mtu`"),
        );
    }
    MtuSpec {
        target: t.parse(ld, &p.target),
        max: max.flatten().unwrap_or(DEFAULT_MTU_MAX),
        min_mtu,
        min_mtu_from,
    }
}
