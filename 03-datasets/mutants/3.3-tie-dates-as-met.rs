//! A tie's dates kept in the order they were met, neither sorted nor each once.
//! Caught by: ex3_3_lists_every_date_of_a_tie_once_and_in_order
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
                let y = crate::frame::year(&bar);
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
            a
        }
    }
}
