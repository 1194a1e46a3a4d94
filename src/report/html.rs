//! The HTML acceptance report (`report.html`): the document an acceptance committee reads,
//! prints on A4 and signs.
//!
//! It must stand on its own years later, on a machine without network access and with
//! JavaScript off, so it is one file: inline CSS, no scripts, no web fonts, no images (the
//! readiness matrix marks cells with a symbol as well as a colour, so a black-and-white copy
//! still reads). Everything in it comes from the [`Results`] record, which is why
//! `netaccept report` can make it again later.
//!
//! Node names, messages, evidence and waiver reasons are untrusted text (an inventory is
//! edited by many hands, and evidence is whatever a target sent back): they reach the page
//! only through askama's HTML auto-escaping (`templates/report.html`); nothing here builds
//! markup by hand and nothing is marked `|safe`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use chrono::{DateTime, TimeDelta, Utc};

use super::Lang;
use crate::model::{Kind, Level, Severity};
use crate::results::{NodeInfo, ResultRecord, Results, Status, WaiverState};

/// Non-passing results (failed, errored, skipped) a subtree may keep and still be ready for
/// a trial run, in percent of all its results.
pub const READY_MAX_NOT_PASSED_PCT: usize = 5;

/// The readiness of one provincial-level node (with its subtree) or of the national centre,
/// as the readiness matrix shows it and [`readiness`] decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Readiness {
    /// 可试运行: ready for a trial run.
    Ready,
    /// 整改中: critical checks pass, other problems remain.
    InProgress,
    /// 不具备条件: not ready.
    NotReady,
}

impl Readiness {
    /// A stable word for machine-readable reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::InProgress => "in_progress",
            Readiness::NotReady => "not_ready",
        }
    }

    /// The label the reports print (可试运行 / 整改中 / 不具备条件).
    pub fn label(self, lang: Lang) -> &'static str {
        let t = text(lang);
        match self {
            Readiness::Ready => t.ready,
            Readiness::InProgress => t.in_progress,
            Readiness::NotReady => t.not_ready,
        }
    }
}

/// Classifies a set of results: a provincial-level node's whole subtree (its prefectural
/// and county nodes), or the national centre's own results with those of any node not under
/// a provincial-level node (see [`province_groups`]).
///
/// A waived result counts as passed. A skipped result counts as not passed: a check is
/// skipped only when a check it needs did not pass (typically, the node was unreachable), so
/// what it should have verified is unproven. Severity is the one recorded with each result.
///
/// - **Ready for trial run (可试运行)**: every result of a critical check passed or was
///   waived, and at most 5 % of all the results failed, errored or were skipped.
/// - **In progress (整改中)**: every result of a critical check passed or was waived, but
///   more than 5 % of all the results failed, errored or were skipped.
/// - **Not ready (不具备条件)**: some result of a critical check failed, errored or was
///   skipped, or there is no result at all (nothing was proven).
pub fn readiness<'a>(results: impl IntoIterator<Item = &'a ResultRecord>) -> Readiness {
    let (mut total, mut not_passed) = (0usize, 0usize);
    for r in results {
        total += 1;
        if not_passed_status(r.status) {
            if r.severity == Severity::Critical {
                return Readiness::NotReady;
            }
            not_passed += 1;
        }
    }
    if total == 0 {
        Readiness::NotReady
    } else if not_passed * 100 <= total * READY_MAX_NOT_PASSED_PCT {
        Readiness::Ready
    } else {
        Readiness::InProgress
    }
}

/// The results of one row of the readiness matrix: a provincial-level node with its whole
/// subtree, or the national centre (the root) with its own results and those of any node not
/// under a provincial-level node, so that every result belongs to exactly one group.
#[derive(Debug, Clone)]
pub struct ProvinceGroup<'a> {
    pub node: &'a NodeInfo,
    /// In record (plan) order.
    pub results: Vec<&'a ResultRecord>,
}

impl ProvinceGroup<'_> {
    pub fn readiness(&self) -> Readiness {
        readiness(self.results.iter().copied())
    }
}

/// The groups of [`ProvinceGroup`] in tree order; groups without any result (an ancestor
/// listed only to show the tree, as the root is for `--node sx`) are left out.
pub fn province_groups(results: &Results) -> Vec<ProvinceGroup<'_>> {
    let ix = NodeIndex::new(results);
    let mut groups: Vec<ProvinceGroup<'_>> = results
        .nodes
        .iter()
        .map(|node| ProvinceGroup {
            node,
            results: Vec::new(),
        })
        .collect();
    for r in &results.results {
        if let Some(g) = ix.group_of(&r.node) {
            groups[g].results.push(r);
        }
    }
    groups.retain(|g| !g.results.is_empty());
    groups
}

/// The acceptance report: one self-contained HTML page (inline CSS, no scripts, fonts or
/// images; readable without JavaScript), printable on A4.
pub fn render(results: &Results, lang: Lang) -> String {
    let page = Page::new(results, lang);
    // Rendering into a String fails only if a Display impl fails, and none of ours can.
    page.render()
        .expect("rendering the HTML report into a String cannot fail")
}

/// [`render`], streamed into a writer as the template goes rather than built whole first.
pub fn write(results: &Results, lang: Lang, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    Page::new(results, lang).write_into(w)
}

fn not_passed_status(s: Status) -> bool {
    matches!(s, Status::Failed | Status::Errored | Status::Skipped)
}

/// Node positions and each node's group, from the node list alone.
struct NodeIndex<'a> {
    nodes: &'a [NodeInfo],
    pos: HashMap<&'a str, usize>,
}

impl<'a> NodeIndex<'a> {
    fn new(results: &'a Results) -> NodeIndex<'a> {
        NodeIndex {
            nodes: &results.nodes,
            pos: results
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), i))
                .collect(),
        }
    }

    fn get(&self, id: &str) -> Option<&'a NodeInfo> {
        self.pos.get(id).map(|&i| &self.nodes[i])
    }

    /// The position of the group node: the nearest provincial-level node on the path, else
    /// the root. A result for a node the list lacks (a hand-edited file) goes to the root
    /// rather than vanishing from the matrix.
    fn group_of(&self, id: &str) -> Option<usize> {
        let Some(&own) = self.pos.get(id) else {
            return (!self.nodes.is_empty()).then_some(0);
        };
        let path = &self.nodes[own].path;
        let mut root = None;
        for pid in path.split('.') {
            if let Some(&p) = self.pos.get(pid) {
                root.get_or_insert(p);
                if self.nodes[p].level == Level::Provincial {
                    return Some(p);
                }
            }
        }
        root.or(Some(own))
    }
}

// ---------------------------------------------------------------------------------------
// Every fixed string of the report, in both languages. One struct, so that the compiler
// refuses a string present in one language and missing in the other.

struct Text {
    html_lang: &'static str,
    /// After a label: full-width in Chinese.
    colon: &'static str,
    doc_title: &'static str,
    banner_incomplete: &'static str,
    /// `{done}` and `{planned}` are filled in.
    banner_detail: &'static str,

    sec_run: &'static str,
    sec_verdict: &'static str,
    sec_matrix: &'static str,
    sec_failures: &'static str,
    sec_waivers: &'static str,
    sec_details: &'static str,
    sec_signoff: &'static str,

    suite: &'static str,
    run_id: &'static str,
    inventory_sha: &'static str,
    suite_sha: &'static str,
    tool_version: &'static str,
    vantage: &'static str,
    started: &'static str,
    finished: &'static str,
    duration: &'static str,
    beijing_time: &'static str,
    operator: &'static str,
    completeness: &'static str,
    complete: &'static str,
    interrupted: &'static str,
    selection: &'static str,
    selection_all: &'static str,
    results_count: &'static str,
    /// `{done}` and `{planned}` are filled in.
    results_of_planned: &'static str,

    verdict: &'static str,
    verdict_pass: &'static str,
    verdict_fail: &'static str,
    verdict_rule: &'static str,
    severity: &'static str,
    not_passed_sum: &'static str,
    total: &'static str,

    node: &'static str,
    network: &'static str,
    classification: &'static str,
    all_nodes: &'static str,
    legend: &'static str,
    cell_pass: &'static str,
    cell_fail: &'static str,
    cell_waived: &'static str,
    cell_none: &'static str,
    readiness_rule: &'static str,
    ready: &'static str,
    in_progress: &'static str,
    not_ready: &'static str,

    check: &'static str,
    app: &'static str,
    status: &'static str,
    expected: &'static str,
    measured: &'static str,
    attempts: &'static str,
    message: &'static str,
    target: &'static str,
    evidence: &'static str,
    no_failures: &'static str,
    /// `{n}` is filled in.
    skipped_note: &'static str,

    reason: &'static str,
    approved_by: &'static str,
    expires: &'static str,
    state: &'static str,
    used: &'static str,
    in_force: &'static str,
    expired: &'static str,
    unused: &'static str,
    /// `{n}` is filled in.
    used_n: &'static str,
    all_apps: &'static str,
    no_waivers: &'static str,
    /// `{reason}`, `{by}` and `{expires}` are filled in.
    waived_by: &'static str,

    path: &'static str,
    level: &'static str,
    kind: &'static str,
    host: &'static str,
    details: &'static str,
    time_ms: &'static str,

    test_org: &'static str,
    tester: &'static str,
    accept_org: &'static str,
    acceptor: &'static str,
    date: &'static str,
    seal: &'static str,
    signature: &'static str,
    signoff_note: &'static str,
    generated_by: &'static str,

    passed: &'static str,
    failed: &'static str,
    errored: &'static str,
    skipped: &'static str,
    waived: &'static str,
    critical: &'static str,
    major: &'static str,
    minor: &'static str,
    national: &'static str,
    provincial: &'static str,
    prefectural: &'static str,
    county: &'static str,
    safety: &'static str,
    coal: &'static str,
}

static ZH: Text = Text {
    html_lang: "zh-CN",
    colon: "：",
    doc_title: "验收测试报告",
    banner_incomplete: "本报告不完整（运行被中断）",
    banner_detail: "计划 {planned} 项检查，其中 {done} 项有结果；以下结论只反映已完成的检查。",

    sec_run: "一、测试概况",
    sec_verdict: "二、验收结论",
    sec_matrix: "三、就绪矩阵",
    sec_failures: "四、失败与错误",
    sec_waivers: "五、豁免",
    sec_details: "六、全部检查结果",
    sec_signoff: "签字确认",

    suite: "测试套件",
    run_id: "运行编号",
    inventory_sha: "清单 SHA-256",
    suite_sha: "套件 SHA-256",
    tool_version: "工具版本",
    vantage: "测试位置（主机名）",
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
    classification: "结论",
    all_nodes: "全部节点",
    legend: "图例",
    cell_pass: "全部通过",
    cell_fail: "存在未通过的检查（未通过数/结果数；跳过计为未通过）",
    cell_waived: "未通过的检查均已豁免（豁免数/结果数）",
    cell_none: "未部署（该范围内没有此应用的结果）",
    readiness_rule: "结论规则（豁免计为通过，跳过计为未通过）：可试运行——关键检查全部通过，且失败、错误、跳过的结果合计不超过全部结果的 5%；整改中——关键检查全部通过，但失败、错误、跳过的结果超过 5%；不具备条件——有关键检查失败、错误或被跳过。每个省级节点统计其整个下级范围（地市、区县）；国家中心一行只统计中心本身及不属于任何省级节点的节点。网络连通一列汇总 ICMP、TCP、DNS 检查。",
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
    skipped_note: "另有 {n} 项检查因其依赖的检查未通过而跳过，见第六节。",

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
    critical: "关键",
    major: "重要",
    minor: "次要",
    national: "国家级",
    provincial: "省级",
    prefectural: "地市级",
    county: "县级",
    safety: "安全监管",
    coal: "煤矿安全监察",
};

static EN: Text = Text {
    html_lang: "en",
    colon: ": ",
    doc_title: "Acceptance test report",
    banner_incomplete: "This report is incomplete (the run was interrupted)",
    banner_detail: "{done} of {planned} planned checks have a result; the verdicts below cover only the checks that finished.",

    sec_run: "1. Test run",
    sec_verdict: "2. Verdict",
    sec_matrix: "3. Readiness matrix",
    sec_failures: "4. Failures and errors",
    sec_waivers: "5. Waivers",
    sec_details: "6. All results",
    sec_signoff: "Sign-off",

    suite: "Suite",
    run_id: "Run id",
    inventory_sha: "Inventory SHA-256",
    suite_sha: "Suite SHA-256",
    tool_version: "Tool version",
    vantage: "Vantage (host name)",
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
    classification: "Classification",
    all_nodes: "All nodes",
    legend: "Legend",
    cell_pass: "all passed",
    cell_fail: "some not passed (not passed / results; a skip counts as not passed)",
    cell_waived: "every non-pass is waived (waived / results)",
    cell_none: "not deployed (no result for this application here)",
    readiness_rule: "Classification (a waived result counts as passed, a skipped one as not passed). Ready for trial run: every critical check passed, and failed, errored and skipped results are at most 5 % of all results. In progress: every critical check passed, but failed, errored and skipped results are more than 5 %. Not ready: a critical check failed, errored or was skipped. A provincial-level node covers its whole subtree (prefectures and counties); the national centre's row covers the centre itself and any node not under a provincial-level node. The network column rolls up the ICMP, TCP and DNS checks.",
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
    skipped_note: "{n} more checks were skipped because a check they need did not pass; see section 6.",

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
    critical: "critical",
    major: "major",
    minor: "minor",
    national: "national",
    provincial: "provincial",
    prefectural: "prefectural",
    county: "county",
    safety: "safety",
    coal: "coal",
};

fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

impl Text {
    fn status(&self, s: Status) -> &'static str {
        match s {
            Status::Passed => self.passed,
            Status::Failed => self.failed,
            Status::Errored => self.errored,
            Status::Skipped => self.skipped,
            Status::Waived => self.waived,
        }
    }

    fn severity(&self, s: Severity) -> &'static str {
        match s {
            Severity::Critical => self.critical,
            Severity::Major => self.major,
            Severity::Minor => self.minor,
        }
    }

    fn level(&self, l: Level) -> &'static str {
        match l {
            Level::National => self.national,
            Level::Provincial => self.provincial,
            Level::Prefectural => self.prefectural,
            Level::County => self.county,
        }
    }

    fn kind(&self, k: Kind) -> &'static str {
        match k {
            Kind::Safety => self.safety,
            Kind::Coal => self.coal,
        }
    }
}

/// Fills `{name}` placeholders of a fixed string; the values are escaped later, by the
/// template, like any other text.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

// ---------------------------------------------------------------------------------------
// What the template shows, prepared here so the template stays markup.

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    t: &'static Text,
    suite_name: &'a str,
    complete: bool,
    banner_detail: String,
    header: Vec<HeaderRow>,
    passed: bool,
    severities: Vec<SeverityRow>,
    severity_total: SeverityRow,
    statuses: Vec<StatusLabel>,
    app_names: Vec<&'a str>,
    matrix: Vec<MatrixRow<'a>>,
    matrix_total: Option<MatrixRow<'a>>,
    failures: Vec<FailureGroup<'a>>,
    waivers: Vec<WaiverRow<'a>>,
    details: Vec<NodeDetails<'a>>,
    /// Check and app display names by id, for the rows [`Page::detail_row`] makes.
    names: Names<'a>,
    operator: &'a str,
    version: &'a str,
    run_id: &'a str,
}

struct HeaderRow {
    label: &'static str,
    value: String,
    /// Hashes and ids: monospace, and allowed to break anywhere.
    mono: bool,
}

struct StatusLabel {
    class: &'static str,
    symbol: &'static str,
    label: &'static str,
}

struct SeverityRow {
    label: &'static str,
    total: usize,
    counts: Vec<usize>,
    not_passed: usize,
}

struct MatrixRow<'a> {
    name: &'a str,
    id: &'a str,
    network: Cell,
    apps: Vec<Cell>,
    class: &'static str,
    label: &'static str,
}

struct Cell {
    class: &'static str,
    symbol: &'static str,
    text: String,
}

struct FailureGroup<'a> {
    name: &'a str,
    id: &'a str,
    nodes: Vec<FailureNode<'a>>,
}

struct FailureNode<'a> {
    /// The province's own node: its heading would repeat the province's.
    is_group: bool,
    name: &'a str,
    path: &'a str,
    host: &'a str,
    items: Vec<FailureItem<'a>>,
    skipped_note: String,
}

struct FailureItem<'a> {
    check: &'a str,
    check_id: &'a str,
    app: &'a str,
    severity: &'static str,
    status: StatusLabel,
    kind: &'a str,
    expected: &'a str,
    measured: &'a str,
    attempts: u32,
    message: &'a str,
    target: &'a str,
    evidence: Option<&'a str>,
}

struct WaiverRow<'a> {
    node: &'a str,
    node_id: &'a str,
    check: &'a str,
    check_id: &'a str,
    app: &'a str,
    reason: &'a str,
    approved_by: &'a str,
    expires: String,
    in_force: bool,
    state: &'static str,
    used: String,
    unused: bool,
}

struct NodeDetails<'a> {
    name: &'a str,
    id: &'a str,
    path: &'a str,
    level: &'static str,
    kind: &'static str,
    host: &'a str,
    /// In record order. Each becomes a [`DetailRow`] only when the template reaches it
    /// ([`Page::detail_row`]), so that the rows of a national run (18,000, each with its
    /// text) are never all in memory at once.
    rows: Vec<&'a ResultRecord>,
}

struct DetailRow<'a> {
    check: &'a str,
    app: &'a str,
    target: &'a str,
    severity: &'static str,
    status: StatusLabel,
    details: String,
    time_ms: String,
    attempts: u32,
}

fn status_label(t: &Text, s: Status) -> StatusLabel {
    let (class, symbol) = match s {
        Status::Passed => ("st-passed", "✔"),
        Status::Failed => ("st-failed", "✘"),
        // U+FE0E asks for the text form, so no emoji font is needed.
        Status::Errored => ("st-errored", "⚠\u{FE0E}"),
        Status::Skipped => ("st-skipped", "⊘"),
        Status::Waived => ("st-waived", "◐"),
    };
    StatusLabel {
        class,
        symbol,
        label: t.status(s),
    }
}

/// The roll-up of a matrix cell: the symbols are those of the legend.
fn cell<'r>(results: impl Iterator<Item = &'r ResultRecord>) -> Cell {
    let (mut total, mut not_passed, mut waived) = (0usize, 0usize, 0usize);
    for r in results {
        total += 1;
        match r.status {
            Status::Passed => {}
            Status::Waived => waived += 1,
            _ => not_passed += 1,
        }
    }
    let (class, symbol, text) = if total == 0 {
        ("cell-none", "—", String::new())
    } else if not_passed > 0 {
        ("cell-fail", "✘", format!("{not_passed}/{total}"))
    } else if waived > 0 {
        ("cell-waived", "◐", format!("{waived}/{total}"))
    } else {
        ("cell-pass", "✔", String::new())
    };
    Cell {
        class,
        symbol,
        text,
    }
}

fn readiness_class(r: Readiness) -> &'static str {
    match r {
        Readiness::Ready => "rd-ready",
        Readiness::InProgress => "rd-progress",
        Readiness::NotReady => "rd-not",
    }
}

/// UTC with a `Z`, then Beijing time (UTC+8, no daylight saving) for the committee, which
/// reads local time.
fn when(t: &Text, at: DateTime<Utc>) -> String {
    let bj = at + TimeDelta::hours(8);
    format!(
        "{} ({} {})",
        at.format("%Y-%m-%d %H:%M:%SZ"),
        t.beijing_time,
        bj.format("%Y-%m-%d %H:%M:%S")
    )
}

fn span(d: TimeDelta) -> String {
    let ms = d.num_milliseconds().max(0);
    if ms < 60_000 {
        return format!("{:.1} s", ms as f64 / 1e3);
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h} h {m} min {s} s")
    } else {
        format!("{m} min {s} s")
    }
}

/// Measurements as `key=value` pairs: the evidence of a pass, compact enough for a table.
fn measurements(r: &ResultRecord) -> String {
    r.measurements
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            v => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Page<'a> {
    fn new(res: &'a Results, lang: Lang) -> Page<'a> {
        let t = text(lang);
        let run = &res.run;
        let ix = NodeIndex::new(res);
        let crate::results::Lookup {
            checks: check_names,
            apps: app_names,
            ..
        } = res.lookup();
        let names = Names {
            checks: check_names,
            apps: app_names,
        };
        let check_probe: HashMap<&str, &str> = res
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.probe.as_str()))
            .collect();
        let check_name = |id: &'a str| names.check(id);
        let app_name = |id: &'a Option<String>| names.app(id);
        let done = res.results.len().to_string();
        let planned = run.planned.max(res.results.len()).to_string();
        let progress = [("done", done.as_str()), ("planned", planned.as_str())];

        let row = |label, value: String| HeaderRow {
            label,
            value,
            mono: false,
        };
        let mono = |label, value: &str| HeaderRow {
            label,
            value: value.to_string(),
            mono: true,
        };
        let header = vec![
            row(t.suite, format!("{} ({})", run.suite_name, run.suite)),
            mono(t.run_id, &run.id),
            mono(t.inventory_sha, &run.inventory_sha256),
            mono(t.suite_sha, &run.suite_sha256),
            row(
                t.tool_version,
                format!("netaccept {}", run.netaccept_version),
            ),
            row(t.vantage, run.vantage.clone()),
            row(t.started, when(t, run.started)),
            row(t.finished, when(t, run.finished)),
            row(t.duration, span(run.finished - run.started)),
            row(
                t.operator,
                if run.operator.is_empty() {
                    "—".to_string()
                } else {
                    run.operator.clone()
                },
            ),
            row(
                t.selection,
                if run.selection.is_empty() {
                    t.selection_all.to_string()
                } else {
                    run.selection.join(" ")
                },
            ),
            row(t.results_count, fill(t.results_of_planned, &progress)),
            row(
                t.completeness,
                (if run.complete {
                    t.complete
                } else {
                    t.interrupted
                })
                .to_string(),
            ),
        ];

        // Verdict: the exit code's rule, so the paper and the CI agree.
        let severities: Vec<SeverityRow> = Severity::ALL
            .iter()
            .map(|&sev| {
                let mut counts = vec![0; Status::ALL.len()];
                for r in res.results.iter().filter(|r| r.severity == sev) {
                    counts[status_index(r.status)] += 1;
                }
                SeverityRow {
                    label: t.severity(sev),
                    total: counts.iter().sum(),
                    not_passed: counts[status_index(Status::Failed)]
                        + counts[status_index(Status::Errored)],
                    counts,
                }
            })
            .collect();
        let mut total_counts = vec![0; Status::ALL.len()];
        for s in &severities {
            for (acc, c) in total_counts.iter_mut().zip(&s.counts) {
                *acc += c;
            }
        }
        let severity_total = SeverityRow {
            label: t.total,
            total: total_counts.iter().sum(),
            not_passed: severities.iter().map(|s| s.not_passed).sum(),
            counts: total_counts,
        };
        let passed = severity_total.not_passed == 0;

        let groups = province_groups(res);
        let is_network = |r: &ResultRecord| {
            matches!(
                check_probe.get(r.check.as_str()).copied(),
                Some("icmp" | "tcp" | "dns")
            )
        };
        let matrix_row = |name: &'a str, id: &'a str, rs: &[&'a ResultRecord]| {
            let rd = readiness(rs.iter().copied());
            MatrixRow {
                name,
                id,
                network: cell(rs.iter().copied().filter(|r| is_network(r))),
                apps: res
                    .apps
                    .iter()
                    .map(|a| cell(rs.iter().copied().filter(|r| r.app.as_ref() == Some(&a.id))))
                    .collect(),
                class: readiness_class(rd),
                label: rd.label(lang),
            }
        };
        let matrix: Vec<MatrixRow<'a>> = groups
            .iter()
            .map(|g| matrix_row(&g.node.name, &g.node.id, &g.results))
            .collect();
        // A total only adds information when there is more than one row to add up.
        let matrix_total = (matrix.len() > 1).then(|| {
            let all: Vec<&ResultRecord> = res.results.iter().collect();
            matrix_row(t.all_nodes, "", &all)
        });

        let mut failures = Vec::new();
        for g in &groups {
            let mut nodes: Vec<FailureNode<'a>> = Vec::new();
            // Keyed by tree position, then by id for a node the list lacks.
            let mut by_node: BTreeMap<(usize, &str), Vec<&'a ResultRecord>> = BTreeMap::new();
            for &r in &g.results {
                let pos = ix.pos.get(r.node.as_str()).copied().unwrap_or(usize::MAX);
                by_node.entry((pos, &r.node)).or_default().push(r);
            }
            for rs in by_node.into_values() {
                let items: Vec<FailureItem<'a>> = rs
                    .iter()
                    .filter(|r| matches!(r.status, Status::Failed | Status::Errored))
                    .map(|r| FailureItem {
                        check: check_name(&r.check),
                        check_id: &r.check,
                        app: app_name(&r.app),
                        severity: t.severity(r.severity),
                        status: status_label(t, r.status),
                        kind: r.kind.as_deref().unwrap_or(""),
                        expected: r.expected.as_deref().unwrap_or(""),
                        measured: r.measured.as_deref().unwrap_or(""),
                        attempts: r.attempts,
                        message: &r.message,
                        target: &r.target,
                        evidence: r.evidence.as_deref().filter(|e| !e.is_empty()),
                    })
                    .collect();
                if items.is_empty() {
                    continue;
                }
                let skipped = rs.iter().filter(|r| r.status == Status::Skipped).count();
                let node = ix.get(&rs[0].node);
                nodes.push(FailureNode {
                    is_group: rs[0].node == g.node.id,
                    name: node.map_or(rs[0].node.as_str(), |n| n.name.as_str()),
                    path: node.map_or(rs[0].node.as_str(), |n| n.path.as_str()),
                    host: node.and_then(|n| n.host.as_deref()).unwrap_or(""),
                    items,
                    skipped_note: if skipped > 0 {
                        fill(t.skipped_note, &[("n", &skipped.to_string())])
                    } else {
                        String::new()
                    },
                });
            }
            if !nodes.is_empty() {
                failures.push(FailureGroup {
                    name: &g.node.name,
                    id: &g.node.id,
                    nodes,
                });
            }
        }

        // Waivers: in force first, as they shape this report's verdict.
        let mut waivers: Vec<WaiverRow<'a>> = res
            .waivers
            .iter()
            .map(|w| {
                let in_force = w.state == WaiverState::InForce;
                WaiverRow {
                    node: ix.get(&w.node).map_or(w.node.as_str(), |n| n.name.as_str()),
                    node_id: &w.node,
                    check: check_name(&w.check),
                    check_id: &w.check,
                    app: match &w.app {
                        Some(_) => app_name(&w.app),
                        None => t.all_apps,
                    },
                    reason: &w.reason,
                    approved_by: &w.approved_by,
                    expires: w.expires.format("%Y-%m-%d").to_string(),
                    in_force,
                    state: if in_force { t.in_force } else { t.expired },
                    used: if w.used == 0 {
                        t.unused.to_string()
                    } else {
                        fill(t.used_n, &[("n", &w.used.to_string())])
                    },
                    unused: w.used == 0,
                }
            })
            .collect();
        waivers.sort_by_key(|w| !w.in_force);

        let mut per_node: HashMap<&str, Vec<&'a ResultRecord>> = HashMap::new();
        for r in &res.results {
            per_node.entry(r.node.as_str()).or_default().push(r);
        }
        let details = res
            .nodes
            .iter()
            .filter_map(|n| {
                let rs = per_node.remove(n.id.as_str())?;
                Some(NodeDetails {
                    name: &n.name,
                    id: &n.id,
                    path: &n.path,
                    level: t.level(n.level),
                    kind: t.kind(n.kind),
                    host: n.host.as_deref().unwrap_or("—"),
                    rows: rs,
                })
            })
            .collect();

        Page {
            t,
            suite_name: &run.suite_name,
            complete: run.complete,
            banner_detail: fill(t.banner_detail, &progress),
            header,
            passed,
            severities,
            severity_total,
            statuses: Status::ALL.iter().map(|&s| status_label(t, s)).collect(),
            app_names: res.apps.iter().map(|a| a.name.as_str()).collect(),
            matrix,
            matrix_total,
            failures,
            waivers,
            details,
            names,
            operator: &run.operator,
            version: &run.netaccept_version,
            run_id: &run.id,
        }
    }
}

impl Page<'_> {
    /// One row of the table of all results (section 6), made as the template writes it.
    fn detail_row<'r>(&'r self, r: &'r ResultRecord) -> DetailRow<'r> {
        let t = self.t;
        DetailRow {
            check: self.names.check(&r.check),
            app: self.names.app(&r.app),
            target: &r.target,
            severity: t.severity(r.severity),
            status: status_label(t, r.status),
            details: match (&r.waiver, r.status) {
                (Some(w), _) => format!(
                    "{} — {}",
                    fill(
                        t.waived_by,
                        &[
                            ("reason", &w.reason),
                            ("by", &w.approved_by),
                            ("expires", &w.expires.to_string()),
                        ],
                    ),
                    r.message
                ),
                (None, Status::Passed) => measurements(r),
                (None, _) => r.message.clone(),
            },
            time_ms: format!("{:.1}", r.duration_ms),
            attempts: r.attempts,
        }
    }
}

/// Display names by id; an id the record does not describe (a hand-edited file) stands for
/// itself.
struct Names<'a> {
    checks: HashMap<&'a str, &'a str>,
    apps: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    fn check(&self, id: &'a str) -> &'a str {
        self.checks.get(id).copied().unwrap_or(id)
    }

    /// Empty for a result that is not per app.
    fn app(&self, id: &'a Option<String>) -> &'a str {
        match id {
            Some(a) => self.apps.get(a.as_str()).copied().unwrap_or(a.as_str()),
            None => "",
        }
    }
}

fn status_index(s: Status) -> usize {
    Status::ALL
        .iter()
        .position(|&x| x == s)
        .expect("Status::ALL lists every status")
}
