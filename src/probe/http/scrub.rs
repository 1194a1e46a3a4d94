//! Secrets out of outcomes: whatever a prober reports is cleaned of the spec's `env` values.

use serde_json::Value;

use crate::model::{HttpSpec, Text};
use crate::probe::{Outcome, Verdict};

/// Replaces every secret of the spec by `***` in what the outcome reports: a server may echo
/// a header into its body, or a redirect may carry a token into a URL.
pub(super) fn scrub(mut o: Outcome, spec: &HttpSpec<Text>) -> Outcome {
    let secrets: Vec<&str> = spec
        .headers
        .iter()
        .map(|(_, v)| v)
        .chain([&spec.url])
        .chain(&spec.body)
        .chain(&spec.ca)
        .chain(&spec.expect.body_contains)
        .chain(spec.expect.json.iter().map(|(_, v)| v))
        .flat_map(Text::secrets)
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return o;
    }
    let clean = |s: &mut String| {
        for secret in &secrets {
            if s.contains(secret) {
                *s = s.replace(secret, "***");
            }
        }
    };
    match &mut o.verdict {
        Verdict::Passed => {}
        Verdict::Failed(f) => {
            clean(&mut f.message);
            f.expected.iter_mut().for_each(clean);
            f.measured.iter_mut().for_each(clean);
        }
        Verdict::Errored(p) => clean(&mut p.message),
    }
    o.evidence.iter_mut().for_each(clean);
    for v in o.measurements.values_mut() {
        if let Value::String(s) = v {
            clean(s);
        }
    }
    o
}
