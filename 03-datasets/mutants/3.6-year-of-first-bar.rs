//! Each file's stats filed under the year of its first bar ("a file is one day").
//! Caught by: ex3_6_takes_each_bars_year_from_that_bar
pub fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
    let mut all = files
        .par_iter()
        .fold(YearlyStats::default, |mut acc, path| {
            let symbol = crate::frame::symbol_of(path).unwrap_or_default().to_string();
            let mut first_year = None;
            let mut stats = crate::frame::Stats::EMPTY;
            let read = shared::read::for_each_close(path, |timestamp, close| {
                use chrono::Datelike;
                first_year.get_or_insert(timestamp.date().year());
                stats.push(close);
            });
            match (read, first_year) {
                (Ok(_), Some(y)) => {
                    let into = acc.stats.entry((symbol, y)).or_default();
                    mutant_merge(into, &stats);
                }
                (Ok(_), None) => {}
                (Err(e), _) => acc.errors.push(e),
            }
            on_file(path);
            acc
        })
        .reduce(YearlyStats::default, |mut a, b| {
            for (key, stats) in b.stats {
                mutant_merge(a.stats.entry(key).or_default(), &stats);
            }
            a.errors.extend(b.errors);
            a
        });
    all.errors.sort_by(|a, b| a.path().cmp(b.path()));
    all
}

use rayon::prelude::*;

fn mutant_merge(into: &mut crate::frame::Stats, other: &crate::frame::Stats) {
    into.count += other.count;
    into.sum += other.sum;
    into.min = into.min.min(other.min);
    into.max = into.max.max(other.max);
}
