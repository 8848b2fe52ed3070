//! The columnar file lesson 1 writes and later lessons read: one Parquet file per symbol.
//!
//! Parquet is the columnar format the data world shares: pandas, Polars, DuckDB and Spark all
//! open these files (`pandas.read_parquet("data/columnar/AAPL.parquet")`). We use the
//! `parquet` crate's low-level API without its Arrow layer and without compression codecs,
//! which keeps its build cost near 18 s instead of about 90 s (see the book's setup chapter).
//!
//! Layout: one row group, six required columns, plain encoding, no compression, chunk
//! statistics (min/max per column, so a reader can skip a file without reading it).
//! Timestamps are stored as Parquet `TIMESTAMP(MILLIS, false)`: exchange time, no zone.
//! Volumes are `INT64` annotated as unsigned (`INTEGER(64, false)`), so every `u64`
//! round-trips exactly; files of an older layout, with a plain `INT64` volume, still read,
//! and a negative volume in them is an error, never a silent change.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{DataType, DoubleType, Int64Type};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::SchemaDescriptor;

use crate::atomic::AtomicFile;
use crate::bar::{Bar, Timestamp};
use crate::dataset::{COLUMNAR_DIR, Dataset, columnar_path, json_path};

/// The bars of one symbol as columns: entry `i` of every vector belongs to bar `i`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// Seconds since 1970-01-01T00:00:00 (see [`Timestamp`]).
    pub timestamp: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<u64>,
}

impl Columns {
    /// Empty columns with room for `rows` bars.
    pub fn with_capacity(rows: usize) -> Self {
        Columns {
            timestamp: Vec::with_capacity(rows),
            open: Vec::with_capacity(rows),
            high: Vec::with_capacity(rows),
            low: Vec::with_capacity(rows),
            close: Vec::with_capacity(rows),
            volume: Vec::with_capacity(rows),
        }
    }

    /// Appends one bar to every column.
    pub fn push(&mut self, bar: &Bar) {
        self.timestamp.push(bar.timestamp.0);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.timestamp.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamp.is_empty()
    }

    /// Bar `i` put back together.
    pub fn bar(&self, i: usize) -> Bar {
        Bar {
            timestamp: Timestamp(self.timestamp[i]),
            open: self.open[i],
            high: self.high[i],
            low: self.low[i],
            close: self.close[i],
            volume: self.volume[i],
        }
    }

    /// True when every column has the same length.
    fn is_rectangular(&self) -> bool {
        let n = self.len();
        [
            self.open.len(),
            self.high.len(),
            self.low.len(),
            self.close.len(),
            self.volume.len(),
        ]
        .iter()
        .all(|&len| len == n)
    }
}

impl FromIterator<Bar> for Columns {
    fn from_iter<I: IntoIterator<Item = Bar>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut columns = Columns::with_capacity(iter.size_hint().0);
        iter.for_each(|bar| columns.push(&bar));
        columns
    }
}

/// What to do about a damaged Parquet file: where it came from decides.
const REPAIR: &str = "If it is in the dataset's columnar/ folder, delete it: the next program \
    of lessons 2 to 6 makes it again from json/. If lesson 1 wrote it elsewhere, run that \
    lesson again to rewrite it";

/// Reading or writing a columnar file failed.
#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    // `error`, not `source`: the message quotes it, and a source would print twice.
    #[error("cannot read or write {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not a readable bars file: {source}. {REPAIR}")]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("{path}: {message}")]
    Layout { path: PathBuf, message: String },
    /// Writing failed: said as a write, with what to check (the disk full, or no right to
    /// write there), never as a damaged file.
    #[error("cannot write {path}: {error}. {hint}")]
    Write {
        path: PathBuf,
        error: String,
        hint: &'static str,
    },
}

/// The error of a failed write of `path`, with a hint chosen by what the system said.
fn write_error(path: &Path, error: &(dyn std::error::Error + 'static)) -> ColumnarError {
    // The parquet crate wraps the file's own I/O errors.
    let io = (error.downcast_ref::<std::io::Error>()).or_else(|| {
        let source = error.source()?;
        source.downcast_ref::<std::io::Error>()
    });
    let hint = match io.map(std::io::Error::kind) {
        Some(std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded) => {
            "The disk is full: free some space (or write elsewhere: lesson 1 takes --out DIR), \
             then run the program again. Nothing half-written was left"
        }
        Some(std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem) => {
            "May you write there? Write elsewhere (lesson 1 takes --out DIR)"
        }
        _ => "Is there space on the disk, and may you write there?",
    };
    ColumnarError::Write {
        path: path.into(),
        error: error.to_string(),
        hint,
    }
}

/// Why [`ensure`] could not make the columnar files.
#[derive(Debug, thiserror::Error)]
pub enum EnsureError {
    #[error("cannot make the columnar files: {0}")]
    Read(#[from] crate::read::ReadError),
    #[error("cannot make the columnar files: {0}")]
    Write(#[from] ColumnarError),
}

const SCHEMA: &str = "
message bars {
    REQUIRED INT64 timestamp (TIMESTAMP(MILLIS,false));
    REQUIRED DOUBLE open;
    REQUIRED DOUBLE high;
    REQUIRED DOUBLE low;
    REQUIRED DOUBLE close;
    REQUIRED INT64 volume (INTEGER(64,false));
}";

/// `columnar/{SYM}.parquet` for every symbol of `dataset`: the bars of `json/{SYM}.json` as
/// columns, what lessons 2 and later read.
///
/// A file that is missing, or older than its JSON source, is made first by given code (a
/// plain sequential conversion), so no lesson ever depends on another lesson's answers or
/// output: lesson 1's programs write their own files elsewhere.
pub fn ensure(dataset: &Dataset) -> Result<Vec<PathBuf>, EnsureError> {
    let root = dataset.root();
    let dir = root.join(COLUMNAR_DIR);
    let jobs: Vec<(PathBuf, PathBuf)> = dataset
        .symbols()
        .iter()
        .map(|s| (json_path(root, s), columnar_path(root, s)))
        .filter(|(json, parquet)| !is_up_to_date(parquet, json))
        .collect();
    if !jobs.is_empty() {
        std::fs::create_dir_all(&dir).map_err(|error| ColumnarError::Io {
            path: dir.clone(),
            error,
        })?;
        let progress = crate::progress::items(jobs.len() as u64, "columnar");
        for (json, parquet) in &jobs {
            let bars = crate::read::read_json_lines(json)?;
            write_columns(parquet, &bars.into_iter().collect())?;
            progress.inc(1);
        }
        progress.finish_and_clear();
    }
    Ok(dataset
        .symbols()
        .iter()
        .map(|s| columnar_path(root, s))
        .collect())
}

/// True when `made` exists and was written after `source` last changed (strictly: with a
/// coarse clock, a tie is remade rather than trusted).
fn is_up_to_date(made: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    match (modified(made), modified(source)) {
        (Ok(made), Ok(source)) => made > source,
        _ => false,
    }
}

/// Writes `columns` to `path` as Parquet, atomically: a reader never sees half a file.
pub fn write_columns(path: &Path, columns: &Columns) -> Result<(), ColumnarError> {
    if !columns.is_rectangular() {
        return Err(ColumnarError::Layout {
            path: path.into(),
            message: "columns have different lengths; push whole bars with Columns::push".into(),
        });
    }
    let io = |error: std::io::Error| write_error(path, &error);
    let pq = |error: parquet::errors::ParquetError| write_error(path, &error);

    let file = AtomicFile::create(path).map_err(io)?;
    let schema = Arc::new(parse_message_type(SCHEMA).expect("the schema above is valid"));
    let props = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_compression(Compression::UNCOMPRESSED)
        // Prices rarely repeat exactly, so dictionaries only cost time here.
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(None)
        .build();
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(pq)?;
    let mut group = writer.next_row_group().map_err(pq)?;

    let millis = columns
        .timestamp
        .iter()
        .map(|s| s.checked_mul(1000))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| ColumnarError::Layout {
            path: path.into(),
            message: "a timestamp is too far from 1970 to store in milliseconds".into(),
        })?;
    // Parquet stores unsigned 64-bit integers in INT64 cells, annotated as unsigned: the
    // same 64 bits, so `as` (a bit-for-bit cast) both ways is exact.
    let volume: Vec<i64> = columns.volume.iter().map(|&v| v as i64).collect();
    let mut index = 0;
    while let Some(mut column) = group.next_column().map_err(pq)? {
        match index {
            0 => column.typed::<Int64Type>().write_batch(&millis, None, None),
            1 => column
                .typed::<DoubleType>()
                .write_batch(&columns.open, None, None),
            2 => column
                .typed::<DoubleType>()
                .write_batch(&columns.high, None, None),
            3 => column
                .typed::<DoubleType>()
                .write_batch(&columns.low, None, None),
            4 => column
                .typed::<DoubleType>()
                .write_batch(&columns.close, None, None),
            _ => column.typed::<Int64Type>().write_batch(&volume, None, None),
        }
        .map_err(pq)?;
        column.close().map_err(pq)?;
        index += 1;
    }
    group.close().map_err(pq)?;
    let file = writer.into_inner().map_err(pq)?;
    file.commit().map_err(io)
}

/// Reads a file written by [`write_columns`]. A file that is not one, or is damaged, is an
/// error naming it, never a panic.
pub fn read_columns(path: &Path) -> Result<Columns, ColumnarError> {
    // The parquet crate still panics on some damaged pages (a slice index out of range in a
    // decoder, found by `fuzz_tests`) where it should return an error. Until it does, its
    // panics stop here and become ours: the file is damaged.
    std::panic::catch_unwind(|| read_columns_checked(path)).unwrap_or_else(|panic| {
        Err(ColumnarError::Layout {
            path: path.into(),
            message: format!(
                "damaged: the Parquet reader failed on it ({}). {REPAIR}",
                crate::panic::panic_message(panic.as_ref())
            ),
        })
    })
}

fn read_columns_checked(path: &Path) -> Result<Columns, ColumnarError> {
    let pq = |source| ColumnarError::Parquet {
        path: path.into(),
        source,
    };
    let io = |error| ColumnarError::Io {
        path: path.into(),
        error,
    };
    crate::regular::check_regular(path, crate::regular::MAX_FILE).map_err(io)?;
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_or(0, |m| m.len());
    let reader = SerializedFileReader::new(file).map_err(pq)?;
    let layout = |message: String| ColumnarError::Layout {
        path: path.into(),
        message,
    };
    let unsigned_volume =
        check_layout(reader.metadata().file_metadata().schema_descr()).map_err(layout)?;
    let rows = usize::try_from(reader.metadata().file_metadata().num_rows())
        .map_err(|_| layout("the file says it has a negative number of rows".into()))?;
    check_chunks(reader.metadata(), file_len).map_err(layout)?;
    let in_groups: i64 = reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .sum();
    if in_groups != rows as i64 {
        return Err(layout(format!(
            "the file says it has {rows} rows, its row groups {in_groups}"
        )));
    }
    // Reserve no more than the file could hold (8 bytes a cell): the row count is input.
    let capacity = rows.min(file_len as usize / 8);
    let mut millis = Vec::with_capacity(capacity);
    let mut volume = Vec::with_capacity(capacity);
    let mut columns = Columns::with_capacity(capacity);
    for group in 0..reader.num_row_groups() {
        let group = reader.get_row_group(group).map_err(pq)?;
        let n = group.metadata().num_rows() as usize;
        read_column::<Int64Type>(&*group, 0, n, &mut millis).map_err(pq)?;
        read_column::<DoubleType>(&*group, 1, n, &mut columns.open).map_err(pq)?;
        read_column::<DoubleType>(&*group, 2, n, &mut columns.high).map_err(pq)?;
        read_column::<DoubleType>(&*group, 3, n, &mut columns.low).map_err(pq)?;
        read_column::<DoubleType>(&*group, 4, n, &mut columns.close).map_err(pq)?;
        read_column::<Int64Type>(&*group, 5, n, &mut volume).map_err(pq)?;
    }
    columns.timestamp = millis.into_iter().map(|ms| ms.div_euclid(1000)).collect();
    columns.volume = match unsigned_volume {
        true => volume.into_iter().map(|v| v as u64).collect(),
        false => volume
            .into_iter()
            .map(|v| u64::try_from(v).map_err(|_| layout(format!("a negative volume, {v}"))))
            .collect::<Result<_, _>>()?,
    };
    if !columns.is_rectangular() || columns.len() != rows {
        return Err(ColumnarError::Layout {
            path: path.into(),
            message: "columns have different lengths".into(),
        });
    }
    check_prices(&columns).map_err(layout)?;
    Ok(columns)
}

/// Every price must be a finite positive number, as the readers of the text files demand:
/// a NaN would otherwise surface much later as a "wrong output" of some program variant.
fn check_prices(columns: &Columns) -> Result<(), String> {
    let named = [
        ("open", &columns.open),
        ("high", &columns.high),
        ("low", &columns.low),
        ("close", &columns.close),
    ];
    for (name, values) in named {
        if let Some(row) = values.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(format!(
                "row {row}: the {name} is {}, not a positive price. {REPAIR}",
                values[row]
            ));
        }
    }
    Ok(())
}

/// Checks that a file's columns are this module's: names, physical types and annotations.
/// Returns whether the volume is annotated unsigned (a plain `INT64` volume is the older
/// layout). Without this check, a file with the right names but other types would make
/// the typed column readers panic.
fn check_layout(found: &SchemaDescriptor) -> Result<bool, String> {
    let wanted = SchemaDescriptor::new(Arc::new(
        parse_message_type(SCHEMA).expect("the schema above is valid"),
    ));
    let describe = |s: &SchemaDescriptor| {
        let columns = s.columns().iter().map(|c| {
            let annotation = c
                .logical_type_ref()
                .map_or(String::new(), |t| format!(" {t:?}"));
            format!("{} {}{annotation}", c.name(), c.physical_type())
        });
        columns.collect::<Vec<_>>().join(", ")
    };
    let mismatch = || {
        format!(
            "not the course's columnar layout: expected columns {}; found {}. {REPAIR}",
            describe(&wanted),
            describe(found)
        )
    };
    if found.num_columns() != wanted.num_columns() {
        return Err(mismatch());
    }
    let mut unsigned_volume = true;
    for (f, w) in found.columns().iter().zip(wanted.columns()) {
        let same = f.name() == w.name()
            && f.physical_type() == w.physical_type()
            && f.max_rep_level() == 0
            && f.logical_type_ref() == w.logical_type_ref();
        let old_volume = f.name() == "volume"
            && f.physical_type() == w.physical_type()
            && f.max_rep_level() == 0
            && f.logical_type_ref().is_none();
        if old_volume {
            unsigned_volume = false;
        } else if !same {
            return Err(mismatch());
        }
    }
    Ok(unsigned_volume)
}

/// Checks that every column chunk lies inside the file. The parquet crate trusts these
/// offsets and asserts on negative ones (`ColumnChunkMetaData::byte_range`), so a damaged
/// footer would panic instead of failing; found by `fuzz_tests`.
fn check_chunks(metadata: &ParquetMetaData, file_len: u64) -> Result<(), String> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!(
                "row group {g} says it has a negative number of rows"
            ));
        }
        for (c, chunk) in group.columns().iter().enumerate() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let len = chunk.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(start, len)| start.checked_add(len))
                .is_some_and(|end| end <= file_len);
            if !inside {
                return Err(format!(
                    "column {c} of row group {g} lies outside the file (damaged footer)"
                ));
            }
        }
    }
    Ok(())
}

fn read_column<T: DataType>(
    group: &dyn parquet::file::reader::RowGroupReader,
    index: usize,
    rows: usize,
    out: &mut Vec<T::T>,
) -> parquet::errors::Result<()> {
    let mut reader = get_typed_column_reader::<T>(group.get_column_reader(index)?);
    let start = out.len();
    while out.len() - start < rows {
        let (records, _, _) = reader.read_records(rows - (out.len() - start), None, None, out)?;
        if records == 0 {
            return Err(parquet::errors::ParquetError::EOF(format!(
                "column {index} ended early"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
