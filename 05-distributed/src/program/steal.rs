//! Table 6: work stealing. A batch all given to one worker (its window holds it), a second
//! worker joining at once: with stealing it takes part of the batch; without, it idles.

use std::time::Duration;

use shared::report::{Comparison, fmt_count};

use super::RunArgs;
use crate::answers::Answers;
use crate::cluster::LocalCluster;
use crate::scheduler::Config;
use crate::tasks::Sleep;

/// Tasks of the batch, and how long each sleeps: sleeps, so that the table measures where
/// tasks run, not how fast this machine's cores are.
const TASKS: usize = 1000;
const SLEEP: Duration = Duration::from_millis(1);

/// One batch: `TASKS` sleeps on one in-process worker whose window holds them all, then a
/// second worker; returns the tasks the second one ran and those stolen.
fn late_joiner(answers: Answers, steal: bool) -> Result<(u64, u64), String> {
    let config = Config {
        depth: TASKS as u32,
        steal,
        ..Config::default()
    };
    let cluster = LocalCluster::start(answers, 1, config).map_err(|e| e.to_string())?;
    let client = cluster.client().map_err(|e| e.to_string())?;
    let sleeps = vec![SLEEP.as_micros() as u64; TASKS];
    let futures = cluster.block_on(client.map::<Sleep>(&sleeps));
    // The batch is on worker 1 before worker 2 comes: a round trip on the client's own
    // connection, then the state (the assignment follows the submission in the same round).
    cluster
        .block_on(client.workers())
        .map_err(|e| e.to_string())?;
    let _ = cluster.snapshot();
    cluster.add_worker(answers, 1);
    cluster.wait_for_workers(2)?;
    let bar = shared::progress::ProgressBar::hidden();
    cluster
        .block_on(answers.gather(futures, &bar))
        .map_err(|e| e.to_string())?;
    let snapshot = cluster.snapshot().ok_or("the scheduler stopped")?;
    let late = snapshot.workers.get(1).map_or(0, |w| w.done);
    Ok((late, snapshot.counters.stolen))
}

/// The table: the batch with stealing off and on, interleaved.
pub(super) fn stealing(answers: Answers, args: &RunArgs) -> anyhow::Result<Vec<String>> {
    let mut table = Comparison::new(
        format!(
            "Work stealing: {} tasks of {} ms given to one worker, a second joining at once \
             (in-process workers of 1 thread)",
            fmt_count(TASKS as u64),
            SLEEP.as_millis()
        ),
        args.runs,
    )
    .check_output(|outcome: &Result<(u64, u64), String>| match outcome {
        Ok(_) => "every task ran".to_string(),
        Err(err) => err.clone(),
    });
    let variants: Vec<shared::report::Variant<'_, Result<(u64, u64), String>>> = vec![
        (
            "no stealing".into(),
            "given".into(),
            Box::new(|| late_joiner(answers, false)),
        ),
        (
            "stealing".into(),
            "given".into(),
            Box::new(|| late_joiner(answers, true)),
        ),
    ];
    let outputs = table.interleaved(variants);
    if let [Some(Ok((off, _))), Some(Ok((on, stolen)))] = &outputs[..] {
        table.note(format!(
            "The late worker ran {off} tasks without stealing and {on} with it ({stolen} \
             taken back from the first worker's queue), in the last run of each."
        ));
    }
    println!("{}", table.finish());
    Ok(table.problems().to_vec())
}
