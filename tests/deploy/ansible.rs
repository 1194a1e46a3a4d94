//! `deploy/ansible/`: the playbook passes `ansible-lint` (profile production) and
//! `--syntax-check`, and runs for real: three probe hosts (the vantages `national`, `heb`
//! and `gd` of `tests/fixtures/deploy/inventory/`) and the national centre, each a folder of its own
//! on this machine (`ansible_connection: local`, `netaccept_root`, systemd left alone),
//! against `netaccept sim` on loopback. The installation, an on-demand run (`--tags run`),
//! the collection and merge (`--tags collect`) end with a merged national record in the
//! centre's folder, and the installation run again changes nothing.
//!
//! ansible-core and ansible-lint come from PyPI, at pinned versions, into a venv made once
//! under `target/ansible-venv` (built beside it and renamed into place, as
//! `support/junit.rs` does for junitparser, so that concurrent test binaries never see a
//! half-made one).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::host;

const ANSIBLE_CORE: &str = "ansible-core==2.17.7";
const ANSIBLE_LINT: &str = "ansible-lint==24.12.2";

/// `target/`, beside `CARGO_TARGET_TMPDIR` (`target/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

fn has_ansible(venv: &Path) -> bool {
    Command::new(venv.join("bin/ansible-lint"))
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new(venv.join("bin/ansible-playbook"))
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Points the venv's scripts (`#!/…/ansible-venv.tmp-…/bin/python`) at the venv's new name.
/// pip writes the interpreter's absolute path into each script; the venv is built under a
/// name of its own and renamed, so the scripts would name a folder that is gone.
fn fix_shebangs(built: &Path, venv: &Path) -> Result<(), String> {
    let (from, to) = (built.display().to_string(), venv.display().to_string());
    let bin = venv.join("bin");
    for e in std::fs::read_dir(&bin).map_err(|e| format!("{}: {e}", bin.display()))? {
        let path = e.map_err(|e| e.to_string())?.path();
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let Some(first) = text.split(|b| *b == b'\n').next() else {
            continue;
        };
        let first = String::from_utf8_lossy(first);
        if first.starts_with("#!") && first.contains(&from) && !path.is_symlink() {
            let mut fixed = first.replace(&from, &to).into_bytes();
            fixed.extend_from_slice(&text[first.len()..]);
            std::fs::write(&path, fixed).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The venv's `bin/`, with ansible-core and ansible-lint, made on first use; `None` when it
/// cannot be made (and CI is not set).
fn venv_bin() -> Option<PathBuf> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = target_dir().join("ansible-venv");
    if has_ansible(&venv) {
        return Some(venv.join("bin"));
    }
    let tmp = venv.with_file_name(format!(
        "ansible-venv.tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    if let Err(why) = crate::support::venv::build(&tmp, &[ANSIBLE_CORE, ANSIBLE_LINT]) {
        let _ = std::fs::remove_dir_all(&tmp);
        host::skip(&format!(
            "{why} (python3-venv and PyPI are needed for {ANSIBLE_CORE} and {ANSIBLE_LINT})"
        ));
        return None;
    }
    if std::fs::rename(&tmp, &venv).is_ok() {
        if let Err(why) = fix_shebangs(&tmp, &venv) {
            let _ = std::fs::remove_dir_all(&venv);
            host::skip(&why);
            return None;
        }
    } else {
        // Another process won the race, or a broken venv is in the way.
        let _ = std::fs::remove_dir_all(&tmp);
        if !has_ansible(&venv) {
            let _ = std::fs::remove_dir_all(&venv);
            if let Err(why) = crate::support::venv::build(&tmp, &[ANSIBLE_CORE, ANSIBLE_LINT])
                .and_then(|()| {
                    std::fs::rename(&tmp, &venv).map_err(|e| format!("renaming the venv: {e}"))
                })
                .and_then(|()| fix_shebangs(&tmp, &venv))
            {
                let _ = std::fs::remove_dir_all(&tmp);
                host::skip(&why);
                return None;
            }
        }
    }
    Some(venv.join("bin"))
}

/// A copy of `deploy/ansible` in `to`, so that the tools' caches and the collected files
/// stay out of the checkout.
fn copy_playbook(to: &Path) {
    fn walk(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir") {
            let e = e.expect("entry");
            let (f, t) = (e.path(), to.join(e.file_name()));
            if e.file_type().expect("type").is_dir() {
                walk(&f, &t);
            } else {
                std::fs::copy(&f, &t).expect("copy");
            }
        }
    }
    walk(&crate::deploy_dir().join("ansible"), to);
}

/// An Ansible command of the venv in `dir`, with its state kept under `home`.
fn ansible(bin: &Path, tool: &str, dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(bin.join(tool));
    cmd.current_dir(dir)
        .env("ANSIBLE_HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_REMOTE_TEMP", home.join("remote-tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("XDG_CACHE_HOME", home.join("cache"))
        // The venv's own tools first (ansible-lint runs ansible-playbook).
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    cmd
}

fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_playbook_passes_ansible_lint_and_its_syntax_check() {
    let Some(bin) = venv_bin() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("ansible");
    copy_playbook(&dir);
    let home = tmp.path().join("home");
    let out = ansible(&bin, "ansible-lint", &dir, &home)
        .output()
        .expect("ansible-lint");
    let said = ok(&out, "ansible-lint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Profile 'production' was required, and it passed"),
        "ansible-lint: {said}\n{stderr}"
    );
    let out = ansible(&bin, "ansible-playbook", &dir, &home)
        .args(["-i", "inventory.example.yml", "site.yml", "--syntax-check"])
        .output()
        .expect("ansible-playbook");
    ok(&out, "ansible-playbook --syntax-check");
}

/// `netaccept sim` serving the fixture network until dropped.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sim(inventory: &Path, dir: &Path) -> Sim {
    let log = dir.join("sim.log");
    let ready = dir.join("sim-ready.json");
    let child = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["sim", "-i"])
        .arg(inventory)
        .arg("--ca-out")
        .arg(dir.join("sim-ca.pem"))
        .arg("--ready-file")
        .arg(&ready)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("sim.log"))
        .spawn()
        .expect("netaccept sim");
    let mut sim = Sim(child);
    let start = Instant::now();
    while !ready.exists() {
        if let Ok(Some(status)) = sim.0.try_wait() {
            panic!(
                "netaccept sim stopped ({status}):\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "netaccept sim not ready in 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sim
}

/// The PLAY RECAP's `changed=` of every host.
fn changed(stdout: &str) -> Vec<(String, u32)> {
    let recap = stdout
        .split("PLAY RECAP")
        .nth(1)
        .unwrap_or_else(|| panic!("no PLAY RECAP in:\n{stdout}"));
    recap
        .lines()
        .filter(|l| l.contains("changed="))
        .map(|l| {
            let host = l.split_whitespace().next().unwrap_or("").to_string();
            let n = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("changed="))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("recap line {l:?}"));
            (host, n)
        })
        .collect()
}

const PROBES: [(&str, &str); 3] = [
    ("probe-national", "national"),
    ("probe-heb", "heb"),
    ("probe-gd", "gd"),
];

#[test]
fn three_probe_hosts_and_the_centre_end_with_a_merged_record_and_a_second_run_changes_nothing() {
    let Some(bin) = venv_bin() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let dir = t.join("ansible");
    copy_playbook(&dir);
    let home = t.join("home");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy");
    let _sim = start_sim(&fixtures.join("inventory"), t);

    // Four hosts on this machine, each in a folder of its own.
    let root = |h: &str| t.join("hosts").join(h);
    let mut hosts = String::from("probes:\n  hosts:\n");
    for (h, v) in PROBES {
        hosts += &format!(
            "    {h}:\n      vantage_id: {v}\n      netaccept_root: \"{}\"\n",
            root(h).display()
        );
    }
    hosts += &format!(
        "centre:\n  hosts:\n    centre:\n      netaccept_root: \"{}\"\n",
        root("centre").display()
    );
    hosts += &format!(
        "all:\n  vars:\n    ansible_connection: local\n    ansible_python_interpreter: \"{}\"\n    \
         netaccept_manage_systemd: false\n    netaccept_binary_src: \"{}\"\n    \
         netaccept_inventory_src: \"{}\"\n    netaccept_suite_src: \"{}\"\n    \
         netaccept_stage_dir: \"{}\"\n",
        bin.join("python").display(),
        env!("CARGO_BIN_EXE_netaccept"),
        fixtures.join("inventory").display(),
        fixtures.join("suite.yaml").display(),
        t.join("stage").display(),
    );
    std::fs::write(dir.join("hosts.yml"), hosts).expect("hosts.yml");
    let playbook = |tags: Option<&str>| {
        let mut cmd = ansible(&bin, "ansible-playbook", &dir, &home);
        cmd.args(["-i", "hosts.yml", "site.yml"]);
        if let Some(tags) = tags {
            cmd.args(["--tags", tags]);
        }
        let out = cmd.output().expect("ansible-playbook");
        ok(&out, &format!("ansible-playbook site.yml --tags {tags:?}"))
    };

    // The installation.
    let first = playbook(None);
    assert!(
        changed(&first).iter().all(|(_, n)| *n > 0),
        "the first run installs on every host: {:?}",
        changed(&first)
    );
    for (h, v) in PROBES {
        let key = root(h).join(format!("etc/netaccept/keys/{v}.key"));
        let mode = std::fs::metadata(&key)
            .unwrap_or_else(|e| panic!("{}: {e}", key.display()))
            .permissions();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.mode() & 0o777, 0o600, "{}", key.display());
        assert!(
            root("centre")
                .join(format!("etc/netaccept/keys/{v}.pub"))
                .is_file()
        );
        assert!(
            root(h)
                .join("etc/systemd/system/netaccept@.timer")
                .is_file()
        );
    }

    // On demand: each vantage runs, then the centre collects and merges.
    playbook(Some("run"));
    let collected = playbook(Some("collect"));
    let merged_dir = root("centre").join("var/lib/netaccept/merged");
    let records: Vec<PathBuf> = std::fs::read_dir(&merged_dir)
        .expect("merged/")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(
        records.len(),
        1,
        "one record in {}: {collected}",
        merged_dir.display()
    );
    let text = std::fs::read_to_string(records[0].join("results.json")).expect("results.json");
    let record: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let bundles = record["bundles"].as_array().expect("bundles");
    let mut vantages: Vec<&str> = bundles
        .iter()
        .map(|b| b["vantage_id"].as_str().expect("vantage_id"))
        .collect();
    vantages.sort_unstable();
    assert_eq!(vantages, ["gd", "heb", "national"]);
    assert!(
        bundles.iter().all(|b| b["signer"].is_string()),
        "every bundle signed: {bundles:?}"
    );
    let results = record["results"].as_array().expect("results");
    assert_eq!(results.len(), 8, "every planned item once");
    for r in results {
        assert_eq!(r["status"], "passed", "{r}");
    }
    let of = |node: &str| {
        results
            .iter()
            .find(|r| r["node"] == node)
            .map(|r| r["vantage"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(
        of("heb-sjz").as_deref(),
        Some("heb"),
        "a prefecture from its province"
    );
    assert_eq!(of("gd").as_deref(), Some("gd"));
    assert_eq!(of("national").as_deref(), Some("national"));
    // Left out of the summary when 0.
    assert_eq!(record["summary"]["not_reported"].as_u64().unwrap_or(0), 0);

    // The installation again: nothing to do.
    let again = playbook(None);
    for (h, n) in changed(&again) {
        assert_eq!(n, 0, "{h} changed on the second run:\n{again}");
    }

    // The service's own command, as systemd would run it for the instance `heb` (its `$$`
    // and `%%` unescaped, `%i` filled, the key handed over in CREDENTIALS_DIRECTORY): a new
    // signed bundle that `verify` accepts with the site's public key.
    exec_start_makes_a_bundle(&root("probe-heb"), t);

    // The units the role wrote, for a probe host's own paths, pass systemd-analyze too.
    let units = root("probe-heb").join("etc/systemd/system");
    let check = t.join("units");
    std::fs::create_dir_all(&check).expect("mkdir");
    let mut paths = Vec::new();
    for kind in ["service", "timer"] {
        let to = check.join(format!("netaccept@heb.{kind}"));
        std::fs::copy(units.join(format!("netaccept@.{kind}")), &to).expect("copy unit");
        paths.push(to);
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    crate::systemd::verify_units(&refs);
}

/// Runs the `ExecStart=` of the `netaccept@.service` the role wrote under `host` for the
/// instance `heb`, and checks the bundle it makes.
fn exec_start_makes_a_bundle(host: &Path, t: &Path) {
    let unit = std::fs::read_to_string(host.join("etc/systemd/system/netaccept@.service"))
        .expect("the service unit");
    let line = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart=");
    let line = line
        .replace("$$", "$")
        .replace("%%", "\0")
        .replace("%i", "heb")
        .replace('\0', "%");
    let creds = t.join("credentials");
    std::fs::create_dir_all(&creds).expect("mkdir");
    std::fs::copy(host.join("etc/netaccept/sign.key"), creds.join("sign.key")).expect("key");
    let bundles = host.join("var/lib/netaccept/bundles/heb");
    let before: Vec<_> = std::fs::read_dir(&bundles).expect("bundles").collect();
    // A second apart from the bundle of `--tags run`, so the names differ.
    std::thread::sleep(Duration::from_millis(1100));
    let out = Command::new("sh")
        .args(["-c", &line])
        .env("CREDENTIALS_DIRECTORY", &creds)
        .output()
        .expect("sh");
    ok(&out, &format!("ExecStart: {line}"));
    let mut after: Vec<PathBuf> = std::fs::read_dir(&bundles)
        .expect("bundles")
        .map(|e| e.expect("entry").path())
        .collect();
    after.sort();
    assert_eq!(after.len(), before.len() + 1, "one new bundle: {after:?}");
    let newest = after.last().expect("a bundle");
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .arg("verify")
        .arg(newest)
        .arg("--key")
        .arg(host.join("etc/netaccept/keys/heb.pub"))
        .output()
        .expect("netaccept verify");
    ok(&out, "netaccept verify of the service's bundle");
}
