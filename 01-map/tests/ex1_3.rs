//! Exercise 1.3: a typed parser (book section 1.3).
//!
//! `cargo test -p lesson-01-map --test ex1_3`. These tests call only your `parse_typed` and
//! given code, so they pass as soon as exercise 1.3 is done.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `01-map/mutants/1.3-*.rs`, checked by `cargo course verify --mutants --exercise 1.3`):
//! - no `deny_unknown_fields`: `ex1_3_refuses_exactly_the_lines_parse_value_refuses`;
//! - arrays let through, or no `Bar::validate`: `ex1_3_reports_bad_lines_and_empty_files`;
//! - `parse_value` called as it is: `ex1_3_allocates_at_most_one_block_per_line`.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::path::Path;

use common::{fixture, reference_columns};
use lesson_01_map::answer::parse_typed;
use lesson_01_map::convert::parse_value;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use shared::testing::within;

const GOOD: &str = r#"{"timestamp":"2016-01-04T09:00:00","open":1.5,"high":2.0,"low":1.0,"close":1.25,"volume":7}"#;

#[test]
fn ex1_3_reads_the_same_bars_as_the_value_parser() {
    within("1.3", || {
        let f = fixture();
        for input in &f.inputs {
            let bytes = fs::read(input).unwrap();
            let typed = parse_typed(input, &bytes)
                .unwrap_or_else(|e| panic!("exercise 1.3: {} did not parse: {e}", input.display()));
            let expected = reference_columns(input);
            assert_eq!(
                typed.len(),
                expected.len(),
                "exercise 1.3: {}: expected {} bars; see book section 1.3",
                input.display(),
                expected.len()
            );
            for i in 0..expected.len() {
                assert_eq!(
                    typed.bar(i),
                    expected.bar(i),
                    "exercise 1.3: {}: bar {i} differs from what parse_value reads; see book section 1.3",
                    input.display()
                );
            }
        }
    });
}

#[test]
fn ex1_3_reports_bad_lines_and_empty_files() {
    within("1.3", || {
        let path = Path::new("data/json/AAPL.json");
        let cases = [
            (
                "a number that is not one",
                GOOD.replace("2.0", "2.x"),
                "line 3",
            ),
            (
                "a missing field",
                GOOD.replace(r#","volume":7"#, ""),
                "missing field `volume`",
            ),
            (
                "a bad timestamp",
                GOOD.replace("T09:00:00", "T9:00"),
                "invalid timestamp",
            ),
            (
                "high below low",
                GOOD.replace("2.0", "0.5"),
                "implausible bar",
            ),
            (
                "a key twice",
                GOOD.replace(r#""volume":7"#, r#""volume":7,"open":9.9"#),
                "duplicate field `open`",
            ),
            (
                "a key the format does not have",
                GOOD.replace(r#""volume":7"#, r#""volume":7,"note":1"#),
                "unknown field `note`",
            ),
            (
                "an unknown key twice",
                GOOD.replace(r#""volume":7"#, r#""volume":7,"note":1,"note":2"#),
                "unknown field `note`",
            ),
            (
                "an array instead of an object",
                r#"["2016-01-04T09:00:00",1.5,2.0,1.0,1.25,7]"#.to_string(),
                "expected a JSON object",
            ),
        ];
        for (what, bad, expected) in cases {
            let text = format!("{GOOD}\n\n{bad}\n{GOOD}\n");
            let message = match parse_typed(path, text.as_bytes()) {
                Ok(_) => panic!(
                    "exercise 1.3: line 3 has {what}, yet parse_typed returned Ok; see book section 1.3"
                ),
                Err(e) => e.to_string(),
            };
            assert!(
                message.contains("AAPL.json, line 3") && message.contains(expected),
                "exercise 1.3: for {what} on line 3, expected an error naming the file, line 3 and \"{expected}\", got: {message}"
            );
        }
        // JSON may escape any character of a string: parse_value reads this line, so yours
        // must too (a borrowed `&str` cannot hold an unescaped copy; see the hints).
        let escaped = GOOD.replace("2016-01-04", "2016\\u002d01-04");
        if let Err(e) = parse_typed(path, format!("{escaped}\n").as_bytes()) {
            panic!(
                "exercise 1.3: a timestamp written with a JSON escape (\\u002d for '-') must parse, as parse_value parses it; got: {e}. See the hints in book section 1.3"
            );
        }
        let message = parse_typed(path, b"\n \n")
            .map(|c| c.len())
            .map_err(|e| e.to_string());
        assert!(
            matches!(&message, Err(m) if m.contains("empty")),
            "exercise 1.3: a file with no bars must be an error (use convert::empty_error), got {message:?}"
        );
    });
}

/// A good line with a few random edits: whole-token edits that keep it JSON (a key renamed,
/// repeated, dropped or added, a number written another way), then characters inserted,
/// deleted or replaced. Most results are bad lines; some are good ones written differently.
fn edited_line() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        (r#""volume":7"#, r#""volume":7,"note":1"#),
        (r#""volume":7"#, r#""volume":7.0"#),
        (r#""volume":7"#, r#""volume":-7"#),
        (r#""volume":7"#, r#""volume":18446744073709551615"#),
        (r#""open":1.5,"#, ""),
        (r#""open":1.5"#, r#""open":15e-1"#),
        (r#""open":1.5"#, r#""open":"1.5""#),
        (r#""close":1.25"#, r#""close":1.25,"close":1.25"#),
        (r#""high""#, r#""hi\u0067h""#),
        (r#""low""#, r#""Low""#),
        ("T09:00:00", "T09:00:60"),
        ("2016-01-04", "2016\\u002d01-04"),
        ("{", "["),
        ("}", "} "),
    ]);
    let chars =
        prop::sample::select(r#"{}[]":,.-+0123456789eE \tnulrs"#.chars().collect::<Vec<_>>());
    let edits = prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, chars), 0..3);
    (prop::collection::vec(tokens, 0..3), edits).prop_map(|(tokens, edits)| {
        let mut line = GOOD.to_string();
        for (from, to) in tokens {
            line = line.replacen(from, to, 1);
        }
        for (at, kind, c) in edits {
            let i = at.index(line.len() + 1);
            match kind {
                0 => line.insert(i, c),
                1 if i < line.len() => {
                    line.remove(i);
                }
                _ if i < line.len() => line.replace_range(i..=i, &c.to_string()),
                _ => line.push(c),
            }
        }
        line
    })
}

/// Two parsers of one format must accept exactly the same lines, or a run could report a
/// file as failed by one variant and converted by the other. 2,000 edited lines: each is
/// refused by both parsers, or read by both into the same bar.
#[test]
fn ex1_3_refuses_exactly_the_lines_parse_value_refuses() {
    within("1.3", || {
        let path = Path::new("data/json/AAPL.json");
        // Called once outside proptest's runner, which would catch the stub's `todo!` and
        // report it as a disagreement rather than "not done yet".
        let _ = parse_typed(path, GOOD.as_bytes());
        let config = Config {
            // 2,000, or more when PROPTEST_CASES asks for more (a longer search by hand).
            cases: Config::default().cases.max(2000),
            failure_persistence: None,
            ..Config::default()
        };
        let result = TestRunner::new(config).run(&edited_line(), |line| {
            let text = format!("{GOOD}\n{line}\n");
            match (
                parse_value(path, text.as_bytes()),
                parse_typed(path, text.as_bytes()),
            ) {
                (Ok(theirs), Ok(yours)) => prop_assert_eq!(
                    theirs,
                    yours,
                    "both parsers read line 2, into different bars; line 2: {}",
                    line
                ),
                (Err(_), Err(_)) => {}
                (Ok(_), Err(e)) => prop_assert!(
                    false,
                    "parse_value reads line 2, yours refuses it ({}); line 2: {}",
                    e,
                    line
                ),
                (Err(e), Ok(_)) => prop_assert!(
                    false,
                    "yours reads line 2, parse_value refuses it ({}); line 2: {}",
                    e,
                    line
                ),
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!(
                "exercise 1.3: parse_typed must refuse exactly the lines parse_value refuses: {failure}. See the hints in book section 1.3"
            );
        }
    });
}

/// Counts the allocations made by the current thread (other tests run on other threads).
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches only
// a thread-local `Cell` with a const initializer, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Typed parsing is not a matter of taste: the point is that it does no work per line beyond
/// reading the numbers. `serde_json::Value` allocates a map, six keys and a timestamp string
/// for every line; a typed record with a borrowed `&str` (or a `Timestamp`) allocates
/// nothing. The bound allows a `String` field, at one allocation a line.
#[test]
fn ex1_3_allocates_at_most_one_block_per_line() {
    within("1.3", || {
        let lines = 2_000;
        let text = format!("{GOOD}\n").repeat(lines);
        let path = Path::new("AAPL.json");
        let before = ALLOCATIONS.with(Cell::get);
        let parsed = parse_typed(path, text.as_bytes());
        let allocations = ALLOCATIONS.with(Cell::get) - before;
        let columns = parsed
            .unwrap_or_else(|e| panic!("exercise 1.3: {lines} good lines did not parse: {e}"));
        assert_eq!(columns.len(), lines, "exercise 1.3: expected {lines} bars");
        assert!(
            allocations <= lines as u64,
            "exercise 1.3: parsing {lines} lines made {allocations} allocations ({:.1} per line). A typed record read with \
             `serde_json::from_slice` allocates nothing per line; a `Value` tree allocates about ten. See book section 1.3",
            allocations as f64 / lines as f64
        );
    });
}
