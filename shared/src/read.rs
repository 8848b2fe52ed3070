//! Readers for the dataset's two text formats, with errors a person can act on.
//!
//! Every error names the file and, where it is about the contents, the line (1-based, as an
//! editor shows it), says what was wrong, and ends with what to do. Neither reader panics on
//! bad input, and neither copies a huge bad line into its message.
//!
//! Each format has a `parse_*` function over bytes already in memory and a `read_*` function
//! that also reads the file, so lessons can time reading and parsing apart.

use std::fs;
use std::path::{Path, PathBuf};

use crate::bar::{Bar, Timestamp};
use crate::dataset::repair_hint;

/// The header every minute CSV file starts with.
pub const CSV_HEADER: &str = "timestamp,open,high,low,close,volume";

/// Reading a dataset file failed. Every message ends with what to do, with the exact
/// commands for the dataset the file belongs to ([`repair_hint`]).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    // `error`, not `source`: the message already quotes it, and a source would print twice
    // in a binary's error chain.
    #[error(
        "cannot read {path}: {error}. Does the file exist, is it a file (not a folder), and may \
         you read it? To fix it, {hint}",
        hint = repair_hint(path)
    )]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is empty: a dataset file holds at least one bar. To fix it, {hint}",
        hint = repair_hint(path)
    )]
    Empty { path: PathBuf },
    #[error("{path}, line {line}: {message}. To fix it, {hint}", hint = repair_hint(path))]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Empty { path }
            | ReadError::Parse { path, .. } => path,
        }
    }

    /// The 1-based line, for errors about the contents.
    pub fn line(&self) -> Option<u64> {
        match self {
            ReadError::Parse { line, .. } => Some(*line),
            _ => None,
        }
    }
}

pub use crate::regular::{MAX_FILE, check_regular};

/// Reads a whole file, a regular one of at most [`MAX_FILE`] bytes; an error names it.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io = |error| ReadError::Io {
        path: path.into(),
        error,
    };
    check_regular(path, MAX_FILE).map_err(io)?;
    fs::read(path).map_err(io)
}

/// One line of a JSON Lines file, or one row of a CSV file, as serde reads it. Private on
/// purpose: a typed record for these lines is what exercise 1.3 asks a learner to write.
/// A key (or column) the format does not have is an error, as in lesson 1's parsers.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    timestamp: Timestamp,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: u64,
}

impl From<Record> for Bar {
    fn from(r: Record) -> Bar {
        Bar {
            timestamp: r.timestamp,
            open: r.open,
            high: r.high,
            low: r.low,
            close: r.close,
            volume: r.volume,
        }
    }
}

/// Reads a JSON Lines file of bars (one JSON object per line). Crate-private: lessons get
/// these files' contents through [`crate::columnar::ensure`], and lesson 1 parses them itself.
pub(crate) fn read_json_lines(path: &Path) -> Result<Vec<Bar>, ReadError> {
    parse_json_lines(path, &read_bytes(path)?)
}

/// Parses JSON Lines bytes; `path` is only used to name the file in errors.
pub(crate) fn parse_json_lines(path: &Path, bytes: &[u8]) -> Result<Vec<Bar>, ReadError> {
    let mut bars = Vec::with_capacity(bytes.len() / 110);
    for (index, line) in json_lines(bytes) {
        let error = |message| ReadError::Parse {
            path: path.into(),
            line: index + 1,
            message,
        };
        if !is_object(line) {
            return Err(error(NOT_AN_OBJECT.into()));
        }
        let bar: Bar = serde_json::from_slice::<Record>(line)
            .map_err(|e| error(describe_json_error(&e, line)))?
            .into();
        bar.validate().map_err(error)?;
        bars.push(bar);
    }
    if bars.is_empty() {
        return Err(ReadError::Empty { path: path.into() });
    }
    Ok(bars)
}

/// Why a line that is valid JSON but not an object is refused.
pub const NOT_AN_OBJECT: &str =
    "expected a JSON object, one per line ({\"timestamp\": …, \"open\": …, …})";

/// True when a JSON line is an object (starts with `{`). serde's derived `Deserialize` also
/// accepts a struct written as an array of its fields in order; the dataset's format is
/// objects only, and every parser must refuse the same lines.
pub fn is_object(line: &[u8]) -> bool {
    line.trim_ascii_start().first() == Some(&b'{')
}

/// The non-blank lines of a JSON Lines buffer, each with its 0-based line index.
/// A `\r` before the `\n` is dropped, so files edited on Windows still read, and so is a
/// UTF-8 byte-order mark at the very start, which some Windows editors write.
pub fn json_lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // memchr finds the next newline with SIMD, 16 or 32 bytes at a time: several times
    // faster than `bytes.split(|&b| b == b'\n')`, which looks at one byte at a time. On
    // lesson 1's parser that was a third of the parse time.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.enumerate()
        .map(move |(i, end)| {
            let line = &bytes[start.min(end)..end];
            start = end + 1;
            (i as u64, line.strip_suffix(b"\r").unwrap_or(line))
        })
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
}

/// serde_json's message plus a short quote of the line around the column it names.
pub fn describe_json_error(error: &serde_json::Error, line: &[u8]) -> String {
    let column = error.column().saturating_sub(1).min(line.len());
    let start = column.saturating_sub(30);
    let end = (column + 30).min(line.len());
    // A damaged line may hold control bytes: shown escaped, never sent to the terminal.
    let quote = crate::report::printable(&String::from_utf8_lossy(&line[start..end]));
    let dots = |cut: bool| if cut { "…" } else { "" };
    // serde_json counts lines within the one line it was given: keep only the column.
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    format!(
        "{message} at column {} (expected {{\"timestamp\": \"YYYY-MM-DDTHH:MM:SS\", \"open\": …, \"high\": …, \"low\": …, \"close\": …, \"volume\": …}}; near: {}{quote}{})",
        error.column(),
        dots(start > 0),
        dots(end < line.len())
    )
}

/// Reads a minute CSV file (header [`CSV_HEADER`], one bar per row).
pub fn read_csv(path: &Path) -> Result<Vec<Bar>, ReadError> {
    parse_csv(path, &read_bytes(path)?)
}

/// Parses minute CSV bytes; `path` is only used to name the file in errors.
pub fn parse_csv(path: &Path, bytes: &[u8]) -> Result<Vec<Bar>, ReadError> {
    let mut bars = Vec::with_capacity(bytes.len() / 60);
    for_each_row(path, bytes, |line, record| {
        let bar: Bar = record.deserialize::<Record>(None)?.into();
        bar.validate()
            .map_err(|message| RowError::Invalid(line, message))?;
        bars.push(bar);
        Ok(())
    })?;
    Ok(bars)
}

// ANCHOR: for_each_close
/// Reads a minute CSV file and calls `visit(timestamp, close)` for each row, in file order;
/// returns the number of rows. The reader for a job that needs only those two columns
/// (lesson 3's yearly stats): each row is deserialized into a typed record that skips the
/// other fields unparsed ([`IgnoredAny`](serde::de::IgnoredAny)), from one `ByteRecord`
/// reused for every row, so nothing is allocated per row or per field and no `Vec` of bars
/// is built. The close is checked (finite, positive); the skipped fields are not.
pub fn for_each_close(path: &Path, visit: impl FnMut(Timestamp, f64)) -> Result<u64, ReadError> {
    for_each_close_in(path, &read_bytes(path)?, visit)
}

/// [`for_each_close`] on bytes already read from `path` (for a pipeline whose reader and
/// parser are different threads); `path` names the file in errors.
pub fn for_each_close_in(
    path: &Path,
    bytes: &[u8],
    mut visit: impl FnMut(Timestamp, f64),
) -> Result<u64, ReadError> {
    use serde::de::IgnoredAny;
    /// `timestamp,open,high,low,close,volume`, by position: the header was checked.
    #[derive(serde::Deserialize)]
    struct CloseRow(
        Timestamp,
        IgnoredAny,
        IgnoredAny,
        IgnoredAny,
        f64,
        IgnoredAny,
    );

    let mut rows = 0;
    for_each_row(path, bytes, |line, record| {
        let CloseRow(timestamp, _, _, _, close, _) = record.deserialize(None)?;
        if !(close.is_finite() && close > 0.0) {
            let message = format!("implausible close {close}: prices must be finite and positive");
            return Err(RowError::Invalid(line, message));
        }
        visit(timestamp, close);
        rows += 1;
        Ok(())
    })?;
    Ok(rows)
}
// ANCHOR_END: for_each_close

/// Why one CSV row was refused: the csv crate's error, or a check of ours (with its line).
enum RowError {
    Csv(csv::Error),
    Invalid(u64, String),
}

impl From<csv::Error> for RowError {
    fn from(e: csv::Error) -> Self {
        RowError::Csv(e)
    }
}

/// Checks the header of minute CSV bytes, then calls `row(line, record)` for every row,
/// with one `ByteRecord` reused throughout. Errors name `path` and the 1-based line.
fn for_each_row(
    path: &Path,
    bytes: &[u8],
    mut row: impl FnMut(u64, &csv::ByteRecord) -> Result<(), RowError>,
) -> Result<(), ReadError> {
    let parse_error = |line: u64, message: String| ReadError::Parse {
        path: path.into(),
        line,
        message,
    };
    if bytes.is_empty() {
        return Err(ReadError::Empty { path: path.into() });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| parse_error(1, describe_csv_error(&e)))?;
    if header.iter().ne(CSV_HEADER.split(',').map(str::as_bytes)) {
        let fields: Vec<String> = (header.iter())
            .map(|f| crate::report::printable(&String::from_utf8_lossy(f)))
            .collect();
        let found: String = fields.join(",").chars().take(80).collect();
        return Err(parse_error(
            1,
            format!("wrong header: expected `{CSV_HEADER}`, found fields `{found}`"),
        ));
    }
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(parse_error(line, describe_csv_error(&e))),
        }
        match row(line, &record) {
            Ok(()) => rows += 1,
            Err(RowError::Csv(e)) => return Err(parse_error(line, describe_csv_error(&e))),
            Err(RowError::Invalid(line, message)) => return Err(parse_error(line, message)),
        }
    }
    if rows == 0 {
        return Err(ReadError::Empty { path: path.into() });
    }
    Ok(())
}

fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let why = if len > expected_len {
                "too many fields"
            } else {
                "is the line cut short?"
            };
            format!("expected {expected_len} fields ({CSV_HEADER}), found {len} ({why})")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8 in field {}", err.field() + 1),
        csv::ErrorKind::Deserialize { err, .. } => {
            match err
                .field()
                .and_then(|i| CSV_HEADER.split(',').nth(i as usize))
            {
                Some(field) => format!("bad value in column `{field}`: {}", err.kind()),
                None => format!("bad value: {}", err.kind()),
            }
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats() {
        let json = b"{\"timestamp\":\"2016-01-04T09:00:00\",\"open\":1.5,\"high\":2.0,\"low\":1.0,\"close\":1.25,\"volume\":7}\n\n";
        let bars = parse_json_lines(Path::new("x.json"), json).unwrap();
        let csv = b"timestamp,open,high,low,close,volume\r\n2016-01-04T09:00:00,1.500,2.000,1.000,1.250,7\r\n";
        assert_eq!(parse_csv(Path::new("x.csv"), csv).unwrap(), bars);
        assert_eq!(bars[0].timestamp.to_string(), "2016-01-04T09:00:00");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_a_folder_or_a_huge_file_is_refused_before_it_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("AAPL.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening it would wait for a writer for ever: the check refuses it first.
        let error = read_bytes(&fifo).unwrap_err().to_string();
        assert!(
            error.contains("AAPL.json") && error.contains("not a regular file"),
            "{error}"
        );
        let error = read_bytes(dir.path()).unwrap_err().to_string();
        assert!(error.contains("a folder"), "{error}");
        let sparse = dir.path().join("big.csv");
        fs::File::create(&sparse)
            .unwrap()
            .set_len(MAX_FILE + 1)
            .unwrap();
        let error = read_bytes(&sparse).unwrap_err().to_string();
        assert!(
            error.contains("big.csv") && error.contains("GB, more than"),
            "{error}"
        );
    }
}
