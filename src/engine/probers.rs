//! The probers as the runner sees them: [`crate::probe::Context`] (shared clients and
//! sockets) carries out one attempt of any probe, and adds the path to a failed ICMP or
//! TCP check's result. The runner only knows the [`crate::run::Prober`] trait; this is
//! where the two meet.

use tokio::time::Instant;

use crate::model::{Probe, Text};
use crate::probe::{self, Context, Outcome};
use crate::run::{Addendum, Afterwards, Attempt, Prober};

impl Prober for Context {
    fn attempt<'a>(&'a self, p: &'a Probe<Text>, deadline: Instant) -> Attempt<'a> {
        Box::pin(probe::probe(p, self, deadline))
    }

    fn after_failure<'a>(&'a self, p: &'a Probe<Text>, outcome: &'a Outcome) -> Afterwards<'a> {
        Box::pin(async move {
            probe::path::evidence(p, outcome, self)
                .await
                .map(|(measurements, line)| Addendum { measurements, line })
        })
    }
}
