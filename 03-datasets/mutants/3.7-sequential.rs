//! The search in two plain loops, on one thread: the right answer, no parallelism.
//! Caught by: ex3_7_evaluates_on_several_threads_at_once
pub fn search<F>(candidates: &[Window], years: usize, score: F) -> Search
where
    F: Fn(Window, usize) -> f64 + Sync,
{
    let scored: Vec<crate::strategy::Scored> = candidates
        .iter()
        .map(|&window| {
            let per_year: Vec<f64> = (0..years).map(|y| score(window, y)).collect();
            let mean = per_year.iter().sum::<f64>() / years.max(1) as f64;
            crate::strategy::Scored { window, per_year, mean }
        })
        .collect();
    let folds = if years < 2 {
        Vec::new()
    } else {
        (0..years)
            .filter_map(|held_out| mutant_fold(&scored, held_out))
            .collect()
    };
    Search { scored, folds }
}


fn mutant_fold(scored: &[crate::strategy::Scored], held_out: usize) -> Option<crate::strategy::Fold> {
    let train = |s: &crate::strategy::Scored| {
        let sum: f64 = (s.per_year.iter().enumerate())
            .filter(|&(y, _)| y != held_out)
            .map(|(_, v)| v)
            .sum();
        sum / (s.per_year.len() - 1) as f64
    };
    let mut best: Option<(&crate::strategy::Scored, f64)> = None;
    for s in scored {
        let t = train(s);
        if best.is_none_or(|(_, b)| t > b) {
            best = Some((s, t));
        }
    }
    best.map(|(s, train)| crate::strategy::Fold {
        held_out,
        chosen: s.window,
        train,
        validation: s.per_year[held_out],
    })
}
