//! Reading the input files: regular files only, of a bounded size, as UTF-8 text; and an
//! inventory folder's `*.yaml` and `*.yml` entries, every one of which is read or reported.
//!
//! A file's type and size are checked before it is opened: a FIFO is never opened (opening
//! one for reading blocks until some writer comes) and a device such as `/dev/zero` is never
//! read (it would be read until memory runs out). The size caps ([`MAX_FILE_BYTES`] per
//! file, [`MAX_FOLDER_BYTES`] for a folder) come before any parsing, so the YAML budget
//! (`super::yaml`) only ever sees a bounded text. An entry of an inventory folder that
//! cannot be read (a dangling symbolic link, a link loop, a FIFO, a folder) is an error
//! naming it: a province silently left out would pass validation with nodes missing.

use std::fmt::Write as _;
use std::fs::{File, Metadata};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use super::Loader;
use crate::diag::Diagnostic;

/// The most one input file may hold: 16 MiB. The national inventory is about 1 MB in 33
/// files, so this leaves ample room while keeping a mistaken path (a disk image, a log)
/// from being read into memory whole.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The most an inventory folder's files may hold together: 64 MiB.
pub const MAX_FOLDER_BYTES: u64 = 64 * 1024 * 1024;

impl Loader {
    /// Reads one file; a problem (not a regular file, over the cap, not UTF-8, unreadable)
    /// becomes a diagnostic naming the path.
    pub(super) fn read(&mut self, path: &Path) -> Option<u32> {
        // `metadata` follows symbolic links without opening anything.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.push(unreadable(path, &e));
                return None;
            }
        };
        if let Err(d) = check_type_and_size(path, &meta) {
            self.push(d);
            return None;
        }
        match read_capped(path) {
            Ok(bytes) => self.add_text(path, bytes),
            Err(d) => {
                self.push(d);
                None
            }
        }
    }

    fn add_text(&mut self, path: &Path, bytes: Vec<u8>) -> Option<u32> {
        if let Ok(text) = String::from_utf8(bytes) {
            Some(self.sources.add(path.to_path_buf(), text))
        } else {
            self.push(Diagnostic::global(format!(
                "{}: not UTF-8 text; save the file as UTF-8",
                path.display()
            )));
            None
        }
    }

    /// An inventory is a file, or a folder whose `*.yaml` and `*.yml` entries (not
    /// recursive) are read in path order. Every such entry must be a regular file (or a
    /// symbolic link to one), and their sizes together at most [`MAX_FOLDER_BYTES`].
    pub(super) fn read_inventory_files(&mut self, path: &Path) -> Vec<u32> {
        if !path.is_dir() {
            return self.read(path).into_iter().collect();
        }
        let entries = match std::fs::read_dir(path) {
            Ok(e) => e,
            Err(e) => {
                self.push(unreadable(path, &e));
                return Vec::new();
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                        paths.push(p);
                    }
                }
                Err(e) => self.push(unreadable(path, &e)),
            }
        }
        paths.sort();
        if paths.is_empty() {
            self.push(Diagnostic::global(format!(
                "{}: the inventory directory has no *.yaml or *.yml file",
                path.display()
            )));
            return Vec::new();
        }
        // Every entry is checked, and the total summed, before any is read.
        let mut readable: Vec<PathBuf> = Vec::with_capacity(paths.len());
        let mut total: u64 = 0;
        for p in paths {
            match entry_metadata(&p).and_then(|m| check_type_and_size(&p, &m).map(|()| m)) {
                Ok(m) => {
                    total = total.saturating_add(m.len());
                    readable.push(p);
                }
                Err(d) => self.push(d),
            }
        }
        if total > MAX_FOLDER_BYTES {
            self.push(
                Diagnostic::global(format!(
                    "{}: the inventory folder's files hold {} together, more than the {} an inventory may hold",
                    path.display(),
                    size(total),
                    size(MAX_FOLDER_BYTES)
                ))
                .with_hint("is this the right folder? An inventory of the whole country takes about 1 MB"),
            );
            return Vec::new();
        }
        readable.iter().filter_map(|p| self.read(p)).collect()
    }
}

/// A file's bytes, with the checks and the cap of [`Loader::read`], for files that are not
/// input text (a `ca:` bundle looked into at load); the caller decides what a problem means.
pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
    check_type_and_size(path, &meta)?;
    read_capped(path)
}

/// An inventory folder's entry, followed if it is a symbolic link; a link that leads
/// nowhere or to itself is an error naming the entry and its target.
fn entry_metadata(p: &Path) -> Result<Metadata, Diagnostic> {
    match std::fs::metadata(p) {
        Ok(m) => Ok(m),
        Err(e) => {
            let message = match std::fs::read_link(p) {
                Ok(t) if e.kind() == io::ErrorKind::NotFound => format!(
                    "{}: a symbolic link to `{}`, which does not exist",
                    p.display(),
                    t.display()
                ),
                Ok(t) if is_loop(&e) => format!(
                    "{}: a symbolic link loop (it points to `{}`)",
                    p.display(),
                    t.display()
                ),
                Ok(t) => format!(
                    "{}: a symbolic link to `{}` that cannot be followed: {e}",
                    p.display(),
                    t.display()
                ),
                Err(_) => format!("{}: cannot read: {e}", p.display()),
            };
            Err(Diagnostic::global(message).with_hint(
                "every *.yaml and *.yml entry of an inventory folder is read: fix the link, or remove the entry",
            ))
        }
    }
}

#[cfg(unix)]
fn is_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_: &io::Error) -> bool {
    false
}

/// Refuses what is not a regular file, or is over [`MAX_FILE_BYTES`], from its metadata
/// alone (nothing opened).
fn check_type_and_size(path: &Path, meta: &Metadata) -> Result<(), Diagnostic> {
    let ty = meta.file_type();
    if ty.is_dir() {
        return Err(Diagnostic::global(format!(
            "{}: a folder, not a file",
            path.display()
        ))
        .with_hint("an inventory folder is read one level deep; a suite, waivers or faults file is one file"));
    }
    if !ty.is_file() {
        return Err(Diagnostic::global(format!(
            "{}: not a regular file ({}); netaccept reads its inputs from files",
            path.display(),
            kind(meta)
        ))
        .with_hint("save the input to a file and name that file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(path, Some(meta.len())));
    }
    Ok(())
}

/// Reads at most one byte over the cap, so a file that grew since its size was checked
/// is refused rather than read whole.
fn read_capped(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let file = open(path).map_err(|e| unreadable(path, &e))?;
    // The file was checked by name; this checks what was opened, in case it changed since.
    let meta = file.metadata().map_err(|e| unreadable(path, &e))?;
    check_type_and_size(path, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path, None));
    }
    Ok(bytes)
}

/// Opens for reading without blocking: should a FIFO replace the checked file between the
/// check and the open, the open returns at once and the check of the opened file refuses it.
#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn too_big(path: &Path, len: Option<u64>) -> Diagnostic {
    let mut message = format!("{}: ", path.display());
    match len {
        Some(n) => {
            let _ = write!(message, "{}, ", size(n));
        }
        None => message.push_str("grew while read: "),
    }
    let _ = write!(
        message,
        "more than the {} an input file may hold",
        size(MAX_FILE_BYTES)
    );
    Diagnostic::global(message).with_hint(
        "is this the right file? Split a large inventory into a folder of files, one per province",
    )
}

fn unreadable(path: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::global(format!("{}: cannot read: {e}", path.display()))
}

/// What a file that is not a regular file is, for the message.
fn kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let ty = meta.file_type();
        if ty.is_fifo() {
            return "a FIFO";
        }
        if ty.is_char_device() {
            return "a character device";
        }
        if ty.is_block_device() {
            return "a block device";
        }
        if ty.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a file"
}

/// A byte count as people read it: `16 MiB`, `16777217 bytes (16.0 MiB)`, `812 KiB`.
fn size(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{n} bytes ({:.1} MiB)", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{} KiB", n.div_ceil(KIB))
    } else {
        format!("{n} bytes")
    }
}
