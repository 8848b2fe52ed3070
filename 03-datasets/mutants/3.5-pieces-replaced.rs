//! A bucket's pieces from two files: the later one replaces the earlier (`insert`, not add).
//! Caught by: ex3_5_resamples_weekly_across_files_threads_and_years
pub fn resample_close(
    files: &[PathBuf],
    period: Period,
    on_file: &OnFile,
) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
    let sums = files
        .par_iter()
        .map(|path| {
            let bars = shared::read::read_csv(path)?;
            on_file(path);
            let mut sums: BTreeMap<Timestamp, (f64, u32)> = BTreeMap::new();
            for bar in &bars {
                let entry = sums.entry(period.start(bar.timestamp)).or_default();
                entry.0 += bar.close;
                entry.1 += 1;
            }
            Ok(sums)
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            a.extend(b);
            Ok(a)
        })?;
    Ok(sums
        .into_iter()
        .map(|(t, (s, n))| (t, s / f64::from(n)))
        .collect())
}

use rayon::prelude::*;
