//! Files a check reads at run time (a `ca:` bundle, a client certificate or key): regular
//! files only, their size checked before reading, so that a mistaken path (`/dev/zero`, a
//! folder, a disk image) is refused in words instead of read without end.

use std::io;
use std::path::Path;

/// The bytes of `path`, a regular file of at most `max` bytes; past it the error says how
/// large it is and `what` such a file holds (`the 16 MiB a CA bundle may hold`).
pub(crate) fn read_capped(path: &Path, max: u64, what: &str) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if meta.len() > max {
        return Err(io::Error::other(format!(
            "{} bytes, more than {what}",
            meta.len()
        )));
    }
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_and_a_file_past_the_cap_are_refused_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_capped(dir.path(), 10, "a test file holds").unwrap_err();
        assert_eq!(e.to_string(), "not a regular file");
        let big = dir.path().join("big");
        std::fs::write(&big, [0u8; 11]).unwrap();
        let e = read_capped(&big, 10, "a test file holds").unwrap_err();
        assert_eq!(e.to_string(), "11 bytes, more than a test file holds");
        assert_eq!(read_capped(&big, 11, "").unwrap().len(), 11);
    }
}
