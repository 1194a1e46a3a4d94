//! A listener's state shared by its connections: its TLS acceptor and the routes from a path
//! prefix to the app that claims it.

use std::sync::atomic::AtomicU64;

use openssl::ssl::SslContext;
use tokio_rustls::TlsAcceptor;

use crate::sim::tls::ServerTls;

use super::answer::login_page;
use super::flaky::endpoint_seed;
use super::records::summary_json;
use super::{Endpoint, ListenerConfig};

/// A listener's state shared by its connections.
pub(super) struct Shared {
    pub(super) tls: Option<Acceptor>,
    /// Longest prefix first, so the first match is the one that wins.
    routes: Vec<Route>,
    pub(super) node_silent: bool,
}

/// What does an HTTPS listener's handshakes.
pub(super) enum Acceptor {
    Rustls(TlsAcceptor),
    /// A `legacy_tls` listener: each connection gets its own `Ssl` of this context.
    Legacy(SslContext),
}

pub(super) struct Route {
    pub(super) ep: Endpoint,
    /// `ep.path` without a trailing `/` ("" at the root).
    pub(super) prefix: String,
    /// The login page, built once.
    pub(super) login: String,
    /// The records summary, built once (it never changes).
    pub(super) records: String,
    pub(super) flaky_seed: u64,
    /// Health requests drawn so far, for `flaky`.
    pub(super) draws: AtomicU64,
}

impl Shared {
    pub(super) fn new(cfg: ListenerConfig) -> Shared {
        let mut routes: Vec<Route> = cfg
            .endpoints
            .into_iter()
            .map(|ep| {
                let prefix = ep.path.trim_end_matches('/').to_string();
                Route {
                    login: login_page(&ep.node, &ep.app, &prefix),
                    records: summary_json(&ep),
                    flaky_seed: endpoint_seed(cfg.seed, &ep.node, &ep.app),
                    draws: AtomicU64::new(0),
                    prefix,
                    ep,
                }
            })
            .collect();
        // Stable: among equal prefixes, the first endpoint given wins.
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
        Shared {
            tls: cfg.tls.map(|t| match t {
                ServerTls::Rustls(config) => Acceptor::Rustls(TlsAcceptor::from(config)),
                ServerTls::Legacy(ctx) => Acceptor::Legacy(ctx),
            }),
            routes,
            node_silent: cfg.node_silent,
        }
    }

    /// The route whose prefix matches `path` on whole segments, longest first.
    pub(super) fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| {
            path.strip_prefix(r.prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::http::Behaviour;

    #[test]
    fn routes_match_whole_segments_longest_first() {
        let ep = |path: &str, app: &str| Endpoint {
            node: "n".into(),
            app: app.into(),
            level: crate::model::Level::County,
            path: path.into(),
            behaviour: Behaviour::default(),
        };
        let shared = Shared::new(ListenerConfig {
            tls: None,
            endpoints: vec![ep("", "root"), ep("/a", "a"), ep("/a/b/", "ab")],
            node_silent: false,
            seed: 0,
        });
        let app = |p: &str| shared.route(p).map(|r| r.ep.app.as_str());
        assert_eq!(app("/a/b/health"), Some("ab"));
        assert_eq!(app("/a/b"), Some("ab"));
        assert_eq!(app("/a/bc"), Some("a"));
        assert_eq!(app("/ab"), Some("root"));
        assert_eq!(app("*"), None);
    }
}
