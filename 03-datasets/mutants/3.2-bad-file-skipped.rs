//! A file that cannot be read is skipped: the answer comes back `Ok`, the error is lost.
//! Caught by: ex3_2_reports_a_bad_file_with_its_line
pub fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError> {
    use rayon::prelude::*;
    let merge = |a: Option<MaxHigh>, b: Option<MaxHigh>| match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) if a.high > b.high => Some(a),
        (Some(a), Some(b)) if a.high < b.high => Some(b),
        (Some(mut a), Some(b)) => {
            a.dates.extend(b.dates);
            a.dates.sort_unstable();
            a.dates.dedup();
            Some(a)
        }
    };
    Ok(files
        .par_iter()
        .filter_map(|path| {
            let bars = shared::read::read_csv(path).ok()?;
            on_file(path);
            Some(bars.iter().fold(None, |m, bar| {
                merge(m, Some(MaxHigh { high: bar.high, dates: vec![bar.timestamp.date()] }))
            }))
        })
        .reduce(|| None, merge))
}
