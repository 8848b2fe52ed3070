//! Aligned text tables, and the warning a debug build prints.

use std::fmt;

/// A plain-text table: the first column left-aligned (names), the others right-aligned
/// (numbers), a rule under the header.
///
/// ```
/// let mut table = shared::report::Table::new(["variant", "median", "speedup"]);
/// table.row(["sequential", "1.20 s", "1.00×"]);
/// table.row(["parallel", "0.64 s", "1.88×"]);
/// assert_eq!(table.to_string().lines().nth(2).unwrap(), "sequential  1.20 s    1.00×");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    title: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Table {
    pub fn new<S: ToString>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(|s| s.to_string()).collect(),
            ..Table::default()
        }
    }

    /// A line printed above the table.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn row<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows
            .push(cells.into_iter().map(|s| s.to_string()).collect());
        self
    }

    /// A line printed under the table (machine, units, how it was measured).
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        if let Some(title) = &self.title {
            writeln!(f, "{title}")?;
        }
        let line = |f: &mut fmt::Formatter<'_>, row: &[String]| -> fmt::Result {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                let pad = " ".repeat(width - cell.chars().count());
                match i {
                    0 => text.push_str(&format!("{cell}{pad}")),
                    _ => text.push_str(&format!("  {pad}{cell}")),
                }
            }
            writeln!(f, "{}", text.trim_end())
        };
        line(f, &self.header)?;
        let rule: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
        writeln!(f, "{}", "-".repeat(rule))?;
        for row in &self.rows {
            line(f, row)?;
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        Ok(())
    }
}

/// One line for the top of every program's output when it was built without optimisations,
/// or `None` in a release build. `command` is how to run the same program with `--release`.
///
/// A debug build runs lesson code 10 to 50 times slower, and not evenly: the overhead of a
/// thread pool barely changes while the work around it slows down, so even the *ratios* in
/// a debug build's tables are wrong (granularity's fine-grained row: 0.12× in release,
/// 0.67× in a debug build).
pub fn debug_build_warning(command: &str) -> Option<String> {
    cfg!(debug_assertions).then(|| {
        format!(
            "warning: this is a debug build, so its timings are meaningless (even the ratios). \
             Run it with --release: {command}"
        )
    })
}
