//! The probers as the runner sees them: [`crate::probe::Context`] (shared clients and
//! sockets) carries out one attempt of any probe. The runner only knows the
//! [`crate::run::Prober`] trait; this is where the two meet.

use tokio::time::Instant;

use crate::model::{Probe, Text};
use crate::probe::{self, Context};
use crate::run::{Attempt, Prober};

impl Prober for Context {
    fn attempt<'a>(&'a self, p: &'a Probe<Text>, deadline: Instant) -> Attempt<'a> {
        Box::pin(probe::probe(p, self, deadline))
    }
}
