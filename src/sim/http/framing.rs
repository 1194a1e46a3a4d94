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

/// Property tests (proptest): finding the end of a head never panics and finds the first
/// blank line, and reading a head gives the same answer however the bytes arrive.
#[cfg(test)]
mod proptests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use proptest::prelude::*;
    use tokio::io::ReadBuf;

    use super::*;
    use crate::props::config;

    /// Bytes rich in line ends.
    fn lines() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop::sample::select(vec![
                &b"\r\n"[..],
                b"\n",
                b"\r",
                b"GET / HTTP/1.1",
                b"a: b",
                b"x",
            ]),
            0..24,
        )
        .prop_map(|v| v.concat())
    }

    /// The end of the first blank line at or after `from`, the slow way.
    fn first_blank_line(buf: &[u8], from: usize) -> Option<usize> {
        (from..buf.len()).find_map(|i| {
            if buf[i..].starts_with(b"\n\n") {
                Some(i + 2)
            } else if buf[i..].starts_with(b"\n\r\n") {
                Some(i + 3)
            } else {
                None
            }
        })
    }

    /// A connection that hands out `data` in pieces of the given sizes (cycled), then EOF.
    struct Pieces {
        data: Vec<u8>,
        at: usize,
        sizes: Vec<usize>,
        reads: usize,
    }

    impl AsyncRead for Pieces {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let size = self.sizes[self.reads % self.sizes.len()];
            let n = size.min(self.data.len() - self.at).min(buf.remaining());
            let at = self.at;
            buf.put_slice(&self.data[at..at + n]);
            self.at += n;
            self.reads += 1;
            Poll::Ready(Ok(()))
        }
    }

    /// What `read_head` returned, comparable, with what is left in the buffer.
    fn read(data: &[u8], sizes: Vec<usize>) -> (Result<usize, &'static str>, Vec<u8>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let mut io = Pieces {
            data: data.to_vec(),
            at: 0,
            sizes,
            reads: 0,
        };
        let mut buf = Vec::new();
        let r = rt.block_on(read_head(&mut io, &mut buf));
        let r = match r {
            Ok(n) => Ok(n),
            Err(HeadError::Closed) => Err("closed"),
            Err(HeadError::TooLarge) => Err("too large"),
        };
        (r, buf)
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn head_end_finds_the_first_blank_line(
            buf in prop_oneof![prop::collection::vec(any::<u8>(), 0..64), lines()],
            from in 0usize..80,
        ) {
            prop_assert_eq!(head_end(&buf, from), first_blank_line(&buf, from));
        }

        #[test]
        fn a_head_reads_the_same_in_any_pieces(
            data in prop_oneof![lines(), prop::collection::vec(any::<u8>(), 0..256)],
            sizes in prop::collection::vec(1usize..16, 1..8),
        ) {
            let (whole, whole_buf) = read(&data, vec![usize::MAX]);
            let (pieces, pieces_buf) = read(&data, sizes);
            // Blank lines before the head are dropped; the head ends at the first blank line
            // after them, if there is one (else the client leaves first: closed).
            let start = data.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
            let expected = first_blank_line(&data[start..], 0).ok_or("closed");
            prop_assert_eq!(pieces, expected);
            prop_assert_eq!(whole, expected);
            if let Ok(end) = expected {
                // The head is at the start of the buffer in both cases.
                prop_assert_eq!(&pieces_buf[..end], &data[start..start + end]);
                prop_assert_eq!(&whole_buf[..end], &data[start..start + end]);
            }
        }

        #[test]
        fn a_head_past_the_limit_is_too_large(
            line in "[a-z]{1,10}",
            extra in 1usize..64,
            sizes in prop::collection::vec(1usize..8192, 1..4),
        ) {
            // Header lines without a blank one, past MAX_HEAD, in any pieces; then a blank.
            let mut data = Vec::new();
            while data.len() <= MAX_HEAD + extra {
                data.extend_from_slice(line.as_bytes());
                data.extend_from_slice(b": v\r\n");
            }
            data.extend_from_slice(b"\r\n");
            prop_assert_eq!(read(&data, sizes).0, Err("too large"));
        }
    }
}
