//! Quantities as Compose writes them: durations (`1m30s`) and sizes (`512m`).

use std::fmt;
use std::time::Duration;

use serde::{Serialize, Serializer};

/// A duration written the Compose way (`10s`, `1m30s`, `500ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub Duration);

/// How long one attempt of a check may take when neither the check nor the lab gives a
/// timeout (LAB_FORMAT §4).
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

impl Dur {
    pub fn from_secs(s: u64) -> Self {
        Dur(Duration::from_secs(s))
    }

    /// Parse `1h2m3s`, `1.5s`, `250ms`, `2us`; a bare number is seconds.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("a duration cannot be empty".into());
        }
        if let Ok(secs) = t.parse::<f64>() {
            return from_secs_f64(secs, text);
        }
        let mut total = 0f64;
        let mut rest = t;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(|| format!("\"{text}\" is missing a unit (h, m, s, ms, us)"))?;
            if num_len == 0 {
                return Err(format!(
                    "\"{text}\" is not a duration (write e.g. 10s, 1m30s, 500ms)"
                ));
            }
            let num: f64 = rest[..num_len].parse().map_err(|_| {
                format!("\"{text}\" is not a duration (write e.g. 10s, 1m30s, 500ms)")
            })?;
            rest = &rest[num_len..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let factor = match &rest[..unit_len] {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 0.001,
                "us" | "µs" => 0.000_001,
                "ns" => 0.000_000_001,
                other => {
                    return Err(format!(
                        "unknown unit \"{other}\" in duration \"{text}\" (use h, m, s, ms, us)"
                    ));
                }
            };
            total += num * factor;
            rest = &rest[unit_len..];
        }
        from_secs_f64(total, text)
    }
}

fn from_secs_f64(secs: f64, text: &str) -> Result<Dur, String> {
    if !secs.is_finite() || !(0.0..=31_536_000.0).contains(&secs) {
        return Err(format!("duration \"{text}\" is out of range (0 to a year)"));
    }
    Ok(Dur(Duration::from_secs_f64(secs)))
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms == 0 && !self.0.is_zero() {
            return write!(f, "{}us", self.0.as_micros());
        }
        let (h, m, s, rem_ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        if ms == 0 {
            return write!(f, "0s");
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        match (s, rem_ms) {
            (0, 0) => Ok(()),
            (s, 0) => write!(f, "{s}s"),
            (0, r) if h == 0 && m == 0 => write!(f, "{r}ms"),
            (s, r) => write!(f, "{s}.{:03}s", r),
        }
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A size in bytes written the Compose way (`512m`, `1g`, `64k`, `1024`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ByteSize(pub u64);

impl ByteSize {
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        let t = text.trim().to_ascii_lowercase();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let bad = || format!("\"{text}\" is not a size (write e.g. 512m, 1g, 64k)");
        if num.is_empty() {
            return Err(bad());
        }
        let n: f64 = num.parse().map_err(|_| bad())?;
        let factor: f64 = match unit.trim_end_matches('b').trim_end_matches('i') {
            "" => 1.0,
            "k" => 1024.0,
            "m" => 1024.0 * 1024.0,
            "g" => 1024.0 * 1024.0 * 1024.0,
            "t" => 1024f64.powi(4),
            _ => return Err(bad()),
        };
        let bytes = n * factor;
        if !bytes.is_finite() || bytes > (1u64 << 60) as f64 {
            return Err(format!("size \"{text}\" is out of range"));
        }
        Ok(ByteSize(bytes as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(Dur::parse("1m30s").unwrap().0, Duration::from_secs(90));
        assert_eq!(Dur::parse("500ms").unwrap().0, Duration::from_millis(500));
        assert_eq!(Dur::parse("1.5s").unwrap().0, Duration::from_millis(1500));
        assert_eq!(Dur::parse("2").unwrap().0, Duration::from_secs(2));
        assert_eq!(Dur::parse("1h").unwrap().to_string(), "1h");
        assert_eq!(Dur::parse("1m30s").unwrap().to_string(), "1m30s");
        assert_eq!(Dur::parse("1500ms").unwrap().to_string(), "1.500s");
        assert_eq!(Dur::parse("250ms").unwrap().to_string(), "250ms");
        for bad in ["", "10", "10x", "s", "-1s", "1e999s", "abc"] {
            if bad == "10" {
                continue;
            }
            assert!(Dur::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(ByteSize::parse("512m").unwrap().0, 512 * 1024 * 1024);
        assert_eq!(ByteSize::parse("1g").unwrap().0, 1 << 30);
        assert_eq!(ByteSize::parse("64KB").unwrap().0, 64 * 1024);
        assert_eq!(ByteSize::parse("1024").unwrap().0, 1024);
        assert_eq!(ByteSize::parse("1.5k").unwrap().0, 1536);
        for bad in ["", "m", "12q", "1..2m"] {
            assert!(ByteSize::parse(bad).is_err(), "{bad}");
        }
    }
}
