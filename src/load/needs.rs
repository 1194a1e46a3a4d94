//! A suite's `needs`: each check's names resolved to the checks they name, and every cycle
//! among them reported.

use super::raw::S;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::diag::suggest;
use crate::model::{Check, CheckIdx};

/// Resolves the `needs` of every check (`needs_raw[i]` is what check `i` lists), then
/// reports the cycles.
pub(super) fn resolve(ld: &mut Loader, f: u32, checks: &mut [Check], needs_raw: &[Vec<S>]) {
    let ids: Vec<String> = checks.iter().map(|c| c.id.clone()).collect();
    for (ci, needs) in needs_raw.iter().enumerate() {
        for n in needs {
            match ids.iter().position(|i| *i == n.value) {
                Some(ni) if checks[ci].needs.contains(&CheckIdx(ni as u32)) => {
                    ld.push(
                        Diagnostic::warning(
                            loc(f, &n.referenced),
                            format!("`{}` is listed twice in `needs`", n.value),
                        )
                        .with_hint("remove the repeat"),
                    );
                }
                Some(ni) => checks[ci].needs.push(CheckIdx(ni as u32)),
                None => {
                    let hint = suggest::did_you_mean(&n.value, ids.iter().map(String::as_str))
                        .unwrap_or_else(|| "`needs` names checks of this suite".into());
                    ld.push(
                        Diagnostic::error(
                            loc(f, &n.referenced),
                            format!("unknown check `{}` in `needs`", n.value),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
    }
    report_needs_cycles(ld, checks);
}

/// Reports each cycle of `needs` once, at the check of the cycle written first.
fn report_needs_cycles(ld: &mut Loader, checks: &[Check]) {
    fn visit(
        i: usize,
        checks: &[Check],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        state[i] = 1;
        stack.push(i);
        for n in &checks[i].needs {
            let n = n.0 as usize;
            match state[n] {
                0 => visit(n, checks, state, stack, cycles),
                1 => {
                    let pos = stack.iter().position(|&s| s == n).unwrap_or(0);
                    cycles.push(stack[pos..].to_vec());
                }
                _ => {}
            }
        }
        stack.pop();
        state[i] = 2;
    }
    let mut state = vec![0u8; checks.len()];
    let mut cycles = Vec::new();
    for i in 0..checks.len() {
        if state[i] == 0 {
            visit(i, checks, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    for cycle in cycles {
        let first = *cycle
            .iter()
            .min_by_key(|&&c| checks[c].loc)
            .unwrap_or(&cycle[0]);
        let start = cycle.iter().position(|&c| c == first).unwrap_or(0);
        let mut names: Vec<&str> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .map(|&c| checks[c].id.as_str())
            .collect();
        names.push(&checks[first].id);
        ld.push(
            Diagnostic::error(
                checks[first].loc,
                format!("`needs` cycle: {}", names.join(" → ")),
            )
            .with_hint("a check cannot wait, directly or not, for itself"),
        );
    }
}
