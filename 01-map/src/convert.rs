//! The given half of the lesson: one file's conversion, its errors, and the sequential
//! baseline, profiled. The exercises parallelise *around* [`convert_file`].
//!
//! Converting a file is: read the bytes, parse each JSON line, build the columns, write the
//! Parquet file. The parse step is a parameter ([`Parser`]) so that the same code runs with
//! the generic `serde_json::Value` parser given here and the typed parser of exercise 1.3.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};
use shared::columnar::{ColumnarError, write_columns};
use shared::read::{ReadError, describe_json_error, json_lines};
use shared::{Bar, Columns, Timestamp};

/// Converting one file failed. The message names the file (and line) and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Write(#[from] ColumnarError),
}

impl ConvertError {
    /// The input or output file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ConvertError::Read(e) => e.path(),
            ConvertError::Write(
                ColumnarError::Io { path, .. }
                | ColumnarError::Parquet { path, .. }
                | ColumnarError::Layout { path, .. }
                | ColumnarError::Write { path, .. },
            ) => path,
        }
    }
}

/// An error about line `index + 1` (`index` counts from 0) of `path`.
pub fn line_error(path: &Path, index: u64, message: impl Into<String>) -> ConvertError {
    ReadError::Parse {
        path: path.into(),
        line: index + 1,
        message: message.into(),
    }
    .into()
}

/// serde_json's error for line `index + 1`, with a quote of the line around the problem.
pub fn json_error(path: &Path, index: u64, error: &serde_json::Error, line: &[u8]) -> ConvertError {
    line_error(path, index, describe_json_error(error, line))
}

/// A file with no bars in it.
pub fn empty_error(path: &Path) -> ConvertError {
    ReadError::Empty { path: path.into() }.into()
}

/// A parser: the bytes of one JSON Lines file (and its path, for errors) to columns.
pub type Parser = fn(&Path, &[u8]) -> Result<Columns, ConvertError>;

/// The result of converting one file.
pub type Outcome = Result<Converted, ConvertError>;

/// What converting one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub input: PathBuf,
    pub output: PathBuf,
    pub bytes_in: u64,
    pub rows: u64,
}

/// Where the columnar file for `input` goes: `out_dir/{stem}.parquet`.
pub fn output_path(input: &Path, out_dir: &Path) -> PathBuf {
    let stem = input.file_stem().unwrap_or(input.as_os_str());
    out_dir.join(stem).with_extension("parquet")
}

// ANCHOR: convert_file
/// Converts one JSON Lines file into a Parquet file in `out_dir`, parsing with `parse`.
/// The output is written atomically: on error, no output file appears.
pub fn convert_file(
    input: &Path,
    out_dir: &Path,
    parse: Parser,
) -> Result<Converted, ConvertError> {
    let output = output_path(input, out_dir);
    let converted = read_parse_write(input, &output, parse);
    if converted.is_err() {
        // An output left by an earlier run would contradict this run's report that the
        // file failed. Nothing there (the usual case) is fine, so the result is ignored.
        let _ = std::fs::remove_file(&output);
    }
    converted
}

fn read_parse_write(input: &Path, output: &Path, parse: Parser) -> Result<Converted, ConvertError> {
    let bytes = shared::read::read_bytes(input)?;
    let columns = parse(input, &bytes)?;
    write_columns(output, &columns)?;
    Ok(Converted {
        input: input.into(),
        output: output.into(),
        bytes_in: bytes.len() as u64,
        rows: columns.len() as u64,
    })
}
// ANCHOR_END: convert_file

// ANCHOR: sequential
/// The baseline: every file, one after the other, on one thread.
pub fn convert_all_sequential(inputs: &[PathBuf], out_dir: &Path, parse: Parser) -> Vec<Outcome> {
    inputs
        .iter()
        .map(|input| convert_file(input, out_dir, parse))
        .collect()
}
// ANCHOR_END: sequential

// ANCHOR: parse_value
/// The generic parser: each line into a `serde_json::Value` tree, then the fields we want
/// taken out of it. Simple and flexible, and slow: every line allocates a map, a `String`
/// per key and per timestamp, before we look at a single number.
pub fn parse_value(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    let values = parse_values(path, bytes)?;
    build_columns(path, &values)
}

/// Step 1 of [`parse_value`]: the lines as `Value` trees, with their line indexes.
pub fn parse_values(path: &Path, bytes: &[u8]) -> Result<Vec<(u64, Value)>, ConvertError> {
    json_lines(bytes)
        .map(|(index, line)| match parse_object(line) {
            Ok(value) => Ok((index, value)),
            Err(e) => Err(json_error(path, index, &e, line)),
        })
        .collect()
}

/// Step 2 of [`parse_value`]: the columns, from the `Value` trees.
pub fn build_columns(path: &Path, values: &[(u64, Value)]) -> Result<Columns, ConvertError> {
    let mut columns = Columns::with_capacity(values.len());
    for (index, value) in values {
        let field = |name: &str| {
            value
                .get(name)
                .ok_or_else(|| line_error(path, *index, format!("missing field `{name}`")))
        };
        let number = |name: &str| {
            field(name)?
                .as_f64()
                .ok_or_else(|| line_error(path, *index, format!("field `{name}` is not a number")))
        };
        let text = field("timestamp")?
            .as_str()
            .ok_or_else(|| line_error(path, *index, "field `timestamp` is not a string"))?;
        let timestamp =
            Timestamp::parse(text).map_err(|e| line_error(path, *index, e.to_string()))?;
        let volume = field("volume")?;
        let volume = volume.as_u64().ok_or_else(|| {
            let why = match volume.as_f64() {
                Some(v) if v >= u64::MAX as f64 => "does not fit in 64 bits",
                Some(v) if v < 0.0 => "is negative",
                _ => "is not a whole number",
            };
            line_error(path, *index, format!("field `volume` {why}"))
        })?;
        let bar = Bar {
            timestamp,
            open: number("open")?,
            high: number("high")?,
            low: number("low")?,
            close: number("close")?,
            volume,
        };
        bar.validate()
            .map_err(|message| line_error(path, *index, message))?;
        columns.push(&bar);
    }
    if columns.is_empty() {
        return Err(empty_error(path));
    }
    Ok(columns)
}
// ANCHOR_END: parse_value

/// The six keys of a line, in the order serde's derive names them in its errors.
const FIELDS: [&str; 6] = ["timestamp", "open", "high", "low", "close", "volume"];

/// One line as a `Value` tree, refusing what the typed parser refuses too: a line that is
/// not an object, a key the format does not have (the typed record denies unknown fields),
/// and a key twice (serde_json's `Value` would silently keep the last one). Two parsers of
/// one format must accept exactly the same lines; `tests/ex1_3.rs` checks that they do.
fn parse_object(line: &[u8]) -> Result<Value, serde_json::Error> {
    struct Strict(Map<String, Value>);
    struct StrictVisitor;
    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Strict;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
            let mut object = Map::new();
            while let Some((key, value)) = map.next_entry::<String, Value>()? {
                if !FIELDS.contains(&key.as_str()) {
                    return Err(A::Error::unknown_field(&key, &FIELDS));
                }
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                }
                object.insert(key, value);
            }
            Ok(Strict(object))
        }
    }
    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
            d.deserialize_map(StrictVisitor)
        }
    }
    serde_json::from_slice::<Strict>(line).map(|strict| Value::Object(strict.0))
}

/// Where the sequential `Value` conversion spends its time, summed over all files.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Profile {
    pub read: Duration,
    pub parse: Duration,
    pub build: Duration,
    /// Dropping the `Value` trees: a free for every map, key and string allocated in
    /// `parse`. Easy to leave out of a profile, since no line of code asks for it.
    pub free: Duration,
    pub write: Duration,
    pub bytes: u64,
    pub rows: u64,
}

// ANCHOR: profile
/// Converts every file sequentially with [`parse_value`], timing each step apart.
pub fn profile_sequential(inputs: &[PathBuf], out_dir: &Path) -> Result<Profile, ConvertError> {
    let mut p = Profile::default();
    for input in inputs {
        let t = Instant::now();
        let bytes = shared::read::read_bytes(input)?;
        let t = lap(&mut p.read, t);
        let values = parse_values(input, &bytes)?;
        let t = lap(&mut p.parse, t);
        let columns = build_columns(input, &values)?;
        let t = lap(&mut p.build, t);
        drop(values);
        let t = lap(&mut p.free, t);
        write_columns(&output_path(input, out_dir), &columns)?;
        lap(&mut p.write, t);
        p.bytes += bytes.len() as u64;
        p.rows += columns.len() as u64;
    }
    Ok(p)
}
// ANCHOR_END: profile

/// Adds the time since `start` to `total` and returns now.
fn lap(total: &mut Duration, start: Instant) -> Instant {
    let now = Instant::now();
    *total += now - start;
    now
}
