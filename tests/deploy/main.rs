//! The `deploy` test binary: the deployment files of `deploy/` on the engines that run them.
//! The systemd units under `systemd-analyze verify`; the Ansible playbook under
//! `ansible-lint` and run for real (three probe hosts and the national centre, each a
//! folder of its own on this machine, with `ansible_connection: local`) against
//! `netaccept sim`, ending with a merged national record; the Kubernetes Indexed Job and
//! the GitLab `parallel: matrix` examples parsed, with their shards covering 1..N.
//!
//! Not here: what `run`, `merge` or `verify` do on their own (`tests/e2e`, `tests/cli`).
//! The index of the test binaries is `tests/README.md`.
//!
//! Tools: `systemd-analyze` (Debian's `systemd`), and `python3 -m venv` with PyPI once, for
//! ansible-core and ansible-lint in `target/ansible-venv`. Without them a test says why on
//! stderr and passes, unless `CI` is set, where it fails (`support::host::skip`).

/// The Ansible playbook and role: lint, syntax, and the whole flow with its second run.
mod ansible;
/// The Kubernetes Indexed Job and the GitLab CI example: YAML, and the shard arithmetic.
mod examples;
/// The service and timer units under `systemd-analyze verify`; the nightly pair's flags.
mod systemd;

/// Helpers shared with other test binaries (`tests/support/`): only the ones used here.
#[path = "../support"]
mod support {
    pub mod host;
    pub mod venv;
}

use std::path::{Path, PathBuf};

/// `deploy/` in the checkout.
fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

/// The text of a file under `deploy/`.
fn read_deploy(rel: &str) -> String {
    let p = deploy_dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
