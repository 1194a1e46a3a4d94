//! Faults file validation: each fault names a node of the inventory (and one of its apps)
//! and exactly one fault.

use serde_saphyr::Spanned;

use super::inventory::parse_enum;
use super::raw::{FaultsFile, RawIcmpFault, S};
use super::{Loader, loc, numbers};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::limits::{HTTP_STATUS, RECORDS};
use crate::model::{
    CertFault, DnsFault, Duration, Fault, FaultKind, Inventory, Loc, MAX_ICMP_DELAY, Node, Percent,
};

const CERT: [&str; 3] = ["expired", "wrong-host", "self-signed"];
const DNS: [&str; 2] = ["wrong-address", "nxdomain"];

pub(crate) fn build(
    ld: &mut Loader,
    f: u32,
    raw: FaultsFile,
    inv: Option<&Inventory>,
) -> Vec<Fault> {
    let mut out = Vec::new();
    // The nodes given an `icmp` fault so far, and where.
    let mut icmp_nodes: std::collections::BTreeMap<String, Loc> = std::collections::BTreeMap::new();
    for entry in raw.faults {
        let at = loc(f, &entry.referenced);
        let r = entry.value;
        let mut ok = true;
        let node = r.node.value.clone();
        if let Some(inv) = inv {
            match inv.find(&node) {
                None => {
                    ok = false;
                    let hint = suggest::did_you_mean(&node, inv.ids())
                        .unwrap_or_else(|| "a fault names a node id of the inventory".into());
                    ld.push(
                        Diagnostic::error(
                            loc(f, &r.node.referenced),
                            format!("fault for unknown node `{node}`"),
                        )
                        .with_hint(hint),
                    );
                }
                Some(i) => {
                    let n = inv.node(i);
                    if let Some(a) = &r.app
                        && !n.apps.iter().any(|e| e.app == a.value)
                    {
                        ok = false;
                        let hint =
                            suggest::did_you_mean(&a.value, n.apps.iter().map(|e| e.app.as_str()))
                                .unwrap_or_else(|| {
                                    format!(
                                        "`{node}` hosts: {}",
                                        n.apps
                                            .iter()
                                            .map(|e| e.app.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )
                                });
                        ld.push(
                            Diagnostic::error(
                                loc(f, &a.referenced),
                                format!("node `{node}` does not host app `{}`", a.value),
                            )
                            .with_hint(hint),
                        );
                    }
                }
            }
        }
        let mut kinds: Vec<(&str, Loc)> = [
            r.down.as_ref().map(|s| ("down", loc(f, &s.referenced))),
            r.silent.as_ref().map(|s| ("silent", loc(f, &s.referenced))),
            r.slow.as_ref().map(|s| ("slow", loc(f, &s.referenced))),
            r.status.as_ref().map(|s| ("status", loc(f, &s.referenced))),
            r.body.as_ref().map(|s| ("body", loc(f, &s.referenced))),
            r.flaky.as_ref().map(|s| ("flaky", loc(f, &s.referenced))),
            r.cert.as_ref().map(|s| ("cert", loc(f, &s.referenced))),
            r.dns.as_ref().map(|s| ("dns", loc(f, &s.referenced))),
            r.records
                .as_ref()
                .map(|s| ("records", loc(f, &s.referenced))),
            r.nonconformant
                .as_ref()
                .map(|s| ("nonconformant", loc(f, &s.referenced))),
            r.stale_secondary
                .as_ref()
                .map(|s| ("stale_secondary", loc(f, &s.referenced))),
            r.missing_intermediate
                .as_ref()
                .map(|s| ("missing_intermediate", loc(f, &s.referenced))),
            r.legacy_tls
                .as_ref()
                .map(|s| ("legacy_tls", loc(f, &s.referenced))),
            r.icmp.as_ref().map(|s| ("icmp", loc(f, &s.referenced))),
        ]
        .into_iter()
        .flatten()
        .collect();
        // In the order written, so that "a second fault" is the second one in the file.
        kinds.sort_by_key(|(_, l)| *l);
        let kind = match kinds.as_slice() {
            [] => {
                ld.push(
                    Diagnostic::error(at, format!("fault for `{node}` says no fault"))
                        .with_hint("add one of `down`, `silent`, `slow`, `status`, `body`, `flaky`, `cert`, `dns`, `records`, `nonconformant`, `stale_secondary`, `missing_intermediate`, `legacy_tls`, `icmp`"),
                );
                None
            }
            [_] => fault_kind(ld, f, &r),
            [(first, _), rest @ ..] => {
                for (k, l) in rest {
                    ld.push(
                        Diagnostic::error(
                            *l,
                            format!("a second fault `{k}` besides `{first}` in one entry"),
                        )
                        .with_hint("one fault per entry: write another entry for the same node"),
                    );
                }
                None
            }
        };
        let node_wide = match &kind {
            Some(FaultKind::Dns(_)) => Some("a `dns` fault is about the node's name, not one app"),
            Some(FaultKind::StaleSecondary) => {
                Some("a `stale_secondary` fault is about the node's DNS server, not one app")
            }
            Some(FaultKind::Icmp { .. }) => {
                Some("an `icmp` fault is about the node's address, not one app")
            }
            _ => None,
        };
        if let (Some(why), Some(a)) = (node_wide, &r.app) {
            ok = false;
            ld.push(Diagnostic::error(loc(f, &a.referenced), why).with_hint("remove `app:`"));
        }
        if let (Some(FaultKind::StaleSecondary), Some(inv), Some(s)) =
            (&kind, inv, &r.stale_secondary)
            && let Some(i) = inv.find(&node)
            && inv.var(i, "dns_secondary").is_none()
        {
            ok = false;
            ld.push(
                Diagnostic::error(
                    loc(f, &s.referenced),
                    format!("node `{node}` has no secondary DNS server to make stale"),
                )
                .with_hint("set `vars.dns_secondary` (\"address:port\") on the node or a parent"),
            );
        }
        if let (Some(FaultKind::Icmp { .. }), Some(s)) = (&kind, &r.icmp) {
            let at = loc(f, &s.referenced);
            if let Some(message) = inv
                .and_then(|inv| inv.find(&node).map(|i| inv.node(i)))
                .and_then(icmp_unanswerable)
            {
                ok = false;
                ld.push(Diagnostic::error(at, message).with_hint(
                    "the ICMP responder answers a node's IPv4 `host`: give the node one",
                ));
            }
            if let Some(first) = icmp_nodes.get(&node) {
                ok = false;
                ld.push(
                    Diagnostic::error(at, format!("a second `icmp` fault for node `{node}`"))
                        .with_hint(format!(
                            "the first is at line {}: one delay, jitter and loss per address",
                            first.line
                        )),
                );
            } else {
                icmp_nodes.insert(node.clone(), at);
            }
        }
        // A TLS fault on endpoints that speak plain HTTP would change nothing: the run would
        // then pass where the faults file promised a failure.
        let tls_fault = match (&kind, &r.cert, &r.missing_intermediate, &r.legacy_tls) {
            (Some(FaultKind::Cert(_)), Some(s), _, _) => Some(("cert", loc(f, &s.referenced))),
            (Some(FaultKind::MissingIntermediate), _, Some(s), _) => {
                Some(("missing_intermediate", loc(f, &s.referenced)))
            }
            (Some(FaultKind::LegacyTls), _, _, Some(s)) => {
                Some(("legacy_tls", loc(f, &s.referenced)))
            }
            _ => None,
        };
        if let (Some((what, at)), Some(inv)) = (tls_fault, inv)
            && let Some(i) = inv.find(&node)
            && let Some(message) = plain_only(inv.node(i), r.app.as_ref().map(|a| &a.value), what)
        {
            ok = false;
            ld.push(Diagnostic::error(at, message).with_hint(
                "TLS faults apply to `https://` apps: name one with `app:`, or another node",
            ));
        }
        for (b, what) in [
            (&r.down, "down"),
            (&r.silent, "silent"),
            (&r.nonconformant, "nonconformant"),
            (&r.stale_secondary, "stale_secondary"),
            (&r.missing_intermediate, "missing_intermediate"),
            (&r.legacy_tls, "legacy_tls"),
        ] {
            if let Some(Spanned {
                value: false,
                referenced,
                ..
            }) = b
            {
                ok = false;
                ld.push(
                    Diagnostic::error(loc(f, referenced), format!("`{what}: false` is no fault"))
                        .with_hint("leave the entry out instead"),
                );
            }
        }
        if let (true, Some(kind)) = (ok, kind) {
            out.push(Fault {
                node,
                app: r.app.map(|a| a.value),
                kind,
                loc: at,
            });
        }
    }
    out
}

/// Why a TLS fault (`what`) on `node` (or its `app`) would change nothing: the app, or every
/// app of the node, is served over plain HTTP. `None` when some endpoint it covers is HTTPS
/// (an unknown app was reported already).
fn plain_only(node: &Node, app: Option<&String>, what: &str) -> Option<String> {
    let https = |url: &str| {
        url.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    };
    match app {
        Some(a) => {
            let ep = node.apps.iter().find(|e| &e.app == a)?;
            (!https(&ep.url)).then(|| {
                format!(
                    "a `{what}` fault for app `{a}` of `{}`, which is served over plain HTTP ({})",
                    node.id, ep.url
                )
            })
        }
        None => (!node.apps.iter().any(|e| https(&e.url))).then(|| {
            format!(
                "a `{what}` fault for node `{}`, which serves no app over HTTPS",
                node.id
            )
        }),
    }
}

/// Why the ICMP responder could not answer for `node`: it has no host, or not an IPv4
/// address (the responder speaks ICMPv4 only, and answers addresses, not names).
fn icmp_unanswerable(node: &Node) -> Option<String> {
    match node.host.as_deref() {
        None => Some(format!(
            "an `icmp` fault for node `{}`, which has no host to answer for",
            node.id
        )),
        Some(h) if h.parse::<std::net::Ipv4Addr>().is_err() => Some(format!(
            "an `icmp` fault for node `{}`, whose host `{h}` is not an IPv4 address",
            node.id
        )),
        Some(_) => None,
    }
}

/// An `icmp` fault's values: each key optional (0ms, 0ms, 0%); `jitter` at most `delay`,
/// so that the delays drawn are never clamped at 0 and their mean is `delay`; `delay +
/// jitter` at most [`MAX_ICMP_DELAY`]. Every problem is reported, not only the first.
fn icmp_fault(ld: &mut Loader, f: u32, r: &RawIcmpFault) -> Option<FaultKind> {
    let mut ok = true;
    let mut duration = |ld: &mut Loader, s: Option<&S>| match s.map(|s| Duration::parse(&s.value)) {
        None => Duration::from_millis(0),
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            ok = false;
            ld.push(
                Diagnostic::error(
                    loc(f, &s.unwrap().referenced),
                    format!("invalid duration {e}"),
                )
                .with_hint("a number and a unit: `60ms`, `1.5s`"),
            );
            Duration::from_millis(0)
        }
    };
    let delay = duration(ld, r.delay.as_ref());
    let jitter = duration(ld, r.jitter.as_ref());
    let loss = match r.loss.as_ref().map(|s| (s, Percent::parse(&s.value))) {
        None => Percent(0.0),
        Some((_, Ok(p))) => p,
        Some((s, Err(e))) => {
            ok = false;
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid percentage {e}"))
                    .with_hint("a number from 0 to 100 and `%`, e.g. `0.5%`"),
            );
            Percent(0.0)
        }
    };
    if !ok {
        return None;
    }
    if let Some(j) = r.jitter.as_ref().filter(|_| jitter > delay) {
        ld.push(
            Diagnostic::error(
                loc(f, &j.referenced),
                format!("`jitter: {}` is more than `delay: {delay}`", j.value),
            )
            .with_hint("each reply's delay is drawn from delay ± jitter, which must not go below 0: raise `delay` or lower `jitter`"),
        );
        return None;
    }
    if delay.as_std() + jitter.as_std() > MAX_ICMP_DELAY.as_std() {
        let at = r
            .delay
            .as_ref()
            .or(r.jitter.as_ref())
            .map(|s| loc(f, &s.referenced));
        if let Some(at) = at {
            ld.push(
                Diagnostic::error(at, format!("`delay` + `jitter` ({delay} + {jitter}) is longer than {MAX_ICMP_DELAY}"))
                    .with_hint(format!("at most {MAX_ICMP_DELAY}: a reply later than any ping waits for is loss, say it with `loss`")),
            );
        }
        return None;
    }
    Some(FaultKind::Icmp {
        delay,
        jitter,
        loss,
    })
}

fn fault_kind(ld: &mut Loader, f: u32, r: &super::raw::RawFault) -> Option<FaultKind> {
    let duration = |ld: &mut Loader, s: &S| match Duration::parse(&s.value) {
        Ok(d) => Some(d),
        Err(e) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid duration {e}"))
                    .with_hint("a number and a unit: `250ms`, `3s`, `1m`"),
            );
            None
        }
    };
    Some(if r.down.is_some() {
        FaultKind::Down
    } else if r.silent.is_some() {
        FaultKind::Silent
    } else if let Some(s) = &r.slow {
        let d = duration(ld, s)?;
        FaultKind::Slow(numbers::slow(ld, f, s, d)?)
    } else if let Some(s) = &r.status {
        FaultKind::Status(numbers::int(ld, f, s, HTTP_STATUS)? as u16)
    } else if let Some(s) = &r.body {
        FaultKind::Body(s.value.clone())
    } else if let Some(s) = &r.flaky {
        match Percent::parse(&s.value) {
            Ok(p) => FaultKind::Flaky(p),
            Err(e) => {
                ld.push(
                    Diagnostic::error(loc(f, &s.referenced), format!("invalid percentage {e}"))
                        .with_hint("a number from 0 to 100 and `%`, e.g. `30%`"),
                );
                return None;
            }
        }
    } else if let Some(s) = &r.cert {
        FaultKind::Cert(parse_enum(
            ld,
            f,
            s,
            "certificate fault",
            &CERT,
            |v| match v {
                "expired" => Some(CertFault::Expired),
                "wrong-host" => Some(CertFault::WrongHost),
                "self-signed" => Some(CertFault::SelfSigned),
                _ => None,
            },
        )?)
    } else if let Some(s) = &r.records {
        FaultKind::Records(numbers::int(ld, f, s, RECORDS)?)
    } else if r.nonconformant.is_some() {
        FaultKind::Nonconformant
    } else if r.stale_secondary.is_some() {
        FaultKind::StaleSecondary
    } else if r.missing_intermediate.is_some() {
        FaultKind::MissingIntermediate
    } else if r.legacy_tls.is_some() {
        FaultKind::LegacyTls
    } else if let Some(s) = &r.icmp {
        icmp_fault(ld, f, &s.value)?
    } else if let Some(s) = &r.dns {
        FaultKind::Dns(parse_enum(ld, f, s, "dns fault", &DNS, |v| match v {
            "wrong-address" => Some(DnsFault::WrongAddress),
            "nxdomain" => Some(DnsFault::Nxdomain),
            _ => None,
        })?)
    } else {
        return None;
    })
}
