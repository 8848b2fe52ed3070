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

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{DataType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::atomic::AtomicFile;
use crate::bar::{Bar, Timestamp};

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

/// Reading or writing a columnar file failed.
#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a readable bars file: {source}. If lesson 1 wrote it, run that lesson again to rewrite it"
    )]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("{path}: {message}")]
    Layout { path: PathBuf, message: String },
}

const SCHEMA: &str = "
message bars {
    REQUIRED INT64 timestamp (TIMESTAMP(MILLIS,false));
    REQUIRED DOUBLE open;
    REQUIRED DOUBLE high;
    REQUIRED DOUBLE low;
    REQUIRED DOUBLE close;
    REQUIRED INT64 volume;
}";

/// Writes `columns` to `path` as Parquet, atomically: a reader never sees half a file.
pub fn write_columns(path: &Path, columns: &Columns) -> Result<(), ColumnarError> {
    if !columns.is_rectangular() {
        return Err(ColumnarError::Layout {
            path: path.into(),
            message: "columns have different lengths; push whole bars with Columns::push".into(),
        });
    }
    let io = |source| ColumnarError::Io {
        path: path.into(),
        source,
    };
    let pq = |source| ColumnarError::Parquet {
        path: path.into(),
        source,
    };

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

    let millis: Vec<i64> = columns.timestamp.iter().map(|s| s * 1000).collect();
    // Parquet has no unsigned 64-bit type; volumes stay far below i64::MAX.
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

/// Reads a file written by [`write_columns`].
pub fn read_columns(path: &Path) -> Result<Columns, ColumnarError> {
    let pq = |source| ColumnarError::Parquet {
        path: path.into(),
        source,
    };
    let file = File::open(path).map_err(|source| ColumnarError::Io {
        path: path.into(),
        source,
    })?;
    let reader = SerializedFileReader::new(file).map_err(pq)?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    if names != ["timestamp", "open", "high", "low", "close", "volume"] {
        return Err(ColumnarError::Layout {
            path: path.into(),
            message: format!(
                "expected columns timestamp, open, high, low, close, volume; found {}",
                names.join(", ")
            ),
        });
    }
    let rows = reader.metadata().file_metadata().num_rows() as usize;
    let mut millis = Vec::with_capacity(rows);
    let mut volume = Vec::with_capacity(rows);
    let mut columns = Columns::with_capacity(rows);
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
    columns.volume = volume.into_iter().map(|v| v.max(0) as u64).collect();
    if !columns.is_rectangular() || columns.len() != rows {
        return Err(ColumnarError::Layout {
            path: path.into(),
            message: "columns have different lengths".into(),
        });
    }
    Ok(columns)
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
mod tests {
    use super::*;

    fn sample(n: usize) -> Columns {
        (0..n)
            .map(|i| Bar {
                timestamp: Timestamp(1_451_898_000 + 120 * i as i64),
                open: 100.0 + i as f64,
                high: 101.5 + i as f64,
                low: 99.25,
                close: 100.125,
                volume: 1000 + i as u64,
            })
            .collect()
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        for n in [0, 1, 240, 100_000] {
            let path = dir.path().join(format!("{n}.parquet"));
            let columns = sample(n);
            write_columns(&path, &columns).unwrap();
            assert_eq!(read_columns(&path).unwrap(), columns, "{n} rows");
        }
    }

    #[test]
    fn refuses_ragged_columns_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ragged.parquet");
        let mut columns = sample(3);
        columns.close.pop();
        let err = write_columns(&path, &columns).unwrap_err();
        assert!(err.to_string().contains("different lengths"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AAPL.parquet");
        std::fs::write(&path, b"PAR1 this is not parquet").unwrap();
        let err = read_columns(&path).unwrap_err().to_string();
        assert!(err.contains("AAPL.parquet"), "{err}");
    }
}
