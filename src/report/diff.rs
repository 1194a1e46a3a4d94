//! TEMP stub (lead): replaced by H4's module on merge.
use crate::history::Catalog;
use crate::trend::Diff;
pub struct Names;
impl Names {
    pub fn from_catalog(c: &Catalog) -> Names {
        let _ = c;
        Names
    }
}
pub fn table(d: &Diff, n: &Names) -> String {
    let _ = (d, n);
    todo!()
}
pub fn json(d: &Diff, n: &Names) -> String {
    let _ = (d, n);
    todo!()
}
