//! The HTTP clients of a run: one per TLS configuration, built on first use and shared, and
//! how each is built (no proxy, no automatic redirects, the system resolver, an optional
//! private CA).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::classify::innermost;
use crate::model::{HttpSpec, Text};
use crate::probe::resolve::SystemResolver;

/// HTTP clients shared by the run: one per TLS configuration (CA file, insecure, `host`
/// override), built on first use and reused, so a CA bundle is read and parsed once.
pub struct Clients {
    base_dir: PathBuf,
    /// A check may reuse a connection an earlier one left open (`--reuse-connections`).
    reuse: bool,
    /// Clients by configuration, with the error of one that could not be built. Locked only
    /// to look up or build; probes then clone the client (cheap: it is reference-counted)
    /// and send without holding the lock.
    built: Mutex<HashMap<ClientKey, Result<Slot, String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    /// Absolute path of the extra CA bundle; `None` when only the system store counts.
    ca: Option<PathBuf>,
    insecure: bool,
    /// A `host:` override: this name resolves to this address for the client. One client per
    /// pair, since the same name may stand for a different address on another node.
    resolve: Option<(String, IpAddr)>,
}

#[derive(Clone)]
pub(super) struct Slot {
    pub(super) client: reqwest::Client,
    /// Set when the system store had no CA certificate: the client then still serves plain
    /// HTTP, and HTTPS is refused with this explanation instead of a misleading
    /// "unknown issuer" on every host.
    pub(super) no_roots: Option<String>,
}

impl Clients {
    /// `base_dir` is the suite file's folder: relative `ca:` paths are relative to it.
    pub fn new(base_dir: &Path) -> Clients {
        Clients {
            base_dir: base_dir.to_path_buf(),
            reuse: false,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// Lets a check reuse a connection a previous check of the same endpoint left open.
    pub fn reuse_connections(mut self, reuse: bool) -> Clients {
        self.reuse = reuse;
        self
    }

    /// The client for this spec's TLS configuration. A CA file that cannot be used stays an
    /// error for the whole run: it is read once, like the suite.
    pub(super) fn get(
        &self,
        spec: &HttpSpec<Text>,
        resolve: Option<(String, IpAddr)>,
        with_ca: bool,
    ) -> Result<Slot, String> {
        let key = ClientKey {
            resolve,
            // Verification is off with `insecure`, so a CA would change nothing.
            ca: match &spec.ca {
                Some(ca) if !spec.insecure && with_ca => Some(self.base_dir.join(ca.expose())),
                _ => None,
            },
            insecure: spec.insecure,
        };
        // Poisoning can only come from a panic while building; the map is still consistent.
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = built.get(&key) {
            return slot.clone();
        }
        // Built under the lock on purpose: the first probes of a run all want the same
        // client, and building it once beats building it concurrently and discarding copies.
        let slot = build_client(&key, spec.ca.as_ref(), self.reuse);
        built.insert(key, slot.clone());
        slot
    }
}

/// How long a connection a check left open waits for the next check of its endpoint, with
/// `--reuse-connections`: a node's checks follow each other within milliseconds once their
/// `needs` pass, and idle connections kept longer would only hold memory.
const IDLE_REUSE: Duration = Duration::from_secs(1);

fn client_builder(reuse: bool) -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder()
        // Redirects are followed by hand: reqwest cannot tell how many hops a response took.
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would test the proxy, not the network path.
        .no_proxy()
        .tls_info(true)
        .user_agent(concat!("netaccept/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(SystemResolver));
    if reuse {
        // Measured on 10,000 health checks over 2,500 endpoints (4 each): 1.70 s with a
        // connection per check, 1.32 s with reuse. Over the national run it held about 90 MB
        // more (idle connections) for no time saved, hence not the default.
        b.pool_max_idle_per_host(1).pool_idle_timeout(IDLE_REUSE)
    } else {
        // No idle connection is kept: each check connects (and handshakes) on its own.
        b.pool_max_idle_per_host(0)
    }
}

fn build_client(key: &ClientKey, ca_shown: Option<&Text>, reuse: bool) -> Result<Slot, String> {
    let mut b = client_builder(reuse);
    if let Some((name, ip)) = &key.resolve {
        // Port 0: the URL's port is used.
        b = b.resolve(name, SocketAddr::new(*ip, 0));
    }
    if key.insecure {
        b = b.tls_danger_accept_invalid_certs(true);
    } else if let Some(path) = &key.ca {
        // Shown as the suite wrote it (a templated path may hold a secret).
        let shown = ca_shown.map(ToString::to_string).unwrap_or_default();
        let pem = read_ca(path)
            .map_err(|e| format!("cannot read CA file `{shown}` ({}): {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("CA file `{shown}` is not a PEM bundle: {}", innermost(&e)))?;
        if certs.is_empty() {
            return Err(format!("CA file `{shown}` holds no PEM certificate"));
        }
        return b
            .tls_certs_merge(certs)
            .build()
            .map(|client| Slot {
                client,
                no_roots: None,
            })
            .map_err(|e| format!("CA file `{shown}` cannot be used: {}", innermost(&e)));
    }
    match b.build() {
        Ok(client) => Ok(Slot {
            client,
            no_roots: None,
        }),
        Err(e) => {
            let why = innermost(&e);
            // Without any root the platform verifier refuses to build; plain HTTP must still work.
            let client = client_builder(reuse)
                .tls_certs_only(Vec::new())
                .build()
                .map_err(|e2| format!("cannot set up an HTTP client: {why}; {}", innermost(&e2)))?;
            Ok(Slot {
                client,
                no_roots: Some(format!(
                    "no usable CA certificate in the system store ({why}); give `ca:` or install the system CA certificates"
                )),
            })
        }
    }
}

/// The largest CA bundle read: the system's whole store is under 300 KiB; a bundle of 16 MiB
/// is a mistake (or `/dev/zero`), and would be read without end.
const MAX_CA_BYTES: u64 = 16 * 1024 * 1024;

/// A CA bundle's bytes: a regular file of at most [`MAX_CA_BYTES`], checked before reading.
fn read_ca(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_CA_BYTES {
        return Err(std::io::Error::other(format!(
            "{} bytes, more than the {} MiB a CA bundle may hold",
            meta.len(),
            MAX_CA_BYTES / 1024 / 1024
        )));
    }
    std::fs::read(path)
}
