//! `results.json`: the record, written whole at the end of a run in plan order, and read
//! back by `netaccept report`.

use std::path::Path;

use crate::results::Results;

pub fn to_bytes(results: &Results) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(results).expect("results serialise");
    bytes.push(b'\n');
    bytes
}

/// Why a file cannot be read back as a results record.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotResults(String),
    Newer(String),
}

/// Reads a results file, refusing what is not one and what a newer netaccept wrote.
pub fn read(path: &Path) -> Result<Results, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ReadError::NotResults(format!("not JSON: {e}")))?;
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("")
        .to_string();
    let Some(version) = format.strip_prefix("netaccept-results/") else {
        return Err(ReadError::NotResults(
            "no `\"format\": \"netaccept-results/…\"` field: not a netaccept results file".into(),
        ));
    };
    let ours = crate::results::FORMAT.trim_start_matches("netaccept-results/");
    match (version.parse::<u32>(), ours.parse::<u32>()) {
        (Ok(v), Ok(o)) if v > o => {
            return Err(ReadError::Newer(format!(
                "written in format {format} by a newer netaccept; this version reads {}",
                crate::results::FORMAT
            )));
        }
        (Ok(_), _) => {}
        _ => return Err(ReadError::NotResults(format!("unknown format `{format}`"))),
    }
    let format = format.as_str();
    serde_json::from_value(value)
        .map_err(|e| ReadError::NotResults(format!("not a valid {format} record: {e}")))
}
