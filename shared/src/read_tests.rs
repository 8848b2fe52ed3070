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

/// The kinds of bad input a reliability probe found uncovered: each is an error naming the
/// file and the line, or is read correctly; never a panic, never a silent change.
#[test]
fn json_lines_probe_cases() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "wrong-type",
            GOOD_JSON.replace("47.144", "\"47.144\"").into_bytes(),
            &["invalid type: string"],
        ),
        (
            "duplicate-key",
            GOOD_JSON
                .replace(r#""volume":1264015"#, r#""volume":1264015,"open":1.0"#)
                .into_bytes(),
            &["duplicate field `open`"],
        ),
        (
            "unknown-key-twice",
            GOOD_JSON
                .replace(
                    r#""volume":1264015"#,
                    r#""volume":1264015,"note":1,"note":2"#,
                )
                .into_bytes(),
            &["unknown field `note`"],
        ),
        (
            "array-line",
            br#"["2016-01-04T09:00:00",47.144,47.145,47.137,47.137,1264015]"#.to_vec(),
            &["expected a JSON object"],
        ),
        (
            "volume-too-big",
            GOOD_JSON
                .replace("1264015", "18446744073709551616")
                .into_bytes(),
            &["volume"],
        ),
        (
            "nul-bytes",
            GOOD_JSON.replace("47.145", "47\u{0}145").into_bytes(),
            &[],
        ),
    ];
    for (name, bad, words) in cases {
        let path = write(dir.path(), &format!("{name}.json"), &json_with(&bad));
        let err = read_json_lines(&path).expect_err(name);
        assert_error(err, &path, Some(3), words);
    }

    // Read correctly: the largest volume, CRLF line ends, a byte-order mark, and a last line
    // without a newline.
    let max = GOOD_JSON.replace("1264015", "18446744073709551615");
    let path = write(dir.path(), "max.json", max.as_bytes());
    assert_eq!(read_json_lines(&path).unwrap()[0].volume, u64::MAX);
    let windows = format!("\u{feff}{GOOD_JSON}\r\n{GOOD_JSON}\r\n{GOOD_JSON}");
    let path = write(dir.path(), "windows.json", windows.as_bytes());
    assert_eq!(read_json_lines(&path).unwrap().len(), 3);

    // A whole file that is one JSON array: refused on its first line.
    let array = format!("[{GOOD_JSON},{GOOD_JSON}]\n");
    let path = write(dir.path(), "array-file.json", array.as_bytes());
    let err = read_json_lines(&path).unwrap_err();
    assert_error(err, &path, Some(1), &["expected a JSON object"]);

    // A truncated last line, without its newline.
    let cut = format!("{GOOD_JSON}\n{}", &GOOD_JSON[..50]);
    let path = write(dir.path(), "cut.json", cut.as_bytes());
    assert_error(
        read_json_lines(&path).unwrap_err(),
        &path,
        Some(2),
        &["EOF"],
    );
}

/// A folder where a file should be is an I/O error naming it, with the fix. (Permission
/// errors cannot be provoked reliably here: tests often run as root, who may read anything.)
#[test]
fn a_folder_instead_of_a_file_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("AAPL.json");
    std::fs::create_dir(&path).unwrap();
    for err in [
        read_json_lines(&path).unwrap_err(),
        read_csv(&path).unwrap_err(),
    ] {
        assert!(matches!(err, ReadError::Io { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&path.display().to_string()) && text.contains("not a folder"),
            "{text}"
        );
    }
}

/// The repair hint of a file inside a dataset repeats that dataset's exact spec and folder.
#[test]
fn the_repair_hint_names_the_dataset_the_file_belongs_to() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = crate::dataset::Manifest {
        layout_version: crate::dataset::LAYOUT_VERSION,
        spec: crate::dataset::Spec {
            seed: 7,
            symbols: vec!["AAPL".into()],
            start: chrono::NaiveDate::from_ymd_opt(2016, 1, 4).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2016, 1, 4).unwrap(),
            json_days: 1,
        },
        files: vec![],
        total_bytes: 0,
        total_rows: 0,
        generator_args: Some(vec![
            "--size".into(),
            "tiny".into(),
            "--seed".into(),
            "7".into(),
        ]),
    };
    std::fs::write(
        root.join(crate::dataset::MANIFEST),
        serde_json::to_string(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("minute/AAPL")).unwrap();
    let path = write(&root.join("minute/AAPL"), "2016-01-04.csv", b"");
    let text = read_csv(&path).unwrap_err().to_string();
    let out = format!("--out {}", root.display());
    let check = format!("`cargo run --release -p data -- {out} --check`");
    let force = format!("`cargo run --release -p data -- --size tiny --seed 7 {out} --force`");
    assert!(text.contains(&check) && text.contains(&force), "{text}");
}

#[test]
fn errors_show_control_bytes_escaped_and_say_what_is_wrong_with_a_row_or_header() {
    let dir = tempfile::tempdir().unwrap();
    let escape = json_with(b"{\"timestamp\":\"2016\x1b[2J\x00\x00\",\"open\":1}");
    let err = read_json_lines(&write(dir.path(), "esc.json", &escape))
        .unwrap_err()
        .to_string();
    assert!(
        !err.contains('\x1b') && !err.contains('\0'),
        "raw control bytes: {err:?}"
    );
    assert!(err.contains("\\u{1b}"), "shown escaped: {err}");

    let long = csv_with(format!("{GOOD_CSV},8").as_bytes());
    let err = read_csv(&write(dir.path(), "long.csv", &long))
        .unwrap_err()
        .to_string();
    assert!(err.contains("found 7 (too many fields)"), "{err}");
    let short = csv_with(b"2016-01-04T09:00:00,47.144");
    let err = read_csv(&write(dir.path(), "short.csv", &short))
        .unwrap_err()
        .to_string();
    assert!(err.contains("found 2 (is the line cut short?)"), "{err}");

    let header = format!("time,o,h,l,c,v\n{GOOD_CSV}\n");
    let err = read_csv(&write(dir.path(), "header.csv", header.as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("found fields `time,o,h,l,c,v`"), "{err}");
}
