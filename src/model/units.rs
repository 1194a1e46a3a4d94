//! Durations (`250ms`, `2s`, `1m`) and percentages (`20%`) as the formats write them.

use std::fmt;

/// A non-negative duration written as a number and a unit: `ms`, `s` or `m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub std::time::Duration);

impl Duration {
    /// A number (decimals allowed) and a unit: `ms`, `s` or `m`; at most a day.
    ///
    /// ```
    /// use netaccept::model::Duration;
    ///
    /// assert_eq!(Duration::parse("250ms"), Ok(Duration::from_millis(250)));
    /// assert_eq!(Duration::parse("1.5s"), Ok(Duration::from_millis(1_500)));
    /// assert_eq!(Duration::parse("2m").unwrap().to_string(), "2m");
    /// assert!(Duration::parse("200").is_err()); // no unit
    /// assert!(Duration::parse("2h").is_err()); // not a unit of the formats
    /// ```
    pub fn parse(s: &str) -> Result<Duration, String> {
        let s = s.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{s}` has no unit"))?;
        let (num, unit) = s.split_at(split);
        let factor_ms = match unit {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            _ => return Err(format!("`{s}`: unknown unit `{unit}`")),
        };
        if num.is_empty()
            || num.starts_with('.')
            || num.ends_with('.')
            || num.matches('.').count() > 1
        {
            return Err(format!("`{s}` is not a number followed by a unit"));
        }
        let n: f64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not a number followed by a unit"))?;
        let ms = n * factor_ms;
        if ms > 86_400_000.0 {
            return Err(format!("`{s}` is longer than a day"));
        }
        Ok(Duration(std::time::Duration::from_micros(
            (ms * 1_000.0).round() as u64,
        )))
    }

    pub fn as_std(self) -> std::time::Duration {
        self.0
    }

    pub fn from_millis(ms: u64) -> Duration {
        Duration(std::time::Duration::from_millis(ms))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0.as_micros();
        if us.is_multiple_of(60_000_000) && us > 0 {
            write!(f, "{}m", us / 60_000_000)
        } else if us.is_multiple_of(1_000_000) && us > 0 {
            write!(f, "{}s", us / 1_000_000)
        } else if us.is_multiple_of(1_000) {
            write!(f, "{}ms", us / 1_000)
        } else {
            write!(f, "{}ms", us as f64 / 1_000.0)
        }
    }
}

/// A percentage from 0 to 100 inclusive, written with a `%` sign.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Percent(pub f64);

impl Percent {
    /// A number from 0 to 100 and a `%` sign.
    ///
    /// ```
    /// use netaccept::model::Percent;
    ///
    /// assert_eq!(Percent::parse("20%"), Ok(Percent(20.0)));
    /// assert!(Percent::parse("20").is_err());
    /// assert!(Percent::parse("120%").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Percent, String> {
        let s = s.trim();
        let Some(num) = s.strip_suffix('%') else {
            return Err(format!("`{s}` has no `%` sign"));
        };
        let ok_shape = !num.is_empty()
            && num.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !num.starts_with('.')
            && !num.ends_with('.')
            && num.matches('.').count() <= 1;
        let n: f64 = if ok_shape { num.parse().ok() } else { None }
            .ok_or_else(|| format!("`{s}` is not a number followed by `%`"))?;
        if n > 100.0 {
            return Err(format!("`{s}` is more than 100%"));
        }
        Ok(Percent(n))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            Duration::parse("250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(Duration::parse("2s").unwrap(), Duration::from_millis(2_000));
        assert_eq!(
            Duration::parse("1m").unwrap(),
            Duration::from_millis(60_000)
        );
        assert_eq!(
            Duration::parse("1.5s").unwrap(),
            Duration::from_millis(1_500)
        );
        assert_eq!(Duration::parse("0ms").unwrap(), Duration::from_millis(0));
        for bad in [
            "200",
            "5 seconds",
            "s",
            "1.s",
            ".5s",
            "1..2s",
            "-1s",
            "2h",
            "25h",
            "9999m",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(Duration::from_millis(1_500).to_string(), "1500ms");
        assert_eq!(Duration::from_millis(2_000).to_string(), "2s");
        assert_eq!(Duration::from_millis(120_000).to_string(), "2m");
    }

    #[test]
    fn percents() {
        assert_eq!(Percent::parse("20%").unwrap(), Percent(20.0));
        assert_eq!(Percent::parse("0.5%").unwrap(), Percent(0.5));
        assert_eq!(Percent::parse("100%").unwrap(), Percent(100.0));
        for bad in ["20", "120%", "%", "-1%", "a%", "1.%"] {
            assert!(Percent::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
