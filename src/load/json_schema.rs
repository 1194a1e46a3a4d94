//! `expect.json_schema`: a JSON Schema file, read and compiled once at load, so that a
//! schema that cannot be used is an error before any traffic, at its place: a JSON syntax
//! error at the schema file's own line and column, anything else at the suite's
//! `json_schema:` value.
//!
//! Nothing is fetched: a `$ref` to anything outside the file (`https://…`, `other.json`)
//! is refused at load, since a check's verdict must not depend on a server the suite does
//! not name, nor on the network at load time. The draft is the file's `$schema` (2020-12
//! when absent), and `format` is asserted (`date-time`, `email`, `ipv4`, `uuid`, …): an
//! interface standard that names a format means it. Unknown formats are ignored.

use std::path::Path;
use std::sync::Arc;

use jsonschema::ReferencingError;
use jsonschema::error::ValidationErrorKind;

use super::raw::S;
use super::{Loader, loc};
use crate::diag::Diagnostic;
use crate::model::{BodySchema, Loc};

/// The schema named by `s` (relative to the suite file), compiled; a file named twice is
/// read and compiled once.
pub(super) fn json_schema(ld: &mut Loader, f: u32, s: &S) -> Option<BodySchema> {
    let at = loc(f, &s.referenced);
    let name = s.value.as_str();
    if name.trim().is_empty() || name.contains("{{") {
        ld.push(
            Diagnostic::error(at, format!("`json_schema: {name}` is not a file name"))
                .with_hint("the path of a JSON Schema file, relative to the suite file; it is compiled when the suite loads, so it holds no template"),
        );
        return None;
    }
    let dir = ld.sources.files[f as usize]
        .path
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let path = dir.join(name);
    let validator = if let Some(v) = ld.schemas.get(&path) {
        v.clone()
    } else {
        let v = compile(ld, &path, name, at);
        ld.schemas.insert(path, v.clone());
        v
    }?;
    Some(BodySchema {
        name: name.to_string(),
        validator,
    })
}

fn compile(
    ld: &mut Loader,
    path: &Path,
    name: &str,
    at: Loc,
) -> Option<Arc<jsonschema::Validator>> {
    let before = ld.diags.len();
    let Some(file) = ld.read(path) else {
        // The reader names the file; the suite's line says which check wanted it.
        for d in &mut ld.diags[before..] {
            if d.loc.is_none() {
                d.loc = Some(at);
                d.message = format!("json_schema: {}", d.message);
            }
        }
        return None;
    };
    let named_at = ld.sources.position(at);
    let text = &ld.sources.files[file as usize].text;
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let d = not_json(file, text, &e, name, &named_at);
            ld.push(d);
            return None;
        }
    };
    let built = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&value);
    let e = match built {
        Ok(v) => return Some(Arc::new(v)),
        Err(e) => e,
    };
    let d = if let ValidationErrorKind::Referencing(ReferencingError::Unretrievable {
        uri, ..
    }) = e.kind()
    {
        Diagnostic::error(
            at,
            format!("the JSON Schema `{name}` refers to `{uri}`, which netaccept does not fetch"),
        )
        .with_hint("no `$ref` outside the file is followed: copy the referenced schema into it under `$defs` and refer to it as `#/$defs/…`")
    } else {
        let inside = e.instance_path().to_string();
        let inside = if inside.is_empty() {
            String::new()
        } else {
            format!(" (at {inside})")
        };
        Diagnostic::error(
            at,
            format!("`{name}` is not a valid JSON Schema: {e}{inside}"),
        )
        .with_hint("the file must be a schema of its `$schema` draft (2020-12 when absent)")
    };
    ld.push(d);
    None
}
/// A JSON syntax error, at its line and column in the schema file.
fn not_json(
    file: u32,
    text: &str,
    e: &serde_json::Error,
    name: &str,
    named_at: &str,
) -> Diagnostic {
    let msg = e.to_string();
    let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
    // serde_json counts bytes from 1; the diagnostics count characters.
    let line = e.line().max(1);
    let col = crate::diag::yaml_lines(text)
        .nth(line - 1)
        .map_or(e.column(), |l| {
            let upto = e.column().saturating_sub(1).min(l.len());
            let upto = (0..=upto)
                .rev()
                .find(|&i| l.is_char_boundary(i))
                .unwrap_or(0);
            l[..upto].chars().count() + 1
        });
    Diagnostic::error(
        Loc {
            file,
            line: line as u32,
            col: col as u32,
            len: 1,
        },
        format!("the JSON Schema `{name}` is not JSON: {msg}"),
    )
    .with_hint(format!(
        "named by `json_schema:` at {named_at}; a schema file is JSON (not YAML)"
    ))
}
