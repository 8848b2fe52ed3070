//! The reference answers to lesson 6: the same functions as `exercise.rs`, solved.

use market::files::symbol_of;
use market::strategy::{Scored, Window};
use shared::Bar;
use timely::dataflow::StreamVec;
use timely::dataflow::operators::Exchange;
use timely::dataflow::operators::vec::Map;

use crate::engine::aggregate_by_key;
use crate::records::{BadInput, Day, GroupBy, Problem, Read, Score};

// ANCHOR: daily_bars
/// Exercise 6.1: each file's days where the file was read, then an exchange by symbol
/// that brings a symbol's days to one worker, which sorts them once all have arrived.
pub fn daily_bars<'scope>(
    files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
    // Summarise before the exchange: a day crosses the network, not its 390 bars.
    let days = files.flat_map(|(symbol, bars)| {
        days_of(&bars)
            .into_iter()
            .map(move |day| (symbol.clone(), day))
    });
    aggregate_by_key(days, "DailyBars", |days: &mut Vec<Day>, day| days.push(day)).map(
        |(symbol, mut days)| {
            days.sort_by_key(|day| day.date);
            (symbol, days)
        },
    )
}

/// The days of some bars in time order: one per date.
fn days_of(bars: &[Bar]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for bar in bars {
        let date = bar.timestamp.date();
        match days.last_mut() {
            Some(day) if day.date == date => {
                day.high = day.high.max(bar.high);
                day.low = day.low.min(bar.low);
                day.close = bar.close;
                day.volume += bar.volume;
            }
            _ => days.push(Day {
                date,
                open: bar.open,
                high: bar.high,
                low: bar.low,
                close: bar.close,
                volume: bar.volume,
            }),
        }
    }
    days
}
// ANCHOR_END: daily_bars

// ANCHOR: scores
/// Exercise 6.2: an exchange by index deals the windows out to the workers like cards
/// (timely routes by the index modulo the number of workers); each worker scores its own.
pub fn scores<'scope>(
    windows: StreamVec<'scope, u64, (usize, Window)>,
    years: usize,
    score: Score,
) -> StreamVec<'scope, u64, (usize, Scored)> {
    windows
        .exchange(|&(index, _)| index as u64)
        .map(move |(index, window)| {
            let per_year: Vec<f64> = (0..years).map(|year| score(window, year)).collect();
            // Summed in year order, like lesson 3: the same bits on any layout.
            let mean = per_year.iter().sum::<f64>() / years.max(1) as f64;
            let scored = Scored {
                window,
                per_year,
                mean,
            };
            (index, scored)
        })
}
// ANCHOR_END: scores

// ANCHOR: split
/// Exercise 6.3, in the dataflow: one stream of results, read twice (`clone`), once for
/// the good files and once for the problems. The worker's number is known where the
/// dataflow is built, and each problem carries it.
#[allow(clippy::type_complexity)]
pub fn split<'scope>(
    read: StreamVec<'scope, u64, Read>,
) -> (
    StreamVec<'scope, u64, (String, Vec<Bar>)>,
    StreamVec<'scope, u64, Problem>,
) {
    let worker = read.scope().index();
    let results = read.map(move |Read { path, bars }| {
        let problem = |line, error| Problem {
            worker,
            file: path.clone(),
            line,
            error,
        };
        match (symbol_of(&path), bars) {
            (Some(symbol), Ok(bars)) => Ok((symbol.to_string(), bars)),
            (None, _) => Err(problem(None, "not in a symbol's folder".into())),
            (_, Err(unreadable)) => Err(problem(unreadable.line, unreadable.error)),
        }
    });
    let good = results.clone().flat_map(Result::ok);
    let problems = results.flat_map(Result::err);
    (good, problems)
}
// ANCHOR_END: split

// ANCHOR: settle
/// Exercise 6.3, at worker 0: this answer skips and reports. One bad file out of
/// thousands should not throw away an hour of cluster time; the report says which file,
/// where, and which worker saw it, and the program exits with an error after printing
/// the rest.
pub fn settle(days: Vec<(String, Vec<Day>)>, problems: Vec<Problem>) -> Result<GroupBy, BadInput> {
    Ok(GroupBy {
        symbols: days.into_iter().collect(),
        skipped: problems,
    })
}
// ANCHOR_END: settle
