//! The max high kept with the date of the first bar that reached it: a tie's other dates lost.
//! Caught by: ex3_2_lists_every_date_of_a_tie_once_and_in_order
pub fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError> {
    use rayon::prelude::*;
    let best = |a: Option<MaxHigh>, b: Option<MaxHigh>| match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(if b.high > a.high { b } else { a }),
    };
    files
        .par_iter()
        .map(|path| {
            let bars = shared::read::read_csv(path)?;
            on_file(path);
            Ok(bars.iter().fold(None, |m, bar| {
                best(m, Some(MaxHigh { high: bar.high, dates: vec![bar.timestamp.date()] }))
            }))
        })
        .try_reduce(|| None, |a, b| Ok(best(a, b)))
}
