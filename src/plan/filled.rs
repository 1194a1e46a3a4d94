//! The filled values of a planned probe checked against what they are for: a TCP target
//! that is not `host:port`, a DNS server that is not an address, an HTTP URL that is
//! neither http nor https, a templated `expect.json` operand of a type its operator cannot
//! take (`">=": "{{ node.vars.min }}"` filled with `abc`), a templated DNS name that fills
//! to no DNS name or a templated DNS expectation that no answer of its type could match, a
//! templated `expect_via` entry that fills to no address block. Each is a validation error
//! (exit 2) naming the template and the nodes, before any traffic.

use crate::model::dns_name::{DnsName, NameErrorKind};
use crate::model::dns_value::parse_expected;
use crate::model::json_value::{describe, read_filled, type_name};
use crate::model::{DnsSpec, HostPort, JsonCheck, Loc, Operand, Probe, Template, Text};

/// A filled probe whose values cannot work, whatever the network does. Returns the place
/// (the template's), the kind of mistake (to group nodes by), a headline with the first
/// value seen, and a hint.
pub(super) fn check_filled(
    p: &Probe<Text>,
    spec: &Probe<Template>,
) -> Option<(Loc, &'static str, String, String)> {
    let bad = |t: &Text, at: &Template, what: &'static str, hint: &str| {
        Some((
            at.loc,
            what,
            format!("{what}, e.g. `{t}`"),
            hint.to_string(),
        ))
    };
    match (p, spec) {
        (Probe::Tcp(t), Probe::Tcp(s)) => {
            if HostPort::parse(&t.target.expose()).is_err() {
                return bad(
                    &t.target,
                    &s.target,
                    "tcp target is not `host:port`",
                    "e.g. `{{ node.host }}:443`",
                );
            }
        }
        (Probe::Dns(d), Probe::Dns(s)) => {
            for (filled, spec) in d.servers.iter().zip(&s.servers) {
                let v = filled.expose();
                let ok = v.parse::<std::net::SocketAddr>().is_ok()
                    || v.parse::<std::net::IpAddr>().is_ok();
                if !ok {
                    return bad(
                        filled,
                        spec,
                        "dns server is not an IP address with an optional port",
                        "the server is asked directly, never through the system resolver: e.g. `10.11.0.53:53`",
                    );
                }
            }
            return dns_values(d, s);
        }
        (Probe::Http(h), Probe::Http(s)) => {
            let v = h.url.expose();
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return bad(
                    &h.url,
                    &s.url,
                    "http url is not http:// or https://",
                    "e.g. `{{ app.url }}/health`",
                );
            }
            return json_operands(&h.expect.json, &s.expect.json);
        }
        (Probe::Icmp(i), Probe::Icmp(s)) => {
            if i.target.expose().trim().is_empty() {
                return bad(
                    &i.target,
                    &s.target,
                    "icmp target is empty",
                    "e.g. `{{ node.host }}`",
                );
            }
        }
        (Probe::Trace(tr), Probe::Trace(s)) => {
            if tr.target.expose().trim().is_empty() {
                return bad(
                    &tr.target,
                    &s.target,
                    "trace target is empty",
                    "e.g. `{{ node.host }}`",
                );
            }
            // Literal entries were parsed at load, with the caret on the entry.
            for (filled, spec) in tr.expect_via.iter().zip(&s.expect_via) {
                if spec.as_literal().is_none()
                    && crate::model::Cidr::parse(filled.expose().trim()).is_err()
                {
                    return bad(
                        filled,
                        spec,
                        "expect_via entry is not an address block",
                        "an address block or an address, e.g. `198.18.1.0/24` or `{{ node.vars.gateway }}`",
                    );
                }
            }
        }
        (Probe::Mtu(m), Probe::Mtu(s)) => {
            if m.target.expose().trim().is_empty() {
                return bad(
                    &m.target,
                    &s.target,
                    "mtu target is empty",
                    "e.g. `{{ node.host }}`",
                );
            }
        }
        _ => unreachable!("try_map keeps the probe's kind"),
    }
    None
}

/// The first templated `expect.json` operand whose filled value is of a type its operator
/// cannot take. `filled` and `spec` are the same checks, filled and not.
fn json_operands(
    filled: &[JsonCheck<Text>],
    spec: &[JsonCheck<Template>],
) -> Option<(Loc, &'static str, String, String)> {
    for (fc, sc) in filled.iter().zip(spec) {
        for (fop, sop) in fc.ops.iter().zip(&sc.ops) {
            let Some(needs) = fop.needs() else { continue };
            for (fo, so) in fop.operands().into_iter().zip(sop.operands()) {
                let (Operand::Template(text), Operand::Template(tpl)) = (fo, so) else {
                    continue;
                };
                let value = read_filled(&text.expose());
                if needs.holds(&value) {
                    continue;
                }
                // A secret stays `***`; its type alone is said.
                let seen = if text.has_secret() {
                    format!("the {} `{text}`", type_name(&value))
                } else {
                    describe(&value)
                };
                return Some((
                    tpl.loc,
                    // Nodes are grouped by what they filled in, so that each line's
                    // value is every named node's.
                    match type_name(&value) {
                        "string" => "json operand filled with a string",
                        "number" => "json operand filled with a number",
                        "boolean" => "json operand filled with a boolean",
                        _ => "json operand filled with null",
                    },
                    format!(
                        "`{}` on `{}` needs {}, and `{}` is filled with {seen}",
                        fop.keyword(),
                        fc.path,
                        needs.as_str(),
                        tpl.source(),
                    ),
                    "a filled value is typed as JSON reads it: `1200` is a number, `true` and `false` booleans, `null` null, anything else a string; set the variable to what the operator takes, or narrow the check's `where`".to_string(),
                ));
            }
        }
    }
    None
}

/// The first templated DNS name or expectation whose filled value cannot be what it is for.
/// Literal ones were checked at load, with the caret on the label at fault, and are not
/// judged again.
fn dns_values(
    d: &DnsSpec<Text>,
    s: &DnsSpec<Template>,
) -> Option<(Loc, &'static str, String, String)> {
    if s.name.as_literal().is_none()
        && let Err(e) = DnsName::of_question(&d.name.expose(), d.record_type)
    {
        // What is wrong with which label, unless the kind says it all; a secret's value
        // is never shown.
        let detail = match e.kind {
            _ if d.name.has_secret() => String::new(),
            NameErrorKind::EmptyLabel | NameErrorKind::EmptyName => String::new(),
            _ => format!(": {e}"),
        };
        return Some((
            s.name.loc,
            e.what(),
            format!("{}, e.g. `{}`{detail}", e.what(), d.name),
            e.hint().to_string(),
        ));
    }
    let pairs = d
        .expect
        .iter()
        .zip(&s.expect)
        .chain(d.expect_any.iter().zip(&s.expect_any));
    for (filled, spec) in pairs {
        if spec.as_literal().is_some() {
            continue;
        }
        if let Err(e) = parse_expected(d.record_type, &filled.expose()) {
            let t = d.record_type.as_str();
            let detail = if filled.has_secret() {
                format!("`{filled}`")
            } else {
                e.message
            };
            return Some((
                spec.loc,
                "dns expectation cannot match its record type",
                format!(
                    "type {t} expectation filled with a value no {t} answer can be, e.g. {detail}"
                ),
                e.hint,
            ));
        }
    }
    None
}
