//! The one way probers turn a host name into an address: the system resolver (the host names
//! of inventories are the operator's to resolve; DNS checks never use it), behind a typed
//! error, so that a failed lookup is `errored` with [`ErrorKind::LocalResolver`] and never
//! blamed on the target. Used by the TCP and ICMP probers directly and by HTTP clients
//! through [`SystemResolver`].

use std::error::Error as StdError;
use std::net::SocketAddr;

use super::{ErrorKind, Outcome};

/// A lookup by the system resolver that gave no address.
#[derive(Debug)]
pub struct ResolveError {
    host: String,
    /// `None`: the resolver answered, with no address.
    source: Option<std::io::Error>,
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(e) => write!(
                f,
                "cannot resolve `{}` with the local resolver: {e}",
                self.host
            ),
            None => write!(f, "`{}` has no address", self.host),
        }
    }
}

impl StdError for ResolveError {}

/// Every address of `host` (with `port`), parsed when `host` is an address.
pub async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match tokio::net::lookup_host((host, port)).await {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(ResolveError {
                    host: host.to_string(),
                    source: None,
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(ResolveError {
            host: host.to_string(),
            source: Some(e),
        }),
    }
}

/// The first address of `host`, or the `errored` outcome that says why there is none.
pub async fn resolve(host: &str, port: u16) -> Result<SocketAddr, Outcome> {
    match lookup(host, port).await {
        Ok(addrs) => Ok(addrs[0]),
        Err(e) => Err(Outcome::errored(ErrorKind::LocalResolver, e.to_string())),
    }
}

/// [`lookup`] as reqwest's resolver, so that an HTTP check's failed lookup keeps its type
/// through reqwest's error chain.
pub struct SystemResolver;

impl reqwest::dns::Resolve for SystemResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match lookup(&host, 0).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(e) => Err(Box::new(e) as _),
            }
        })
    }
}
