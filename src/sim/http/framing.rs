//! Reading a connection's bytes: a request head up to [`MAX_HEAD`], a body read and
//! discarded, or everything until the peer leaves.

use tokio::io::{AsyncRead, AsyncReadExt};

use super::{IDLE_TIMEOUT, MAX_HEAD};

/// Bytes read at a time.
pub(super) const READ_CHUNK: usize = 4096;

/// Reads and drops everything until the peer closes (or the connection fails).
pub(super) async fn drain<S: AsyncRead + Unpin>(io: &mut S, buf: &mut Vec<u8>) {
    loop {
        buf.clear();
        buf.reserve(READ_CHUNK);
        match io.read_buf(buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

pub(super) enum HeadError {
    /// The client left, the connection failed, or it stayed idle too long.
    Closed,
    /// No end of head within `MAX_HEAD` bytes.
    TooLarge,
}

/// Reads until `buf` starts with a complete request head; returns its length (line ends
/// included). Empty lines before the request line are dropped.
pub(super) async fn read_head<S: AsyncRead + Unpin>(
    io: &mut S,
    buf: &mut Vec<u8>,
) -> Result<usize, HeadError> {
    let mut scanned = 0;
    loop {
        let blank = buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if blank > 0 {
            buf.drain(..blank);
            scanned = 0;
        }
        if let Some(end) = head_end(buf, scanned) {
            return if end > MAX_HEAD {
                Err(HeadError::TooLarge)
            } else {
                Ok(end)
            };
        }
        if buf.len() >= MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        scanned = buf.len().saturating_sub(2);
        buf.reserve(READ_CHUNK);
        match tokio::time::timeout(IDLE_TIMEOUT, io.read_buf(buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return Err(HeadError::Closed),
        }
    }
}

/// The end of the first empty line (`\n\n` or `\n\r\n`) at or after `from`.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = buf.get(i..)?.iter().position(|&b| b == b'\n') {
        let p = i + off;
        match buf.get(p + 1) {
            Some(b'\n') => return Some(p + 2),
            Some(b'\r') if buf.get(p + 2) == Some(&b'\n') => return Some(p + 3),
            _ => {}
        }
        i = p + 1;
    }
    None
}

/// Reads and drops `n` body bytes (those already in `buf` first); false if the connection
/// ended first. Bytes after the body stay in `buf`: they are the next request.
pub(super) async fn discard<S: AsyncRead + Unpin>(
    io: &mut S,
    buf: &mut Vec<u8>,
    mut n: u64,
) -> bool {
    loop {
        if (buf.len() as u64) >= n {
            buf.drain(..n as usize);
            return true;
        }
        n -= buf.len() as u64;
        buf.clear();
        buf.reserve(READ_CHUNK);
        match tokio::time::timeout(IDLE_TIMEOUT, io.read_buf(buf)).await {
            Ok(Ok(k)) if k > 0 => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_finds_crlf_and_lf() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nrest", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
        assert_eq!(head_end(b"\n", 0), None);
    }
}
