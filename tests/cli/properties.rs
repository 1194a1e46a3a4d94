//! Property tests (proptest) of the loaders and of `netaccept validate`, on inputs made by
//! mutating the bundled files (the example inventory, both suites, the example waivers and
//! the demo's faults: lines deleted, duplicated, swapped and re-indented, keys and values
//! replaced from a pool of the formats' own words and of YAML's traps, lines inserted, text
//! spliced in or cut, the file truncated) and on random bytes.
//!
//! Whatever the input: loading never panics; when it fails, every error has a place
//! (`file:line:col` inside the file) or, belonging to no line, names the file; and the real
//! binary exits 0 or 2, never 101, with `file:line:col` for each error when 2.
//!
//! Cases per property: see each `config(N)`; `PROPTEST_CASES=N` runs N of each instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use netaccept::diag::{self, Diagnostic, Sources};
use netaccept::load::{self, Inputs, Invalid, Loaded};
use netaccept::model::WaiverTargets;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

use crate::root;
use crate::support::props::config;

/// The example inventory's files, in the folder `inventories/example`.
const EXAMPLE: [&str; 3] = [
    "00-national.yaml",
    "10-shanxi.yaml",
    "11-shanxi-prefectures.yaml",
];

/// The bundled file a case changes.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// One of [`EXAMPLE`], loaded with the rest of the example, the acceptance suite and
    /// the example waivers.
    Inventory(usize),
    /// `suites/acceptance.yaml`, with the example inventory and waivers.
    Acceptance,
    /// `suites/nightly.yaml`, with the example inventory.
    Nightly,
    /// `suites/waivers.example.yaml`, with the example inventory and the acceptance suite.
    Waivers,
    /// `inventories/demo/sim/faults.yaml`, with the demo inventory and the acceptance suite.
    Faults,
}

impl Target {
    fn source(self) -> PathBuf {
        root().join(match self {
            Target::Inventory(i) => format!("inventories/example/{}", EXAMPLE[i]),
            Target::Acceptance => "suites/acceptance.yaml".into(),
            Target::Nightly => "suites/nightly.yaml".into(),
            Target::Waivers => "suites/waivers.example.yaml".into(),
            Target::Faults => "inventories/demo/sim/faults.yaml".into(),
        })
    }
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        (0..EXAMPLE.len()).prop_map(Target::Inventory),
        Just(Target::Acceptance),
        Just(Target::Nightly),
        Just(Target::Waivers),
        Just(Target::Faults),
    ]
}

/// One change to a file's text. Indices pick a line or a character of the file as it is
/// when the change is made.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Moves a line right (positive) or left by that many spaces.
    Indent(Index, i8),
    /// Puts a tab at the start of a line.
    Tab(Index),
    /// Replaces what follows a line's first `: ` (or `- `).
    Value(Index, String),
    /// Replaces the key before a line's first `:`.
    Key(Index, String),
    /// Inserts a line before another.
    Insert(Index, String),
    /// Inserts text before a character.
    Splice(Index, String),
    /// Removes up to that many characters from a character on.
    Cut(Index, usize),
    /// Keeps the text before a character.
    Truncate(Index),
    /// Ends every line with `\r\n`.
    Crlf,
}

/// Values: the formats' own words, near misses and YAML's traps.
const VALUES: &[&str] = &[
    "",
    "1.0",
    "\"1.3\"",
    "TLSv1.2",
    "{ min_version: \"1.2\" }",
    "national",
    "provincial",
    "prefectural",
    "county",
    "nationa",
    "coal",
    "safety",
    "critical",
    "major",
    "minor",
    "A",
    "AAAA",
    "MX",
    "NXDOMAIN",
    "SERVFAIL",
    "GET",
    "get",
    "DELETE",
    "5s",
    "0s",
    "0ms",
    "2.5s",
    "1h",
    "-1s",
    "99999999999999999999s",
    "20%",
    "100%",
    "101%",
    "-5%",
    "0.5%",
    "1e400",
    "-1",
    "0",
    "65536",
    "4294967296",
    "18446744073709551616",
    "true",
    "false",
    "null",
    "~",
    "2027-06-30",
    "2027-02-30",
    "0000-00-00",
    "\"{{ node.host }}\"",
    "\"{{ node.host }}:8443\"",
    "\"{{ app.url }}/health\"",
    "\"{{ node.vars.fqdn }}\"",
    "\"{{ node.vars.nope }}\"",
    "\"{{ env.NETACCEPT_TOKEN }}\"",
    "\"{{ node.hots }}\"",
    "\"{{\"",
    "\"}}\"",
    "\"{{ }}\"",
    "\"x{{ node.id\"",
    "[]",
    "{}",
    "[net.icmp]",
    "[app.health, net.icmp]",
    "[dispatch]",
    "{ level: [national] }",
    "{ tags: [pilot] }",
    "{ nodes: [sx] }",
    "{ url: \"https://127.0.0.1:8443/x\" }",
    "[200]",
    "[99, 600]",
    "{ \"$.status\": UP }",
    "{ \"$[\": UP }",
    "{ \"$.n\": { \">=\": 1, \"<\": \"{{ node.vars.fqdn }}\" } }",
    "{ \"$.n\": { \"=>\": x, count: { \">\": \"1\" }, exists: 3 } }",
    "{ \"$.n\": { matches: \"(\", contains: [1, {a: \"{{ x }}\"}] } }",
    "{ Server: { exists: false, matches: \"[z-a]\" }, X: null }",
    "schema.json",
    "../../../../etc/passwd",
    "{ Authorization: \"Bearer {{ env.NETACCEPT_TOKEN }}\" }",
    "{ \"bad header\": x }",
    "sx",
    "sx-coal",
    "sx-taiyuan",
    "sx-taiyuan-qingxu",
    "net.icmp",
    "app.health",
    "dispatch",
    "hazchem",
    "127.0.0.1",
    "::1",
    "[::1]:53",
    "127.0.0.1:99999",
    "host:",
    "140000",
    "14000",
    "1400000",
    "山西",
    "北京市应急管理局",
    "\"\"",
    "''",
    "'unclosed",
    "\"unclosed",
    "[unclosed",
    "{unclosed",
    "&anchor x",
    "*anchor",
    "*nope",
    "!!binary aGVsbG8=",
    "!!str 1",
    "!custom x",
    "|",
    ">-",
    "? complex",
    "- item",
    ": colon",
    "# comment",
    "%YAML 1.2",
    "---",
    "...",
    "\t",
    "\u{feff}",
    "\u{0}",
    "\u{7f}",
    "e\u{301}",
    "\u{202e}rtl",
    "a\u{2028}b",
    "\u{1d4b3}",
];

/// Keys: every key of the formats, and a few that are not.
const KEYS: &[&str] = &[
    "nodes",
    "id",
    "name",
    "level",
    "kind",
    "parent",
    "region",
    "host",
    "tags",
    "vars",
    "apps",
    "url",
    "suite",
    "defaults",
    "checks",
    "timeout",
    "retries",
    "severity",
    "needs",
    "where",
    "for_each_app",
    "icmp",
    "tcp",
    "http",
    "dns",
    "target",
    "count",
    "interval",
    "max_loss",
    "max_rtt",
    "max_connect",
    "method",
    "ca",
    "insecure",
    "tls",
    "min_version",
    "client_cert",
    "client_key",
    "client_cert_password",
    "headers",
    "expect",
    "status",
    "json",
    "json_schema",
    "exists",
    "matches",
    "contains",
    "\">=\"",
    "max_time",
    "cert_valid_days",
    "body",
    "server",
    "type",
    "rcode",
    "waivers",
    "node",
    "check",
    "app",
    "reason",
    "approved_by",
    "expires",
    "faults",
    "down",
    "silent",
    "slow",
    "flaky",
    "cert",
    "records",
    "nonconformant",
    "stale_secondary",
    "parnet",
    "Level",
    "<<",
    "? x",
    "\"quoted key\"",
    "[a, b]",
    "北京",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(VALUES).prop_map(str::to_string),
        1 => "[a-z0-9.-]{0,12}",
        1 => "\\PC{0,16}",
        1 => any::<String>(),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-z_]{1,12}",
    ]
}

/// A line of YAML: indentation, maybe a list dash, a key and a value (or a value alone).
fn line() -> impl Strategy<Value = String> {
    (0usize..12, any::<bool>(), prop::option::of(key()), value()).prop_map(
        |(indent, dash, key, value)| {
            let dash = if dash { "- " } else { "" };
            match key {
                Some(k) => format!("{:indent$}{dash}{k}: {value}", ""),
                None => format!("{:indent$}{dash}{value}", ""),
            }
        },
    )
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<Index>;
    prop_oneof![
        1 => i().prop_map(Mutation::Delete),
        1 => i().prop_map(Mutation::Duplicate),
        1 => (i(), i()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => (i(), -4i8..=4).prop_map(|(a, n)| Mutation::Indent(a, n)),
        1 => i().prop_map(Mutation::Tab),
        3 => (i(), value()).prop_map(|(a, v)| Mutation::Value(a, v)),
        2 => (i(), key()).prop_map(|(a, k)| Mutation::Key(a, k)),
        2 => (i(), line()).prop_map(|(a, l)| Mutation::Insert(a, l)),
        1 => (i(), prop_oneof![value(), "[-:{}\\[\\],'\"#&*!|>%@` \t\n]{1,4}"])
            .prop_map(|(a, s)| Mutation::Splice(a, s)),
        1 => (i(), 1usize..40).prop_map(|(a, n)| Mutation::Cut(a, n)),
        1 => i().prop_map(Mutation::Truncate),
        1 => Just(Mutation::Crlf),
    ]
}

/// Applies the mutations in order.
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let chars: Vec<char> = text.chars().collect();
        let line = |i: &Index| i.index(lines.len());
        // The text before and after the character an index picks (its end for no text).
        let at = |i: &Index| i.index(chars.len() + 1);
        let prefix = |n: usize| chars[..n].iter().collect::<String>();
        let suffix = |n: usize| chars[n.min(chars.len())..].iter().collect::<String>();
        let edited_lines = match m {
            Mutation::Splice(i, s) => {
                text = format!("{}{s}{}", prefix(at(i)), suffix(at(i)));
                continue;
            }
            Mutation::Cut(i, n) => {
                text = format!("{}{}", prefix(at(i)), suffix(at(i) + n));
                continue;
            }
            Mutation::Truncate(i) => {
                text = prefix(at(i));
                continue;
            }
            Mutation::Crlf => {
                text = text.replace("\r\n", "\n").replace('\n', "\r\n");
                continue;
            }
            _ if lines.is_empty() => {
                if let Mutation::Insert(_, l) = m {
                    text = format!("{l}\n");
                }
                continue;
            }
            Mutation::Delete(i) => {
                lines.remove(line(i));
                lines
            }
            Mutation::Duplicate(i) => {
                let n = line(i);
                lines.insert(n, lines[n].clone());
                lines
            }
            Mutation::Swap(a, b) => {
                let (a, b) = (line(a), line(b));
                lines.swap(a, b);
                lines
            }
            Mutation::Indent(i, by) => {
                let n = line(i);
                let l = &lines[n];
                lines[n] = if *by >= 0 {
                    format!("{:w$}{l}", "", w = by.unsigned_abs() as usize)
                } else {
                    let strip = l
                        .chars()
                        .take(by.unsigned_abs() as usize)
                        .take_while(|c| *c == ' ')
                        .count();
                    l[strip..].to_string()
                };
                lines
            }
            Mutation::Tab(i) => {
                let n = line(i);
                lines[n] = format!("\t{}", lines[n]);
                lines
            }
            Mutation::Value(i, v) => {
                let n = line(i);
                let l = &lines[n];
                if let Some(p) = l.find(": ").or_else(|| l.find("- ")) {
                    lines[n] = format!("{}{v}", &l[..p + 2]);
                }
                lines
            }
            Mutation::Key(i, k) => {
                let n = line(i);
                let l = &lines[n];
                if let Some(p) = l.find(':') {
                    let start = l.len() - l.trim_start_matches([' ', '-']).len();
                    if start <= p {
                        lines[n] = format!("{}{k}{}", &l[..start], &l[p..]);
                    }
                }
                lines
            }
            Mutation::Insert(i, new) => {
                let n = i.index(lines.len() + 1);
                lines.insert(n, new.clone());
                lines
            }
        };
        text = edited_lines.join("\n");
        text.push('\n');
    }
    text
}

/// What a case writes in place of its target: mutated text or random bytes.
#[derive(Debug, Clone)]
enum Payload {
    Mutated(Vec<Mutation>),
    Bytes(Vec<u8>),
}

impl Payload {
    fn bytes(&self, original: &str) -> Vec<u8> {
        match self {
            Payload::Mutated(m) => mutate(original, m).into_bytes(),
            Payload::Bytes(b) => b.clone(),
        }
    }
}

fn mutated() -> impl Strategy<Value = Payload> {
    prop::collection::vec(mutation(), 1..6).prop_map(Payload::Mutated)
}

/// Random bytes: uniform, or drawn from YAML's punctuation and a few words (more often
/// past the tokenizer); both may be invalid UTF-8.
fn random_bytes() -> impl Strategy<Value = Payload> {
    let yamlish = prop::collection::vec(
        prop::sample::select(
            [
                "-", ":", " ", "  ", "\n", "\t", "{", "}", "[", "]", ",", "'", "\"", "#", "&a",
                "*a", "!", "|", ">", "%", "@", "`", "?", "nodes", "id", "x", "1", "\u{feff}", "\r",
                "\u{0}", "\u{ff}",
            ]
            .to_vec(),
        ),
        0..200,
    )
    .prop_map(|v| v.concat().into_bytes());
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        yamlish,
        // Invalid UTF-8 in an otherwise valid start.
        prop::collection::vec(any::<u8>(), 1..8).prop_map(|b| {
            let mut v = b"nodes:\n  - id: ".to_vec();
            v.extend(b);
            v.push(0xff);
            v
        }),
    ]
    .prop_map(Payload::Bytes)
}

/// A case's files, written to a temporary folder, with relative paths (as a user types
/// them) to run the binary there.
struct Files {
    dir: tempfile::TempDir,
    inventory: PathBuf,
    suite: PathBuf,
    waivers: Option<PathBuf>,
    faults: Option<PathBuf>,
    /// Every file read, as diagnostics name it, and the inventory folder.
    names: Vec<String>,
}

impl Files {
    fn write(target: Target, bytes: &[u8]) -> Files {
        let dir = tempfile::tempdir().unwrap();
        let at = |rel: &str| dir.path().join(rel);
        let copy = |from: &str, to: &str| {
            let to = at(to);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(root().join(from), &to).unwrap();
            to
        };
        let mut names = Vec::new();
        let (inventory, suite, waivers, faults);
        if let Target::Faults = target {
            // The demo inventory is read where it is: only the faults change.
            inventory = root().join("inventories/demo");
            for e in std::fs::read_dir(&inventory).unwrap() {
                names.push(e.unwrap().path().display().to_string());
            }
            suite = root().join("suites/acceptance.yaml");
            waivers = None;
            faults = Some(at("faults.yaml"));
        } else {
            inventory = at("inv");
            for name in EXAMPLE {
                let to = copy(
                    &format!("inventories/example/{name}"),
                    &format!("inv/{name}"),
                );
                names.push(to.display().to_string());
            }
            let suite_file = match target {
                Target::Nightly => "suites/nightly.yaml",
                _ => "suites/acceptance.yaml",
            };
            suite = copy(suite_file, "suite.yaml");
            waivers = match target {
                Target::Nightly => None,
                _ => Some(copy("suites/waivers.example.yaml", "waivers.yaml")),
            };
            faults = None;
        }
        let changed = match target {
            Target::Inventory(i) => at(&format!("inv/{}", EXAMPLE[i])),
            Target::Acceptance | Target::Nightly => suite.clone(),
            Target::Waivers => waivers.clone().unwrap(),
            Target::Faults => faults.clone().unwrap(),
        };
        std::fs::write(&changed, bytes).unwrap();
        names.push(inventory.display().to_string());
        names.extend(
            [&suite]
                .into_iter()
                .chain(&waivers)
                .chain(&faults)
                .map(|p| p.display().to_string()),
        );
        Files {
            dir,
            inventory,
            suite,
            waivers,
            faults,
            names,
        }
    }

    fn inputs(&self) -> Inputs {
        Inputs {
            inventory: self.inventory.clone(),
            suite: Some(self.suite.clone()),
            waivers: self.waivers.clone(),
            faults: self.faults.clone(),
        }
    }

    /// The arguments of `netaccept validate`, relative to the folder where they are.
    fn args(&self) -> Vec<String> {
        let rel = |p: &Path| {
            p.strip_prefix(self.dir.path())
                .unwrap_or(p)
                .display()
                .to_string()
        };
        let mut args = vec![
            "validate".to_string(),
            "-i".into(),
            rel(&self.inventory),
            "-s".into(),
            rel(&self.suite),
        ];
        if let Some(w) = &self.waivers {
            args.extend(["--waivers".into(), rel(w)]);
        }
        if let Some(f) = &self.faults {
            args.extend(["--faults".into(), rel(f)]);
        }
        args
    }
}

/// A diagnostic has a place inside its file, or names one of `names`.
fn placed(d: &Diagnostic, sources: &Sources, names: &[String]) -> Result<(), TestCaseError> {
    let Some(at) = d.loc else {
        prop_assert!(
            names.iter().any(|n| d.message.contains(n.as_str())),
            "no place and no file named: {:?}",
            d
        );
        return Ok(());
    };
    prop_assert!((at.file as usize) < sources.files.len(), "{:?}", d);
    // Lines as YAML counts them: a lone `\r` ends one too.
    let text = &sources.files[at.file as usize].text;
    let lines = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .count();
    prop_assert!(at.line >= 1 && at.col >= 1, "{:?}", d);
    prop_assert!(
        at.line as usize <= lines + 1,
        "line {} of {} lines: {:?}",
        at.line,
        lines,
        d
    );
    Ok(())
}

/// What loading gave is sound: errors (or warnings) placed, and rendered with their place.
fn sound(result: Result<Loaded, Invalid>, names: &[String]) -> Result<(), TestCaseError> {
    let (mut diags, sources) = match result {
        Ok(loaded) => (loaded.warnings, loaded.sources),
        Err(invalid) => {
            prop_assert!(
                invalid.diagnostics.iter().any(Diagnostic::is_error),
                "refused without an error: {:?}",
                invalid.diagnostics
            );
            (invalid.diagnostics, invalid.sources)
        }
    };
    for d in &diags {
        placed(d, &sources, names)?;
    }
    let rendered = diag::render_all(&mut diags, &sources);
    for d in &diags {
        if let Some(at) = d.loc {
            let position = format!("--> {}", sources.position(at));
            prop_assert!(
                rendered.contains(&position),
                "{} not in\n{}",
                position,
                rendered
            );
        }
    }
    Ok(())
}

/// The example inventory and acceptance suite's ids, for `load_waivers`.
static TARGETS: LazyLock<WaiverTargets> = LazyLock::new(|| {
    let loaded = load::load(&Inputs {
        inventory: root().join("inventories/example"),
        suite: Some(root().join("suites/acceptance.yaml")),
        ..Inputs::default()
    })
    .expect("the example loads");
    WaiverTargets::from_model(&loaded.inventory, loaded.suite.as_ref().unwrap())
});

/// `netaccept validate` exits 0 or 2, and when 2 each error has `file:line:col` or names
/// its file.
fn validate_answers(files: &Files) -> Result<(), TestCaseError> {
    let out = Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(files.args())
        .current_dir(files.dir.path())
        .env_remove("NETACCEPT_TOKEN")
        .output()
        .expect("run netaccept");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    prop_assert!(
        code == Some(0) || code == Some(2),
        "exit {:?}\n{}",
        code,
        stderr
    );
    prop_assert!(!stderr.contains("panicked"), "{}", stderr);
    if code == Some(2) {
        let names: Vec<String> = files
            .names
            .iter()
            .map(|n| {
                Path::new(n)
                    .strip_prefix(files.dir.path())
                    .map_or(n.clone(), |p| p.display().to_string())
            })
            .collect();
        // Blocks are separated by blank lines; an error's block starts `error: `.
        let errors: Vec<&str> = stderr
            .split("\n\n")
            .filter(|b| b.starts_with("error: "))
            .collect();
        prop_assert!(!errors.is_empty(), "exit 2 without an error\n{}", stderr);
        for block in errors {
            let position = block.lines().any(|l| {
                l.trim_start().strip_prefix("--> ").is_some_and(|p| {
                    let mut parts = p.rsplitn(3, ':');
                    let col = parts.next().and_then(|c| c.parse::<u32>().ok());
                    let line = parts.next().and_then(|c| c.parse::<u32>().ok());
                    let file = parts.next().unwrap_or("");
                    col.is_some_and(|c| c >= 1) && line.is_some_and(|l| l >= 1) && !file.is_empty()
                })
            });
            let first = block.lines().next().unwrap_or("");
            prop_assert!(
                position || names.iter().any(|n| first.contains(n.as_str())),
                "an error without file:line:col nor a file name:\n{}",
                block
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn loading_mutated_examples_never_panics_and_places_every_error(
        target in target(),
        payload in mutated(),
    ) {
        let original = std::fs::read_to_string(target.source()).unwrap();
        let files = Files::write(target, &payload.bytes(&original));
        sound(load::load(&files.inputs()), &files.names)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn loading_random_bytes_never_panics_and_places_every_error(
        target in target(),
        payload in random_bytes(),
    ) {
        let files = Files::write(target, &payload.bytes(""));
        sound(load::load(&files.inputs()), &files.names)?;
    }

    #[test]
    fn loading_waivers_on_their_own_never_panics_and_places_every_error(
        payload in prop_oneof![3 => mutated(), 1 => random_bytes()],
    ) {
        let original = std::fs::read_to_string(Target::Waivers.source()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("waivers.yaml");
        std::fs::write(&path, payload.bytes(&original)).unwrap();
        let names = [path.display().to_string()];
        let result = load::load_waivers(&path, &TARGETS);
        let (mut diags, sources) = match result {
            Ok((_, sources)) => (Vec::new(), sources),
            Err(invalid) => {
                prop_assert!(invalid.diagnostics.iter().any(Diagnostic::is_error));
                (invalid.diagnostics, invalid.sources)
            }
        };
        for d in &diags {
            placed(d, &sources, &names)?;
        }
        diag::render_all(&mut diags, &sources);
    }
}

proptest! {
    // Each case runs the binary: few cases.
    #![proptest_config(config(16))]

    #[test]
    fn validate_exits_0_or_2_with_the_place_of_each_error(
        target in target(),
        payload in prop_oneof![3 => mutated(), 1 => random_bytes()],
    ) {
        let original = std::fs::read_to_string(target.source()).unwrap();
        let files = Files::write(target, &payload.bytes(&original));
        validate_answers(&files)?;
    }
}
