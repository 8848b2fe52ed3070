//! What a dataset is made of: the symbols, the trading calendar, the size presets.

use chrono::{Datelike, NaiveDate, Weekday};
pub use shared::dataset::Spec;

/// A ticker of the 2016 tutorial, its sector, and where its price starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Symbol {
    pub ticker: &'static str,
    pub sector: Sector,
    /// Price on the first day of the default range, in dollars.
    pub start_price: f64,
    /// Typical shares traded per day.
    pub daily_volume: f64,
}

/// Stocks in one sector share a common daily shock, so they correlate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sector {
    Technology,
    Financials,
    HealthCare,
    Energy,
    Utilities,
    Industrials,
    Consumer,
}

impl Sector {
    pub const ALL: [Sector; 7] = [
        Sector::Technology,
        Sector::Financials,
        Sector::HealthCare,
        Sector::Energy,
        Sector::Utilities,
        Sector::Industrials,
        Sector::Consumer,
    ];
}

const fn sym(ticker: &'static str, sector: Sector, start_price: f64, daily_volume: f64) -> Symbol {
    Symbol {
        ticker,
        sector,
        start_price,
        daily_volume,
    }
}

use Sector::*;

/// The 29 tickers of the 2016 "Parallel Python" tutorial's data, with their real sectors.
/// Prices and volumes are only loosely inspired by 2010 and everything after is simulated.
pub const SYMBOLS: [Symbol; 29] = [
    sym("AA", Industrials, 16.0, 2.0e7),
    sym("AAPL", Technology, 30.0, 1.2e8),
    sym("ABC", HealthCare, 26.0, 2.0e6),
    sym("AIG", Financials, 30.0, 1.0e7),
    sym("AMGN", HealthCare, 57.0, 5.0e6),
    sym("AMZN", Consumer, 134.0, 6.0e6),
    sym("BWA", Industrials, 33.0, 2.0e6),
    sym("COST", Consumer, 59.0, 3.0e6),
    sym("CSCO", Technology, 24.0, 5.0e7),
    sym("D", Utilities, 39.0, 3.0e6),
    sym("EBAY", Technology, 23.0, 2.0e7),
    sym("EMR", Industrials, 43.0, 3.0e6),
    sym("ESRX", HealthCare, 86.0, 4.0e6),
    sym("GAS", Utilities, 36.0, 1.0e6),
    sym("GE", Industrials, 15.0, 6.0e7),
    sym("GOOG", Technology, 313.0, 3.0e6),
    sym("HAL", Energy, 30.0, 1.2e7),
    sym("HP", Energy, 40.0, 2.0e6),
    sym("HPQ", Technology, 51.0, 1.5e7),
    sym("IBM", Technology, 132.0, 6.0e6),
    sym("JBL", Technology, 17.0, 3.0e6),
    sym("JPM", Financials, 41.0, 3.5e7),
    sym("MET", Financials, 35.0, 6.0e6),
    sym("NYX", Financials, 25.0, 3.0e6),
    sym("PCG", Utilities, 44.0, 3.0e6),
    sym("USB", Financials, 22.0, 1.2e7),
    sym("VRSN", Technology, 24.0, 3.0e6),
    sym("YHOO", Technology, 17.0, 2.0e7),
    sym("ZMH", HealthCare, 59.0, 2.0e6),
];

/// Looks a ticker up (case-insensitive) and returns its index in [`SYMBOLS`].
pub fn symbol_index(ticker: &str) -> Option<usize> {
    SYMBOLS
        .iter()
        .position(|s| s.ticker.eq_ignore_ascii_case(ticker))
}

// ANCHOR: size
/// How much data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Size {
    /// 4 symbols, 3 trading days, about 0.5 MB: for tests.
    Tiny,
    /// 8 symbols, the first half of 2016, about 40 MB: for quick experiments and benches.
    Small,
    /// All 29 symbols, 2010 to 2016, about 1 GB: the course's dataset.
    #[default]
    Full,
}
// ANCHOR_END: size

/// The seed every preset uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 2016;

/// How many trading days go into each JSON Lines file: the last year, as in 2016.
pub const DEFAULT_JSON_DAYS: usize = 365;

impl Size {
    /// The spec this preset stands for.
    pub fn spec(self) -> Spec {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid preset date");
        let (symbols, start, end): (&[&str], _, _) = match self {
            Size::Tiny => (
                &["AAPL", "GOOG", "JPM", "USB"],
                date(2016, 1, 4),
                date(2016, 1, 6),
            ),
            Size::Small => (
                &["AAPL", "AMZN", "CSCO", "GOOG", "IBM", "JPM", "MET", "USB"],
                date(2016, 1, 1),
                date(2016, 6, 30),
            ),
            Size::Full => (&[], date(2010, 1, 1), date(2016, 12, 31)),
        };
        let symbols = match symbols {
            [] => SYMBOLS.iter().map(|s| s.ticker.to_string()).collect(),
            some => some.iter().map(|s| s.to_string()).collect(),
        };
        Spec {
            seed: DEFAULT_SEED,
            symbols,
            start,
            end,
            json_days: DEFAULT_JSON_DAYS,
        }
    }
}

impl Size {
    /// Every preset, smallest first.
    pub const ALL: [Size; 3] = [Size::Tiny, Size::Small, Size::Full];

    /// The name `--size` takes.
    pub fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Small => "small",
            Size::Full => "full",
        }
    }
}

/// The shortest generator options that make exactly `spec`: a `--size` preset and the
/// options where `spec` differs from it (`["--size", "small", "--seed", "7"]`; nothing for
/// the full preset). The manifest records them, so that every "run this" hint repeats them.
pub fn generator_args(spec: &Spec) -> Vec<String> {
    let args_from = |size: Size| {
        let preset = size.spec();
        let mut args = Vec::new();
        if size != Size::Full {
            args.extend(["--size".to_string(), size.name().to_string()]);
        }
        let mut option = |name: &str, differs: bool, value: String| {
            if differs {
                args.extend([name.to_string(), value]);
            }
        };
        option("--seed", spec.seed != preset.seed, spec.seed.to_string());
        option(
            "--symbols",
            spec.symbols != preset.symbols,
            spec.symbols.join(","),
        );
        option(
            "--start",
            spec.start != preset.start,
            spec.start.to_string(),
        );
        option("--end", spec.end != preset.end, spec.end.to_string());
        option(
            "--json-days",
            spec.json_days != preset.json_days,
            spec.json_days.to_string(),
        );
        args
    };
    Size::ALL
        .into_iter()
        .map(args_from)
        .min_by_key(Vec::len)
        .unwrap_or_default()
}

/// Weekdays from `start` to `end` inclusive, less New Year's Day, Independence Day and
/// Christmas when they fall on a weekday: a simplified exchange calendar.
pub fn trading_days(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|d| !matches!((d.month(), d.day()), (1, 1) | (7, 4) | (12, 25)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_skips_weekends_and_holidays() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let days = trading_days(d(2015, 12, 24), d(2016, 1, 5));
        let expected = [
            d(2015, 12, 24),
            d(2015, 12, 28),
            d(2015, 12, 29),
            d(2015, 12, 30),
            d(2015, 12, 31),
            d(2016, 1, 4),
            d(2016, 1, 5),
        ];
        assert_eq!(days, expected);
    }

    #[test]
    fn generator_args_repeat_the_spec() {
        assert!(generator_args(&Size::Full.spec()).is_empty());
        assert_eq!(generator_args(&Size::Small.spec()), ["--size", "small"]);
        let mut spec = Size::Small.spec();
        spec.seed = 7;
        assert_eq!(generator_args(&spec), ["--size", "small", "--seed", "7"]);
    }

    #[test]
    fn tickers_are_unique_and_sorted() {
        assert!(SYMBOLS.windows(2).all(|w| w[0].ticker < w[1].ticker));
        assert_eq!(symbol_index("aapl"), Some(1));
    }
}
