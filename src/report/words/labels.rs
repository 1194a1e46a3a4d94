//! Measurements in words: a label for every key the probers write (`cert_days_left` is
//! `证书剩余天数` or `certificate days left`), values with their unit, booleans and a
//! certificate's role as words, and
//! times as dates (`cert_not_after` and any `*_at`, whether RFC 3339 text or UNIX seconds).
//! A key this table does not know (a record from a newer build) is shown as it is.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::outcome::tls::Role;
use crate::report::Lang;

/// (key, Chinese, English).
pub const LABELS: &[(&str, &str, &str)] = &[
    ("time_ms", "耗时", "time"),
    ("ttfb_ms", "首字节时间", "time to first byte"),
    ("connect_ms", "连接耗时", "connect time"),
    ("status", "状态码", "status"),
    ("http_version", "HTTP 版本", "HTTP version"),
    ("bytes", "正文字节数", "body bytes"),
    ("bytes_wire", "传输字节数", "bytes on the wire"),
    ("body_truncated", "正文已截断", "body truncated"),
    ("content_encoding", "内容编码", "content encoding"),
    ("charset", "字符集", "charset"),
    ("charset_unknown", "未识别的字符集", "unknown charset"),
    ("redirects", "重定向次数", "redirects"),
    ("final_url", "最终地址", "final URL"),
    ("insecure", "未验证证书", "certificate not verified"),
    ("tls", "TLS", "TLS"),
    ("tls_backend", "TLS 实现", "TLS library"),
    ("tls_version", "TLS 版本", "TLS version"),
    ("tls_cipher", "密码套件", "cipher suite"),
    ("tls_sni", "SNI 名称", "SNI name"),
    (
        "tls_client_cert_asked",
        "服务器要求客户端证书",
        "client certificate asked",
    ),
    ("tls_chain", "证书链", "certificate chain"),
    ("tls_root", "信任的根证书", "trusted root"),
    ("tls_notes", "TLS 注意事项", "TLS notes"),
    ("tls_finding", "TLS 发现", "TLS finding"),
    ("cert_days_left", "证书剩余天数", "certificate days left"),
    ("cert_not_after", "证书到期日", "certificate expires"),
    ("cert_subject", "证书主体", "certificate subject"),
    ("cert_role", "证书角色", "certificate role"),
    ("address", "地址", "address"),
    ("sent", "发送", "sent"),
    ("received", "收到", "received"),
    ("loss_pct", "丢包率", "loss"),
    ("rtt_min_ms", "最小往返时间", "minimum round trip"),
    ("rtt_avg_ms", "平均往返时间", "average round trip"),
    ("rtt_max_ms", "最大往返时间", "maximum round trip"),
    ("rtt_stddev_ms", "往返时间标准差", "round trip deviation"),
    ("rtt_p50_ms", "往返时间中位数", "median round trip"),
    (
        "rtt_p95_ms",
        "往返时间第 95 百分位",
        "95th percentile round trip",
    ),
    (
        "rtt_p99_ms",
        "往返时间第 99 百分位",
        "99th percentile round trip",
    ),
    ("ipdv_ms", "时延变化（IPDV）", "delay variation (IPDV)"),
    ("jitter_ms", "抖动（RFC 3550）", "jitter (RFC 3550)"),
    ("class", "QoS 等级", "QoS class"),
    ("limits", "判定上限", "limits"),
    ("path", "路径", "path"),
    ("path_reached", "到达目标", "target reached"),
    ("path_last_hop", "最后应答的一跳", "last hop that answered"),
    ("hops", "跳数", "hops"),
    ("path_expected", "路径符合预期", "path as expected"),
    ("expect_via", "应经过", "expected via"),
    ("path_mtu", "路径 MTU", "path MTU"),
    ("mtu_evidence", "MTU 依据", "MTU evidence"),
    ("next_hop_mtu", "下一跳 MTU", "next-hop MTU"),
    ("reported_by", "报告者", "reported by"),
    ("black_hole", "MTU 黑洞", "MTU black hole"),
    ("probes", "探测包数", "probes sent"),
    ("server", "DNS 服务器", "DNS server"),
    ("servers", "各服务器", "servers"),
    ("query", "查询", "query"),
    ("transport", "传输协议", "transport"),
    ("truncated", "应答已截断", "truncated"),
    ("rcode", "应答码", "response code"),
    ("aa", "权威应答", "authoritative"),
    ("answers", "应答记录", "answers"),
    ("authority", "权威部分", "authority section"),
    ("referral", "转介", "referral"),
    ("glue", "胶水记录", "glue"),
    ("rrsig", "RRSIG 签名", "RRSIG"),
    ("serial", "序列号", "serial"),
    ("needs", "依赖的检查", "needs"),
    ("mbps", "吞吐量（兆比特/秒）", "throughput (Mbit/s)"),
    ("seconds", "测试时长（秒）", "seconds"),
    ("streams", "并行流数", "streams"),
    ("direction", "方向", "direction"),
    ("retransmits", "TCP 重传次数", "TCP retransmissions"),
];

/// The label of a measurement key in `lang`; the key itself when unknown.
pub fn label(key: &str, lang: Lang) -> &str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, zh, en)| match lang {
            Lang::Zh => zh,
            Lang::En => en,
        })
}

/// A time a measurement holds (RFC 3339 text or UNIX seconds), if it is one.
fn time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        Value::Number(n) => n.as_i64().and_then(|s| DateTime::from_timestamp(s, 0)),
        _ => None,
    }
}

/// Whether a key holds a time: shown as a date.
fn is_time(key: &str) -> bool {
    key == "cert_not_after" || key.ends_with("_at")
}

/// A measurement's value in words: `12.3 毫秒`, `20%`, `是`, a date; text as it is.
pub fn value(key: &str, v: &Value, lang: Lang) -> String {
    if is_time(key)
        && let Some(t) = time(v)
    {
        return t.format("%Y-%m-%d").to_string();
    }
    if key == "cert_role"
        && lang == Lang::Zh
        && let Ok(role) = serde_json::from_value::<Role>(v.clone())
    {
        return role.zh().to_string();
    }
    // `tls: none`: a plain-HTTP answer, where a TLS expectation did not apply.
    if key == "tls" && v.as_str() == Some("none") {
        return match lang {
            Lang::Zh => "无（明文 HTTP）",
            Lang::En => "none (plain HTTP)",
        }
        .to_string();
    }
    // A hop list: the addresses in TTL order, `*` for a hop that stayed silent.
    if key == "path"
        && let Some(text) = path_hops(v)
    {
        return text;
    }
    // The limits judged: each under its figure's label.
    if key == "limits"
        && let Value::Object(m) = v
    {
        let sep = match lang {
            Lang::Zh => "，",
            Lang::En => ", ",
        };
        return m
            .iter()
            .map(|(k, l)| format!("{} {}", label(k, lang), value(k, l, lang)))
            .collect::<Vec<_>>()
            .join(sep);
    }
    if key == "direction"
        && lang == Lang::Zh
        && let Some(d) = v.as_str()
    {
        return match d {
            "up" => "上行".to_string(),
            "down" => "下行".to_string(),
            other => other.to_string(),
        };
    }
    match v {
        Value::Bool(b) => match (lang, b) {
            (Lang::Zh, true) => "是",
            (Lang::Zh, false) => "否",
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
        }
        .to_string(),
        Value::Number(n) if key.ends_with("_ms") => match lang {
            Lang::Zh => format!("{n} 毫秒"),
            Lang::En => format!("{n} ms"),
        },
        Value::Number(n) if key == "loss_pct" => format!("{n}%"),
        Value::Number(n) if key == "mbps" => format!("{n} Mbit/s"),
        Value::Number(n) if matches!(key, "path_mtu" | "next_hop_mtu") => match lang {
            Lang::Zh => format!("{n} 字节"),
            Lang::En => format!("{n} bytes"),
        },
        Value::Number(n) if key == "cert_days_left" && lang == Lang::En => format!("{n} days"),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A `path` measurement (`[{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.1}, …]`) as
/// `198.18.1.2 → * → 198.18.3.2`; `None` for anything else.
fn path_hops(v: &Value) -> Option<String> {
    let hops = v.as_array()?;
    if !hops.iter().all(Value::is_object) {
        return None;
    }
    let text: Vec<&str> = hops
        .iter()
        .map(|h| h.get("addr").and_then(Value::as_str).unwrap_or("*"))
        .collect();
    Some(text.join(" → "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_values_read_as_words() {
        assert_eq!(label("cert_days_left", Lang::Zh), "证书剩余天数");
        assert_eq!(label("cert_days_left", Lang::En), "certificate days left");
        assert_eq!(label("new_key", Lang::Zh), "new_key");
        let d = json!("2026-11-29T12:00:00Z");
        assert_eq!(value("cert_not_after", &d, Lang::Zh), "2026-11-29");
        assert_eq!(
            value("cert_not_after", &json!(1_795_953_600), Lang::En),
            "2026-11-29"
        );
        assert_eq!(
            value("checked_at", &json!(1_795_953_600), Lang::Zh),
            "2026-11-29"
        );
        assert_eq!(value("time_ms", &json!(12.5), Lang::Zh), "12.5 毫秒");
        assert_eq!(value("loss_pct", &json!(20), Lang::Zh), "20%");
        assert_eq!(value("aa", &json!(true), Lang::Zh), "是");
        assert_eq!(value("cert_role", &json!("leaf"), Lang::Zh), "服务器证书");
        assert_eq!(value("cert_role", &json!("leaf"), Lang::En), "leaf");
        assert_eq!(
            value("answers", &json!(["10.0.0.1", "10.0.0.2"]), Lang::Zh),
            "10.0.0.1, 10.0.0.2"
        );
        let path = json!([{"ttl": 1, "addr": "198.18.1.2", "rtt_ms": 0.1},
            {"ttl": 2, "addr": null, "rtt_ms": null}]);
        assert_eq!(value("path", &path, Lang::En), "198.18.1.2 → *");
        assert_eq!(
            value(
                "limits",
                &json!({"rtt_p95_ms": 50.0, "loss_pct": 0.1}),
                Lang::Zh
            ),
            "往返时间第 95 百分位 50.0 毫秒，丢包率 0.1%"
        );
        assert_eq!(value("mbps", &json!(19.5), Lang::En), "19.5 Mbit/s");
        assert_eq!(value("direction", &json!("up"), Lang::Zh), "上行");
        // Text that only looks like a time is a time only under a time's key.
        assert_eq!(value("cert_subject", &d, Lang::Zh), "2026-11-29T12:00:00Z");
    }

    /// Every key a prober (or the runner) inserts into its measurements has a label.
    #[test]
    fn every_measurement_key_the_probers_write_has_a_label() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let insert = regex::Regex::new(r#"\.insert\(\s*"([a-z][a-z0-9_]*)"\.into\(\)"#).unwrap();
        let listed = regex::Regex::new(r#"^\s*"([a-z][a-z0-9_]*)",\s*$"#).unwrap();
        let mut dirs = vec![root.join("probe"), root.join("run")];
        let mut keys = std::collections::BTreeSet::new();
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                keys.extend(insert.captures_iter(&text).map(|c| c[1].to_string()));
                // The TLS keys are listed once as a constant.
                if let Some(i) = text.find("const TLS_KEYS") {
                    let block = &text[i..text[i..].find("];").map_or(text.len(), |e| i + e)];
                    for line in block.lines() {
                        keys.extend(listed.captures(line).map(|c| c[1].to_string()));
                    }
                }
            }
        }
        assert!(keys.len() > 40, "only {} keys found: {keys:?}", keys.len());
        for k in &keys {
            assert!(
                LABELS.iter().any(|(l, _, _)| l == k),
                "measurement `{k}` has no label"
            );
        }
    }
}
