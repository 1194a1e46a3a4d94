//! `--metrics FILE`: the run as Prometheus text exposition format, for node_exporter's
//! textfile collector (written atomically by the caller: `report::write_atomic`).

use crate::results::Results;

/// The file's text.
pub fn render(results: &Results) -> String {
    let _ = results;
    todo!("H3")
}
