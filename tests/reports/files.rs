//! The report files as `run` and `report` write them: streamed into temporary files and
//! renamed, they hold exactly what the in-memory renderers give; a write that fails leaves
//! neither a temporary file nor a changed target; and `results.json` reads back as written,
//! with the same reasons as ever for what is not a results file.

use std::path::Path;

use netaccept::report::json::{self, ReadError};
use netaccept::report::{Lang, csv, html, junit, write_all, write_atomic_with};

use crate::fixture::mixed as fixture;

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn the_files_hold_what_the_renderers_render() {
    let r = fixture();
    for lang in [Lang::Zh, Lang::En] {
        let d = tempfile::tempdir().unwrap();
        let failures = write_all(d.path(), &r, lang, &html::Options::default());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(
            files(d.path()),
            ["junit.xml", "report.html", "results.csv", "results.json"]
        );
        let read = |name: &str| std::fs::read(d.path().join(name)).unwrap();
        assert!(read("results.json") == json::to_bytes(&r), "results.json");
        assert!(read("junit.xml") == junit::render(&r), "junit.xml");
        assert!(
            read("report.html") == html::render(&r, lang).into_bytes(),
            "report.html"
        );
        assert!(read("results.csv") == csv::render(&r, lang), "results.csv");
    }
}

#[test]
fn a_write_that_fails_leaves_no_temporary_file_and_the_target_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("report.html");
    std::fs::write(&target, "the previous report").unwrap();
    let err = write_atomic_with(&target, |w| {
        // More than the write buffer, so that part of it reached the temporary file.
        w.write_all(&vec![b'x'; 1 << 20])?;
        Err(std::io::Error::other("the disk is full"))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "the disk is full");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the previous report"
    );
    assert_eq!(files(d.path()), ["report.html"]);

    write_atomic_with(&target, |w| w.write_all(b"the new report")).unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the new report");
    assert_eq!(files(d.path()), ["report.html"]);
}

/// A symlink planted where the temporary file would be (the old name, `.NAME.tmp-PID`, is
/// predictable) and one planted at the final name, each pointing at a file outside the
/// folder: writing the report follows neither. The outside files are untouched, and the
/// report is a file of its own in the folder.
#[cfg(unix)]
#[test]
fn planted_symlinks_at_the_temporary_and_final_names_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("report.html");
    let at_tmp = outside.path().join("at-tmp");
    let at_target = outside.path().join("at-target");
    std::fs::write(&at_tmp, "someone else's file").unwrap();
    std::fs::write(&at_target, "someone else's other file").unwrap();
    let planted = d
        .path()
        .join(format!(".report.html.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&at_tmp, &planted).unwrap();
    std::os::unix::fs::symlink(&at_target, &target).unwrap();

    write_atomic_with(&target, |w| w.write_all(b"the new report")).unwrap();

    assert_eq!(
        std::fs::read_to_string(&at_tmp).unwrap(),
        "someone else's file"
    );
    assert_eq!(
        std::fs::read_to_string(&at_target).unwrap(),
        "someone else's other file"
    );
    let meta = std::fs::symlink_metadata(&target).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the report replaced the symlink"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the new report");
    // What the writer did not make, it leaves alone.
    assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
}

#[test]
fn results_json_reads_back_as_written() {
    let r = fixture();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("results.json");
    std::fs::write(&path, json::to_bytes(&r)).unwrap();
    let back = json::read(&path).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(json::to_bytes(&back) == json::to_bytes(&r));
}

#[test]
fn what_is_not_a_results_file_is_refused_with_its_reason() {
    let d = tempfile::tempdir().unwrap();
    let text = String::from_utf8(json::to_bytes(&fixture())).unwrap();
    let write = |name: &str, body: &str| {
        let path = d.path().join(name);
        std::fs::write(&path, body).unwrap();
        path
    };
    let message = |e: ReadError| match e {
        ReadError::NotResults(m) => format!("not results: {m}"),
        ReadError::Newer(m) => format!("newer: {m}"),
        ReadError::Io(e) => format!("io: {e}"),
    };
    for (body, says) in [
        ("not json".to_string(), "not results: not JSON"),
        ("[1, 2]".to_string(), "not results: no `\"format\""),
        ("{\"format\": 1}".to_string(), "not results: no `\"format\""),
        (
            "{\"format\": \"netaccept-results/x\"}".to_string(),
            "not results: unknown format",
        ),
        (
            "{\"format\": \"netaccept-results/1\", \"run\": {}}".to_string(),
            "not results: not a valid netaccept-results/1 record: missing field",
        ),
        (
            // A whole record, but from a newer netaccept.
            text.replace("netaccept-results/1", "netaccept-results/9"),
            "newer: written in format netaccept-results/9 by a newer netaccept",
        ),
    ] {
        let e = json::read(&write("x.json", &body)).expect_err(says);
        let m = message(e);
        assert!(m.starts_with(says), "{says}: {m}");
    }
    assert!(matches!(
        json::read(&d.path().join("missing.json")),
        Err(ReadError::Io(_))
    ));
    // A key given twice is read as JSON readers read it (the last one counts), as before.
    let twice = text.replacen('{', "{\n  \"format\": \"netaccept-results/0\",", 1);
    let back = json::read(&write("twice.json", &twice)).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(back.format, "netaccept-results/1");
}
