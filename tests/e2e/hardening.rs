//! What a run keeps when the world around it fails: a closed or full stdout or stderr, an
//! output folder that cannot be written, a hang-up or a kill mid-run, too few file
//! descriptors. Real binary, real listeners on loopback.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::run::{closed_port, counting_listener, tcp_case};

const REPORTS: [&str; 4] = ["results.json", "junit.xml", "report.html", "results.csv"];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netaccept"));
    c.env("CI", "true").env_remove("NETACCEPT_TOKEN");
    c
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").unwrap())
}

/// Where the command's stdout and stderr go.
#[derive(Clone, Copy, Debug)]
enum Sink {
    /// A pipe whose reader is gone (`| true`, `| head -1` after its line).
    Closed,
    /// `> /dev/full`: every write fails with "no space left".
    Full,
    /// Read, as a terminal would show it.
    Kept,
}

fn stdio(s: Sink) -> Stdio {
    match s {
        Sink::Closed | Sink::Kept => Stdio::piped(),
        Sink::Full => dev_full(),
    }
}

/// Runs `cmd` with its stdout and stderr sent to `out` and `err`; returns the exit code.
fn run_with(mut cmd: Command, out: Sink, err: Sink) -> Option<i32> {
    let mut child = cmd.stdout(stdio(out)).stderr(stdio(err)).spawn().unwrap();
    // The reader of a closed pipe goes away before the command writes a byte.
    if let Sink::Closed = out {
        drop(child.stdout.take());
    }
    if let Sink::Closed = err {
        drop(child.stderr.take());
    }
    child.wait_with_output().unwrap().status.code()
}

fn reports_in(dir: &Path) -> Vec<&'static str> {
    REPORTS
        .into_iter()
        .filter(|f| dir.join(f).is_file())
        .collect()
}

#[test]
fn a_closed_or_full_stdout_or_stderr_loses_the_summary_never_the_reports() {
    let open = counting_listener("127.0.0.1");
    let closed = closed_port("127.0.0.1");
    for (out, err) in [
        (Sink::Closed, Sink::Kept),
        (Sink::Full, Sink::Kept),
        (Sink::Kept, Sink::Closed),
        (Sink::Kept, Sink::Full),
        (Sink::Closed, Sink::Closed),
    ] {
        let dir = tempfile::tempdir().unwrap();
        tcp_case(dir.path(), open.addr, closed, 0);
        let mut run = bin();
        run.args(["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"])
            .current_dir(dir.path());
        // The checks call for 1 (a port is closed on purpose), whatever became of the text.
        assert_eq!(
            run_with(run, out, err),
            Some(1),
            "run, stdout {out:?}, stderr {err:?}"
        );
        let written = dir.path().join("out");
        assert_eq!(reports_in(&written), REPORTS, "run, stdout {out:?}");

        // `report` reads the record back and writes the reports again, on the same terms.
        for f in REPORTS.iter().skip(1) {
            std::fs::remove_file(written.join(f)).unwrap();
        }
        let mut report = bin();
        report
            .args(["report", "out/results.json"])
            .current_dir(dir.path());
        assert_eq!(
            run_with(report, out, err),
            Some(0),
            "report, stdout {out:?}"
        );
        assert_eq!(reports_in(&written), REPORTS, "report, stdout {out:?}");
    }
}
