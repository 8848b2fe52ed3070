//! Which answers to run: yours, with the reference's in place of each exercise not done yet.

use std::sync::Arc;

use shared::report::catch_quietly;
use timely::dataflow::operators::vec::ToStream;

use crate::answers::Answers;
use crate::job::Score;

/// Builds each of `answers` once in a throwaway dataflow (6.3: and calls `settle`) and
/// returns them with the reference's in place of each that panics (not done yet), with a
/// line on stderr unless `quiet`. Every process decides the same, so all build the same
/// dataflow.
pub fn probe(answers: Answers, quiet: bool) -> Answers {
    type Check = (&'static str, Box<dyn FnOnce()>);
    let checks: [Check; 3] = [
        (
            "6.1",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        answers.daily_bars(Vec::new().to_stream(scope));
                    })
                })
            }),
        ),
        (
            "6.2",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        let score: Score = Arc::new(|_, _| 0.0);
                        answers.scores(Vec::new().to_stream(scope), 1, score);
                    })
                })
            }),
        ),
        (
            "6.3",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        answers.split(Vec::new().to_stream(scope));
                    })
                });
                let _ = answers.settle(Vec::new(), Vec::new());
            }),
        ),
    ];
    let mut picked = answers;
    for (m, (exercise, check)) in (1..).zip(checks) {
        if let Err(message) = catch_quietly(check) {
            picked = picked.with_reference(m);
            if !quiet {
                eprintln!("{}", shared::report::reference_note(exercise, &message));
            }
        }
    }
    picked
}
