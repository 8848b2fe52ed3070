//! Which answers to run: yours, with the reference's in place of each exercise not done yet.

use std::sync::Arc;

use shared::answers::Check;
use timely::dataflow::operators::vec::ToStream;

use crate::answers::Answers;
use crate::job::Score;

/// Builds each of `answers` once in a throwaway dataflow (6.3: and calls `settle`) and
/// returns them with the reference's in place of each that panics (not done yet), with a
/// line on stderr unless `quiet`. Every process decides the same, so all build the same
/// dataflow.
pub fn probe(answers: Answers, quiet: bool) -> Answers {
    let checks: Vec<Check> = vec![
        Box::new(move || {
            timely::execute_directly(move |worker| {
                worker.dataflow::<u64, _, _>(|scope| {
                    answers.daily_bars(Vec::new().to_stream(scope));
                })
            })
        }),
        Box::new(move || {
            timely::execute_directly(move |worker| {
                worker.dataflow::<u64, _, _>(|scope| {
                    let score: Score = Arc::new(|_, _| 0.0);
                    answers.scores(Vec::new().to_stream(scope), 1, score);
                })
            })
        }),
        Box::new(move || {
            timely::execute_directly(move |worker| {
                worker.dataflow::<u64, _, _>(|scope| {
                    answers.split(Vec::new().to_stream(scope));
                })
            });
            let _ = answers.settle(Vec::new(), Vec::new());
        }),
    ];
    answers.probed(checks, quiet)
}
