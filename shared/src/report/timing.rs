//! Timings of repeated runs: medians, spreads, and when a table cannot be trusted.

use std::time::{Duration, Instant};

use super::*;

/// The durations of repeated runs of one piece of work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
/// [`machine::busy_for_timings`](crate::machine::busy_for_timings) says) and the runs
/// themselves tell: rows of three runs or more whose slowest run is [`WIDE_SPREAD`] times the
/// fastest, or more. For tables built by hand; [`Comparison`] also checks its limits.
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

/// The warning a table prints under its rows when its figures cannot be trusted: the
/// machine is busy, a row's runs spread widely ([`spread_doubts`], over `rows` and
/// `limits`), or a row beat a limit it contains ([`beaten_limit`]). `None` when all is well.
pub fn doubts_note(rows: &[(&str, &Timing)], limits: &[(&str, &Timing)]) -> Option<String> {
    let all = rows.iter().chain(limits).copied();
    let mut doubts = spread_doubts(crate::machine::busy_for_timings(), all);
    doubts.extend(beaten_limit(rows, limits));
    untrusted_warning(&doubts)
}

/// Runs `work` `runs` times (at least once) and returns the timings and the last result.
pub fn time_runs<T>(runs: usize, mut work: impl FnMut() -> T) -> (Timing, T) {
    crate::machine::note_load_before_timing();
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
