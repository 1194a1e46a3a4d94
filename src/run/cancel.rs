//! Cancellation of a run: a flag that tasks can wait on.

use std::time::Duration;

use tokio::sync::watch;

/// Cloned into every task; [`Cancel::cancel`] on any clone cancels them all.
#[derive(Clone)]
pub struct Cancel {
    /// `true` once cancelled; never goes back to `false`.
    flag: watch::Sender<bool>,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel {
            flag: watch::Sender::new(false),
        }
    }
}

impl Cancel {
    pub fn cancel(&self) {
        self.flag.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.flag.borrow()
    }

    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        let mut rx = self.flag.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// Resolves `grace` after cancellation: how long work in flight may still finish.
    pub async fn cancelled_then(&self, grace: Duration) {
        self.cancelled().await;
        tokio::time::sleep(grace).await;
    }
}
