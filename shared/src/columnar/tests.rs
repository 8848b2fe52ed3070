//! The columnar format, tested.

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
fn every_volume_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.parquet");
    let mut columns = sample(3);
    columns.volume = vec![0, u64::MAX, 1 << 63];
    write_columns(&path, &columns).unwrap();
    assert_eq!(read_columns(&path).unwrap().volume, columns.volume);
}

/// A file with the expected names but other types, or an older signed volume with a
/// negative value: errors naming the file, never a panic or a silent change.
#[test]
fn foreign_layouts_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write_with = |name: &str, schema: &str, volume: i64| {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).unwrap();
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let props = Arc::new(WriterProperties::builder().build());
        let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
        let mut group = writer.next_row_group().unwrap();
        while let Some(mut column) = group.next_column().unwrap() {
            match column.untyped() {
                parquet::column::writer::ColumnWriter::Int64ColumnWriter(w) => {
                    w.write_batch(&[volume], None, None).unwrap();
                }
                parquet::column::writer::ColumnWriter::DoubleColumnWriter(w) => {
                    w.write_batch(&[1.0], None, None).unwrap();
                }
                parquet::column::writer::ColumnWriter::Int32ColumnWriter(w) => {
                    w.write_batch(&[1], None, None).unwrap();
                }
                _ => unreachable!("only the types used below"),
            }
            column.close().unwrap();
        }
        group.close().unwrap();
        writer.close().unwrap();
        path
    };
    let int32_open = SCHEMA.replace("REQUIRED DOUBLE open", "REQUIRED INT32 open");
    let micros = SCHEMA.replace("TIMESTAMP(MILLIS,false)", "TIMESTAMP(MICROS,false)");
    let signed = SCHEMA.replace("volume (INTEGER(64,false))", "volume");
    for (name, schema, volume, expected) in [
        (
            "int32.parquet",
            int32_open.as_str(),
            1,
            "not the course's columnar layout",
        ),
        (
            "micros.parquet",
            micros.as_str(),
            1,
            "not the course's columnar layout",
        ),
        (
            "negative.parquet",
            signed.as_str(),
            -1,
            "a negative volume, -1",
        ),
    ] {
        let path = write_with(name, schema, volume);
        let err = read_columns(&path).unwrap_err().to_string();
        assert!(err.contains(name) && err.contains(expected), "{err}");
    }
    let path = write_with("old.parquet", &signed, 42);
    assert_eq!(read_columns(&path).unwrap().volume, [42]);
}

#[test]
fn a_damaged_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("AAPL.parquet");
    std::fs::write(&path, b"PAR1 this is not parquet").unwrap();
    let err = read_columns(&path).unwrap_err().to_string();
    assert!(err.contains("AAPL.parquet"), "{err}");
}

#[test]
fn a_nan_or_negative_price_is_refused_on_read_naming_its_row() {
    let dir = tempfile::tempdir().unwrap();
    for (row, value, said) in [
        (3, f64::NAN, "row 3: the close is NaN"),
        (5, -1.0, "row 5: the close is -1"),
    ] {
        let mut columns = sample(10);
        columns.close[row] = value;
        let path = dir.path().join(format!("bad-{row}.parquet"));
        write_columns(&path, &columns).unwrap();
        let err = read_columns(&path).unwrap_err().to_string();
        assert!(err.contains(said), "{err}");
        assert!(
            err.contains(&path.display().to_string()),
            "it names the file: {err}"
        );
    }
}

#[test]
fn a_failed_write_is_said_as_a_write_with_the_full_disk_named() {
    let path = Path::new("/data/columnar/AAPL.parquet");
    let full =
        parquet::errors::ParquetError::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
    let text = super::write_error(path, &full).to_string();
    assert!(
        text.starts_with("cannot write /data/columnar/AAPL.parquet"),
        "{text}"
    );
    assert!(text.contains("The disk is full"), "{text}");
    assert!(
        !text.contains("not a readable"),
        "a write is not a damaged file: {text}"
    );
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    let text = super::write_error(path, &denied).to_string();
    assert!(text.contains("May you write there?"), "{text}");
}
