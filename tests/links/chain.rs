//! The test network on its own: every router and the host answer the probe through the
//! chain, the bypass takes the provincial router off the path, and every namespace is gone
//! once the chain drops.

use std::process::Command;

use crate::support::chain::{Chain, Role};
use crate::support::host;

fn ping(chain: &Chain, to: &str) -> bool {
    chain
        .command(Role::Probe, "ping")
        .args(["-c", "1", "-W", "2", "-n", "-q", to])
        .output()
        .expect("ping")
        .status
        .success()
}

#[test]
#[ignore = "needs root: network namespaces and veths (CI runs it: --include-ignored)"]
fn every_hop_answers_and_the_namespaces_go_with_the_chain() {
    host::assert_root("network namespaces and veths");
    let names = {
        let chain = Chain::new("base");
        for to in [Chain::PROV, Chain::PREF, Chain::COUNTY, Chain::HOST] {
            assert!(ping(&chain, to), "{to} does not answer through the chain");
        }
        // Nothing outside the chain is reachable from the probe: it has no default route.
        assert!(
            !ping(&chain, "198.19.0.1"),
            "the probe reached outside the chain"
        );
        chain.bypass_provincial();
        assert!(
            ping(&chain, Chain::HOST),
            "the host does not answer over the bypass"
        );
        chain.names()
    };
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&left.stdout);
    for n in names {
        assert!(
            !left
                .lines()
                .any(|l| l.split_whitespace().next() == Some(&n)),
            "{n} left behind"
        );
    }
}
