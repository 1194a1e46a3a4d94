//! One connection's requests, served in order: the faults that decide whether to answer at
//! all, the body read and discarded, the answer written; and the error answers that end a
//! connection.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::answer::{JSON, answer, json_str};
use super::framing::{HeadError, READ_CHUNK, discard, drain, read_head};
use super::request::{Method, parse_head};
use super::response::{reason, write_response};
use super::routes::Shared;

/// How long an error response (400, 411, 431, 505) waits for the client to stop sending
/// before the connection is dropped (a close with unread data would reset the connection
/// and could destroy the response before the client reads it).
const LINGER: Duration = Duration::from_secs(2);

/// Serves the requests of one connection, in order.
pub(super) async fn session<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, shared: &Shared) {
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let head_len = match read_head(&mut io, &mut buf).await {
            Ok(n) => n,
            Err(HeadError::Closed) => return,
            Err(HeadError::TooLarge) => {
                return reject(&mut io, &mut out, 431, "Request Header Fields Too Large").await;
            }
        };
        let parsed = parse_head(&buf[..head_len]);
        buf.drain(..head_len);
        let req = match parsed {
            Ok(req) => req,
            Err(status) => return reject(&mut io, &mut out, status, reason(status)).await,
        };
        if req.transfer_encoding {
            return reject(&mut io, &mut out, 411, "Length Required").await;
        }

        let route = shared.route(&req.path);
        if let Some(r) = route {
            if r.ep.behaviour.down {
                return;
            }
            if r.ep.behaviour.silent {
                return drain(&mut io, &mut buf).await;
            }
        }
        if req.content_length > 0 {
            if req.expect_continue
                && (io
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await
                    .is_err()
                    || io.flush().await.is_err())
            {
                return;
            }
            if !discard(&mut io, &mut buf, req.content_length).await {
                return;
            }
        }
        if let Some(delay) = route.and_then(|r| r.ep.behaviour.slow) {
            tokio::time::sleep(delay).await;
        }

        let answer = answer(route, &req);
        out.clear();
        write_response(
            &mut out,
            answer.status,
            answer.content_type,
            answer.body.as_bytes(),
            req.method == Method::Head,
            req.keep_alive,
        );
        if io.write_all(&out).await.is_err() || io.flush().await.is_err() {
            return;
        }
        if !req.keep_alive {
            let _ = io.shutdown().await;
            return;
        }
    }
}

/// Answers an error, closes the write side, and waits a little for the client to stop
/// sending before the connection is dropped.
async fn reject<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    out: &mut Vec<u8>,
    status: u16,
    error: &str,
) {
    let body = format!("{{\"status\":{status},\"error\":{}}}", json_str(error));
    out.clear();
    write_response(out, status, JSON, body.as_bytes(), false, false);
    if io.write_all(out).await.is_err() || io.flush().await.is_err() {
        return;
    }
    let _ = io.shutdown().await;
    let _ = tokio::time::timeout(LINGER, drain(io, &mut Vec::new())).await;
}
