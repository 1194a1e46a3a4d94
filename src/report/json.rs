//! `results.json`: the record, written whole at the end of a run in plan order.

use std::path::Path;

use crate::results::Results;

pub fn write(path: &Path, results: &Results) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(results).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    super::write_atomic(path, &bytes)
}
