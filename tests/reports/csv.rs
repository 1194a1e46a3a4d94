//! `results.csv`: what a spreadsheet opens. The bytes are read back with the csv crate's
//! reader, the way any importer would.

use netaccept::report::csv::{HEADER, render};
use netaccept::results::Status;

const BOM: &[u8] = b"\xEF\xBB\xBF";

use crate::fixture::mixed as fixture;

/// The header and the rows, read back after the BOM.
fn read(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    assert!(bytes.starts_with(BOM), "no UTF-8 BOM");
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[BOM.len()..]);
    let header = rd.headers().unwrap().iter().map(String::from).collect();
    let rows = rd.records().collect::<Result<_, _>>().unwrap();
    (header, rows)
}

fn col(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).unwrap()
}

#[test]
fn one_row_per_result_with_bom_header_and_crlf() {
    let r = fixture();
    let bytes = render(&r);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    assert!(text.starts_with(
        "\u{feff}node,node_name,path,level,check,check_name,app,app_name,status,severity,kind,\
         message,expected,measured,target,attempts,duration_ms,started,waiver_reason,\
         waiver_approved_by,waiver_expires,waiver_expired\r\n"
    ));
    // Every line break outside a quoted field is CRLF.
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert!(text.ends_with("\r\n"));

    let (header, rows) = read(&bytes);
    assert_eq!(header, HEADER);
    assert_eq!(rows.len(), r.results.len());
    for (row, rec) in rows.iter().zip(&r.results) {
        assert_eq!(row.len(), HEADER.len());
        assert_eq!(&row[col("node")], rec.node);
        assert_eq!(&row[col("check")], rec.check);
        assert_eq!(&row[col("app")], rec.app.as_deref().unwrap_or(""));
        assert_eq!(&row[col("status")], rec.status.as_str());
        assert_eq!(&row[col("severity")], rec.severity.as_str());
        assert_eq!(&row[col("attempts")], rec.attempts.to_string());
        let ms: f64 = row[col("duration_ms")].parse().unwrap();
        assert_eq!(ms, rec.duration_ms);
        let started = chrono::DateTime::parse_from_rfc3339(&row[col("started")]).unwrap();
        assert!(row[col("started")].ends_with('Z'));
        assert!((started.timestamp_millis() - rec.started.timestamp_millis()).abs() <= 1);
    }

    // Chinese text intact, names looked up.
    let qingxu = rows
        .iter()
        .find(|row| &row[col("node")] == "sx-taiyuan-qingxu" && &row[col("status")] == "waived")
        .unwrap();
    assert_eq!(&qingxu[col("node_name")], "清徐县应急管理局");
    assert_eq!(
        &qingxu[col("path")],
        "national.sx.sx-taiyuan.sx-taiyuan-qingxu"
    );
    assert_eq!(&qingxu[col("level")], "county");
    assert_eq!(&qingxu[col("check_name")], "应用系统健康检查");
    assert_eq!(&qingxu[col("app_name")], "安全生产调度统计系统");
    assert_eq!(&qingxu[col("kind")], "ConnectionRefused");
    assert_eq!(
        &qingxu[col("waiver_reason")],
        "清徐县调度统计系统计划2027年6月底前上线"
    );
    assert_eq!(&qingxu[col("waiver_approved_by")], "项目推进办");
    assert_eq!(&qingxu[col("waiver_expires")], "2027-06-30");

    let passed = rows
        .iter()
        .find(|row| &row[col("status")] == "passed")
        .unwrap();
    assert_eq!(&passed[col("waiver_reason")], "");
    assert_eq!(&passed[col("message")], "");
}

#[test]
fn awkward_text_round_trips_and_formulas_are_defused() {
    let mut r = fixture();
    let tricky = "refused, \"twice\"\nsecond line; 山西 — ok";
    r.results[0].message = tricky.into();
    r.results[0].expected = Some("=HYPERLINK(\"http://evil\",\"x\")".into());
    r.results[0].measured = Some("-1".into());
    r.results[0].target = "+cmd|' /C calc'!A0".into();
    r.results[1].message = "@SUM(1,2)".into();
    r.results[1].expected = Some("\tstarts with a tab".into());
    r.results[1].measured = Some("\rstarts with CR".into());
    r.results[1].message = "@SUM(1,2)".into();
    r.results[2].message = "a\u{0}b".into();
    r.nodes[0].name = "=1+1".into();
    let waived = r
        .results
        .iter_mut()
        .find(|x| x.status == Status::Waived)
        .unwrap();
    waived.waiver.as_mut().unwrap().reason = "-负责人批准".into();

    let (_, rows) = read(&render(&r));
    assert_eq!(&rows[0][col("message")], tricky);
    assert_eq!(
        &rows[0][col("expected")],
        "'=HYPERLINK(\"http://evil\",\"x\")"
    );
    assert_eq!(&rows[0][col("measured")], "'-1");
    assert_eq!(&rows[0][col("target")], "'+cmd|' /C calc'!A0");
    assert_eq!(&rows[0][col("node_name")], "'=1+1");
    assert_eq!(&rows[1][col("message")], "'@SUM(1,2)");
    assert_eq!(&rows[1][col("expected")], "'\tstarts with a tab");
    assert_eq!(&rows[1][col("measured")], "'\rstarts with CR");
    assert_eq!(&rows[2][col("message")], "ab");
    let waived = rows
        .iter()
        .find(|row| &row[col("status")] == "waived")
        .unwrap();
    assert_eq!(&waived[col("waiver_reason")], "'-负责人批准");
    // Numbers are numbers: never prefixed.
    for row in &rows {
        assert!(row[col("duration_ms")].parse::<f64>().is_ok());
        assert!(row[col("attempts")].parse::<u32>().is_ok());
    }
}
