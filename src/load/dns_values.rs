//! The literal values of a `dns:` probe read as what they are for: the name as a DNS name,
//! each `expect`/`expect_any` value as an answer of the record type. A mistake is reported
//! here with the caret on the label or word at fault; templated values are checked once
//! filled, per node, by planning (`plan::filled`), so nothing is reported twice.

use super::raw::{RawDns, S};
use super::{Loader, loc, sub_loc};
use crate::diag::Diagnostic;
use crate::model::RecordType;
use crate::model::dns_name::DnsName;
use crate::model::dns_value::parse_expected;

/// Checks the literal name and expectations of `p`. `record_type` is `None` when the type
/// written was refused (reported already): expectations are then not judged against a type
/// the writer did not mean.
pub(super) fn check(ld: &mut Loader, f: u32, p: &RawDns, record_type: Option<RecordType>) {
    let literal = |s: &S| !s.value.contains("{{");
    if literal(&p.name) {
        // A refused type (reported already) reads the name as a name, as any type but PTR.
        let t = record_type.unwrap_or(RecordType::A);
        if let Err(e) = DnsName::of_question(&p.name.value, t) {
            let at = place(ld, f, &p.name, e.at, e.len);
            ld.push(
                Diagnostic::error(
                    at,
                    format!("`{}` is not a DNS name: {e}", p.name.value.trim()),
                )
                .with_hint(e.hint()),
            );
        }
    }
    let Some(t) = record_type else { return };
    for (key, list) in [("expect", &p.expect), ("expect_any", &p.expect_any)] {
        for s in list.iter().filter(|s| literal(s)) {
            if let Err(e) = parse_expected(t, &s.value) {
                let at = place(ld, f, s, e.at, e.len);
                ld.push(
                    Diagnostic::error(
                        at,
                        format!("`{key}` for type {}: {}", t.as_str(), e.message),
                    )
                    .with_hint(e.hint),
                );
            }
        }
    }
}

/// The place of `value[at..at + len]` (bytes) in the file: the label or word itself where
/// the scalar is written plainly, the value's start otherwise.
fn place(ld: &Loader, f: u32, s: &S, at: usize, len: usize) -> crate::model::Loc {
    let v = &s.value;
    let end = (at + len).min(v.len());
    let chars = v.get(at..end).map_or(0, |x| x.chars().count()).max(1);
    sub_loc(&ld.sources, loc(f, &s.referenced), v, at, chars)
}
