//! The fifth level, `township` (乡镇级), in the reports: the sample record with a township
//! under one of its counties, and a ping of it with link-quality figures. The HTML report
//! names the level in the node's details and has a township tier (county → township) in the
//! link-quality section; `results.csv` and `links.csv` name the level and the tier in the
//! report's language.

use netaccept::model::{Kind, Level};
use netaccept::report::html::{self, Details, Options, Split};
use netaccept::report::{Lang, csv as csv_report};
use netaccept::results::{NodeInfo, Results, Summary};
use serde_json::json;

use crate::fixture::{mixed as fixture, record};
use crate::html::section;

/// The county of the sample record the township hangs under.
const COUNTY: &str = "sx-changzhi-zhangzi";
const TOWN: &str = "sx-changzhi-zhangzi-t01";

/// The sample record with a township below [`COUNTY`] and a `net.icmp` result on it that
/// carries ping statistics with limits (a link-quality result).
fn with_township() -> Results {
    let mut r = fixture();
    let county = r.nodes.iter().find(|n| n.id == COUNTY).unwrap().clone();
    let at = r.nodes.iter().position(|n| n.id == COUNTY).unwrap() + 1;
    r.nodes.insert(
        at,
        NodeInfo {
            id: TOWN.into(),
            name: "长子县第1乡镇安全生产监管站".into(),
            level: Level::Township,
            kind: Kind::Safety,
            parent: Some(COUNTY.into()),
            path: format!("{}.{TOWN}", county.path),
            region: None,
            host: Some("127.14.40.1".into()),
        },
    );
    let mut x = record(&r, COUNTY, "net.icmp").clone();
    x.node = TOWN.into();
    x.status = netaccept::results::Status::Passed;
    x.kind = None;
    x.message = String::new();
    x.waiver = None;
    x.waiver_expired = None;
    let serde_json::Value::Object(m) = json!({
        "sent": 5, "received": 5, "loss_pct": 0.0, "rtt_min_ms": 1.5, "rtt_avg_ms": 2.0,
        "rtt_p95_ms": 2.75, "rtt_max_ms": 3.0, "ipdv_ms": 1.25, "address": "127.14.40.1",
        "limits": {"loss_pct": 5.0, "rtt_avg_ms": 200.0, "rtt_p95_ms": 300.0, "ipdv_ms": 120.0}
    }) else {
        unreachable!()
    };
    x.measurements = m;
    r.results.push(x);
    r.summary = Summary::of(&r.results);
    r
}

fn opts(lang: Lang) -> Options {
    Options {
        lang,
        details: Details::All,
        split: Split::None,
    }
}

#[test]
fn html_names_the_level_and_has_a_township_tier_in_both_languages() {
    let r = with_township();
    for (lang, level, tier, county_tier) in [
        (
            Lang::Zh,
            "乡镇级",
            "<h3>乡镇级链路（县 → 乡镇）</h3>",
            "县级链路（地市 → 县）",
        ),
        (
            Lang::En,
            "township",
            "<h3>Township links (county → township)</h3>",
            "County links (prefectural → county)",
        ),
    ] {
        let doc = html::render_with(&r, &opts(lang));
        let links = section(&doc, "links");
        assert!(links.contains(tier), "{lang:?}: {links}");
        // The township tier comes last, after the county one, and holds the town's row.
        let town_at = links.find(tier).unwrap();
        assert!(
            links.find(county_tier).is_none_or(|c| c < town_at),
            "{lang:?}"
        );
        assert!(
            links[town_at..].contains(&format!("{COUNTY} → {TOWN}")),
            "{lang:?}"
        );
        // The node's details name its level in words.
        let details = &doc[doc
            .find(&format!(
                "<code>national.sx.sx-changzhi.{COUNTY}.{TOWN}</code>"
            ))
            .unwrap()..];
        let meta = &details[..details.find("</p>").unwrap()];
        assert!(meta.contains(level), "{lang:?}: {meta}");
    }
}

#[test]
fn csv_files_name_the_level_and_the_tier_in_the_reports_language() {
    let r = with_township();
    for (lang, level) in [(Lang::En, "township"), (Lang::Zh, "乡镇级")] {
        let bytes = csv_report::render(&r, lang);
        let text = String::from_utf8(bytes).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{TOWN},")))
            .unwrap_or_else(|| panic!("no row of {TOWN}: {text}"));
        assert!(line.contains(&format!(",{level},")), "{lang:?}: {line}");

        let mut links = Vec::new();
        csv_report::write_links(&r, lang, &mut links).unwrap();
        let links = String::from_utf8(links).unwrap();
        let town_lines: Vec<&str> = links
            .lines()
            .filter(|l| l.contains(&format!(",{COUNTY},")) && l.contains(&format!(",{TOWN},")))
            .collect();
        assert!(!town_lines.is_empty(), "{lang:?}: {links}");
        for l in town_lines {
            assert!(
                l.trim_start_matches('\u{feff}')
                    .starts_with(&format!("{level},")),
                "{lang:?}: {l}"
            );
        }
    }
}
