//! The process pool's tables: threads against processes, and a crashed worker.

use super::*;

/// Table 4.4: threads against the process pool, for tiny tasks and large ones, then a
/// worker that crashes mid-task.
pub(super) fn print_pool(answers: Answers, cx: &Setup, args: &Args) -> anyhow::Result<Vec<String>> {
    let workers = args.workers.unwrap_or(cx.cores).max(1);
    let command = WorkerCommand::this_program()
        .context("cannot find this program's own path to start workers")?;
    let tiny: Vec<Task> = (0..args.tiny_tasks)
        .map(|i| Task::Sum((0..16).map(|k| (i * 16 + k) as f64).collect()))
        .collect();
    let large: Vec<Task> = (0..args.large_tasks)
        .map(|i| Task::Simulate {
            seed: i as u64,
            paths: 2_000,
            steps: 390,
        })
        .collect();
    let mut problems = Vec::new();
    for (what, tasks) in [
        ("tiny tasks: sums of 16 numbers", &tiny),
        (
            "large tasks: 2,000 simulated days of 390 minutes each",
            &large,
        ),
    ] {
        let title = format!(
            "4.4 {} {what}, on {workers} threads or {workers} worker processes",
            fmt_count(tasks.len() as u64)
        );
        let mut table = Comparison::new(title, cx.runs)
            .with_items(tasks.len() as u64, "tasks/s")
            .check_output(|o: &Vec<Output>| outputs_summary(o));
        let threads: Variant<Vec<Output>> = (
            "threads (rayon)".into(),
            "given".into(),
            Box::new(|| {
                run_threads(tasks, workers)
                    .unwrap_or_else(|e| panic!("cannot start {workers} threads: {e}"))
            }),
        );
        let processes: Variant<Vec<Output>> = (
            "worker processes".into(),
            "4.4".into(),
            Box::new(|| {
                answers
                    .run_pool(&|| command.start(), workers, tasks)
                    .unwrap_or_else(|e| panic!("{e}"))
            }),
        );
        table.interleaved(vec![threads, processes]);
        if let (Some(threads), Some(pool)) = (
            table.median("threads (rayon)"),
            table.median("worker processes"),
        ) {
            let per_task = |d: Duration| d.as_secs_f64() / tasks.len().max(1) as f64;
            let extra = per_task(pool) - per_task(threads);
            table.note(if extra > 0.0 {
                format!(
                    "The processes cost {} more per task: the job and its output are encoded, written to a pipe, read and decoded (and the workers started).",
                    fmt_duration(Duration::from_secs_f64(extra))
                )
            } else {
                "No cost per task shows at this size: the work dwarfs the frames.".to_string()
            });
        }
        println!("{}", table.finish());
        problems.extend_from_slice(table.problems());
    }
    problems.extend(print_crash(answers, cx, &command, workers, &large));
    Ok(problems)
}

/// The isolation demo: the first worker to get job 5 aborts; the pool must carry on.
fn print_crash(
    answers: Answers,
    cx: &Setup,
    command: &WorkerCommand,
    workers: usize,
    tasks: &[Task],
) -> Vec<String> {
    let job = 5.min(tasks.len().saturating_sub(1));
    let marker = cx.out.join(format!("abort-once-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut crashing = command.clone();
    crashing
        .envs
        .push((ABORT_ONCE_ENV.into(), format!("{job}:{}", marker.display())));
    println!(
        "4.4 Isolation: the first worker to get job {job} aborts (as a crash in native code would)."
    );
    let expected = run_threads(tasks, workers).ok();
    let outcome =
        shared::report::catch_quietly(|| answers.run_pool(&|| crashing.start(), workers, tasks));
    let aborted = marker.exists();
    let _ = std::fs::remove_file(&marker);
    let problem = match outcome {
        Err(message) if shared::panic::is_todo(&message) => {
            println!("  not done yet.\n");
            return Vec::new();
        }
        Err(message) => Some(format!("the pool panicked: {message}")),
        Ok(Err(e)) => Some(format!("the pool gave up: {e}")),
        Ok(Ok(outputs)) if Some(&outputs) != expected.as_ref() => Some(format!(
            "{} outputs for {} tasks, not the threads' outputs",
            outputs.len(),
            tasks.len()
        )),
        Ok(Ok(outputs)) => {
            println!(
                "  a worker {} job {job}; the pool gave {} outputs for {} tasks, the same as the threads', and the parent carried on.\n",
                if aborted {
                    "aborted on"
                } else {
                    "did not abort on (fewer tasks than 6?)"
                },
                outputs.len(),
                tasks.len()
            );
            None
        }
    };
    match problem {
        Some(problem) => {
            println!("  problem: {problem}\n");
            vec![format!("4.4 isolation: {problem}")]
        }
        None => Vec::new(),
    }
}

/// What two runs of the same tasks share exactly: how many outputs, and every value.
fn outputs_summary(outputs: &[Output]) -> String {
    let values: Vec<f64> = outputs
        .iter()
        .flat_map(|o| match *o {
            Output::Sum(x) => vec![x],
            Output::Simulated { mean, p5 } => vec![mean, p5],
        })
        .collect();
    let total: f64 = values.iter().sum();
    format!(
        "{} outputs, total {total:e}, last {:?}",
        outputs.len(),
        outputs.last()
    )
}
