//! A file that cannot be read is skipped: its error never reaches `errors`.
//! Caught by: ex3_6_reports_bad_files_with_their_lines_and_aggregates_the_others
pub fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
    let mut all = files
        .par_iter()
        .fold(YearlyStats::default, |mut acc, path| {
            let symbol = crate::frame::symbol_of(path).unwrap_or_default().to_string();
            let mut years: Vec<(i32, crate::frame::Stats)> = Vec::new();
            let read = shared::read::for_each_close(path, |timestamp, close| {
                use chrono::Datelike;
                let y = timestamp.date().year();
                match years.last_mut() {
                    Some((last, stats)) if *last == y => stats.push(close),
                    _ => {
                        let mut stats = crate::frame::Stats::EMPTY;
                        stats.push(close);
                        years.push((y, stats));
                    }
                }
            });
            if read.is_ok() {
                for (y, stats) in years {
                    mutant_merge(acc.stats.entry((symbol.clone(), y)).or_default(), &stats);
                }
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
