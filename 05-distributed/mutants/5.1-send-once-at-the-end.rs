//! Every result kept until the job channel closes, then sent in one batch: nothing is sent while the loop runs.
//! Caught by: ex5_1_a_result_is_sent_while_no_other_job_waits, ex5_1_the_loop_stops_when_send_fails
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
    }
    send(batch);
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
