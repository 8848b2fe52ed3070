//! Each file's mean close, averaged per date: every symbol's file weighs the same, whatever its bars.
//! Caught by: ex3_4_gives_the_mean_close_of_each_date_as_a_naive_loop_does
pub fn daily_mean_close(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
    use rayon::prelude::*;
    let means = files
        .par_iter()
        .map(|path| {
            let bars = shared::read::read_csv(path)?;
            on_file(path);
            let mut sums: BTreeMap<NaiveDate, (f64, u32)> = BTreeMap::new();
            for bar in &bars {
                let entry = sums.entry(bar.timestamp.date()).or_default();
                entry.0 += bar.close;
                entry.1 += 1;
            }
            Ok(sums
                .into_iter()
                .map(|(d, (s, n))| (d, vec![s / f64::from(n)]))
                .collect::<BTreeMap<NaiveDate, Vec<f64>>>())
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            for (d, m) in b {
                a.entry(d).or_default().extend(m);
            }
            Ok(a)
        })?;
    Ok(means
        .into_iter()
        .map(|(d, m)| (d, m.iter().sum::<f64>() / m.len() as f64))
        .collect())
}
