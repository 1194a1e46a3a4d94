//! `results.json`: the record, written whole at the end of a run in plan order, and read
//! back by `netaccept report`.

use std::io::Write;
use std::path::Path;

use crate::results::Results;

/// Writes the record as pretty-printed JSON with a final newline, followed by its
/// link-quality table (`link_quality`, [`crate::results::links::derive`]) when it has one.
///
/// The table is derived from the record each time it is written and never read back
/// (reading ignores the key): a record without link-quality results is written byte for
/// byte as before, and an older file gets its table when it is written again.
pub fn write(results: &Results, w: &mut dyn Write) -> std::io::Result<()> {
    write_with(results, &crate::results::links::derive(results), w)
}

/// [`write()`] with the record's link-quality table already derived (`links`, which must be
/// [`crate::results::links::derive`] of `results`): the reports written side by side share
/// one derivation.
pub fn write_with(
    results: &Results,
    links: &[crate::results::links::LinkRow<'_>],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct WithLinks<'a, 'b> {
        #[serde(flatten)]
        results: &'a Results,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        link_quality: &'b [crate::results::links::LinkRow<'a>],
    }
    let record = WithLinks {
        results,
        link_quality: links,
    };
    serde_json::to_writer_pretty(&mut *w, &record)?;
    w.write_all(b"\n")
}

/// The record as [`write()`] writes it, in memory.
pub fn to_bytes(results: &Results) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(results, &mut bytes).expect("writing to memory cannot fail");
    bytes
}

/// The SHA-256 (lower-case hex) of the bytes [`write()`] writes for this record: the
/// `results.json` a report is made from, which the HTML report prints (a document cannot
/// hold its own hash). Hashed as it is written, never held whole.
pub fn sha256(results: &Results) -> String {
    sha256_with(results, &crate::results::links::derive(results))
}

/// [`sha256`] with the link-quality table already derived, as [`write_with`] takes it.
pub fn sha256_with(results: &Results, links: &[crate::results::links::LinkRow<'_>]) -> String {
    write_hashed(results, links, &mut std::io::sink()).expect("hashing cannot fail")
}

/// [`write_with`] into `w`, returning the SHA-256 (lower-case hex) of the bytes written: the
/// run's `results.json` is hashed on its way to the file, for the HTML report beside it,
/// rather than serialised a second time (13 % of `netaccept report`'s CPU time, perf).
pub fn write_hashed(
    results: &Results,
    links: &[crate::results::links::LinkRow<'_>],
    w: &mut dyn Write,
) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    /// Hashes exactly the bytes `inner` took: a short write hashes only its part.
    struct Hashing<'a> {
        inner: &'a mut dyn Write,
        hash: Sha256,
    }
    impl Write for Hashing<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.hash.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }
    // serde_json writes a few bytes at a time; the hash is fed whole buffers, as the file is.
    let mut b = std::io::BufWriter::with_capacity(
        HASH_BUFFER,
        Hashing {
            inner: w,
            hash: Sha256::new(),
        },
    );
    write_with(results, links, &mut b)?;
    let h = b
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    Ok(h.hash
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        }))
}

/// The bytes hashed at a time by [`write_hashed`].
const HASH_BUFFER: usize = 64 * 1024;

/// Why a file cannot be read back as a results record.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotResults(String),
    Newer(String),
}

/// The largest record `report` reads (a `results.json` or a `journal.jsonl`): a national run
/// writes about 15 MB; a gigabyte is a mistake, or `/dev/zero`, and would be read without end.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024 * 1024;

/// Opens a record to read: a regular file of at most [`MAX_RECORD_BYTES`], checked before a
/// byte is read (a FIFO or a device would block or never end).
pub fn open_record(path: &Path) -> Result<std::fs::File, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotResults(
            "not a regular file (a folder, a device or a pipe)".into(),
        ));
    }
    if meta.len() > MAX_RECORD_BYTES {
        return Err(ReadError::NotResults(format!(
            "{} bytes, more than the {} MiB a record may hold",
            meta.len(),
            MAX_RECORD_BYTES / 1024 / 1024
        )));
    }
    std::fs::File::open(path).map_err(ReadError::Io)
}

/// [`read`], keeping only the run and its results: the nodes, checks, apps, waivers and
/// bundles are skipped by the parser, never built (what `merge` needs of each bundle, 33
/// national bundles each carrying the whole tree otherwise). A file the quick path cannot
/// read is read by [`read`], which finds the reason.
pub fn read_run_and_results(path: &Path) -> Result<Results, ReadError> {
    #[derive(serde::Deserialize)]
    struct RunAndResults {
        format: String,
        run: crate::results::RunInfo,
        results: Vec<crate::results::ResultRecord>,
    }
    let file = open_record(path)?;
    let lean = match serde_json::from_reader::<_, RunAndResults>(std::io::BufReader::new(file)) {
        Ok(lean) => {
            check_format(&lean.format)?;
            lean
        }
        Err(e) if e.is_io() => return Err(ReadError::Io(e.into())),
        Err(_) => {
            let full = read(path)?;
            RunAndResults {
                format: full.format,
                run: full.run,
                results: full.results,
            }
        }
    };
    let mut results = lean.results;
    results.shrink_to_fit();
    Ok(Results {
        format: lean.format,
        run: lean.run,
        summary: crate::results::Summary::default(),
        results,
        nodes: Vec::new(),
        checks: Vec::new(),
        apps: Vec::new(),
        waivers: Vec::new(),
        bundles: Vec::new(),
    })
}

/// Reads a results file, refusing what is not one and what a newer netaccept wrote.
pub fn read(path: &Path) -> Result<Results, ReadError> {
    // A file netaccept wrote is read straight into the record, through a buffer: neither the
    // file's bytes nor a `serde_json::Value` of it (a tree of maps several times its size)
    // is ever held whole. Anything else takes the slow path below, which finds the reason.
    let file = open_record(path)?;
    match serde_json::from_reader::<_, Results>(std::io::BufReader::new(file)) {
        Ok(results) => {
            check_format(&results.format)?;
            return Ok(results);
        }
        Err(e) if e.is_io() => return Err(ReadError::Io(e.into())),
        Err(_) => {}
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(open_record(path)?, MAX_RECORD_BYTES),
        &mut bytes,
    )
    .map_err(ReadError::Io)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ReadError::NotResults(format!("not JSON: {e}")))?;
    drop(bytes);
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("")
        .to_string();
    check_format(&format)?;
    let format = format.as_str();
    serde_json::from_value(value)
        .map_err(|e| ReadError::NotResults(format!("not a valid {format} record: {e}")))
}

/// Refuses a `format` that is not a results record's, or that a newer netaccept wrote.
fn check_format(format: &str) -> Result<(), ReadError> {
    let Some(version) = format.strip_prefix("netaccept-results/") else {
        return Err(ReadError::NotResults(
            "no `\"format\": \"netaccept-results/…\"` field: not a netaccept results file".into(),
        ));
    };
    let ours = crate::results::FORMAT.trim_start_matches("netaccept-results/");
    match (version.parse::<u32>(), ours.parse::<u32>()) {
        (Ok(v), Ok(o)) if v > o => Err(ReadError::Newer(format!(
            "written in format {format} by a newer netaccept; this version reads {}",
            crate::results::FORMAT
        ))),
        (Ok(_), _) => Ok(()),
        _ => Err(ReadError::NotResults(format!("unknown format `{format}`"))),
    }
}
