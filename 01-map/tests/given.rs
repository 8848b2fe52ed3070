//! Tests of the given code of lesson 1: the `Value` parser and the sequential conversion,
//! the granularity variants and the rosetta stone. Ordinary tests: they pass with the
//! exercises untouched.

mod common;

use std::path::Path;

use common::{check_outputs, fixture};
use lesson_01_map::convert::{convert_all_sequential, convert_file, output_path, parse_value};
use lesson_01_map::{granularity, rosetta};

#[test]
fn value_parser_reads_good_lines_and_names_bad_ones() {
    let good = br#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25,"volume":7}"#;
    let path = Path::new("AAPL.json");
    let columns = parse_value(path, &[&good[..], b"\n", good].concat()).unwrap();
    assert_eq!(columns.len(), 2);
    assert_eq!(columns.bar(1).close, 1.25);
    let missing =
        br#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25}"#;
    let err = parse_value(path, &[&good[..], b"\n", missing].concat())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("AAPL.json, line 2: missing field `volume`"),
        "{err}"
    );
    let empty = parse_value(path, b"\n").unwrap_err().to_string();
    assert!(empty.contains("empty"), "{empty}");
    // What the typed parser refuses, the Value parser refuses too.
    let twice = br#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"open":1.6,"high":2.0,"low":1.0,"close":1.25,"volume":7}"#;
    let err = parse_value(path, twice).unwrap_err().to_string();
    assert!(err.contains("line 1: duplicate field `open`"), "{err}");
    let unknown = br#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25,"volume":7,"note":1}"#;
    let err = parse_value(path, unknown).unwrap_err().to_string();
    assert!(err.contains("line 1: unknown field `note`"), "{err}");
    let huge = br#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25,"volume":12345678901234567890123}"#;
    let err = parse_value(path, huge).unwrap_err().to_string();
    assert!(err.contains("`volume` does not fit in 64 bits"), "{err}");
    let array = br#"["2016-01-04T09:00:00",1.5,2.0,1.0,1.25,7]"#;
    let err = parse_value(path, array).unwrap_err().to_string();
    assert!(
        err.contains("line 1: invalid type: sequence, expected a JSON object"),
        "{err}"
    );
}

#[test]
fn a_file_that_now_fails_loses_its_output_of_an_earlier_run() {
    let f = fixture();
    let input = &f.inputs[0];
    let converted = convert_file(input, &f.out, parse_value).unwrap();
    assert!(converted.output.exists());
    let mut text = std::fs::read_to_string(input).unwrap();
    text.push_str("{\"timestamp\":\n");
    std::fs::write(input, text).unwrap();
    let err = convert_file(input, &f.out, parse_value).unwrap_err();
    assert!(err.to_string().contains("line"), "{err}");
    assert!(
        !converted.output.exists(),
        "the report says {} failed, yet its output of the earlier run is still there",
        input.display()
    );
}

#[test]
fn output_paths_keep_the_stem() {
    assert_eq!(
        output_path(Path::new("data/json/AAPL.json"), Path::new("out")),
        Path::new("out/AAPL.parquet")
    );
}

#[test]
fn the_sequential_baseline_converts_every_file() {
    let f = fixture();
    let results = convert_all_sequential(&f.inputs, &f.out, parse_value);
    check_outputs("given", &f, &results);
}

#[test]
fn granularity_variants_agree() {
    let expected = granularity::sequential(50);
    assert!(expected > 0);
    assert_eq!(granularity::fine(50), expected);
    assert_eq!(granularity::fine_min_len(50, 128), expected);
    assert_eq!(granularity::coarse(50), expected);
}

#[test]
fn every_rosetta_variant_is_the_sequential_conversion() {
    let f = fixture();
    let (inputs, out) = (&f.inputs, f.out.as_path());
    let expected = rows(&convert_all_sequential(inputs, out, parse_value));
    assert_eq!(expected.len(), inputs.len());
    let variants = [
        (
            "std threads",
            rosetta::convert_std_threads(inputs, out, parse_value),
        ),
        (
            "crossbeam",
            rosetta::convert_crossbeam(inputs, out, parse_value),
        ),
        ("rayon", rosetta::convert_rayon(inputs, out, parse_value)),
        (
            "futures",
            rosetta::convert_futures(inputs, out, parse_value).unwrap(),
        ),
        (
            "tokio",
            rosetta::convert_tokio(inputs, out, parse_value).unwrap(),
        ),
    ];
    for (name, outcomes) in variants {
        assert_eq!(rows(&outcomes), expected, "{name}");
    }
}

/// Each result's input and row count, in order.
fn rows(outcomes: &[lesson_01_map::convert::Outcome]) -> Vec<(std::path::PathBuf, u64)> {
    outcomes
        .iter()
        .map(|o| {
            let c = o.as_ref().expect("converts");
            (c.input.clone(), c.rows)
        })
        .collect()
}

/// Going further (section 1.5): the sonic-rs parser reads exactly what the `Value` parser
/// reads. Built only with `--features simd` (CI runs it).
#[cfg(feature = "simd")]
#[test]
fn the_sonic_parser_agrees_with_the_value_parser() {
    use lesson_01_map::simd::parse_sonic;
    let f = fixture();
    for input in &f.inputs {
        let bytes = std::fs::read(input).unwrap();
        assert_eq!(
            parse_sonic(input, &bytes).unwrap(),
            parse_value(input, &bytes).unwrap()
        );
    }
    let err = parse_sonic(Path::new("A.json"), b"{\"timestamp\":1}\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("A.json, line 1"), "{err}");
    let array = br#"["2016-01-04T09:00:00",1.5,2.0,1.0,1.25,7]"#;
    assert!(parse_sonic(Path::new("A.json"), array).is_err());
}
