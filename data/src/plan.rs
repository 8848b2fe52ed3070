//! What a spec means on disk: its symbols and trading days checked ([`Plan`]), each file's
//! path, and each symbol's files rendered in memory.

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use shared::dataset::{FileRecord, Spec};

use crate::format;
use crate::model::{BARS_PER_DAY, DailyBar, MinuteBar, daily_bars, minute_bars};
use crate::spec::{SYMBOLS, symbol_index, trading_days};

use crate::error::{GenerateError, SpecError};

/// A checked spec, with its symbols as indexes into [`SYMBOLS`] and its trading days.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub spec: Spec,
    pub symbols: Vec<usize>,
    pub days: Vec<NaiveDate>,
}

impl Plan {
    pub fn new(spec: &Spec) -> Result<Plan, SpecError> {
        let mut symbols = Vec::with_capacity(spec.symbols.len());
        for ticker in &spec.symbols {
            let index =
                symbol_index(ticker).ok_or_else(|| SpecError::UnknownSymbol(ticker.clone()))?;
            if symbols.contains(&index) {
                return Err(SpecError::DuplicateSymbol(ticker.clone()));
            }
            symbols.push(index);
        }
        if symbols.is_empty() {
            return Err(SpecError::NoSymbols);
        }
        if spec.json_days == 0 {
            return Err(SpecError::NoJsonDays);
        }
        for date in [spec.start, spec.end] {
            if !(0..=9999).contains(&date.year()) {
                return Err(SpecError::DateOutOfRange(date));
            }
        }
        let days = trading_days(spec.start, spec.end);
        if days.is_empty() {
            return Err(SpecError::NoTradingDays(spec.start, spec.end));
        }
        // Store canonical tickers so `aapl` and `AAPL` make the same manifest.
        let spec = Spec {
            symbols: symbols
                .iter()
                .map(|&i| SYMBOLS[i].ticker.to_string())
                .collect(),
            ..spec.clone()
        };
        Ok(Plan {
            spec,
            symbols,
            days,
        })
    }

    /// Number of files in the dataset: one JSON file per symbol, one CSV per symbol-day.
    pub fn file_count(&self) -> u64 {
        (self.symbols.len() * (1 + self.days.len())) as u64
    }

    /// About how many bytes the dataset takes: CSV and JSON bytes per bar measured on the
    /// full dataset (54.4 and 107.5), so within a few percent for any spec.
    pub fn estimated_bytes(&self) -> u64 {
        let days = self.days.len() as u64;
        let json_days = days.min(self.spec.json_days as u64);
        let per_symbol = BARS_PER_DAY as u64 * (days * 544 + json_days * 1075) / 10;
        self.symbols.len() as u64 * per_symbol
    }

    fn first_json_day(&self) -> usize {
        self.days.len().saturating_sub(self.spec.json_days)
    }
}

pub(crate) fn json_rel(ticker: &str) -> String {
    format!("json/{ticker}.json")
}

pub(crate) fn minute_rel(ticker: &str, date: NaiveDate) -> String {
    format!("minute/{ticker}/{date}.csv")
}

/// Receives each rendered file: its path relative to the dataset root, and its bytes.
type Emit<'a> = &'a (dyn Fn(&str, &[u8]) -> Result<(), GenerateError> + Sync);

/// Renders the files of the symbol at `position` in the plan that `wanted` asks for, and hands
/// each to `emit` with its bytes. Returns the records of the files it rendered, JSON first.
pub(crate) fn render_symbol(
    plan: &Plan,
    position: usize,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    emit: Emit,
) -> Result<Vec<FileRecord>, GenerateError> {
    let symbol = plan.symbols[position];
    let json_path = json_rel(SYMBOLS[symbol].ticker);
    let json_wanted = wanted(&json_path);
    let first_json_day = plan.first_json_day();
    let days = daily_bars(plan.spec.seed, symbol, &plan.days);
    let per_day: Vec<(Option<FileRecord>, Vec<u8>)> = days
        .par_iter()
        .enumerate()
        // A day is ~50 µs of work: hand rayon a few at a time so splitting costs nothing.
        .with_min_len(8)
        .map_init(Scratch::new, |scratch, (d, day)| {
            let json_day = json_wanted && d >= first_json_day;
            render_day(plan.spec.seed, symbol, day, json_day, wanted, emit, scratch)
        })
        .collect::<Result<_, GenerateError>>()?;

    let mut records = Vec::with_capacity(per_day.len() + 1);
    if json_wanted {
        // The JSON file is the last days' chunks, in date order.
        let chunks: Vec<&[u8]> = per_day.iter().map(|(_, chunk)| chunk.as_slice()).collect();
        let json = chunks.concat();
        emit(&json_path, &json)?;
        let rows = (plan.days.len() - first_json_day) * BARS_PER_DAY;
        records.push(FileRecord {
            path: json_path,
            bytes: json.len() as u64,
            rows: rows as u64,
        });
    }
    records.extend(per_day.into_iter().filter_map(|(record, _)| record));
    Ok(records)
}

/// One rayon thread's buffers, reused from day to day.
struct Scratch {
    bars: [MinuteBar; BARS_PER_DAY],
    csv: Vec<u8>,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            bars: [MinuteBar::default(); BARS_PER_DAY],
            csv: Vec::with_capacity(16 << 10),
        }
    }
}

/// One day of one symbol: its CSV file handed to `emit` (if `wanted`) with its record, and
/// its lines of the JSON file (if `json_day`), returned for the caller to join in order.
fn render_day(
    seed: u64,
    symbol: usize,
    day: &DailyBar,
    json_day: bool,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    emit: Emit,
    scratch: &mut Scratch,
) -> Result<(Option<FileRecord>, Vec<u8>), GenerateError> {
    let path = minute_rel(SYMBOLS[symbol].ticker, day.date);
    let csv_wanted = wanted(&path);
    if !csv_wanted && !json_day {
        return Ok((None, Vec::new()));
    }
    let Scratch { bars, csv } = scratch;
    minute_bars(seed, symbol, day, bars);
    let mut json = Vec::new();
    if json_day {
        json.reserve(BARS_PER_DAY * 110);
        format::json_lines(day.date, &bars[..], &mut json);
    }
    let mut record = None;
    if csv_wanted {
        csv.clear();
        format::csv_file(day.date, &bars[..], csv);
        emit(&path, csv)?;
        record = Some(FileRecord {
            path,
            bytes: csv.len() as u64,
            rows: BARS_PER_DAY as u64,
        });
    }
    Ok((record, json))
}
