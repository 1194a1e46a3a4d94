//! `SHA256SUMS`: every regular file of a bundle's folder (recursively, `provinces/*.html`
//! included) with its SHA-256, in `sha256sum -c`'s format: `<64 lower-case hex>  <path>`
//! lines sorted by path, paths relative with forward slashes, a newline after each. The
//! manifest and its signature are the only files it leaves out.
//!
//! Read strictly: a line in any other form (upper-case hex, `*` binary marker, a blank line,
//! a missing final newline) is refused, so that a change of any byte of the manifest is
//! caught even without a signature.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{SIGNATURE, SUMS};

/// One line: a file's path in the folder and its SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
}

/// What is in the folder: regular files as entries, and anything else (a symlink, a
/// device, a name that is not UTF-8 or cannot be written in a manifest) by its path.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<String>,
    pub odd: Vec<String>,
}

/// Lists the folder, sorted by path, leaving out the manifest and its signature.
pub fn list(dir: &Path) -> std::io::Result<Listing> {
    let mut out = Listing::default();
    walk(dir, "", &mut out)?;
    out.files.sort();
    out.odd.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Listing) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            out.odd.push(format!("{prefix}{}", name.to_string_lossy()));
            continue;
        };
        let path = format!("{prefix}{name}");
        if prefix.is_empty() && (name == SUMS || name == SIGNATURE) {
            continue;
        }
        let ty = entry.file_type()?;
        if ty.is_dir() {
            walk(&entry.path(), &format!("{path}/"), out)?;
        } else if ty.is_file() && !path.contains(['\n', '\r', '\\']) {
            out.files.push(path);
        } else {
            out.odd.push(path);
        }
    }
    Ok(())
}

/// The SHA-256 (hex) of a file, read in pieces.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The manifest's text.
pub fn render(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&e.sha256);
        out.push_str("  ");
        out.push_str(&e.path);
        out.push('\n');
    }
    out
}

/// Reads a manifest: its entries, or the first line that is not in the form `render` writes.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let Some(body) = text.strip_suffix('\n') else {
        return Err("the last line does not end with a newline".into());
    };
    let mut out: Vec<Entry> = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        let n = i + 1;
        let (sha, path) = line
            .split_at_checked(64)
            .ok_or_else(|| format!("line {n}: not `<sha256>  <path>`"))?;
        let path = path
            .strip_prefix("  ")
            .ok_or_else(|| format!("line {n}: not `<sha256>  <path>`"))?;
        if !sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "line {n}: the SHA-256 is not 64 lower-case hex digits"
            ));
        }
        if path.is_empty()
            || path.contains(['\r', '\\'])
            || path.starts_with('/')
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(format!(
                "line {n}: `{path}` is not a relative path in the folder"
            ));
        }
        if let Some(last) = out.last()
            && last.path.as_str() >= path
        {
            return Err(format!("line {n}: `{path}` is out of order or repeated"));
        }
        out.push(Entry {
            path: path.to_string(),
            sha256: sha.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes_and_nothing_else() {
        let e = vec![
            Entry {
                path: "a.json".into(),
                sha256: "0".repeat(64),
            },
            Entry {
                path: "provinces/sx.html".into(),
                sha256: "f".repeat(64),
            },
        ];
        let text = render(&e);
        assert_eq!(parse(&text).unwrap(), e);
        for bad in [
            text.trim_end().to_string(),
            text.replace("ff", "FF"),
            text.replace("  a", " *a"),
            text.replace("  provinces", "  ../provinces"),
            format!("{text}\n"),
            render(&[e[1].clone(), e[0].clone()]),
        ] {
            assert!(parse(&bad).is_err(), "{bad:?}");
        }
    }
}
