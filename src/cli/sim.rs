//! `netaccept sim`: serves an inventory's network (loopback, or 198.18.0.0/15 in a test
//! network) until Ctrl-C, with faults. The ICMP responder needs no flag: it is on exactly
//! when the faults name an `icmp` fault, since without one it would only stand in for the
//! kernel's own replies.

use super::args::SimArgs;
use crate::engine::{Shutdown, sim};
use crate::error::Error;
use crate::exit::Exit;
use crate::load::Inputs;

pub fn sim(args: &SimArgs) -> Result<Exit, Error> {
    let inputs = Inputs {
        inventory: args.inventory.clone(),
        faults: args.faults.clone(),
        ..Inputs::default()
    };
    let opts = sim::Options {
        seed: args.seed,
        ca_out: Some(args.ca_out.clone()),
    };
    sim::serve(
        &inputs,
        &opts,
        args.ready_file.as_ref(),
        Shutdown::Signals,
        |s| {
            super::say(&format!(
                "serving {} endpoints on {} listeners, DNS at {}, {} faults; CA certificate in {}\n",
                s.endpoints,
                s.listeners,
                if s.dns.is_empty() {
                    "nowhere (no dns_server var)".to_string()
                } else {
                    addresses(&s.dns)
                },
                s.faults,
                args.ca_out.display()
            ));
            if s.icmp_addresses > 0 {
                super::say(&format!(
                    "answering ICMP echoes for {} addresses (the kernel's echo replies are off here)\n",
                    s.icmp_addresses
                ));
            }
            super::say("press Ctrl-C to stop\n");
        },
    )?;
    super::tell("stopped");
    Ok(Exit::Ok)
}

pub(super) fn addresses(a: &[std::net::SocketAddr]) -> String {
    a.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
