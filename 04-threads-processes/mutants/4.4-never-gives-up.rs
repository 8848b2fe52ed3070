//! No attempt limit: a task that kills every worker is retried for ever.
//! Caught by: ex4_4_gives_up_on_a_task_that_kills_every_worker
pub fn run_pool(
    start: &StartWorker,
    workers: usize,
    tasks: &[Task],
) -> Result<Vec<Output>, PoolError> {
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    // Start every worker before any work: a program that cannot start fails here, at once.
    let started = (0..workers.min(tasks.len()))
        .map(|_| start())
        .collect::<Result<Vec<_>, _>>()?;
    let shared = MutantShared {
        queue: std::sync::Mutex::new((0..tasks.len()).collect()),
        outputs: std::sync::Mutex::new(vec![None; tasks.len()]),
        attempts: std::sync::Mutex::new(vec![0; tasks.len()]),
        failure: std::sync::Mutex::new(None),
    };
    std::thread::scope(|s| {
        for worker in started {
            let shared = &shared;
            s.spawn(move || shared.drive(worker, start, tasks));
        }
    });
    if let Some(error) = mutant_lock(&shared.failure).take() {
        return Err(error);
    }
    let outputs = shared
        .outputs
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    Ok(outputs
        .into_iter()
        .map(|output| output.expect("every task either ran or failed the pool"))
        .collect())
}

/// What the pool's threads share.
struct MutantShared {
    /// Task numbers not yet done (nor being done).
    queue: std::sync::Mutex<std::collections::VecDeque<usize>>,
    outputs: std::sync::Mutex<Vec<Option<Output>>>,
    /// How many workers each task has taken down.
    attempts: std::sync::Mutex<Vec<usize>>,
    /// The first error; once set, every thread stops taking tasks.
    failure: std::sync::Mutex<Option<PoolError>>,
}

impl MutantShared {
    /// One pool thread: feeds its worker tasks from the queue until the queue is empty. A
    /// lost worker's task goes back into the queue and the thread starts a fresh worker.
    fn drive(&self, worker: crate::pool::Worker, start: &StartWorker, tasks: &[Task]) {
        let mut worker = Some(worker);
        while mutant_lock(&self.failure).is_none() {
            let Some(i) = mutant_lock(&self.queue).pop_front() else {
                return;
            };
            let current = match worker.take() {
                Some(w) => worker.insert(w),
                None => match start() {
                    Ok(w) => worker.insert(w),
                    Err(e) => return self.fail(e),
                },
            };
            match current.call(i as u64, &tasks[i]) {
                Ok(output) => mutant_lock(&self.outputs)[i] = Some(output),
                Err(lost) => {
                    worker = None; // dropping a lost worker kills and reaps it
                    let attempts = {
                        let mut attempts = mutant_lock(&self.attempts);
                        attempts[i] += 1;
                        attempts[i]
                    };
                    if attempts >= usize::MAX {
                        return self.fail(PoolError::TaskFailed { task: i, attempts });
                    }
                    eprintln!("{lost}; task {i} goes to another worker");
                    mutant_lock(&self.queue).push_back(i);
                }
            }
        }
    }

    fn fail(&self, error: PoolError) {
        mutant_lock(&self.failure).get_or_insert(error);
    }
}

fn mutant_lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
