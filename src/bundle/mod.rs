//! Bundles: a run's output folder made checkable and, with a key, signed. After the
//! reports, [`seal`] writes `manifest.intoto.json` (an in-toto Statement of the files and
//! the results: `intoto`), then `SHA256SUMS` (every file with its SHA-256, `sha256sum -c`'s
//! format, the statement included: `manifest`), then with a secret key `SHA256SUMS.minisig`
//! (a minisign signature Debian's `minisign -V` verifies: `minisign`), each file whole or not
//! at all. [`verify`] recomputes every digest and checks the signature against the keys it
//! is given, naming each file changed, missing or added.

mod intoto;
mod manifest;
mod minisign;

use std::fmt;
use std::path::{Path, PathBuf};

pub use minisign::{FormatError, KeyId, PublicKey, SecretKey};

use crate::results::Results;
use manifest::Entry;
use sha2::{Digest, Sha256};

/// The manifest: every other file with its SHA-256.
pub const SUMS: &str = "SHA256SUMS";
/// The manifest's minisign signature.
pub const SIGNATURE: &str = "SHA256SUMS.minisig";
/// The in-toto Statement, itself listed in the manifest.
pub const STATEMENT: &str = "manifest.intoto.json";

/// Writes the statement, the manifest and (with `key`) its signature, after the reports. A
/// signature left by an earlier seal of the folder is removed first: it no longer matches.
pub fn seal(dir: &Path, results: &Results, key: Option<&SecretKey>) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(SIGNATURE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let subjects = entries(dir, &[STATEMENT])?;
    let record = subjects.iter().find(|e| e.path == "results.json");
    let statement = intoto::statement(results, &subjects, record);
    crate::report::write_atomic(&dir.join(STATEMENT), statement.as_bytes())?;
    // The manifest lists the subjects and the statement: the files were just hashed, and
    // hashing them again (a national run's are 100 MB) only cost time.
    let mut all = subjects;
    all.push(Entry {
        path: STATEMENT.to_string(),
        sha256: manifest::hex(&Sha256::digest(statement.as_bytes())),
    });
    all.sort_by(|a, b| a.path.cmp(&b.path));
    let sums = manifest::render(&all);
    crate::report::write_atomic(&dir.join(SUMS), sums.as_bytes())?;
    if let Some(key) = key {
        let sig = key.sign(sums.as_bytes(), &trusted_comment(results));
        crate::report::write_atomic(&dir.join(SIGNATURE), sig.as_bytes())?;
    }
    Ok(())
}

/// What the signature vouches for: the run, its vantage (and shard) and the host.
pub fn trusted_comment(results: &Results) -> String {
    let run = &results.run;
    let mut s = format!(
        "netaccept run {} vantage {} host {}",
        run.id,
        run.vantage_id.as_deref().unwrap_or("-"),
        run.vantage
    );
    if let Some(shard) = run.shard {
        s.push_str(&format!(" shard {}/{}", shard.index, shard.count));
    }
    s
}

/// The folder's regular files with their digests, leaving out `skip`. Anything else (a
/// symlink someone planted in a shared folder, a name a manifest line cannot hold) is never
/// followed nor listed: `verify` names it as added.
fn entries(dir: &Path, skip: &[&str]) -> std::io::Result<Vec<Entry>> {
    let paths: Vec<String> = manifest::list(dir)?
        .files
        .into_iter()
        .filter(|p| !skip.contains(&p.as_str()))
        .collect();
    // Side by side (`par`): hashing a national run's files (100 MB) is a few hundred
    // milliseconds of one core, and the run is over, so every core is free. The first file
    // that cannot be read, in the folder's order, is the error.
    let digests = crate::par::map_in_order(&paths, |path| manifest::sha256_file(&dir.join(path)))
        .into_iter()
        .collect::<std::io::Result<Vec<String>>>()?;
    Ok(paths
        .into_iter()
        .zip(digests)
        .map(|(path, sha256)| Entry { path, sha256 })
        .collect())
}

/// The public keys a signature may be checked against.
#[derive(Debug, Clone, Default)]
pub struct Keys(Vec<PublicKey>);

impl Keys {
    /// Every `*.pub` file in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Keys, BundleError> {
        let read = std::fs::read_dir(dir).map_err(|e| BundleError::Key {
            path: dir.to_path_buf(),
            why: e.to_string(),
        })?;
        let mut paths: Vec<PathBuf> = read
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pub"))
            .collect();
        paths.sort();
        let keys = paths
            .iter()
            .map(|p| {
                PublicKey::read(p).map_err(|e| BundleError::Key {
                    path: p.clone(),
                    why: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Keys(keys))
    }

    /// One public key file.
    pub fn one(path: &Path) -> Result<Keys, BundleError> {
        PublicKey::read(path)
            .map(|k| Keys(vec![k]))
            .map_err(|e| BundleError::Key {
                path: path.to_path_buf(),
                why: e.to_string(),
            })
    }

    /// No keys: the files are checked, a signature is not.
    pub fn none() -> Keys {
        Keys(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A bundle whose files all match its manifest, and whose signature (when keys were given)
/// holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The SHA-256 (hex) of `SHA256SUMS`.
    pub manifest_sha256: String,
    /// The key id (hex, as minisign shows it) whose signature was checked.
    pub signer: Option<String>,
    /// Without keys: the key id a signature names, not checked.
    pub unchecked_signer: Option<String>,
    /// The signature's trusted comment, when it was checked.
    pub trusted_comment: Option<String>,
    /// Files the manifest lists.
    pub files: usize,
}

/// One thing wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A listed file whose content is not what the manifest says.
    Changed(String),
    /// A listed file that is not there.
    Missing(String),
    /// A file that the manifest does not list.
    Added(String),
    /// The statement and the manifest disagree.
    Statement(String),
    /// The signature does not hold (or cannot be read, or no key given matches it).
    Signature(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Changed(p) => write!(f, "{p}: changed (its SHA-256 is not the manifest's)"),
            Problem::Missing(p) => write!(f, "{p}: missing (listed in {SUMS})"),
            Problem::Added(p) => write!(f, "{p}: added (not listed in {SUMS})"),
            Problem::Statement(why) => write!(f, "{STATEMENT}: {why}"),
            Problem::Signature(why) => write!(f, "{SIGNATURE}: {why}"),
        }
    }
}

/// Why a bundle does not verify.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{}: not a bundle: {why}", dir.display())]
    NotABundle { dir: PathBuf, why: String },
    #[error("{}: {why}", path.display())]
    Key { path: PathBuf, why: String },
    #[error("{}: {}", dir.display(), problems.iter().map(ToString::to_string).collect::<Vec<_>>().join(&format!("\n{}: ", dir.display())))]
    Problems {
        dir: PathBuf,
        problems: Vec<Problem>,
    },
    /// Every file matches, but there is no signature to check against the keys given (or
    /// none at all).
    #[error("{}: unsigned (no {SIGNATURE}); its files match {SUMS}", dir.display())]
    Unsigned {
        dir: PathBuf,
        manifest_sha256: String,
    },
}

/// Checks a bundle: every file against the manifest (changed, missing, added), the statement
/// against the manifest, and the signature against `keys` (with no keys, a signature is not
/// checked, and a bundle without one is [`BundleError::Unsigned`] all the same).
pub fn verify(dir: &Path, keys: &Keys) -> Result<Verified, BundleError> {
    let not = |why: String| BundleError::NotABundle {
        dir: dir.to_path_buf(),
        why,
    };
    let sums = std::fs::read(dir.join(SUMS)).map_err(|e| not(format!("{SUMS}: {e}")))?;
    let manifest_sha256 = manifest::hex(&Sha256::digest(&sums));
    let mut problems = Vec::new();
    let listed = match std::str::from_utf8(&sums)
        .map_err(|_| "not UTF-8 text".to_string())
        .and_then(manifest::parse)
    {
        Ok(l) => l,
        Err(why) => {
            problems.push(Problem::Statement(format!(
                "cannot check it: {SUMS}: {why}"
            )));
            Vec::new()
        }
    };
    let listing = manifest::list(dir).map_err(|e| not(e.to_string()))?;
    for e in &listed {
        let path = dir.join(&e.path);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => match manifest::sha256_file(&path) {
                Ok(sha) if sha == e.sha256 => {}
                Ok(_) => problems.push(Problem::Changed(e.path.clone())),
                Err(_) => problems.push(Problem::Missing(e.path.clone())),
            },
            Ok(_) => problems.push(Problem::Changed(e.path.clone())),
            Err(_) => problems.push(Problem::Missing(e.path.clone())),
        }
    }
    let known: std::collections::HashSet<&str> = listed.iter().map(|e| e.path.as_str()).collect();
    for p in listing.files.iter().chain(&listing.odd) {
        if !known.contains(p.as_str()) {
            problems.push(Problem::Added(p.clone()));
        }
    }
    if !listed.is_empty() {
        check_statement(dir, &listed, &mut problems);
    }
    let mut verified = Verified {
        manifest_sha256: manifest_sha256.clone(),
        signer: None,
        unchecked_signer: None,
        trusted_comment: None,
        files: listed.len(),
    };
    let unsigned = match std::fs::read(dir.join(SIGNATURE)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => {
            problems.push(Problem::Signature(e.to_string()));
            false
        }
        Ok(bytes) => {
            match std::str::from_utf8(&bytes)
                .map_err(|_| FormatError("not UTF-8 text".into()))
                .and_then(minisign::SigFile::parse)
            {
                Err(e) => problems.push(Problem::Signature(e.to_string())),
                Ok(sig) if keys.is_empty() => {
                    verified.unchecked_signer = Some(sig.key_id.to_string());
                }
                Ok(sig) => match keys.0.iter().find(|k| k.id == sig.key_id) {
                    None => problems.push(Problem::Signature(format!(
                        "signed with key {}, which is not among the keys given",
                        sig.key_id
                    ))),
                    Some(k) => match k.verify(&sums, &sig) {
                        Ok(()) => {
                            verified.signer = Some(sig.key_id.to_string());
                            verified.trusted_comment = Some(sig.trusted_comment);
                        }
                        Err(e) => problems.push(Problem::Signature(e.to_string())),
                    },
                },
            }
            false
        }
    };
    if !problems.is_empty() {
        return Err(BundleError::Problems {
            dir: dir.to_path_buf(),
            problems,
        });
    }
    if unsigned {
        return Err(BundleError::Unsigned {
            dir: dir.to_path_buf(),
            manifest_sha256,
        });
    }
    Ok(verified)
}

/// The statement must be listed, and list exactly the manifest's other files with the same
/// digests.
fn check_statement(dir: &Path, listed: &[Entry], problems: &mut Vec<Problem>) {
    if !listed.iter().any(|e| e.path == STATEMENT) {
        problems.push(Problem::Statement(format!("not listed in {SUMS}")));
        return;
    }
    let Ok(text) = std::fs::read_to_string(dir.join(STATEMENT)) else {
        return; // already named missing or changed
    };
    match intoto::subjects(&text) {
        Err(why) => problems.push(Problem::Statement(why)),
        Ok(mut subjects) => {
            subjects.sort_by(|a, b| a.path.cmp(&b.path));
            let others: Vec<&Entry> = listed.iter().filter(|e| e.path != STATEMENT).collect();
            if subjects.iter().collect::<Vec<_>>() != others {
                problems.push(Problem::Statement(format!(
                    "its subjects are not the files {SUMS} lists"
                )));
            }
        }
    }
}
