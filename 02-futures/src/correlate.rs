//! The job of exercises 2.2 and 2.3: the Pearson correlation of every pair of `close`
//! series, and the most correlated pair. Loading, one pair's correlation, the sequential
//! baseline, and what the program shows afterwards (daily returns, the chart).

use std::path::{Path, PathBuf};

use shared::chart::{ChartError, LineChart, Series, line_chart};
use shared::columnar::{ColumnarError, read_columns};
use shared::stats::{CorrelationError, log_returns, pearson};
use shared::{Columns, Timestamp};

/// The `close` series of every symbol, all on the same timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct Closes {
    /// Symbol names, from the file names (`AAPL.parquet` → `AAPL`).
    pub symbols: Vec<String>,
    /// The timestamps every series shares (seconds since 1970, see [`Timestamp`]).
    pub timestamps: Vec<i64>,
    /// `series[s][t]`: the close of symbol `s` at `timestamps[t]`.
    pub series: Vec<Vec<f64>>,
}

/// Why the series could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Columnar(#[from] ColumnarError),
    #[error(
        "{path}: its timestamps differ from those of {first} (at row {row}); every series must \
         cover the same bars. Remake the columnar files: delete the data's columnar/ folder and \
         run this again"
    )]
    Misaligned {
        path: PathBuf,
        first: PathBuf,
        row: usize,
    },
    #[error("no series to correlate: the columnar folder is empty")]
    Empty,
}

impl Closes {
    /// Reads the `close` column of every file, checking that all share the first one's
    /// timestamps.
    pub fn load(paths: &[PathBuf]) -> Result<Closes, LoadError> {
        let (first, rest) = paths.split_first().ok_or(LoadError::Empty)?;
        let Columns {
            timestamp, close, ..
        } = read_columns(first)?;
        let mut closes = Closes {
            symbols: vec![symbol_of(first)],
            timestamps: timestamp,
            series: vec![close],
        };
        for path in rest {
            let columns = read_columns(path)?;
            if columns.timestamp != closes.timestamps {
                let row = columns
                    .timestamp
                    .iter()
                    .zip(&closes.timestamps)
                    .position(|(a, b)| a != b)
                    .unwrap_or(columns.timestamp.len().min(closes.timestamps.len()));
                return Err(LoadError::Misaligned {
                    path: path.clone(),
                    first: first.clone(),
                    row,
                });
            }
            closes.symbols.push(symbol_of(path));
            closes.series.push(columns.close);
        }
        Ok(closes)
    }

    /// Bytes held by the series: what a process pool would copy to each worker.
    pub fn bytes(&self) -> u64 {
        self.series.iter().map(|s| 8 * s.len() as u64).sum()
    }

    /// The last close of every day, per symbol: daily prices.
    pub fn daily(&self) -> Vec<Vec<f64>> {
        let ends = day_ends(&self.timestamps);
        self.series
            .iter()
            .map(|s| ends.iter().map(|&i| s[i]).collect())
            .collect()
    }
}

fn symbol_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The index of the last bar of each day.
fn day_ends(timestamps: &[i64]) -> Vec<usize> {
    let day = |t: i64| Timestamp(t).date();
    (0..timestamps.len())
        .filter(|&i| i + 1 == timestamps.len() || day(timestamps[i]) != day(timestamps[i + 1]))
        .collect()
}

/// The correlation of series `a` and series `b` (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    pub a: usize,
    pub b: usize,
    /// Pearson's r, or `None` when it is undefined: one of the two series is constant (a
    /// stock that never traded, a column of zeros), so dividing by its spread is dividing by
    /// zero.
    pub r: Option<f64>,
}

// ANCHOR: pairs
/// Every pair `(a, b)` with `a < b < n`, in order: (0, 1), (0, 2), …, (1, 2), …
///
/// The 2016 notebook correlated all `n × (n − 1)` ordered pairs; correlation is symmetric,
/// so half of them are enough.
pub fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |a| (a + 1..n).map(move |b| (a, b)))
}
// ANCHOR_END: pairs

// ANCHOR: correlate
/// The correlation of `series[a]` and `series[b]`.
pub fn correlate(series: &[Vec<f64>], a: usize, b: usize) -> Correlation {
    let r = match pearson(&series[a], &series[b]) {
        Ok(r) => Some(r),
        Err(CorrelationError::Constant | CorrelationError::TooShort(_)) => None,
        // `Closes::load` checked that every series covers the same timestamps.
        Err(e @ CorrelationError::LengthMismatch(..)) => panic!("series {a} and {b}: {e}"),
    };
    Correlation { a, b, r }
}
// ANCHOR_END: correlate

// ANCHOR: sequential
/// Every pair's correlation, one after the other, in [`pairs`] order.
pub fn correlations_sequential(series: &[Vec<f64>]) -> Vec<Correlation> {
    pairs(series.len())
        .map(|(a, b)| correlate(series, a, b))
        .collect()
}

/// The pair with the highest correlation, ignoring undefined ones; `None` if there is none.
/// On a tie, the first in [`pairs`] order.
pub fn most_correlated(correlations: &[Correlation]) -> Option<Correlation> {
    correlations
        .iter()
        .filter(|c| c.r.is_some())
        .copied()
        .reduce(|best, c| if c.r > best.r { c } else { best })
}
// ANCHOR_END: sequential

// ANCHOR: standardised
/// Going further: the same correlations with less work. Pearson's r is the dot product of
/// the two series once each is centred (mean 0) and scaled to length 1, so do that once per
/// series (n times) instead of once per pair (n² / 2 times); each pair is then one dot
/// product. A series that cannot be scaled (constant) gives `None` as before.
pub fn correlations_standardised(series: &[Vec<f64>]) -> Vec<Correlation> {
    let unit: Vec<Option<Vec<f64>>> = series.iter().map(|s| standardise(s)).collect();
    pairs(series.len())
        .map(|(a, b)| {
            let r = match (&unit[a], &unit[b]) {
                (Some(x), Some(y)) if x.len() == y.len() => Some(dot(x, y).clamp(-1.0, 1.0)),
                _ => None,
            };
            Correlation { a, b, r }
        })
        .collect()
}

/// `series` minus its mean, divided by the length of the result; `None` if constant.
fn standardise(series: &[f64]) -> Option<Vec<f64>> {
    if series.len() < 2 {
        return None;
    }
    let mean = series.iter().sum::<f64>() / series.len() as f64;
    let centred: Vec<f64> = series.iter().map(|v| v - mean).collect();
    let norm = dot(&centred, &centred).sqrt();
    (norm > 0.0).then(|| centred.iter().map(|v| v / norm).collect())
}

/// A dot product with eight independent sums: the compiler may not reorder one running
/// floating-point sum (it would change the rounding), but eight sums it can keep in vector
/// registers.
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut sums = [0.0; 8];
    let (xs, ys) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (a, b) in xs.zip(ys) {
        for k in 0..8 {
            sums[k] += a[k] * b[k];
        }
    }
    sums.iter().sum::<f64>() + tail
}
// ANCHOR_END: standardised

/// Log returns of every series: how the series move from one point to the next, without
/// their trend.
pub fn returns(series: &[Vec<f64>]) -> Vec<Vec<f64>> {
    series.iter().map(|s| log_returns(s)).collect()
}

/// Draws the daily closes of symbols `a` and `b`, each divided by its first close (so both
/// start at 1), as the 2016 notebook plotted its most correlated pair.
pub fn chart_pair(path: &Path, closes: &Closes, pair: Correlation) -> Result<(), ChartError> {
    let ends = day_ends(&closes.timestamps);
    let line = |s: usize| {
        let first = closes.series[s][0];
        Series {
            name: closes.symbols[s].clone(),
            points: ends
                .iter()
                .map(|&i| {
                    let day = closes.timestamps[i].div_euclid(86_400) as f64;
                    (day, closes.series[s][i] / first)
                })
                .collect(),
        }
    };
    let series = [line(pair.a), line(pair.b)];
    let title = format!(
        "The most correlated pair: {} and {} (r = {:.4})",
        closes.symbols[pair.a],
        closes.symbols[pair.b],
        pair.r.unwrap_or(f64::NAN)
    );
    let date = |day: f64| Timestamp(day as i64 * 86_400).date().to_string();
    line_chart(
        path,
        &LineChart {
            title: &title,
            x_label: "date",
            y_label: "daily close / first close",
            series: &series,
            x_ticks: Some(&date),
            y_ticks: None,
        },
    )
}
