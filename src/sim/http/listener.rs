//! The accept loop of one listener, and each connection's start: the TLS handshake on an
//! HTTPS listener, or nothing at all under a node-level `silent`.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::framing::drain;
use super::routes::Shared;
use super::session::session;
use super::{IDLE_TIMEOUT, ListenerConfig};

/// Serves until `shutdown` turns true (or its sender is dropped: nobody could stop it
/// then); returns when the listener is closed. Open connections are aborted then.
///
/// Failed accepts (out of file descriptors, typically) are retried after 100 ms, so a
/// full table slows the listener down instead of spinning or stopping it.
pub async fn serve(
    listener: TcpListener,
    cfg: ListenerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let shared = Arc::new(Shared::new(cfg));
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut shutdown) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(connection(stream, shared.clone()));
                }
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
        Some(acceptor) => {
            if let Ok(Ok(tls)) = tokio::time::timeout(IDLE_TIMEOUT, acceptor.accept(stream)).await {
                session(tls, &shared).await;
            }
        }
    }
}
