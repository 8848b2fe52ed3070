//! `send`'s false ignored: the loop runs on for a connection that is gone.
//! Caught by: ex5_1_the_loop_stops_when_send_fails
pub fn execute(
    jobs: &Receiver<Job>,
    worker: &Context,
    send: &mut dyn FnMut(Vec<Finished>) -> bool,
) {
    let mut batch = Vec::new();
    while let Ok(job) = jobs.recv() {
        batch.push(Finished {
            id: job.id,
            result: mutant_run(&job, worker),
        });
        if jobs.is_empty() || batch.len() >= crate::worker::MAX_BATCH {
            send(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        send(batch);
    }
}

fn mutant_run(job: &Job, worker: &Context) -> Result<Vec<u8>, crate::protocol::TaskError> {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    match crate::tasks::REGISTRY.get(&job.name) {
        None => Err(crate::protocol::TaskError::UnknownTask(job.name.clone())),
        Some(run) => catch_unwind(AssertUnwindSafe(|| run(&job.args, worker))).unwrap_or_else(|p| {
            Err(crate::protocol::TaskError::Panicked {
                worker: worker.worker.clone(),
                message: shared::panic::panic_message(p.as_ref()).to_string(),
            })
        }),
    }
}
