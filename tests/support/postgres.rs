//! A real PostgreSQL server for the history store's tests, and a fresh database in it per
//! test.
//!
//! With `NETACCEPT_TEST_POSTGRES` set (a libpq `key=value` string or a `postgres://` URL of
//! a server where the tests may `CREATE DATABASE`), that server is used. Otherwise the
//! tests start a private cluster of Debian's `postgresql` (`/usr/lib/postgresql/<v>/bin`):
//! `initdb` into a temporary folder, then `postgres` listening on a Unix socket in that
//! folder only (no TCP port), both as the `postgres` user when the tests run as root (the
//! server refuses root; CI runs as root), else as the user running them. It is started
//! once per test binary, from a thread that lives as long as the process, and dies with
//! the process (`setpriv --pdeathsig`), its folder removed after it stops.
//!
//! Where PostgreSQL is not installed, [`database`] returns `None` after the skip rule of
//! [`super::host::skip`] (CI installs it with `.ci/run`, and would fail instead).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long the private cluster may take to answer after `postgres` starts.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A database made for one test, dropped when the value is.
pub struct Database {
    /// The connection string of this database (no password in it).
    pub conninfo: String,
    name: String,
    admin: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The server's admin connection string, once per process; `None` when no server can be
/// had here.
fn server() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var("NETACCEPT_TEST_POSTGRES") {
            Ok(c) if !c.trim().is_empty() => Some(c),
            _ => start_private(),
        })
        .as_deref()
}

/// A new, empty database `t_<random>` for the calling test. `None` (the skip rule applied)
/// when PostgreSQL is not installed and no server is given.
pub fn database() -> Option<Database> {
    let Some(admin) = server().map(str::to_string) else {
        super::host::skip(
            "PostgreSQL (Debian package `postgresql`) is not installed, and \
             NETACCEPT_TEST_POSTGRES is not set",
        );
        return None;
    };
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random bytes");
    let name = format!("t_{:016x}", u64::from_le_bytes(bytes));
    let mut c = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin}: {e}"));
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("CREATE DATABASE");
    Some(Database {
        conninfo: with_dbname(&admin, &name),
        name,
        admin,
    })
}

/// The connection string `conninfo` with its database replaced by `name`.
fn with_dbname(conninfo: &str, name: &str) -> String {
    if conninfo.starts_with("postgres://") || conninfo.starts_with("postgresql://") {
        let (base, query) = match conninfo.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (conninfo, None),
        };
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let authority_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let mut url = format!("{}/{name}", &base[..authority_end]);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        url
    } else {
        // libpq and rust-postgres both let a later key win.
        let kept: Vec<&str> = conninfo
            .split_whitespace()
            .filter(|kv| !kv.starts_with("dbname="))
            .collect();
        format!("{} dbname={name}", kept.join(" "))
    }
}

/// The newest installed PostgreSQL's `bin` folder.
fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

/// `uid:gid` of the `postgres` user, from `id`.
fn postgres_user() -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output().ok()?;
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

/// What runs the server's programs: as root (CI), `setpriv` to the `postgres` user (the
/// server refuses root); otherwise the user running the tests.
fn run_as() -> Vec<&'static str> {
    if super::host::is_root() {
        vec![
            "setpriv",
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ]
    } else {
        Vec::new()
    }
}

/// The command `program`, run as [`run_as`] says.
fn as_postgres(program: &Path) -> Command {
    let wrap = run_as();
    let mut c = match wrap.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest);
            c.arg(program);
            c
        }
        None => Command::new(program),
    };
    c.env_remove("PGDATA");
    c
}

fn start_private() -> Option<String> {
    let bin = pg_bin()?;
    // A folder the process does not remove: the server's wrapper removes it after the
    // server stops, which is after this process is gone.
    let dir = tempfile::Builder::new()
        .prefix("netaccept-pg-")
        .tempdir()
        .expect("temporary folder")
        .keep();
    if super::host::is_root() {
        let (uid, gid) = postgres_user()?;
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown to postgres");
    }
    let data = dir.join("data");
    let out = as_postgres(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .current_dir(&dir)
        .output()
        .expect("initdb starts");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir_for_thread = dir.clone();
    let postgres = bin.join("postgres");
    // The server's parent is this thread, which never ends: `--pdeathsig` fires when the
    // thread that started the child ends, and a test's thread ends with the test.
    std::thread::spawn(move || {
        let dir = dir_for_thread;
        let script = r#"
            $RUN_AS "$0" -D "$1/data" -k "$1" \
                -c listen_addresses= -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c max_connections=200 &
            pid=$!
            trap 'kill -INT $pid; wait $pid; rm -rf "$1"; exit 0' TERM INT
            wait $pid
            rm -rf "$1"
        "#;
        let mut child = Command::new("setpriv")
            .args(["--pdeathsig", "TERM", "--", "sh", "-c", script])
            .arg(&postgres)
            .arg(&dir)
            .env("RUN_AS", run_as().join(" "))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        let _ = child.wait();
        loop {
            std::thread::park();
        }
    });
    let admin = format!(
        "host={} port=5432 user=postgres dbname=postgres",
        dir.display()
    );
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(_) => return Some(admin),
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "the private PostgreSQL in {} did not answer within {READY_WITHIN:?}: {e}",
                    dir.display()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
