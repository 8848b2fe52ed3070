//! The price model: daily bars from a factor model, then 2-minute bars inside each day.
//!
//! Daily log returns are `beta · market + sector + own`, three independent normal shocks, so
//! stocks of one sector correlate more with each other than with the rest, as real ones do.
//! Inside a day, a random walk is bridged from the day's open to its close and stretched so
//! that its extremes are exactly the day's high and low (the 2016 tutorial's method).
//!
//! Prices are integers in thousandths of a dollar ("mills"): the files print 3 decimals, and
//! integer prices make "the minute bars' extremes equal the day's high" exactly true rather
//! than true up to rounding.
//!
//! Every random number comes from a generator seeded by (seed, what, date): a symbol's day
//! is the same whichever thread makes it and whichever other symbols are generated with it.

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;

use crate::spec::{SYMBOLS, Sector};

/// One trading day of one symbol. Prices in mills (1/1000 dollar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyBar {
    pub date: NaiveDate,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    /// The day's target volume; the minute bars' volumes add up to roughly this.
    pub volume: u64,
}

/// One 2-minute bar. Prices in mills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MinuteBar {
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub volume: u64,
}

/// Bars per day: 2-minute bars from 09:00 to 17:00, each labelled by its start.
pub const BARS_PER_DAY: usize = 240;
/// Seconds between bar starts.
pub const BAR_SECONDS: u32 = 120;
/// Start of the first bar, in seconds after midnight.
pub const FIRST_BAR: u32 = 9 * 3600;
/// Random-walk steps inside each bar.
const STEPS_PER_BAR: usize = 5;
const POINTS: usize = BARS_PER_DAY * STEPS_PER_BAR;

/// Daily volatilities of the three shocks (log returns). With these, two stocks of one
/// sector correlate at about 0.5 and two of different sectors at about 0.3.
const MARKET_VOL: f64 = 0.010;
const MARKET_DRIFT: f64 = 0.0002;
const SECTOR_VOL: f64 = 0.008;
const OWN_VOL: f64 = 0.011;
/// Overnight gap between yesterday's close and today's open.
const GAP_VOL: f64 = 0.003;
/// How far high and low reach beyond the open and close.
const RANGE_VOL: f64 = 0.006;
/// Prices never fall below one dollar.
const FLOOR: f64 = 1000.0;

/// Independent random streams, one per thing the model draws for.
#[derive(Clone, Copy)]
enum Stream {
    Market,
    Sector(Sector),
    Traits(usize),
    Daily(usize),
    Intraday(usize),
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rng(seed: u64, stream: Stream, date: NaiveDate) -> Pcg64Mcg {
    let id = match stream {
        Stream::Market => 1,
        Stream::Sector(s) => 100 + s as u64,
        Stream::Traits(i) => 1_000 + i as u64,
        Stream::Daily(i) => 2_000 + i as u64,
        Stream::Intraday(i) => 3_000 + i as u64,
    };
    let day = date.num_days_from_ce() as u64;
    Pcg64Mcg::seed_from_u64(splitmix64(seed ^ splitmix64(id << 32 ^ day)))
}

fn normal(rng: &mut Pcg64Mcg) -> f64 {
    rng.sample(StandardNormal)
}

// ANCHOR: daily
/// The daily bars of symbol `symbol` (an index into [`SYMBOLS`]) on each of `days`.
pub fn daily_bars(seed: u64, symbol: usize, days: &[NaiveDate]) -> Vec<DailyBar> {
    let info = &SYMBOLS[symbol];
    let Some(&first) = days.first() else {
        return Vec::new();
    };
    let mut traits = rng(seed, Stream::Traits(symbol), first);
    let beta = 0.7 + 0.6 * traits.random::<f64>();
    let own_vol = OWN_VOL * (0.8 + 0.4 * traits.random::<f64>());

    let mut prev_close = info.start_price * 1000.0;
    days.iter()
        .map(|&date| {
            let market = MARKET_DRIFT + MARKET_VOL * normal(&mut rng(seed, Stream::Market, date));
            let sector = SECTOR_VOL * normal(&mut rng(seed, Stream::Sector(info.sector), date));
            let mut own = rng(seed, Stream::Daily(symbol), date);
            let ret = beta * market + sector + own_vol * normal(&mut own);
            let open = (prev_close * (GAP_VOL * normal(&mut own)).exp()).max(FLOOR);
            let close = (prev_close * ret.exp()).max(FLOOR);
            let high = open.max(close) * (RANGE_VOL * normal(&mut own).abs()).exp();
            let low = (open.min(close) * (-RANGE_VOL * normal(&mut own).abs()).exp()).max(FLOOR);
            let volume = info.daily_volume * (0.3 * normal(&mut own)).exp();
            prev_close = close;
            let (open, close) = (open.round() as i64, close.round() as i64);
            DailyBar {
                date,
                open,
                close,
                high: (high.round() as i64).max(open.max(close)),
                low: (low.round() as i64).min(open.min(close)),
                volume: volume as u64,
            }
        })
        .collect()
}
// ANCHOR_END: daily

/// Fills `bars` with the [`BARS_PER_DAY`] 2-minute bars of `day` for symbol `symbol`.
///
/// The first bar opens at the day's open, the last closes at its close, and the highest high
/// and lowest low are exactly the day's high and low.
pub fn minute_bars(seed: u64, symbol: usize, day: &DailyBar, bars: &mut [MinuteBar; BARS_PER_DAY]) {
    let mut rng = rng(seed, Stream::Intraday(symbol), day.date);
    let mut path = [0.0f64; POINTS];
    let mut walk = 0.0;
    for p in path.iter_mut() {
        *p = walk;
        walk += rng.random::<f64>() - 0.5;
    }
    bridge(&mut path, day);
    let prices = to_mills(&path, day);

    let per_bar = day.volume as f64 / BARS_PER_DAY as f64;
    for (i, (bar, steps)) in bars
        .iter_mut()
        .zip(prices.chunks_exact(STEPS_PER_BAR))
        .enumerate()
    {
        // More trading near the open and the close: a U-shaped profile with mean 1.
        let x = 2.0 * (i as f64 + 0.5) / BARS_PER_DAY as f64 - 1.0;
        let profile = (1.0 + 1.5 * x * x) / 1.5;
        let noise = 0.5 + rng.random::<f64>();
        *bar = MinuteBar {
            open: steps[0],
            close: steps[STEPS_PER_BAR - 1],
            high: *steps.iter().max().expect("non-empty"),
            low: *steps.iter().min().expect("non-empty"),
            volume: (per_bar * profile * noise).round() as u64,
        };
    }
}

// ANCHOR: bridge
/// Turns a random walk starting at 0 into a path from the day's open to its close whose
/// extremes are the day's high and low (in floating point; [`to_mills`] makes it exact).
fn bridge(path: &mut [f64; POINTS], day: &DailyBar) {
    let (open, close) = (day.open as f64, day.close as f64);
    let (high, low) = (day.high as f64, day.low as f64);
    let last = (POINTS - 1) as f64;
    let end = path[POINTS - 1];
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (j, p) in path.iter_mut().enumerate() {
        *p -= end * j as f64 / last; // now the walk returns to 0
        lo = lo.min(*p);
        hi = hi.max(*p);
    }
    let scale = if hi > lo {
        (high - low) / (hi - lo)
    } else {
        0.0
    };
    for (j, p) in path.iter_mut().enumerate() {
        *p = open + (close - open) * j as f64 / last + *p * scale;
    }
    // Stretch the part above max(open, close) to reach the high, and below min to the low.
    let (top, bottom) = (open.max(close), open.min(close));
    let (vmin, vmax) = path
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    for p in path.iter_mut() {
        if *p > top && vmax > top {
            *p = top + (*p - top) * (high - top) / (vmax - top);
        } else if *p < bottom && vmin < bottom {
            *p = bottom + (*p - bottom) * (low - bottom) / (vmin - bottom);
        }
    }
}

// ANCHOR_END: bridge

/// Rounds the path to mills inside [low, high], pins its ends to the open and close, and
/// makes sure some interior point touches the high and another the low.
fn to_mills(path: &[f64; POINTS], day: &DailyBar) -> [i64; POINTS] {
    let mut mills = [0i64; POINTS];
    let (mut argmax, mut max) = (1, i64::MIN);
    let (mut argmin, mut min) = (1, i64::MAX);
    for (j, (m, &v)) in mills
        .iter_mut()
        .zip(path)
        .enumerate()
        .take(POINTS - 1)
        .skip(1)
    {
        // Prices are positive, so adding 0.5 and truncating rounds to nearest; it compiles to
        // two instructions where `f64::round` is a call into libm on baseline x86-64.
        *m = ((v + 0.5) as i64).clamp(day.low, day.high);
        if *m > max {
            (argmax, max) = (j, *m);
        }
        if *m < min {
            (argmin, min) = (j, *m);
        }
    }
    mills[0] = day.open;
    mills[POINTS - 1] = day.close;
    if max.max(day.open).max(day.close) < day.high {
        mills[argmax] = day.high;
    }
    if min.min(day.open).min(day.close) > day.low {
        if argmin == argmax {
            argmin = if argmax == 1 { 2 } else { 1 };
        }
        mills[argmin] = day.low;
    }
    mills
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::trading_days;

    fn days() -> Vec<NaiveDate> {
        let d = |m, dd| NaiveDate::from_ymd_opt(2016, m, dd).unwrap();
        trading_days(d(1, 1), d(12, 31))
    }

    #[test]
    fn every_day_is_consistent_and_minute_extremes_match_it() {
        let days = days();
        let mut bars = [MinuteBar::default(); BARS_PER_DAY];
        for symbol in 0..SYMBOLS.len() {
            for day in daily_bars(7, symbol, &days) {
                assert!(
                    day.low <= day.open.min(day.close) && day.open.max(day.close) <= day.high,
                    "{day:?}"
                );
                minute_bars(7, symbol, &day, &mut bars);
                assert_eq!(bars[0].open, day.open);
                assert_eq!(bars[BARS_PER_DAY - 1].close, day.close);
                assert_eq!(bars.iter().map(|b| b.high).max(), Some(day.high), "{day:?}");
                assert_eq!(bars.iter().map(|b| b.low).min(), Some(day.low), "{day:?}");
                for b in &bars {
                    assert!(
                        b.low <= b.open.min(b.close) && b.open.max(b.close) <= b.high,
                        "{b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn flat_days_still_work() {
        let day = DailyBar {
            date: days()[0],
            open: 5000,
            high: 5000,
            low: 5000,
            close: 5000,
            volume: 100,
        };
        let mut bars = [MinuteBar::default(); BARS_PER_DAY];
        minute_bars(1, 0, &day, &mut bars);
        assert!(
            bars.iter()
                .all(|b| (b.open, b.high, b.low, b.close) == (5000, 5000, 5000, 5000))
        );
        let day = DailyBar { high: 5003, ..day };
        minute_bars(1, 0, &day, &mut bars);
        assert_eq!(bars.iter().map(|b| b.high).max(), Some(5003));
    }
}
