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
