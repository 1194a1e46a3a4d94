//! Bundles: `netaccept keygen`, a run signed with `--sign-key` on loopback, Debian's
//! `minisign -V` and `sha256sum -c` accepting what it wrote, `netaccept verify` accepting it,
//! and every one-byte change of every file of the bundle caught and named (with the library's
//! `bundle::verify`, position by position; with the binary, once per file), as well as a
//! deleted file, an added one, another key's signature and the wrong key.
//!
//! `minisign` is a tool we did not write: missing, the parts that need it are skipped with a
//! reason, and fail under `CI` (see `support::host`).

use std::path::{Path, PathBuf};
use std::process::Command;

use netaccept::bundle::{self, BundleError, Keys, Problem};

use crate::run::{closed_port, counting_listener, tcp_case};
use crate::support::host;
use crate::support::netaccept::{assert_exit, netaccept, report, run_case};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir`, relative, with forward slashes, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files(from) {
        let dest = to.join(&f);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), dest).unwrap();
    }
}

/// Whether `minisign` is here; if not, [`host::skip`] says so (and fails under `CI`).
fn have_minisign(why: &str) -> bool {
    let here = Command::new("minisign").arg("-v").output().is_ok();
    if !here {
        host::skip(&format!(
            "minisign is not installed (apt-get install minisign): {why}"
        ));
    }
    here
}

/// A key pair made by `netaccept keygen` in `dir/keys`, and a run of the two-node TCP case
/// (with `--split provincial`, so that the bundle has a `provinces/` folder) signed with it
/// into `dir/out`.
fn signed_run(dir: &Path) -> (PathBuf, PathBuf) {
    let out = netaccept(&["keygen", "-o", "keys", "--name", "site"], dir, &[]);
    assert_exit(&out, 0);
    let open = counting_listener("127.0.0.1");
    tcp_case(dir, open.addr, closed_port("127.0.0.1"), 0);
    let out = run_case(
        dir,
        "out",
        &["--sign-key", "keys/site.key", "--split", "provincial"],
    );
    // The case has a failing check by design: exit 1, the bundle written all the same.
    assert_exit(&out, 1);
    (dir.join("out"), dir.join("keys/site.pub"))
}

#[test]
fn a_signed_run_is_a_bundle_that_sha256sum_minisign_and_verify_accept() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, public) = signed_run(tmp.path());
    let key = tmp.path().join("keys/site.key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // SHA256SUMS lists every file but itself and its signature, sorted, `sha256sum` lines.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    let listed: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    let mut expected = files(&out);
    expected.retain(|f| f != "SHA256SUMS" && f != "SHA256SUMS.minisig");
    assert_eq!(listed, expected);
    for f in [
        "results.json",
        "journal.jsonl",
        "junit.xml",
        "results.csv",
        "report.html",
        "manifest.intoto.json",
        "provinces/c.html",
        "provinces/p.html",
    ] {
        assert!(listed.contains(&f), "{f} not in {listed:?}");
    }
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));

    // The in-toto statement: its subjects are the other files, its predicate the results.
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.intoto.json")).unwrap())
            .unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://in-toto.io/attestation/test-result/v0.1"
    );
    let subjects: Vec<&str> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut others = expected.clone();
    others.retain(|f| f != "manifest.intoto.json");
    assert_eq!(subjects, others);
    let p = &st["predicate"];
    assert_eq!(p["result"], "FAILED");
    assert!(
        p["passedTests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "c/up")
    );
    assert!(
        p["failedTests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "c/down")
    );
    let conf = p["configuration"].as_array().unwrap();
    assert_eq!(conf[0]["name"], "inventory");
    assert_eq!(conf[1]["name"], "suite");
    assert_eq!(conf[1]["digest"]["sha256"].as_str().unwrap().len(), 64);

    // netaccept's own verify, with the key and without.
    let ok = netaccept(
        &["verify", "out", "--key", "keys/site.pub"],
        tmp.path(),
        &[],
    );
    assert_exit(&ok, 0);
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(said.contains("signed by key"), "{said}");
    let v = bundle::verify(&out, &Keys::one(&public).unwrap()).unwrap();
    assert_eq!(v.files, listed.len());
    assert!(
        v.trusted_comment
            .as_deref()
            .unwrap()
            .starts_with("netaccept run t-")
    );
    let unchecked = netaccept(&["verify", "out"], tmp.path(), &[]);
    assert_exit(&unchecked, 0);
    assert!(String::from_utf8_lossy(&unchecked.stdout).contains("not checked"));

    // Debian's minisign: the prehashed signature and its trusted comment.
    if have_minisign("Debian's minisign -V on the bundle") {
        let m = Command::new("minisign")
            .args(["-Vm", "SHA256SUMS", "-p"])
            .arg(&public)
            .current_dir(&out)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&m.stdout);
        assert!(m.status.success(), "{text}{}", stderr(&m));
        assert!(text.contains("Trusted comment: netaccept run t-"), "{text}");
    }
}

/// Changes one byte of each file of a copy of the bundle, one position at a time (the file
/// put back after each), and checks that `bundle::verify` refuses it naming the file (or, for
/// the manifest and its signature, the problem they make). Every byte of the manifest and of
/// its signature, whose strict forms are what catches a change there; of every other file
/// (whose digest catches any change alike), the first and last bytes and 30 others picked by
/// a fixed xorshift, the same in every run.
fn each_byte_change_caught(bundle_dir: &Path, keys: &Keys, signed: bool) {
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("b");
    copy_dir(bundle_dir, &copy);
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut checked = 0;
    for file in files(bundle_dir) {
        let original = std::fs::read(bundle_dir.join(&file)).unwrap();
        let positions: Vec<usize> = if file.starts_with("SHA256SUMS") {
            (0..original.len()).collect()
        } else {
            let mut p = vec![0, original.len() - 1];
            for _ in 0..30 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                p.push((rng % original.len() as u64) as usize);
            }
            p
        };
        for (n, &at) in positions.iter().enumerate() {
            let mut bytes = original.clone();
            // A different change each time: a low bit, a letter's case, the top bit.
            bytes[at] ^= [0x01, 0x20, 0x80, 0x04][n % 4];
            std::fs::write(copy.join(&file), &bytes).unwrap();
            let err = bundle::verify(&copy, keys)
                .expect_err(&format!("{file}: byte {at} changed and not caught"));
            let BundleError::Problems { problems, .. } = &err else {
                panic!("{file}: byte {at}: {err}");
            };
            let named = problems.iter().any(|p| match p {
                // A digest changed in the manifest: the file of that line no longer matches.
                Problem::Changed(f) => *f == file || file == "SHA256SUMS",
                Problem::Statement(_) => file == "manifest.intoto.json" || file == "SHA256SUMS",
                Problem::Signature(_) => signed && file.starts_with("SHA256SUMS"),
                // A path changed in the manifest: that line's file is missing, the real one
                // added.
                Problem::Missing(_) | Problem::Added(_) => file == "SHA256SUMS",
            });
            assert!(named, "{file}: byte {at}: {err}");
            checked += 1;
        }
        std::fs::write(copy.join(&file), &original).unwrap();
    }
    // The copy, put back, verifies as the bundle does: the loop changed what it meant to.
    assert_eq!(
        bundle::verify(&copy, keys).is_ok(),
        bundle::verify(bundle_dir, keys).is_ok()
    );
    assert!(checked > 500, "{checked} changes");
}

#[test]
fn every_one_byte_change_of_every_file_is_caught_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, public) = signed_run(tmp.path());
    each_byte_change_caught(&out, &Keys::one(&public).unwrap(), true);

    // Unsigned, the manifest's own strict form catches a change of it too.
    let unsigned = tmp.path().join("unsigned");
    copy_dir(&out, &unsigned);
    std::fs::remove_file(unsigned.join("SHA256SUMS.minisig")).unwrap();
    assert!(matches!(
        bundle::verify(&unsigned, &Keys::none()),
        Err(BundleError::Unsigned { .. })
    ));
    each_byte_change_caught(&unsigned, &Keys::none(), false);

    // The binary, once per file: exit 2 and the file named on stderr.
    for file in files(&out) {
        let copy = tmp.path().join("one");
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&out, &copy);
        let mut bytes = std::fs::read(copy.join(&file)).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        std::fs::write(copy.join(&file), &bytes).unwrap();
        let v = netaccept(
            &["verify", "one", "--key", "keys/site.pub"],
            tmp.path(),
            &[],
        );
        assert_exit(&v, 2);
        assert!(stderr(&v).contains(&file), "{file}: {}", stderr(&v));
    }
}

#[test]
fn a_missing_added_or_resigned_file_and_the_wrong_key_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = signed_run(tmp.path());
    let verify = |dir: &str, key: &str| {
        let v = netaccept(&["verify", dir, "--key", key], tmp.path(), &[]);
        assert_exit(&v, 2);
        stderr(&v)
    };
    let fresh = |name: &str| {
        let d = tmp.path().join(name);
        copy_dir(&out, &d);
        d
    };

    let d = fresh("deleted");
    std::fs::remove_file(d.join("provinces/p.html")).unwrap();
    std::fs::remove_file(d.join("journal.jsonl")).unwrap();
    let e = verify("deleted", "keys/site.pub");
    assert!(e.contains("provinces/p.html: missing"), "{e}");
    assert!(e.contains("journal.jsonl: missing"), "{e}");

    let d = fresh("added");
    std::fs::write(d.join("provinces/x.html"), "<p>later</p>").unwrap();
    std::fs::write(d.join("notes.txt"), "").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", d.join("link.html")).unwrap();
    let e = verify("added", "keys/site.pub");
    assert!(e.contains("provinces/x.html: added"), "{e}");
    assert!(e.contains("notes.txt: added"), "{e}");
    assert!(e.contains("link.html: added"), "{e}");

    // Another key signs the manifest (after an edit of a report): not among the keys given.
    assert_exit(
        &netaccept(
            &["keygen", "-o", "keys", "--name", "other"],
            tmp.path(),
            &[],
        ),
        0,
    );
    let d = fresh("resigned");
    let a = report(
        tmp.path(),
        "out/results.json",
        "resigned",
        &["--sign-key", "keys/other.key"],
    );
    assert_exit(&a, 0);
    let e = verify("resigned", "keys/site.pub");
    assert!(e.contains("SHA256SUMS.minisig: signed with key"), "{e}");
    assert!(e.contains("not among the keys given"), "{e}");
    // ...and it verifies with that key, and a key folder holding both.
    assert_exit(
        &netaccept(
            &["verify", "resigned", "--key", "keys/other.pub"],
            tmp.path(),
            &[],
        ),
        0,
    );
    let both = Keys::from_dir(&tmp.path().join("keys")).unwrap();
    assert!(bundle::verify(&d, &both).unwrap().signer.is_some());
    assert!(bundle::verify(&out, &both).unwrap().signer.is_some());

    // The right key id with the wrong bytes: another key's signature file copied in.
    let d = fresh("swapped");
    std::fs::copy(
        tmp.path().join("resigned/SHA256SUMS.minisig"),
        d.join("SHA256SUMS.minisig"),
    )
    .unwrap();
    let e = verify("swapped", "keys/other.pub");
    assert!(
        e.contains("SHA256SUMS.minisig: the signature does not match"),
        "{e}"
    );

    // `report` without a key re-seals the folder and drops the signature that no longer
    // holds: unsigned, and said so when a key is asked for.
    let a = report(tmp.path(), "resigned/results.json", "resigned", &[]);
    assert_exit(&a, 0);
    assert!(!tmp.path().join("resigned/SHA256SUMS.minisig").exists());
    let v = netaccept(
        &["verify", "resigned", "--key", "keys/other.pub"],
        tmp.path(),
        &[],
    );
    assert_exit(&v, 2);
    assert!(stderr(&v).contains("unsigned"), "{}", stderr(&v));
}

#[test]
fn keygen_never_replaces_a_key_and_sign_key_is_read_before_any_traffic() {
    let tmp = tempfile::tempdir().unwrap();
    assert_exit(&netaccept(&["keygen", "-o", "k"], tmp.path(), &[]), 0);
    let before = std::fs::read(tmp.path().join("k/netaccept.key")).unwrap();
    let again = netaccept(&["keygen", "-o", "k"], tmp.path(), &[]);
    assert_exit(&again, 2);
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(tmp.path().join("k/netaccept.key")).unwrap(),
        before
    );

    // A public key given as the secret one: refused, nothing probed, no folder made.
    let open = counting_listener("127.0.0.1");
    tcp_case(tmp.path(), open.addr, closed_port("127.0.0.1"), 0);
    let out = run_case(tmp.path(), "out", &["--sign-key", "k/netaccept.pub"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--sign-key"), "{}", stderr(&out));
    assert_eq!(open.accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(!tmp.path().join("out").exists());
}

/// A key made by Debian's `minisign -G -W` (unencrypted) signs a bundle that netaccept and
/// minisign both verify; netaccept's own key signs a file with minisign -S.
#[test]
fn keys_are_minisigns_both_ways() {
    if !have_minisign("keys made by minisign -G -W") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let g = Command::new("minisign")
        .args(["-G", "-W", "-p", "m.pub", "-s", "m.key"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
    let open = counting_listener("127.0.0.1");
    tcp_case(tmp.path(), open.addr, closed_port("127.0.0.1"), 0);
    assert_exit(&run_case(tmp.path(), "out", &["--sign-key", "m.key"]), 1);
    assert_exit(
        &netaccept(&["verify", "out", "--key", "m.pub"], tmp.path(), &[]),
        0,
    );
    let m = Command::new("minisign")
        .args(["-Vm", "out/SHA256SUMS", "-p", "m.pub"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(m.status.success(), "{}", stderr(&m));

    assert_exit(&netaccept(&["keygen", "-o", "k"], tmp.path(), &[]), 0);
    std::fs::write(tmp.path().join("f"), "data").unwrap();
    let s = Command::new("minisign")
        .args(["-S", "-s", "k/netaccept.key", "-m", "f"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", stderr(&s));
    let v = Command::new("minisign")
        .args(["-Vm", "f", "-p", "k/netaccept.pub"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", stderr(&v));
}
