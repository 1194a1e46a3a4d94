//! The availability report (`netaccept availability`): a [`trend::Availability`] as a
//! printable HTML document (zh or en), as a plain-text table for the terminal, and as JSON
//! (`netaccept-availability/1`).
//!
//! The HTML follows the acceptance report's rules: one self-contained file (inline CSS, no
//! scripts, fonts or images), A4 print CSS, every value through askama's auto-escaping with
//! the report's own escaper (node names come from many hands' inventories), and a sign-off
//! block, since a month's availability is something a province signs for. The template is
//! `templates/availability.html`; the page model (`page`) prepares every string so the
//! template only lays it out, and `strings` holds the fixed words in both languages.
//!
//! Percentages are shown to two decimals, rounded, except that a link with any down result
//! never shows `100.00` (99.999 % is not 100 %).

mod json;
mod page;
mod strings;
mod table;

use crate::report::Lang;
use crate::trend::{self, Counts};

pub use json::{FORMAT, json};
pub use table::table;

/// The printable HTML document.
pub fn html(a: &trend::Availability, lang: Lang) -> String {
    page::render(a, lang)
}

/// A percentage of up over up and down, to two decimals; `—` without either.
pub fn percent(c: &Counts) -> String {
    match c.percent() {
        None => "—".into(),
        Some(p) => {
            let s = format!("{p:.2}");
            if s == "100.00" && c.down > 0 {
                "99.99".into()
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_round_to_two_decimals_and_never_to_100_with_a_failure() {
        let c = |up, down| Counts {
            up,
            down,
            maintenance: 0,
            unknown: 0,
        };
        assert_eq!(percent(&c(2, 1)), "66.67");
        assert_eq!(percent(&c(1, 0)), "100.00");
        assert_eq!(percent(&c(99_999, 1)), "99.99");
        assert_eq!(percent(&c(0, 3)), "0.00");
        assert_eq!(percent(&c(0, 0)), "—");
    }
}
