//! TEMP stub (lead): replaced by H2's module on merge.
use crate::report::Lang;
use crate::trend::Availability;
pub fn html(a: &Availability, lang: Lang) -> String {
    let _ = (a, lang);
    todo!()
}
pub fn table(a: &Availability) -> String {
    let _ = a;
    todo!()
}
pub fn json(a: &Availability) -> String {
    let _ = a;
    todo!()
}
