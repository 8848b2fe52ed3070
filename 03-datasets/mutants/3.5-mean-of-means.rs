//! Each file's bucket means, averaged when merged: a week's mean weighs each file alike, not each bar.
//! Caught by: ex3_5_resamples_weekly_across_files_threads_and_years
pub fn resample_close(
    files: &[PathBuf],
    period: Period,
    on_file: &OnFile,
) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
    files
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
            Ok(sums
                .into_iter()
                .map(|(t, (s, n))| (t, s / f64::from(n)))
                .collect::<BTreeMap<Timestamp, f64>>())
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            for (t, mean) in b {
                let merged = match a.get(&t) {
                    Some(m) => (m + mean) / 2.0,
                    None => mean,
                };
                a.insert(t, merged);
            }
            Ok(a)
        })
}

use rayon::prelude::*;
