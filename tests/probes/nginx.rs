//! nginx as an HTTP server the prober did not grow up with: one nginx process (no master,
//! no daemon) serving files from a temporary folder on a loopback port, gzip on for JSON
//! and HTML. Without nginx on the machine the test is skipped by the skip rule
//! (`support::host::skip`); CI installs `nginx-light`.

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

impl Nginx {
    /// nginx serving `files` (name, bytes) from its root; `None` (said on the terminal)
    /// when nginx is not installed here.
    pub fn start(files: &[(&str, &[u8])]) -> Option<Nginx> {
        let Some(nginx) = binary() else {
            skip("nginx is not installed (apt-get install nginx-light)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let d = d.as_path();
        std::fs::create_dir(d.join("www")).unwrap();
        for (name, bytes) in files {
            std::fs::write(d.join("www").join(name), bytes).unwrap();
        }
        // A port the kernel just gave out, on an address of the loopback net the other
        // tests do not use, so that nothing takes it before nginx does.
        let addr = TcpListener::bind("127.0.77.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        std::fs::write(d.join("nginx.conf"), config(d, addr)).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(d)
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
        n.wait_ready(d);
        Some(n)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
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

fn config(d: &Path, addr: SocketAddr) -> String {
    let d = d.display();
    format!(
        "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fastcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
    types {{ application/json json; text/html html; }}
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
