//! JSONPath expressions (RFC 9535) of `expect.json`, compiled once at load. The source text
//! is kept beside the compiled form: messages quote the path as the user wrote it.

use std::fmt;

/// A compiled JSONPath and the text it was compiled from.
#[derive(Clone)]
pub struct JsonPath {
    text: String,
    compiled: serde_json_path::JsonPath,
}

impl JsonPath {
    /// The compiled path, or the parser's reason it is not one and where the parser
    /// stopped, e.g. "parser error at character 9 (`[`)".
    pub fn parse(s: &str) -> Result<JsonPath, String> {
        serde_json_path::JsonPath::parse(s)
            .map(|compiled| JsonPath {
                text: s.to_string(),
                compiled,
            })
            .map_err(|e| {
                // The parser's position is a byte offset; people count characters.
                let at = e.position();
                match s.get(at..) {
                    Some(rest) if !rest.is_empty() => format!(
                        "{} at character {} (`{rest}`)",
                        e.message(),
                        s[..at].chars().count() + 1
                    ),
                    _ => format!("{} at the end", e.message()),
                }
            })
    }

    /// As written in the suite.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first value the path selects in `doc`, if any.
    pub fn first<'a>(&self, doc: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        self.compiled.query(doc).first()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The text says everything the compiled form does, and reads better in a plan dump.
impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({:?})", self.text)
    }
}

impl PartialEq for JsonPath {
    fn eq(&self, other: &JsonPath) -> bool {
        self.text == other.text
    }
}

impl Eq for JsonPath {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_once_and_queries() {
        let p = JsonPath::parse("$.a[1]").unwrap();
        assert_eq!(p.to_string(), "$.a[1]");
        let doc = serde_json::json!({ "a": [1, 2] });
        assert_eq!(p.first(&doc), Some(&serde_json::json!(2)));
        assert_eq!(JsonPath::parse("$.b").unwrap().first(&doc), None);
    }

    #[test]
    fn a_bad_path_says_where() {
        let e = JsonPath::parse("$.status[").unwrap_err();
        assert_eq!(e, "parser error at character 9 (`[`)");
        let e = JsonPath::parse("$.名称[01]").unwrap_err();
        assert!(e.ends_with("at character 7 (`1]`)"), "{e}");
        let e = JsonPath::parse("$.a.").unwrap_err();
        assert!(e.ends_with("at the end"), "{e}");
    }
}
