//! Every fixed string of the HTML report, in Chinese and in English: headings, labels, the
//! verdict and readiness rules as printed, and the words for statuses, severities, levels
//! and kinds. A table, kept apart so that the page code reads without it.
//!
//! Named `Strings`, not `Text`: `crate::model::Text` is a template filled for one item.

use crate::model::{Kind, Level, Severity};
use crate::outcome::tls::Role;
use crate::report::Lang;
use crate::results::Status;

/// Every fixed string of the report in one language. One struct for both, so that the
/// compiler refuses a string present in one language and missing in the other.
pub(crate) struct Strings {
    pub(crate) html_lang: &'static str,
    /// After a label: full-width in Chinese.
    pub(crate) colon: &'static str,
    /// Between the counts of a list ("3 failed, 1 errored"): full-width in Chinese.
    pub(crate) comma: &'static str,
    /// One count with its word (`{word}`, `{n}`): the number after it in Chinese.
    pub(crate) count: &'static str,
    pub(crate) doc_title: &'static str,
    pub(crate) banner_incomplete: &'static str,
    /// `{done}` and `{planned}` are filled in.
    pub(crate) banner_detail: &'static str,

    pub(crate) sec_run: &'static str,
    pub(crate) sec_verdict: &'static str,
    pub(crate) sec_matrix: &'static str,
    pub(crate) sec_failures: &'static str,
    pub(crate) sec_waivers: &'static str,
    pub(crate) sec_details: &'static str,
    pub(crate) sec_signoff: &'static str,
    /// The appendix's heading under `--details failures`.
    pub(crate) sec_details_failures: &'static str,
    /// At the top of the appendix under `--details failures`: `{n}` is filled in.
    pub(crate) details_failures_note: &'static str,

    /// The page footer (print CSS): `{n}` and `{m}` are the page counters.
    pub(crate) page_of: &'static str,
    /// Before the first 16 hex digits of the record's SHA-256, in the footer.
    pub(crate) record_sha_prefix: &'static str,
    /// The header row with the whole SHA-256 of the record.
    pub(crate) record_sha: &'static str,
    /// Under the header row: why it is the record's hash, not this document's.
    pub(crate) record_sha_note: &'static str,

    /// `--split provincial`: the header row naming what a document covers.
    pub(crate) scope: &'static str,
    /// A province's document: `{name}` and `{id}` are filled in.
    pub(crate) scope_province: &'static str,
    /// The national centre's document: `{name}` and `{id}` are filled in.
    pub(crate) scope_centre: &'static str,
    pub(crate) scope_summary: &'static str,
    /// Under the title of a province's document.
    pub(crate) part_subtitle: &'static str,
    /// Under the title of the summary.
    pub(crate) summary_subtitle: &'static str,
    pub(crate) back_to_summary: &'static str,
    /// Above the summary's matrix.
    pub(crate) summary_matrix_note: &'static str,
    /// Above the summary's one-line failures.
    pub(crate) summary_failures_note: &'static str,
    /// A province's line in the summary's failures: `{failed}`, `{errored}`, `{skipped}`
    /// are filled in.
    pub(crate) summary_group_counts: &'static str,
    pub(crate) document: &'static str,

    pub(crate) suite: &'static str,
    pub(crate) run_id: &'static str,
    pub(crate) inventory_sha: &'static str,
    pub(crate) suite_sha: &'static str,
    pub(crate) tool_version: &'static str,
    pub(crate) vantage: &'static str,
    /// A merged record's table of bundles: its heading and columns.
    pub(crate) bundles: &'static str,
    pub(crate) bundle: &'static str,
    pub(crate) vantage_id: &'static str,
    pub(crate) signer: &'static str,
    pub(crate) unsigned: &'static str,
    pub(crate) probe_host: &'static str,
    pub(crate) window: &'static str,
    pub(crate) manifest_sha: &'static str,
    pub(crate) started: &'static str,
    pub(crate) finished: &'static str,
    pub(crate) duration: &'static str,
    pub(crate) beijing_time: &'static str,
    pub(crate) operator: &'static str,
    pub(crate) completeness: &'static str,
    pub(crate) complete: &'static str,
    pub(crate) interrupted: &'static str,
    pub(crate) selection: &'static str,
    pub(crate) selection_all: &'static str,
    pub(crate) results_count: &'static str,
    /// `{done}` and `{planned}` are filled in.
    pub(crate) results_of_planned: &'static str,

    pub(crate) verdict: &'static str,
    pub(crate) verdict_pass: &'static str,
    pub(crate) verdict_fail: &'static str,
    pub(crate) verdict_rule: &'static str,
    pub(crate) severity: &'static str,
    pub(crate) not_passed_sum: &'static str,
    pub(crate) total: &'static str,

    pub(crate) node: &'static str,
    pub(crate) network: &'static str,
    pub(crate) web: &'static str,
    pub(crate) classification: &'static str,
    pub(crate) all_nodes: &'static str,
    pub(crate) legend: &'static str,
    pub(crate) cell_pass: &'static str,
    pub(crate) cell_fail: &'static str,
    pub(crate) cell_waived: &'static str,
    pub(crate) cell_none: &'static str,
    /// The rule's head, then each class's condition after its (bold) name, then the
    /// columns: printed as one paragraph.
    pub(crate) readiness_rule: &'static str,
    pub(crate) rule_ready: &'static str,
    pub(crate) rule_in_progress: &'static str,
    pub(crate) rule_not_ready: &'static str,
    pub(crate) rule_scope: &'static str,
    pub(crate) rule_sep: &'static str,
    pub(crate) ready: &'static str,
    pub(crate) in_progress: &'static str,
    pub(crate) not_ready: &'static str,

    pub(crate) check: &'static str,
    pub(crate) app: &'static str,
    pub(crate) status: &'static str,
    pub(crate) expected: &'static str,
    pub(crate) measured: &'static str,
    pub(crate) attempts: &'static str,
    pub(crate) message: &'static str,
    pub(crate) target: &'static str,
    pub(crate) evidence: &'static str,
    pub(crate) no_failures: &'static str,
    /// `{n}` is filled in.
    pub(crate) skipped_note: &'static str,
    /// Beside the finding's sentence in Chinese: the record's own message (English).
    pub(crate) as_recorded: &'static str,

    pub(crate) tls: &'static str,
    pub(crate) tls_protocol: &'static str,
    pub(crate) tls_cipher: &'static str,
    pub(crate) tls_backend: &'static str,
    pub(crate) tls_sni: &'static str,
    /// `{role}` is filled in.
    pub(crate) cert_leaf: &'static str,
    /// `{role}` is filled in.
    pub(crate) cert_named: &'static str,
    pub(crate) cert_root_not_sent: &'static str,
    pub(crate) cert_subject: &'static str,
    pub(crate) cert_issuer: &'static str,
    pub(crate) cert_san: &'static str,
    pub(crate) cert_no_san: &'static str,
    pub(crate) cert_not_before: &'static str,
    pub(crate) cert_not_after: &'static str,
    pub(crate) cert_key: &'static str,
    pub(crate) cert_signature: &'static str,
    pub(crate) cert_sha256: &'static str,
    pub(crate) tls_note: &'static str,
    pub(crate) role_leaf: &'static str,
    pub(crate) role_intermediate: &'static str,
    pub(crate) role_root: &'static str,

    pub(crate) reason: &'static str,
    pub(crate) approved_by: &'static str,
    pub(crate) expires: &'static str,
    pub(crate) state: &'static str,
    pub(crate) used: &'static str,
    pub(crate) in_force: &'static str,
    pub(crate) expired: &'static str,
    pub(crate) unused: &'static str,
    /// `{n}` is filled in.
    pub(crate) used_n: &'static str,
    pub(crate) all_apps: &'static str,
    pub(crate) no_waivers: &'static str,
    /// `{reason}`, `{by}` and `{expires}` are filled in.
    pub(crate) waived_by: &'static str,

    pub(crate) path: &'static str,
    pub(crate) level: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) host: &'static str,
    pub(crate) details: &'static str,
    pub(crate) time_ms: &'static str,

    pub(crate) test_org: &'static str,
    pub(crate) tester: &'static str,
    pub(crate) accept_org: &'static str,
    pub(crate) acceptor: &'static str,
    pub(crate) date: &'static str,
    pub(crate) seal: &'static str,
    pub(crate) signature: &'static str,
    pub(crate) signoff_note: &'static str,
    pub(crate) generated_by: &'static str,

    pub(crate) passed: &'static str,
    pub(crate) failed: &'static str,
    pub(crate) errored: &'static str,
    pub(crate) skipped: &'static str,
    pub(crate) waived: &'static str,
    pub(crate) not_reported: &'static str,
    pub(crate) critical: &'static str,
    pub(crate) major: &'static str,
    pub(crate) minor: &'static str,
    pub(crate) national: &'static str,
    pub(crate) provincial: &'static str,
    pub(crate) prefectural: &'static str,
    pub(crate) county: &'static str,
    pub(crate) township: &'static str,
    pub(crate) safety: &'static str,
    pub(crate) coal: &'static str,

    // The terminal's own phrases (`report::summary`, `report::progress`), kept in this table
    // beside the report's words they are built with, so the terminal and the paper say the
    // same. `{…}` are filled in.
    /// The summary's first line after the suite: `{n}` checks, `{secs}` seconds.
    pub(crate) term_checks_in: &'static str,
    /// After it, for an interrupted run.
    pub(crate) term_interrupted: &'static str,
    /// `{n}` of `{planned}` planned checks have no result.
    pub(crate) term_no_result: &'static str,
    /// `{n}` checks errored with one message, said once.
    pub(crate) term_errored_alike: &'static str,
    pub(crate) term_failures_by_province: &'static str,
    pub(crate) term_last_hop: &'static str,
    /// `{n}` more failures not listed.
    pub(crate) term_and_more: &'static str,
    pub(crate) term_slowest: &'static str,
    pub(crate) term_waivers: &'static str,
    pub(crate) term_reports: &'static str,
    /// The progress: `{total}` checks starting.
    pub(crate) term_running: &'static str,
    pub(crate) term_done: &'static str,
    /// Checks finished a second, after the figure.
    pub(crate) term_rate: &'static str,
}

const ZH_TEXT: Strings = Strings {
    html_lang: "zh-CN",
    colon: "：",
    comma: "，",
    count: "{word} {n}",
    doc_title: "验收测试报告",
    banner_incomplete: "本报告不完整（运行被中断）",
    banner_detail: "计划 {planned} 项检查，其中 {done} 项有结果；以下结论只反映已完成的检查。",

    sec_run: "一、测试概况",
    sec_verdict: "二、验收结论",
    sec_matrix: "三、就绪矩阵",
    sec_failures: "四、失败与错误",
    sec_waivers: "五、豁免",
    sec_details: "附录　全部检查结果",
    sec_signoff: "六、签字确认",
    sec_details_failures: "附录　未通过的检查结果",
    details_failures_note: "本附录只列出未通过的检查（失败、错误、跳过、豁免）；另有 {n} 项通过的检查未列出，全部结果见 results.json。",

    page_of: "第 {n} 页 共 {m} 页",
    record_sha_prefix: "记录 SHA-256 前缀",
    record_sha: "记录 SHA-256（results.json）",
    record_sha_note: "本报告据以生成的 results.json 文件的 SHA-256（报告不能包含自身的哈希值）；页脚印其前 16 位。",

    scope: "范围",
    scope_province: "{name}（{id}）及其全部下级节点",
    scope_centre: "{name}（{id}）本级，及不属于任何省级节点的节点",
    scope_summary: "全国汇总（各省级节点的验收报告另册）",
    part_subtitle: "分册",
    summary_subtitle: "全国汇总",
    back_to_summary: "全国汇总：",
    summary_matrix_note: "每行链接到该省级节点的验收报告（分册），分册含其失败详情、豁免、签字和附录。",
    summary_failures_note: "每项失败或错误一行；期望、实测、响应片段和证书见各分册。",
    summary_group_counts: "失败 {failed} 项，错误 {errored} 项，跳过 {skipped} 项",
    document: "分册",

    suite: "测试套件",
    run_id: "运行编号",
    inventory_sha: "清单 SHA-256",
    suite_sha: "套件 SHA-256",
    tool_version: "工具版本",
    vantage: "测试位置（主机名）",
    bundles: "合并的结果包",
    bundle: "结果包",
    vantage_id: "探测点",
    signer: "签名者（密钥 ID）",
    unsigned: "未签名",
    probe_host: "探测主机",
    window: "时间范围",
    manifest_sha: "清单文件（manifest）SHA-256",
    started: "开始时间",
    finished: "结束时间",
    duration: "用时",
    beijing_time: "北京时间",
    operator: "测试人员",
    completeness: "完整性",
    complete: "完整",
    interrupted: "不完整（运行被中断）",
    selection: "测试范围",
    selection_all: "全部",
    results_count: "检查结果",
    results_of_planned: "{done} 项（计划 {planned} 项）",

    verdict: "验收结论",
    verdict_pass: "通过",
    verdict_fail: "不通过",
    verdict_rule: "判定规则：存在任何未经豁免的失败或错误即为不通过；跳过的检查源于其依赖的检查未通过。",
    severity: "严重程度",
    not_passed_sum: "失败＋错误",
    total: "合计",

    node: "节点",
    network: "网络连通",
    web: "Web 服务",
    classification: "结论",
    all_nodes: "全部节点",
    legend: "图例",
    cell_pass: "全部通过",
    cell_fail: "存在未通过的检查（未通过数/结果数；跳过计为未通过）",
    cell_waived: "未通过的检查均已豁免，或因所依赖的检查已豁免而跳过（豁免数/结果数）",
    cell_none: "未部署（该范围内没有此应用的结果）",
    readiness_rule: "结论规则（豁免计为通过；因所依赖的检查未通过且已豁免而跳过的，计为豁免 ◐；其余跳过计为未通过）：",
    rule_ready: "——关键检查全部通过，且失败、错误、跳过的结果合计不超过全部结果的 5%",
    rule_in_progress: "——关键检查全部通过，但失败、错误、跳过的结果超过 5%",
    rule_not_ready: "——有关键检查失败、错误或被跳过。",
    rule_scope: "每个省级节点统计其整个下级范围（地市、区县）；国家中心一行只统计中心本身及不属于任何省级节点的节点。网络连通一列汇总 ICMP、TCP、DNS 检查；Web 服务一列汇总不属于某个应用的 HTTP(S) 检查（net.web、net.web-http：节点的 Web 服务器是否应答）；各应用一列汇总该应用的检查。",
    rule_sep: "；",
    ready: "可试运行",
    in_progress: "整改中",
    not_ready: "不具备条件",

    check: "检查项",
    app: "应用",
    status: "状态",
    expected: "期望",
    measured: "实测",
    attempts: "尝试次数",
    message: "说明",
    target: "目标",
    evidence: "响应片段",
    no_failures: "没有失败或错误的检查。",
    skipped_note: "另有 {n} 项检查因其依赖的检查未通过而跳过，见附录。",
    as_recorded: "记录原文",

    tls: "TLS 握手",
    tls_protocol: "协议",
    tls_cipher: "密码套件",
    tls_backend: "完成握手的 TLS 库",
    tls_sni: "SNI",
    cert_leaf: "服务器证书（{role}）",
    cert_named: "问题所在的证书（{role}）",
    cert_root_not_sent: "受信任的根证书，服务器未发送",
    cert_subject: "主体",
    cert_issuer: "签发者",
    cert_san: "备用名称（SAN）",
    cert_no_san: "（无 subjectAltName）",
    cert_not_before: "生效时间",
    cert_not_after: "到期时间",
    cert_key: "公钥",
    cert_signature: "签名算法",
    cert_sha256: "SHA-256 指纹",
    tls_note: "注意",
    role_leaf: "叶证书",
    role_intermediate: "中间证书",
    role_root: "根证书",

    reason: "理由",
    approved_by: "批准方",
    expires: "有效期至",
    state: "状态",
    used: "使用情况",
    in_force: "生效中",
    expired: "已过期",
    unused: "未使用",
    used_n: "已豁免 {n} 项",
    all_apps: "全部应用",
    no_waivers: "本次运行未提供豁免。",
    waived_by: "已豁免：{reason}（批准：{by}，有效期至 {expires}）",

    path: "路径",
    level: "级别",
    kind: "类型",
    host: "地址",
    details: "结果说明",
    time_ms: "耗时（毫秒）",

    test_org: "测试单位",
    tester: "测试人员",
    accept_org: "验收单位",
    acceptor: "验收人员",
    date: "日期",
    seal: "（盖章）",
    signature: "（签字）",
    signoff_note: "签字以纸质文本为准。",
    generated_by: "本报告由 netaccept 根据 results.json 生成",

    passed: "通过",
    failed: "失败",
    errored: "错误",
    skipped: "跳过",
    waived: "豁免",
    not_reported: "未报告",
    critical: "关键",
    major: "重要",
    minor: "次要",
    national: "国家级",
    provincial: "省级",
    prefectural: "地市级",
    county: "县级",
    township: "乡镇级",
    safety: "安全监管",
    coal: "煤矿安全监察",

    term_checks_in: "{n} 项检查，用时 {secs} 秒",
    term_interrupted: "，不完整（运行被中断）",
    term_no_result: "计划 {planned} 项检查，其中 {n} 项没有结果",
    term_errored_alike: "{n} 项检查错误",
    term_failures_by_province: "失败与错误（按省级节点）",
    term_last_hop: "最后应答的一跳",
    term_and_more: "…… 另有 {n} 项",
    term_slowest: "用时最长的检查",
    term_waivers: "豁免",
    term_reports: "报告",
    term_running: "开始运行 {total} 项检查",
    term_done: "完成",
    term_rate: "项/秒",
};

const EN_TEXT: Strings = Strings {
    html_lang: "en",
    colon: ": ",
    comma: ", ",
    count: "{n} {word}",
    doc_title: "Acceptance test report",
    banner_incomplete: "This report is incomplete (the run was interrupted)",
    banner_detail: "{done} of {planned} planned checks have a result; the verdicts below cover only the checks that finished.",

    sec_run: "1. Test run",
    sec_verdict: "2. Verdict",
    sec_matrix: "3. Readiness matrix",
    sec_failures: "4. Failures and errors",
    sec_waivers: "5. Waivers",
    sec_details: "Appendix: all results",
    sec_signoff: "6. Sign-off",
    sec_details_failures: "Appendix: results not passed",
    details_failures_note: "This appendix lists only the checks that did not pass (failed, errored, skipped, waived); {n} passed checks are left out. results.json holds every result.",

    page_of: "Page {n} of {m}",
    record_sha_prefix: "record SHA-256",
    record_sha: "Record SHA-256 (results.json)",
    record_sha_note: "The SHA-256 of the results.json this report was made from (a document cannot hold its own hash); the page footer prints its first 16 digits.",

    scope: "Scope",
    scope_province: "{name} ({id}) and every node below it",
    scope_centre: "{name} ({id}) itself, and the nodes under no provincial-level node",
    scope_summary: "National summary (each provincial-level node's report is a document of its own)",
    part_subtitle: "Provincial document",
    summary_subtitle: "National summary",
    back_to_summary: "National summary: ",
    summary_matrix_note: "Each row links to that provincial-level node's report, with its failures in full, waivers, sign-off and appendix.",
    summary_failures_note: "One line per failure or error; expectations, measurements, evidence and certificates are in each province's report.",
    summary_group_counts: "{failed} failed, {errored} errored, {skipped} skipped",
    document: "report",

    suite: "Suite",
    run_id: "Run id",
    inventory_sha: "Inventory SHA-256",
    suite_sha: "Suite SHA-256",
    tool_version: "Tool version",
    vantage: "Vantage (host name)",
    bundles: "Bundles merged",
    bundle: "Bundle",
    vantage_id: "Vantage",
    signer: "Signer (key id)",
    unsigned: "unsigned",
    probe_host: "Probe host",
    window: "Time window",
    manifest_sha: "Manifest SHA-256",
    started: "Started",
    finished: "Finished",
    duration: "Duration",
    beijing_time: "Beijing time",
    operator: "Operator",
    completeness: "Completeness",
    complete: "complete",
    interrupted: "incomplete (the run was interrupted)",
    selection: "Selection",
    selection_all: "all",
    results_count: "Results",
    results_of_planned: "{done} (of {planned} planned)",

    verdict: "Verdict",
    verdict_pass: "PASSED",
    verdict_fail: "NOT PASSED",
    verdict_rule: "Rule: not passed when any check failed or errored without a waiver; skipped checks are those whose needed check did not pass.",
    severity: "Severity",
    not_passed_sum: "Failed + errored",
    total: "Total",

    node: "Node",
    network: "Network",
    web: "Web service",
    classification: "Classification",
    all_nodes: "All nodes",
    legend: "Legend",
    cell_pass: "all passed",
    cell_fail: "some not passed (not passed / results; a skip counts as not passed)",
    cell_waived: "every non-pass is waived, or skipped behind a waived check (waived / results)",
    cell_none: "not deployed (no result for this application here)",
    readiness_rule: "Classification (a waived result counts as passed, and so does one skipped because the check it needs failed under a waiver, shown ◐; any other skipped result counts as not passed): ",
    rule_ready: ": every critical check passed, and failed, errored and skipped results are at most 5 % of all results",
    rule_in_progress: ": every critical check passed, but failed, errored and skipped results are more than 5 %",
    rule_not_ready: ": a critical check failed, errored or was skipped.",
    rule_scope: "A provincial-level node covers its whole subtree (prefectures and counties); the national centre's row covers the centre itself and any node not under a provincial-level node. The network column rolls up the ICMP, TCP and DNS checks; the web service column the HTTP(S) checks of no application (net.web, net.web-http: whether the node's web server answers); each application's column that application's checks.",
    rule_sep: "; ",
    ready: "Ready for trial run",
    in_progress: "In progress",
    not_ready: "Not ready",

    check: "Check",
    app: "Application",
    status: "Status",
    expected: "Expected",
    measured: "Measured",
    attempts: "Attempts",
    message: "Message",
    target: "Target",
    evidence: "Evidence",
    no_failures: "No check failed or errored.",
    skipped_note: "{n} more checks were skipped because a check they need did not pass; see the appendix.",
    as_recorded: "As recorded",

    tls: "TLS handshake",
    tls_protocol: "Protocol",
    tls_cipher: "Cipher suite",
    tls_backend: "TLS library that completed it",
    tls_sni: "SNI",
    cert_leaf: "Server certificate ({role})",
    cert_named: "The certificate at fault ({role})",
    cert_root_not_sent: "a trusted root the server did not send",
    cert_subject: "Subject",
    cert_issuer: "Issuer",
    cert_san: "Subject alternative names",
    cert_no_san: "(no subjectAltName)",
    cert_not_before: "Not before",
    cert_not_after: "Not after",
    cert_key: "Key",
    cert_signature: "Signature algorithm",
    cert_sha256: "SHA-256 fingerprint",
    tls_note: "Note",
    role_leaf: "leaf",
    role_intermediate: "intermediate",
    role_root: "root",

    reason: "Reason",
    approved_by: "Approved by",
    expires: "Expires",
    state: "State",
    used: "Use",
    in_force: "in force",
    expired: "expired",
    unused: "unused",
    used_n: "waived {n} results",
    all_apps: "all applications",
    no_waivers: "No waivers were given to this run.",
    waived_by: "Waived: {reason} (approved by {by}, until {expires})",

    path: "Path",
    level: "Level",
    kind: "Kind",
    host: "Host",
    details: "Details",
    time_ms: "Time (ms)",

    test_org: "Testing organisation",
    tester: "Tester",
    accept_org: "Accepting organisation",
    acceptor: "Acceptor",
    date: "Date",
    seal: "(seal)",
    signature: "(signature)",
    signoff_note: "Signatures are given on the printed copy.",
    generated_by: "Generated by netaccept from results.json",

    passed: "passed",
    failed: "failed",
    errored: "errored",
    skipped: "skipped",
    waived: "waived",
    not_reported: "not reported",
    critical: "critical",
    major: "major",
    minor: "minor",
    national: "national",
    provincial: "provincial",
    prefectural: "prefectural",
    county: "county",
    township: "township",
    safety: "safety",
    coal: "coal",

    term_checks_in: "{n} checks in {secs} s",
    term_interrupted: ", INTERRUPTED: incomplete",
    term_no_result: "{n} of {planned} planned checks have no result",
    term_errored_alike: "{n} checks errored",
    term_failures_by_province: "Failures by province",
    term_last_hop: "last hop that answered",
    term_and_more: "… and {n} more",
    term_slowest: "Slowest checks",
    term_waivers: "waivers",
    term_reports: "reports",
    term_running: "running {total} checks",
    term_done: "done",
    term_rate: "checks/s",
};

/// The strings of one language.
static ZH: Strings = ZH_TEXT;
static EN: Strings = EN_TEXT;

/// The strings of a document with the section "link quality", which takes number 6: the
/// sign-off after it becomes number 7.
static ZH_LINKS: Strings = Strings {
    sec_signoff: "七、签字确认",
    ..ZH_TEXT
};
static EN_LINKS: Strings = Strings {
    sec_signoff: "7. Sign-off",
    ..EN_TEXT
};

pub(crate) fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// [`strings`] of a document with the section "link quality" (`links`) or without it.
pub(crate) fn strings_with(lang: Lang, links: bool) -> &'static Strings {
    match (lang, links) {
        (Lang::Zh, true) => &ZH_LINKS,
        (Lang::En, true) => &EN_LINKS,
        _ => strings(lang),
    }
}

impl Strings {
    /// `n` with its word in this language's order: "3 failed", "失败 3".
    pub(crate) fn count(&self, word: &str, n: usize) -> String {
        fill(self.count, &[("word", word), ("n", &n.to_string())])
    }

    pub(crate) fn status(&self, s: Status) -> &'static str {
        match s {
            Status::Passed => self.passed,
            Status::Failed => self.failed,
            Status::Errored => self.errored,
            Status::Skipped => self.skipped,
            Status::Waived => self.waived,
            Status::NotReported => self.not_reported,
        }
    }

    pub(crate) fn severity(&self, s: Severity) -> &'static str {
        match s {
            Severity::Critical => self.critical,
            Severity::Major => self.major,
            Severity::Minor => self.minor,
        }
    }

    pub(crate) fn level(&self, l: Level) -> &'static str {
        match l {
            Level::National => self.national,
            Level::Provincial => self.provincial,
            Level::Prefectural => self.prefectural,
            Level::County => self.county,
            Level::Township => self.township,
        }
    }

    pub(crate) fn role(&self, r: Role) -> &'static str {
        match r {
            Role::Leaf => self.role_leaf,
            Role::Intermediate => self.role_intermediate,
            Role::Root => self.role_root,
        }
    }

    pub(crate) fn kind(&self, k: Kind) -> &'static str {
        match k {
            Kind::Safety => self.safety,
            Kind::Coal => self.coal,
        }
    }
}

/// Fills `{name}` placeholders of a fixed string; the values are escaped later, by the
/// template, like any other text.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}
