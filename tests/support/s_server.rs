//! `openssl s_server` (Debian's `openssl` binary) on a free loopback port, as the TLS
//! tests' reference server: the OpenSSL a government server runs, configured by its own
//! flags (`-cipher`, `-tls1`, `-no_tls1_3`, `-Verify 1 -CAfile …`), serving one file with
//! `-WWW`. Certificates come from `support::pki`; the server is killed on drop.
//!
//! ```ignore
//! let server = SServer::start(&chain_pem, &key_pem, &[], &["-no_tls1_3", "-cipher", "AES256-SHA256"]);
//! let url = server.url(); // https://127.0.0.1:PORT/index.html
//! ```

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `/index.html` holds.
pub const BODY: &str = "hello from s_server\n";

/// A running `openssl s_server`.
pub struct SServer {
    child: Child,
    pub port: u16,
    /// Holds the certificate files and the served page (the server's working folder).
    _dir: tempfile::TempDir,
}

impl SServer {
    /// Starts `s_server` with `chain_pem` (the leaf, then the intermediates it sends) and
    /// `key_pem`, `files` written beside them first (for `-CAfile name`), plus `args`;
    /// returns once it accepts connections. Panics when it does not start within 10 s (its
    /// stderr is shown).
    pub fn start(
        chain_pem: &[u8],
        key_pem: &[u8],
        files: &[(&str, &[u8])],
        args: &[&str],
    ) -> SServer {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "cert.pem", chain_pem);
        write(dir.path(), "key.pem", key_pem);
        write(dir.path(), "index.html", BODY.as_bytes());
        for (name, bytes) in files {
            write(dir.path(), name, bytes);
        }
        // A port the kernel just gave out and took back: free unless raced, which the
        // wait below would show.
        let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("openssl")
            .current_dir(dir.path())
            .args(["s_server", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-cert", "cert.pem", "-key", "key.pem", "-WWW", "-quiet"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl s_server (Debian's openssl package)");
        let mut server = SServer {
            child,
            port,
            _dir: dir,
        };
        server.wait_ready();
        server
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The page it serves, by address.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/index.html", self.port)
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("s_server exited ({status}): {err}");
            }
            if TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("s_server did not accept on port {} within 10 s", self.port);
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}
