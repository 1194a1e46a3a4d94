//! Model values as the HTTP library's types. The method and the header names were parsed at
//! load, so these conversions cannot fail; the tests hold the model's rules to the library's.

use reqwest::Method;
use reqwest::header::HeaderName;

use crate::model::{self, HttpMethod};

/// The method as sent, always upper case.
pub(super) fn wire_method(m: HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Patch => Method::PATCH,
    }
}

/// The name as sent: lower-cased, as `HeaderName::from_bytes` has always made it.
pub(super) fn wire_header_name(n: &model::HeaderName) -> HeaderName {
    HeaderName::from_bytes(n.as_str().as_bytes())
        .expect("a model::HeaderName is an RFC 9110 token within http's length limit")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's token rule and the `http` crate's agree on every byte, so the conversion
    /// in `wire_header_name` cannot fail, and the wire name is the lower-cased one.
    #[test]
    fn every_model_header_name_is_one_http_takes() {
        for b in 0u8..=255 {
            let s = format!("x{}", b as char);
            let model = model::HeaderName::parse(&s);
            let http = HeaderName::from_bytes(s.as_bytes());
            assert_eq!(model.is_ok(), http.is_ok(), "byte {b:#04x}");
            if let Ok(m) = model {
                assert_eq!(wire_header_name(&m).as_str(), s.to_ascii_lowercase());
            }
        }
        let long = "a".repeat(model::HeaderName::MAX_LEN);
        let m = model::HeaderName::parse(&long).unwrap();
        assert_eq!(wire_header_name(&m).as_str(), long);
    }

    #[test]
    fn every_method_keeps_its_name_on_the_wire() {
        for m in HttpMethod::ALL {
            assert_eq!(wire_method(m).as_str(), m.as_str());
        }
    }
}
