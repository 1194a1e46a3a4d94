//! Suite validation: the raw suite → [`Suite`], with every template parsed and every
//! reference (needs, apps, selector nodes) resolved. Each check's fields and its one probe
//! are validated here; templates, selectors and `needs` have modules of their own.

use std::collections::HashMap;
use std::path::Path;

use super::inventory::{check_id, parse_enum};
use super::raw::{RawCheck, S, SuiteFile};
use super::selector::selector;
use super::template::Templates;
use super::{Loader, loc, needs, numbers};
use crate::diag::Diagnostic;
use crate::model::limits::RETRIES;
use crate::model::{
    App, Check, DnsSpec, Duration, Loc, Percent, Probe, Rcode, RecordType, Severity, Suite,
    TcpSpec, Template,
};

const DEFAULT_TIMEOUT_MS: u64 = 5_000;

pub(crate) fn build(ld: &mut Loader, f: u32, raw: SuiteFile, dir: &Path) -> Suite {
    check_id(
        ld,
        &raw.suite.value,
        loc(f, &raw.suite.referenced),
        "suite id",
    );
    non_empty(ld, f, &raw.name, "suite name");

    let mut apps = Vec::new();
    for (k, v) in &raw.apps.0 {
        check_id(ld, &k.value, loc(f, &k.referenced), "app id");
        non_empty(ld, f, v, "app name");
        apps.push(App {
            id: k.value.clone(),
            name: v.value.clone(),
        });
    }

    // An invalid default timeout is reported once; the checks that inherit it are then not
    // held to it (`None`).
    let (timeout, retries) = match &raw.defaults {
        Some(d) => (
            match &d.timeout {
                Some(t) => timeout_value(ld, f, t),
                None => Some(Duration::from_millis(DEFAULT_TIMEOUT_MS)),
            },
            d.retries
                .as_ref()
                .and_then(|r| numbers::int(ld, f, r, RETRIES))
                .unwrap_or(0),
        ),
        None => (Some(Duration::from_millis(DEFAULT_TIMEOUT_MS)), 0),
    };

    let mut seen: HashMap<String, Loc> = HashMap::new();
    let mut checks = Vec::new();
    let mut needs_raw: Vec<Vec<S>> = Vec::new();
    for c in raw.checks {
        let c_loc = loc(f, &c.value.id.referenced);
        let c = c.value;
        let id = c.id.value.clone();
        check_check_id(ld, &id, c_loc);
        if let Some(first) = seen.get(&id) {
            ld.push(
                Diagnostic::error(c_loc, format!("duplicate check id `{id}`")).with_hint(format!(
                    "`{id}` is first defined at {}; check ids must be unique in the suite",
                    ld.sources.position(*first)
                )),
            );
        } else {
            seen.insert(id.clone(), c_loc);
        }
        non_empty(ld, f, &c.name, "check name");
        let severity = c
            .severity
            .as_ref()
            .and_then(|s| {
                parse_enum(
                    ld,
                    f,
                    s,
                    "severity",
                    &Severity::ALL.map(Severity::as_str),
                    Severity::parse,
                )
            })
            .unwrap_or_default();
        let selector = c
            .selector
            .as_ref()
            .map(|s| selector(ld, f, s, &apps))
            .unwrap_or_default();
        let check_timeout = match &c.timeout {
            Some(t) => timeout_value(ld, f, t),
            None => timeout,
        };
        let probe = probe(ld, f, &c, c_loc, check_timeout);
        // A throughput check loads the link it measures (RFC 6815): on demand unless the
        // suite says otherwise.
        let on_demand = c
            .on_demand
            .as_ref()
            .map_or(c.throughput.is_some(), |b| b.value);
        let check_retries = c
            .retries
            .as_ref()
            .and_then(|r| numbers::int(ld, f, r, RETRIES))
            .unwrap_or(retries);
        needs_raw.push(c.needs);
        checks.push(Check {
            id,
            name: c.name.value,
            severity,
            selector,
            for_each_app: c.for_each_app,
            needs: Vec::new(),
            timeout: check_timeout.unwrap_or(Duration::from_millis(DEFAULT_TIMEOUT_MS)),
            retries: check_retries,
            on_demand,
            probe: probe.unwrap_or_else(|| {
                Probe::Tcp(TcpSpec {
                    target: Template::literal("", c_loc),
                    max_connect: None,
                })
            }),
            loc: c_loc,
        });
    }

    // Needs are resolved once every id is known, so a check may need one written below it.
    needs::resolve(ld, f, &mut checks, &needs_raw);

    Suite {
        id: raw.suite.value,
        base_dir: dir.to_path_buf(),
        name: raw.name.value,
        apps,
        checks,
    }
}

fn check_check_id(ld: &mut Loader, id: &str, at: Loc) {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        ld.push(
            Diagnostic::error(at, format!("invalid check id `{id}`"))
                .with_hint("check ids hold letters, digits, `.`, `_` and `-`, at most 64 characters, e.g. `net.icmp`"),
        );
    }
}

fn non_empty(ld: &mut Loader, f: u32, s: &S, what: &str) {
    if s.value.trim().is_empty() {
        ld.push(Diagnostic::error(
            loc(f, &s.referenced),
            format!("empty {what}"),
        ));
    }
}

pub(super) fn duration(ld: &mut Loader, f: u32, s: &S) -> Option<Duration> {
    match Duration::parse(&s.value) {
        Ok(d) => Some(d),
        Err(e) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid duration {e}"))
                    .with_hint("a number and a unit: `250ms`, `2s`, `1m`"),
            );
            None
        }
    }
}

fn timeout_value(ld: &mut Loader, f: u32, s: &S) -> Option<Duration> {
    let d = duration(ld, f, s)?;
    numbers::timeout(ld, f, s, d)
}

/// A duration that may not exceed the check's timeout (`max_rtt`, `max_connect`,
/// `max_time`).
pub(super) fn attempt_limit(
    ld: &mut Loader,
    f: u32,
    key: &str,
    s: &S,
    timeout: Option<Duration>,
) -> Option<Duration> {
    let d = duration(ld, f, s)?;
    numbers::within_timeout(ld, f, key, s, d, timeout)
}

pub(super) fn percent(ld: &mut Loader, f: u32, s: &S) -> Option<Percent> {
    match Percent::parse(&s.value) {
        Ok(p) => Some(p),
        Err(e) => {
            ld.push(
                Diagnostic::error(loc(f, &s.referenced), format!("invalid percentage {e}"))
                    .with_hint("a number from 0 to 100 and `%`, e.g. `20%`"),
            );
            None
        }
    }
}

/// Validates the one probe of a check. `None` when there is not exactly one. `timeout` is
/// the check's, `None` when it is invalid (reported already).
fn probe(
    ld: &mut Loader,
    f: u32,
    c: &RawCheck,
    c_loc: Loc,
    timeout: Option<Duration>,
) -> Option<Probe<Template>> {
    let present: Vec<(&str, Loc)> = [
        c.icmp.as_ref().map(|p| ("icmp", loc(f, &p.referenced))),
        c.tcp.as_ref().map(|p| ("tcp", loc(f, &p.referenced))),
        c.dns.as_ref().map(|p| ("dns", loc(f, &p.referenced))),
        c.http.as_ref().map(|p| ("http", loc(f, &p.referenced))),
        c.throughput
            .as_ref()
            .map(|p| ("throughput", loc(f, &p.referenced))),
        c.trace.as_ref().map(|p| ("trace", loc(f, &p.referenced))),
        c.mtu.as_ref().map(|p| ("mtu", loc(f, &p.referenced))),
    ]
    .into_iter()
    .flatten()
    .collect();
    match present.as_slice() {
        [] => {
            ld.push(
                Diagnostic::error(c_loc, format!("check `{}` has no probe", c.id.value)).with_hint(
                    "add exactly one of `icmp:`, `tcp:`, `dns:`, `http:`, `throughput:`, `trace:` or `mtu:`",
                ),
            );
            return None;
        }
        [_] => {}
        [(first, _), rest @ ..] => {
            for (k, at) in rest {
                ld.push(
                    Diagnostic::error(
                        Loc { len: 0, ..*at },
                        format!(
                            "check `{}` has a second probe `{k}` besides `{first}`",
                            c.id.value
                        ),
                    )
                    .with_hint("a check has exactly one probe: split it into two checks"),
                );
            }
            return None;
        }
    }
    let mut t = Templates {
        f,
        for_each_app: c.for_each_app,
        check: &c.id.value,
    };
    Some(if let Some(p) = &c.icmp {
        let at = loc(f, &p.referenced);
        Probe::Icmp(super::icmp::icmp(ld, f, &p.value, &mut t, at, timeout))
    } else if let Some(p) = &c.tcp {
        let p = &p.value;
        Probe::Tcp(TcpSpec {
            target: t.parse(ld, &p.target),
            max_connect: p
                .max_connect
                .as_ref()
                .and_then(|s| attempt_limit(ld, f, "max_connect", s, timeout)),
        })
    } else if let Some(p) = &c.dns {
        let at = loc(f, &p.referenced);
        let p = &p.value;
        let servers = super::dns::servers(ld, f, at, p, &mut t);
        let names = RecordType::ALL.map(RecordType::as_str);
        let default_type = if p.servers.is_some() {
            RecordType::SOA
        } else {
            RecordType::A
        };
        // `None`: the type written was refused (and reported).
        let record_type = match p.record_type.as_ref() {
            Some(s) => parse_enum(ld, f, s, "record type", &names, RecordType::parse),
            None => Some(default_type),
        };
        super::dns_values::check(ld, f, p, record_type);
        let record_type = record_type.unwrap_or(default_type);
        let rcode = p.rcode.as_ref().and_then(|s| {
            parse_enum(
                ld,
                f,
                s,
                "rcode",
                &Rcode::ALL.map(Rcode::as_str),
                Rcode::parse,
            )
        });
        Probe::Dns(DnsSpec {
            name: t.parse(ld, &p.name),
            servers,
            record_type,
            expect: p.expect.iter().map(|s| t.parse(ld, s)).collect(),
            expect_any: p.expect_any.iter().map(|s| t.parse(ld, s)).collect(),
            rcode,
            dnssec: p.dnssec,
            same_answers: p.same_answers.as_ref().is_some_and(|s| s.value),
        })
    } else if let Some(p) = &c.http {
        Probe::Http(Box::new(super::http::http(
            ld, f, &p.value, &mut t, timeout,
        )))
    } else if let Some(p) = &c.throughput {
        let at = loc(f, &p.referenced);
        Probe::Throughput(super::throughput::throughput(
            ld, f, &p.value, &mut t, at, timeout,
        ))
    } else if let Some(p) = &c.trace {
        Probe::Trace(super::trace::trace(ld, f, &p.value, &mut t))
    } else if let Some(p) = &c.mtu {
        Probe::Mtu(super::mtu::mtu(ld, f, &p.value, &mut t))
    } else {
        unreachable!("exactly one probe is present")
    })
}
