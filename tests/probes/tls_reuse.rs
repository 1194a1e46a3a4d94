//! `--reuse-connections` over HTTPS, against nginx: the next check of an endpoint goes over
//! the connection the previous one left open, and without the flag every check makes its
//! own. nginx says which connection a request came on (`$connection`, its serial number),
//! so the reuse is seen from the server's side, not inferred from timings.

use netaccept::probe::Context;

use crate::http::{assert_passed, outcome, spec};
use crate::nginx::{Nginx, TlsConfig, TlsSite};
use crate::support::pki::{Pki, Spec};

const IP: &str = "127.0.77.3";

/// The serial numbers of the connections `checks` checks of `/connection` came on, one
/// after the other, with reuse on or off.
async fn connections(reuse: bool, checks: usize) -> Option<Vec<String>> {
    let root = Pki::root("netaccept test root");
    let leaf = root.issue(&Spec::leaf(&[&format!("IP:{IP}")]));
    let site = TlsSite {
        names: &[],
        chain: leaf.pem(),
        key: leaf.key_pem(),
        body: "{}",
        default: true,
    };
    let n = Nginx::start_tls(IP, &TlsConfig::default(), &[site])?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), root.pem()).unwrap();
    let cx = Context::new(dir.path()).reuse_connections(reuse);
    let mut s = spec(&format!("https://{}/connection", n.addr()));
    s.ca = Some(netaccept::model::Text::plain("ca.pem"));
    let mut seen = Vec::new();
    for _ in 0..checks {
        let o = outcome(&s, &cx).await;
        assert_passed(&o);
        // Every check over the connection it came on verified the chain and recorded it.
        assert!(
            o.measurements["tls_chain"].is_array(),
            "{:?}",
            o.measurements
        );
        seen.push(o.evidence.clone().expect("nginx's connection number"));
    }
    Some(seen)
}

#[tokio::test]
async fn reused_connections_carry_the_next_https_check() {
    let Some(seen) = connections(true, 3).await else {
        return;
    };
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "one connection for three checks: {seen:?}"
    );
}

#[tokio::test]
async fn without_reuse_every_https_check_has_its_own_connection() {
    let Some(seen) = connections(false, 3).await else {
        return;
    };
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "a connection per check: {seen:?}");
}
