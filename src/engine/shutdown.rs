//! How a run or the simulator is told to stop, in one place for every command: the
//! process's signals (Ctrl-C, SIGTERM), or a token the caller cancels (tests, embedders).

use std::io::Write;

use crate::exit::Exit;
use crate::run::Cancel;

/// What stops a run (or the simulator).
#[derive(Clone)]
pub enum Shutdown {
    /// The first Ctrl-C or SIGTERM stops it gracefully; a second one leaves at once (exit
    /// 130).
    Signals,
    /// The caller cancels this token.
    Token(Cancel),
}

impl Shutdown {
    /// The token the run watches; with [`Shutdown::Signals`], wired to the signals. Must be
    /// called inside the runtime.
    pub(crate) fn token(&self) -> Cancel {
        match self {
            Shutdown::Token(c) => c.clone(),
            Shutdown::Signals => {
                let cancel = Cancel::default();
                watch_signals(cancel.clone());
                cancel
            }
        }
    }

    /// Resolves when it is time to stop (the simulator's loop).
    pub(crate) async fn requested(&self) {
        match self {
            Shutdown::Token(c) => c.cancelled().await,
            Shutdown::Signals => {
                next_signal().await;
            }
        }
    }
}

/// First Ctrl-C or SIGTERM: stop starting checks, let those in flight finish (≤ the grace),
/// write what finished. Second: leave at once.
fn watch_signals(cancel: Cancel) {
    tokio::spawn(async move {
        let mut signals = Signals::new();
        let mut received = 0;
        while signals.next().await {
            received += 1;
            if received == 1 {
                // Not `eprintln!`: a terminal that is gone (SIGHUP) must not panic the run.
                let _ = writeln!(
                    std::io::stderr(),
                    "\ninterrupted: finishing the checks in flight (≤ 1 s) and writing what finished; press Ctrl-C again to leave at once"
                );
                cancel.cancel();
            } else {
                std::process::exit(i32::from(Exit::Interrupted.code()));
            }
        }
    });
}

/// The next Ctrl-C, SIGTERM or SIGHUP; `false` when signals cannot be received at all.
async fn next_signal() -> bool {
    Signals::new().next().await
}

/// Ctrl-C, SIGTERM and SIGHUP, listened to for as long as this lives, so that none is missed
/// between two waits.
///
/// SIGHUP is what an on-site engineer's run gets when the SSH connection drops: it stops the
/// run like Ctrl-C, so the reports of what finished are written, rather than killing it with
/// only the journal left. Under `nohup` (SIGHUP ignored when netaccept starts) it stays
/// ignored, and the run goes on to its end.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                hangup: if hangup_ignored() {
                    None
                } else {
                    signal(SignalKind::hangup()).ok()
                },
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
                match s.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                Some(()) = recv(&mut self.term) => true,
                Some(()) = recv(&mut self.hangup) => true,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}

/// Whether this process started with SIGHUP ignored (`nohup`, `setsid -f`…): read from the
/// kernel's view of the process (`SigIgn` in /proc/self/status, a hexadecimal mask in which
/// signal N is bit N-1), since asking with `sigaction` would need unsafe code.
#[cfg(unix)]
fn hangup_ignored() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let mask = s
                .lines()
                .find_map(|l| l.strip_prefix("SigIgn:"))?
                .trim()
                .to_string();
            u64::from_str_radix(&mask, 16).ok()
        })
        .is_some_and(|mask| mask & 1 != 0)
}
