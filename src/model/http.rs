//! The parts of an HTTP probe that are fixed words rather than templates: the method, the
//! header names and the redirect policy. The loader parses them once, so a typo is a load
//! error at its place instead of an `errored` result on every node.

use std::fmt;

use schemars::JsonSchema;

/// The methods a check may send. Written in any case in the suite (`get` is `GET`), as the
/// loader has always accepted; sent in upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HttpMethod {
    #[default]
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 7] = [
        HttpMethod::Get,
        HttpMethod::Head,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Patch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Patch => "PATCH",
        }
    }

    /// The method named `s`, in any ASCII case.
    pub fn parse(s: &str) -> Option<HttpMethod> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which redirects a check follows (`redirects:`). A check of a node must be passed by that
/// node's answer: the default follows a redirect only to the same host name (any port or
/// scheme, as `http` → `https` upgrades do), and a redirect the policy refuses fails the
/// check as `RedirectRefused`, naming where it pointed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, JsonSchema)]
#[schemars(rename_all = "kebab-case")]
pub enum RedirectPolicy {
    /// Follow none: a redirect is a failure (unless `expect.status` names its status).
    None,
    /// Follow redirects to the same host name, on any port or scheme.
    #[default]
    SameHost,
    /// Follow redirects anywhere.
    Any,
}

impl RedirectPolicy {
    pub const ALL: [RedirectPolicy; 3] = [
        RedirectPolicy::None,
        RedirectPolicy::SameHost,
        RedirectPolicy::Any,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RedirectPolicy::None => "none",
            RedirectPolicy::SameHost => "same-host",
            RedirectPolicy::Any => "any",
        }
    }

    pub fn parse(s: &str) -> Option<RedirectPolicy> {
        RedirectPolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for RedirectPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TLS protocol version, as `tls.min_version` names it (`"1.0"` … `"1.3"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    V1_0,
    V1_1,
    V1_2,
    V1_3,
}

impl TlsVersion {
    pub const ALL: [TlsVersion; 4] = [
        TlsVersion::V1_0,
        TlsVersion::V1_1,
        TlsVersion::V1_2,
        TlsVersion::V1_3,
    ];

    /// As suites write it: `1.2`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::V1_0 => "1.0",
            TlsVersion::V1_1 => "1.1",
            TlsVersion::V1_2 => "1.2",
            TlsVersion::V1_3 => "1.3",
        }
    }

    /// As OpenSSL and the results name it: `TLSv1.2`.
    pub fn protocol_name(self) -> &'static str {
        match self {
            TlsVersion::V1_0 => "TLSv1.0",
            TlsVersion::V1_1 => "TLSv1.1",
            TlsVersion::V1_2 => "TLSv1.2",
            TlsVersion::V1_3 => "TLSv1.3",
        }
    }

    pub fn parse(s: &str) -> Option<TlsVersion> {
        TlsVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check's TLS policy (`tls:`): what passes. A server that completes a handshake only
/// below `min_version` fails as `LegacyTls`, naming the protocol and suite it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlsPolicy {
    /// The oldest protocol version accepted; TLS 1.2 unless the suite says otherwise.
    pub min_version: TlsVersion,
}

impl Default for TlsPolicy {
    fn default() -> TlsPolicy {
        TlsPolicy {
            min_version: TlsVersion::V1_2,
        }
    }
}

/// Whether a check's answer must come over TLS (`expect.tls`). Under `optional` (the
/// default) a plain-HTTP URL is checked on its other expectations and the TLS ones
/// (`cert_valid_days`) do not apply to it; under `required` a plain-HTTP hop fails the check
/// as `TlsRequired` before anything is sent on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, JsonSchema)]
#[schemars(rename_all = "lowercase")]
pub enum TlsRequirement {
    #[default]
    Optional,
    Required,
}

impl TlsRequirement {
    pub const ALL: [TlsRequirement; 2] = [TlsRequirement::Optional, TlsRequirement::Required];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsRequirement::Optional => "optional",
            TlsRequirement::Required => "required",
        }
    }

    pub fn parse(s: &str) -> Option<TlsRequirement> {
        TlsRequirement::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A header name: an RFC 9110 token (letters, digits and ``!#$%&'*+-.^_`|~``), kept as the
/// suite wrote it so that plans show the user's spelling. The wire form is the lower-cased
/// one HTTP libraries make of it (HTTP/2 requires lower case; HTTP/1.1 ignores case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderName(String);

impl HeaderName {
    /// The longest name HTTP libraries take (the `http` crate's limit), so that every
    /// accepted name can be sent.
    pub const MAX_LEN: usize = (1 << 16) - 1;

    /// The name, or why it is not one (a phrase to follow "it").
    pub fn parse(s: &str) -> Result<HeaderName, String> {
        if s.is_empty() {
            return Err("is empty".into());
        }
        if s.len() > HeaderName::MAX_LEN {
            return Err(format!(
                "is {} bytes long; the limit is {}",
                s.len(),
                HeaderName::MAX_LEN
            ));
        }
        if let Some(c) = s.chars().find(|&c| !is_tchar(c)) {
            return Err(match c {
                ' ' => "holds a space".to_string(),
                ':' => "holds `:`, which ends a header name on the wire".to_string(),
                c if !c.is_ascii() => format!("holds the non-ASCII character `{c}`"),
                c if c.is_ascii_control() => {
                    format!("holds the control character U+{:04X}", c as u32)
                }
                c => format!("holds `{c}`"),
            });
        }
        Ok(HeaderName(s.to_string()))
    }

    /// As written in the suite.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// RFC 9110 §5.6.2: `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for HeaderName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_in_any_case_and_print_upper() {
        assert_eq!(HttpMethod::parse("get"), Some(HttpMethod::Get));
        assert_eq!(HttpMethod::parse("Patch"), Some(HttpMethod::Patch));
        assert_eq!(HttpMethod::parse("GTE"), None);
        assert_eq!(HttpMethod::Options.to_string(), "OPTIONS");
    }

    #[test]
    fn header_names_are_tokens() {
        for ok in ["Authorization", "X-Request-Id", "x_y", "a!#$%&'*+-.^_`|~9"] {
            assert_eq!(HeaderName::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(HeaderName::parse("").unwrap_err(), "is empty");
        assert_eq!(
            HeaderName::parse("Bad Header").unwrap_err(),
            "holds a space"
        );
        assert!(HeaderName::parse("Host:").unwrap_err().contains("`:`"));
        assert!(HeaderName::parse("令牌").unwrap_err().contains("non-ASCII"));
        assert!(HeaderName::parse("a\tb").unwrap_err().contains("U+0009"));
        assert!(HeaderName::parse("a(b").unwrap_err().contains("`(`"));
        assert!(HeaderName::parse(&"a".repeat(HeaderName::MAX_LEN)).is_ok());
        assert!(HeaderName::parse(&"a".repeat(HeaderName::MAX_LEN + 1)).is_err());
    }
}
