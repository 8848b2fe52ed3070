//! `cargo run --release -p data --bin data-chart`: draws two charts of the generated data, to
//! look at before analysing it.
//!
//! 1. A week of one symbol's 2-minute closes (`{SYM}-week.png`).
//! 2. Daily closes of two technology and two financial stocks, each divided by its first
//!    close, over the whole dataset (`sectors.png`): peers move together, by construction.
//!
//! The charts land in the dataset folder unless `--out` names another.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Parser;
use shared::chart::{LineChart, Series, line_chart};
use shared::{Bar, Dataset};

/// Draw charts of the generated dataset.
#[derive(Debug, Parser)]
struct Args {
    /// Symbol whose week to draw.
    #[arg(long, default_value = "AAPL")]
    symbol: String,
    /// Trading days to draw, from the last ones in the dataset.
    #[arg(long, default_value_t = 5)]
    days: usize,
    /// Folder for the PNG files. Default: the dataset folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let dataset = Dataset::locate()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| dataset.root().to_path_buf());
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let week = week_chart(&dataset, &args.symbol, args.days, &out)?;
    println!("wrote {}", week.display());
    let sectors = sector_chart(&dataset, &out)?;
    println!("wrote {}", sectors.display());
    Ok(())
}

fn read_days(files: &[PathBuf]) -> anyhow::Result<Vec<Vec<Bar>>> {
    files
        .iter()
        .map(|f| Ok(shared::read::read_csv(f)?))
        .collect()
}

fn week_chart(dataset: &Dataset, symbol: &str, days: usize, out: &Path) -> anyhow::Result<PathBuf> {
    let files = dataset.minute_files(symbol);
    if files.is_empty() {
        bail!(
            "no minute files for {symbol:?} in {}; the symbols are {}",
            dataset.root().display(),
            dataset.symbols().join(", ")
        );
    }
    let files = &files[files.len().saturating_sub(days)..];
    let bars = read_days(files)?;
    // x = day number + time of day as a fraction of the 8-hour session: no overnight gaps.
    let session = 8.0 * 3600.0;
    let points = bars.iter().enumerate().flat_map(|(d, day)| {
        day.iter().map(move |b| {
            (
                d as f64 + (f64::from(b.timestamp.seconds_of_day()) - 9.0 * 3600.0) / session,
                b.close,
            )
        })
    });
    let series = [Series {
        name: symbol.to_string(),
        points: points.collect(),
    }];
    let dates: Vec<String> = bars
        .iter()
        .map(|day| day[0].timestamp.date().format("%a %d %b").to_string())
        .collect();
    let ticks = |x: f64| {
        if x.fract().abs() < 1e-9 {
            dates.get(x as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let title = format!(
        "{symbol}: 2-minute closes, {} to {}",
        dates[0],
        dates[dates.len() - 1]
    );
    let path = out.join(format!("{symbol}-week.png"));
    line_chart(
        &path,
        &LineChart {
            title: &title,
            x_label: "trading day (09:00 to 17:00)",
            y_label: "close ($)",
            series: &series,
            x_ticks: Some(&ticks),
        },
    )?;
    Ok(path)
}

fn sector_chart(dataset: &Dataset, out: &Path) -> anyhow::Result<PathBuf> {
    let wanted = ["AAPL", "GOOG", "JPM", "USB"];
    let mut series = Vec::new();
    let mut dates = Vec::new();
    for symbol in wanted
        .iter()
        .filter(|s| dataset.symbols().iter().any(|t| t == *s))
    {
        let days = read_days(&dataset.minute_files(symbol))?;
        dates = days
            .iter()
            .map(|day| day[0].timestamp.date().format("%Y-%m").to_string())
            .collect();
        let base = days[0][days[0].len() - 1].close;
        let points = days
            .iter()
            .enumerate()
            .map(|(d, day)| (d as f64, day[day.len() - 1].close / base));
        series.push(Series {
            name: symbol.to_string(),
            points: points.collect(),
        });
    }
    let ticks = |x: f64| dates.get(x.max(0.0) as usize).cloned().unwrap_or_default();
    let path = out.join("sectors.png");
    let chart = LineChart {
        title: "Daily closes / first close: technology (AAPL, GOOG) and financials (JPM, USB)",
        x_label: "date",
        y_label: "close / first close",
        series: &series,
        x_ticks: Some(&ticks),
    };
    line_chart(&path, &chart)?;
    Ok(path)
}
