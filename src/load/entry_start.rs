//! Where a mapping that lacks a required key begins, for the "missing required key"
//! diagnostic: serde-saphyr reports the position where the mapping ended, while the user
//! wants the caret on the entry, and a key written nearby at another indentation (the usual
//! reason a key that is "there" is missing) named in the hint.

use crate::model::Loc;

/// Where the mapping that lacks a key begins, given serde's position (its last key, or the
/// token after it). Also finds the key written nearby at another indentation, which is the
/// usual reason a key that is "there" is missing.
pub(super) fn entry_start(text: &str, at: Loc, field: &str) -> (Loc, Option<u32>) {
    let lines: Vec<&str> = crate::diag::yaml_lines(text).collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let idx = (at.line as usize)
        .saturating_sub(1)
        .min(lines.len().saturating_sub(1));
    let Some(line) = lines.get(idx) else {
        return (at, None);
    };
    // A flow mapping `{ … }` on the error's line starts at its brace.
    let before: String = line
        .chars()
        .take(at.col.saturating_sub(1) as usize)
        .collect();
    if let Some(b) = before.rfind('{') {
        let col = before[..b].chars().count() as u32 + 1;
        return (
            Loc {
                line: at.line,
                col,
                len: 1,
                ..at
            },
            None,
        );
    }
    let key_indent = at.col.saturating_sub(1) as usize;
    let mut start = (idx, key_indent);
    for i in (0..=idx).rev() {
        let l = lines[i];
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(l);
        if ind == key_indent {
            start = (i, ind);
        } else if ind < key_indent {
            if t.starts_with("- ") && ind + 2 == key_indent {
                start = (i, key_indent);
            }
            break;
        }
    }
    // The entry ends where indentation drops below its keys. A key one column off, or
    // deeper than its neighbours without a parent key to nest under, is misplaced; a key of
    // the same name deeper in a nested block is someone else's.
    let mut misplaced = None;
    let mut prev: Option<(usize, &str)> = None;
    for (i, l) in lines.iter().enumerate().skip(start.0) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let content_indent = if i == start.0 { key_indent } else { indent(l) };
        if i > start.0 && t.starts_with(&format!("{field}:")) && content_indent != key_indent {
            let one_off = content_indent.abs_diff(key_indent) == 1;
            let orphan = content_indent > key_indent
                && prev.is_some_and(|(pi, pt)| pi == key_indent && !pt.trim_end().ends_with(':'));
            if one_off || orphan {
                misplaced = Some(i as u32 + 1);
                break;
            }
        }
        if i > start.0 && content_indent < key_indent {
            break;
        }
        prev = Some((content_indent, t));
    }
    let first_key = lines[start.0][start.1.min(lines[start.0].len())..]
        .split(':')
        .next()
        .unwrap_or("")
        .chars()
        .count() as u32;
    (
        Loc {
            line: start.0 as u32 + 1,
            col: start.1 as u32 + 1,
            len: first_key.max(1),
            ..at
        },
        misplaced,
    )
}
