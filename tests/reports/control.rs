//! Control characters in names and messages (a node name that retitles the operator's
//! terminal, a message that colours it, a NUL, a bell) reach no human-facing report raw:
//! not the terminal summary, not `report.html`, not `results.csv`. The terminal and the
//! page show them in caret form (`^[`, `^G`, `^@`), so the reader sees what was planted;
//! the page keeps the line breaks of multi-line evidence.

use netaccept::report::{Lang, csv, html, summary};
use netaccept::results::{Results, Status};

use crate::fixture::mixed as fixture;

/// An OSC that retitles a terminal (ended by BEL), an SGR colour, a NUL, a BEL, DEL and the
/// C1 CSI (U+009B, which some terminals read as `ESC [`).
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}山西\u{1b}[31mred\u{0}nul\u{7}bel\u{7f}\u{9b}2J";

/// The controls [`HOSTILE`] holds; none may appear in a human-facing output.
const RAW: [char; 5] = ['\u{1b}', '\u{7}', '\u{0}', '\u{7f}', '\u{9b}'];

fn hostile() -> Results {
    let mut r = fixture();
    for n in &mut r.nodes {
        n.name = format!("{HOSTILE} {}", n.name);
    }
    r.run.suite_name = HOSTILE.to_string();
    r.run.operator = HOSTILE.to_string();
    for x in &mut r.results {
        x.message = format!("{HOSTILE} {}", x.message);
        x.target = format!("{HOSTILE}{}", x.target);
        if matches!(x.status, Status::Failed | Status::Errored) {
            x.expected = Some(HOSTILE.to_string());
            x.measured = Some(HOSTILE.to_string());
            x.evidence = Some(format!("first line\n\tindented {HOSTILE}\nlast line"));
        }
    }
    r
}

fn assert_no_raw_controls(what: &str, text: &str) {
    for c in RAW {
        assert!(
            !text.contains(c),
            "{what} holds U+{:04X} raw: {:?}",
            c as u32,
            text.lines().find(|l| l.contains(c)).unwrap_or_default()
        );
    }
}

#[test]
fn the_summary_shows_control_characters_in_caret_form() {
    let text = summary::render(&hostile());
    assert_no_raw_controls("the summary", &text);
    // A failure's row: the node's province name, its message.
    assert!(
        text.contains("^[]0;pwned^G山西^[[31mred^@nul^Gbel^?M-^[2J"),
        "{text}"
    );
}

#[test]
fn the_html_report_shows_control_characters_in_caret_form_and_keeps_evidence_lines() {
    let r = hostile();
    for lang in [Lang::Zh, Lang::En] {
        let page = html::render(&r, lang);
        assert_no_raw_controls("report.html", &page);
        assert!(page.contains("^[]0;pwned^G山西^[[31mred^@nul^Gbel^?M-^[2J"));
        // Evidence is shown in `<pre>`: its line breaks and tabs are its layout.
        assert!(
            page.contains("<pre>first line\n\tindented ^[]0;pwned^G"),
            "evidence lines kept"
        );
    }
}

#[test]
fn results_csv_holds_no_control_characters_but_line_breaks_and_tabs() {
    let bytes = csv::render(&hostile(), Lang::En);
    let text = std::str::from_utf8(&bytes).unwrap();
    assert_no_raw_controls("results.csv", text);
}
