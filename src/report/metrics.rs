//! `--metrics FILE`: the run as Prometheus text exposition format (version 0.0.4), for
//! node_exporter's textfile collector (written atomically by the caller:
//! `report::write_atomic`, so the collector never reads half a file).
//!
//! The names follow Prometheus's conventions: the `netaccept_` prefix, base units in the
//! name (`_seconds`, `_ratio`), gauges without `_total`, a `HELP` and `TYPE` line per family
//! and every sample of a family together. No sample carries a timestamp: the textfile
//! collector refuses them; `netaccept_run_start_timestamp_seconds` says when the run was.
//!
//! Every series carries `suite` and `scope` (the suite id and the history's comparison scope,
//! `history::scope_of`: `merged` or `vantage:<id>[ shard:k/n][ select:…]`), so that the
//! files of several suites, vantages or shards in one textfile folder never collide. A
//! result's series add `node`, `province` (its provincial-level node: `results::NodeIndex`),
//! `check` and `app` (`""` for a check without one). Names of nodes and checks stay out of
//! the labels: they are in the record, and would only multiply series when renamed.
//!
//! The status of a result is one series with value 1 (`netaccept_check_status{status=…}`),
//! not the six of a one-hot enum: the national run has 18,658 results, and six series each
//! would make a 15 MB file of zeros. An absent status series means 0, which is what a
//! PromQL selector on it gives.
//!
//! FORMAT.md, "Metrics file", lists every family.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::history::scope_of;
use crate::results::{ResultRecord, Results, Status};

/// The file's text.
pub fn render(results: &Results) -> String {
    // The labels every series carries, made once.
    let base = format!(
        "suite=\"{}\",scope=\"{}\"",
        escape_label(&results.run.suite),
        escape_label(&scope_of(results))
    );
    let index = results.node_index();
    // A record holds each (node, check, app) once; a hand-edited or badly merged one might
    // not, and a repeated series makes node_exporter refuse the whole file. The first wins.
    let mut seen = HashSet::new();
    let items: Vec<Item<'_>> = results
        .results
        .iter()
        .filter(|r| seen.insert((r.node.as_str(), r.check.as_str(), r.app.as_deref())))
        .map(|r| Item {
            labels: format!(
                "{base},node=\"{}\",province=\"{}\",check=\"{}\",app=\"{}\"",
                escape_label(&r.node),
                escape_label(index.province(&r.node).map_or("", |n| n.id.as_str())),
                escape_label(&r.check),
                escape_label(r.app.as_deref().unwrap_or("")),
            ),
            record: r,
        })
        .collect();

    let mut out = String::new();
    run_families(&mut out, results, &base);
    item_families(&mut out, &items);
    out
}

/// One result and its labels, made once.
struct Item<'r> {
    labels: String,
    record: &'r ResultRecord,
}

fn run_families(out: &mut String, results: &Results, base: &str) {
    let run = &results.run;

    header(
        out,
        "netaccept_run_info",
        "The run's identity; the value is always 1.",
    );
    let _ = writeln!(
        out,
        "netaccept_run_info{{{base},run_id=\"{}\",suite_name=\"{}\",vantage=\"{}\",host=\"{}\",version=\"{}\"}} 1",
        escape_label(&run.id),
        escape_label(&run.suite_name),
        escape_label(run.vantage_id.as_deref().unwrap_or("")),
        escape_label(&run.vantage),
        escape_label(&run.netaccept_version),
    );

    header(
        out,
        "netaccept_run_start_timestamp_seconds",
        "When the run started, in seconds since the Unix epoch.",
    );
    sample(
        out,
        "netaccept_run_start_timestamp_seconds",
        base,
        unix_seconds(run.started),
    );

    header(
        out,
        "netaccept_run_duration_seconds",
        "How long the run took, from its start to its end.",
    );
    let took = (run.finished - run.started)
        .to_std()
        .map_or(0.0, |d| d.as_secs_f64());
    sample(out, "netaccept_run_duration_seconds", base, took);

    header(
        out,
        "netaccept_run_complete",
        "1 when every planned check ran, 0 when the run was interrupted.",
    );
    sample(
        out,
        "netaccept_run_complete",
        base,
        f64::from(u8::from(run.complete)),
    );

    header(
        out,
        "netaccept_run_checks",
        "The run's results by status (every status, 0 included).",
    );
    for status in Status::ALL {
        sample(
            out,
            "netaccept_run_checks",
            &format!("{base},status=\"{}\"", status.as_str()),
            results.summary.get(status) as f64,
        );
    }
}

fn item_families(out: &mut String, items: &[Item<'_>]) {
    header(
        out,
        "netaccept_check_success",
        "1 when the check passed, 0 otherwise (failed, errored, waived, skipped, not reported).",
    );
    for it in items {
        let ok = it.record.status == Status::Passed;
        sample(
            out,
            "netaccept_check_success",
            &it.labels,
            f64::from(u8::from(ok)),
        );
    }

    header(
        out,
        "netaccept_check_status",
        "The check's status and kind: one series per result, value 1.",
    );
    for it in items {
        let labels = format!(
            "{},status=\"{}\",kind=\"{}\"",
            it.labels,
            it.record.status.as_str(),
            escape_label(it.record.kind.as_deref().unwrap_or("")),
        );
        sample(out, "netaccept_check_status", &labels, 1.0);
    }

    header(
        out,
        "netaccept_check_duration_seconds",
        "The check's time, its attempts one after the other.",
    );
    for it in items {
        sample(
            out,
            "netaccept_check_duration_seconds",
            &it.labels,
            it.record.duration_ms / 1000.0,
        );
    }

    measured(
        out,
        items,
        "netaccept_check_response_seconds",
        "The prober's measured time of the answer judged (HTTP exchange, DNS query).",
        "time_ms",
        1000.0,
    );
    measured(
        out,
        items,
        "netaccept_icmp_packet_loss_ratio",
        "ICMP echo requests without a reply, as a fraction of those sent.",
        "loss_pct",
        100.0,
    );
    measured(
        out,
        items,
        "netaccept_icmp_rtt_min_seconds",
        "The shortest ICMP echo round trip.",
        "rtt_min_ms",
        1000.0,
    );
    measured(
        out,
        items,
        "netaccept_icmp_rtt_average_seconds",
        "The mean ICMP echo round trip.",
        "rtt_avg_ms",
        1000.0,
    );
    measured(
        out,
        items,
        "netaccept_icmp_rtt_max_seconds",
        "The longest ICMP echo round trip.",
        "rtt_max_ms",
        1000.0,
    );
    // Whole days × 86,400, as the prober counts them (rounded down): negative once expired.
    measured(
        out,
        items,
        "netaccept_tls_certificate_expiry_seconds",
        "Time left before the earliest-expiring certificate of the chain expires, in whole days times 86400; negative once expired.",
        "cert_days_left",
        1.0 / 86_400.0,
    );

    family(
        out,
        items,
        "netaccept_tls_certificate_not_after_timestamp_seconds",
        "When the earliest-expiring certificate of the chain expires, in seconds since the Unix epoch.",
        |r| {
            let text = r.measurements.get("cert_not_after")?.as_str()?;
            let at = chrono::DateTime::parse_from_rfc3339(text).ok()?;
            Some(unix_seconds(at.to_utc()))
        },
    );
}

/// A family made of one numeric measurement, divided by `divisor` into the base unit.
fn measured(out: &mut String, items: &[Item<'_>], name: &str, help: &str, key: &str, divisor: f64) {
    family(out, items, name, help, |r| {
        Some(r.measurements.get(key)?.as_f64()? / divisor)
    });
}

/// A family of the results `value` gives a value for; left out when it gives none (a family
/// without samples is noise).
fn family(
    out: &mut String,
    items: &[Item<'_>],
    name: &str,
    help: &str,
    value: impl Fn(&ResultRecord) -> Option<f64>,
) {
    let values: Vec<(&Item<'_>, f64)> = items
        .iter()
        .filter_map(|it| Some((it, value(it.record)?)))
        .collect();
    if values.is_empty() {
        return;
    }
    header(out, name, help);
    for (it, v) in values {
        sample(out, name, &it.labels, v);
    }
}

fn header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} gauge");
}

fn sample(out: &mut String, name: &str, labels: &str, value: f64) {
    let _ = writeln!(out, "{name}{{{labels}}} {}", number(value));
}

fn unix_seconds(at: chrono::DateTime<chrono::Utc>) -> f64 {
    at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) / 1e9
}

/// A sample value as the format spells it: Rust's shortest round-trip decimal, and the
/// format's own words for the non-finite values (Rust would write `inf`).
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v == 0.0 {
        // Not `-0`.
        "0".into()
    } else {
        format!("{v}")
    }
}

/// A label value: backslash, double quote and line feed escaped, as the format requires;
/// everything else (Chinese names, other control characters) is UTF-8 as is.
fn escape_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A `HELP` text: backslash and line feed escaped (a quote needs none there).
fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mixed() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/results/mixed.json")).unwrap()
    }

    /// The sample lines of `name` (with labels), so a test reads one family.
    fn lines<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
        text.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .collect()
    }

    #[test]
    fn label_values_escape_backslash_quote_and_newline_only() {
        assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
        assert_eq!(escape_label("金安\t工程"), "金安\t工程");
        assert_eq!(escape_help("a\\b\n\"c\""), "a\\\\b\\n\"c\"");
    }

    #[test]
    fn numbers_use_the_format_words_for_non_finite_values() {
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.0e-7), "0.0000001");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn every_family_has_help_and_type_and_its_samples_together() {
        let text = render(&mixed());
        let mut families = Vec::new();
        for l in text.lines() {
            if let Some(rest) = l.strip_prefix("# HELP ") {
                families.push(rest.split(' ').next().unwrap().to_string());
            } else if let Some(rest) = l.strip_prefix("# TYPE ") {
                assert_eq!(rest, format!("{} gauge", families.last().unwrap()));
            } else {
                let name = l.split('{').next().unwrap();
                assert_eq!(
                    Some(&name.to_string()),
                    families.last(),
                    "sample outside its family: {l}"
                );
            }
        }
        let unique: HashSet<_> = families.iter().collect();
        assert_eq!(unique.len(), families.len(), "a family twice: {families:?}");
        assert!(families.iter().all(|f| !f.ends_with("_total")));
    }

    #[test]
    fn one_series_per_result_with_its_labels() {
        let r = mixed();
        let text = render(&r);
        assert_eq!(
            lines(&text, "netaccept_check_success").len(),
            r.results.len()
        );
        assert_eq!(
            lines(&text, "netaccept_check_status").len(),
            r.results.len()
        );
        let scope = r#"suite="phase1-acceptance",scope="vantage:-""#;
        assert!(text.contains(&format!(
            "netaccept_check_success{{{scope},node=\"sx-datong\",province=\"sx\",check=\"net.icmp\",app=\"\"}} 0\n"
        )));
        assert!(text.contains(&format!(
            "netaccept_check_success{{{scope},node=\"national\",province=\"national\",check=\"app.health\",app=\"dispatch\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "netaccept_check_status{{{scope},node=\"sx-taiyuan-qingxu\",province=\"sx\",check=\"app.health\",app=\"dispatch\",status=\"waived\",kind=\"ConnectionRefused\"}} 1\n"
        )));
    }

    #[test]
    fn run_counts_every_status_and_the_run_info() {
        let r = mixed();
        let text = render(&r);
        let counts = lines(&text, "netaccept_run_checks");
        assert_eq!(counts.len(), Status::ALL.len());
        assert!(counts.contains(&format!(
            "netaccept_run_checks{{suite=\"phase1-acceptance\",scope=\"vantage:-\",status=\"failed\"}} {}",
            r.summary.failed
        ).as_str()));
        assert!(counts.iter().any(|l| l.contains("\"not_reported\"} 0")));
        let info = lines(&text, "netaccept_run_info");
        assert_eq!(info.len(), 1);
        assert!(info[0].contains("run_id=\"phase1-acceptance-20261128T181050Z-22945\""));
        assert!(info[0].contains("suite_name=\"金安工程一期 网络互联互通与应用系统验收\""));
        assert!(text.contains(
            "netaccept_run_complete{suite=\"phase1-acceptance\",scope=\"vantage:-\"} 1\n"
        ));
        let start = lines(&text, "netaccept_run_start_timestamp_seconds")[0];
        let at: f64 = start.rsplit(' ').next().unwrap().parse().unwrap();
        // 2026-11-28T18:10:50.779810553Z, to the precision of an f64.
        assert!((at - 1_795_889_450.779_810_5).abs() < 1e-5, "{start}");
    }

    #[test]
    fn measurements_in_base_units() {
        let mut r = mixed();
        let icmp = r
            .results
            .iter_mut()
            .find(|x| x.node == "sx-datong" && x.check == "net.icmp")
            .unwrap();
        icmp.measurements
            .insert("loss_pct".into(), serde_json::json!(25.0));
        icmp.measurements
            .insert("rtt_avg_ms".into(), serde_json::json!(12.5));
        let cert = r
            .results
            .iter_mut()
            .find(|x| x.node == "sx" && x.check == "app.cert")
            .unwrap();
        cert.measurements
            .insert("cert_days_left".into(), serde_json::json!(-2));
        cert.measurements.insert(
            "cert_not_after".into(),
            serde_json::json!("2026-11-26T00:00:00Z"),
        );
        let text = render(&r);
        let find = |name: &str, node: &str, check: &str| -> String {
            lines(&text, name)
                .into_iter()
                .find(|l| {
                    l.contains(&format!("node=\"{node}\""))
                        && l.contains(&format!("check=\"{check}\""))
                })
                .unwrap_or_else(|| panic!("no {name} for {node} {check}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            find("netaccept_icmp_packet_loss_ratio", "sx-datong", "net.icmp"),
            "0.25"
        );
        assert_eq!(
            find(
                "netaccept_icmp_rtt_average_seconds",
                "sx-datong",
                "net.icmp"
            ),
            "0.0125"
        );
        assert_eq!(
            find("netaccept_tls_certificate_expiry_seconds", "sx", "app.cert"),
            "-172800"
        );
        assert_eq!(
            find(
                "netaccept_tls_certificate_not_after_timestamp_seconds",
                "sx",
                "app.cert"
            ),
            "1795651200"
        );
        // Only the results that measured it.
        let with_loss = r
            .results
            .iter()
            .filter(|x| x.measurements.contains_key("loss_pct"))
            .count();
        assert_eq!(
            lines(&text, "netaccept_icmp_packet_loss_ratio").len(),
            with_loss
        );
    }

    #[test]
    fn a_repeated_item_is_one_series() {
        let mut r = mixed();
        let first = r.results[0].clone();
        r.results.push(first);
        let text = render(&r);
        assert_eq!(
            lines(&text, "netaccept_check_success").len(),
            r.results.len() - 1
        );
    }
}
