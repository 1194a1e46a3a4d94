//! A minimal loopback target for `scripts/bench-probes`: listens on `COUNT` addresses
//! `127.B.(i / 250).(i % 250 + 1)` on `PORT` (the scheme the script's inventories use), and
//! answers every HTTP/1.1 request with
//! `200 {"status":"UP"}`, keeping connections open. Hand-written on purpose: it shares no
//! code with the probers it is used to measure.
//!
//! Usage: `bench_server B COUNT PORT` (e.g. `20 2000 8080`); prints `ready` when every
//! listener is bound.

use std::net::Ipv4Addr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"status\":\"UP\"}";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let b: u8 = args.get(1).and_then(|s| s.parse().ok()).expect("B");
    let count: u32 = args.get(2).and_then(|s| s.parse().ok()).expect("COUNT");
    let port: u16 = args.get(3).and_then(|s| s.parse().ok()).expect("PORT");
    for i in 0..count {
        let ip = Ipv4Addr::new(127, b, (i / 250) as u8, (i % 250 + 1) as u8);
        let listener = TcpListener::bind((ip, port)).await.expect("bind");
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut have = 0;
                    loop {
                        match s.read(&mut buf[have..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => have += n,
                        }
                        // Answer each complete request head; bodies are not expected.
                        while let Some(end) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n")
                        {
                            if s.write_all(RESPONSE).await.is_err() {
                                return;
                            }
                            buf.copy_within(end + 4..have, 0);
                            have -= end + 4;
                        }
                        if have == buf.len() {
                            return;
                        }
                    }
                });
            }
        });
    }
    println!("ready");
    std::future::pending::<()>().await;
}
