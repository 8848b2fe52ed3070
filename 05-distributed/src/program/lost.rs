//! Table 5: a worker process killed mid-batch, and every result still comes once.

use std::time::Instant;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use shared::progress::ClearOnDrop;
use shared::report::Table;

use super::RunArgs;
use super::processes::ProcessCluster;
use crate::answers::Answers;
use crate::scheduler::Config;
use crate::tasks::Sleep;

/// Kills one of `workers` worker processes (SIGKILL) after a tenth of a batch of sleeping
/// tasks has come back, and checks that every result still comes, once.
pub(super) fn lost_worker(
    answers: Answers,
    args: &RunArgs,
    workers: usize,
    config: Config,
) -> anyhow::Result<Vec<String>> {
    let mut cluster = ProcessCluster::start(answers, workers, config)?;
    let tasks = args.lost_tasks.max(10);
    let kill_at = tasks / 10;
    let sleeps = vec![1000_u64; tasks];
    let start = Instant::now();
    let pid = cluster.processes.pids()[0];
    let (mut ids, mut failed, mut killed_after) = (Vec::new(), Vec::new(), None);
    {
        let cluster = &mut cluster;
        let client = &cluster.client;
        let futures = cluster.cluster.block_on(client.map::<Sleep>(&sleeps));
        let mut arriving: FuturesUnordered<_> = futures
            .into_iter()
            .map(|future| async move { (future.id().n, future.await) })
            .collect();
        let bar = ClearOnDrop(shared::progress::items(tasks as u64, "tasks"));
        while let Some((n, outcome)) = cluster.cluster.block_on(arriving.next()) {
            bar.inc(1);
            ids.push(n);
            if let Err(err) = outcome {
                failed.push(err.to_string());
            }
            if ids.len() == kill_at {
                cluster.processes.kill(0)?;
                killed_after = Some(start.elapsed());
            }
        }
    }
    let elapsed = start.elapsed();
    let counters = cluster
        .cluster
        .snapshot()
        .map(|s| s.counters)
        .unwrap_or_default();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut table = Table::new(["", "value"]).with_title(format!(
        "A worker killed mid-batch: {tasks} tasks of 1 ms on {workers} worker processes, \
         worker {pid} killed (SIGKILL) after {kill_at} results"
    ));
    table
        .row(["results", &format!("{} of {tasks}", ids.len())])
        .row(["distinct tasks among them", &unique.len().to_string()])
        .row(["failed", &failed.len().to_string()])
        .row(["tasks re-run elsewhere", &counters.rerun.to_string()])
        .row(["workers lost", &counters.workers_lost.to_string()])
        .row([
            "killed at / batch took",
            &format!(
                "{} / {}",
                shared::report::fmt_duration(killed_after.unwrap_or_default()),
                shared::report::fmt_duration(elapsed)
            ),
        ]);
    println!("{table}");
    let mut problems = Vec::new();
    if ids.len() != tasks || unique.len() != tasks || !failed.is_empty() {
        problems.push(format!(
            "lost worker: {} results for {tasks} tasks ({} distinct, {} failed{})",
            ids.len(),
            unique.len(),
            failed.len(),
            failed.first().map(|f| format!(": {f}")).unwrap_or_default()
        ));
    }
    Ok(problems)
}
