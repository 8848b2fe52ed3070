//! Timing runs and printing the aligned tables every solution program ends with.
//!
//! Machines are noisy, so a figure is the median of several runs and comparisons are ratios
//! measured in the same run. Units: 1 MB = 10^6 bytes, as disk and network rates are quoted.

use std::fmt;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
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

impl Timing {
    /// The fastest and the slowest run.
    pub fn spread(&self) -> (Duration, Duration) {
        let min = self.runs.iter().min().copied().unwrap_or_default();
        let max = self.runs.iter().max().copied().unwrap_or_default();
        (min, max)
    }

    /// How many times slower the slowest run was than the fastest (1.0 for one run).
    pub fn spread_ratio(&self) -> f64 {
        let (min, max) = self.spread();
        match min.is_zero() {
            true => 1.0,
            false => max.as_secs_f64() / min.as_secs_f64(),
        }
    }

    /// `1.20–1.35 s`: the fastest and the slowest run, in the unit of the slowest; `one run`
    /// when there was only one.
    pub fn fmt_spread(&self) -> String {
        if self.runs.len() < 2 {
            return "one run".into();
        }
        let (min, max) = self.spread();
        let max_text = fmt_duration(max);
        let unit = max_text.rsplit_once(' ').map_or("", |(_, unit)| unit);
        let scale = match unit {
            "s" => 1.0,
            "ms" => 1e3,
            _ => 1e6,
        };
        let digits = match unit {
            "s" => 2,
            "ms" => 1,
            _ => 0,
        };
        let min_text = format!("{:.*}", digits, min.as_secs_f64() * scale);
        format!("{min_text}–{max_text}")
    }
}

/// A spread this wide (slowest run over fastest) means the machine's speed changed during
/// the runs: the median may not be what the code costs.
pub const WIDE_SPREAD: f64 = 1.5;

/// The one warning line a timing table ends with when its figures cannot be trusted, or
/// `None`: `reasons` are what was seen (a busy machine, a wide spread, a limit beaten).
pub fn untrusted_warning(reasons: &[String]) -> Option<String> {
    (!reasons.is_empty()).then(|| {
        format!(
            "warning: these figures are not comparable with the book's: {}. Close other \
             programs (`uptime` shows the load, `top` who makes it) and run again.",
            reasons.join("; ")
        )
    })
}

/// Why timings cannot be trusted, as far as `busy` (what
/// [`machine::busy`](crate::machine::busy) says) and the runs themselves tell: rows of three
/// runs or more whose slowest run is [`WIDE_SPREAD`] times the fastest, or more. For tables
/// built by hand; [`Comparison`] also checks its limits.
pub fn spread_doubts<'a>(
    busy: Option<String>,
    rows: impl IntoIterator<Item = (&'a str, &'a Timing)>,
) -> Vec<String> {
    let mut reasons: Vec<String> = busy.into_iter().collect();
    let wide: Vec<String> = rows
        .into_iter()
        .filter(|(_, t)| t.runs.len() >= 3 && t.spread_ratio() > WIDE_SPREAD)
        .map(|(name, t)| format!("{name} ({:.1}×)", t.spread_ratio()))
        .collect();
    if !wide.is_empty() {
        reasons.push(format!(
            "the slowest run was far slower than the fastest for {}",
            wide.join(", ")
        ));
    }
    reasons
}

/// How much faster than a limit a variant must be before the table calls it impossible:
/// a good answer runs close to its limit, and ordinary noise must not set the warning off.
pub const BEATEN_BY: f64 = 0.9;

/// "X beat Y, work it contains, …" when a variant's median is below [`BEATEN_BY`] times a
/// limit's: `limits` are work that every variant contains, on the same cores, so that can
/// only mean the machine's speed changed between them. For tables built by hand;
/// [`Comparison`] checks its own.
pub fn beaten_limit(variants: &[(&str, &Timing)], limits: &[(&str, &Timing)]) -> Option<String> {
    variants.iter().find_map(|(name, timing)| {
        let (limit, _) = limits.iter().find(|(_, limit)| {
            timing.median().as_secs_f64() < BEATEN_BY * limit.median().as_secs_f64()
        })?;
        Some(format!(
            "{name} beat {limit}, work it contains, so the machine's speed changed between them"
        ))
    })
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

/// One line for the top of every program's output when it was built without optimisations,
/// or `None` in a release build. `command` is how to run the same program with `--release`.
///
/// A debug build runs lesson code 10 to 50 times slower, and not evenly: the overhead of a
/// thread pool barely changes while the work around it slows down, so even the *ratios* in
/// a debug build's tables are wrong (granularity's fine-grained row: 0.12× in release,
/// 0.67× in a debug build).
pub fn debug_build_warning(command: &str) -> Option<String> {
    cfg!(debug_assertions).then(|| {
        format!(
            "warning: this is a debug build, so its timings are meaningless (even the ratios). \
             Run it with --release: {command}"
        )
    })
}

/// Times the variants of one job and prints them as one table: the median of several runs,
/// the throughput, how many times faster than the first variant (the baseline), the limit
/// rows, and a row that says "not done yet" for an exercise still at its `todo!`.
///
/// Each variant's output is summarised (e.g. "2,540,400 rows") and compared with the first
/// variant's: a variant that is fast because it skipped work shows up as wrong, not as fast.
///
/// ```
/// use shared::report::Comparison;
/// let mut sums = Comparison::new("Sum of 0..1000", 3).check_output(|sum: &u64| sum.to_string());
/// sums.variant("sequential", "given", || (0..1000u64).sum());
/// sums.variant("by formula", "", || 999 * 1000 / 2);
/// sums.variant("not written yet", "1.3", || todo!("exercise 1.3"));
/// let table = sums.finish().to_string();
/// assert!(table.contains("not written yet") && table.contains("not done yet"));
/// ```
pub struct Comparison<T> {
    title: String,
    runs: usize,
    rate: Option<Rate>,
    summary: Option<Summary<T>>,
    rows: Vec<ComparisonRow>,
    baseline: Option<(Duration, Option<String>)>,
    notes: Vec<String>,
    problems: Vec<String>,
}

type Summary<T> = Box<dyn Fn(&T) -> String>;

/// A variant for [`Comparison::interleaved`]: its name, its exercise, and the work.
pub type Variant<'a, T> = (String, String, Box<dyn FnMut() -> T + 'a>);

/// What the throughput column counts: bytes (MB/s) or items (e.g. tasks/s).
#[derive(Clone, Copy)]
enum Rate {
    Bytes(u64),
    Items(u64, &'static str),
}

impl Rate {
    fn header(self) -> &'static str {
        match self {
            Rate::Bytes(_) => "MB/s",
            Rate::Items(_, unit) => unit,
        }
    }

    fn cell(self, d: Duration) -> String {
        match self {
            Rate::Bytes(bytes) => fmt_rate(bytes, d),
            Rate::Items(count, unit) => {
                let per_second = count as f64 / d.as_secs_f64().max(1e-9);
                format!("{} {unit}", fmt_count(per_second.round() as u64))
            }
        }
    }
}

struct ComparisonRow {
    name: String,
    exercise: String,
    outcome: Result<Timing, &'static str>,
    /// A limit that binds: work that every variant contains, on the same cores.
    limit: bool,
}

impl<T> Comparison<T> {
    /// A comparison titled `title`; every variant runs `runs` times (at least once).
    pub fn new(title: impl Into<String>, runs: usize) -> Self {
        Comparison {
            title: title.into(),
            runs: runs.max(1),
            rate: None,
            summary: None,
            rows: Vec::new(),
            baseline: None,
            notes: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Every variant processes `bytes` bytes: adds an MB/s column.
    pub fn with_bytes(mut self, bytes: u64) -> Self {
        self.rate = Some(Rate::Bytes(bytes));
        self
    }

    /// Every variant processes `count` items (tasks, calls): adds a column of items per
    /// second headed `unit`, e.g. `"tasks/s"`.
    pub fn with_items(mut self, count: u64, unit: &'static str) -> Self {
        self.rate = Some(Rate::Items(count, unit));
        self
    }

    /// Summarises each variant's output; a summary unlike the baseline's marks the row wrong.
    pub fn check_output(mut self, summary: impl Fn(&T) -> String + 'static) -> Self {
        self.summary = Some(Box::new(summary));
        self
    }

    /// Times one variant. `exercise` names the exercises it runs ("1.1 + 1.3"), or "given".
    /// Returns its output, or `None` if it panicked: a `todo!` reads "not done yet", any
    /// other panic "panicked", with its message in [`problems`](Self::problems).
    pub fn variant(
        &mut self,
        name: impl Into<String>,
        exercise: impl Into<String>,
        run: impl FnMut() -> T,
    ) -> Option<T> {
        let outcome = catch_quietly(|| time_runs(self.runs, run));
        self.record(name.into(), exercise.into(), outcome)
    }

    /// Times several variants round by round, each variant once per round, instead of one
    /// variant's runs back to back: on a shared machine whose speed drifts, every variant
    /// then sees the same slow and fast moments, and their ratios hold. Rows come in the
    /// order given; a variant that panics is not run again. Returns the outputs.
    pub fn interleaved<'a>(&mut self, variants: Vec<Variant<'a, T>>) -> Vec<Option<T>> {
        let mut slots: Vec<_> = variants
            .into_iter()
            .map(|(name, exercise, run)| (name, exercise, run, Ok((Vec::new(), None))))
            .collect();
        for _ in 0..self.runs {
            for (_, _, run, outcome) in &mut slots {
                let Ok((durations, last)) = outcome else {
                    continue;
                };
                match catch_quietly(|| time_runs(1, &mut *run)) {
                    Ok((timing, output)) => {
                        durations.extend(timing.runs);
                        *last = Some(output);
                    }
                    Err(message) => *outcome = Err(message),
                }
            }
        }
        slots
            .into_iter()
            .map(|(name, exercise, _, outcome)| {
                let outcome = outcome.map(|(runs, last)| {
                    let last = last.expect("every variant ran at least once");
                    (Timing { runs }, last)
                });
                self.record(name, exercise, outcome)
            })
            .collect()
    }

    /// Adds the row of one variant's outcome, checked against the baseline.
    fn record(
        &mut self,
        name: String,
        exercise: String,
        outcome: Result<(Timing, T), String>,
    ) -> Option<T> {
        let (timing, output) = match outcome {
            Ok(timed) => timed,
            Err(message) => {
                let status = if crate::panic::is_todo(&message) {
                    "not done yet"
                } else {
                    self.problems.push(format!("{name}: panicked: {message}"));
                    "panicked"
                };
                self.rows.push(ComparisonRow {
                    name,
                    exercise,
                    outcome: Err(status),
                    limit: false,
                });
                return None;
            }
        };
        let median = timing.median();
        let summary = self.summary.as_ref().map(|s| s(&output));
        match (&self.baseline, summary) {
            (None, summary) => self.baseline = Some((median, summary)),
            (Some((_, Some(expected))), Some(got)) if *expected != got => {
                self.problems
                    .push(format!("{name}: wrong output: {got}, expected {expected}"));
                self.rows.push(ComparisonRow {
                    name,
                    exercise,
                    outcome: Err("wrong output"),
                    limit: false,
                });
                return Some(output);
            }
            _ => {}
        }
        self.rows.push(ComparisonRow {
            name,
            exercise,
            outcome: Ok(timing),
            limit: false,
        });
        Some(output)
    }

    /// Times a limit: work that is part of every variant (reading the bytes, parsing them),
    /// on the same cores, so no variant can beat it: one that does makes the table warn
    /// that the machine's speed changed. Its output is not checked.
    pub fn limit<U>(&mut self, name: impl Into<String>, run: impl FnMut() -> U) {
        self.limit_row(name.into(), true, run);
    }

    /// Times a limit on one thread (e.g. "parse only, 1 thread"): what one core can do, which
    /// variants on more cores may well beat.
    pub fn one_thread_limit<U>(&mut self, name: impl Into<String>, run: impl FnMut() -> U) {
        self.limit_row(name.into(), false, run);
    }

    fn limit_row<U>(&mut self, name: String, binding: bool, run: impl FnMut() -> U) {
        let (timing, _) = time_runs(self.runs, run);
        self.rows.push(ComparisonRow {
            name: format!("limit: {name}"),
            exercise: "-".into(),
            outcome: Ok(timing),
            limit: binding,
        });
    }

    /// A line printed under the table.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    /// What went wrong: variants that panicked or gave another output than the baseline.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// The median of the variant named `name` (a limit: `"limit: {name}"`), if it ran and
    /// gave the right output.
    pub fn median(&self, name: &str) -> Option<Duration> {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.outcome.as_ref().ok())
            .map(Timing::median)
    }

    /// The median of the baseline, the first variant that ran.
    pub fn baseline(&self) -> Option<Duration> {
        self.baseline.as_ref().map(|(d, _)| *d)
    }

    /// The table: one row per variant and limit, in the order they ran, each with its
    /// median and its spread (fastest–slowest run); under it, one warning line when the
    /// figures cannot be trusted (see [`Comparison::doubts`]).
    pub fn finish(&self) -> Table {
        let with_exercise = self.rows.iter().any(|r| !r.exercise.is_empty());
        let with_spread = self.runs > 1;
        let mut header = vec!["variant"];
        header.extend(with_exercise.then_some("exercise"));
        header.push("median");
        header.extend(with_spread.then_some("min–max"));
        header.extend(self.rate.map(Rate::header));
        header.push("speedup");
        let runs = match self.runs {
            1 => "one run".to_string(),
            n => format!("median of {n} runs"),
        };
        let mut table = Table::new(header).with_title(format!("{} ({runs})", self.title));
        for row in &self.rows {
            let mut cells = vec![row.name.clone()];
            cells.extend(with_exercise.then(|| row.exercise.clone()));
            match (&row.outcome, self.baseline()) {
                (Ok(timing), baseline) => {
                    let median = timing.median();
                    cells.push(fmt_duration(median));
                    cells.extend(with_spread.then(|| timing.fmt_spread()));
                    cells.extend(self.rate.map(|r| r.cell(median)));
                    cells.push(baseline.map_or("-".into(), |b| fmt_speedup(b, median)));
                }
                (Err(status), _) => {
                    cells.push((*status).into());
                    cells.extend(with_spread.then(|| "-".into()));
                    cells.extend(self.rate.map(|_| "-".into()));
                    cells.push("-".into());
                }
            }
            table.row(cells);
        }
        if let Some(first) = self.rows.iter().find(|r| r.outcome.is_ok()) {
            table.note(format!(
                "speedup: how many times faster than the first row ({}); below 1.00× is a slowdown.",
                first.name
            ));
        }
        for note in &self.notes {
            table.note(note.clone());
        }
        if let Some(warning) = untrusted_warning(&self.doubts(crate::machine::busy())) {
            table.note(warning);
        }
        table
    }

    /// Why this table's figures cannot be trusted, if they cannot: `busy` (what
    /// [`machine::busy`](crate::machine::busy) says), a row whose runs spread wider than
    /// [`WIDE_SPREAD`], or a variant faster than a limit row (work it contains).
    pub fn doubts(&self, busy: Option<String>) -> Vec<String> {
        let timed = || {
            self.rows
                .iter()
                .filter_map(|r| r.outcome.as_ref().ok().map(|t| (r, t)))
        };
        let mut reasons = spread_doubts(busy, timed().map(|(r, t)| (r.name.as_str(), t)));
        let limits: Vec<(&str, &Timing)> = timed()
            .filter(|(r, _)| r.limit)
            .map(|(r, t)| (r.name.as_str(), t))
            .collect();
        let variants: Vec<(&str, &Timing)> = timed()
            .filter(|(r, _)| !r.name.starts_with("limit: "))
            .map(|(r, t)| (r.name.as_str(), t))
            .collect();
        reasons.extend(beaten_limit(&variants, &limits));
        reasons
    }
}

/// The line a program prints when it runs the reference's answer in place of exercise
/// `exercise`, whose probe panicked with `message` (a `todo!`, or a real panic).
pub fn reference_note(exercise: &str, message: &str) -> String {
    let why = if crate::panic::is_todo(message) {
        "is not done yet".to_string()
    } else {
        format!("panicked ({message})")
    };
    format!(
        "note: exercise {exercise} {why}: this run uses the reference's answer in its place \
         (see book section {exercise})."
    )
}

/// Runs `work`, returning a panic's message instead of unwinding. While it runs, the panic
/// hook stays quiet about `todo!`s (an exercise not done yet is not news) and reports any
/// other panic as usual.
pub fn catch_quietly<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    /// How many `catch_quietly` calls are running. The filtering hook is installed once, in
    /// front of whatever hook was there, and never removed: swapping hooks per call would
    /// race with other threads doing the same.
    static QUIET: AtomicUsize = AtomicUsize::new(0);
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = crate::panic::panic_message(info.payload());
            if QUIET.load(Ordering::SeqCst) == 0 || !crate::panic::is_todo(message) {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| crate::panic::panic_message(payload.as_ref()).to_string())
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
    fn spreads_read_in_the_slowest_runs_unit() {
        let ms = Duration::from_millis;
        let t = |runs: &[u64]| Timing {
            runs: runs.iter().map(|&r| ms(r)).collect(),
        };
        assert_eq!(t(&[1350, 1200, 1300]).fmt_spread(), "1.20–1.35 s");
        assert_eq!(t(&[900, 1200]).fmt_spread(), "0.90–1.20 s");
        assert_eq!(t(&[12, 15]).fmt_spread(), "12.0–15.0 ms");
        assert_eq!(t(&[12]).fmt_spread(), "one run");
        assert_eq!(t(&[10, 30]).spread_ratio(), 3.0);
    }

    fn row(name: &str, runs: &[u64], limit: bool) -> ComparisonRow {
        ComparisonRow {
            name: name.into(),
            exercise: String::new(),
            outcome: Ok(Timing {
                runs: runs.iter().map(|&r| Duration::from_millis(r)).collect(),
            }),
            limit,
        }
    }

    /// A busy machine, a wide spread and a variant that beats a limit it contains each
    /// make the table doubt its figures; a one-thread limit may be beaten.
    #[test]
    fn a_table_says_when_its_figures_cannot_be_trusted() {
        let mut c: Comparison<()> = Comparison::new("job", 3);
        c.rows.push(row("steady", &[20, 21, 22], false));
        c.rows
            .push(row("limit: parse, 1 thread", &[30, 30, 30], false));
        assert!(c.doubts(None).is_empty(), "{:?}", c.doubts(None));
        let busy = Some("the 1-minute load average is 5.0 on 2 cores".to_string());
        assert_eq!(c.doubts(busy.clone()), vec![busy.clone().unwrap()]);

        c.rows.push(row("noisy", &[10, 11, 30], false));
        c.rows.push(row("limit: read only", &[13, 13, 13], true));
        // 5% under a limit is noise, not a warning.
        let close = [(
            "close",
            &Timing {
                runs: vec![Duration::from_millis(95)],
            },
        )];
        let limit = [(
            "limit",
            &Timing {
                runs: vec![Duration::from_millis(100)],
            },
        )];
        assert_eq!(beaten_limit(&close, &limit), None);
        let doubts = c.doubts(None);
        assert_eq!(doubts.len(), 2, "{doubts:?}");
        assert!(doubts[0].contains("noisy (3.0×)"), "{doubts:?}");
        assert!(
            doubts[1].contains("noisy beat limit: read only, work it contains"),
            "{doubts:?}"
        );
        let text = c.finish().to_string();
        assert!(text.lines().nth(1).unwrap().contains("min–max"), "{text}");
        assert!(text.contains("10.0–30.0 ms"), "{text}");
        let warning = untrusted_warning(&doubts).unwrap();
        assert!(warning.starts_with("warning: these figures are not comparable with the book's"));
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
    fn comparison_counts_items_per_second() {
        let mut c = Comparison::new("calls", 1).with_items(1_000, "tasks/s");
        c.variant("sleeps", "", || {
            std::thread::sleep(Duration::from_millis(20))
        });
        let text = c.finish().to_string();
        let header = text.lines().nth(1).unwrap();
        assert!(header.contains("tasks/s"), "{text}");
        // 1,000 tasks in at least 20 ms: at most 50,000 tasks/s.
        let row = text.lines().nth(3).unwrap();
        let words: Vec<&str> = row.split_whitespace().collect();
        let unit = words.iter().position(|w| *w == "tasks/s").unwrap();
        let rate: u64 = words[unit - 1].replace(',', "").parse().unwrap();
        assert!(rate <= 50_000 && rate > 0, "{text}");
    }

    #[test]
    fn interleaved_runs_round_by_round_and_checks_like_variant() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut c = Comparison::new("job", 3).check_output(|n: &u32| n.to_string());
        let outputs = c.interleaved(vec![
            (
                "a".into(),
                "given".into(),
                Box::new(|| {
                    order.borrow_mut().push('a');
                    1
                }),
            ),
            (
                "b".into(),
                "4.1".into(),
                Box::new(|| {
                    order.borrow_mut().push('b');
                    2
                }),
            ),
            (
                "c".into(),
                "4.2".into(),
                Box::new(|| -> u32 {
                    order.borrow_mut().push('c');
                    todo!("exercise 4.2")
                }),
            ),
        ]);
        assert_eq!(outputs, [Some(1), Some(2), None]);
        // Round by round; the panicking variant ran once only.
        assert_eq!(order.borrow().iter().collect::<String>(), "abcabab");
        assert!(c.median("a").is_some() && c.median("c").is_none());
        assert_eq!(c.problems(), ["b: wrong output: 2, expected 1"]);
        assert!(c.finish().to_string().contains("not done yet"));
    }

    #[test]
    fn comparison_marks_todo_panics_and_wrong_outputs() {
        let mut c = Comparison::new("job", 2)
            .with_bytes(1_000_000)
            .check_output(|n: &u32| format!("{n} rows"));
        c.variant("baseline", "given", || 3);
        c.variant("same", "1.1", || 3);
        c.variant("skips work", "1.2", || 2);
        c.variant("todo", "1.3", || -> u32 { todo!("exercise 1.3") });
        c.variant("bug", "1.4", || -> u32 { panic!("index out of bounds") });
        c.limit("read only", || 0u8);
        let text = c.finish().to_string();
        let row = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .unwrap()
                .to_string()
        };
        assert!(row("same").ends_with("×"), "{text}");
        assert!(row("skips work").contains("wrong output"), "{text}");
        assert!(row("todo").contains("not done yet"), "{text}");
        assert!(row("bug").contains("panicked"), "{text}");
        assert!(row("limit: read only").contains(" - "), "{text}");
        assert!(
            text.starts_with("job (median of 2 runs)\nvariant "),
            "{text}"
        );
        assert!(text.lines().nth(1).unwrap().contains("exercise"), "{text}");
        assert_eq!(
            c.problems(),
            [
                "skips work: wrong output: 2 rows, expected 3 rows",
                "bug: panicked: index out of bounds"
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
