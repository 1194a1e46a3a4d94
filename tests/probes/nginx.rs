//! nginx as a server the prober did not grow up with: one nginx process (no master, no
//! daemon) on a loopback port, either serving files from a temporary folder over plain HTTP
//! (gzip on for JSON and HTML) or speaking TLS with OpenSSL: the certificate chain file,
//! protocols and ciphers a test chooses, several `server` blocks chosen by SNI, HTTP/2.
//! Without nginx on the machine the test is skipped by the skip rule
//! (`support::host::skip`); CI installs `nginx-light`.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::host::skip;

/// Where nginx is: Debian puts it in /usr/sbin, which a user's PATH may lack.
fn binary() -> Option<String> {
    ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("-v")
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(str::to_string)
}

/// A running nginx, stopped when dropped.
pub struct Nginx {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

/// One TLS `server` block: the certificates it sends and the names it answers to.
pub struct TlsSite<'a> {
    /// `server_name`s; SNI (and the `Host` header) choose the block by them.
    pub names: &'a [&'a str],
    /// The `ssl_certificate` file as the test wants the server to send it: the leaf first,
    /// then whatever else (nothing, the intermediate, the root, in any order).
    pub chain: Vec<u8>,
    /// The leaf's private key, PEM.
    pub key: Vec<u8>,
    /// What every path of this block answers (as JSON), so that a test sees which block
    /// served the request, not only which certificate came.
    pub body: &'a str,
    /// The block of the listening socket that answers when SNI names none of the others,
    /// or when there is no SNI at all (a URL by address).
    pub default: bool,
}

/// What the whole TLS nginx speaks (set at `http` level: OpenSSL decides the protocol and
/// cipher before SNI picks a block, so per-block values would only confuse).
pub struct TlsConfig<'a> {
    /// `ssl_protocols`, nginx's spelling: `TLSv1.2 TLSv1.3`.
    pub protocols: &'a str,
    /// `ssl_ciphers`, OpenSSL's cipher string; `None` keeps nginx's default. Serving SHA-1
    /// signed or RSA-1024 certificates needs `DEFAULT:@SECLEVEL=0`: Debian's OpenSSL refuses
    /// to load them at its default level 2.
    pub ciphers: Option<&'a str>,
    /// `listen … http2`: ALPN offers `h2`.
    pub http2: bool,
    /// `ssl_verify_client on` with this CA bundle (PEM): mutual TLS, as provincial data
    /// exchanges use it.
    pub client_ca: Option<&'a [u8]>,
    /// A default block that refuses every handshake (`ssl_reject_handshake on`): a name
    /// must be asked for by SNI; the sites' `default` is then only the caller's bookkeeping.
    pub reject_without_sni: bool,
}

impl Default for TlsConfig<'_> {
    fn default() -> Self {
        TlsConfig {
            protocols: "TLSv1.2 TLSv1.3",
            ciphers: None,
            http2: false,
            client_ca: None,
            reject_without_sni: false,
        }
    }
}

impl Nginx {
    /// nginx serving `files` (name, bytes) from its root; `None` (said on the terminal)
    /// when nginx is not installed here.
    pub fn start(files: &[(&str, &[u8])]) -> Option<Nginx> {
        let nginx = installed()?;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("www")).unwrap();
        for (name, bytes) in files {
            std::fs::write(d.join("www").join(name), bytes).unwrap();
        }
        let addr = free_port("127.0.77.1");
        std::fs::write(d.join("nginx.conf"), config(d, addr)).unwrap();
        Some(Nginx::launch(&nginx, dir, addr))
    }

    /// nginx speaking TLS on `ip` (of 127.0.77.0/24), one `server` block per site; `None`
    /// (said on the terminal) when nginx is not installed here.
    pub fn start_tls(ip: &str, tls: &TlsConfig, sites: &[TlsSite]) -> Option<Nginx> {
        assert!(
            sites.iter().filter(|s| s.default).count() == 1,
            "exactly one site is the default_server"
        );
        let nginx = installed()?;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (i, site) in sites.iter().enumerate() {
            std::fs::write(d.join(format!("site{i}.chain.pem")), &site.chain).unwrap();
            std::fs::write(d.join(format!("site{i}.key.pem")), &site.key).unwrap();
        }
        if let Some(ca) = tls.client_ca {
            std::fs::write(d.join("client-ca.pem"), ca).unwrap();
        }
        let addr = free_port(ip);
        std::fs::write(d.join("nginx.conf"), tls_config(d, addr, tls, sites)).unwrap();
        Some(Nginx::launch(&nginx, dir, addr))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn launch(nginx: &str, dir: tempfile::TempDir, addr: SocketAddr) -> Nginx {
        let d = dir.path().to_path_buf();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&d)
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .arg("-e")
            .arg(d.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut n = Nginx {
            child,
            addr,
            _dir: dir,
        };
        n.wait_ready(&d);
        n
    }

    fn wait_ready(&mut self, d: &Path) {
        let until = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.addr).is_err() {
            let log = || std::fs::read_to_string(d.join("error.log")).unwrap_or_default();
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("nginx exited ({status}): {}", log());
            }
            assert!(Instant::now() < until, "nginx did not listen: {}", log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed() -> Option<String> {
    let found = binary();
    if found.is_none() {
        skip("nginx is not installed (apt-get install nginx-light)");
    }
    found
}

/// A port the kernel just gave out, on an address of the loopback net the other tests do
/// not use, so that nothing takes it before nginx does.
fn free_port(ip: &str) -> SocketAddr {
    TcpListener::bind((ip, 0)).unwrap().local_addr().unwrap()
}

/// What every configuration starts with: one process in the foreground, everything it
/// writes under the test's folder.
fn preamble(d: &Path) -> String {
    let d = d.display();
    format!(
        "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
"
    )
}

fn temp_paths(d: &Path) -> String {
    let d = d.display();
    format!(
        "    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fastcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
"
    )
}

fn config(d: &Path, addr: SocketAddr) -> String {
    let (pre, temp) = (preamble(d), temp_paths(d));
    let d = d.display();
    format!(
        "{pre}http {{
    access_log off;
{temp}    types {{ application/json json; text/html html; }}
    gzip on;
    gzip_types application/json;
    gzip_min_length 0;
    server {{
        listen {addr};
        root {d}/www;
    }}
}}
"
    )
}

fn tls_config(d: &Path, addr: SocketAddr, tls: &TlsConfig, sites: &[TlsSite]) -> String {
    let mut c = preamble(d);
    c.push_str("http {\n    access_log off;\n");
    c.push_str(&temp_paths(d));
    writeln!(c, "    ssl_protocols {};", tls.protocols).unwrap();
    if let Some(ciphers) = tls.ciphers {
        writeln!(c, "    ssl_ciphers {ciphers};").unwrap();
    }
    let http2 = if tls.http2 { " http2" } else { "" };
    let dd = d.display();
    if tls.client_ca.is_some() {
        writeln!(c, "    ssl_client_certificate {dd}/client-ca.pem;").unwrap();
        writeln!(c, "    ssl_verify_client on;").unwrap();
    }
    if tls.reject_without_sni {
        writeln!(
            c,
            "    server {{\n        listen {addr} ssl{http2} default_server;\n        ssl_reject_handshake on;\n    }}"
        )
        .unwrap();
    }
    for (i, site) in sites.iter().enumerate() {
        let default = if site.default && !tls.reject_without_sni {
            " default_server"
        } else {
            ""
        };
        let names = if site.names.is_empty() {
            // nginx's "no name": the block is reached only as the default.
            "\"\"".to_string()
        } else {
            site.names.join(" ")
        };
        // A single quote would end nginx's string: the bodies are the tests' own labels.
        assert!(!site.body.contains('\''), "{}", site.body);
        write!(
            c,
            "    server {{
        listen {addr} ssl{http2}{default};
        server_name {names};
        ssl_certificate {dd}/site{i}.chain.pem;
        ssl_certificate_key {dd}/site{i}.key.pem;
        location / {{
            default_type application/json;
            return 200 '{body}';
        }}
        # nginx's serial number of the connection a request came on: tells a reused
        # connection from a new one (`tls_reuse`).
        location = /connection {{
            default_type text/plain;
            return 200 '$connection';
        }}
    }}
",
            body = site.body
        )
        .unwrap();
    }
    c.push_str("}\n");
    c
}
