//! The body of the answer judged: read from the wire, undone from every content coding the
//! server declared (`Content-Encoding: gzip`, `deflate`, `br`, `zstd`, and chains such as
//! `gzip, br`), and capped at [`BODY_CAP`] bytes *decoded*, so that a decompression bomb
//! stops at the cap after reading only the few wire bytes the cap took.
//!
//! Memory per body is bounded by the cap and by each coding's window: 32 KiB for gzip and
//! deflate, at most 16 MiB for br (the format's largest), at most 8 MiB for zstd (refused
//! beyond, [`ZSTD_WINDOW_LOG_MAX`]).
//!
//! The decoding is ours rather than reqwest's (its `gzip`, `brotli`… features): reqwest
//! would add `Accept-Encoding` to every request, undo one coding only, and hide how many
//! bytes crossed the network. Here both counts are kept: what was decoded (`read`) and what
//! was received (`wire`).

use std::io::{self, Cursor};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use async_compression::tokio::bufread::{
    BrotliDecoder, DeflateDecoder, GzipDecoder, ZlibDecoder, ZstdDecoder,
};
use bytes::{Buf, Bytes};
use http_body::Body as _;
use reqwest::header::{CONTENT_ENCODING, HeaderMap};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader, ReadBuf};
use tokio::time::Instant;

/// Bytes of body (after content decoding) kept and judged; the rest is never read.
pub(super) const BODY_CAP: usize = 1 << 20;
/// Codings undone in one body at most, as curl allows (since CVE-2022-32206): each is a
/// decoder's buffers, and a longer chain is an attack or a mistake, not a page.
const MAX_CODINGS: usize = 5;
/// The zstd window (2^23 = 8 MiB) an HTTP recipient must accept (RFC 9659); a frame that
/// asks for more is refused instead of allocated.
const ZSTD_WINDOW_LOG_MAX: u32 = 23;
/// How much is read (and decoded) at a time.
const STEP: usize = 16 * 1024;

/// A content coding netaccept undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    Gzip,
    /// zlib-wrapped, as RFC 9110 defines it; raw deflate (what some servers send) too.
    Deflate,
    Br,
    Zstd,
}

/// What a response's `Content-Encoding` asks of the reader.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Codings {
    /// The codings as declared (lower case, `, `-separated), when any other than
    /// `identity` is: a measurement, since the server's word is evidence too.
    pub(super) declared: Option<String>,
    /// The codings to undo, in the order the server applied them. Empty when there are
    /// none, and when one is unknown or there are too many: the body is then judged as
    /// sent, as browsers show a body in a coding they do not know.
    pub(super) decode: Vec<Coding>,
}

/// The codings of every `Content-Encoding` field of `headers`, in order.
pub(super) fn codings(headers: &HeaderMap) -> Codings {
    let mut names = Vec::new();
    for v in headers.get_all(CONTENT_ENCODING) {
        // The header's bytes, made safe to show: a name with control characters is no coding.
        let text = crate::probe::evidence_text(v.as_bytes(), 256);
        names.extend(
            text.split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty() && t != "identity"),
        );
    }
    if names.is_empty() {
        return Codings::default();
    }
    let known: Option<Vec<Coding>> = names
        .iter()
        .map(|n| match n.as_str() {
            // RFC 9110 §8.4.1.3: x-gzip is gzip.
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Deflate),
            "br" => Some(Coding::Br),
            "zstd" => Some(Coding::Zstd),
            _ => None,
        })
        .collect();
    Codings {
        declared: Some(names.join(", ")),
        decode: known.filter(|k| k.len() <= MAX_CODINGS).unwrap_or_default(),
    }
}

/// What was read of a body.
#[derive(Debug, Default)]
pub(super) struct Body {
    /// The first bytes of the decoded body, at most the `keep` asked for.
    pub(super) bytes: Vec<u8>,
    /// Decoded bytes read, at most [`BODY_CAP`].
    pub(super) read: usize,
    /// Body bytes received from the network (the coded form).
    pub(super) wire: u64,
    /// The body went on past [`BODY_CAP`] decoded bytes.
    pub(super) truncated: bool,
}

/// How the reading ended.
#[derive(Debug)]
pub(super) enum End {
    /// The whole body, or its first [`BODY_CAP`] bytes.
    Complete,
    /// The connection failed before the body was whole.
    Cut(reqwest::Error),
    /// The deadline came first.
    Late,
    /// The bytes are not what their declared coding says (or stop in the middle of it).
    Undecodable(io::Error),
}

/// Reads `resp`'s body, undoing `codings`, until its end, [`BODY_CAP`] decoded bytes, an
/// error or `stop_at`; keeps the first `keep` decoded bytes. What was read is returned in
/// every case, so that a failure can show it.
pub(super) async fn read(
    resp: reqwest::Response,
    codings: &[Coding],
    keep: usize,
    stop_at: Instant,
) -> (Body, End) {
    let hint = resp.content_length().map_or(8 * 1024, |n| n as usize);
    let mut wire = Wire {
        body: resp.into(),
        chunk: Bytes::new(),
        received: 0,
        error: None,
        done: false,
    };
    let mut got = Body {
        bytes: Vec::with_capacity(hint.min(keep)),
        ..Body::default()
    };
    let res = tokio::time::timeout_at(stop_at, fill(&mut wire, codings, keep, &mut got)).await;
    got.wire = wire.received;
    let end = match res {
        Err(_) => End::Late,
        Ok(Ok(())) => End::Complete,
        // A failure of the connection reaches us through the decoders as an `io::Error`;
        // the transport's own error is the one that says what happened.
        Ok(Err(e)) => match wire.error.take() {
            Some(cut) => End::Cut(cut),
            None => End::Undecodable(e),
        },
    };
    (got, end)
}

async fn fill(wire: &mut Wire, codings: &[Coding], keep: usize, got: &mut Body) -> io::Result<()> {
    // An empty body (HEAD, 204, 304) has nothing to decode, whatever the headers say.
    if codings.is_empty() || wire.fill_buf().await?.is_empty() {
        return copy(wire, keep, got).await;
    }
    {
        let mut src: Src<'_> = Box::new(&mut *wire);
        // The last coding applied is the first undone.
        for &c in codings.iter().rev() {
            src = Box::new(BufReader::with_capacity(STEP, decoder(c, src).await?));
        }
        copy(&mut src, keep, got).await?;
    }
    if !got.truncated {
        // Whatever follows the end of the coded stream (Chromium ignores it too) is read and
        // counted, so that the time covers the whole response.
        let mut left = BODY_CAP;
        while left > 0 {
            let n = wire.fill_buf().await?.len().min(left);
            if n == 0 {
                break;
            }
            wire.consume(n);
            left -= n;
        }
    }
    Ok(())
}

type Src<'a> = Box<dyn AsyncBufRead + Send + Unpin + 'a>;
type Decoded<'a> = Box<dyn AsyncRead + Send + Unpin + 'a>;

/// The decoder of `coding` reading from `src`. Each stops at the end of its first stream
/// (a gzip member, a zstd frame may be followed by more frames, which are read).
async fn decoder(coding: Coding, mut src: Src<'_>) -> io::Result<Decoded<'_>> {
    Ok(match coding {
        Coding::Gzip => Box::new(GzipDecoder::new(src)),
        Coding::Br => Box::new(BrotliDecoder::new(src)),
        Coding::Zstd => {
            let params = [async_compression::zstd::DParameter::window_log_max(
                ZSTD_WINDOW_LOG_MAX,
            )];
            let mut d = ZstdDecoder::with_params(src, &params);
            // RFC 8878: a zstd stream is any number of frames.
            d.multiple_members(true);
            Box::new(d)
        }
        Coding::Deflate => {
            // RFC 9110's deflate is zlib-wrapped; servers that send raw deflate (as old IIS
            // did) are read too, told apart by the zlib header as curl and browsers do.
            let mut head = Vec::with_capacity(2);
            while head.len() < 2 {
                let buf = src.fill_buf().await?;
                if buf.is_empty() {
                    break;
                }
                let n = buf.len().min(2 - head.len());
                head.extend_from_slice(&buf[..n]);
                src.consume(n);
            }
            let zlib = matches!(head[..], [cmf, flg] if is_zlib_header(cmf, flg));
            let src = AsyncReadExt::chain(Cursor::new(head), src);
            if zlib {
                Box::new(ZlibDecoder::new(src))
            } else {
                Box::new(DeflateDecoder::new(src))
            }
        }
    })
}

/// RFC 1950: method 8 (deflate) with a window of at most 32 KiB, and a check value that
/// makes the two bytes a multiple of 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// Reads decoded bytes into `got` until the end or the cap. Straight from the reader's own
/// buffer (the transport's chunks, or a decoder's output buffer): no scratch buffer per
/// body, which at a run's concurrency (256 checks in flight) added megabytes to its peak.
async fn copy(
    src: &mut (impl AsyncBufRead + Unpin),
    keep: usize,
    got: &mut Body,
) -> io::Result<()> {
    loop {
        let chunk = src.fill_buf().await?;
        let n = chunk.len();
        if n == 0 {
            return Ok(());
        }
        if got.read == BODY_CAP {
            // The cap was reached exactly; any further byte means the body was longer.
            got.truncated = true;
            return Ok(());
        }
        let take = n.min(BODY_CAP - got.read);
        if got.bytes.len() < keep {
            let room = keep - got.bytes.len();
            got.bytes.extend_from_slice(&chunk[..take.min(room)]);
        }
        got.read += take;
        src.consume(take);
        if take < n {
            got.truncated = true;
            return Ok(());
        }
    }
}

/// The response body as a byte stream that counts what it receives and keeps the
/// transport's error (the decoders above it only pass an `io::Error` on).
struct Wire {
    body: reqwest::Body,
    chunk: Bytes,
    received: u64,
    error: Option<reqwest::Error>,
    done: bool,
}

impl AsyncBufRead for Wire {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while this.chunk.is_empty() && !this.done {
            match ready!(Pin::new(&mut this.body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers carry no body bytes.
                    if let Ok(data) = frame.into_data() {
                        this.received += data.len() as u64;
                        this.chunk = data;
                    }
                }
                Some(Err(e)) => {
                    this.error = Some(e);
                    this.done = true;
                    return Poll::Ready(Err(io::Error::other("the body was cut off")));
                }
                None => this.done = true,
            }
        }
        Poll::Ready(Ok(&this.chunk))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().chunk.advance(amt);
    }
}

impl AsyncRead for Wire {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let avail = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = avail.len().min(buf.remaining());
        buf.put_slice(&avail[..n]);
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn of(values: &[&str]) -> Codings {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(CONTENT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        codings(&h)
    }

    #[test]
    fn codings_are_read_in_order_across_fields() {
        assert_eq!(of(&[]), Codings::default());
        assert_eq!(of(&["identity"]), Codings::default());
        let c = of(&["gzip, BR", "zstd"]);
        assert_eq!(c.declared.as_deref(), Some("gzip, br, zstd"));
        assert_eq!(c.decode, [Coding::Gzip, Coding::Br, Coding::Zstd]);
        assert_eq!(of(&["x-gzip"]).decode, [Coding::Gzip]);
        assert_eq!(of(&["deflate , identity"]).decode, [Coding::Deflate]);
    }

    #[test]
    fn an_unknown_coding_or_too_many_leave_the_body_as_sent() {
        let c = of(&["gzip, compress"]);
        assert_eq!(c.declared.as_deref(), Some("gzip, compress"));
        assert!(c.decode.is_empty());
        assert!(of(&["gzip, gzip, gzip, gzip, gzip"]).decode.len() == 5);
        assert!(
            of(&["gzip, gzip, gzip, gzip, gzip, gzip"])
                .decode
                .is_empty()
        );
    }

    #[test]
    fn zlib_headers_are_told_from_raw_deflate() {
        // What zlib writes at levels 1, 6 and 9.
        assert!(is_zlib_header(0x78, 0x01));
        assert!(is_zlib_header(0x78, 0x9c));
        assert!(is_zlib_header(0x78, 0xda));
        // A raw deflate stream of fixed Huffman codes starts 0x4b or 0xcb, stored 0x01.
        assert!(!is_zlib_header(0xcb, 0x48));
        assert!(!is_zlib_header(0x01, 0x05));
    }
}
