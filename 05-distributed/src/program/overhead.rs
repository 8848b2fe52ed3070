//! Table 1: empty tasks, what the scheduler costs per task, with the dashboard open and with
//! the workers in this process for comparison.

use shared::report::{Comparison, Variant, fmt_count};

use super::RunArgs;
use super::processes::{ProcessCluster, map_gather, processes};
use crate::answers::Answers;
use crate::client::ClientError;
use crate::cluster::LocalCluster;
use crate::scheduler::Config;
use crate::tasks::Noop;

/// Runs batches of `args.tasks` empty tasks on `one` and `many` worker processes, on a
/// cluster of as many with its dashboard followed, and on workers in this process; prints the
/// table and returns its problems.
pub(super) fn empty_tasks(
    answers: Answers,
    args: &RunArgs,
    [one, many]: [&ProcessCluster; 2],
    config: Config,
) -> anyhow::Result<Vec<String>> {
    let workers = many.workers();
    let watched = ProcessCluster::start_with(answers, workers, config, true)?;
    let watched_name = format!("{}, dashboard open", processes(workers));
    let noops = vec![(); args.tasks];
    let mut overhead = Comparison::new(
        format!(
            "Empty tasks: {} per batch, submitted with map and gathered",
            fmt_count(args.tasks as u64)
        ),
        args.runs,
    )
    .with_items(args.tasks as u64, "tasks/s")
    .check_output(|outputs: &Result<Vec<()>, ClientError>| match outputs {
        Ok(outputs) => format!("{} results", fmt_count(outputs.len() as u64)),
        Err(err) => err.to_string(),
    });
    let in_process = LocalCluster::start(answers, workers, config)?;
    let in_process_client = in_process.client()?;
    let on =
        |cluster: &ProcessCluster| cluster.run(|c| map_gather::<Noop>(answers, c, &noops, None));
    let variants: Vec<Variant<Result<Vec<()>, ClientError>>> = vec![
        (processes(1), "5.1 + 5.2".into(), Box::new(|| on(one))),
        (
            processes(workers),
            "5.1 + 5.2".into(),
            Box::new(|| on(many)),
        ),
        (
            watched_name.clone(),
            "5.1 + 5.2".into(),
            Box::new(|| on(&watched)),
        ),
        (
            format!("{workers} workers in this process (tokio tasks + threads)"),
            "5.1 + 5.2".into(),
            Box::new(|| {
                in_process.block_on(map_gather::<Noop>(
                    answers,
                    &in_process_client,
                    &noops,
                    None,
                ))
            }),
        ),
    ];
    overhead.interleaved(variants);
    for name in [processes(1), processes(workers)] {
        if let Some(median) = overhead.median(&name) {
            let micros = median.as_secs_f64() * 1e6 / args.tasks as f64;
            overhead.note(format!("{name}: {micros:.2} µs per task (median)."));
        }
    }
    if let (Some(open), Some(closed)) = (
        overhead.median(&watched_name),
        overhead.median(&processes(workers)),
    ) {
        overhead.note(format!(
            "With the dashboard open, the rate is {:.1}% of the rate without (medians): the \
             scheduler feeds it through a bounded channel and never waits for it.",
            100.0 * closed.as_secs_f64() / open.as_secs_f64()
        ));
    }
    overhead.note(
        "dask.distributed on the same machine (2 worker processes, 1 thread each, 10,000 \
         no-op tasks, map + gather): see the book's section 5.5 and \
         scripts/compare/05-distributed.py.",
    );
    println!("{}", overhead.finish());
    Ok(overhead.problems().to_vec())
}
