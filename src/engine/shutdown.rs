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

/// The next Ctrl-C or SIGTERM; `false` when signals cannot be received at all.
async fn next_signal() -> bool {
    Signals::new().next().await
}

/// Ctrl-C and SIGTERM, listened to for as long as this lives, so that none is missed
/// between two waits.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        Signals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            let term = &mut self.term;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                Some(_) = async {
                    match term.as_mut() {
                        Some(t) => t.recv().await,
                        None => std::future::pending().await,
                    }
                } => true,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
