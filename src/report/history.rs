//! TEMP stub (lead): replaced by H4's module on merge.
use crate::history::{RunRow, SeriesPoint};
use crate::report::diff::Names;
pub fn runs_table(r: &[RunRow]) -> String {
    let _ = r;
    todo!()
}
pub fn runs_json(r: &[RunRow]) -> String {
    let _ = r;
    todo!()
}
pub fn series_table(p: &[SeriesPoint], n: &Names) -> String {
    let _ = (p, n);
    todo!()
}
pub fn series_json(p: &[SeriesPoint], n: &Names) -> String {
    let _ = (p, n);
    todo!()
}
