//! Every window scored where it entered, on worker 0: no exchange spreads them.
//! Caught by: ex6_2_two_workers_each_score_a_share_once, ex6_2_two_processes_share_the_scoring
pub fn scores<'scope>(
    windows: StreamVec<'scope, u64, (usize, Window)>,
    years: usize,
    score: Score,
) -> StreamVec<'scope, u64, (usize, Scored)> {
    use timely::dataflow::operators::vec::Map;
    windows.map(move |(index, window)| {
        let per_year: Vec<f64> = (0..years).map(|year| score(window, year)).collect();
        let mean = per_year.iter().sum::<f64>() / years.max(1) as f64;
        (index, Scored { window, per_year, mean })
    })
}
