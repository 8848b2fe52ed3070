//! Every reader, fed every kind of broken file, answers with an error naming the file and
//! the line, and never panics. (Unit tests, not integration tests: the JSON Lines reader is
//! private to the crate.)

use std::path::{Path, PathBuf};

use crate::read::{ReadError, read_csv, read_json_lines};

const GOOD_JSON: &str = r#"{"timestamp":"2016-01-04T09:00:00","open":47.144,"high":47.145,"low":47.137,"close":47.137,"volume":1264015}"#;
const GOOD_CSV: &str = "2016-01-04T09:00:00,47.144,47.145,47.137,47.137,1264015";
const HEADER: &str = "timestamp,open,high,low,close,volume";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A JSON Lines file: two good lines, then `bad` on line 3, then a good one.
fn json_with(bad: &[u8]) -> Vec<u8> {
    [
        GOOD_JSON.as_bytes(),
        b"\n",
        GOOD_JSON.as_bytes(),
        b"\n",
        bad,
        b"\n",
        GOOD_JSON.as_bytes(),
        b"\n",
    ]
    .concat()
}

/// A CSV file: header, two good rows, then `bad` on line 4, then a good one.
fn csv_with(bad: &[u8]) -> Vec<u8> {
    [
        HEADER.as_bytes(),
        b"\n",
        GOOD_CSV.as_bytes(),
        b"\n",
        GOOD_CSV.as_bytes(),
        b"\n",
        bad,
        b"\n",
        GOOD_CSV.as_bytes(),
        b"\n",
    ]
    .concat()
}

fn assert_error(err: ReadError, path: &Path, line: Option<u64>, words: &[&str]) {
    let text = err.to_string();
    assert_eq!(err.path(), path, "{text}");
    assert_eq!(err.line(), line, "{text}");
    assert!(
        text.contains(&path.display().to_string()),
        "message does not name the file: {text}"
    );
    if let Some(line) = line {
        assert!(
            text.contains(&format!("line {line}")),
            "message does not name the line: {text}"
        );
    }
    for word in words {
        assert!(text.contains(word), "message lacks {word:?}: {text}");
    }
    assert!(
        text.contains("cargo run --release -p data"),
        "message does not say how to fix it: {text}"
    );
    assert!(text.len() < 1000, "message is {} bytes long", text.len());
}

#[test]
fn json_lines_good_file_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "AAPL.json", &json_with(GOOD_JSON.as_bytes()));
    assert_eq!(read_json_lines(&path).unwrap().len(), 4);
}

#[test]
fn json_lines_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let huge = [
        b"{\"timestamp\":\"".as_slice(),
        &vec![b'9'; 10 << 20],
        b"\"}",
    ]
    .concat();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("truncated", GOOD_JSON.as_bytes()[..40].to_vec(), &["EOF"]),
        (
            "bad-number",
            GOOD_JSON.replace("47.145", "47.1x5").into_bytes(),
            &["expected"],
        ),
        (
            "missing-field",
            GOOD_JSON.replace(r#","volume":1264015"#, "").into_bytes(),
            &["missing field `volume`"],
        ),
        (
            "bad-timestamp",
            GOOD_JSON.replace("T09:00:00", "T9:00").into_bytes(),
            &["invalid timestamp"],
        ),
        (
            "not-utf8",
            GOOD_JSON
                .replace("2016", "\u{1}")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xff } else { b })
                .collect(),
            &[],
        ),
        ("huge-line", huge, &["invalid timestamp"]),
        (
            "infinite",
            GOOD_JSON.replace("47.144", "1e400").into_bytes(),
            &["out of range"],
        ),
        (
            "negative",
            GOOD_JSON.replace("47.137", "-47.137").into_bytes(),
            &["implausible"],
        ),
    ];
    for (name, bad, words) in cases {
        let path = write(dir.path(), &format!("{name}.json"), &json_with(&bad));
        let err = read_json_lines(&path).expect_err(name);
        assert_error(err, &path, Some(3), words);
    }
}

#[test]
fn json_lines_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("empty.json", &b""[..]), ("blank.json", b"\n\n  \n")] {
        let path = write(dir.path(), name, bytes);
        assert_error(read_json_lines(&path).unwrap_err(), &path, None, &["empty"]);
    }
}

#[test]
fn csv_good_file_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "2016-01-04.csv", &csv_with(GOOD_CSV.as_bytes()));
    let bars = read_csv(&path).unwrap();
    assert_eq!(bars.len(), 4);
    assert_eq!(bars[0].volume, 1_264_015);
}

#[test]
fn csv_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let huge = [
        b"2016-01-04T09:00:00,".as_slice(),
        &vec![b'1'; 10 << 20],
        b",1,1,1,1",
    ]
    .concat();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "truncated",
            GOOD_CSV.as_bytes()[..30].to_vec(),
            &["expected 6 fields", "found 3"],
        ),
        (
            "bad-number",
            GOOD_CSV.replace("47.145", "47.1x5").into_bytes(),
            &["column `high`"],
        ),
        (
            "missing-field",
            GOOD_CSV.replace(",1264015", "").into_bytes(),
            &["expected 6 fields", "found 5"],
        ),
        (
            "bad-timestamp",
            GOOD_CSV.replace("2016-01-04", "04/01/2016").into_bytes(),
            &["invalid timestamp \"04/01/2016T09:00:00\""],
        ),
        (
            "not-utf8",
            [b"\xff\xfe".as_slice(), &GOOD_CSV.as_bytes()[2..]].concat(),
            &["invalid utf-8"],
        ),
        ("huge-line", huge, &["implausible bar (open inf"]),
        (
            "swapped",
            GOOD_CSV
                .replace("47.144,47.145", "47.145,47.144")
                .into_bytes(),
            &["low ≤ open, close ≤ high"],
        ),
    ];
    for (name, bad, words) in cases {
        let path = write(dir.path(), &format!("{name}.csv"), &csv_with(&bad));
        let err = read_csv(&path).expect_err(name);
        assert_error(err, &path, Some(4), words);
    }
}

#[test]
fn csv_wrong_header_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "header.csv",
        format!("timestamp,close,high,low,open,volume\n{GOOD_CSV}\n").as_bytes(),
    );
    assert_error(
        read_csv(&path).unwrap_err(),
        &path,
        Some(1),
        &[
            "wrong header",
            "expected `timestamp,open,high,low,close,volume`",
        ],
    );
    let path = write(dir.path(), "empty.csv", b"");
    assert_error(read_csv(&path).unwrap_err(), &path, None, &["empty"]);
    let path = write(
        dir.path(),
        "header-only.csv",
        format!("{HEADER}\n").as_bytes(),
    );
    assert_error(read_csv(&path).unwrap_err(), &path, None, &["empty"]);
}

#[test]
fn a_missing_file_names_itself() {
    let path = Path::new("/no/such/dir/AAPL.json");
    let err = read_json_lines(path).unwrap_err();
    assert!(matches!(err, ReadError::Io { .. }));
    assert!(err.to_string().contains("/no/such/dir/AAPL.json"), "{err}");
    assert!(read_csv(path).is_err());
}
