//! Which answers to run: yours, with the reference's in place of each exercise not done yet.

use shared::answers::Check;
use shared::progress::ProgressBar;

use crate::answers::Answers;
use crate::client::promise;
use crate::protocol::{ClientId, Job, NewTask, TaskId, WorkerId};
use crate::scheduler::State;
use crate::state::Candidate;
use crate::tasks::{Context, Noop, Task};

/// Calls each of `answers` once on a tiny input and returns them with the reference's in
/// place of each that panics (not done yet), so that the program runs, and says so on stderr
/// unless `quiet`, before all four are written.
pub fn probe(answers: Answers, quiet: bool) -> Answers {
    let id = TaskId {
        client: ClientId(1),
        n: 0,
    };
    let checks: Vec<Check> = vec![
        Box::new(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            let job = Job::new(id, Noop::NAME, Vec::new());
            tx.send(job).expect("room for one");
            drop(tx);
            answers.execute(&rx, &Context::new("probe"), &mut |_| true);
        }),
        Box::new(|| {
            let (done, future) = promise::<()>(id, Noop::NAME);
            done.resolve(&());
            let _ =
                futures::executor::block_on(answers.gather(vec![future], &ProgressBar::hidden()));
        }),
        Box::new(|| {
            let mut state = State::new(1);
            state.worker_joined(WorkerId(1), "probe".into(), 1);
            let task = NewTask {
                id,
                name: Noop::NAME.into(),
                args: Vec::new(),
                needs: None,
                pin: None,
                inputs: None,
                keep: false,
            };
            state.submit(id.client, vec![task]);
            state.assign();
            answers.worker_lost(&mut state, WorkerId(1));
        }),
        Box::new(|| {
            let worker = Candidate {
                id: WorkerId(1),
                room: true,
                load: 0,
            };
            (answers.choose_worker())(&[], &[worker]);
        }),
    ];
    answers.probed(checks, quiet)
}
