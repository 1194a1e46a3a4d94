//! `--metrics`: the Prometheus textfile (`report::metrics::render`) as node_exporter's
//! textfile collector will read it, checked by the real `promtool check metrics`: the sample
//! record with every measurement the file turns into a metric, a record the size of the
//! national run, and names that need escaping.

use netaccept::report::metrics::render;
use netaccept::results::{ResultRecord, Results};
use serde_json::json;

use crate::fixture::{mixed, record_mut};
use crate::support::promtool::check_metrics;

/// The sample record, with the measurements it lacks: a certificate's expiry (HTTPS checks).
fn sample() -> Results {
    let mut r = mixed();
    let cert = record_mut(&mut r, "sx", "app.cert");
    cert.measurements.insert("cert_days_left".into(), json!(41));
    cert.measurements
        .insert("cert_not_after".into(), json!("2027-01-08T00:00:00Z"));
    r
}

/// Writes `text` as the collector would find it (through the atomic write `--metrics` uses),
/// asserts the file holds it, and has promtool check it (skipped, with the reason, without
/// promtool: the caller's assertions on the text run all the same).
fn check_written(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("netaccept.prom");
    netaccept::report::write_atomic(&path, text.as_bytes()).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    check_metrics(&path);
}

#[test]
fn the_sample_record_passes_promtool() {
    let r = sample();
    let text = render(&r);
    check_written(&text);
    for family in [
        "netaccept_run_info",
        "netaccept_run_start_timestamp_seconds",
        "netaccept_run_duration_seconds",
        "netaccept_run_complete",
        "netaccept_run_checks",
        "netaccept_check_success",
        "netaccept_check_status",
        "netaccept_check_duration_seconds",
        "netaccept_check_response_seconds",
        "netaccept_icmp_packet_loss_ratio",
        "netaccept_icmp_rtt_min_seconds",
        "netaccept_icmp_rtt_average_seconds",
        "netaccept_icmp_rtt_max_seconds",
        "netaccept_tls_certificate_expiry_seconds",
        "netaccept_tls_certificate_not_after_timestamp_seconds",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} gauge\n")),
            "{family} missing"
        );
    }
    assert!(text.contains(
        "netaccept_tls_certificate_expiry_seconds{suite=\"phase1-acceptance\",scope=\"vantage:-\",node=\"sx\",province=\"sx\",check=\"app.cert\",app=\"dispatch\"} 3542400\n"
    ));
}

/// The national run's size (18,658 results): the sample's results repeated under other node
/// ids, 200 times over.
#[test]
fn a_record_the_size_of_the_national_run_passes_promtool() {
    let base = sample();
    let mut r = base.clone();
    r.results.clear();
    for copy in 0..200 {
        r.results
            .extend(base.results.iter().cloned().map(|x| ResultRecord {
                node: format!("{}-{copy}", x.node),
                ..x
            }));
    }
    assert!(r.results.len() > 18_658);
    let text = render(&r);
    check_written(&text);
    let success = text
        .lines()
        .filter(|l| l.starts_with("netaccept_check_success{"))
        .count();
    assert_eq!(success, r.results.len());
}

/// Ids and names with a quote, a backslash, a line feed and Chinese: escaped so that the file
/// still parses, each on its own line.
#[test]
fn names_that_need_escaping_pass_promtool() {
    let mut r = sample();
    r.run.suite_name = "验收 \"夜间\"\\巡检\n第二行".into();
    r.run.vantage = "probe\"01".into();
    let x = record_mut(&mut r, "sx-datong", "net.icmp");
    x.node = "sx\"datong\\\n".into();
    x.kind = Some("Loss\"Exceeded".into());
    let text = render(&r);
    check_written(&text);
    assert!(text.contains("suite_name=\"验收 \\\"夜间\\\"\\\\巡检\\n第二行\""));
    assert!(text.contains("node=\"sx\\\"datong\\\\\\n\""));
    assert!(text.contains("kind=\"Loss\\\"Exceeded\""));
}
