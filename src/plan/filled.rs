//! The filled values of a planned probe checked against what they are for: a TCP target
//! that is not `host:port`, a throughput target that is empty or holds a port, a DNS server that is not an address, an HTTP URL that is
//! neither http nor https, a templated `expect.json` operand of a type its operator cannot
//! take (`">=": "{{ node.vars.min }}"` filled with `abc`), a templated DNS name that fills
//! to no DNS name or a templated DNS expectation that no answer of its type could match, a
//! templated ICMP limit (`max_rtt: "{{ node.vars.link.max_rtt }}"`) that fills to no
//! duration, percentage or class, or to one that breaks its range or the timing rule; a
//! templated `expect_via` entry that fills to no address block. Each is a validation error
//! (exit 2) naming the template and the nodes, before any traffic.

use crate::model::dns_name::{DnsName, NameErrorKind};
use crate::model::dns_value::parse_expected;
use crate::model::json_value::{describe, read_filled, type_name};
use crate::model::limits::{icmp_time_needed, icmp_too_slow, whole_from_text};
use crate::model::path::MIN_MTU;
use crate::model::{
    BoundKey, DnsSpec, Duration, HostPort, JsonCheck, Loc, MtuSpec, Operand, Percent, Probe,
    QosClass, Template, Text,
};

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
        (Probe::Throughput(x), Probe::Throughput(s)) => {
            let v = x.target.expose();
            let v = v.trim();
            if v.is_empty() {
                return bad(
                    &x.target,
                    &s.target,
                    "throughput target is empty",
                    "e.g. `{{ node.host }}`",
                );
            }
            // `host:port` (one colon) or `[v6]:port`: the port belongs in `port:`.
            let with_port = v.starts_with('[') || (v.matches(':').count() == 1);
            if with_port {
                return bad(
                    &x.target,
                    &s.target,
                    "throughput target holds a port",
                    "the target is the iperf3 server's host alone; its port is `port:` (default 5201)",
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

/// Parses an ICMP probe's filled bounds into its typed limits (and empties them), then
/// judges the timing rule on the result when a bound could change it. `spec` is the same
/// probe unfilled (for the templates' places); `timeout` the item's. Every bound that does
/// not parse is a problem; the timing rule is judged only when all parsed.
pub(super) fn resolve_bounds(
    p: &mut Probe<Text>,
    spec: &Probe<Template>,
    timeout: std::time::Duration,
) -> Vec<(Loc, &'static str, String, String)> {
    let mut problems = Vec::new();
    if let (Probe::Mtu(m), Probe::Mtu(s)) = (&mut *p, spec) {
        problems.extend(resolve_min_mtu(m, s));
        return problems;
    }
    let (Probe::Icmp(i), Probe::Icmp(s)) = (p, spec) else {
        return problems;
    };
    if s.bounds.is_empty() {
        return problems;
    }
    let bounds = std::mem::take(&mut i.bounds);
    let t = Duration(timeout);
    for (filled, tpl) in bounds.iter().zip(&s.bounds) {
        let value = filled.value.expose();
        // A secret's value is never shown.
        let seen = if filled.value.has_secret() {
            "a secret".to_string()
        } else {
            format!("`{}`", value.trim())
        };
        let key = filled.key.as_str();
        let delay = |v: &str| -> Result<Duration, (&'static str, String, &'static str)> {
            let d = Duration::parse(v).map_err(|_| {
                (
                    "icmp limit filled with no duration",
                    format!("`{key}` is filled with {seen}, which is not a duration"),
                    "a number and a unit: `60ms`, `1.5s`; set the variable to one",
                )
            })?;
            if d.as_std() > timeout {
                return Err((
                    "icmp limit filled longer than the timeout",
                    format!("`{key}` is filled with {seen}, longer than the check's timeout, {t}"),
                    "the attempt ends at its timeout first, so this limit could never fail it: lower the variable or raise `timeout`",
                ));
            }
            Ok(d)
        };
        let result = match filled.key {
            BoundKey::MaxLoss => match Percent::parse(&value) {
                Ok(v) => {
                    i.max_loss = Some(v);
                    Ok(())
                }
                Err(_) => Err((
                    "icmp limit filled with no percentage",
                    format!("`{key}` is filled with {seen}, which is not a percentage"),
                    "a number from 0 to 100 and `%`, e.g. `0.1%`; set the variable to one",
                )),
            },
            BoundKey::MaxRtt => delay(&value).map(|d| i.max_rtt = Some(d)),
            BoundKey::MaxP95 => delay(&value).map(|d| i.max_p95 = Some(d)),
            BoundKey::MaxIpdv => delay(&value).map(|d| i.max_ipdv = Some(d)),
            BoundKey::MaxJitter => delay(&value).map(|d| i.max_jitter = Some(d)),
            BoundKey::Class => match QosClass::parse(&value) {
                Some(c) => {
                    i.class = Some(c);
                    Ok(())
                }
                None => Err((
                    "icmp class filled with no class",
                    format!("`class` is filled with {seen}, which is no QoS class"),
                    "the Y.1541 classes are y1541-0 … y1541-4, and y1541-5 (unspecified); set the variable to one",
                )),
            },
        };
        if let Err((what, headline, hint)) = result {
            problems.push((tpl.value.loc, what, headline, hint.to_string()));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let waits = bounds
        .iter()
        .any(|b| matches!(b.key, BoundKey::MaxRtt | BoundKey::MaxP95 | BoundKey::Class));
    if waits && icmp_time_needed(i.count, i.interval, i.limits().wait_basis()) > timeout {
        let at = s
            .bounds
            .iter()
            .find(|b| matches!(b.key, BoundKey::MaxRtt | BoundKey::MaxP95 | BoundKey::Class))
            .map_or(Loc::default(), |b| b.value.loc);
        let (message, hint) = icmp_too_slow(i, t);
        problems.push((
            at,
            "icmp limits filled too long for the timeout",
            format!("{message} once its limits are filled"),
            hint,
        ));
    }
    problems
}

/// A templated `min_mtu` filled, parsed into the probe's typed `min_mtu` (and emptied):
/// a whole number of bytes in [`MIN_MTU`]'s range and at most the check's `max`.
fn resolve_min_mtu(
    m: &mut MtuSpec<Text>,
    s: &MtuSpec<Template>,
) -> Option<(Loc, &'static str, String, String)> {
    let filled = m.min_mtu_from.take()?;
    let at = s.min_mtu_from.as_ref().map_or(Loc::default(), |t| t.loc);
    let value = filled.expose();
    let seen = if filled.has_secret() {
        "a secret".to_string()
    } else {
        format!("`{}`", value.trim())
    };
    let n = match whole_from_text(&value) {
        Ok(n) if MIN_MTU.contains(n) => n,
        Ok(_) | Err(true) => {
            return Some((
                at,
                "mtu limit filled out of range",
                format!("`min_mtu` is filled with {seen}, out of range"),
                format!(
                    "`min_mtu` is a whole number of bytes from {} to {}; set the variable to one",
                    MIN_MTU.min, MIN_MTU.max
                ),
            ));
        }
        Err(false) => {
            return Some((
                at,
                "mtu limit filled with no whole number",
                format!("`min_mtu` is filled with {seen}, which is not a whole number of bytes"),
                "a packet size in bytes, e.g. `1400`; set the variable to one".into(),
            ));
        }
    };
    let n = u16::try_from(n).unwrap_or(u16::MAX);
    if n > m.max {
        return Some((
            at,
            "mtu limit filled above max",
            format!("`min_mtu` is filled with {seen}, above the check's `max`, {}", m.max),
            "the search never tries a packet larger than `max`, so this minimum could never pass: lower the variable or raise `max`".into(),
        ));
    }
    m.min_mtu = Some(n);
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
