//! The run history end to end, with the real binary: nightly runs recorded (SQLite, the
//! default backend; PostgreSQL is covered by `tests/history`), `diff` and its exit code for
//! cron, `history list|show|import`, the report's "changes since last run", the metrics file
//! read by the real `promtool`, the webhook on a local server (sent only when something
//! changed, its token never shown), and a store that fails: reports written, exit 5.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use crate::run::{Counting, closed_port, counting_listener, write};
use crate::support::netaccept::{assert_exit, read_json};

/// The webhook's secret, which no output may show.
const TOKEN: &str = "TOKEN-5ecret-0f-the-robot";

fn netaccept(args: &[&str], dir: &Path) -> Output {
    crate::support::netaccept::netaccept(args, dir, &[])
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The centre (always reachable) and one province whose port is open or closed: the
/// inventory is written again before each run, as a changing network.
fn network(dir: &Path, open: SocketAddr, province: SocketAddr) {
    write(
        dir,
        "inv.yaml",
        &format!(
            "nodes:\n  - {{ id: c, name: 中心, level: national, host: \"127.0.0.1\", vars: {{ target: \"{open}\" }} }}\n  - {{ id: p1, name: 省一, level: provincial, parent: c, host: \"127.0.0.1\", vars: {{ target: \"{province}\" }} }}\n"
        ),
    );
    write(
        dir,
        "suite.yaml",
        "suite: nightly\nname: 夜间巡检\ndefaults: { timeout: 2s, retries: 0 }\nchecks:\n  - { id: port, name: 端口, tcp: { target: \"{{ node.vars.target }}\" } }\n",
    );
}

struct Case {
    dir: tempfile::TempDir,
    open: Counting,
    closed: SocketAddr,
}

fn case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    Case { dir, open, closed }
}

impl Case {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A run with the province up or down, into `out`, with `extra` flags.
    fn run(&self, out: &str, province_up: bool, extra: &[&str]) -> Output {
        let province = if province_up {
            self.open.addr
        } else {
            self.closed
        };
        network(self.path(), self.open.addr, province);
        let args = [
            &["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", out][..],
            extra,
        ]
        .concat();
        netaccept(&args, self.path())
    }
}

fn diff_json(dir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let out = netaccept(&[&["diff", "--format", "json"][..], extra].concat(), dir);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("diff --format json: {e}\n{}", text(&out)));
    (out, v)
}

fn keys(list: &serde_json::Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|c| {
            (
                c["node"].as_str().unwrap().to_string(),
                c["check"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn nightly_runs_are_recorded_compared_and_shown_in_the_report() {
    nightly(None);
}

/// The same nights on a real PostgreSQL server (`tests/support/postgres.rs`); the store
/// rebuilt from the files is SQLite, so the last comparison is across the two backends.
#[test]
fn nightly_runs_on_postgresql_compare_as_on_sqlite() {
    let Some(db) = crate::support::postgres::database() else {
        return;
    };
    nightly(Some(&db.conninfo));
}

/// Four nights (up, down, down, up), each command on the store `history` (the default
/// `reports/history.sqlite` when `None`).
fn nightly(history: Option<&str>) {
    let c = case();
    let d = c.path();
    let store: Vec<&str> = history.map(|h| vec!["--history", h]).unwrap_or_default();
    let netaccept = |args: &[&str], dir: &Path| netaccept(&[args, &store[..]].concat(), dir);
    let diff_json = |dir: &Path, extra: &[&str]| diff_json(dir, &[extra, &store[..]].concat());
    let run = |out: &str, up: bool| c.run(out, up, &store);
    // Night 1: all up. The first run of its scope: nothing to compare with.
    assert_exit(&run("n1", true), 0);
    assert_eq!(
        d.join("reports/history.sqlite").is_file(),
        history.is_none(),
        "the default store, unless another is given"
    );
    let first = netaccept(&["diff"], d);
    assert_exit(&first, 2);
    assert!(
        text(&first).contains("first of its suite"),
        "{}",
        text(&first)
    );

    // Night 2: the province is down: a new failure, in the summary and in `diff` (exit 1).
    let n2 = run("n2", false);
    assert_exit(&n2, 1);
    assert!(
        text(&n2).contains("1 new failure(s)"),
        "the summary says what changed: {}",
        text(&n2)
    );
    let (out, v) = diff_json(d, &[]);
    assert_exit(&out, 1);
    assert_eq!(v["format"], "netaccept-diff/1");
    assert_eq!(keys(&v["new_failures"]), [("p1".into(), "port".into())]);
    assert!(keys(&v["recoveries"]).is_empty());
    let table = netaccept(&["diff"], d);
    assert_exit(&table, 1);
    assert!(text(&table).contains("p1"), "{}", text(&table));
    // The report of night 2 shows the change and the province's strip.
    let html = std::fs::read_to_string(d.join("n2/report.html")).unwrap();
    assert!(html.contains("与上次运行相比"), "changes since last run");

    // Night 3: still down: still failing since night 2, and no new failure (exit 0).
    assert_exit(&run("n3", false), 1);
    let (out, v) = diff_json(d, &[]);
    assert_exit(&out, 0);
    assert!(keys(&v["new_failures"]).is_empty());
    assert_eq!(keys(&v["still_failing"]), [("p1".into(), "port".into())]);
    let n2_started = read_json(&d.join("n2/results.json"))["run"]["started"]
        .as_str()
        .unwrap()
        .to_string();
    let since = v["still_failing"][0]["since"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(since).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&n2_started).unwrap(),
        "failing since night 2's start"
    );

    // Night 4: back up: a recovery.
    assert_exit(&run("n4", true), 0);
    let (out, v) = diff_json(d, &[]);
    assert_exit(&out, 0);
    assert_eq!(keys(&v["recoveries"]), [("p1".into(), "port".into())]);

    // Any two runs by id: night 1 against night 3 (given in either order).
    let id = |n: &str| {
        read_json(&d.join(format!("{n}/results.json")))["run"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (out, v) = diff_json(d, &[&id("n3"), &id("n1")]);
    assert_exit(&out, 1);
    assert_eq!(v["a"]["id"], id("n1"));
    assert_eq!(keys(&v["new_failures"]), [("p1".into(), "port".into())]);

    // The list, newest first, and the province's four nights.
    let list = netaccept(&["history", "list", "--format", "json"], d);
    assert_exit(&list, 0);
    let runs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<&str> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id("n4"), id("n3"), id("n2"), id("n1")]);
    let show = netaccept(&["history", "show", "--node", "p1", "--format", "json"], d);
    assert_exit(&show, 0);
    let points: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let statuses: Vec<&str> = points["points"]
        .as_array()
        .unwrap_or_else(|| panic!("{points}"))
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "failed", "passed"]);

    // The files rebuild the store: imported in any order (oldest first recorded), twice
    // changes nothing, and the diff is the same as the live store's.
    let import = |args: &[&str]| {
        self::netaccept(
            &[
                &["history", "import", "--history", "rebuilt.sqlite"][..],
                args,
            ]
            .concat(),
            d,
        )
    };
    let once = import(&["n3", "n1/results.json", "n4", "n2"]);
    assert_exit(&once, 0);
    assert!(text(&once).contains("imported 4 run(s)"), "{}", text(&once));
    let twice = import(&["n1", "n2", "n3", "n4"]);
    assert_exit(&twice, 0);
    assert!(
        text(&twice).contains("imported 0 run(s)"),
        "{}",
        text(&twice)
    );
    assert!(text(&twice).contains("4 already there"), "{}", text(&twice));
    let (_, live) = diff_json(d, &[]);
    let (_, rebuilt) = self::diff_json(d, &["--history", "rebuilt.sqlite"]);
    assert_eq!(live, rebuilt);
}

#[test]
fn a_store_that_fails_leaves_the_reports_and_exits_5() {
    let c = case();
    let d = c.path();
    // A folder that cannot be made (its parent is a file): root cannot either.
    write(d, "plain-file", "x");
    let out = c.run("a", true, &["--history", "plain-file/history.sqlite"]);
    assert_exit(&out, 5);
    for f in ["results.json", "report.html", "junit.xml", "SHA256SUMS"] {
        assert!(d.join("a").join(f).is_file(), "{f} written all the same");
    }
    assert!(
        text(&out).contains("netaccept history import"),
        "says how to record it later: {}",
        text(&out)
    );
    // The cause and the remedy are two lines, not one with a visible `^J` between them.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("^J"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: the run is not in the history")),
        "{stderr}"
    );
    // The run can be recorded later, from its folder.
    let import = netaccept(&["history", "import", "a"], d);
    assert_exit(&import, 0);

    // An unreachable PostgreSQL: exit 5, and its password never shown.
    let port = closed_port("127.0.0.1").port();
    let url = format!("postgres://netaccept:pw-never-shown@127.0.0.1:{port}/history");
    let out = c.run("b", false, &["--history", &url]);
    assert_exit(&out, 5);
    assert!(d.join("b/results.json").is_file());
    assert!(!text(&out).contains("pw-never-shown"), "{}", text(&out));
    assert!(
        text(&out).contains("127.0.0.1"),
        "names the store: {}",
        text(&out)
    );

    // `--no-history` records nothing anywhere.
    let e = tempfile::tempdir().unwrap();
    network(e.path(), c.open.addr, c.open.addr);
    assert_exit(
        &netaccept(
            &[
                "run",
                "-i",
                "inv.yaml",
                "-s",
                "suite.yaml",
                "-o",
                "x",
                "--no-history",
            ],
            e.path(),
        ),
        0,
    );
    assert!(!e.path().join("reports").exists());
}

/// A webhook receiver on 127.0.0.1: every body it was sent.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    _rt: tokio::runtime::Runtime,
}

fn hook() -> Hook {
    use axum::routing::post;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let b = bodies.clone();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/cgi-bin/webhook/send",
        post(move |axum::Json(v): axum::Json<serde_json::Value>| {
            let b = b.clone();
            async move {
                b.lock().unwrap().push(v);
                axum::Json(serde_json::json!({ "errcode": 0, "errmsg": "ok" }))
            }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    Hook {
        url: format!("http://{addr}/cgi-bin/webhook/send?key={TOKEN}"),
        bodies,
        _rt: rt,
    }
}

#[test]
fn the_webhook_hears_of_changes_only_and_never_shows_its_token() {
    let c = case();
    let h = hook();
    let notify = |out: &str, up: bool, format: &str| {
        let o = c.run(out, up, &["--notify", &h.url, "--notify-format", format]);
        assert!(!text(&o).contains(TOKEN), "token shown: {}", text(&o));
        o
    };
    // The first run has nothing to compare with; the second brings a new failure; the third
    // changes nothing; the fourth a recovery.
    assert_exit(&notify("n1", true, "json"), 0);
    assert_eq!(
        h.bodies.lock().unwrap().len(),
        0,
        "first run: nothing changed"
    );
    assert_exit(&notify("n2", false, "json"), 1);
    {
        let bodies = h.bodies.lock().unwrap();
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0]["format"], "netaccept-notification/1");
        assert_eq!(
            keys(&bodies[0]["new_failures"]),
            [("p1".into(), "port".into())]
        );
    }
    assert_exit(&notify("n3", false, "json"), 1);
    assert_eq!(
        h.bodies.lock().unwrap().len(),
        1,
        "still failing: no message"
    );
    assert_exit(&notify("n4", true, "wecom"), 0);
    {
        let bodies = h.bodies.lock().unwrap();
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[1]["msgtype"], "markdown");
        assert!(
            bodies[1]["markdown"]["content"]
                .as_str()
                .unwrap()
                .contains("省一"),
            "{}",
            bodies[1]
        );
    }
    // A webhook that is down: a warning, the exit code the checks call for, no token.
    let down = format!(
        "http://{}/cgi-bin/webhook/send?key={TOKEN}",
        closed_port("127.0.0.1")
    );
    let o = c.run("n5", false, &["--notify", &down]);
    assert_exit(&o, 1);
    // The warning is the webhook's own, naming only its host.
    assert!(
        text(&o).contains("warning: notification to http://127.0.0.1:"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("not delivered"), "{}", text(&o));
    assert!(!text(&o).contains(TOKEN), "token shown: {}", text(&o));
    // From the environment too, and refused without the history (exit 2, no token).
    let o = crate::support::netaccept::netaccept(
        &[
            "run",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "-o",
            "n6",
            "--no-history",
        ],
        c.path(),
        &[("NETACCEPT_NOTIFY", &h.url)],
    );
    assert_exit(&o, 2);
    assert!(
        text(&o).contains("--notify needs the history"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains(TOKEN));
}

#[test]
fn the_metrics_file_passes_promtool() {
    let c = case();
    let out = c.run("m", false, &["--metrics", "netaccept.prom"]);
    assert_exit(&out, 1);
    let prom = c.path().join("netaccept.prom");
    let body = std::fs::read_to_string(&prom).unwrap();
    assert!(body.contains("node=\"p1\""), "{body}");
    // false: promtool is missing, said on stderr (a failure under CI).
    let _checked = crate::support::promtool::check_metrics(&prom);
}
