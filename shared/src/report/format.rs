//! Numbers as the tables print them: durations, rates, sizes, speedups, counts.

use std::time::Duration;

/// `1.23 s`, `45.6 ms`, `789 µs`.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// Bytes per second in MB/s, e.g. `612 MB/s`.
pub fn fmt_rate(bytes: u64, d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs == 0.0 {
        return "-".into();
    }
    format!("{:.0} MB/s", bytes as f64 / 1e6 / secs)
}

/// `1.06 GB`, `31.2 MB`, `812 kB`, `12 B`.
pub fn fmt_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

/// How many times faster `d` is than `baseline`: `1.87×`.
pub fn fmt_speedup(baseline: Duration, d: Duration) -> String {
    if d.is_zero() {
        return "-".into();
    }
    format!("{:.2}×", baseline.as_secs_f64() / d.as_secs_f64())
}

/// `12,345,678`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` safe to print: control characters (a newline, an escape sequence that would move
/// the cursor or recolour the terminal) shown as `\n`, `\u{1b}`, …, so that a string from a
/// peer cannot forge log lines. Everything else is kept as it is, up to
/// [`PRINTABLE_CHARS`] characters: a longer text (a 100,000-character `--symbol`) is cut,
/// saying how much was left out.
pub fn printable(text: &str) -> String {
    let mut shown: String = (text.chars().take(PRINTABLE_CHARS))
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let left = text.chars().count().saturating_sub(PRINTABLE_CHARS);
    if left > 0 {
        shown.push_str(&format!("… ({left} more characters)"));
    }
    shown
}

/// The most characters [`printable`] shows of a text.
pub const PRINTABLE_CHARS: usize = 200;

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("w1\nscheduler: forged"), "w1\\nscheduler: forged");
        assert_eq!(printable("\x1b[2Jhost"), "\\u{1b}[2Jhost");
        let long = "A".repeat(100_000);
        assert_eq!(
            printable(&long),
            format!("{}… (99800 more characters)", "A".repeat(200))
        );
        assert_eq!(printable("hôte:42"), "hôte:42");
    }
}
