//! `results.csv`: what a spreadsheet opens. The bytes are read back with the csv crate's
//! reader, the way any importer would.

use netaccept::report::Lang;
use netaccept::report::csv::{HEADER, HEADER_ZH, render};
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

/// The first row whose columns hold the given values (`(column, value)` pairs): how a test
/// picks out the row of the result it looks at.
fn row_where<'r>(
    rows: &'r [csv::StringRecord],
    matching: &[(&str, &str)],
) -> &'r csv::StringRecord {
    rows.iter()
        .find(|row| matching.iter().all(|(c, v)| &row[col(c)] == *v))
        .unwrap_or_else(|| panic!("no row with {matching:?}"))
}

#[test]
fn one_row_per_result_with_bom_header_and_crlf() {
    let r = fixture();
    let bytes = render(&r, Lang::En);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    assert!(text.starts_with(
        "\u{feff}node,node_name,path,level,check,check_name,app,app_name,status,severity,kind,\
         message,expected,measured,target,attempts,duration_ms,started,waiver_reason,\
         waiver_approved_by,waiver_expires,waiver_expired,vantage,host\r\n"
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
    let qingxu = row_where(
        &rows,
        &[("node", "sx-taiyuan-qingxu"), ("status", "waived")],
    );
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

    let passed = row_where(&rows, &[("status", "passed")]);
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

    let (_, rows) = read(&render(&r, Lang::En));
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
    let waived = row_where(&rows, &[("status", "waived")]);
    assert_eq!(&waived[col("waiver_reason")], "'-负责人批准");
    // Numbers are numbers: never prefixed.
    for row in &rows {
        assert!(row[col("duration_ms")].parse::<f64>().is_ok());
        assert!(row[col("attempts")].parse::<u32>().is_ok());
    }
}

/// With `--lang zh`: the header, statuses, severities and levels in Chinese, each record
/// explained in Chinese (its kind in words, expected and measured translated), the
/// prober's own line kept after it (`（原始信息：…）`) where it says more; the same columns as English.
#[test]
fn chinese_headers_statuses_and_explanations_with_lang_zh() {
    let r = fixture();
    let bytes = render(&r, Lang::Zh);
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with(
        "\u{feff}节点,节点名称,路径,级别,检查,检查名称,应用,应用名称,状态,严重程度,类型,说明,\
         期望,实测,目标,尝试次数,耗时（毫秒）,开始时间,豁免原因,豁免批准人,豁免到期日,\
         豁免已过期（到期日）,探测点,探测主机\r\n"
    ));
    let (header, rows) = read(&bytes);
    assert_eq!(header, HEADER_ZH);
    assert_eq!(
        HEADER_ZH.len(),
        HEADER.len(),
        "the same columns in both languages"
    );
    assert_eq!(rows.len(), r.results.len());
    for (row, rec) in rows.iter().zip(&r.results) {
        let status = match rec.status {
            Status::Passed => "通过",
            Status::Failed => "未通过",
            Status::Errored => "错误",
            Status::Skipped => "跳过",
            Status::Waived => "豁免",
            Status::NotReported => "未报告",
        };
        assert_eq!(&row[col("status")], status);
        assert!(["关键", "重要", "次要"].contains(&&row[col("severity")]));
        assert!(["国家级", "省级", "地市级", "县级"].contains(&&row[col("level")]));
        // Identifiers and figures stay as they are.
        assert_eq!(&row[col("node")], rec.node);
        assert_eq!(&row[col("kind")], rec.kind.as_deref().unwrap_or(""));
        assert_eq!(&row[col("attempts")], rec.attempts.to_string());
        let message = &row[col("message")];
        match rec.status {
            Status::Passed => assert_eq!(message, ""),
            Status::Skipped => assert!(
                message.starts_with("因 ") && message.ends_with("而跳过"),
                "{message}"
            ),
            _ => assert!(!message.is_ascii(), "{message}"),
        }
    }
    let row = |check: &str, status: &str| row_where(&rows, &[("check", check), ("status", status)]);
    let status = row_where(&rows, &[("kind", "StatusMismatch")]);
    assert_eq!(&status[col("message")], "HTTP 状态码与期望不符");
    assert_eq!(&status[col("expected")], "状态码为 [200] 之一");
    assert_eq!(&status[col("measured")], "503");
    // The OS's words are the prober's line: kept, labelled, after the explanation.
    let dns = row("net.dns", "未通过");
    assert_eq!(&dns[col("expected")], "DNS 应答");
    assert_eq!(&dns[col("measured")], "端口不可达");
    let (words, raw) = dns[col("message")].split_once("（原始信息：").unwrap();
    assert_eq!(words, "连接被拒绝：端口上没有服务在监听");
    assert!(raw.ends_with("(os error 111))）"), "{raw}");
    // One line per row, for the tools that read a CSV by lines.
    assert_eq!(text.lines().count(), r.results.len() + 1);
    let config = row_where(&rows, &[("kind", "Config")]);
    assert!(config[col("message")].starts_with("检查的配置在此无法使用"));
    assert!(config[col("message")].contains("原始信息：cannot read CA file"));
    assert_eq!(
        &row("net.tcp-http", "跳过")[col("message")],
        "因 网络连通性（ICMP）未通过而跳过"
    );
    // Skipped because a waived check failed: said so (清徐县's health check is waived).
    let qingxu = row_where(
        &rows,
        &[("node", "sx-taiyuan-qingxu"), ("check", "app.login-page")],
    );
    assert_eq!(
        &qingxu[col("message")],
        "因 应用系统健康检查 未通过（已豁免）而跳过"
    );

    // English: the record as it is.
    let (header, en) = read(&render(&r, Lang::En));
    assert_eq!(header, HEADER);
    for (row, rec) in en.iter().zip(&r.results) {
        assert_eq!(&row[col("status")], rec.status.as_str());
        assert_eq!(&row[col("message")], rec.message);
        assert_eq!(&row[col("expected")], rec.expected.as_deref().unwrap_or(""));
    }
}
