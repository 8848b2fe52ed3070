//! A comparison of variants of one job: medians, speedups, limits, checks of the outputs.

use std::time::Duration;

use super::*;

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
    pub(super) rows: Vec<ComparisonRow>,
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

pub(super) struct ComparisonRow {
    pub(super) name: String,
    pub(super) exercise: String,
    pub(super) outcome: Result<Timing, &'static str>,
    /// A limit that binds: work that every variant contains, on the same cores.
    pub(super) limit: bool,
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
        if let Some(warning) = untrusted_warning(&self.doubts(crate::machine::busy_for_timings())) {
            table.note(warning);
        }
        table
    }

    /// Why this table's figures cannot be trusted, if they cannot: `busy` (what
    /// [`machine::busy_for_timings`](crate::machine::busy_for_timings) says), a row whose
    /// runs spread wider than [`WIDE_SPREAD`], or a variant faster than a limit row (work it
    /// contains).
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
