//! A routed chain of network namespaces, the hierarchy the link-quality checks measure
//! (root only):
//!
//! ```text
//!  probe ──l1── prov ──l2── pref ──l3── county ──l4── host
//!  .1.1      .1.2  .2.1  .2.2  .3.1   .3.2  .4.1   .4.2
//!    └─────────────l5 (bypass)──────┘
//!  .5.1                       .5.2
//! ```
//!
//! Every address is in 198.18.0.0/15: link `lN` is `198.18.N.0/24`, its left end `.1`, its
//! right end `.2`. `probe` is the national centre where netaccept runs; `prov`, `pref` and
//! `county` are routers (forwarding on) standing for the provincial, prefectural and county
//! bureaus; `host` is a county host behind the county router. Each router's own address is
//! its left-facing one (`Chain::PROV` = 198.18.1.2, …), which is also the source of the ICMP
//! errors it sends back to the probe, so a trace from `probe` to `HOST` reads
//! `PROV, PREF, COUNTY, HOST`. The `probe` namespace has no default route: traffic to any
//! address outside the chain cannot leave it.
//!
//! The routers answer with ICMP errors at any rate (`icmp_ratelimit` 0): Linux limits
//! them per destination by default, which would make a trace's hops go silent at random.
//! `l5` joins `probe` to `pref` directly; [`Chain::bypass_provincial`] sends the traffic
//! for the prefecture and below over it, as a route changed by mistake would.
//!
//! Namespaces and their interfaces are deleted by name when the `Chain` drops, pass or
//! fail, and the processes started in them are killed.

#![allow(dead_code, reason = "each test binary uses a part of it")]

use std::process::{Child, Command, Stdio};

use super::net::{nft, sh};

/// A namespace of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Probe,
    Prov,
    Pref,
    County,
    Host,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Probe,
        Role::Prov,
        Role::Pref,
        Role::County,
        Role::Host,
    ];

    fn short(self) -> &'static str {
        match self {
            Role::Probe => "probe",
            Role::Prov => "prov",
            Role::Pref => "pref",
            Role::County => "county",
            Role::Host => "host",
        }
    }
}

/// A link of the chain: its number `N` (subnet `198.18.N.0/24`) and its two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// probe – prov
    L1,
    /// prov – pref
    L2,
    /// pref – county
    L3,
    /// county – host
    L4,
    /// probe – pref (the bypass)
    L5,
}

impl Link {
    pub const ALL: [Link; 5] = [Link::L1, Link::L2, Link::L3, Link::L4, Link::L5];

    pub fn number(self) -> u8 {
        match self {
            Link::L1 => 1,
            Link::L2 => 2,
            Link::L3 => 3,
            Link::L4 => 4,
            Link::L5 => 5,
        }
    }

    /// (left, right) ends.
    pub fn ends(self) -> (Role, Role) {
        match self {
            Link::L1 => (Role::Probe, Role::Prov),
            Link::L2 => (Role::Prov, Role::Pref),
            Link::L3 => (Role::Pref, Role::County),
            Link::L4 => (Role::County, Role::Host),
            Link::L5 => (Role::Probe, Role::Pref),
        }
    }
}

pub struct Chain {
    /// Unique to this process and test: namespace `na<tag>-<role>`, interface
    /// `n<tag><link><a|b>`.
    tag: String,
    children: Vec<Child>,
    made: Vec<String>,
}

impl Chain {
    /// The provincial router, as the probe reaches it.
    pub const PROV: &'static str = "198.18.1.2";
    /// The prefectural router.
    pub const PREF: &'static str = "198.18.2.2";
    /// The county router.
    pub const COUNTY: &'static str = "198.18.3.2";
    /// The county host behind the county router.
    pub const HOST: &'static str = "198.18.4.2";
    /// The prefectural router's address on the bypass link.
    pub const PREF_BYPASS: &'static str = "198.18.5.2";

    /// Builds the chain. `name` (at most 4 letters or digits) tells apart the chains of
    /// tests running at once in one process.
    pub fn new(name: &str) -> Chain {
        assert!(
            name.len() <= 4 && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "a chain's name is at most 4 letters or digits: {name}"
        );
        let tag = format!("{}{name}", std::process::id() % 100_000);
        let mut chain = Chain {
            tag,
            children: Vec::new(),
            made: Vec::new(),
        };
        for role in Role::ALL {
            let ns = chain.ns(role);
            // A namespace left by an earlier run killed before its clean-up.
            let _ = Command::new("ip")
                .args(["netns", "del", &ns])
                .stderr(Stdio::null())
                .status();
            sh(&["ip", "netns", "add", &ns]);
            chain.made.push(ns.clone());
            sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
            if matches!(role, Role::Prov | Role::Pref | Role::County) {
                chain.sysctl(role, "net.ipv4.ip_forward", "1");
                chain.sysctl(role, "net.ipv4.icmp_ratelimit", "0");
            }
        }
        for link in Link::ALL {
            let (l, r) = link.ends();
            let (a, b) = (chain.ifname(link, true), chain.ifname(link, false));
            let (nl, nr) = (chain.ns(l), chain.ns(r));
            sh(&[
                "ip", "-n", &nl, "link", "add", &a, "type", "veth", "peer", "name", &b, "netns",
                &nr,
            ]);
            let n = link.number();
            sh(&[
                "ip",
                "-n",
                &nl,
                "addr",
                "add",
                &format!("198.18.{n}.1/24"),
                "dev",
                &a,
            ]);
            sh(&[
                "ip",
                "-n",
                &nr,
                "addr",
                "add",
                &format!("198.18.{n}.2/24"),
                "dev",
                &b,
            ]);
            sh(&["ip", "-n", &nl, "link", "set", &a, "up"]);
            sh(&["ip", "-n", &nr, "link", "set", &b, "up"]);
        }
        // Routes: each subnet beyond a neighbour goes through it.
        let routes: [(Role, &[(&str, &str)]); 5] = [
            (
                Role::Probe,
                &[
                    ("198.18.2.0/24", "198.18.1.2"),
                    ("198.18.3.0/24", "198.18.1.2"),
                    ("198.18.4.0/24", "198.18.1.2"),
                ],
            ),
            (
                Role::Prov,
                &[
                    ("198.18.3.0/24", "198.18.2.2"),
                    ("198.18.4.0/24", "198.18.2.2"),
                    ("198.18.5.0/24", "198.18.1.1"),
                ],
            ),
            (
                Role::Pref,
                &[
                    ("198.18.1.0/24", "198.18.2.1"),
                    ("198.18.4.0/24", "198.18.3.2"),
                ],
            ),
            (
                Role::County,
                &[
                    ("198.18.1.0/24", "198.18.3.1"),
                    ("198.18.2.0/24", "198.18.3.1"),
                    ("198.18.5.0/24", "198.18.3.1"),
                ],
            ),
            (Role::Host, &[("default", "198.18.4.1")]),
        ];
        for (role, list) in routes {
            for (to, via) in list {
                chain.ip(role, &["route", "add", to, "via", via]);
            }
        }
        chain
    }

    /// The namespace's name, for `ip netns exec`.
    pub fn ns(&self, role: Role) -> String {
        format!("na{}-{}", self.tag, role.short())
    }

    /// The interface of `link` at its left end (`left`) or right end.
    pub fn ifname(&self, link: Link, left: bool) -> String {
        format!(
            "n{}l{}{}",
            self.tag,
            link.number(),
            if left { 'a' } else { 'b' }
        )
    }

    /// Runs `ip ARGS` inside the namespace; fails the test unless it succeeds.
    pub fn ip(&self, role: Role, args: &[&str]) {
        let ns = self.ns(role);
        let mut all = vec!["ip", "-n", ns.as_str()];
        all.extend_from_slice(args);
        sh(&all);
    }

    /// Sets a sysctl inside the namespace (`net.*` keys are per namespace).
    pub fn sysctl(&self, role: Role, key: &str, value: &str) {
        sh(&[
            "ip",
            "netns",
            "exec",
            &self.ns(role),
            "sysctl",
            "-q",
            "-w",
            &format!("{key}={value}"),
        ]);
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, role: Role, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns(role), program]);
        c
    }

    /// `netaccept run -i inv.yaml -s suite.yaml -o out --no-history` in `dir`, from the probe
    /// namespace, with `CI=true`; `prefix` is a program (and its arguments) that starts it,
    /// such as `setpriv` dropping privileges, or nothing.
    pub fn netaccept_run(&self, dir: &std::path::Path, prefix: &[&str]) -> std::process::Output {
        let bin = env!("CARGO_BIN_EXE_netaccept");
        let mut c = match prefix.split_first() {
            Some((program, args)) => {
                let mut c = self.command(Role::Probe, program);
                c.args(args).arg(bin);
                c
            }
            None => self.command(Role::Probe, bin),
        };
        c.args([
            "run",
            "-i",
            "inv.yaml",
            "-s",
            "suite.yaml",
            "-o",
            "out",
            "--no-history",
        ])
        .current_dir(dir)
        .env("CI", "true")
        .output()
        .expect("run netaccept")
    }

    /// Starts `program args` inside the namespace; it is killed when the chain drops.
    pub fn spawn(&mut self, role: Role, program: &str, args: &[&str]) -> &mut Child {
        let child = self
            .command(role, program)
            .args(args)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        self.children.push(child);
        self.children.last_mut().unwrap()
    }

    /// Loads an nftables ruleset inside the namespace.
    pub fn nft(&self, role: Role, ruleset: &str) {
        nft(&self.ns(role), ruleset);
    }

    /// Sets the MTU of both ends of `link`.
    pub fn set_mtu(&self, link: Link, mtu: u32) {
        let (l, r) = link.ends();
        let m = mtu.to_string();
        self.ip(l, &["link", "set", &self.ifname(link, true), "mtu", &m]);
        self.ip(r, &["link", "set", &self.ifname(link, false), "mtu", &m]);
    }

    /// The router drops the ICMP "fragmentation needed" errors it would send: a path-MTU
    /// black hole (RFC 2923) at its smaller link.
    pub fn drop_frag_needed(&self, router: Role) {
        self.nft(
            router,
            "table inet chain_blackhole {\n chain output { type filter hook output priority 0; policy accept;\n  icmp type destination-unreachable icmp code frag-needed drop\n }\n}\n",
        );
    }

    /// The router drops exactly one in every `n` echo requests it forwards (nftables
    /// `numgen inc`, deterministic).
    pub fn drop_one_echo_in(&self, router: Role, n: u32) {
        self.nft(
            router,
            &format!(
                "table inet chain_loss {{\n chain forward {{ type filter hook forward priority 0; policy accept;\n  icmp type echo-request numgen inc mod {n} == 0 drop\n }}\n}}\n"
            ),
        );
    }

    /// Limits both directions of `link` to `mbit` Mbit/s with a token bucket (`tc tbf`).
    pub fn rate_limit(&self, link: Link, mbit: u32) {
        let (l, r) = link.ends();
        for (role, left) in [(l, true), (r, false)] {
            let dev = self.ifname(link, left);
            self.ip_tc(
                role,
                &[
                    "qdisc",
                    "add",
                    "dev",
                    &dev,
                    "root",
                    "tbf",
                    "rate",
                    &format!("{mbit}mbit"),
                    "burst",
                    "32kb",
                    "latency",
                    "50ms",
                ],
            );
        }
    }

    fn ip_tc(&self, role: Role, args: &[&str]) {
        let ns = self.ns(role);
        let mut all = vec!["ip", "netns", "exec", ns.as_str(), "tc"];
        all.extend_from_slice(args);
        sh(&all);
    }

    /// Sends the probe's traffic for the prefecture and below over the bypass link `l5`,
    /// and the prefecture's answers back over it: the provincial router is off the path.
    pub fn bypass_provincial(&self) {
        for net in ["198.18.2.0/24", "198.18.3.0/24", "198.18.4.0/24"] {
            self.ip(Role::Probe, &["route", "replace", net, "via", "198.18.5.2"]);
        }
        self.ip(
            Role::Pref,
            &["route", "replace", "198.18.1.0/24", "via", "198.18.5.1"],
        );
        self.ip(
            Role::County,
            &["route", "replace", "198.18.1.0/24", "via", "198.18.3.1"],
        );
    }

    /// The chain's namespaces that still exist (for a test that checks its clean-up).
    pub fn names(&self) -> Vec<String> {
        self.made.clone()
    }

    /// The provincial router over IPv6 (after [`Chain::add_ipv6`]).
    pub const PROV6: &'static str = "2001:2:0:1::2";
    /// The prefectural router over IPv6.
    pub const PREF6: &'static str = "2001:2:0:2::2";
    /// The county router over IPv6.
    pub const COUNTY6: &'static str = "2001:2:0:3::2";
    /// The county host over IPv6.
    pub const HOST6: &'static str = "2001:2:0:4::2";

    /// Gives every link an IPv6 subnet as well, `2001:2:0:N::/64` in the benchmarking
    /// block (RFC 5180), left end `::1`, right end `::2` (no duplicate address detection,
    /// so they are usable at once), with the IPv4 chain's routes, forwarding on and ICMPv6
    /// errors unlimited on the routers: a trace from `probe` to `HOST6` reads
    /// `PROV6, PREF6, COUNTY6, HOST6`.
    pub fn add_ipv6(&self) {
        for role in [Role::Prov, Role::Pref, Role::County] {
            self.sysctl(role, "net.ipv6.conf.all.forwarding", "1");
            self.sysctl(role, "net.ipv6.icmp.ratelimit", "0");
        }
        for link in Link::ALL {
            let (l, r) = link.ends();
            let n = link.number();
            for (role, left, end) in [(l, true, 1), (r, false, 2)] {
                let dev = self.ifname(link, left);
                let addr = format!("2001:2:0:{n}::{end}/64");
                self.ip(role, &["-6", "addr", "add", &addr, "dev", &dev, "nodad"]);
            }
        }
        let routes: [(Role, &[(&str, &str)]); 5] = [
            (
                Role::Probe,
                &[
                    ("2001:2:0:2::/64", "2001:2:0:1::2"),
                    ("2001:2:0:3::/64", "2001:2:0:1::2"),
                    ("2001:2:0:4::/64", "2001:2:0:1::2"),
                ],
            ),
            (
                Role::Prov,
                &[
                    ("2001:2:0:3::/64", "2001:2:0:2::2"),
                    ("2001:2:0:4::/64", "2001:2:0:2::2"),
                    ("2001:2:0:5::/64", "2001:2:0:1::1"),
                ],
            ),
            (
                Role::Pref,
                &[
                    ("2001:2:0:1::/64", "2001:2:0:2::1"),
                    ("2001:2:0:4::/64", "2001:2:0:3::2"),
                ],
            ),
            (
                Role::County,
                &[
                    ("2001:2:0:1::/64", "2001:2:0:3::1"),
                    ("2001:2:0:2::/64", "2001:2:0:3::1"),
                    ("2001:2:0:5::/64", "2001:2:0:3::1"),
                ],
            ),
            (Role::Host, &[("default", "2001:2:0:4::1")]),
        ];
        for (role, list) in routes {
            for (to, via) in list {
                self.ip(role, &["-6", "route", "add", to, "via", via]);
            }
        }
        // The link-local addresses the interfaces got when they came up are tentative for a
        // second or two (duplicate address detection); until then a router cannot resolve
        // its neighbours, and forwarded packets vanish (found by a trace whose hops past
        // the first stayed silent). Wait until none is.
        for _ in 0..100 {
            let tentative = Role::ALL.iter().any(|&role| {
                let out = Command::new("ip")
                    .args(["-n", &self.ns(role), "-6", "addr", "show", "tentative"])
                    .output()
                    .expect("ip");
                !out.stdout.is_empty()
            });
            if !tentative {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("IPv6 addresses still tentative after 10 s");
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in &self.made {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
    }
}
