//! The ICMP prober against loopback, where the kernel answers every 127.x address: complete
//! replies with real round trips, the `max_rtt` and `max_loss` verdicts, thousands of probes
//! at once without false loss (the receive buffer and the demultiplexing), concurrent probes
//! to one address keeping their own replies, and a deadline shorter than the schedule; the
//! statistics of a thousand echoes (percentiles, IPDV, jitter), more echoes at once than
//! there are sequence numbers, and the `max_p95` and `max_ipdv` verdicts.
//!
//! Loss cannot be made on plain loopback; `tests/e2e/netns.rs` covers it with nftables.
//!
//! Where ICMP is not permitted (not root, no CAP_NET_RAW, ping_group_range closed) each
//! test says it is skipped and asserts the NoPermission error instead.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use netaccept::model::{Duration, IcmpSpec, Percent, Probe, Text};
use netaccept::probe::icmp::Pinger;
use netaccept::probe::{Context, ErrorKind, FailKind, Outcome, Verdict};
use tokio::time::Instant;

/// One attempt, as the runner makes it: through `probe::probe`.
async fn probe(s: &IcmpSpec<Text>, cx: &Context, deadline: Instant) -> Outcome {
    netaccept::probe::probe(&Probe::Icmp(s.clone()), cx, deadline).await
}

fn spec(target: &str, count: u32, interval_ms: u64) -> IcmpSpec<Text> {
    IcmpSpec {
        count,
        interval: Duration::from_millis(interval_ms),
        ..IcmpSpec::new(Text::plain(target))
    }
}

fn context() -> Context {
    Context::new(Path::new("."))
}

/// `true` when ICMP is not permitted here, after checking that a probe says so usefully.
async fn not_permitted(test: &str) -> bool {
    let Some(why) = Pinger::new().permission_problem().map(str::to_owned) else {
        return false;
    };
    eprintln!("{test}: skipped: {why}");
    let cx = context();
    let out = probe(
        &spec("127.0.0.1", 1, 200),
        &cx,
        Instant::now() + StdDuration::from_secs(2),
    )
    .await;
    match out.verdict {
        Verdict::Errored(p) => {
            assert_eq!(p.kind, ErrorKind::NoPermission);
            assert!(p.message.contains("setcap"), "{}", p.message);
            assert!(p.message.contains("ping_group_range"), "{}", p.message);
            assert_eq!(p.message, why);
        }
        v => panic!("expected NoPermission, got {v:?}"),
    }
    true
}

fn num(o: &Outcome, key: &str) -> f64 {
    o.measurements
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or_else(|| panic!("no `{key}` in {:?}", o.measurements))
}

fn assert_passed(o: &Outcome) {
    assert!(
        matches!(o.verdict, Verdict::Passed),
        "{:?} {:?}",
        o.verdict,
        o.measurements
    );
}

fn assert_all_replies(o: &Outcome, count: f64) {
    assert_eq!(num(o, "sent"), count, "{:?}", o.measurements);
    assert_eq!(num(o, "received"), count, "{:?}", o.measurements);
    assert_eq!(num(o, "loss_pct"), 0.0);
    for key in ["rtt_min_ms", "rtt_avg_ms", "rtt_max_ms"] {
        assert!(
            num(o, key) > 0.0,
            "{key} is {} in {:?}",
            num(o, key),
            o.measurements
        );
    }
    assert!(num(o, "rtt_min_ms") <= num(o, "rtt_avg_ms"));
    assert!(num(o, "rtt_avg_ms") <= num(o, "rtt_max_ms"));
    assert!(num(o, "rtt_stddev_ms") >= 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_addresses_answer_every_echo() {
    if not_permitted("loopback_addresses_answer_every_echo").await {
        return;
    }
    let cx = context();
    for target in ["127.0.0.1", "127.3.4.5"] {
        let t0 = Instant::now();
        let timeout = StdDuration::from_secs(5);
        let out = probe(&spec(target, 3, 200), &cx, t0 + timeout).await;
        let took = t0.elapsed();
        assert_passed(&out);
        assert_all_replies(&out, 3.0);
        assert_eq!(out.measurements["address"], target);
        // Three echoes 200 ms apart, answered at once: about 400 ms.
        assert!(took >= StdDuration::from_millis(400), "{target}: {took:?}");
        assert!(
            took < timeout + StdDuration::from_millis(500),
            "{target}: {took:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_names_are_resolved_once_by_the_system_resolver() {
    if not_permitted("host_names_are_resolved_once_by_the_system_resolver").await {
        return;
    }
    let cx = context();
    let deadline = Instant::now() + StdDuration::from_secs(5);
    let out = probe(&spec("localhost", 2, 50), &cx, deadline).await;
    assert_passed(&out);
    assert_all_replies(&out, 2.0);
    let address: std::net::IpAddr = out.measurements["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(address.is_loopback(), "{address}");

    let out = probe(&spec("no-such-host.invalid", 1, 50), &cx, deadline).await;
    match out.verdict {
        Verdict::Errored(p) => {
            assert_eq!(p.kind, ErrorKind::LocalResolver);
            assert!(p.message.contains("no-such-host.invalid"), "{}", p.message);
        }
        v => panic!("expected LocalResolver, got {v:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_loopback_answers_when_the_host_has_ipv6() {
    if not_permitted("ipv6_loopback_answers_when_the_host_has_ipv6").await {
        return;
    }
    let cx = context();
    let out = probe(
        &spec("::1", 3, 50),
        &cx,
        Instant::now() + StdDuration::from_secs(5),
    )
    .await;
    if let Verdict::Errored(p) = &out.verdict
        && p.kind == ErrorKind::Local
    {
        eprintln!(
            "ipv6_loopback_answers_when_the_host_has_ipv6: skipped, no IPv6 here: {}",
            p.message
        );
        return;
    }
    assert_passed(&out);
    assert_all_replies(&out, 3.0);
    assert_eq!(out.measurements["address"], "::1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_max_rtt_fails_on_round_trip_not_on_loss() {
    if not_permitted("a_zero_max_rtt_fails_on_round_trip_not_on_loss").await {
        return;
    }
    let cx = context();
    let mut s = spec("127.0.0.1", 3, 20);
    s.max_rtt = Some(Duration::from_millis(0));
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(5)).await;
    match &out.verdict {
        Verdict::Failed(f) => {
            assert_eq!(f.kind, FailKind::RttExceeded, "{}", f.message);
            assert_eq!(f.expected.as_deref(), Some("average rtt ≤ 0ms"));
            assert!(
                f.measured.as_deref().unwrap().ends_with(" ms"),
                "{:?}",
                f.measured
            );
            assert!(f.message.contains("127.0.0.1"), "{}", f.message);
        }
        v => panic!("expected RttExceeded, got {v:?}"),
    }
    assert_all_replies(&out, 3.0);
    assert!(
        out.evidence
            .as_deref()
            .unwrap()
            .contains("echo 3: reply in"),
        "{:?}",
        out.evidence
    );

    // A generous bound passes.
    s.max_rtt = Some(Duration::from_millis(500));
    assert_passed(&probe(&s, &cx, Instant::now() + StdDuration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_loss_judges_only_when_given() {
    if not_permitted("max_loss_judges_only_when_given").await {
        return;
    }
    let cx = context();
    // None: any reply passes (here, all of them came back).
    let s = spec("127.0.0.1", 4, 20);
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(5)).await;
    assert_passed(&out);
    assert_all_replies(&out, 4.0);
    // 0 %: no loss is not more than none.
    let mut s = s;
    s.max_loss = Some(Percent(0.0));
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(5)).await;
    assert_passed(&out);
    assert_all_replies(&out, 4.0);
}

/// Guards the receive buffer and the demultiplexing: every reply of 2,000 simultaneous
/// probes reaches its own probe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_probes_at_once_lose_nothing() {
    if not_permitted("two_thousand_probes_at_once_lose_nothing").await {
        return;
    }
    const N: usize = 2_000;
    let cx = Arc::new(context());
    // Opens the socket before timing.
    assert_passed(
        &probe(
            &spec("127.0.0.1", 1, 0),
            &cx,
            Instant::now() + StdDuration::from_secs(5),
        )
        .await,
    );

    let t0 = Instant::now();
    let deadline = t0 + StdDuration::from_secs(5);
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let cx = Arc::clone(&cx);
            let target = format!("127.10.{}.{}", i / 250, i % 250 + 1);
            tokio::spawn(async move {
                let out = probe(&spec(&target, 1, 0), &cx, deadline).await;
                (target, out)
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        let (target, out) = t.await.unwrap();
        if !matches!(out.verdict, Verdict::Passed) || num(&out, "received") != 1.0 {
            failures.push(format!(
                "{target}: {:?} {:?}",
                out.verdict, out.measurements
            ));
        } else {
            assert_eq!(out.measurements["address"], target.as_str());
            assert!(num(&out, "rtt_avg_ms") > 0.0);
        }
    }
    let took = t0.elapsed();
    eprintln!(
        "{N} probes of one echo in {:.0} ms: {:.0} echoes/s",
        took.as_secs_f64() * 1e3,
        N as f64 / took.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {N} probes lost their reply, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(took < StdDuration::from_millis(5_500), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_probes_to_one_address_keep_their_replies() {
    if not_permitted("concurrent_probes_to_one_address_keep_their_replies").await {
        return;
    }
    let cx = Arc::new(context());
    let deadline = Instant::now() + StdDuration::from_secs(5);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let cx = Arc::clone(&cx);
            tokio::spawn(async move { probe(&spec("127.0.0.1", 3, 20), &cx, deadline).await })
        })
        .collect();
    for t in tasks {
        let out = t.await.unwrap();
        assert_passed(&out);
        assert_all_replies(&out, 3.0);
    }
}

/// Only the echoes that fit before the deadline are sent, and loss is judged on those.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_shorter_than_the_schedule_sends_what_fits() {
    if not_permitted("a_deadline_shorter_than_the_schedule_sends_what_fits").await {
        return;
    }
    let cx = context();
    // Without max_rtt an echo waits 1 s: only the first (always sent) fits in 300 ms. With
    // max_rtt 50 ms it waits 100 ms: echoes at 0 and 200 ms fit in 500 ms, not the one at 400.
    for (max_rtt, timeout_ms, fits) in [
        (None, 300, 1.0),
        (Some(Duration::from_millis(50)), 500, 2.0),
    ] {
        let mut s = spec("127.0.0.1", 5, 200);
        s.max_rtt = max_rtt;
        let timeout = StdDuration::from_millis(timeout_ms);
        let t0 = Instant::now();
        let out = probe(&s, &cx, t0 + timeout).await;
        let took = t0.elapsed();
        assert!(took < timeout + StdDuration::from_millis(500), "{took:?}");
        assert_passed(&out);
        assert_eq!(num(&out, "sent"), fits, "{:?}", out.measurements);
        assert_eq!(num(&out, "received"), fits);
        assert_eq!(num(&out, "loss_pct"), 0.0);
    }
}

/// `--icmp-interval`: the run's echoes leave at least the gap apart whatever their targets,
/// and every one is still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_echoes_leave_at_least_the_gap_apart() {
    if not_permitted("paced_echoes_leave_at_least_the_gap_apart").await {
        return;
    }
    let gap = StdDuration::from_millis(30);
    let cx = Arc::new(context().icmp_interval(gap));
    let t0 = Instant::now();
    let deadline = t0 + StdDuration::from_secs(5);
    // 4 targets × 3 echoes 10 ms apart: unpaced they would all leave within 20 ms.
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let cx = Arc::clone(&cx);
            let target = format!("127.11.0.{}", i + 1);
            tokio::spawn(async move { probe(&spec(&target, 3, 10), &cx, deadline).await })
        })
        .collect();
    for t in tasks {
        let out = t.await.unwrap();
        assert_passed(&out);
        assert_all_replies(&out, 3.0);
    }
    // 12 echoes: the last leaves no earlier than 11 gaps after the first.
    let took = t0.elapsed();
    assert!(took >= gap * 11, "12 paced echoes took only {took:?}");
}

/// An echo whose paced turn comes too late to await its reply is not sent (not lost); a
/// check that could send none says why, as a local error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_never_counts_an_unsent_echo_as_lost() {
    if not_permitted("pacing_never_counts_an_unsent_echo_as_lost").await {
        return;
    }
    let cx = Arc::new(context().icmp_interval(StdDuration::from_millis(400)));
    let mut s = spec("127.0.0.1", 3, 10);
    s.max_rtt = Some(Duration::from_millis(50));
    let deadline = Instant::now() + StdDuration::from_millis(300);
    let (first, second) = tokio::join!(probe(&s, &cx, deadline), async {
        // Asks after the first probe has taken the first turn.
        tokio::time::sleep(StdDuration::from_millis(20)).await;
        probe(&s, &cx, deadline).await
    });
    assert_passed(&first);
    assert_eq!(num(&first, "sent"), 1.0, "{:?}", first.measurements);
    assert_eq!(num(&first, "loss_pct"), 0.0);
    match second.verdict {
        Verdict::Errored(p) => {
            assert_eq!(p.kind, ErrorKind::Local);
            assert!(p.message.contains("--icmp-concurrency"), "{}", p.message);
        }
        v => panic!("expected a local error, got {v:?}"),
    }
}

/// A thousand echoes 10 ms apart (the loss measurement `count: 1000, interval: 10ms`): every
/// one answered, and the statistics consistent with each other (nearest-rank percentiles
/// between the least and the largest, IPDV at most their spread, jitter too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_echoes_are_all_answered_with_their_statistics() {
    if not_permitted("a_thousand_echoes_are_all_answered_with_their_statistics").await {
        return;
    }
    let cx = context();
    let s = spec("127.0.0.1", 1_000, 10);
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(15)).await;
    assert_passed(&out);
    assert_all_replies(&out, 1_000.0);
    let [min, p50, p95, p99, max] = [
        "rtt_min_ms",
        "rtt_p50_ms",
        "rtt_p95_ms",
        "rtt_p99_ms",
        "rtt_max_ms",
    ]
    .map(|k| num(&out, k));
    assert!(
        min <= p50 && p50 <= p95 && p95 <= p99 && p99 <= max,
        "{:?}",
        out.measurements
    );
    let (ipdv, jitter) = (num(&out, "ipdv_ms"), num(&out, "jitter_ms"));
    // The 999th of 1,000 less the least: within the spread, at least the 99th's.
    assert!(
        ipdv <= max - min + 0.001 && ipdv + 0.001 >= p99 - min,
        "{:?}",
        out.measurements
    );
    assert!(
        (0.0..=max - min + 0.001).contains(&jitter),
        "{:?}",
        out.measurements
    );
    assert!(
        !out.measurements.contains_key("limits"),
        "no limit, no limits: {:?}",
        out.measurements
    );
}

/// More echoes at once than sequence numbers (100 probes of 700 echoes, 70,000 in 7 s):
/// none is lost or taken by another probe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seventy_thousand_echoes_at_once_lose_nothing() {
    if not_permitted("seventy_thousand_echoes_at_once_lose_nothing").await {
        return;
    }
    let cx = Arc::new(context());
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let cx = Arc::clone(&cx);
            let target = format!("127.11.0.{}", i + 1);
            tokio::spawn(async move {
                let out = probe(&spec(&target, 700, 10), &cx, deadline).await;
                (target, out)
            })
        })
        .collect();
    let mut lost = 0.0;
    for t in tasks {
        let (target, out) = t.await.unwrap();
        assert_eq!(out.measurements["address"], target.as_str());
        assert_eq!(num(&out, "sent"), 700.0, "{target}: {:?}", out.measurements);
        lost += 700.0 - num(&out, "received");
    }
    assert_eq!(lost, 0.0, "{lost} of 70,000 echoes read as lost");
}

/// `max_p95` fails with the round-trip kind and its own expected form; `max_ipdv` with
/// IpdvExceeded; both limits written under `limits`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p95_and_ipdv_limits_fail_with_their_kinds() {
    if not_permitted("p95_and_ipdv_limits_fail_with_their_kinds").await {
        return;
    }
    let cx = context();
    let mut s = spec("127.0.0.1", 20, 10);
    s.max_p95 = Some(Duration::from_millis(0));
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(3)).await;
    match &out.verdict {
        Verdict::Failed(f) => {
            assert_eq!(f.kind, FailKind::RttExceeded, "{}", f.message);
            assert_eq!(f.expected.as_deref(), Some("p95 rtt ≤ 0ms"));
        }
        v => panic!("expected RttExceeded, got {v:?}"),
    }
    assert_eq!(out.measurements["limits"]["rtt_p95_ms"], 0.0);
    s.max_p95 = None;
    s.max_ipdv = Some(Duration::from_millis(0));
    let out = probe(&s, &cx, Instant::now() + StdDuration::from_secs(3)).await;
    match &out.verdict {
        Verdict::Failed(f) => {
            assert_eq!(f.kind, FailKind::IpdvExceeded, "{}", f.message);
            assert_eq!(f.expected.as_deref(), Some("ipdv ≤ 0ms"));
        }
        v => panic!("expected IpdvExceeded, got {v:?}"),
    }
}
