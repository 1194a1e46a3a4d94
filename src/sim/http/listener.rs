//! The accept loop of one listener, and each connection's start: the TLS handshake on an
//! HTTPS listener (rustls, or OpenSSL for a `legacy_tls` one), or nothing at all under a
//! node-level `silent`. The session that follows is the same over any of these streams.
//! A listener serves one address ([`serve`]) or, bound to a port's wildcard, many
//! ([`serve_many`]): each connection then gets the configuration of the address it was
//! made to, its local address, and one to an address not planned is closed unserved.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use openssl::ssl::{Ssl, SslContextRef};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_openssl::SslStream;

use super::framing::drain;
use super::routes::{Acceptor, Shared};
use super::session::session;
use super::{IDLE_TIMEOUT, ListenerConfig};

/// Serves until `shutdown` turns true (or its sender is dropped: nobody could stop it
/// then); returns when the listener is closed. Open connections are aborted then.
///
/// Failed accepts (out of file descriptors, typically) are retried after 100 ms, so a
/// full table slows the listener down instead of spinning or stopping it.
pub async fn serve(listener: TcpListener, cfg: ListenerConfig, shutdown: watch::Receiver<bool>) {
    let shared = Arc::new(Shared::new(cfg));
    accept_loop(listener, |_| Some(shared.clone()), shutdown).await;
}

/// Serves, like [`serve`], every address of `cfgs` from one listener (a wildcard one): a
/// connection is served with the configuration of its local address (its own TLS, SNI
/// names, endpoints and faults, as if that address had a listener of its own). A
/// connection to any other address is closed at once, before a byte is read: the wildcard
/// must not make the simulator answer for an address the inventory does not name.
pub async fn serve_many(
    listener: TcpListener,
    cfgs: Vec<(IpAddr, ListenerConfig)>,
    shutdown: watch::Receiver<bool>,
) {
    let by_addr: HashMap<IpAddr, Arc<Shared>> = cfgs
        .into_iter()
        .map(|(ip, cfg)| (ip, Arc::new(Shared::new(cfg))))
        .collect();
    let dispatch = |stream: &TcpStream| {
        let local = stream.local_addr().ok()?.ip();
        // An IPv4 connection on a dual-stack socket shows as ::ffff:a.b.c.d.
        let local = local.to_canonical();
        by_addr.get(&local).cloned()
    };
    accept_loop(listener, dispatch, shutdown).await;
}

/// The accept loop: `dispatch` says how to serve an accepted connection (`None`: close it
/// now, unserved).
async fn accept_loop(
    listener: TcpListener,
    dispatch: impl Fn(&TcpStream) -> Option<Arc<Shared>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut shutdown) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match dispatch(&stream) {
                    Some(shared) => {
                        conns.spawn(connection(stream, shared));
                    }
                    None => drop(stream),
                },
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            },
        }
    }
    drop(listener);
    conns.abort_all();
}

/// Returns once the value is true or the sender is gone. (The guard `wait_for` returns is
/// not `Send`; it is dropped here, before the caller's next await.)
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|&stop| stop).await;
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    if shared.node_silent {
        let mut stream = stream;
        drain(&mut stream, &mut Vec::new()).await;
        return;
    }
    match &shared.tls {
        None => session(stream, &shared).await,
        Some(Acceptor::Rustls(acceptor)) => {
            if let Ok(Ok(tls)) = tokio::time::timeout(IDLE_TIMEOUT, acceptor.accept(stream)).await {
                session(tls, &shared).await;
            }
        }
        Some(Acceptor::Legacy(ctx)) => {
            if let Ok(Some(tls)) =
                tokio::time::timeout(IDLE_TIMEOUT, openssl_accept(ctx, stream)).await
            {
                session(tls, &shared).await;
            }
        }
    }
}

/// The OpenSSL handshake of one connection; `None` when it fails (a client that offers no
/// TLS 1.0 gets OpenSSL's alert, and the connection ends there).
async fn openssl_accept(ctx: &SslContextRef, stream: TcpStream) -> Option<SslStream<TcpStream>> {
    let ssl = Ssl::new(ctx).ok()?;
    let mut tls = SslStream::new(ssl, stream).ok()?;
    Pin::new(&mut tls).accept().await.ok()?;
    Some(tls)
}
