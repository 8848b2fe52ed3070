//! Exercise 3.7: the parameter search, its folds, and the heatmap of its grid.

use std::collections::BTreeMap;
use std::path::Path;

use shared::chart::Heatmap;
use shared::report::{Comparison, Table, fmt_count};

use crate::answers::Answers;
use crate::strategy::{
    FASTS, SLOWS, Search, Window, closes_by_year, grid, log_spaced, sample, score,
};

use super::{Args, Setup, on, one_and_all};

/// Exercise 3.7: the grid and the random sample, cross-validated over the years.
pub(super) fn print_search(
    answers: Answers,
    cx: &Setup,
    args: &Args,
) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.minute_files(&args.symbol);
    let years = closes_by_year(&files)?;
    if years.len() < 2 {
        // Cross-validation picks on some years and scores on a held-out one: with one year
        // there is nothing to hold out, and a table of it would print an answer it has not.
        println!(
            "3.7 Parameter search skipped: it cross-validates over the years (picks on all \
             but one, scores on that one), and the dataset in {} has {} year(s) of {}. A \
             dataset of several years: `cargo run --release -p data` (the default size).\n",
            cx.dataset.root().display(),
            years.len(),
            args.symbol
        );
        return Ok(Vec::new());
    }
    let names: Vec<String> = years.iter().map(|(y, _)| y.to_string()).collect();
    let closes: Vec<&[f64]> = years.iter().map(|(_, c)| c.as_slice()).collect();
    let score_of = |window: Window, year: usize| score(closes[year], window);
    let (fasts, slows) = (
        log_spaced(FASTS.0, FASTS.1, args.grid),
        log_spaced(SLOWS.0, SLOWS.1, args.grid),
    );
    let candidates = grid(&fasts, &slows);
    let mut problems = Vec::new();

    let mut comparison = Comparison::new(
        format!(
            "3.7 Parameter search on {}: {} window pairs × {} years = {} evaluations",
            args.symbol,
            candidates.len(),
            years.len(),
            fmt_count((candidates.len() * years.len()) as u64)
        ),
        cx.runs,
    )
    .with_items((candidates.len() * years.len()) as u64, "evaluations/s")
    .check_output(|s: &Search| summarise_search(s));
    let found = one_and_all(&mut comparison, cx.threads, "3.7", || {
        answers.search(&candidates, years.len(), score_of)
    });
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    let Some(found) = found else {
        return Ok(problems);
    };
    let chart = cx.out.join("search-heatmap.png");
    heatmap(&chart, &found, &fasts, &slows)?;
    print_folds(&format!("grid of {}", candidates.len()), &found, &names);
    println!(
        "Heatmap of the mean validation score: {}\n",
        chart.display()
    );

    let sampled = sample(FASTS, SLOWS, args.samples, args.seed);
    let found = on(cx.threads, || {
        answers.search(&sampled, years.len(), score_of)
    });
    print_folds(
        &format!("random sample of {} (seed {})", sampled.len(), args.seed),
        &found,
        &names,
    );
    Ok(problems)
}

fn summarise_search(s: &Search) -> String {
    let best = s
        .scored
        .iter()
        .max_by(|a, b| a.mean.total_cmp(&b.mean))
        .map(|b| format!("{:?} {:.6}", b.window, b.mean));
    let folds: Vec<String> = s
        .folds
        .iter()
        .map(|f| format!("{}:{}/{}", f.held_out, f.chosen.fast, f.chosen.slow))
        .collect();
    format!(
        "{} scored, best {}, folds {}",
        s.scored.len(),
        best.unwrap_or_default(),
        folds.join(" ")
    )
}

/// The folds of a search as a table, and the overfitting they reveal.
fn print_folds(what: &str, found: &Search, years: &[String]) {
    let Some(best) = found.scored.iter().max_by(|a, b| a.mean.total_cmp(&b.mean)) else {
        return;
    };
    let mut table = Table::new([
        "held-out year",
        "chosen on the other years (fast/slow bars)",
        "train score",
        "validation score",
    ])
    .with_title(format!(
        "Cross-validation, {what}: each year held out in turn"
    ));
    for fold in &found.folds {
        table.row([
            years.get(fold.held_out).cloned().unwrap_or_default(),
            format!("{}/{}", fold.chosen.fast, fold.chosen.slow),
            format!("{:.2}", fold.train),
            format!("{:.2}", fold.validation),
        ]);
    }
    let validation =
        found.folds.iter().map(|f| f.validation).sum::<f64>() / found.folds.len().max(1) as f64;
    table.note(format!(
        "Best pair over all years: fast {} / slow {} bars, mean Sharpe {:.2}. Picked on other years and scored on the held-out one, the search's own choice averages {:.2}: the gap is how much the best score owes to luck.",
        best.window.fast, best.window.slow, best.mean, validation
    ));
    println!("{table}");
}

/// Draws the mean validation score of every grid cell.
fn heatmap(path: &Path, found: &Search, fasts: &[usize], slows: &[usize]) -> anyhow::Result<()> {
    let mean: BTreeMap<Window, f64> = found.scored.iter().map(|s| (s.window, s.mean)).collect();
    let values: Vec<Vec<f64>> = slows
        .iter()
        .map(|&slow| {
            fasts
                .iter()
                .map(|&fast| {
                    mean.get(&Window { fast, slow })
                        .copied()
                        .unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect();
    shared::chart::heatmap(
        path,
        &Heatmap {
            title: "Mean annualised Sharpe ratio over held-out years",
            x_label: "fast window (2-minute bars)",
            y_label: "slow window (bars)",
            columns: &fasts.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            rows: &slows.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            values: &values,
        },
    )?;
    Ok(())
}
