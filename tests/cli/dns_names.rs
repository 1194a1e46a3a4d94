//! Every legal DNS name and every well-formed expectation loads, validates and plans: names
//! follow DNS rules, not hostname rules (underscores, RFC 2317's `/`, an `xn--` label that
//! is not punycode), Unicode names with any of the four full stops and full-width letters,
//! templated names and expectations that fill to legal values, and an address as a PTR
//! name. The refusals are the golden cases `tests/fixtures/invalid/130-…` to `146-…`.

use crate::netaccept_in;

const INVENTORY: &str = "nodes:
  - id: national
    name: 国家安全生产监督管理总局
    level: national
    host: 127.0.0.1
    vars: { zone: 应急管理部, web: 10.11.0.80 }
  - id: he
    name: 河北省安全生产监督管理局
    level: provincial
    parent: national
    region: \"130000\"
    host: 127.0.1.1
    vars: { zone: _dmarc.he, web: 10.13.0.80 }
";

/// One check per name or expectation: the name, the type, and the expectations.
const CASES: &[(&str, &str, &str)] = &[
    ("under_score.aq.gov.test", "A", "[\"10.11.0.80\"]"),
    (
        "5.0/25.100.51.198.in-addr.arpa",
        "PTR",
        "[\"web.aq.gov.test\"]",
    ),
    ("xn--zz.aq.gov.test", "A", "[]"),
    ("应急管理部。aq.gov.test", "A", "[\"10.11.0.80\"]"),
    ("应急管理部．aq.gov.test", "A", "[]"),
    ("应急管理部｡aq｡gov｡test｡", "A", "[]"),
    (
        "ＡＱ.gov.test",
        "NS",
        "[\"ns1.ＡＱ.gov.test\", \"应急管理部。aq.gov.test.\"]",
    ),
    ("a\\.b\\032c.aq.gov.test.", "A", "[]"),
    ("198.51.100.5", "PTR", "[\"web.aq.gov.test\"]"),
    ("2001:db8::5", "PTR", "[]"),
    (
        "{{ node.vars.zone }}.aq.gov.test",
        "A",
        "[\"{{ node.vars.web }}\"]",
    ),
    (
        "aq.gov.test",
        "MX",
        "[\"10 mail.aq.gov.test\", \"mail.aq.gov.test\", \"0 .\"]",
    ),
    (
        "_https._tcp.aq.gov.test",
        "SRV",
        "[\"0 5 443 web.aq.gov.test\", \"0 0 0 .\"]",
    ),
    (
        "aq.gov.test",
        "TXT",
        "[\"v=spf1 -all\", 'a\\009b \\\\ \\255']",
    ),
    ("aq.gov.test", "SOA", "[\"2026120301\"]"),
    (
        "aq.gov.test",
        "CAA",
        "['0 issue \"ca.aq.gov.test\"', \"0 iodef mailto:x@aq.gov.test\"]",
    ),
    ("aq.gov.test", "AAAA", "[\"2001:DB8:0::80\"]"),
    ("aq.gov.test", "DNSKEY", "[]"),
];

#[test]
fn legal_names_and_expectations_load_validate_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut suite = String::from("suite: names\nname: 合法域名\nchecks:\n");
    for (i, (name, t, expect)) in CASES.iter().enumerate() {
        suite.push_str(&format!(
            "  - id: dns.c{i}\n    name: c{i}\n    dns: {{ name: '{}', server: \"127.0.0.53:53\", type: {t}, expect: {expect} }}\n",
            name.replace('\'', "''")
        ));
    }
    std::fs::write(dir.path().join("inventory.yaml"), INVENTORY).unwrap();
    std::fs::write(dir.path().join("suite.yaml"), &suite).unwrap();
    for cmd in ["validate", "plan"] {
        let out = netaccept_in(
            dir.path(),
            &[cmd, "-i", "inventory.yaml", "-s", "suite.yaml"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{cmd}:\n{stderr}\n{suite}");
        if cmd == "plan" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            // One item per check and node: every check was planned on both nodes.
            assert!(
                stdout.contains(&format!("{} items on 2 nodes", CASES.len() * 2)),
                "{stdout}"
            );
            assert!(
                stdout.contains("A 应急管理部.aq.gov.test @127.0.0.53:53"),
                "{stdout}"
            );
        }
    }
}
