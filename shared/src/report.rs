//! Timing runs and printing the aligned tables every solution program ends with.
//!
//! Machines are noisy, so a figure is the median of several runs and comparisons are ratios
//! measured in the same run. Units: 1 MB = 10^6 bytes, as disk and network rates are quoted.

use std::fmt;
use std::time::{Duration, Instant};

/// The durations of repeated runs of one piece of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    pub runs: Vec<Duration>,
}

impl Timing {
    /// The middle run (the lower middle for an even count): robust to one slow outlier.
    pub fn median(&self) -> Duration {
        let mut sorted = self.runs.clone();
        sorted.sort();
        sorted
            .get(sorted.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or_default()
    }
}

/// Runs `work` `runs` times (at least once) and returns the timings and the last result.
pub fn time_runs<T>(runs: usize, mut work: impl FnMut() -> T) -> (Timing, T) {
    let mut durations = Vec::with_capacity(runs.max(1));
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let result = work();
        durations.push(start.elapsed());
        last = Some(result);
    }
    (Timing { runs: durations }, last.expect("ran at least once"))
}

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

/// A plain-text table: the first column left-aligned (names), the others right-aligned
/// (numbers), a rule under the header.
///
/// ```
/// let mut table = shared::report::Table::new(["variant", "median", "speedup"]);
/// table.row(["sequential", "1.20 s", "1.00×"]);
/// table.row(["parallel", "0.64 s", "1.88×"]);
/// assert_eq!(table.to_string().lines().nth(2).unwrap(), "sequential  1.20 s    1.00×");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    title: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Table {
    pub fn new<S: ToString>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(|s| s.to_string()).collect(),
            ..Table::default()
        }
    }

    /// A line printed above the table.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn row<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows
            .push(cells.into_iter().map(|s| s.to_string()).collect());
        self
    }

    /// A line printed under the table (machine, units, how it was measured).
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        if let Some(title) = &self.title {
            writeln!(f, "{title}")?;
        }
        let line = |f: &mut fmt::Formatter<'_>, row: &[String]| -> fmt::Result {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                let pad = " ".repeat(width - cell.chars().count());
                match i {
                    0 => text.push_str(&format!("{cell}{pad}")),
                    _ => text.push_str(&format!("  {pad}{cell}")),
                }
            }
            writeln!(f, "{}", text.trim_end())
        };
        line(f, &self.header)?;
        let rule: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
        writeln!(f, "{}", "-".repeat(rule))?;
        for row in &self.rows {
            line(f, row)?;
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_formats() {
        let ms = Duration::from_millis;
        assert_eq!(
            Timing {
                runs: vec![ms(5), ms(1), ms(3)]
            }
            .median(),
            ms(3)
        );
        assert_eq!(
            Timing {
                runs: vec![ms(4), ms(1), ms(3), ms(2)]
            }
            .median(),
            ms(2)
        );
        assert_eq!(fmt_duration(ms(1500)), "1.50 s");
        assert_eq!(fmt_duration(ms(12)), "12.0 ms");
        assert_eq!(fmt_rate(600_000_000, ms(1000)), "600 MB/s");
        assert_eq!(fmt_bytes(1_060_000_000), "1.06 GB");
        assert_eq!(fmt_speedup(ms(2000), ms(1000)), "2.00×");
        assert_eq!(fmt_count(12_345_678), "12,345,678");
        assert_eq!(fmt_count(999), "999");
    }

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(["variant", "MB/s"]).with_title("Lesson");
        t.row(["seq", "80"])
            .row(["parallel-typed", "1200"])
            .note("2 cores");
        let text = t.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Lesson",
                "variant         MB/s",
                "--------------------",
                "seq               80",
                "parallel-typed  1200",
                "2 cores"
            ]
        );
    }

    #[test]
    fn time_runs_runs_the_work_each_time() {
        let mut calls = 0;
        let (timing, last) = time_runs(3, || {
            calls += 1;
            calls
        });
        assert_eq!((timing.runs.len(), last), (3, 3));
    }
}
