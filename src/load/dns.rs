//! The `dns:` keys that are more than one value: `server` or `servers` (exactly one; at
//! least two servers for a replication check), and `same_answers`, which only a
//! replication check takes.

use super::raw::RawDns;
use super::template::Templates;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::model::{Loc, Template};

/// The servers to ask, as templates; problems are pushed to `ld` (and an empty list
/// returned) with the position of the key at fault.
pub(super) fn servers(
    ld: &mut Loader,
    f: u32,
    at: Loc,
    p: &RawDns,
    t: &mut Templates<'_>,
) -> Vec<Template> {
    if let Some(s) = p.same_answers.as_ref().filter(|_| p.servers.is_none()) {
        ld.push(
            Diagnostic::error(loc(f, &s.referenced), "`same_answers` without `servers`")
                .with_hint("`same_answers` compares the answers of several servers: list them under `servers:`"),
        );
    }
    match (&p.server, &p.servers) {
        (Some(s), None) => vec![t.parse(ld, s)],
        (None, Some(list)) => {
            if list.value.len() < 2 {
                ld.push(
                    Diagnostic::error(
                        loc(f, &list.referenced),
                        format!(
                            "`servers` lists {} server{}",
                            list.value.len(),
                            if list.value.len() == 1 { "" } else { "s" }
                        ),
                    )
                    .with_hint("a replication check compares at least two servers; for one, write `server:`"),
                );
                return Vec::new();
            }
            list.value.iter().map(|s| t.parse(ld, s)).collect()
        }
        (Some(s), Some(_)) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), "both `server` and `servers`")
                    .with_hint("`server:` asks one server; `servers:` compares several (the first is the reference)"),
            );
            Vec::new()
        }
        (None, None) => {
            ld.push(
                Diagnostic::error(at, "`dns` has no `server`")
                    .with_hint("name the server to ask, e.g. `server: \"{{ node.vars.dns_server }}\"`; the system resolver is never used"),
            );
            Vec::new()
        }
    }
}
