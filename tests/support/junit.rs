//! Checks a JUnit XML file the way CI consumers will read it, for any test that produces one:
//! against the vendored Jenkins xUnit schema (`tests/xsd/`) with `xmllint`, through
//! junitparser, a real JUnit consumer, from a Python venv made once under
//! `target/junit-venv`, and through test-results-parser, an npm consumer (the one that
//! counted every skipped test as passed while the root carried counts), installed once
//! under `target/junit-npm`. Every consumer's totals must be the file's own. Also a small
//! XML reader, so tests can assert on the structure without any tool.
//!
//! Without `xmllint`, a working `python3 -m venv` (or PyPI), or `node` and `npm` (or the npm
//! registry), a check is skipped with the reason on stderr, except when `CI` is set: there a
//! missing tool fails the test, so that a green CI run means the checks ran (`host::skip`; a
//! binary that uses this module declares `host` too). CI needs the Debian packages
//! `libxml2-utils`, `python3-venv`, `nodejs` and `npm`.
//!
//! A test binary that uses it declares it in its `mod support` (see `tests/README.md`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/jenkins-xunit-junit-10.xsd"
);
const JUNITPARSER: &str = "junitparser==5.0.3";
const TEST_RESULTS_PARSER: &str = "test-results-parser@0.4.6";

/// Counts of one suite or of a whole file: tests, failures, errors, skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tests: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl Counts {
    /// What a file made from a record with this `summary` (results.json's, as JSON) must
    /// count: failed → failures, errored → errors, skipped and waived → skipped.
    #[allow(dead_code, reason = "used by the e2e binary, not by reports")]
    pub fn of_summary(summary: &serde_json::Value) -> Counts {
        let n = |k: &str| {
            summary[k]
                .as_u64()
                .unwrap_or_else(|| panic!("summary.{k} in {summary}")) as usize
        };
        Counts {
            tests: n("passed") + n("failed") + n("errored") + n("skipped") + n("waived"),
            failures: n("failed"),
            errors: n("errored"),
            skipped: n("skipped") + n("waived"),
        }
    }

    fn add(&mut self, o: Counts) {
        self.tests += o.tests;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
    }
}

/// Validates `path` against the Jenkins xUnit schema and reads it with junitparser and
/// test-results-parser, checking that every suite's declared counts, each consumer's view
/// of its test cases and totals, and the test cases in the XML itself agree. Panics on any
/// disagreement; returns the file's totals.
pub fn check_junit(path: &Path) -> Counts {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let root = parse(&text);
    let own = own_counts(&root);
    let mut total = Counts::default();
    for (_, c) in &own {
        total.add(*c);
    }
    schema_check(path);
    junitparser_check(path, &own);
    npm_check(path, total);
    total
}

/// [`check_junit`], and the totals every consumer read are `want` (say, results.json's
/// summary: [`Counts::of_summary`]).
#[allow(dead_code, reason = "used by the e2e binary, not by reports")]
pub fn check_junit_totals(path: &Path, want: Counts) {
    let total = check_junit(path);
    assert_eq!(total, want, "{}: the file's totals", path.display());
}

/// Per suite (name, declared counts, counts of its test cases) and the totals, from the XML
/// itself; also checks what needs no tool: declared counts agree with the test cases.
fn own_counts(root: &Element) -> Vec<(String, Counts)> {
    assert_eq!(root.name, "testsuites", "the root element");
    let mut total = Counts::default();
    let mut out = Vec::new();
    for suite in root.children_named("testsuite") {
        let name = suite.attr("name").unwrap_or("").to_string();
        let computed = case_counts(suite);
        let declared = Counts {
            tests: int_attr(suite, "tests"),
            failures: int_attr(suite, "failures"),
            errors: int_attr(suite, "errors"),
            skipped: int_attr(suite, "skipped"),
        };
        assert_eq!(
            declared, computed,
            "testsuite {name:?}: declared counts vs its test cases"
        );
        total.add(computed);
        out.push((name, computed));
    }
    // No counts on the root: a consumer that reads them there instead of adding up the
    // suites miscounts (test-results-parser counted the skipped as passed).
    for attr in ["tests", "failures", "errors", "skipped", "disabled"] {
        assert_eq!(root.attr(attr), None, "<testsuites {attr}=…>");
    }
    out
}

/// Counts of a suite's own test cases, each counted once per kind of result it carries.
pub fn case_counts(suite: &Element) -> Counts {
    let mut c = Counts::default();
    for tc in suite.children_named("testcase") {
        c.tests += 1;
        c.failures += usize::from(tc.child("failure").is_some());
        c.errors += usize::from(tc.child("error").is_some());
        c.skipped += usize::from(tc.child("skipped").is_some());
    }
    c
}

fn int_attr(e: &Element, name: &str) -> usize {
    let v = e
        .attr(name)
        .unwrap_or_else(|| panic!("<{}> lacks {name}=", e.name));
    v.parse()
        .unwrap_or_else(|_| panic!("<{} {name}={v:?}> is not a count", e.name))
}

/// A missing tool: fatal under CI, a note elsewhere (see `host::skip`).
fn unavailable(what: &str) {
    super::host::skip(&format!(
        "check_junit: {what} (apt-get install libxml2-utils python3-venv nodejs npm)"
    ));
}

fn schema_check(path: &Path) {
    let out = match Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", SCHEMA])
        .arg(path)
        .output()
    {
        Ok(out) => out,
        Err(e) => return unavailable(&format!("xmllint cannot be run ({e})")),
    };
    assert!(
        out.status.success(),
        "{} fails the Jenkins xUnit schema:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads the file with junitparser and prints, per suite, its declared counts and those of
/// the test cases junitparser found, as tab-separated lines.
const PY: &str = r#"
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
for s in xml:
    c = [0, 0, 0, 0]
    for case in s:
        c[0] += 1
        c[1] += case.is_failure
        c[2] += case.is_error
        c[3] += case.is_skipped
    d = [s.tests, s.failures, s.errors, s.skipped]
    print("\t".join(["suite"] + [str(x) for x in d + c] + [s.name.replace("\t", " ").replace("\n", " ")]))
"#;

fn junitparser_check(path: &Path, own: &[(String, Counts)]) {
    let Some(python) = venv_python() else { return };
    let out = consumer_stdout("junitparser", Command::new(&python).args(["-c", PY]), path);
    let stdout = String::from_utf8(out).expect("UTF-8 from python");
    let mut seen = Vec::new();
    let mut total = Counts::default();
    for line in stdout.lines() {
        let f: Vec<&str> = line.splitn(10, '\t').collect();
        assert_eq!(f.len(), 10, "unexpected junitparser output line {line:?}");
        let n = |i: usize| f[i].parse::<usize>().unwrap_or(usize::MAX);
        let declared = Counts {
            tests: n(1),
            failures: n(2),
            errors: n(3),
            skipped: n(4),
        };
        let cases = Counts {
            tests: n(5),
            failures: n(6),
            errors: n(7),
            skipped: n(8),
        };
        assert_eq!(declared, cases, "junitparser, suite {:?}", f[9]);
        total.add(cases);
        seen.push(cases);
    }
    let own_counts: Vec<Counts> = own.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        seen, own_counts,
        "junitparser's suites and counts vs the XML's own"
    );
    println!(
        "junitparser: {} suites, tests={} failures={} errors={} skipped={}",
        seen.len(),
        total.tests,
        total.failures,
        total.errors,
        total.skipped
    );
}

/// Runs a consumer's command (`cmd`, given the file's path last) on the JUnit file `path`
/// and returns what it printed; panics with the consumer's stderr when it cannot read the
/// file. Each consumer is run so, and what it printed compared with the file's own counts.
fn consumer_stdout(consumer: &str, cmd: &mut Command, path: &Path) -> Vec<u8> {
    let out = cmd
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("running {consumer}: {e}"));
    assert!(
        out.status.success(),
        "{consumer} cannot read {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Holds `lock` for this process's threads while a consumer is looked for or installed,
/// also when a test that held it panicked (the install it guards is checked again anyway).
fn hold(lock: &Mutex<()>) -> MutexGuard<'_, ()> {
    lock.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `target/`, where the consumers are installed once for every test binary and every run
/// of the tests (beside `CARGO_TARGET_TMPDIR`, `target/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

/// A folder name of this process's own beside `dir` (`NAME.tmp-PID-NANOS`), where an
/// install is built before it is renamed to `dir`, so that no test binary sees it half made.
fn building_beside(dir: &Path) -> PathBuf {
    let name = dir.file_name().expect("a folder name").to_string_lossy();
    dir.with_file_name(format!(
        "{name}.tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ))
}

/// The venv's python with junitparser, made on first use; `None` when it cannot be made
/// (and CI is not set).
///
/// Test binaries run concurrently and each may get here first, so the venv is built in a
/// folder of its own and renamed into place: the rename is atomic, a loser of the race
/// throws its copy away, and a half-built venv is never seen. A venv's python finds its
/// packages relative to itself, so it works from the new name.
fn venv_python() -> Option<PathBuf> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = hold(&LOCK);

    let venv = target_dir().join("junit-venv");
    let python = venv.join("bin").join("python");
    if has_junitparser(&python) {
        return Some(python);
    }

    let tmp = building_beside(&venv);
    let built = super::venv::build(&tmp, &[JUNITPARSER]);
    if let Err(why) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        unavailable(&why);
        return None;
    }
    if std::fs::rename(&tmp, &venv).is_err() {
        // Another process won, or a broken venv is in the way: use theirs, or replace it.
        let _ = std::fs::remove_dir_all(&tmp);
        if !has_junitparser(&python) {
            let _ = std::fs::remove_dir_all(&venv);
            if let Err(why) = super::venv::build(&tmp, &[JUNITPARSER]).and_then(|()| {
                std::fs::rename(&tmp, &venv).map_err(|e| format!("renaming the venv: {e}"))
            }) {
                let _ = std::fs::remove_dir_all(&tmp);
                unavailable(&why);
                return None;
            }
        }
    }
    if has_junitparser(&python) {
        Some(python)
    } else {
        unavailable(&format!("{} cannot import junitparser", python.display()));
        None
    }
}

fn has_junitparser(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", "import junitparser"])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Reads the file with test-results-parser and prints its totals and the statuses it gave
/// the test cases, as JSON. Its `total` leaves the skipped out, and an `<error>` is a `FAIL`.
const JS: &str = r"
const { parse } = require(process.argv[1] + '/node_modules/test-results-parser');
const r = parse({ type: 'junit', files: [process.argv[2]] });
const cases = { PASS: 0, FAIL: 0, SKIP: 0 };
for (const s of r.suites) for (const t of s.cases) cases[t.status] = (cases[t.status] || 0) + 1;
console.log(JSON.stringify({ total: r.total, passed: r.passed, failed: r.failed,
  errors: r.errors, skipped: r.skipped, cases }));
";

fn npm_check(path: &Path, want: Counts) {
    let Some(dir) = npm_consumer() else { return };
    let out = consumer_stdout(
        "test-results-parser",
        Command::new("node").args(["-e", JS]).arg(&dir),
        path,
    );
    let got: serde_json::Value = serde_json::from_slice(&out).expect("JSON from node");
    let passed = want.tests - want.failures - want.errors - want.skipped;
    let expected = serde_json::json!({
        "total": want.tests - want.skipped,
        "passed": passed,
        "failed": want.failures,
        "errors": want.errors,
        "skipped": want.skipped,
        "cases": {
            "PASS": passed,
            "FAIL": want.failures + want.errors,
            "SKIP": want.skipped,
        },
    });
    assert_eq!(
        got, expected,
        "test-results-parser's totals vs the XML's own"
    );
    println!("test-results-parser: {got}");
}

/// The folder where test-results-parser is installed, made on first use as the venv is (in
/// a folder of its own, renamed into place); `None` when it cannot be made (and CI is not
/// set).
fn npm_consumer() -> Option<PathBuf> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = hold(&LOCK);
    let dir = target_dir().join("junit-npm");
    let installed = |d: &Path| {
        d.join("node_modules/test-results-parser/package.json")
            .is_file()
    };
    if installed(&dir) {
        return Some(dir);
    }
    if let Err(e) = Command::new("node").arg("--version").output() {
        unavailable(&format!("node cannot be run ({e})"));
        return None;
    }
    let tmp = building_beside(&dir);
    let _ = std::fs::create_dir_all(&tmp);
    let done = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--silent",
            "--prefix",
        ])
        .arg(&tmp)
        .arg(TEST_RESULTS_PARSER)
        .output();
    match done {
        Ok(o) if o.status.success() && installed(&tmp) => {}
        Ok(o) => {
            let _ = std::fs::remove_dir_all(&tmp);
            unavailable(&format!(
                "npm install {TEST_RESULTS_PARSER} failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
            return None;
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            unavailable(&format!("npm cannot be run ({e})"));
            return None;
        }
    }
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another process won the race: use theirs.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if installed(&dir) {
        Some(dir)
    } else {
        unavailable(&format!("{} holds no test-results-parser", dir.display()));
        None
    }
}

// ---------------------------------------------------------------------------------------
// A small XML reader: enough for the files the reporters write (elements, attributes,
// text, CDATA, comments, the declaration), with the five entities and character
// references. It panics on anything malformed; xmllint is the real well-formedness check.

/// An element with its attributes (in document order), child elements and text content
/// (the concatenation of its own text nodes, entities decoded).
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every element named `name` below this one, at any depth, in document order.
    #[allow(dead_code, reason = "used by the reports binary, not by e2e")]
    pub fn descendants_named<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants_named(name, out);
        }
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(xml: &str) -> Element {
    let mut p = Parser { s: xml, i: 0 };
    p.skip_misc();
    let root = p.element();
    p.skip_misc();
    assert!(
        p.i == p.s.len(),
        "content after the root element at byte {}",
        p.i
    );
    root
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start().len();
    }

    fn skip_past(&mut self, end: &str) {
        let at = self
            .rest()
            .find(end)
            .unwrap_or_else(|| panic!("unterminated construct at byte {}: no {end:?}", self.i));
        self.i += at + end.len();
    }

    /// Whitespace, comments, processing instructions and the declaration.
    fn skip_misc(&mut self) {
        loop {
            self.skip_ws();
            if self.rest().starts_with("<?") {
                self.skip_past("?>");
            } else if self.rest().starts_with("<!--") {
                self.skip_past("-->");
            } else {
                return;
            }
        }
    }

    fn name(&mut self) -> String {
        let r = self.rest();
        let end = r
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '='))
            .unwrap_or(r.len());
        assert!(end > 0, "expected a name at byte {}", self.i);
        self.i += end;
        r[..end].to_string()
    }

    fn element(&mut self) -> Element {
        assert!(
            self.rest().starts_with('<'),
            "expected an element at byte {}",
            self.i
        );
        self.i += 1;
        let mut e = Element {
            name: self.name(),
            ..Element::default()
        };
        loop {
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.i += 2;
                return e;
            }
            if self.rest().starts_with('>') {
                self.i += 1;
                break;
            }
            let key = self.name();
            self.skip_ws();
            assert!(
                self.rest().starts_with('='),
                "expected = at byte {}",
                self.i
            );
            self.i += 1;
            self.skip_ws();
            let q = self.rest().chars().next().expect("an attribute value");
            assert!(
                q == '"' || q == '\'',
                "unquoted attribute at byte {}",
                self.i
            );
            self.i += 1;
            let end = self.rest().find(q).expect("a closing quote");
            let raw = &self.rest()[..end];
            assert!(!raw.contains('<'), "`<` in attribute {key}");
            // Attribute-value normalisation: a raw white-space character reads as a space
            // (a character reference such as `&#10;` does not).
            let v = decode(&raw.replace(['\t', '\n', '\r'], " "));
            self.i += end + 1;
            assert!(
                e.attr(&key).is_none(),
                "attribute {key} twice on <{}>",
                e.name
            );
            e.attrs.push((key, v));
        }
        loop {
            let r = self.rest();
            if r.starts_with("</") {
                self.i += 2;
                let name = self.name();
                assert_eq!(name, e.name, "mismatched end tag");
                self.skip_ws();
                assert!(
                    self.rest().starts_with('>'),
                    "expected > at byte {}",
                    self.i
                );
                self.i += 1;
                return e;
            } else if r.starts_with("<!--") {
                self.skip_past("-->");
            } else if r.starts_with("<![CDATA[") {
                self.i += "<![CDATA[".len();
                let end = self
                    .rest()
                    .find("]]>")
                    .expect("an unterminated CDATA section");
                e.text.push_str(&self.rest()[..end]);
                self.i += end + 3;
            } else if r.starts_with("<?") {
                self.skip_past("?>");
            } else if r.starts_with('<') {
                let child = self.element();
                e.children.push(child);
            } else {
                let end = r
                    .find('<')
                    .unwrap_or_else(|| panic!("<{}> is not closed", e.name));
                let raw = &r[..end];
                assert!(!raw.contains("]]>"), "a raw `]]>` in text");
                e.text.push_str(&decode(raw));
                self.i += end;
            }
        }
    }
}

fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("an unterminated entity") + at;
        let ent = &rest[at + 1..end];
        let c = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or_else(|| panic!("bad character reference &{ent};")),
            _ if ent.starts_with('#') => ent[1..]
                .parse()
                .ok()
                .and_then(char::from_u32)
                .unwrap_or_else(|| panic!("bad character reference &{ent};")),
            _ => panic!("unknown entity &{ent};"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}
