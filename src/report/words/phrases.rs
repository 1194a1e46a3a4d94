//! The expected and measured values the probers write (`expected`, `measured` in a
//! record), in Chinese: each form the probers produce is a pattern here, its values (numbers,
//! quoted text, status codes, names, durations) carried over as they are, only the words
//! around them translated. `connect ≤ 2s` becomes `连接耗时 ≤ 2 秒`, `an answer within 5s`
//! becomes `5 秒内应答`.
//!
//! The English the probers write is the record's (results.json keeps it): English reports
//! show it as written. A value that matches no form is a value (an address, a URL, a list of
//! DNS answers, a JSON value) and is shown as written in both languages.
//!
//! The forms are listed as the probers write them, `{}` for a value. A prober that gains a
//! form must add it here: `every_expected_literal_in_the_probers_is_a_form` reads the
//! probers' sources for the literals they pass to `Failure::expected` and fails on one that
//! no form translates.

use crate::outcome::FailKind;

/// One form: the English pattern (`{}` for each value) and the Chinese with the values in
/// the same order.
type Form = (&'static str, &'static str);

/// Expected values, most specific first.
pub const EXPECTED: &[Form] = &[
    // HTTP
    ("status < {}", "状态码 < {}"),
    ("status in {}", "状态码为 {} 之一"),
    ("body contains {}", "正文包含 {}"),
    ("body matches {}", "正文符合 JSON 模式 {}"),
    ("a JSON body", "JSON 格式的正文"),
    ("certificate valid ≥ {} days", "证书有效期 ≥ {} 天"),
    ("response ≤ {}", "应答时间 ≤ {}"),
    ("redirects: {}", "按 redirects: {} 规则处理重定向"),
    ("at most {} redirects", "至多 {} 次重定向"),
    (
        "the whole response before the timeout",
        "在时限内收到完整应答",
    ),
    ("a body in {}", "以 {} 编码的正文"),
    ("a TLS handshake", "完成 TLS 握手"),
    ("an HTTP response", "HTTP 应答"),
    ("TLSv{} or later", "TLSv{} 或更高版本"),
    ("the client certificate accepted", "客户端证书被接受"),
    ("a certificate that verifies", "可通过验证的证书"),
    ("HTTPS", "HTTPS（加密连接）"),
    // JSON expectations (`$.path …`) and header expectations share these.
    ("{} exists: true", "{} 存在"),
    ("{} exists: false", "{} 不存在"),
    ("{} matches {}", "{} 匹配 {}"),
    ("{} contains {}", "{} 包含 {}"),
    ("{} count {}", "{} 的元素个数 {}"),
    // TCP
    ("connect ≤ {}", "连接耗时 ≤ {}"),
    ("a listening port", "端口有服务监听"),
    // DNS
    ("rcode {}", "应答码 {}"),
    ("an authoritative answer", "权威应答"),
    ("an RRSIG", "RRSIG 签名"),
    ("a DNS answer", "DNS 应答"),
    ("an answer over TCP within {}", "{}内经 TCP 应答"),
    ("an answer within {}", "{}内应答"),
    ("any of {}", "{} 中的任意一条"),
    ("at least one {} answer", "至少一条 {} 记录"),
    ("{} (missing {})", "{}（缺少 {}）"),
    ("the zone's SOA serial", "区域的 SOA 序列号"),
    ("serial {} on every server", "每台服务器的序列号均为 {}"),
    (
        "the reference's answers {} on every server",
        "每台服务器的应答均与参照服务器相同：{}",
    ),
    // ICMP
    ("echo replies", "回显应答"),
    ("loss ≤ {}", "丢包率 ≤ {}"),
    ("at least one reply", "至少一个应答"),
    ("average rtt ≤ {}", "平均往返时间 ≤ {}"),
    // Throughput
    ("throughput ≥ {} Mbit/s", "吞吐量 ≥ {} 兆比特/秒"),
    ("an iperf3 test", "完成 iperf3 测试"),
    ("p95 rtt ≤ {}", "往返时间第 95 百分位 ≤ {}"),
    ("ipdv ≤ {}", "时延变化（IPDV）≤ {}"),
    ("jitter ≤ {}", "抖动 ≤ {}"),
    // Path (trace, MTU)
    ("{} reached within {} hops", "{} 在 {} 跳内可达"),
    ("via {}", "依次经过 {}"),
    ("path MTU ≥ {}", "路径 MTU ≥ {}"),
    ("fragmentation needed reported", "路由器报告“需要分片”"),
];

/// Header expectations (`Name: value`), read only for a `HeaderMismatch`: elsewhere a colon
/// is part of a value.
pub const EXPECTED_HEADER: &[Form] = &[("{}: {}", "{} 为 {}")];

/// Measured values, most specific first.
pub const MEASURED: &[Form] = &[
    // HTTP
    ("more than {}", "超过 {} 次"),
    // Path MTU, before the bytes of a body
    ("silence above {} bytes", "超过 {} 字节的包无声消失"),
    ("{} bytes", "{} 字节"),
    ("undecodable", "无法解码"),
    ("unreadable", "无法读取"),
    ("no value", "无此值"),
    ("1 element", "1 个元素"),
    ("{} elements", "{} 个元素"),
    ("1 error", "1 处错误"),
    ("{}+ errors", "{}+ 处错误"),
    ("{} errors", "{} 处错误"),
    ("absent", "不存在"),
    ("not JSON", "不是 JSON"),
    ("{} days", "{} 天"),
    ("{} ms", "{} 毫秒"),
    ("TLS handshake failed", "TLS 握手失败"),
    ("plain HTTP", "明文 HTTP"),
    ("not a valid HTTP exchange", "不是有效的 HTTP 交互"),
    (
        "no protocol version or cipher suite in common",
        "没有共同的协议版本或密码套件",
    ),
    ("refused ({})", "被拒绝（{}）"),
    // TCP, HTTP and DNS transports
    ("connection refused", "连接被拒绝"),
    ("connection reset", "连接被重置"),
    ("connection closed before the answer", "应答前连接被关闭"),
    ("connection closed", "连接被关闭"),
    ("connect timed out", "连接超时"),
    ("connect failed", "连接失败"),
    ("port unreachable", "端口不可达"),
    ("unreachable", "不可达"),
    ("timed out", "超时"),
    ("refused", "被拒绝"),
    ("failed", "失败"),
    ("not iperf3", "不是 iperf3 协议"),
    ("{} Mbit/s", "{} 兆比特/秒"),
    // DNS
    ("no answers", "无应答记录"),
    ("referral to {}", "转介至 {}"),
    ("not DNS", "不是 DNS 应答"),
    ("no SOA", "没有 SOA 记录"),
    // Trace
    ("last answered {}", "最后应答的是 {}"),
    ("no hop answered", "没有一跳应答"),
    // Timeouts and absent signatures
    ("none", "无"),
];

/// What a certificate finding's code (the measured value of `a certificate that verifies`)
/// means.
pub const FINDING_CODES: &[Form] = &[
    ("expired", "证书已过期"),
    ("not_yet_valid", "证书尚未生效"),
    ("expiring", "证书即将过期"),
    ("missing_intermediate", "缺少中间证书"),
    ("unknown_issuer", "签发者不受信任"),
    ("self_signed", "自签名证书"),
    ("name_mismatch", "证书与主机名不符"),
    ("cn_only", "主机名只在 CN 中，没有 SAN"),
    ("weak_signature", "签名算法过弱"),
    ("weak_key", "密钥过短"),
    ("name_constraints", "违反名称约束"),
    ("wrong_purpose", "证书用途不符"),
    ("bad_signature", "签名无效"),
    ("intermediate_not_sent", "服务器未发送中间证书"),
    ("ca_bundle_intermediate", "中间证书仅在 CA 文件中"),
    ("legacy_protocol", "过时的 TLS 协议"),
    ("no_common_suite", "没有共同的密码套件"),
    ("client_cert_required", "要求客户端证书"),
    ("client_cert_rejected", "客户端证书被拒绝"),
    ("other", "其他证书问题"),
];

/// The values of `s` where it has the form `pattern`, in order; `None` if it has not.
/// A value is never empty, and each literal after a value is its first occurrence after it.
pub fn parse<'s>(pattern: &str, s: &'s str) -> Option<Vec<&'s str>> {
    let mut parts = pattern.split("{}");
    let mut rest = s.strip_prefix(parts.next().unwrap_or(""))?;
    let literals: Vec<&str> = parts.collect();
    if literals.is_empty() {
        return rest.is_empty().then(Vec::new);
    }
    let mut values = Vec::with_capacity(literals.len());
    for (i, lit) in literals.iter().enumerate() {
        let at = if i + 1 == literals.len() {
            // The last literal closes the text.
            rest.strip_suffix(lit)?.len()
        } else {
            // A value is never empty: the literal is looked for after its first character.
            let first = rest.chars().next()?.len_utf8();
            if lit.is_empty() {
                return None;
            }
            rest[first..].find(lit)? + first
        };
        let value = &rest[..at];
        if value.is_empty() {
            return None;
        }
        values.push(value);
        rest = &rest[at + lit.len()..];
    }
    Some(values)
}

/// `template` with each `{}` replaced by the next of `values`, durations in words.
fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or(""));
    for (part, value) in parts.zip(values) {
        out.push_str(&duration(value));
        out.push_str(part);
    }
    out
}

/// The first form of `forms` that `s` has, translated.
fn translate(forms: &[Form], s: &str) -> Option<String> {
    forms
        .iter()
        .find_map(|(en, zh)| parse(en, s).map(|values| fill(zh, &values)))
}

/// A duration as the model writes it (`2s`, `500ms`, `1m`, `1.5ms`) in Chinese units; any
/// other value as it is.
pub fn duration(v: &str) -> String {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'));
    let Some(at) = split.filter(|&at| at > 0) else {
        return v.to_string();
    };
    let (n, unit) = v.split_at(at);
    let unit = match unit {
        "ms" => "毫秒",
        "s" => "秒",
        "m" => "分钟",
        _ => return v.to_string(),
    };
    format!("{n} {unit}")
}

/// An expected value in Chinese (see the module's documentation).
pub fn expected_zh(kind: Option<&str>, s: &str) -> String {
    if kind == Some(FailKind::HeaderMismatch.as_str())
        && let Some(t) = translate(EXPECTED, s).or_else(|| translate(EXPECTED_HEADER, s))
    {
        return t;
    }
    let t = translate(EXPECTED, s).unwrap_or_else(|| s.to_string());
    // A count with several bounds: `count >= 1, count < 10`.
    t.replace(", count ", "，元素个数 ")
}

/// A measured value in Chinese (see the module's documentation); `expected` is the record's
/// expected value, which says what "none" is the absence of.
pub fn measured_zh(kind: Option<&str>, expected: Option<&str>, s: &str) -> String {
    let code = FINDING_CODES.iter().find(|(c, _)| *c == s);
    if expected == Some("a certificate that verifies")
        && let Some((_, zh)) = code
    {
        return (*zh).to_string();
    }
    if s == "none" && expected.is_some_and(|e| e.starts_with("an answer")) {
        return "无应答".to_string();
    }
    if kind == Some(FailKind::SerialMismatch.as_str()) {
        return same_answers_zh(s);
    }
    translate(MEASURED, s).unwrap_or_else(|| s.to_string())
}

/// The servers that differ under `same_answers`: `ns2 answers [a, b] (lacks c; has d
/// besides), …`, a list whose values (names, answers) may hold any character, so its few
/// words are replaced where they stand.
fn same_answers_zh(s: &str) -> String {
    static WORDS: std::sync::LazyLock<[(regex::Regex, &str); 4]> = std::sync::LazyLock::new(|| {
        let re = |p: &str| regex::Regex::new(p).expect("a valid pattern");
        [
            (
                re(r" \(lacks ([^()]*?); has ([^()]*?) besides\)"),
                "（缺少 $1；多出 $2）",
            ),
            (re(r" \(lacks ([^()]*?)\)"), "（缺少 $1）"),
            (re(r" \(has ([^()]*?) besides\)"), "（多出 $1）"),
            (re(r" answers (\[)"), " 应答 $1"),
        ]
    });
    let mut out = s.to_string();
    for (re, zh) in WORDS.iter() {
        out = re.replace_all(&out, *zh).into_owned();
    }
    out.replace(" more]", " 条]").replace("… ", "…另 ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each form as a prober writes it (values filled in) and what a reader sees.
    const EXAMPLES: &[(Option<&str>, &str, &str)] = &[
        (
            None,
            "198.18.4.2 reached within 30 hops",
            "198.18.4.2 在 30 跳内可达",
        ),
        (
            None,
            "via 198.18.1.0/24, 198.18.2.2",
            "依次经过 198.18.1.0/24, 198.18.2.2",
        ),
        (None, "path MTU ≥ 1400", "路径 MTU ≥ 1400"),
        (
            None,
            "fragmentation needed reported",
            "路由器报告“需要分片”",
        ),
        (None, "status < 400", "状态码 < 400"),
        (None, "status in [200, 204]", "状态码为 [200, 204] 之一"),
        (None, "body contains \"UP\"", "正文包含 \"UP\""),
        (
            None,
            "body matches health.json",
            "正文符合 JSON 模式 health.json",
        ),
        (None, "a JSON body", "JSON 格式的正文"),
        (None, "certificate valid ≥ 30 days", "证书有效期 ≥ 30 天"),
        (None, "response ≤ 2s", "应答时间 ≤ 2 秒"),
        (
            None,
            "redirects: same-origin",
            "按 redirects: same-origin 规则处理重定向",
        ),
        (None, "at most 10 redirects", "至多 10 次重定向"),
        (
            None,
            "the whole response before the timeout",
            "在时限内收到完整应答",
        ),
        (None, "a body in gzip", "以 gzip 编码的正文"),
        (None, "a TLS handshake", "完成 TLS 握手"),
        (None, "an HTTP response", "HTTP 应答"),
        (None, "TLSv1.2 or later", "TLSv1.2 或更高版本"),
        (None, "the client certificate accepted", "客户端证书被接受"),
        (None, "a certificate that verifies", "可通过验证的证书"),
        (None, "$.status exists: true", "$.status 存在"),
        (None, "$.debug exists: false", "$.debug 不存在"),
        (None, "$.version matches `^2\\.`", "$.version 匹配 `^2\\.`"),
        (None, "$.tags contains \"prod\"", "$.tags 包含 \"prod\""),
        (
            None,
            "$.items count >= 1, count < 10",
            "$.items 的元素个数 >= 1，元素个数 < 10",
        ),
        (None, "$.total >= 1000", "$.total >= 1000"),
        (
            Some("HeaderMismatch"),
            "X-Frame-Options: DENY",
            "X-Frame-Options 为 DENY",
        ),
        (
            Some("HeaderMismatch"),
            "Server matches `^nginx`",
            "Server 匹配 `^nginx`",
        ),
        (
            Some("HeaderMismatch"),
            "X-Debug exists: false",
            "X-Debug 不存在",
        ),
        (None, "HTTPS", "HTTPS（加密连接）"),
        (None, "connect ≤ 500ms", "连接耗时 ≤ 500 毫秒"),
        (None, "a listening port", "端口有服务监听"),
        (None, "rcode NXDOMAIN", "应答码 NXDOMAIN"),
        (None, "an authoritative answer", "权威应答"),
        (None, "an RRSIG", "RRSIG 签名"),
        (None, "a DNS answer", "DNS 应答"),
        (None, "an answer over TCP within 5s", "5 秒内经 TCP 应答"),
        (None, "an answer within 2s", "2 秒内应答"),
        (
            None,
            "any of 10.0.0.1, 10.0.0.2",
            "10.0.0.1, 10.0.0.2 中的任意一条",
        ),
        (None, "at least one AAAA answer", "至少一条 AAAA 记录"),
        (
            None,
            "10.0.0.1, 10.0.0.2 (missing 10.0.0.2)",
            "10.0.0.1, 10.0.0.2（缺少 10.0.0.2）",
        ),
        (None, "the zone's SOA serial", "区域的 SOA 序列号"),
        (
            None,
            "serial 2026010101 on every server",
            "每台服务器的序列号均为 2026010101",
        ),
        (
            None,
            "the reference's answers [10.0.0.1] on every server",
            "每台服务器的应答均与参照服务器相同：[10.0.0.1]",
        ),
        (None, "echo replies", "回显应答"),
        (None, "loss ≤ 20%", "丢包率 ≤ 20%"),
        (None, "at least one reply", "至少一个应答"),
        (None, "average rtt ≤ 100ms", "平均往返时间 ≤ 100 毫秒"),
        (None, "throughput ≥ 20 Mbit/s", "吞吐量 ≥ 20 兆比特/秒"),
        (None, "an iperf3 test", "完成 iperf3 测试"),
        (None, "p95 rtt ≤ 150ms", "往返时间第 95 百分位 ≤ 150 毫秒"),
        (None, "ipdv ≤ 50ms", "时延变化（IPDV）≤ 50 毫秒"),
        (None, "jitter ≤ 20ms", "抖动 ≤ 20 毫秒"),
    ];

    /// (kind, expected, measured, what a reader sees).
    const MEASURED_EXAMPLES: &[(&str, &str, &str, &str)] = &[
        (
            "MtuBlackHole",
            "fragmentation needed reported",
            "silence above 1400 bytes",
            "超过 1400 字节的包无声消失",
        ),
        ("MtuTooSmall", "path MTU ≥ 1450", "1400 bytes", "1400 字节"),
        (
            "PathIncomplete",
            "198.18.4.2 reached within 30 hops",
            "last answered 198.18.2.2",
            "最后应答的是 198.18.2.2",
        ),
        (
            "PathIncomplete",
            "198.18.4.2 reached within 30 hops",
            "no hop answered",
            "没有一跳应答",
        ),
        (
            "CertExpiring",
            "certificate valid ≥ 30 days",
            "unreadable",
            "无法读取",
        ),
        (
            "TooManyRedirects",
            "at most 10 redirects",
            "more than 10",
            "超过 10 次",
        ),
        (
            "Timeout",
            "the whole response before the timeout",
            "4096 bytes",
            "4096 字节",
        ),
        ("ProtocolError", "a body in gzip", "undecodable", "无法解码"),
        (
            "JsonMismatch",
            "$.status exists: true",
            "no value",
            "无此值",
        ),
        (
            "JsonMismatch",
            "$.items count >= 2",
            "1 element",
            "1 个元素",
        ),
        (
            "JsonMismatch",
            "$.items count >= 5",
            "3 elements",
            "3 个元素",
        ),
        (
            "SchemaMismatch",
            "body matches s.json",
            "1 error",
            "1 处错误",
        ),
        (
            "SchemaMismatch",
            "body matches s.json",
            "4 errors",
            "4 处错误",
        ),
        (
            "SchemaMismatch",
            "body matches s.json",
            "101+ errors",
            "101+ 处错误",
        ),
        (
            "HeaderMismatch",
            "X-Frame-Options: DENY",
            "absent",
            "不存在",
        ),
        ("BodyMismatch", "a JSON body", "not JSON", "不是 JSON"),
        (
            "CertExpiring",
            "certificate valid ≥ 30 days",
            "12 days",
            "12 天",
        ),
        ("TimeExceeded", "response ≤ 2s", "2310.5 ms", "2310.5 毫秒"),
        (
            "ProtocolError",
            "a TLS handshake",
            "TLS handshake failed",
            "TLS 握手失败",
        ),
        (
            "ProtocolError",
            "an HTTP response",
            "not a valid HTTP exchange",
            "不是有效的 HTTP 交互",
        ),
        (
            "ProtocolError",
            "a TLS handshake",
            "no protocol version or cipher suite in common",
            "没有共同的协议版本或密码套件",
        ),
        (
            "ClientCertRejected",
            "the client certificate accepted",
            "refused (bad_certificate)",
            "被拒绝（bad_certificate）",
        ),
        (
            "CertInvalid",
            "a certificate that verifies",
            "expired",
            "证书已过期",
        ),
        ("TlsRequired", "HTTPS", "plain HTTP", "明文 HTTP"),
        (
            "ConnectionRefused",
            "a listening port",
            "connection refused",
            "连接被拒绝",
        ),
        (
            "ConnectionReset",
            "a listening port",
            "connection reset",
            "连接被重置",
        ),
        (
            "ConnectionReset",
            "an HTTP response",
            "connection closed",
            "连接被关闭",
        ),
        (
            "ConnectionReset",
            "a DNS answer",
            "connection closed before the answer",
            "应答前连接被关闭",
        ),
        (
            "Timeout",
            "a listening port",
            "connect timed out",
            "连接超时",
        ),
        (
            "Unreachable",
            "a listening port",
            "connect failed",
            "连接失败",
        ),
        (
            "ConnectionRefused",
            "a DNS answer",
            "port unreachable",
            "端口不可达",
        ),
        ("Unreachable", "echo replies", "unreachable", "不可达"),
        ("Timeout", "an HTTP response", "timed out", "超时"),
        ("ConnectionRefused", "a DNS answer", "refused", "被拒绝"),
        ("Unreachable", "a DNS answer", "failed", "失败"),
        ("AnswerMismatch", "10.0.0.1", "no answers", "无应答记录"),
        (
            "Referral",
            "an authoritative answer",
            "referral to child.gov.test",
            "转介至 child.gov.test",
        ),
        ("ProtocolError", "a DNS answer", "not DNS", "不是 DNS 应答"),
        (
            "AnswerMismatch",
            "the zone's SOA serial",
            "no SOA",
            "没有 SOA 记录",
        ),
        ("SignatureMissing", "an RRSIG", "none", "无"),
        ("Timeout", "an answer within 2s", "none", "无应答"),
        (
            "TcpFallbackBlocked",
            "an answer over TCP within 5s",
            "none",
            "无应答",
        ),
        ("StatusMismatch", "status in [200]", "503", "503"),
        ("LossExceeded", "loss ≤ 20%", "100 %", "100 %"),
        (
            "ThroughputLow",
            "throughput ≥ 30 Mbit/s",
            "19.874 Mbit/s",
            "19.874 兆比特/秒",
        ),
        (
            "ProtocolError",
            "an iperf3 test",
            "not iperf3",
            "不是 iperf3 协议",
        ),
        (
            "ConnectionReset",
            "an iperf3 test",
            "connection closed",
            "连接被关闭",
        ),
        (
            "RttExceeded",
            "average rtt ≤ 100ms",
            "152.301 ms",
            "152.301 毫秒",
        ),
        ("RttExceeded", "p95 rtt ≤ 150ms", "201.5 ms", "201.5 毫秒"),
        ("IpdvExceeded", "ipdv ≤ 50ms", "73.012 ms", "73.012 毫秒"),
        ("JitterExceeded", "jitter ≤ 20ms", "20.5 ms", "20.5 毫秒"),
        (
            "LegacyTls",
            "TLSv1.2 or later",
            "TLSv1.0 (ECDHE-RSA-AES128-SHA)",
            "TLSv1.0 (ECDHE-RSA-AES128-SHA)",
        ),
        (
            "SerialMismatch",
            "the reference's answers [a, b] on every server",
            "ns2 answers [a] (lacks b), ns3 answers [a, b, c] (has c besides)",
            "ns2 应答 [a]（缺少 b）, ns3 应答 [a, b, c]（多出 c）",
        ),
        (
            "SerialMismatch",
            "serial 7 on every server",
            "ns2: 6",
            "ns2: 6",
        ),
    ];

    #[test]
    fn every_expected_form_reads_in_chinese() {
        for (kind, en, zh) in EXAMPLES {
            assert_eq!(expected_zh(*kind, en), *zh, "{en}");
        }
        // Every form has its example.
        for (form, _) in EXPECTED.iter().chain(EXPECTED_HEADER) {
            assert!(
                EXAMPLES.iter().any(|(_, en, _)| parse(form, en).is_some()),
                "no example of the expected form {form:?}"
            );
        }
    }

    #[test]
    fn every_measured_form_reads_in_chinese() {
        for (kind, expected, en, zh) in MEASURED_EXAMPLES {
            assert_eq!(measured_zh(Some(kind), Some(expected), en), *zh, "{en}");
        }
        for (form, _) in MEASURED {
            assert!(
                MEASURED_EXAMPLES
                    .iter()
                    .any(|(_, _, en, _)| parse(form, en).is_some()),
                "no example of the measured form {form:?}"
            );
        }
        for (code, zh) in FINDING_CODES {
            assert_eq!(
                measured_zh(
                    Some("CertInvalid"),
                    Some("a certificate that verifies"),
                    code
                ),
                *zh
            );
        }
    }

    /// Every finding `src/outcome/tls.rs` declares has its code here.
    #[test]
    fn every_finding_code_has_words() {
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/outcome/tls.rs"),
        )
        .unwrap();
        let start = source.find("pub enum TlsFinding {").unwrap();
        let end = start + source[start..].find("\n}").unwrap();
        let variant = regex::Regex::new(r"^    ([A-Z][A-Za-z]*)(?: \{|,)").unwrap();
        let mut n = 0;
        for line in source[start..end].lines() {
            let Some(c) = variant.captures(line) else {
                continue;
            };
            let mut code = String::new();
            for ch in c[1].chars() {
                if ch.is_ascii_uppercase() && !code.is_empty() {
                    code.push('_');
                }
                code.push(ch.to_ascii_lowercase());
            }
            assert!(
                FINDING_CODES.iter().any(|(c, _)| *c == code),
                "the finding code `{code}` has no words"
            );
            n += 1;
        }
        assert!(
            n >= 20,
            "only {n} findings read: is the search still right?"
        );
    }

    #[test]
    fn values_keep_their_text() {
        assert_eq!(
            parse("{} (missing {})", "a (b), c (missing d)"),
            Some(vec!["a (b), c", "d"])
        );
        assert_eq!(parse("status in {}", "status in "), None);
        assert_eq!(parse("absent", "absent!"), None);
        assert_eq!(duration("1.5ms"), "1.5 毫秒");
        assert_eq!(duration("10.0.0.1"), "10.0.0.1");
        assert_eq!(duration("2s"), "2 秒");
        assert_eq!(duration("sx"), "sx");
    }

    /// The guard: every literal a prober (or the runner) passes to `Failure::expected`, its
    /// `{…}` placeholders filled with a value, is a form here. A literal the translator
    /// leaves as it is must be a value (no letters outside its placeholders).
    #[test]
    fn every_expected_literal_in_the_probers_is_a_form() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("probe"), root.join("run")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let literal = regex::Regex::new(r#""((?:[^"\\]|\\.)*)""#).unwrap();
        let placeholder = regex::Regex::new(r"\{[^{}]*\}").unwrap();
        let mut checked = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (at, _) in text.match_indices(".expected(") {
                // The call's arguments: up to its closing parenthesis.
                let args = &text[at + ".expected(".len()..];
                let mut depth = 1;
                let end = args
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(args.len(), |(i, _)| i);
                for m in literal.captures_iter(&args[..end]) {
                    let raw = m[1].replace("\\\"", "\"");
                    let sample = placeholder.replace_all(&raw, "7").into_owned();
                    let words = placeholder.replace_all(&raw, "");
                    assert!(
                        expected_zh(None, &sample) != sample
                            || measured_zh(None, None, &sample) != sample
                            || !words.chars().any(|c| c.is_ascii_alphabetic()),
                        "{}: `{raw}` is a form no translation knows",
                        f.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 30,
            "only {checked} literals found: is the search still right?"
        );
    }
}
