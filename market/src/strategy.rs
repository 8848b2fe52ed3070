//! The parameter search of exercise 3.7: a moving-average crossover strategy, its score,
//! the grid and the random sample of windows to try, and the types of the search's answer.
//!
//! 2016's notebook tuned a support-vector classifier on handwritten digits. Its shape is
//! what matters and is kept: a space of parameters, a score for one parameter set on one
//! split of the data, every (parameters, split) pair evaluated in parallel, and the mean
//! validation score mapped over the space.
//!
//! The strategy: hold the stock while the mean of the last `fast` closes is above the mean
//! of the last `slow` closes, hold cash otherwise, and pay a cost each time you switch.
//! Its score on one year is the annualised Sharpe ratio of its 2-minute returns that year.
//! The data is a random walk with no momentum (see the dataset chapter), so no window pair
//! can really win: whatever score the best one shows is luck, which is what
//! cross-validation is there to reveal.

use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use shared::read::ReadError;

use crate::files::year;

/// The cost of switching between stock and cash, as a fraction of the position: 0.01%.
pub const SWITCH_COST: f64 = 1e-4;

/// The fast windows of the grid, in bars of 2 minutes: 4 minutes to 8 hours.
pub const FASTS: (usize, usize) = (2, 240);
/// The slow windows: 20 minutes to 20 trading days.
pub const SLOWS: (usize, usize) = (10, 2400);

/// One parameter set: the two moving-average windows, in bars (2 minutes each).
// Serde: lesson 6 sends windows and their scores between processes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Window {
    pub fast: usize,
    pub slow: usize,
}

/// One window pair's scores: one per year (the year held out), in year order, and their
/// mean, the pair's mean validation score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scored {
    pub window: Window,
    pub per_year: Vec<f64>,
    pub mean: f64,
}

/// One fold of the cross-validation: with year `held_out` set aside, the window whose mean
/// score over the other years (`train`) is the highest, and its score on the held-out year
/// (`validation`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fold {
    pub held_out: usize,
    pub chosen: Window,
    pub train: f64,
    pub validation: f64,
}

/// The answer of exercise 3.7.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    /// One entry per candidate, in the candidates' order.
    pub scored: Vec<Scored>,
    /// One entry per year, in year order.
    pub folds: Vec<Fold>,
}

// ANCHOR: score
/// The annualised Sharpe ratio of the crossover strategy with `window` on `closes` (one
/// year of 2-minute closes): the mean of its per-bar log returns over their standard
/// deviation, times √(bars in the year). The position for the step from bar `t` to `t + 1`
/// is decided by the closes up to `t`; the first `slow − 1` bars hold cash. 0 when the
/// strategy never takes a position or the window does not fit (`fast ≥ slow`, too few bars).
pub fn score(closes: &[f64], window: Window) -> f64 {
    let Window { fast, slow } = window;
    if fast == 0 || fast >= slow || closes.len() <= slow {
        return 0.0;
    }
    // Running sums of the last `fast` and `slow` closes: O(1) per bar, whatever the window.
    let mut fast_sum: f64 = closes[slow - fast..slow].iter().sum();
    let mut slow_sum: f64 = closes[..slow].iter().sum();
    let (mut held, mut sum, mut sum_sq, mut n) = (false, 0.0, 0.0, 0usize);
    for t in slow - 1..closes.len() - 1 {
        if t >= slow {
            fast_sum += closes[t] - closes[t - fast];
            slow_sum += closes[t] - closes[t - slow];
        }
        let hold = fast_sum * slow as f64 > slow_sum * fast as f64;
        let mut r = if hold {
            (closes[t + 1] / closes[t]).ln()
        } else {
            0.0
        };
        if hold != held {
            r -= SWITCH_COST;
            held = hold;
        }
        sum += r;
        sum_sq += r * r;
        n += 1;
    }
    let mean = sum / n as f64;
    let variance = (sum_sq / n as f64 - mean * mean).max(0.0);
    if variance == 0.0 {
        return 0.0;
    }
    mean / variance.sqrt() * (n as f64).sqrt()
}
// ANCHOR_END: score

/// Numbers from `from` to `to` spaced evenly on a log scale, rounded, without repeats:
/// windows of 2, 3, 5, 8 … bars are as different as windows of 200, 300, 500, 800.
pub fn log_spaced(from: usize, to: usize, count: usize) -> Vec<usize> {
    let (lo, hi) = ((from.max(1) as f64).ln(), (to.max(from).max(1) as f64).ln());
    let mut values: Vec<usize> = (0..count)
        .map(|i| {
            let f = if count > 1 {
                i as f64 / (count - 1) as f64
            } else {
                0.0
            };
            (lo + f * (hi - lo)).exp().round() as usize
        })
        .collect();
    values.dedup();
    values
}

// ANCHOR: candidates
/// The full grid: every `fast` with every `slow`, fast-major order, keeping `fast < slow`.
pub fn grid(fasts: &[usize], slows: &[usize]) -> Vec<Window> {
    fasts
        .iter()
        .flat_map(|&fast| slows.iter().map(move |&slow| Window { fast, slow }))
        .filter(|w| w.fast < w.slow)
        .collect()
}

/// scikit-learn's `ParameterSampler`: `count` windows drawn at random from the same space
/// (`fast` in `fasts`, `slow` in `slows`, each uniform on a log scale, `fast < slow`). The
/// same seed gives the same windows.
pub fn sample(
    fasts: (usize, usize),
    slows: (usize, usize),
    count: usize,
    seed: u64,
) -> Vec<Window> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut log_uniform = |(lo, hi): (usize, usize)| {
        let (lo, hi) = ((lo.max(1) as f64).ln(), (hi.max(lo).max(1) as f64).ln());
        rng.random_range(lo..=hi).exp().round() as usize
    };
    let mut windows = Vec::with_capacity(count);
    // A space where no `fast < slow` exists would loop forever: give up after many tries.
    for _ in 0..count.saturating_mul(100) {
        if windows.len() == count {
            break;
        }
        let window = Window {
            fast: log_uniform(fasts),
            slow: log_uniform(slows),
        };
        if window.fast < window.slow {
            windows.push(window);
        }
    }
    windows
}
// ANCHOR_END: candidates

/// One symbol's closes, split by year: `(year, closes)` in year order. The splits of the
/// cross-validation are these years.
pub fn closes_by_year(files: &[PathBuf]) -> Result<Vec<(i32, Vec<f64>)>, ReadError> {
    let days: Vec<Vec<shared::Bar>> = files
        .par_iter()
        .map(|path| shared::read::read_csv(path))
        .collect::<Result<_, _>>()?;
    let mut years: Vec<(i32, Vec<f64>)> = Vec::new();
    let mut bars: Vec<&shared::Bar> = days.iter().flatten().collect();
    bars.sort_by_key(|bar| bar.timestamp);
    for bar in bars {
        match years.last_mut() {
            Some((y, closes)) if *y == year(bar) => closes.push(bar.close),
            _ => years.push((year(bar), vec![bar.close])),
        }
    }
    Ok(years)
}
