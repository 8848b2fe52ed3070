//! The pairs computed with rayon, not submitted to the given pool: right answer, the pool unused.
//! Caught by: ex2_2_submits_every_pair_with_a_clone_of_the_arc
pub fn correlations_submit(series: &Arc<Vec<Vec<f64>>>, pool: &ThreadPool) -> Vec<Correlation> {
    use rayon::prelude::*;
    let _ = pool;
    let all: Vec<(usize, usize)> = crate::correlate::pairs(series.len()).collect();
    all.par_iter()
        .map(|&(a, b)| crate::correlate::correlate(series, a, b))
        .collect()
}
