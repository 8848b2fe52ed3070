//! Exercises 1.1 to 1.3 on real (tiny, generated) files: the conversions must write the
//! same columns as the sequential baseline, and a bad file must not stop the others.

use std::fs;
use std::path::{Path, PathBuf};

use lesson_01_map::answer::{par_map_by_hand, par_map_rayon, parse_typed};
use lesson_01_map::convert::{ConvertError, Converted, convert_file, output_path, parse_value};
use shared::columnar::read_columns;

/// A tiny dataset (4 symbols × 3 days) in a temporary folder, and an output folder.
struct Fixture {
    _dir: tempfile::TempDir,
    inputs: Vec<PathBuf>,
    out: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let dataset = data::make(&dir.path().join("data"), data::Size::Tiny).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    Fixture {
        inputs: dataset.json_files(),
        out,
        _dir: dir,
    }
}

/// What the given sequential `Value` parser makes of `input`.
fn reference_columns(input: &Path) -> shared::Columns {
    parse_value(input, &fs::read(input).unwrap()).unwrap()
}

fn check_outputs(exercise: &str, f: &Fixture, results: &[Result<Converted, ConvertError>]) {
    assert_eq!(
        results.len(),
        f.inputs.len(),
        "{exercise}: expected one result per input file"
    );
    for (input, result) in f.inputs.iter().zip(results) {
        let converted = result
            .as_ref()
            .unwrap_or_else(|e| panic!("{exercise}: converting {} failed: {e}", input.display()));
        assert_eq!(
            &converted.input, input,
            "{exercise}: results must come back in input order"
        );
        let written = read_columns(&output_path(input, &f.out)).unwrap();
        assert!(
            written == reference_columns(input),
            "{exercise}: the Parquet file for {} differs from what the sequential Value conversion writes",
            input.display()
        );
    }
}

#[test]
fn typed_parser_agrees_with_the_value_parser() {
    let f = fixture();
    for input in &f.inputs {
        let bytes = fs::read(input).unwrap();
        let typed = parse_typed(input, &bytes)
            .unwrap_or_else(|e| panic!("exercise 1.3: {} did not parse: {e}", input.display()));
        let expected = reference_columns(input);
        assert_eq!(
            typed.len(),
            expected.len(),
            "exercise 1.3: {}: expected {} bars",
            input.display(),
            expected.len()
        );
        for i in 0..expected.len() {
            assert_eq!(
                typed.bar(i),
                expected.bar(i),
                "exercise 1.3: {}: bar {i} differs; see book section 1.5",
                input.display()
            );
        }
    }
}

#[test]
fn typed_parser_reports_bad_lines_and_empty_files() {
    let good = r#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25,"volume":7}"#;
    let path = Path::new("data/json/AAPL.json");
    let cases = [
        (
            "a number that is not one",
            good.replace("2.0", "2.x"),
            "line 3",
        ),
        (
            "a missing field",
            good.replace(r#","volume":7"#, ""),
            "missing field `volume`",
        ),
        (
            "a bad timestamp",
            good.replace("T09:00:00", "T9:00"),
            "invalid timestamp",
        ),
        (
            "high below low",
            good.replace("2.0", "0.5"),
            "implausible bar",
        ),
    ];
    for (what, bad, expected) in cases {
        let text = format!("{good}\n\n{bad}\n{good}\n");
        let message = match parse_typed(path, text.as_bytes()) {
            Ok(_) => panic!(
                "exercise 1.3: line 3 has {what}, yet parse_typed returned Ok; see book section 1.5"
            ),
            Err(e) => e.to_string(),
        };
        assert!(
            message.contains("AAPL.json, line 3") && message.contains(expected),
            "exercise 1.3: for {what} on line 3, expected an error naming the file, line 3 and \"{expected}\", got: {message}"
        );
    }
    let message = parse_typed(path, b"\n \n")
        .map(|c| c.len())
        .map_err(|e| e.to_string());
    assert!(
        matches!(&message, Err(m) if m.contains("empty")),
        "exercise 1.3: a file with no bars must be an error (use convert::empty_error), got {message:?}"
    );
}

#[test]
fn rayon_conversion_writes_what_the_sequential_one_writes() {
    let f = fixture();
    let results = par_map_rayon(&f.inputs, |input| convert_file(input, &f.out, parse_typed));
    check_outputs("exercises 1.1 + 1.3", &f, &results);
}

#[test]
fn by_hand_conversion_writes_what_the_sequential_one_writes() {
    let f = fixture();
    let results = par_map_by_hand(&f.inputs, 3, |input| {
        convert_file(input, &f.out, parse_value)
    });
    check_outputs("exercise 1.2", &f, &results);
}

/// Breaks line 100 of the second input; returns its path.
fn break_one_file(f: &Fixture) -> PathBuf {
    let bad = f.inputs[1].clone();
    let text = fs::read_to_string(&bad).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[99] = r#"{"timestamp":"2016-01-04T12:18:00","open":47.1,"hi"#;
    fs::write(&bad, lines.join("\n")).unwrap();
    bad
}

fn check_one_failure(
    exercise: &str,
    f: &Fixture,
    bad: &Path,
    results: &[Result<Converted, ConvertError>],
) {
    assert_eq!(
        results.len(),
        f.inputs.len(),
        "{exercise}: expected one result per input, failed ones included"
    );
    for (input, result) in f.inputs.iter().zip(results) {
        let output = output_path(input, &f.out);
        if input == bad {
            let err = result.as_ref().err().unwrap_or_else(|| {
                panic!(
                    "{exercise}: {} is broken on line 100 but converted",
                    bad.display()
                )
            });
            let message = err.to_string();
            assert!(
                message.contains(&bad.display().to_string()) && message.contains("line 100"),
                "{exercise}: the error must name the file and line 100: {message}"
            );
            assert!(
                !output.exists(),
                "{exercise}: a failed conversion must not leave an output file"
            );
        } else {
            assert!(
                result.is_ok(),
                "{exercise}: {} should still convert when another file is broken: {:?}",
                input.display(),
                result
            );
            assert!(
                output.exists(),
                "{exercise}: {} was not written",
                output.display()
            );
        }
    }
    let leftovers: Vec<_> = fs::read_dir(&f.out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{exercise}: temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn rayon_conversion_reports_a_bad_file_and_converts_the_rest() {
    let f = fixture();
    let bad = break_one_file(&f);
    let results = par_map_rayon(&f.inputs, |input| convert_file(input, &f.out, parse_typed));
    check_one_failure("exercises 1.1 + 1.3", &f, &bad, &results);
}

#[test]
fn by_hand_conversion_reports_a_bad_file_and_converts_the_rest() {
    let f = fixture();
    let bad = break_one_file(&f);
    let results = par_map_by_hand(&f.inputs, 2, |input| {
        convert_file(input, &f.out, parse_value)
    });
    check_one_failure("exercise 1.2", &f, &bad, &results);
}
