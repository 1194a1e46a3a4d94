//! Parsing a request head: the request line, the headers that matter to the server, and
//! the status (400 or 505) that answers a head it will not serve.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    Get,
    Head,
    Other,
}

#[derive(Debug)]
pub(super) struct Request {
    pub(super) method: Method,
    /// The path of the target, without the query.
    pub(super) path: String,
    pub(super) keep_alive: bool,
    pub(super) content_length: u64,
    pub(super) transfer_encoding: bool,
    pub(super) expect_continue: bool,
}

/// Parses a request head (request line, headers, empty line). The error is the status to
/// answer: 400, or 505 for an HTTP version other than 1.0 and 1.1.
pub(super) fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().ok_or(400u16)?;
    let mut parts = request_line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(400);
    }
    let http11 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(505);
        }
        _ => return Err(400),
    };
    if target.is_empty() || target.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return Err(400);
    }
    let path = origin_path(target).ok_or(400u16)?;

    let mut req = Request {
        method: match method {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            _ => Method::Other,
        },
        path: String::from_utf8_lossy(path).into_owned(),
        keep_alive: http11,
        content_length: 0,
        transfer_encoding: false,
        expect_continue: false,
    };
    let (mut hosts, mut length, mut close, mut keep) = (0, None::<u64>, false, false);
    for line in lines {
        if line.is_empty() {
            break;
        }
        let colon = line.iter().position(|&b| b == b':').ok_or(400u16)?;
        let (name, value) = (&line[..colon], trim_ows(&line[colon + 1..]));
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Err(400); // also obs-fold and whitespace before the colon
        }
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(400);
        }
        if name.eq_ignore_ascii_case(b"host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case(b"content-length") {
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(400);
            }
            let n: u64 = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or(400u16)?;
            if length.is_some_and(|l| l != n) {
                return Err(400);
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            req.transfer_encoding = true;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',').map(trim_ows) {
                close |= token.eq_ignore_ascii_case(b"close");
                keep |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case(b"expect") {
            req.expect_continue = value.eq_ignore_ascii_case(b"100-continue");
        }
    }
    if hosts > 1 || (http11 && hosts == 0) {
        return Err(400);
    }
    req.content_length = length.unwrap_or(0);
    req.keep_alive = !close && (http11 || keep);
    Ok(req)
}

/// The path (without the query) of an origin-form (`/p?q`) or absolute-form
/// (`http://host/p?q`) target; `*` (asterisk-form) is kept as is, routed nowhere.
fn origin_path(target: &[u8]) -> Option<&[u8]> {
    let target = if target.first() == Some(&b'/') || target == b"*" {
        target
    } else {
        let lower = |n: usize| target.get(..n).map(<[u8]>::to_ascii_lowercase);
        let scheme = if lower(7).as_deref() == Some(b"http://") {
            7
        } else if lower(8).as_deref() == Some(b"https://") {
            8
        } else {
            return None;
        };
        let rest = &target[scheme..];
        match rest.iter().position(|&b| b == b'/' || b == b'?') {
            Some(i) if rest[i] == b'/' => &rest[i..],
            _ => b"/",
        }
    };
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    Some(&target[..end])
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_and_reject() {
        let r = parse_head(b"GET /a/health?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
        assert_eq!(
            (r.method, r.path.as_str(), r.keep_alive),
            (Method::Get, "/a/health", true)
        );
        let r = parse_head(b"HEAD http://h:1/x HTTP/1.0\nConnection: Keep-Alive\n\n").unwrap();
        assert_eq!(
            (r.method, r.path.as_str(), r.keep_alive),
            (Method::Head, "/x", true)
        );
        let r = parse_head(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert_eq!(r.content_length, 5);
        for bad in [
            &b"GET / HTTP/1.1\r\n\r\n"[..],                             // no Host
            b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",                      // double space
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",                      // space before colon
            b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",            // obs-fold
            b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", // bad length
            b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET x HTTP/1.1\r\nHost: h\r\n\r\n",      // no path
            b"\xff\xfe / HTTP/1.1\r\nHost: h\r\n\r\n", // method not a token
            b"GET / HTTP/1.1\r\nHost: h\x00\r\n\r\n",  // NUL in a value
            b"GET / FTP/1.1\r\nHost: h\r\n\r\n",
        ] {
            assert_eq!(
                parse_head(bad).unwrap_err(),
                400,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(), 505);
    }
}

/// Property tests (proptest): any bytes are a request head or a 400/505, never a panic; a
/// well-formed head built by the strategy parses to what was built.
#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::props::config;

    /// Bytes that look like a head more often than random ones do.
    fn headish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop::sample::select(vec![
            &b"GET"[..],
            b"HEAD",
            b"POST",
            b" ",
            b"  ",
            b"/",
            b"/a?b#c",
            b"*",
            b"http://h",
            b"HTTPS://h:1/x",
            b"HTTP/1.1",
            b"HTTP/1.0",
            b"HTTP/2.0",
            b"HTTP/1.",
            b"\r\n",
            b"\n",
            b"\r",
            b"Host",
            b"host",
            b"Content-Length",
            b"Transfer-Encoding",
            b"Connection",
            b"Expect",
            b": ",
            b":",
            b"close",
            b"keep-alive",
            b"100-continue",
            b",",
            b"\t",
            b"0",
            b"18446744073709551615",
            b"18446744073709551616",
            b"-1",
            b"\x00",
            b"\x7f",
            b"\xff",
            b"\xc3\xa9",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    /// One request head as the strategy built it, and what parsing it must find.
    #[derive(Debug, Clone)]
    struct Head {
        bytes: Vec<u8>,
        method: Method,
        path: String,
        keep_alive: bool,
        content_length: u64,
        transfer_encoding: bool,
        expect_continue: bool,
    }

    /// A header line's name in random letter case.
    fn cased(name: &'static str) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<bool>(), name.len()).prop_map(move |up| {
            name.chars()
                .zip(up)
                .map(|(c, u)| {
                    if u {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        })
    }

    /// What a header line means to the parser (`Other`: nothing).
    #[derive(Debug, Clone)]
    enum Header {
        Host,
        Length(u64),
        Chunked,
        Connection(Vec<&'static str>),
        Expect(String),
        Other,
    }

    /// A header and its line, with optional whitespace around the value.
    fn header() -> impl Strategy<Value = (Header, String)> {
        let header = prop_oneof![
            ("[a-z0-9.:-]{1,12}", cased("host"))
                .prop_map(|(h, n)| (Header::Host, format!("{n}:{h}"))),
            (any::<u64>(), cased("content-length"), "0{0,3}")
                .prop_map(|(l, n, zeros)| (Header::Length(l), format!("{n}:{zeros}{l}"))),
            (cased("transfer-encoding"), "chunked|gzip, chunked")
                .prop_map(|(n, v)| (Header::Chunked, format!("{n}:{v}"))),
            (
                prop::collection::vec(
                    prop::sample::select(vec![
                        "close",
                        "keep-alive",
                        "Keep-Alive",
                        "CLOSE",
                        "upgrade",
                        "te"
                    ]),
                    1..4,
                ),
                cased("connection"),
            )
                .prop_map(|(tokens, n)| {
                    let line = format!("{n}:{}", tokens.join(" , "));
                    (Header::Connection(tokens), line)
                }),
            ("100-continue|100-Continue|nothing", cased("expect"))
                .prop_map(|(v, n)| (Header::Expect(v.clone()), format!("{n}:{v}"))),
            (
                "x-[a-z0-9!#$%&'*+.^_`|~-]{0,10}",
                "[!-~]([ \t!-~\u{80}-\u{ff}]{0,20}[!-~])?"
            )
                .prop_map(|(n, v)| (Header::Other, format!("{n}:{v}"))),
        ];
        (header, "[ \t]{0,2}", "[ \t]{0,2}").prop_map(|((h, line), l, r)| {
            let (name, value) = line.split_once(':').unwrap();
            (h, format!("{name}:{l}{value}{r}"))
        })
    }

    fn head() -> impl Strategy<Value = Head> {
        let method = prop_oneof![
            Just((Method::Get, "GET".to_string())),
            Just((Method::Head, "HEAD".to_string())),
            "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}".prop_map(|m| {
                let kind = match m.as_str() {
                    "GET" => Method::Get,
                    "HEAD" => Method::Head,
                    _ => Method::Other,
                };
                (kind, m)
            }),
        ];
        // The path: visible ASCII but `?` and `#`, or UTF-8 beyond ASCII.
        let path = "(/([!-\"$->@-~]|é|北){0,8}){1,4}";
        let query = prop::option::of("[?#][!-~]{0,10}");
        let form = prop::option::of(("http|HTTP|https", "[a-z0-9.-]{1,10}(:[0-9]{1,5})?"));
        (
            method,
            path,
            query,
            form,
            any::<bool>(),
            prop::collection::vec(header(), 0..6),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |((method, m), path, query, form, http11, headers, host_first, crlf)| {
                    let target = match &form {
                        Some((scheme, authority)) => format!(
                            "{scheme}://{authority}{path}{}",
                            query.as_deref().unwrap_or("")
                        ),
                        None => format!("{path}{}", query.as_deref().unwrap_or("")),
                    };
                    let version = if http11 { "HTTP/1.1" } else { "HTTP/1.0" };
                    let eol = if crlf { "\r\n" } else { "\n" };
                    let mut lines = vec![format!("{m} {target} {version}")];
                    let mut hosts = 0;
                    let (mut length, mut te, mut close, mut keep, mut expect) =
                        (None, false, false, false, false);
                    // HTTP/1.1 needs exactly one Host; at most one anyway.
                    let has_host = headers.iter().any(|(h, _)| matches!(h, Header::Host));
                    if http11 && !has_host {
                        hosts += 1;
                        if host_first {
                            lines.push("Host: example".into());
                        }
                    }
                    for (h, line) in &headers {
                        match h {
                            Header::Host => {
                                if hosts > 0 {
                                    continue;
                                }
                                hosts += 1;
                            }
                            Header::Length(l) => {
                                if length.is_some_and(|n| n != *l) {
                                    continue;
                                }
                                length = Some(*l);
                            }
                            Header::Chunked => te = true,
                            Header::Connection(tokens) => {
                                close |= tokens.iter().any(|t| t.eq_ignore_ascii_case("close"));
                                keep |= tokens.iter().any(|t| t.eq_ignore_ascii_case("keep-alive"));
                            }
                            Header::Expect(v) => expect = v.eq_ignore_ascii_case("100-continue"),
                            Header::Other => {}
                        }
                        lines.push(line.clone());
                    }
                    if http11 && !has_host && !host_first {
                        lines.push("Host: example".into());
                    }
                    let mut bytes = lines.join(eol).into_bytes();
                    bytes.extend_from_slice(eol.as_bytes());
                    bytes.extend_from_slice(eol.as_bytes());
                    Head {
                        bytes,
                        method,
                        path: path.clone(),
                        keep_alive: !close && (http11 || keep),
                        content_length: length.unwrap_or(0),
                        transfer_encoding: te,
                        expect_continue: expect,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_bytes_are_a_request_or_400_or_505(
            bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..512), headish()]
        ) {
            match parse_head(&bytes) {
                Ok(req) => {
                    prop_assert!(req.path.starts_with('/') || req.path == "*", "{:?}", req.path);
                    prop_assert!(!req.path.contains(['?', '#']), "{:?}", req.path);
                }
                Err(status) => prop_assert!(status == 400 || status == 505, "{status}"),
            }
        }

        #[test]
        fn a_well_formed_head_parses_to_what_was_built(head in head()) {
            let req = parse_head(&head.bytes)
                .unwrap_or_else(|s| panic!("{s} for {:?}", String::from_utf8_lossy(&head.bytes)));
            prop_assert_eq!(req.method, head.method);
            prop_assert_eq!(req.path, head.path);
            prop_assert_eq!(req.keep_alive, head.keep_alive);
            prop_assert_eq!(req.content_length, head.content_length);
            prop_assert_eq!(req.transfer_encoding, head.transfer_encoding);
            prop_assert_eq!(req.expect_continue, head.expect_continue);
        }
    }
}
