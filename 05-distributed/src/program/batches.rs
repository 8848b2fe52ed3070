//! Table 4: the cost of a task against the size of its batch, and its chart.

use std::time::Duration;

use shared::chart::{LineChart, Series};
use shared::progress::ProgressBar;
use shared::report::{Table, fmt_count, time_runs};

use super::RunArgs;
use super::processes::ProcessCluster;
use crate::answers::Answers;
use crate::client::ClientError;
use crate::tasks::Noop;

/// Times batches of 1 to 10,000 empty tasks on each cluster, prints µs per task and draws
/// them: a batch pays one round trip however many tasks it holds.
pub(super) fn batch_sizes(
    answers: Answers,
    args: &RunArgs,
    clusters: &[(&ProcessCluster, String)],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    const SIZES: [usize; 5] = [1, 10, 100, 1_000, 10_000];
    let mut table = Table::new(
        std::iter::once("tasks per batch".to_string()).chain(
            clusters
                .iter()
                .map(|(_, name)| format!("{name}: µs per task")),
        ),
    )
    .with_title(format!(
        "µs per empty task against the batch size (map + gather; median of {} runs)",
        args.runs
    ));
    let mut series: Vec<Series> = clusters
        .iter()
        .map(|(_, name)| Series {
            name: name.to_string(),
            points: Vec::new(),
        })
        .collect();
    let mut timings = Vec::new();
    for size in SIZES {
        // Small batches run many times over, so that each measurement lasts milliseconds.
        let repeat = (2_000 / size).max(1);
        let noops = &vec![(); size];
        let mut row = vec![fmt_count(size as u64)];
        for ((cluster, _), line) in clusters.iter().zip(&mut series) {
            let (timing, outcome) = time_runs(args.runs, || {
                cluster.run(|client| async move {
                    for _ in 0..repeat {
                        let futures = client.map::<Noop>(noops).await;
                        answers.gather(futures, &ProgressBar::hidden()).await?;
                    }
                    Ok::<(), ClientError>(())
                })
            });
            outcome?;
            let per_task = |d: Duration| d.as_secs_f64() * 1e6 / (size * repeat) as f64;
            let micros = per_task(timing.median());
            let (min, max) = timing.spread();
            row.push(match timing.runs.len() {
                1 => format!("{micros:.1}"),
                _ => format!("{micros:.1} ({:.1}–{:.1})", per_task(min), per_task(max)),
            });
            line.points.push(((size as f64).log10(), micros.log10()));
            timings.push((format!("{} tasks, {}", size, line.name), timing));
        }
        table.row(row);
    }
    if args.runs > 1 {
        table.note("In brackets: the fastest and the slowest run, in µs per task.");
    }
    let rows: Vec<_> = timings.iter().map(|(name, t)| (name.as_str(), t)).collect();
    if let Some(warning) = shared::report::doubts_note(&rows, &[]) {
        table.note(warning);
    }
    println!("{table}");
    draw(&series, &out.join("batch-size.png"))
}

/// Draws µs per task against the batch size, log-log, one line per cluster.
fn draw(series: &[Series], chart: &std::path::Path) -> anyhow::Result<()> {
    // The axes are log10 of the values; their ticks show the values.
    let power_of_ten = |x: f64| {
        let value = 10f64.powf(x);
        if value >= 10.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        }
    };
    shared::chart::line_chart(
        chart,
        &LineChart {
            title: "Cost of an empty task against the size of its batch (log-log)",
            x_label: "tasks per batch (log scale)",
            y_label: "µs per task (log scale)",
            series,
            x_ticks: Some(&power_of_ten),
            y_ticks: Some(&power_of_ten),
        },
    )?;
    println!("Chart: {}\n", chart.display());
    Ok(())
}
