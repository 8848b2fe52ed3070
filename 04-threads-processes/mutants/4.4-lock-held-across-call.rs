//! A thread per worker, but each holds the queue's lock while its worker runs the task.
//! Caught by: ex4_4_runs_tasks_on_several_workers_at_once
pub fn run_pool(
    start: &StartWorker,
    workers: usize,
    tasks: &[Task],
) -> Result<Vec<Output>, PoolError> {
    use std::collections::VecDeque;
    use std::sync::Mutex;
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    let started = (0..workers.min(tasks.len()))
        .map(|_| start())
        .collect::<Result<Vec<_>, _>>()?;
    let queue: Mutex<(VecDeque<usize>, Vec<usize>)> =
        Mutex::new(((0..tasks.len()).collect(), vec![0; tasks.len()]));
    let outputs: Mutex<Vec<Option<Output>>> = Mutex::new(vec![None; tasks.len()]);
    let failure: Mutex<Option<PoolError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for worker in started {
            let (queue, outputs, failure) = (&queue, &outputs, &failure);
            s.spawn(move || {
                let mut worker = Some(worker);
                loop {
                    let mut queue = queue.lock().unwrap();
                    if failure.lock().unwrap().is_some() {
                        return;
                    }
                    let Some(i) = queue.0.pop_front() else {
                        return;
                    };
                    let current = match worker.take() {
                        Some(w) => worker.insert(w),
                        None => match start() {
                            Ok(w) => worker.insert(w),
                            Err(e) => {
                                *failure.lock().unwrap() = Some(e);
                                return;
                            }
                        },
                    };
                    match current.call(i as u64, &tasks[i]) {
                        Ok(output) => outputs.lock().unwrap()[i] = Some(output),
                        Err(_) => {
                            worker = None;
                            queue.1[i] += 1;
                            if queue.1[i] >= crate::pool::MAX_ATTEMPTS {
                                let attempts = queue.1[i];
                                *failure.lock().unwrap() =
                                    Some(PoolError::TaskFailed { task: i, attempts });
                                return;
                            }
                            queue.0.push_back(i);
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().unwrap() {
        return Err(error);
    }
    Ok(outputs
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("every task ran"))
        .collect())
}
