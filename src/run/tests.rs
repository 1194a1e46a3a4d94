//! The runner's rules with a scripted prober under a paused clock: `needs` and skip reasons,
//! retries, the runner's own timeout, the per-node, global and ICMP limits, cancellation
//! with its grace period, and the order of events. Paused time makes every duration exact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Attempt, Cancel, Limits, Prober, run};
use crate::event::{Event, ItemResult};
use crate::model::{CheckIdx, IcmpSpec, NodeIdx, Probe, TcpSpec, Text};
use crate::outcome::{ErrorKind, FailKind, Failure, Measurements, Outcome};
use crate::plan::{Plan, PlanItem};
use crate::results::Status;

/// One scripted attempt: how long it takes and what it finds.
#[derive(Clone)]
struct Step {
    after: Duration,
    outcome: Outcome,
}

fn pass(ms: u64) -> Step {
    Step {
        after: Duration::from_millis(ms),
        outcome: Outcome::passed(Measurements::new()),
    }
}

fn fail(ms: u64) -> Step {
    Step {
        after: Duration::from_millis(ms),
        outcome: Outcome::failed(
            Failure::new(FailKind::ConnectionRefused, "connection refused"),
            Measurements::new(),
        ),
    }
}

fn error(kind: ErrorKind) -> Step {
    Step {
        after: Duration::ZERO,
        outcome: Outcome::errored(kind, format!("{kind} here")),
    }
}

/// Answers each target's attempts from its script (the last step repeats), and counts what
/// is in flight.
#[derive(Default)]
struct Scripted {
    steps: HashMap<String, Vec<Step>>,
    state: Mutex<State>,
    /// When set, `after_failure` takes this long and adds the target's path; otherwise the
    /// trait's default (nothing) stands.
    looks: Option<Duration>,
}

#[derive(Default)]
struct State {
    attempts: HashMap<String, usize>,
    /// Targets `after_failure` was asked about, in order.
    looked_at: Vec<String>,
    in_flight: HashMap<String, usize>,
    /// Most attempts in flight at once: over all targets, and per node (the target's text up
    /// to its first `/`).
    max_total: usize,
    max_per_node: HashMap<String, usize>,
}

impl Scripted {
    fn script(mut self, target: &str, steps: Vec<Step>) -> Self {
        self.steps.insert(target.to_string(), steps);
        self
    }

    fn attempts(&self, target: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .attempts
            .get(target)
            .copied()
            .unwrap_or(0)
    }
}

fn node_of(target: &str) -> String {
    target.split('/').next().unwrap_or(target).to_string()
}

impl Prober for Scripted {
    fn after_failure<'a>(
        &'a self,
        probe: &'a Probe<Text>,
        outcome: &'a Outcome,
    ) -> super::Afterwards<'a> {
        let Some(takes) = self.looks else {
            return Box::pin(async { None });
        };
        let target = match probe {
            Probe::Tcp(t) => t.target.expose(),
            Probe::Icmp(i) => i.target.expose(),
            _ => unreachable!("the tests plan TCP and ICMP items only"),
        };
        assert!(
            matches!(outcome.verdict, crate::outcome::Verdict::Failed(_)),
            "asked about a verdict that is not a failure"
        );
        Box::pin(async move {
            self.state.lock().unwrap().looked_at.push(target.clone());
            tokio::time::sleep(takes).await;
            let mut m = Measurements::new();
            m.insert(
                "path".into(),
                serde_json::json!([{"ttl": 1, "addr": "198.18.1.2"}]),
            );
            m.insert("path_last_hop".into(), serde_json::json!("198.18.1.2"));
            Some(super::Addendum {
                measurements: m,
                line: format!("path: 198.18.1.2 → * → (last answered 198.18.1.2) for {target}"),
            })
        })
    }

    fn attempt<'a>(&'a self, probe: &'a Probe<Text>, _deadline: Instant) -> Attempt<'a> {
        let target = match probe {
            Probe::Tcp(t) => t.target.expose(),
            Probe::Icmp(i) => i.target.expose(),
            Probe::Throughput(t) => t.target.expose(),
            _ => unreachable!("the tests plan TCP, ICMP and throughput items only"),
        };
        Box::pin(async move {
            let step = {
                let mut s = self.state.lock().unwrap();
                let n = s.attempts.entry(target.clone()).or_default();
                *n += 1;
                let steps = &self.steps[&target];
                let step = steps[(*n - 1).min(steps.len() - 1)].clone();
                let node = node_of(&target);
                *s.in_flight.entry(node.clone()).or_default() += 1;
                let total: usize = s.in_flight.values().sum();
                let here = s.in_flight[&node];
                s.max_total = s.max_total.max(total);
                let m = s.max_per_node.entry(node).or_default();
                *m = (*m).max(here);
                step
            };
            // Counted out even when the runner drops this attempt at its deadline.
            let _out = InFlight(self, node_of(&target));
            tokio::time::sleep(step.after).await;
            step.outcome
        })
    }
}

struct InFlight<'a>(&'a Scripted, String);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut s = self.0.state.lock().unwrap();
        *s.in_flight.get_mut(&self.1).unwrap() -= 1;
    }
}

/// A planned item: `target` is `node/name`; `needs` are indices of earlier items.
fn item(node: u32, target: &str, needs: &[usize], timeout_ms: u64, retries: u32) -> PlanItem {
    PlanItem {
        node: NodeIdx(node),
        check: CheckIdx(0),
        app: None,
        needs: needs.to_vec(),
        probe: Probe::Tcp(TcpSpec {
            target: Text::plain(target),
            max_connect: None,
        }),
        timeout: Duration::from_millis(timeout_ms),
        retries,
        label: target.split('/').nth(1).unwrap_or(target).into(),
    }
}

fn icmp_item(node: u32, target: &str) -> PlanItem {
    PlanItem {
        probe: Probe::Icmp(IcmpSpec {
            count: 1,
            ..IcmpSpec::new(Text::plain(target))
        }),
        ..item(node, target, &[], 5_000, 0)
    }
}

fn throughput_item(node: u32, target: &str, timeout_ms: u64) -> PlanItem {
    PlanItem {
        probe: Probe::Throughput(crate::model::ThroughputSpec {
            target: Text::plain(target),
            port: 5201,
            duration: crate::model::Duration::from_millis(1_000),
            streams: 1,
            direction: crate::model::Direction::Up,
            min_mbps: None,
        }),
        ..item(node, target, &[], timeout_ms, 0)
    }
}

struct Ran {
    complete: bool,
    events: Vec<Event>,
    /// Results by item.
    results: HashMap<usize, ItemResult>,
    took: Duration,
}

async fn go(items: Vec<PlanItem>, prober: Arc<Scripted>, limits: Limits, cancel: Cancel) -> Ran {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let t0 = Instant::now();
    let complete = run(Arc::new(Plan { items }), prober, &limits, cancel, tx).await;
    let took = t0.elapsed();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    let results = events
        .iter()
        .filter_map(|e| match e {
            Event::CheckFinished { item, result } => Some((*item, (**result).clone())),
            _ => None,
        })
        .collect();
    Ran {
        complete,
        events,
        results,
        took,
    }
}

fn limits() -> Limits {
    Limits::default()
}

#[tokio::test(start_paused = true)]
async fn an_item_whose_need_failed_is_skipped_with_the_first_cause() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/net.icmp", vec![fail(10)])
            .script("a/net.tcp", vec![pass(10)])
            .script("a/app.health", vec![pass(10)])
            .script("b/net.icmp", vec![pass(10)])
            .script("b/net.tcp", vec![pass(10)]),
    );
    let items = vec![
        item(0, "a/net.icmp", &[], 1_000, 0),
        item(0, "a/net.tcp", &[0], 1_000, 0),
        item(0, "a/app.health", &[1], 1_000, 0),
        item(1, "b/net.icmp", &[], 1_000, 0),
        item(1, "b/net.tcp", &[3], 1_000, 0),
    ];
    let ran = go(items, prober.clone(), limits(), Cancel::default()).await;
    assert!(ran.complete);
    assert_eq!(ran.results[&0].status, Status::Failed);
    assert_eq!(ran.results[&1].status, Status::Skipped);
    assert_eq!(
        ran.results[&1].message,
        "net.icmp failed: connection refused"
    );
    assert_eq!(ran.results[&1].attempts, 0);
    assert!(ran.results[&1].attempt_durations.is_empty());
    // Each skip names its direct need; the message keeps the first cause of the chain.
    assert_eq!(ran.results[&1].skipped_for, Some(0));
    assert_eq!(ran.results[&2].skipped_for, Some(1));
    assert_eq!(
        ran.results[&2].message,
        "net.tcp skipped: net.icmp failed: connection refused"
    );
    assert_eq!(ran.results[&4].status, Status::Passed);
    // Skipped items sent nothing.
    assert_eq!(prober.attempts("a/net.tcp"), 0);
    assert_eq!(prober.attempts("a/app.health"), 0);
}

/// An item starts once its needs, taken in order, have said enough: a need that did not
/// pass skips it at once if every need before it passed, without waiting for the needs
/// after it; a need that did not pass after one still running waits for that one, which
/// may be the first cause.
#[tokio::test(start_paused = true)]
async fn an_item_is_skipped_as_soon_as_its_needs_in_order_say_so() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/quick-fail", vec![fail(10)])
            .script("a/slow-pass", vec![pass(500)])
            .script("a/x", vec![pass(10)])
            .script("a/y", vec![pass(10)]),
    );
    let items = vec![
        item(0, "a/quick-fail", &[], 1_000, 0),
        item(0, "a/slow-pass", &[], 1_000, 0),
        // Needs the quick failure first: skipped at 10 ms.
        item(0, "a/x", &[0, 1], 1_000, 0),
        // Needs the slow pass first: skipped when it passes, at 500 ms.
        PlanItem {
            needs: vec![1, 0],
            ..item(0, "a/y", &[], 1_000, 0)
        },
    ];
    let ran = go(items, prober.clone(), limits(), Cancel::default()).await;
    assert!(ran.complete);
    let finished: Vec<usize> = ran
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CheckFinished { item, .. } => Some(*item),
            _ => None,
        })
        .collect();
    assert_eq!(finished, [0, 2, 1, 3]);
    for i in [2, 3] {
        assert_eq!(ran.results[&i].status, Status::Skipped);
        assert_eq!(ran.results[&i].skipped_for, Some(0));
    }
    assert_eq!(prober.attempts("a/x") + prober.attempts("a/y"), 0);
}

#[tokio::test(start_paused = true)]
async fn no_icmp_permission_is_no_evidence_against_dependants() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/net.icmp", vec![error(ErrorKind::NoPermission)])
            .script("a/net.tcp", vec![pass(10)])
            .script("b/net.icmp", vec![error(ErrorKind::Local)])
            .script("b/net.tcp", vec![pass(10)]),
    );
    let items = vec![
        item(0, "a/net.icmp", &[], 1_000, 3),
        item(0, "a/net.tcp", &[0], 1_000, 0),
        item(1, "b/net.icmp", &[], 1_000, 0),
        item(1, "b/net.tcp", &[2], 1_000, 0),
    ];
    let ran = go(items, prober.clone(), limits(), Cancel::default()).await;
    assert_eq!(ran.results[&0].status, Status::Errored);
    assert_eq!(ran.results[&0].error_kind, Some(ErrorKind::NoPermission));
    // Asking again does not grant permission: one attempt despite `retries: 3`.
    assert_eq!(ran.results[&0].attempts, 1);
    assert_eq!(ran.results[&1].status, Status::Passed);
    // Any other error of the needed check does stop its dependants.
    assert_eq!(ran.results[&3].status, Status::Skipped);
}

#[tokio::test(start_paused = true)]
async fn failures_are_retried_up_to_the_items_retries() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/flaky", vec![fail(10), fail(10), pass(10)])
            .script("b/flaky", vec![fail(10), fail(10), pass(10)])
            .script("c/config", vec![error(ErrorKind::Config)])
            .script("d/local", vec![error(ErrorKind::Local), pass(10)]),
    );
    let items = vec![
        item(0, "a/flaky", &[], 1_000, 2),
        item(1, "b/flaky", &[], 1_000, 1),
        item(2, "c/config", &[], 1_000, 5),
        item(3, "d/local", &[], 1_000, 1),
    ];
    let ran = go(items, prober, limits(), Cancel::default()).await;
    assert_eq!(ran.results[&0].status, Status::Passed);
    assert_eq!(ran.results[&0].attempts, 3);
    assert_eq!(ran.results[&0].duration, Duration::from_millis(30));
    assert_eq!(ran.results[&1].status, Status::Failed);
    assert_eq!(ran.results[&1].attempts, 2);
    // A suite mistake is not retried; a local hiccup is.
    assert_eq!(ran.results[&2].attempts, 1);
    assert_eq!(ran.results[&3].status, Status::Passed);
    assert_eq!(ran.results[&3].attempts, 2);
}

#[tokio::test(start_paused = true)]
async fn the_runner_owns_the_timeout_of_each_attempt() {
    let prober = Arc::new(Scripted::default().script("a/slow", vec![pass(10_000)]));
    let ran = go(
        vec![item(0, "a/slow", &[], 1_500, 1)],
        prober.clone(),
        limits(),
        Cancel::default(),
    )
    .await;
    let r = &ran.results[&0];
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.failure.as_ref().unwrap().kind, FailKind::Timeout);
    assert_eq!(r.message, "no answer within 1500ms");
    // Two attempts (one retry), each cut at its deadline.
    assert_eq!(r.attempts, 2);
    assert_eq!(prober.attempts("a/slow"), 2);
    assert_eq!(r.duration, Duration::from_secs(3));
    assert_eq!(r.measurements["time_ms"], serde_json::json!(1500.0));
}

/// Each attempt's own time is kept, one per attempt and in order, and they add up to the
/// item's duration: the JUnit report shows the sum as the test's time and lists the parts.
#[tokio::test(start_paused = true)]
async fn each_attempts_time_is_kept_and_they_add_up_to_the_duration() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/flaky", vec![fail(40), fail(25), pass(10)])
            .script("b/slow", vec![pass(10_000)])
            .script("c/once", vec![pass(7)]),
    );
    let items = vec![
        item(0, "a/flaky", &[], 1_000, 2),
        item(1, "b/slow", &[], 1_500, 1),
        item(2, "c/once", &[], 1_000, 3),
    ];
    let ran = go(items, prober, limits(), Cancel::default()).await;
    let ms = Duration::from_millis;
    let cases = [
        (0, vec![ms(40), ms(25), ms(10)]),
        (1, vec![ms(1_500), ms(1_500)]),
        (2, vec![ms(7)]),
    ];
    for (i, want) in cases {
        let r = &ran.results[&i];
        assert_eq!(r.attempt_durations, want, "item {i}");
        assert_eq!(r.attempt_durations.len(), r.attempts as usize, "item {i}");
        assert_eq!(
            r.attempt_durations.iter().sum::<Duration>(),
            r.duration,
            "item {i}"
        );
        assert_eq!(r.skipped_for, None);
    }
}

#[tokio::test(start_paused = true)]
async fn one_node_gets_at_most_per_node_checks_at_once() {
    let mut s = Scripted::default();
    let mut items = Vec::new();
    for i in 0..10 {
        let t = format!("a/c{i}");
        s = s.script(&t, vec![pass(1_000)]);
        items.push(item(0, &t, &[], 5_000, 0));
    }
    for i in 0..2 {
        let t = format!("b/c{i}");
        s = s.script(&t, vec![pass(1_000)]);
        items.push(item(1, &t, &[], 5_000, 0));
    }
    let prober = Arc::new(s);
    let ran = go(
        items,
        prober.clone(),
        Limits {
            per_node: 2,
            ..limits()
        },
        Cancel::default(),
    )
    .await;
    assert!(ran.complete);
    let st = prober.state.lock().unwrap();
    assert_eq!(st.max_per_node["a"], 2);
    // Ten one-second checks, two at a time; the other node's ran alongside.
    assert_eq!(ran.took, Duration::from_secs(5));
    assert_eq!(st.max_total, 4);
}

#[tokio::test(start_paused = true)]
async fn icmp_checks_have_their_own_limit() {
    let mut s = Scripted::default();
    let mut items = Vec::new();
    for n in 0..6u32 {
        let t = format!("n{n}/icmp");
        s = s.script(&t, vec![pass(1_000)]);
        items.push(icmp_item(n, &t));
        let t = format!("n{n}/tcp");
        s = s.script(&t, vec![pass(1_000)]);
        items.push(item(n, &t, &[], 5_000, 0));
    }
    let prober = Arc::new(s);
    let ran = go(
        items,
        prober.clone(),
        Limits {
            concurrency: 1,
            icmp_concurrency: 3,
            ..limits()
        },
        Cancel::default(),
    )
    .await;
    assert!(ran.complete);
    // Six TCP checks one at a time take six seconds; the ICMP checks, three at a time,
    // fit beside them and are not held back by `concurrency: 1`.
    assert_eq!(ran.took, Duration::from_secs(6));
    assert_eq!(prober.state.lock().unwrap().max_total, 4);
}

#[test]
fn an_icmp_checks_rate_is_its_echoes_per_second_within_the_budget() {
    let ms = Duration::from_millis;
    // The bundled acceptance suite's ping: five echoes 200 ms apart.
    assert_eq!(super::icmp_rate_weight(5, ms(200), 50_000), 5);
    // A loss measurement: 1,000 echoes 10 ms apart send 100 a second.
    assert_eq!(super::icmp_rate_weight(1_000, ms(10), 50_000), 100);
    // Three echoes 10 ms apart are all sent within the second; unpaced, all at once.
    assert_eq!(super::icmp_rate_weight(3, ms(10), 50_000), 3);
    assert_eq!(super::icmp_rate_weight(7, Duration::ZERO, 50_000), 7);
    // A rate over the whole budget takes the budget: it runs alone rather than never.
    assert_eq!(super::icmp_rate_weight(10_000, ms(10), 40), 40);
    assert_eq!(super::icmp_rate_weight(1, ms(3_000), 50_000), 1);
}

#[tokio::test(start_paused = true)]
async fn icmp_checks_start_in_waves_that_fit_the_echo_rate() {
    let mut s = Scripted::default();
    let mut items = Vec::new();
    for n in 0..6u32 {
        let t = format!("n{n}/icmp");
        s = s.script(&t, vec![pass(1_000)]);
        // 100 echoes 10 ms apart: 100 a second each.
        let mut it = icmp_item(n, &t);
        if let Probe::Icmp(i) = &mut it.probe {
            i.count = 100;
            i.interval = crate::model::Duration::from_millis(10);
        }
        items.push(it);
    }
    let prober = Arc::new(s);
    let ran = go(
        items,
        prober.clone(),
        Limits {
            icmp_rate: 250,
            ..limits()
        },
        Cancel::default(),
    )
    .await;
    assert!(ran.complete);
    // Two at a time fit in 250 echoes a second: three waves of one second.
    assert_eq!(prober.state.lock().unwrap().max_total, 2);
    assert_eq!(ran.took, Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn throughput_checks_run_one_at_a_time_and_waiting_costs_no_timeout() {
    let mut s = Scripted::default();
    let mut items = Vec::new();
    for n in 0..3u32 {
        let t = format!("n{n}/tput");
        s = s.script(&t, vec![pass(2_000)]);
        // Each 2s test has 3s: waiting for the others' 4s must not time it out.
        items.push(throughput_item(n, &t, 3_000));
        let t = format!("n{n}/tcp");
        s = s.script(&t, vec![pass(1_000)]);
        items.push(item(n, &t, &[], 5_000, 0));
    }
    let prober = Arc::new(s);
    let ran = go(items, prober.clone(), limits(), Cancel::default()).await;
    assert!(ran.complete);
    assert!(
        ran.results.values().all(|r| r.status == Status::Passed),
        "{:?}",
        ran.results
    );
    // Three 2s tests one after another; the TCP checks ran beside the first.
    assert_eq!(ran.took, Duration::from_secs(6));
    assert_eq!(prober.state.lock().unwrap().max_total, 4);
}

#[tokio::test(start_paused = true)]
async fn cancellation_stops_new_checks_and_lets_those_in_flight_finish_within_the_grace() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/quick", vec![pass(1_200)])
            .script("a/slow", vec![pass(60_000)])
            .script("a/after", vec![pass(10)])
            .script("b/waiting", vec![pass(10)]),
    );
    let items = vec![
        item(0, "a/quick", &[], 120_000, 0),
        item(0, "a/slow", &[], 120_000, 0),
        item(0, "a/after", &[0], 120_000, 0),
        item(1, "b/waiting", &[], 120_000, 0),
    ];
    let cancel = Cancel::default();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        c.cancel();
    });
    let ran = go(
        items,
        prober.clone(),
        Limits {
            concurrency: 2,
            grace: Duration::from_secs(1),
            ..limits()
        },
        cancel,
    )
    .await;
    assert!(!ran.complete);
    // The quick check finished within the grace; the slow one was cut when it ended.
    assert_eq!(ran.results[&0].status, Status::Passed);
    assert!(!ran.results.contains_key(&1));
    // Nothing new started after the cancellation.
    assert_eq!(prober.attempts("a/after"), 0);
    assert_eq!(prober.attempts("b/waiting"), 0);
    assert_eq!(ran.results.len(), 1);
    assert_eq!(ran.took, Duration::from_millis(1_500));
    match ran.events.last() {
        Some(Event::Finished { complete, .. }) => assert!(!complete),
        other => panic!("the last event is {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn events_come_in_the_documented_order() {
    let prober = Arc::new(
        Scripted::default()
            .script("a/one", vec![fail(10)])
            .script("a/two", vec![pass(10)])
            .script("b/three", vec![pass(30)]),
    );
    let items = vec![
        item(0, "a/one", &[], 1_000, 0),
        item(0, "a/two", &[0], 1_000, 0),
        item(1, "b/three", &[], 1_000, 0),
    ];
    let ran = go(items, prober, limits(), Cancel::default()).await;
    assert!(matches!(ran.events[0], Event::Started { total: 3, .. }));
    assert!(matches!(
        ran.events.last(),
        Some(Event::Finished { complete: true, .. })
    ));
    let pos = |want: &dyn Fn(&Event) -> bool| ran.events.iter().position(want);
    for i in [0, 2] {
        let started = pos(&|e| matches!(e, Event::CheckStarted { item } if *item == i));
        let finished = pos(&|e| matches!(e, Event::CheckFinished { item, .. } if *item == i));
        assert!(started.unwrap() < finished.unwrap(), "item {i}");
    }
    // A skipped item is finished without being started.
    assert_eq!(pos(&|e| matches!(e, Event::CheckStarted { item: 1 })), None);
    let finished = ran
        .events
        .iter()
        .filter(|e| matches!(e, Event::CheckFinished { .. }))
        .count();
    assert_eq!(finished, 3);
}

/// The path evidence hook: asked once per item whose final verdict is a failure (after its
/// retries, the runner's own timeout included), never for a pass or an error; what it adds
/// lands in the result's measurements and as the evidence's last line, and its time is not
/// the check's duration.
#[tokio::test(start_paused = true)]
async fn a_final_failure_gets_the_provers_addendum_and_nothing_else_does() {
    let mut prober = Scripted::default()
        .script("a/refused", vec![fail(10)])
        .script("a/slow", vec![pass(5_000)])
        .script("b/fine", vec![pass(10)])
        .script("b/local", vec![error(ErrorKind::Local)])
        .script("c/late", vec![fail(10), pass(10)]);
    prober.looks = Some(Duration::from_millis(700));
    let prober = Arc::new(prober);
    let items = vec![
        item(0, "a/refused", &[], 1_000, 2),
        item(0, "a/slow", &[], 1_000, 0),
        item(1, "b/fine", &[], 1_000, 0),
        item(1, "b/local", &[], 1_000, 0),
        item(2, "c/late", &[], 1_000, 1),
    ];
    let ran = go(items, prober.clone(), limits(), Cancel::default()).await;
    let mut looked = prober.state.lock().unwrap().looked_at.clone();
    looked.sort();
    // Once each, after the last of three attempts; the runner's timeout counts too.
    assert_eq!(looked, vec!["a/refused", "a/slow"]);
    let refused = &ran.results[&0];
    assert_eq!(refused.attempts, 3);
    assert_eq!(refused.measurements["path_last_hop"], "198.18.1.2");
    assert_eq!(
        refused.evidence.as_deref(),
        Some("path: 198.18.1.2 → * → (last answered 198.18.1.2) for a/refused")
    );
    assert_eq!(refused.duration, Duration::from_millis(30));
    let slow = &ran.results[&1];
    assert_eq!(slow.failure.as_ref().unwrap().kind, FailKind::Timeout);
    assert!(slow.measurements.contains_key("time_ms"));
    assert!(slow.measurements.contains_key("path"));
    for i in [2, 3, 4] {
        assert!(
            !ran.results[&i].measurements.contains_key("path"),
            "item {i}"
        );
    }
}

/// A look that takes too long is cut at the runner's limit: the result goes out as the
/// attempts left it. Without an implementation (the trait's default) nothing is added.
#[tokio::test(start_paused = true)]
async fn a_look_past_its_limit_or_none_at_all_leaves_the_result_as_it_was() {
    let mut prober = Scripted::default().script("a/refused", vec![fail(10)]);
    prober.looks = Some(super::AFTER_FAILURE_LIMIT * 2);
    let ran = go(
        vec![item(0, "a/refused", &[], 1_000, 0)],
        Arc::new(prober),
        limits(),
        Cancel::default(),
    )
    .await;
    assert_eq!(ran.results[&0].status, Status::Failed);
    assert!(ran.results[&0].measurements.is_empty());
    assert_eq!(
        ran.took,
        Duration::from_millis(10) + super::AFTER_FAILURE_LIMIT
    );

    let plain = Scripted::default().script("a/refused", vec![fail(10)]);
    let ran = go(
        vec![item(0, "a/refused", &[], 1_000, 0)],
        Arc::new(plain),
        limits(),
        Cancel::default(),
    )
    .await;
    assert!(ran.results[&0].measurements.is_empty());
    assert!(ran.results[&0].evidence.is_none());
    assert_eq!(ran.took, Duration::from_millis(10));
}
