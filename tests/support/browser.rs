//! A real browser for the tests that print the HTML report: headless Chromium with the flags
//! a closed network needs, a deadline on every command, PDF pages read back as text with
//! pdftotext; and whether the tools (and a Chinese font) are here, which CI requires.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::host;

pub fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// Chromium's flags for a closed network: without them it waits on services it cannot reach.
pub fn chromium(user_data: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", user_data.display()));
    c
}

/// Runs a command with a deadline, so a hung browser fails the test instead of the CI job.
pub fn run(mut cmd: Command, what: &str) -> Vec<u8> {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let err_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out_file.reopen().unwrap())
        .stderr(err_file.reopen().unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: no result in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = std::fs::read_to_string(err_file.path()).unwrap_or_default();
    assert!(status.success(), "{what}: {status}\n{stderr}");
    std::fs::read(out_file.path()).unwrap()
}

/// Whether the browser tests can run here; on CI they must.
pub fn browser_available(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| on_path(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not on PATH (apt-get install chromium poppler-utils fonts-noto-cjk)",
        missing.join(", ")
    );
    host::skip(&format!("the browser test: {why}"));
    false
}

pub fn print_pdf(html_file: &Path, pdf: &Path, user_data: &Path) {
    let mut c = chromium(user_data);
    c.arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", html_file.display()));
    run(c, "chromium --print-to-pdf");
}

/// Without a CJK font Chromium prints the Chinese as empty boxes, while the PDF's text layer
/// still reads well; Chromium embeds its fonts unnamed, so ask fontconfig instead.
pub fn check_cjk_font() {
    let found = on_path("fc-list").is_some() && {
        let mut c = Command::new("fc-list");
        c.args([":lang=zh", "family"]);
        !run(c, "fc-list").is_empty()
    };
    if !found {
        let why = "no Chinese font (apt-get install fonts-noto-cjk): the report prints boxes";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("warning: {why}");
    }
}

/// The text of each page of a PDF, in reading layout; pdftotext separates pages with form
/// feeds.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let text = String::from_utf8(run(
        {
            let mut c = Command::new("pdftotext");
            c.args(["-enc", "UTF-8", "-layout"]).arg(pdf).arg("-");
            c
        },
        "pdftotext",
    ))
    .unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}
