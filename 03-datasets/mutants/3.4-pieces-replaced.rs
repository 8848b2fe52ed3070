//! Each thread's sums merged with `extend`: a date's pieces from other threads are replaced, not added.
//! Caught by: ex3_4_gives_the_mean_close_of_each_date_as_a_naive_loop_does
pub fn daily_mean_close(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
    use rayon::prelude::*;
    let sums = files
        .par_iter()
        .try_fold(BTreeMap::new, |mut sums: BTreeMap<NaiveDate, (f64, u64)>, path| {
            let bars = shared::read::read_csv(path)?;
            on_file(path);
            for bar in bars {
                let entry = sums.entry(bar.timestamp.date()).or_default();
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
        .map(|(d, (s, n))| (d, s / n as f64))
        .collect())
}
