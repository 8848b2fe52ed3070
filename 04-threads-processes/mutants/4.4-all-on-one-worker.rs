//! Every worker started, but every task run on the first one, one after the other.
//! Caught by: ex4_4_runs_tasks_on_several_workers_at_once
pub fn run_pool(
    start: &StartWorker,
    workers: usize,
    tasks: &[Task],
) -> Result<Vec<Output>, PoolError> {
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    let mut started = (0..workers.min(tasks.len()))
        .map(|_| start())
        .collect::<Result<Vec<_>, _>>()?;
    let mut outputs = Vec::with_capacity(tasks.len());
    for (i, task) in tasks.iter().enumerate() {
        let mut attempts = 0;
        loop {
            if started.is_empty() {
                started.push(start()?);
            }
            match started[0].call(i as u64, task) {
                Ok(output) => {
                    outputs.push(output);
                    break;
                }
                Err(_) => {
                    started.remove(0);
                    attempts += 1;
                    if attempts >= crate::pool::MAX_ATTEMPTS {
                        return Err(PoolError::TaskFailed { task: i, attempts });
                    }
                }
            }
        }
    }
    Ok(outputs)
}
