//! Every kind a record can carry, in words: the failure kinds ([`FailKind`]), the error
//! kinds ([`ErrorKind`]) and the two kinds of a skipped record (`NeedsFailed`, `NotRun`).
//! The reports show the kind's identifier too (JUnit's `type`, a filter in a spreadsheet);
//! these words are what a reader who does not know the identifiers reads.

use crate::outcome::{ErrorKind, FailKind};
use crate::report::Lang;

pub use crate::results::{NEEDS_FAILED, NOT_RUN};

/// The words for a failure kind: (Chinese, English).
pub fn fail_kind(k: FailKind) -> (&'static str, &'static str) {
    match k {
        FailKind::Timeout => ("超时：在时限内没有应答", "timed out: no answer in time"),
        FailKind::ConnectionRefused => (
            "连接被拒绝：端口上没有服务在监听",
            "connection refused: nothing listens on the port",
        ),
        FailKind::ConnectionReset => (
            "连接在交互中被重置或关闭",
            "connection reset or closed mid-exchange",
        ),
        FailKind::Unreachable => (
            "不可达：网络报告主机或网络不可达，或没有路由",
            "unreachable: the network reports no way to the host",
        ),
        FailKind::ConnectSlow => ("TCP 连接耗时超过上限", "TCP connect slower than allowed"),
        FailKind::LossExceeded => ("丢包率超过上限", "packet loss above the limit"),
        FailKind::RttExceeded => ("往返时间超过上限", "round trip above the limit"),
        FailKind::IpdvExceeded => (
            "时延变化（IPDV）超过上限",
            "delay variation (IPDV) above the limit",
        ),
        FailKind::JitterExceeded => ("抖动超过上限", "jitter above the limit"),
        FailKind::AnswerMismatch => ("DNS 应答记录与期望不符", "DNS answers not as expected"),
        FailKind::RcodeMismatch => ("DNS 应答码与期望不符", "DNS response code not as expected"),
        FailKind::StatusMismatch => ("HTTP 状态码与期望不符", "HTTP status not as expected"),
        FailKind::BodyMismatch => ("应答正文与期望不符", "response body not as expected"),
        FailKind::JsonMismatch => ("应答的 JSON 内容与期望不符", "JSON content not as expected"),
        FailKind::HeaderMismatch => ("应答头与期望不符", "response header not as expected"),
        FailKind::SchemaMismatch => (
            "应答正文不符合规定的 JSON 模式",
            "response body does not match its JSON Schema",
        ),
        FailKind::TimeExceeded => ("应答时间超过上限", "response slower than allowed"),
        FailKind::TooManyRedirects => ("重定向次数过多", "too many redirects"),
        FailKind::RedirectRefused => (
            "重定向不符合检查的重定向规则，未跟随",
            "a redirect the check's policy does not follow",
        ),
        FailKind::CertInvalid => ("证书未通过验证", "the certificate does not verify"),
        FailKind::CertExpiring => ("证书即将过期", "the certificate expires soon"),
        FailKind::TlsRequired => (
            "检查要求 HTTPS，而地址（或重定向的目标）是明文 HTTP，未发送请求",
            "the check requires HTTPS and the URL (or a redirect) is plain HTTP",
        ),
        FailKind::LegacyTls => (
            "服务器只能以过时的 TLS 协议完成握手",
            "the server completes a handshake only with an old TLS protocol",
        ),
        FailKind::ClientCertRejected => (
            "服务器拒绝了检查出示的客户端证书",
            "the server refused the client certificate",
        ),
        FailKind::ProtocolError => (
            "协议错误：对端的应答不是期望的协议",
            "protocol error: the target did not speak the protocol",
        ),
        FailKind::Referral => (
            "DNS 服务器未作答，而是把该名称委派给子区域的服务器",
            "the DNS server delegates the name to a child zone",
        ),
        FailKind::TcpFallbackBlocked => (
            "UDP 应答被截断，改用 TCP 后在时限内无应答（TCP 可能被阻断）",
            "UDP answer truncated and no answer over TCP (TCP blocked?)",
        ),
        FailKind::SignatureMissing => (
            "应答没有 DNSSEC 签名（RRSIG）",
            "the answer carries no DNSSEC signature (RRSIG)",
        ),
        FailKind::SerialMismatch => (
            "同一区域的各服务器数据不一致",
            "servers of one zone serve different data",
        ),
        FailKind::ThroughputLow => ("吞吐量低于下限", "throughput below the minimum"),
        FailKind::MtuTooSmall => ("路径 MTU 小于规定的下限", "path MTU below the limit"),
        FailKind::MtuBlackHole => (
            "路径 MTU 黑洞：超过某一长度的包被丢弃，且没有“需要分片”的 ICMP 报告",
            "path-MTU black hole: large packets vanish with no fragmentation-needed report",
        ),
        FailKind::PathMismatch => (
            "路径没有按顺序经过规定的路由器",
            "the path does not pass the expected routers in order",
        ),
        FailKind::PathIncomplete => (
            "路由跟踪在最大跳数内没有到达目标",
            "the trace did not reach the target within its hops",
        ),
    }
}

/// The words for an error kind: (Chinese, English).
pub fn error_kind(k: ErrorKind) -> (&'static str, &'static str) {
    match k {
        ErrorKind::NoPermission => (
            "本机无权发送 ICMP（需要 root、CAP_NET_RAW 或 ping_group_range）",
            "no permission for ICMP here (root, CAP_NET_RAW or ping_group_range)",
        ),
        ErrorKind::LocalResolver => (
            "本机解析器无法解析目标的主机名",
            "the local resolver cannot resolve the target's host name",
        ),
        ErrorKind::Config => (
            "检查的配置在此无法使用（如 CA 文件不可读、URL 无效）",
            "the check cannot be used as written here (unreadable file, invalid URL)",
        ),
        ErrorKind::Local => (
            "本机资源出错（套接字、文件描述符等）",
            "a local resource failed (sockets, file descriptors)",
        ),
        ErrorKind::ClientCertRequired => (
            "服务器要求客户端证书，而检查没有配置",
            "the server asks for a client certificate and the check has none",
        ),
        ErrorKind::TestServer => (
            "测试服务器（iperf3）未能进行测试：正忙于其他客户端的测试，或报告了自身错误",
            "the test server (iperf3) could not run the test: busy, or its own error",
        ),
        ErrorKind::Internal => ("netaccept 内部错误", "an internal error of netaccept"),
    }
}

/// Every failure kind, for the tests and for whoever lists them.
pub const FAIL_KINDS: [FailKind; 34] = [
    FailKind::Timeout,
    FailKind::ConnectionRefused,
    FailKind::ConnectionReset,
    FailKind::Unreachable,
    FailKind::ConnectSlow,
    FailKind::LossExceeded,
    FailKind::RttExceeded,
    FailKind::IpdvExceeded,
    FailKind::JitterExceeded,
    FailKind::AnswerMismatch,
    FailKind::RcodeMismatch,
    FailKind::StatusMismatch,
    FailKind::BodyMismatch,
    FailKind::JsonMismatch,
    FailKind::HeaderMismatch,
    FailKind::SchemaMismatch,
    FailKind::TimeExceeded,
    FailKind::TooManyRedirects,
    FailKind::RedirectRefused,
    FailKind::CertInvalid,
    FailKind::CertExpiring,
    FailKind::TlsRequired,
    FailKind::LegacyTls,
    FailKind::ClientCertRejected,
    FailKind::ProtocolError,
    FailKind::Referral,
    FailKind::TcpFallbackBlocked,
    FailKind::SignatureMissing,
    FailKind::SerialMismatch,
    FailKind::ThroughputLow,
    FailKind::MtuTooSmall,
    FailKind::MtuBlackHole,
    FailKind::PathMismatch,
    FailKind::PathIncomplete,
];

/// Every error kind.
pub const ERROR_KINDS: [ErrorKind; 7] = [
    ErrorKind::NoPermission,
    ErrorKind::LocalResolver,
    ErrorKind::Config,
    ErrorKind::Local,
    ErrorKind::ClientCertRequired,
    ErrorKind::TestServer,
    ErrorKind::Internal,
];

fn pick(words: (&'static str, &'static str), lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => words.0,
        Lang::En => words.1,
    }
}

/// A record's kind (as `results.json` spells it) in words; `None` for a kind this build
/// does not know (a record from a newer netaccept), which the reports then show as written.
pub fn words(kind: &str, lang: Lang) -> Option<&'static str> {
    if let Ok(k) = serde_json::from_value::<FailKind>(kind.into()) {
        return Some(pick(fail_kind(k), lang));
    }
    if let Ok(k) = serde_json::from_value::<ErrorKind>(kind.into()) {
        return Some(pick(error_kind(k), lang));
    }
    match kind {
        NEEDS_FAILED => Some(pick(
            (
                "因所依赖的检查未通过而跳过",
                "skipped: a needed check did not pass",
            ),
            lang,
        )),
        NOT_RUN => Some(pick(
            ("未执行：运行被中断", "not run: run interrupted"),
            lang,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists name every variant of the enums, as `src/outcome.rs` declares them (a kind
    /// without words fails to compile in `fail_kind`/`error_kind`; one missing from the lists,
    /// which the reports' tests build their records from, fails here).
    #[test]
    fn the_lists_hold_every_variant() {
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/outcome.rs"),
        )
        .unwrap();
        let variant = regex::Regex::new(r"^    ([A-Z][A-Za-z]*),$").unwrap();
        let variants = |name: &str| -> Vec<String> {
            let start = source.find(&format!("pub enum {name} {{")).unwrap();
            let end = start + source[start..].find("\n}").unwrap();
            source[start..end]
                .lines()
                .filter_map(|l| variant.captures(l).map(|c| c[1].to_string()))
                .collect()
        };
        let fails: Vec<String> = FAIL_KINDS.iter().map(|k| k.as_str().to_string()).collect();
        let errors: Vec<String> = ERROR_KINDS.iter().map(|k| k.as_str().to_string()).collect();
        assert_eq!(fails, variants("FailKind"));
        assert_eq!(errors, variants("ErrorKind"));
    }

    #[test]
    fn every_kind_has_words_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for k in FAIL_KINDS {
            assert!(seen.insert(k.as_str()), "{k} listed twice");
            let zh = words(k.as_str(), Lang::Zh).unwrap();
            let en = words(k.as_str(), Lang::En).unwrap();
            assert!(zh.chars().any(|c| c > '\u{2e80}'), "{k}: {zh}");
            assert!(en.is_ascii(), "{k}: {en}");
        }
        for k in ERROR_KINDS {
            assert!(seen.insert(k.as_str()), "{k} listed twice");
            assert!(
                words(k.as_str(), Lang::Zh)
                    .unwrap()
                    .chars()
                    .any(|c| c > '\u{2e80}')
            );
        }
        for k in [NEEDS_FAILED, NOT_RUN] {
            assert!(words(k, Lang::Zh).is_some() && words(k, Lang::En).is_some());
        }
        assert_eq!(words("SomethingNew", Lang::Zh), None);
        assert_eq!(words(NOT_RUN, Lang::Zh), Some("未执行：运行被中断"));
    }
}
