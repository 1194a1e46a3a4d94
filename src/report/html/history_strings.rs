//! The fixed strings of the report's history parts ("changes since the last run" and the
//! strips of the last results), in Chinese and in English: apart from `strings`, which a
//! report without history uses alone, and one struct for both languages, so that the
//! compiler refuses a string missing in one of them.

use crate::report::Lang;

pub(super) struct HistoryStrings {
    /// The section's heading: not numbered, so that a report without history keeps its
    /// numbers and one with history the same numbers.
    pub(super) sec_changes: &'static str,
    /// The first recorded run of its suite and scope.
    pub(super) first_run: &'static str,
    pub(super) previous_run: &'static str,
    pub(super) previous_started: &'static str,
    pub(super) compared_scope: &'static str,
    pub(super) compared: &'static str,
    /// `{n}` is filled in.
    pub(super) compared_n: &'static str,
    /// The comparison rule under the counts.
    pub(super) rule: &'static str,
    pub(super) category: &'static str,
    pub(super) count: &'static str,
    pub(super) new_failures: &'static str,
    pub(super) recoveries: &'static str,
    pub(super) still_failing: &'static str,
    pub(super) flapping_started: &'static str,
    pub(super) flapping_stopped: &'static str,
    pub(super) flapping_now: &'static str,
    pub(super) regressions: &'static str,
    /// The lists' columns.
    pub(super) change: &'static str,
    pub(super) note: &'static str,
    /// `{when}` is filled in.
    pub(super) since: &'static str,
    /// `{pct}` is filled in.
    pub(super) flap_percent: &'static str,
    /// A status in the earlier run where the item had none.
    pub(super) absent: &'static str,
    /// The part of a `--split provincial` document: its own changes only.
    pub(super) part_note: &'static str,

    /// Above each node's strip.
    pub(super) strip_caption: &'static str,
    /// The appendix's note on the strips, before the legend.
    pub(super) strip_note: &'static str,
    /// The strip's column of this run.
    pub(super) this_run: &'static str,
    /// Legend: a run that had no result for the check.
    pub(super) strip_none: &'static str,
    /// Legend: a blank cell, before the first recorded run.
    pub(super) strip_no_run: &'static str,
}

static ZH: HistoryStrings = HistoryStrings {
    sec_changes: "与上次运行相比的变化",
    first_run: "这是本套件在本范围内第一次记录的运行，没有可比较的上次运行。",
    previous_run: "上次运行",
    previous_started: "上次运行开始时间",
    compared_scope: "比较范围",
    compared: "比较的结果数",
    compared_n: "{n} 项（两次运行中均有通过、失败、错误或豁免结果的检查）",
    rule: "新增失败：本次失败、错误或豁免而上次通过或没有结果；已恢复：本次通过而上次未通过；持续失败：两次均未通过（列出连续未通过的起始时间）；抖动：按 Nagios 方法计算最近 21 次运行的加权状态变化率（越近的运行权重越大），超过 30% 开始抖动，低于 25% 停止；测量值退化：时延增加超过容差，或丢包率增加超过容差。",
    category: "类别",
    count: "数量",
    new_failures: "新增失败",
    recoveries: "已恢复",
    still_failing: "持续失败",
    flapping_started: "开始抖动",
    flapping_stopped: "停止抖动",
    flapping_now: "正在抖动",
    regressions: "测量值退化",
    change: "变化",
    note: "说明",
    since: "自 {when} 起",
    flap_percent: "状态变化率 {pct}%",
    absent: "无结果",
    part_note: "本文件只列出本范围内节点的变化。",
    strip_caption: "最近 {n} 次运行的结果（从旧到新）",
    strip_note: "每个节点的结果表之后是该节点各项检查在最近 {n} 次同类运行中的结果，从旧到新，最右一列为本次运行；每格以颜色和符号表示，黑白打印亦可辨认。",
    this_run: "本次",
    strip_none: "该次运行无此结果",
    strip_no_run: "空白：尚无记录的运行",
};

static EN: HistoryStrings = HistoryStrings {
    sec_changes: "Changes since the last run",
    first_run: "This is the first recorded run of this suite and scope: there is no earlier run to compare with.",
    previous_run: "Previous run",
    previous_started: "Previous run started",
    compared_scope: "Compared within",
    compared: "Results compared",
    compared_n: "{n} (checks that passed, failed, errored or were waived in both runs)",
    rule: "New failure: failed, errored or waived now, passed or absent before; recovery: passed now, not passed before; still failing: not passed in both (since when it has not passed); flapping: Nagios's weighted percent state change over the last 21 runs (recent runs weigh more), starting above 30 % and stopping below 25 %; regression: a time grown beyond the tolerance, or ICMP loss grown beyond it.",
    category: "Category",
    count: "Count",
    new_failures: "New failures",
    recoveries: "Recoveries",
    still_failing: "Still failing",
    flapping_started: "Flapping started",
    flapping_stopped: "Flapping stopped",
    flapping_now: "Flapping now",
    regressions: "Measured regressions",
    change: "Change",
    note: "Note",
    since: "since {when}",
    flap_percent: "state change {pct} %",
    absent: "no result",
    part_note: "This document lists the changes of its own nodes only.",
    strip_caption: "The last {n} runs (oldest first)",
    strip_note: "After each node's results, each check's results in the last {n} runs of the same kind, oldest first, the last column being this run; each cell has a colour and a symbol, so that a black-and-white copy reads.",
    this_run: "this run",
    strip_none: "no result in that run",
    strip_no_run: "blank: no recorded run yet",
};

pub(super) fn history_strings(lang: Lang) -> &'static HistoryStrings {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The terminal's line under the summary when the run was compared with an earlier one, in
/// the report's own words (its "changes since the last run" section): the earlier run's
/// id and the counts of its categories.
pub(crate) fn since_line(
    lang: Lang,
    run: &str,
    [new, recovered, still, flapping]: [usize; 4],
) -> String {
    let h = history_strings(lang);
    let colon = super::strings::strings(lang).colon;
    match lang {
        Lang::Zh => format!(
            "{} {run}{colon}{} {new}，{} {recovered}，{} {still}，{} {flapping}",
            h.previous_run, h.new_failures, h.recoveries, h.still_failing, h.flapping_now
        ),
        Lang::En => format!(
            "since run {run}: {new} new failure(s), {recovered} recovered, {still} still failing, {flapping} flapping"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_says_what_changed_in_the_reports_words() {
        assert_eq!(
            since_line(Lang::Zh, "r1", [2, 1, 3, 0]),
            "上次运行 r1：新增失败 2，已恢复 1，持续失败 3，正在抖动 0"
        );
        assert_eq!(
            since_line(Lang::En, "r1", [2, 1, 3, 0]),
            "since run r1: 2 new failure(s), 1 recovered, 3 still failing, 0 flapping"
        );
    }
}
