//! Charts the lessons write next to their data: line charts and heatmaps, as PNG or SVG.
//!
//! The file type follows the extension (`.png` or `.svg`). Text is drawn with the DejaVu Sans
//! font shipped in `shared/assets`, so charts need no system font libraries. Charts are
//! written atomically, like every other output of the course.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic::temp_path;

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A line chart: several series over a shared x axis.
pub struct LineChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
    /// Turns an x value into its tick label (e.g. a day number into a date); `None` prints it.
    pub x_ticks: Option<&'a dyn Fn(f64) -> String>,
    /// The same for the y axis (e.g. `10^y` on a log scale).
    pub y_ticks: Option<&'a dyn Fn(f64) -> String>,
}

/// A heatmap: `values[row][column]`, rows drawn bottom to top.
pub struct Heatmap<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub columns: &'a [String],
    pub rows: &'a [String],
    pub values: &'a [Vec<f64>],
}

/// Drawing or saving a chart failed.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot draw chart {path}: {message}")]
    Draw { path: PathBuf, message: String },
    #[error("chart {path}: unknown file type; use a .png or .svg name")]
    Extension { path: PathBuf },
}

const SIZE: (u32, u32) = (1000, 600);
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws `chart` into `path` (`.png` or `.svg`).
pub fn line_chart(path: &Path, chart: &LineChart) -> Result<(), ChartError> {
    render(path, |area| area.lines(chart))
}

/// Draws `map` into `path` (`.png` or `.svg`). A map with no cells, or no finite value to
/// colour, is an error: there would be no colour range to draw.
pub fn heatmap(path: &Path, map: &Heatmap) -> Result<(), ChartError> {
    let finite = map.values.iter().flatten().any(|v| v.is_finite());
    if map.rows.is_empty() || map.columns.is_empty() || !finite {
        return Err(ChartError::Draw {
            path: path.into(),
            message: format!(
                "a heatmap of {} × {} cells with no finite value has nothing to colour",
                map.rows.len(),
                map.columns.len()
            ),
        });
    }
    render(path, |area| area.heat(map))
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn render(path: &Path, draw: impl Fn(&dyn Canvas) -> DrawResult) -> Result<(), ChartError> {
    register_font();
    let tmp = temp_path(path).with_extension(path.extension().unwrap_or_default());
    let error = |message: String| ChartError::Draw {
        path: path.into(),
        message,
    };
    let drawn = match path.extension().and_then(|e| e.to_str()) {
        Some("png") => draw(&BitMapBackend::new(&tmp, SIZE).into_drawing_area()),
        Some("svg") => draw(&SVGBackend::new(&tmp, SIZE).into_drawing_area()),
        _ => return Err(ChartError::Extension { path: path.into() }),
    };
    let result = drawn
        .map_err(|e| error(e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| error(e.to_string())));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The two backends behind one object-safe face, so each chart is drawn by one function.
trait Canvas {
    fn lines(&self, chart: &LineChart) -> DrawResult;
    fn heat(&self, map: &Heatmap) -> DrawResult;
}

impl<DB: DrawingBackend> Canvas for DrawingArea<DB, Shift>
where
    DB::ErrorType: 'static,
{
    fn lines(&self, chart: &LineChart) -> DrawResult {
        self.fill(&WHITE)?;
        let (xs, ys) = bounds(chart.series);
        let mut ctx = ChartBuilder::on(self)
            .caption(chart.title, ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(xs, ys)?;
        let default_ticks = |x: &f64| tidy(*x);
        let ticks = |x: &f64| chart.x_ticks.map_or_else(|| default_ticks(x), |f| f(*x));
        let y_ticks = |y: &f64| chart.y_ticks.map_or_else(|| default_ticks(y), |f| f(*y));
        ctx.configure_mesh()
            .x_desc(chart.x_label)
            .y_desc(chart.y_label)
            .x_label_formatter(&ticks)
            .y_label_formatter(&y_ticks)
            .x_labels(8)
            .draw()?;
        for (i, series) in chart.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            ctx.draw_series(LineSeries::new(
                series.points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(series.name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        if chart.series.len() > 1 {
            ctx.configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
        self.present()?;
        Ok(())
    }

    fn heat(&self, map: &Heatmap) -> DrawResult {
        self.fill(&WHITE)?;
        let (rows, cols) = (map.rows.len() as i32, map.columns.len() as i32);
        let finite = map
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (lo, hi) = if lo < hi {
            (lo, hi)
        } else {
            (lo - 1.0, lo + 1.0)
        };
        let (plot, legend) = self.split_horizontally(SIZE.0 - 110);
        // Column names wider than their cells (29 tickers side by side) would run together
        // at the size of the row names: then they are drawn smaller, to fit their cells.
        let widest = map
            .columns
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        let cell = (SIZE.0 - 110 - 80 - 30) as usize / map.columns.len().max(1);
        let x_size = if widest * 8 > cell { 9 } else { 12 };
        let mut ctx = ChartBuilder::on(&plot)
            .caption(map.title, ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d((0..cols).into_segmented(), (0..rows).into_segmented())?;
        // Segmented axes put each label at the middle of its cell, not on its edge.
        let label = |names: &[String], i: &SegmentValue<i32>| match i {
            SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        ctx.configure_mesh()
            .disable_mesh()
            .x_desc(map.x_label)
            .y_desc(map.y_label)
            .x_labels(map.columns.len())
            .y_labels(map.rows.len())
            .label_style(("sans-serif", 12))
            .x_label_style(("sans-serif", x_size))
            .x_label_formatter(&|i| label(map.columns, i))
            .y_label_formatter(&|i| label(map.rows, i))
            .draw()?;
        let color = |v: f64| match v.is_finite() {
            true => ViridisRGB::get_color_normalized(v, lo, hi),
            false => RGBColor(220, 220, 220),
        };
        ctx.draw_series(map.values.iter().enumerate().flat_map(|(r, row)| {
            row.iter().enumerate().map(move |(c, &v)| {
                let (r, c) = (r as i32, c as i32);
                let (from, to) = (SegmentValue::Exact(c), SegmentValue::Exact(r));
                let (c1, r1) = (SegmentValue::Exact(c + 1), SegmentValue::Exact(r + 1));
                Rectangle::new([(from, to), (c1, r1)], color(v).filled())
            })
        }))?;
        draw_color_scale(&legend, lo..hi, &color)?;
        self.present()?;
        Ok(())
    }
}

fn draw_color_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    range: Range<f64>,
    color: &dyn Fn(f64) -> RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut ctx = ChartBuilder::on(area)
        .margin_top(70)
        .margin_bottom(60)
        .margin_right(10)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..1.0, range.clone())?;
    ctx.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_style(("sans-serif", 14))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    let steps = 100;
    let step = (range.end - range.start) / steps as f64;
    ctx.draw_series((0..steps).map(|i| {
        let v = range.start + step * i as f64;
        Rectangle::new([(0.0, v), (1.0, v + step)], color(v + step / 2.0).filled())
    }))?;
    Ok(())
}

/// A tick value without binary floating-point noise: 40.400000000000006 → "40.4".
fn tidy(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" => "0".to_string(),
        text => text.to_string(),
    }
}

fn bounds(series: &[Series]) -> (Range<f64>, Range<f64>) {
    let points = || {
        series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    let span = |values: &mut dyn Iterator<Item = f64>, pad: f64| {
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if !lo.is_finite() {
            return 0.0..1.0;
        }
        let margin = if hi > lo { (hi - lo) * pad } else { 1.0 };
        lo - margin..hi + margin
    };
    (
        span(&mut points().map(|p| p.0), 0.0),
        span(&mut points().map(|p| p.1), 0.05),
    )
}

fn register_font() {
    static FONT: Once = Once::new();
    FONT.call_once(|| {
        let bytes = include_bytes!("../assets/DejaVuSans.ttf");
        // The font is compiled in and known to be valid; the test below checks it.
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .ok()
            .expect("bundled font parses");
    });
}

#[cfg(test)]
mod tests {

    #[test]
    fn ticks_read_without_floating_point_noise() {
        assert_eq!(tidy(40.400000000000006), "40.4");
        assert_eq!(tidy(40.0), "40");
        assert_eq!(tidy(-0.0000001), "0");
        assert_eq!(tidy(1_500_000.0), "1500000");
        assert_eq!(tidy(0.125), "0.125");
    }

    use super::*;

    #[test]
    fn draws_png_and_svg_line_charts_and_a_heatmap() {
        let dir = tempfile::tempdir().unwrap();
        let series = [
            Series {
                name: "AAPL".into(),
                points: (0..50)
                    .map(|i| (i as f64, (i as f64 / 5.0).sin()))
                    .collect(),
            },
            Series {
                name: "GOOG".into(),
                points: (0..50)
                    .map(|i| (i as f64, (i as f64 / 7.0).cos()))
                    .collect(),
            },
        ];
        let ticks = |x: f64| format!("day {x:.0}");
        let chart = LineChart {
            title: "Test",
            x_label: "day",
            y_label: "price",
            series: &series,
            x_ticks: Some(&ticks),
            y_ticks: None,
        };
        for name in ["lines.png", "lines.svg"] {
            line_chart(&dir.path().join(name), &chart).unwrap();
            assert!(
                std::fs::metadata(dir.path().join(name)).unwrap().len() > 1000,
                "{name} is too small"
            );
        }
        let labels: Vec<String> = (0..4).map(|i| format!("w{i}")).collect();
        let values: Vec<Vec<f64>> = (0..4)
            .map(|r| (0..4).map(|c| (r * c) as f64).collect())
            .collect();
        let map = Heatmap {
            title: "Grid",
            x_label: "fast",
            y_label: "slow",
            columns: &labels,
            rows: &labels,
            values: &values,
        };
        heatmap(&dir.path().join("heat.png"), &map).unwrap();
        // Only the three charts: no temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn refuses_unknown_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let chart = LineChart {
            title: "",
            x_label: "",
            y_label: "",
            series: &[],
            x_ticks: None,
            y_ticks: None,
        };
        let err = line_chart(&dir.path().join("chart.jpg"), &chart).unwrap_err();
        assert!(matches!(err, ChartError::Extension { .. }), "{err}");
    }

    #[test]
    fn a_heatmap_with_nothing_finite_is_refused_at_once_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let labels = ["a".to_string()];
        let nan = [vec![f64::NAN]];
        let empty: Vec<Vec<f64>> = Vec::new();
        for (rows, values) in [(&labels[..], &nan[..]), (&[][..], &empty[..])] {
            let map = Heatmap {
                title: "Grid",
                x_label: "fast",
                y_label: "slow",
                columns: &labels,
                rows,
                values,
            };
            let err = heatmap(&dir.path().join("heat.png"), &map).unwrap_err();
            assert!(err.to_string().contains("nothing to colour"), "{err}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
