//! The mean as the sum of each score divided by the years: the same number on paper, other bits.
//! Caught by: ex6_2_means_are_summed_in_year_order_then_divided
pub fn scores<'scope>(
    windows: StreamVec<'scope, u64, (usize, Window)>,
    years: usize,
    score: Score,
) -> StreamVec<'scope, u64, (usize, Scored)> {
    use timely::dataflow::operators::Exchange;
    use timely::dataflow::operators::vec::Map;
    windows
        .exchange(|&(index, _)| index as u64)
        .map(move |(index, window)| {
            let per_year: Vec<f64> = (0..years).map(|year| score(window, year)).collect();
            let mean = per_year.iter().map(|s| s / years as f64).sum::<f64>();
            (index, Scored { window, per_year, mean })
        })
}
