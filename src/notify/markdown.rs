//! The robots' message: Chinese Markdown for a WeCom (企业微信) or DingTalk (钉钉) group, read
//! on a phone. It says what changed, with display names, and fits the robot's size limit:
//! a list that does not fit ends with "… 另有 N 项" (N more), and the reports' folder is
//! always named. Every message holds the word `netaccept`, so a DingTalk robot secured by a
//! custom keyword can use that one.

use super::{Context, cut, one_line, percent};
use crate::history::ItemKey;
use crate::results::Status;
use crate::trend::{Change, Diff, Flap};

/// WeCom refuses a markdown `content` longer than 4096 bytes (UTF-8).
pub(super) const WECOM_MAX_BYTES: usize = 4096;
/// DingTalk documents no exact limit for markdown; messages of about 20,000 bytes are
/// refused, so stay well below.
pub(super) const DINGTALK_MAX_BYTES: usize = 16_000;

/// A long failure message is cut here (characters): the reports hold it whole.
const MESSAGE_CHARS: usize = 80;

/// DingTalk's `title`: what the chat list shows.
pub(super) fn title(diff: &Diff) -> String {
    format!(
        "netaccept 夜间巡检：{}：新故障 {} 项，恢复 {} 项",
        diff.b.suite_name,
        diff.new_failures.len(),
        diff.recoveries.len()
    )
}

/// The message text, at most `max` bytes.
pub(super) fn text(diff: &Diff, ctx: &Context, max: usize) -> String {
    let b = &diff.b;
    let when = crate::model::beijing::local(b.started).format("%Y-%m-%d %H:%M");
    let head = format!(
        "### netaccept 夜间巡检：{suite}\n\
         运行 {id}（{scope}），开始于 {when}（北京时间）{partial}\n\n\
         与上次运行 {prev} 相比：新故障 **{new}** 项，恢复 **{rec}** 项，开始抖动 {fs} 项，停止抖动 {fe} 项；仍在故障 {still} 项。\n\n\
         本次结果：通过 {passed}，失败 {failed}，错误 {errored}，跳过 {skipped}，豁免 {waived}{nr}\n",
        suite = one_line(&b.suite_name),
        id = b.id,
        scope = b.scope,
        partial = if b.complete { "" } else { "，运行被中断" },
        prev = diff.a.id,
        new = diff.new_failures.len(),
        rec = diff.recoveries.len(),
        fs = diff.flapping_started.len(),
        fe = diff.flapping_stopped.len(),
        still = diff.still_failing.len(),
        passed = b.summary.passed,
        failed = b.summary.failed,
        errored = b.summary.errored,
        skipped = b.summary.skipped,
        waived = b.summary.waived,
        nr = if b.summary.not_reported > 0 {
            format!("，未上报 {}", b.summary.not_reported)
        } else {
            String::new()
        },
    );
    let foot = format!("\n报告：{}\n", one_line(&ctx.report_dir));

    // Each list's heading and entries, the empty lists left out.
    let sections: Vec<(String, Vec<String>)> = [
        (
            "新故障",
            diff.new_failures.iter().map(|c| change(c, ctx)).collect(),
        ),
        (
            "已恢复",
            diff.recoveries.iter().map(|c| change(c, ctx)).collect(),
        ),
        (
            "开始抖动",
            diff.flapping_started.iter().map(|f| flap(f, ctx)).collect(),
        ),
        (
            "停止抖动",
            diff.flapping_stopped.iter().map(|f| flap(f, ctx)).collect(),
        ),
    ]
    .into_iter()
    .filter(|(_, entries): &(_, Vec<String>)| !entries.is_empty())
    .map(|(h, entries)| (heading(h), entries))
    .collect();

    // Round robin: each section gets its first entry before any gets its second, so a long
    // list of new failures cannot crowd out the one recovery. Every section keeps room for
    // its heading and a "… 另有 N 项" line.
    let fixed = head.len()
        + foot.len()
        + sections
            .iter()
            .map(|(h, _)| h.len() + more(usize::MAX).len())
            .sum::<usize>();
    let mut budget = max.saturating_sub(fixed);
    let mut shown = vec![0; sections.len()];
    let mut full = vec![false; sections.len()];
    loop {
        let mut added = false;
        for (s, (_, entries)) in sections.iter().enumerate() {
            let Some(e) = entries.get(shown[s]).filter(|_| !full[s]) else {
                continue;
            };
            if e.len() <= budget {
                budget -= e.len();
                shown[s] += 1;
                added = true;
            } else {
                full[s] = true;
            }
        }
        if !added {
            break;
        }
    }

    let mut out = head;
    for ((h, entries), shown) in sections.iter().zip(shown) {
        out.push_str(h);
        for e in &entries[..shown] {
            out.push_str(e);
        }
        if shown < entries.len() {
            out.push_str(&more(entries.len() - shown));
        }
    }
    out.push_str(&foot);
    if out.len() > max {
        // Only a suite name or folder of kilobytes gets here: cut at a character boundary.
        let mut end = max;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

fn heading(h: &str) -> String {
    format!("\n**{h}**\n")
}

/// The line that ends a list cut short.
fn more(n: usize) -> String {
    format!("- … 另有 {n} 项\n")
}

/// One entry of a list (`- …` and a line feed): the item's names, its status and kind, the
/// message cut short.
fn change(c: &Change, ctx: &Context) -> String {
    let kind = c
        .kind
        .as_deref()
        .map(|k| format!("（{k}）"))
        .unwrap_or_default();
    let mut s = format!("- {}：{}{kind}", names(&c.key, ctx), status_zh(c.after));
    let msg = one_line(&c.message);
    if !msg.is_empty() {
        s.push('，');
        s.push_str(&cut(&msg, MESSAGE_CHARS));
    }
    s.push('\n');
    s
}

/// One entry of a list: the item's names and its percent state change.
fn flap(f: &Flap, ctx: &Context) -> String {
    format!("- {}：状态变化率 {:.1}%\n", names(&f.key, ctx), percent(f))
}

/// `节点 · 检查 · 应用`, by display name (the id when the record has none).
fn names(key: &ItemKey, ctx: &Context) -> String {
    let (node, check, app) = ctx.names(key);
    let mut s = format!("{} · {}", one_line(node), one_line(check));
    if let Some(app) = app {
        s.push_str(" · ");
        s.push_str(&one_line(app));
    }
    s
}

fn status_zh(s: Status) -> &'static str {
    match s {
        Status::Passed => "通过",
        Status::Failed => "失败",
        Status::Errored => "错误",
        Status::Skipped => "跳过",
        Status::Waived => "已豁免",
        Status::NotReported => "未上报",
    }
}
