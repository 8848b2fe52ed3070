//! `cargo run --release -p data --bin data-chart`: draws two charts of the generated data, to
//! look at before analysing it.
//!
//! 1. A week of one symbol's 2-minute closes (`{SYM}-week.png`).
//! 2. The correlation of every pair of symbols' daily returns, grouped by sector
//!    (`sectors.png`): stocks of one sector move together, by construction.
//!
//! The charts land in the dataset folder unless `--out` names another.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Parser;
use data::model::daily_bars;
use data::spec::{SYMBOLS, Sector};
use shared::chart::{Heatmap, LineChart, Series, heatmap, line_chart};
use shared::stats::{log_returns, pearson};
use shared::{Bar, Dataset};

/// Draw charts of the generated dataset.
#[derive(Debug, Parser)]
struct Args {
    /// Symbol whose week to draw.
    #[arg(long, default_value = "AAPL")]
    symbol: String,
    /// Trading days to draw, from the last ones in the dataset (at least 1).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    days: u16,
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
    let command = "cargo run --release -p data --bin data-chart";
    if let Some(warning) = shared::report::debug_build_warning(command) {
        eprintln!("{warning}");
    }
    let dataset = Dataset::locate()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| dataset.root().to_path_buf());
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    println!(
        "{}",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let week = week_chart(&dataset, &args.symbol, usize::from(args.days), &out)?;
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
        dates.first().map_or("", String::as_str),
        dates.last().map_or("", String::as_str)
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
            y_ticks: None,
        },
    )?;
    Ok(path)
}

/// The correlation of every pair of symbols' daily log returns, symbols grouped by sector:
/// blocks of warmer colour along the diagonal are sectors whose stocks move together.
/// Daily closes come from the generator's model, which the files' last bar of each day
/// reproduces exactly, so the chart needs no pass over the minute files.
fn sector_chart(dataset: &Dataset, out: &Path) -> anyhow::Result<PathBuf> {
    let plan = data::Plan::new(&dataset.manifest().spec)?;
    let mut symbols = plan.symbols.clone();
    symbols.sort_by_key(|&s| (SYMBOLS[s].sector as usize, SYMBOLS[s].ticker));
    let returns: Vec<Vec<f64>> = symbols
        .iter()
        .map(|&s| {
            let closes: Vec<f64> = daily_bars(plan.spec.seed, s, &plan.days)
                .iter()
                .map(|bar| bar.close as f64)
                .collect();
            log_returns(&closes)
        })
        .collect();
    let values: Vec<Vec<f64>> = returns
        .iter()
        .map(|a| {
            returns
                .iter()
                .map(|b| pearson(a, b).unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let columns: Vec<String> = symbols.iter().map(|&s| SYMBOLS[s].ticker.into()).collect();
    let rows: Vec<String> = symbols
        .iter()
        .map(|&s| format!("{} {}", SYMBOLS[s].ticker, sector_tag(SYMBOLS[s].sector)))
        .collect();
    let path = out.join("sectors.png");
    let title = format!(
        "Correlation of daily returns, {} to {}, grouped by sector",
        plan.days.first().map_or(String::new(), |d| d.to_string()),
        plan.days.last().map_or(String::new(), |d| d.to_string()),
    );
    heatmap(
        &path,
        &Heatmap {
            title: &title,
            x_label: "",
            y_label: "",
            columns: &columns,
            rows: &rows,
            values: &values,
        },
    )?;
    Ok(path)
}

/// A short tag for a sector, for the chart's labels.
fn sector_tag(sector: Sector) -> &'static str {
    match sector {
        Sector::Technology => "tech",
        Sector::Financials => "fin",
        Sector::HealthCare => "health",
        Sector::Energy => "energy",
        Sector::Utilities => "util",
        Sector::Industrials => "indus",
        Sector::Consumer => "cons",
    }
}
