//! What a run's HTTP checks share, built on first use: the reqwest clients for plain
//! `http://` hops (no proxy, no automatic redirects, the system resolver), and for
//! `https://` hops (the prober's own connection, `conn`) the trust store per CA bundle, the
//! client certificate per set of paths, the TLS setup per (minimum version, certificate)
//! and the pool of connections kept for `--reuse-connections`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::classify::innermost;
use super::conn::{Https, Pool};
use super::{IDLE_REUSE, USER_AGENT};
use crate::model::{HttpSpec, Text, TlsVersion};
use crate::probe::files::read_capped;
use crate::probe::resolve::SystemResolver;
use crate::probe::tls::{Identity, TlsSetup, Trust};

/// What the run's HTTP checks share, each built once and reused: a CA bundle is read and
/// parsed once, a client certificate read once.
pub struct Clients {
    base_dir: PathBuf,
    /// Plain-HTTP clients by `host:` override (this name resolves to this address), with
    /// the error of one that could not be built. Locked only to look up or build.
    plain: Cache<Option<(String, IpAddr)>, reqwest::Client>,
    /// Trust stores by absolute CA path (`None`: the system store alone).
    trust: Cache<Option<PathBuf>, Arc<Trust>>,
    /// Client certificates by (certificate path, key path, password).
    identities: Cache<IdentityKey, Arc<Identity>>,
    /// TLS setups by (minimum version, client certificate).
    setups: Cache<(TlsVersion, Option<IdentityKey>), Arc<TlsSetup>>,
    pub(super) pool: Pool,
}

type IdentityKey = (PathBuf, Option<PathBuf>, Option<String>);
/// Built values by key, with the error of one that could not be built.
type Cache<K, V> = Mutex<HashMap<K, Result<V, String>>>;

/// Why an HTTPS configuration cannot be used.
pub(super) enum Unusable {
    /// The suite's files (`ca:`, `client_cert`…): a configuration error.
    Config(String),
    /// This machine trusts no CA at all: a local error, not the target's.
    NoRoots(String),
}

/// The cached value for `key`, built by `build` under the lock on first use: the first
/// probes of a run all want the same one, and building it once beats building it
/// concurrently and discarding copies.
fn cached<K: Eq + Hash, V: Clone>(
    map: &Mutex<HashMap<K, Result<V, String>>>,
    key: K,
    build: impl FnOnce() -> Result<V, String>,
) -> Result<V, String> {
    // Poisoning can only come from a panic while building; the map is still consistent.
    let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
    map.entry(key).or_insert_with(build).clone()
}

impl Clients {
    /// `base_dir` is the suite file's folder: relative `ca:` paths are relative to it.
    pub fn new(base_dir: &Path) -> Clients {
        Clients {
            base_dir: base_dir.to_path_buf(),
            plain: Mutex::default(),
            trust: Mutex::default(),
            identities: Mutex::default(),
            setups: Mutex::default(),
            pool: Pool::new(false),
        }
    }

    /// Lets a check reuse a connection a previous check of the same endpoint left open.
    pub fn reuse_connections(mut self, reuse: bool) -> Clients {
        self.pool = Pool::new(reuse);
        self
    }

    /// The client for plain-HTTP hops with this `host:` override.
    pub(super) fn plain(
        &self,
        resolve: Option<&(String, IpAddr)>,
    ) -> Result<reqwest::Client, String> {
        // One switch for both paths: the pool's.
        let reuse = self.pool.is_on();
        cached(&self.plain, resolve.cloned(), || {
            // It never speaks TLS (HTTPS hops are `conn`'s), so it needs no CA at all.
            let mut b = client_builder(reuse).tls_certs_only(Vec::new());
            if let Some((name, ip)) = resolve {
                // Port 0: the URL's port is used.
                b = b.resolve(name, SocketAddr::new(*ip, 0));
            }
            b.build()
                .map_err(|e| format!("cannot set up an HTTP client: {}", innermost(&e)))
        })
    }

    /// The TLS configuration of this spec's HTTPS hops. A file that cannot be used stays an
    /// error for the whole run: it is read once, like the suite.
    pub(super) fn https(&self, spec: &HttpSpec<Text>) -> Result<Https, Unusable> {
        let trust = if spec.insecure {
            // Verification is off with `insecure`, so a CA would change nothing.
            None
        } else {
            let path = spec.ca.as_ref().map(|ca| self.base_dir.join(ca.expose()));
            let trust = cached(&self.trust, path.clone(), || {
                build_trust(path.as_deref(), spec.ca.as_ref()).map(Arc::new)
            })
            .map_err(Unusable::Config)?;
            if trust.is_empty() {
                return Err(Unusable::NoRoots(
                    "no usable CA certificate in the system store (none found); give `ca:` or install the system CA certificates".into(),
                ));
            }
            Some(trust)
        };
        let id_key = spec.client_cert.as_ref().map(|c| {
            (
                self.base_dir.join(c.expose()),
                spec.client_key
                    .as_ref()
                    .map(|k| self.base_dir.join(k.expose())),
                spec.client_cert_password.as_ref().map(Text::expose),
            )
        });
        let identity = match &id_key {
            Some(k) => Some(
                cached(&self.identities, k.clone(), || {
                    Identity::load(&k.0, k.1.as_deref(), k.2.as_deref()).map(Arc::new)
                })
                .map_err(Unusable::Config)?,
            ),
            None => None,
        };
        let min = spec.tls.min_version;
        let setup = cached(&self.setups, (min, id_key), || {
            TlsSetup::new(min, identity).map(Arc::new)
        })
        .map_err(Unusable::Config)?;
        Ok(Https { trust, setup })
    }
}

/// The trust store: the system's, plus the suite's `ca:` file when given (`ca_shown` as the
/// suite wrote it: a templated path may hold a secret).
fn build_trust(path: Option<&Path>, ca_shown: Option<&Text>) -> Result<Trust, String> {
    let shown = ca_shown.map(ToString::to_string).unwrap_or_default();
    let pem = match path {
        Some(p) => Some(
            read_capped(p, MAX_CA_BYTES, "the 16 MiB a CA bundle may hold")
                .map_err(|e| format!("cannot read CA file `{shown}` ({}): {e}", p.display()))?,
        ),
        None => None,
    };
    Trust::new(pem.as_deref()).map_err(|e| format!("CA file `{shown}`: {e}"))
}

fn client_builder(reuse: bool) -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder()
        // Redirects are followed by hand: reqwest cannot tell how many hops a response took.
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would test the proxy, not the network path.
        .no_proxy()
        .user_agent(USER_AGENT)
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

/// The largest CA bundle read: the system's whole store is under 300 KiB; a bundle of 16 MiB
/// is a mistake (or `/dev/zero`), and would be read without end.
const MAX_CA_BYTES: u64 = 16 * 1024 * 1024;
