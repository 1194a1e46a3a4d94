//! What `netaccept validate` makes of input files that are not plain, small files: an
//! inventory folder's entries that are dangling symbolic links, symbolic link loops, FIFOs
//! or folders named `*.yaml`; a file over the size cap (a sparse file, so the test writes
//! nothing), a folder over its total cap, and `/dev/zero` or a FIFO named as the inventory.
//! Each must be exit 2 with an error naming the entry, and end at once: a FIFO must never be
//! opened for reading (that would block) and `/dev/zero` never read. Also a line of a
//! megabyte with a mistake in it: the diagnostic shows a window of it, not all of it.
//!
//! Every run here has a deadline, so that a regression shows as a failure, not a hung test.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A small valid inventory file.
const NODE: &str = "nodes:\n  - id: national\n    name: 总局\n    level: national\n";

/// A valid province file for the same folder.
const PROVINCE: &str =
    "nodes:\n  - id: bj\n    name: 北京\n    level: provincial\n    parent: national\n";

/// `netaccept validate -i INVENTORY` in `dir`, killed if it has not ended within 20 s. Its
/// output is read as it comes, so that a flood of diagnostics cannot block it on a full pipe.
fn validate(dir: &Path, inventory: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(["validate", "-i", inventory])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run netaccept");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).expect("read output");
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().expect("kill");
            child.wait().expect("wait");
            panic!(
                "validate -i {inventory} still ran after 20 s (blocked?)\n{}",
                String::from_utf8_lossy(&stderr.join().expect("stderr"))
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// Asserts exit 2, nothing on stdout, and every needle on stderr.
fn assert_refused(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "not exit 2:\n{stderr}");
    assert!(out.stdout.is_empty(), "printed to stdout on error");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    }
}

/// A folder `inv/` holding a valid centre file and a valid province file.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("inv")).unwrap();
    std::fs::write(dir.path().join("inv/00-national.yaml"), NODE).unwrap();
    std::fs::write(dir.path().join("inv/11-beijing.yaml"), PROVINCE).unwrap();
    let ok = validate(dir.path(), "inv");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the folder alone is valid: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    dir
}

#[test]
fn a_dangling_symlink_in_an_inventory_folder_is_an_error_naming_it() {
    let dir = folder();
    symlink("gone.yaml", dir.path().join("inv/12-tianjin.yaml")).unwrap();
    let out = validate(dir.path(), "inv");
    assert_refused(
        &out,
        &["inv/12-tianjin.yaml", "gone.yaml", "does not exist"],
    );
}

#[test]
fn a_symlink_loop_in_an_inventory_folder_is_an_error_naming_it() {
    let dir = folder();
    symlink("13-hebei.yaml", dir.path().join("inv/13-hebei.yaml")).unwrap();
    let out = validate(dir.path(), "inv");
    assert_refused(&out, &["inv/13-hebei.yaml", "loop"]);
}

#[test]
fn a_fifo_in_an_inventory_folder_is_an_error_naming_it_without_blocking() {
    let dir = folder();
    let fifo = dir.path().join("inv/14-shanxi.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success(), "mkfifo failed");
    let out = validate(dir.path(), "inv");
    assert_refused(&out, &["inv/14-shanxi.yaml", "not a regular file"]);
}

#[test]
fn a_folder_named_yaml_in_an_inventory_folder_is_an_error_naming_it() {
    let dir = folder();
    std::fs::create_dir(dir.path().join("inv/15-neimenggu.yaml")).unwrap();
    let out = validate(dir.path(), "inv");
    assert_refused(&out, &["inv/15-neimenggu.yaml", "a folder"]);
}

#[test]
fn a_symlink_to_a_good_file_in_an_inventory_folder_is_read() {
    let dir = folder();
    std::fs::write(dir.path().join("tianjin.txt"), PROVINCE.replace("bj", "tj")).unwrap();
    symlink("../tianjin.txt", dir.path().join("inv/12-tianjin.yaml")).unwrap();
    let out = validate(dir.path(), "inv");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("ok: 3 nodes"), "{stdout}");
}

#[test]
fn a_file_over_the_size_cap_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: 16 MiB and one byte of nothing on disk.
    let f = File::create(dir.path().join("big.yaml")).unwrap();
    f.set_len(16 * 1024 * 1024 + 1).unwrap();
    let out = validate(dir.path(), "big.yaml");
    assert_refused(&out, &["big.yaml", "16 MiB"]);
}

#[test]
fn a_file_at_the_size_cap_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = NODE.to_string();
    text.push_str(&" ".repeat(16 * 1024 * 1024 - text.len()));
    std::fs::write(dir.path().join("full.yaml"), text).unwrap();
    let out = validate(dir.path(), "full.yaml");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_inventory_folder_over_its_total_cap_is_refused_before_it_is_read() {
    let dir = folder();
    for i in 0..5 {
        let f = File::create(dir.path().join(format!("inv/2{i}-big.yaml"))).unwrap();
        f.set_len(15 * 1024 * 1024).unwrap();
    }
    let out = validate(dir.path(), "inv");
    assert_refused(&out, &["inv", "64 MiB"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("20-big.yaml:"),
        "a file was parsed:\n{stderr}"
    );
}

#[test]
fn dev_zero_as_the_inventory_ends_at_once_with_exit_2() {
    let start = Instant::now();
    let out = validate(Path::new("/"), "/dev/zero");
    assert_refused(&out, &["/dev/zero", "not a regular file"]);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_fifo_as_the_inventory_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("inventory.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success(), "mkfifo failed");
    let out = validate(dir.path(), "inventory.yaml");
    assert_refused(&out, &["inventory.yaml", "not a regular file"]);
}

#[test]
fn a_one_megabyte_line_is_not_echoed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let name = "名".repeat(350_000);
    let text = format!(
        "nodes:\n  - {{ id: national, name: \"{name}\", level: natinal, tags: [{}] }}\n",
        vec!["t"; 1000].join(", ")
    );
    assert!(text.len() > 1_000_000);
    std::fs::write(dir.path().join("inventory.yaml"), text).unwrap();
    let out = validate(dir.path(), "inventory.yaml");
    assert_refused(&out, &["unknown level `natinal`", "inventory.yaml:2:"]);
    assert!(
        out.stderr.len() < 2_000,
        "{} bytes on stderr:\n{}",
        out.stderr.len(),
        String::from_utf8_lossy(&out.stderr)
    );
}
