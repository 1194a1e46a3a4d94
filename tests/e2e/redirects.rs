//! The `redirects:` policy of `http` checks, from the suite file to the record: `none`,
//! `same-host` (the default) and `any`, against servers on two loopback addresses
//! (127.0.0.1 and 127.0.0.2 are both local), with the URL that answered recorded as
//! `final_url` and a refused redirect failing as `RedirectRefused`, naming where it pointed.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};

fn netaccept(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netaccept"))
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .output()
        .expect("run netaccept")
}

/// An HTTP/1.1 server on `ip`: `route` makes (status line, extra headers, body) of a path.
fn serve(
    ip: &str,
    route: impl Fn(&str) -> (String, String, String) + Send + Clone + 'static,
) -> SocketAddr {
    let l = TcpListener::bind((ip, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let route = route.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut w = s;
                let mut request = String::new();
                let _ = r.read_line(&mut request);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, headers, body) = route(&path);
                let _ = write!(
                    w,
                    "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    addr
}

fn ok(body: &str) -> (String, String, String) {
    ("200 OK".into(), String::new(), body.into())
}

fn found(to: &str) -> (String, String, String) {
    (
        "302 Found".into(),
        format!("location: {to}\r\n"),
        String::new(),
    )
}

#[test]
fn redirect_policies_none_same_host_and_any() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let other_host = serve("127.0.0.2", |_| ok("from the other host"));
    let other_port = serve("127.0.0.1", |_| ok("from the other port"));
    let first = serve("127.0.0.1", move |path| match path {
        "/to-other-host" => found(&format!("http://{other_host}/ok")),
        "/to-other-port" => found(&format!("http://{other_port}/ok")),
        "/to-self" => found("/ok"),
        _ => ok("from the first"),
    });
    std::fs::write(
        dir.join("inv.yaml"),
        format!("nodes:\n  - {{ id: c, name: 中心, level: national, vars: {{ web: \"http://{first}\" }} }}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("suite.yaml"),
        r#"suite: r
name: 重定向
checks:
  - { id: default.other-host, name: a, http: { url: "{{ node.vars.web }}/to-other-host" } }
  - { id: default.other-port, name: b, http: { url: "{{ node.vars.web }}/to-other-port", expect: { body_contains: [other port] } } }
  - { id: same.self, name: c, http: { url: "{{ node.vars.web }}/to-self", redirects: same-host } }
  - { id: any.other-host, name: d, http: { url: "{{ node.vars.web }}/to-other-host", redirects: any, expect: { body_contains: [other host] } } }
  - { id: none.self, name: e, http: { url: "{{ node.vars.web }}/to-self", redirects: none } }
  - { id: followed.fails, name: g, http: { url: "{{ node.vars.web }}/to-other-port", expect: { body_contains: [absent] } } }
  - { id: none.wanted, name: f, http: { url: "{{ node.vars.web }}/to-self", redirects: none, expect: { status: [302] } } }
"#,
    )
    .unwrap();
    let out = netaccept(
        &["run", "-i", "inv.yaml", "-s", "suite.yaml", "-o", "out"],
        dir,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
    let get = |check: &str| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["check"] == check)
            .unwrap_or_else(|| panic!("no {check}: {r}"))
            .clone()
    };

    // The default refuses another host's answer, and says where the redirect pointed.
    let x = get("default.other-host");
    assert_eq!(x["status"], "failed", "{x}");
    assert_eq!(x["kind"], "RedirectRefused", "{x}");
    let to = format!("http://{other_host}/ok");
    assert!(x["message"].as_str().unwrap().contains(&to), "{x}");
    assert!(x["message"].as_str().unwrap().contains("same-host"), "{x}");
    assert_eq!(x["measured"], to, "{x}");
    assert_eq!(x["measurements"]["redirects"], 0, "{x}");
    assert_eq!(x["measurements"]["status"], 302, "{x}");

    // Another port of the same host is the same node.
    let x = get("default.other-port");
    assert_eq!(x["status"], "passed", "{x}");
    assert_eq!(x["measurements"]["redirects"], 1);
    assert_eq!(
        x["measurements"]["final_url"],
        format!("http://{other_port}/ok")
    );

    let x = get("same.self");
    assert_eq!(x["status"], "passed", "{x}");
    assert_eq!(x["measurements"]["final_url"], format!("http://{first}/ok"));

    // `any` follows it, and the record says whose answer was judged.
    let x = get("any.other-host");
    assert_eq!(x["status"], "passed", "{x}");
    assert_eq!(x["measurements"]["redirects"], 1);
    assert_eq!(x["measurements"]["final_url"], to);

    // `none` refuses even a redirect to the same place...
    let x = get("none.self");
    assert_eq!(x["kind"], "RedirectRefused", "{x}");
    assert!(
        x["message"].as_str().unwrap().contains("redirects: none"),
        "{x}"
    );
    assert_eq!(x["measured"], format!("http://{first}/ok"), "{x}");
    // ...unless the suite expects that very status: the redirect is then the answer.
    let x = get("none.wanted");
    assert_eq!(x["status"], "passed", "{x}");
    assert_eq!(x["measurements"]["status"], 302);
    assert_eq!(x["measurements"]["redirects"], 0);
    assert!(x["measurements"].get("final_url").is_none(), "{x}");

    // A failure after a redirect names the URL whose answer failed.
    let x = get("followed.fails");
    assert_eq!(x["kind"], "BodyMismatch", "{x}");
    let at = format!("http://{other_port}/ok");
    assert!(x["message"].as_str().unwrap().contains(&at), "{x}");

    // JUnit carries the new word as the failure's type.
    let text = std::fs::read_to_string(dir.join("out/junit.xml")).unwrap();
    assert!(text.contains("type=\"RedirectRefused\""), "{text}");
}
