//! Each bar filed under the year in its file's name (`2015-12-31.csv`), not its own timestamp's.
//! Caught by: ex3_3_takes_the_year_from_the_bars_not_the_file_name
pub fn max_high_by_year(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<i32, MaxHigh>, ReadError> {
    files
        .par_iter()
        .try_fold(BTreeMap::new, |mut years, path| {
            let bars = shared::read::read_csv(path)?;
            on_file(path);
            for bar in bars {
                let y: i32 = (path.file_name().and_then(|n| n.to_str()))
                    .and_then(|n| n.get(..4))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let one = MaxHigh {
                    high: bar.high,
                    dates: vec![bar.timestamp.date()],
                };
                let best = mutant_higher(years.remove(&y), one);
                years.insert(y, best);
            }
            Ok(years)
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            for (y, best) in b {
                let merged = mutant_higher(a.remove(&y), best);
                a.insert(y, merged);
            }
            Ok(a)
        })
}

use rayon::prelude::*;

fn mutant_higher(a: Option<MaxHigh>, b: MaxHigh) -> MaxHigh {
    match a {
        None => b,
        Some(a) if a.high > b.high => a,
        Some(a) if a.high < b.high => b,
        Some(mut a) => {
            a.dates.extend(b.dates);
            a.dates.sort_unstable();
            a.dates.dedup();
            a
        }
    }
}
