//! Building a lesson's exercise tests and running them, one test binary per exercise, so
//! that every exercise gets its own answer (cargo itself stops at the first failing file).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::lessons::{Id, Lesson};

/// Where an exercise stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Every test of its file passes.
    Done,
    /// Its stub's `todo!` is still reached.
    NotStarted,
    /// A test fails (or its binary crashed); the first failure's message, whole.
    Failing(String),
    /// The lesson does not compile; the first error, with its file and line.
    DoesNotCompile(String),
}

impl State {
    pub fn is_done(&self) -> bool {
        *self == State::Done
    }
}

/// One test of an exercise's file, as the test binary reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    /// The panic message of a failed test, whole (an `assert_eq!`'s values included).
    pub message: Option<String>,
}

/// Builds `ids` of `lesson` (with `--features solution` if `solution`) and runs each
/// exercise's test binary. `progress` is told what happens.
pub fn run_exercises(
    root: &Path,
    lesson: &Lesson,
    ids: &[Id],
    solution: bool,
    progress: &dyn Fn(&str),
) -> anyhow::Result<BTreeMap<Id, (State, Vec<TestResult>)>> {
    progress(&format!("building {}", lesson.package));
    let binaries = match build(root, lesson, ids, solution)? {
        Ok(binaries) => binaries,
        Err(error) => {
            let state = State::DoesNotCompile(error);
            return Ok(ids
                .iter()
                .map(|&id| (id, (state.clone(), vec![])))
                .collect());
        }
    };
    let mut results = BTreeMap::new();
    for &id in ids {
        progress(&format!("running exercise {id}'s tests"));
        let Some(binary) = binaries.get(&id.test()) else {
            let state = State::DoesNotCompile(format!("cargo built no test binary {}", id.test()));
            results.insert(id, (state, vec![]));
            continue;
        };
        let output = Command::new(binary)
            .args(["--color", "never"])
            .current_dir(&lesson.dir)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {binary}"))?;
        let tests = parse_test_output(&String::from_utf8_lossy(&output.stdout));
        let state = match crashed(&output.status, &tests) {
            Some(crash) => {
                let mut text = format!(
                    "{crash}; run `{}` to see its output",
                    lesson.test_command(id)
                );
                // A test that failed before the crash says what was wrong too.
                if let (true, State::Failing(first)) =
                    (tests.iter().any(|t| !t.passed), state_of(id, &tests))
                {
                    text += &format!("\nBefore that, a test failed:\n{first}");
                }
                State::Failing(text)
            }
            None => state_of(id, &tests),
        };
        results.insert(id, (state, tests));
    }
    Ok(results)
}

/// `cargo test --no-run` for the exercise files; the test binary of each, by target name,
/// or the first compiler error.
fn build(
    root: &Path,
    lesson: &Lesson,
    ids: &[Id],
    solution: bool,
) -> anyhow::Result<Result<BTreeMap<String, String>, String>> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(root)
        .args(["test", "--no-run", "--message-format=json"])
        .args(["-p", &lesson.package])
        .env("CARGO_TERM_COLOR", "never");
    for id in ids {
        cargo.args(["--test", &id.test()]);
    }
    if solution {
        cargo.args(["--features", "solution"]);
    }
    let output = cargo
        .stdin(Stdio::null())
        .output()
        .context("cannot run cargo; is it on your PATH?")?;
    let mut binaries = BTreeMap::new();
    let mut first_error = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-message" && first_error.is_none() {
            first_error = compile_error(&message["message"]);
        }
        let is_test = message["reason"] == "compiler-artifact"
            && message["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"));
        if let (true, Some(name), Some(exe)) = (
            is_test,
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            binaries.insert(name.to_string(), exe.to_string());
        }
    }
    if output.status.success() {
        return Ok(Ok(binaries));
    }
    if let Some(error) = first_error {
        return Ok(Err(error));
    }
    // Not the compiler: cargo itself (a broken Cargo.toml, a missing file).
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error = stderr
        .lines()
        .skip_while(|l| !l.starts_with("error"))
        .take(6)
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Err(if error.is_empty() {
        stderr.lines().last().unwrap_or("cargo failed").to_string()
    } else {
        error
    }))
}

/// How many lines of the compiler's message a compile error shows.
const ERROR_LINES: usize = 16;

/// A compiler error as `FILE:LINE:COL: error[CODE]: message`, then the compiler's own
/// rendering of it (the code, the marks, the help), cut at [`ERROR_LINES`] lines.
/// `None` for a warning or a note.
fn compile_error(message: &serde_json::Value) -> Option<String> {
    if message["level"] != "error" {
        return None;
    }
    let text = message["message"].as_str().unwrap_or("error");
    let code = message["code"]["code"]
        .as_str()
        .map_or(String::new(), |c| format!("[{c}]"));
    let spans = message["spans"].as_array();
    let primary = spans.and_then(|s| s.iter().find(|s| s["is_primary"] == true));
    let place = primary.map_or(String::new(), |s| {
        format!(
            "{}:{}:{}: ",
            s["file_name"].as_str().unwrap_or("?"),
            s["line_start"],
            s["column_start"]
        )
    });
    let mut out = format!("{place}error{code}: {text}");
    if let Some(rendered) = message["rendered"].as_str() {
        // Its first line repeats the headline.
        let body: Vec<&str> = rendered.lines().skip(1).collect();
        for line in body.iter().take(ERROR_LINES) {
            out += &format!("\n{line}");
        }
        if body.len() > ERROR_LINES {
            out += "\n…";
        }
    }
    Some(out)
}

/// The way a test binary died, if it did not exit as libtest does (0, or 101 with failed
/// tests): killed by a signal, or another exit code. A binary that aborts after passing
/// some tests must not count as done.
fn crashed(status: &std::process::ExitStatus, tests: &[TestResult]) -> Option<String> {
    if status.success() || (status.code() == Some(101) && tests.iter().any(|t| !t.passed)) {
        return None;
    }
    let passed = tests.iter().filter(|t| t.passed).count();
    let how = match signal_of(status) {
        Some(signal) => format!("was killed by signal {signal} ({})", signal_name(signal)),
        None => match status.code() {
            Some(code) => format!("exited with code {code}"),
            None => "stopped".to_string(),
        },
    };
    Some(format!(
        "the test binary {how} after {passed} test{} passed",
        if passed == 1 { "" } else { "s" }
    ))
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// The usual name of a Unix signal.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT: an abort, e.g. a panic while panicking, or std::process::abort",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL: killed, perhaps for using too much memory",
        11 => "SIGSEGV: an invalid memory access",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// The tests a libtest binary ran, from its plain-text output.
pub fn parse_test_output(stdout: &str) -> Vec<TestResult> {
    let mut tests: Vec<TestResult> = stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let (name, outcome) = rest.rsplit_once(" ... ")?;
            match outcome {
                "ok" => Some((name, true)),
                "FAILED" => Some((name, false)),
                _ => None,
            }
        })
        .map(|(name, passed)| TestResult {
            name: name.to_string(),
            passed,
            message: None,
        })
        .collect();
    // Each failure's captured output: "---- NAME stdout ----", then "thread … panicked at
    // FILE:LINE:COL:" and the message on the next line.
    let mut current: Option<usize> = None;
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = tests.iter().position(|t| t.name == name);
        } else if line.starts_with("thread '") && line.contains(" panicked at ") {
            // The message runs to the next blank line or note: an `assert_eq!` puts the
            // values it compared (`left:`, `right:`) on lines of their own.
            let mut message = Vec::new();
            while let Some(next) = lines.peek() {
                if next.trim().is_empty()
                    || next.starts_with("note: ")
                    || next.starts_with("stack backtrace:")
                    || next.starts_with("---- ")
                    || (next.starts_with("thread '") && next.contains(" panicked at "))
                {
                    break;
                }
                message.push(next.trim_end().to_string());
                lines.next();
            }
            if let (Some(i), false) = (current, message.is_empty()) {
                // A test may print several panics (a worker's, then the test's own): the
                // test's own comes last and says the most.
                tests[i].message = Some(message.join("\n"));
            }
        }
    }
    tests
}

/// An exercise's state from its tests' results.
pub fn state_of(id: Id, tests: &[TestResult]) -> State {
    let not_started = format!("exercise {id} is not done yet");
    let failures: Vec<&TestResult> = tests.iter().filter(|t| !t.passed).collect();
    if tests.is_empty() {
        return State::Failing(format!("tests/{}.rs ran no test", id.test()));
    }
    if failures.is_empty() {
        return State::Done;
    }
    if failures.iter().any(|t| {
        t.message
            .as_deref()
            .is_some_and(|m| m.contains(&not_started))
    }) {
        return State::NotStarted;
    }
    let first = failures[0];
    State::Failing(
        first
            .message
            .clone()
            .unwrap_or_else(|| format!("{} failed", first.name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "
running 3 tests
test ex1_2_a ... ok
test ex1_2_b ... FAILED
test ex1_2_c ... FAILED

failures:

---- ex1_2_b stdout ----

thread 'exercise 1.2' (1) panicked at 01-map/tests/ex1_2.rs:40:17:
exercise 1.2: with 2 threads, the results are not in input order
note: run with `RUST_BACKTRACE=1`

thread 'ex1_2_b' (2) panicked at shared/src/testing.rs:99:17:
exercise 1.2: with 2 threads, the results are not in input order

---- ex1_2_c stdout ----

thread 'ex1_2_c' panicked at shared/src/testing.rs:90:17:
exercise 1.2 is not done yet: not yet implemented: exercise 1.2: …

failures:
    ex1_2_b
    ex1_2_c

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn reads_libtest_output() {
        let tests = parse_test_output(OUTPUT);
        assert_eq!(tests.len(), 3);
        assert!(tests[0].passed && !tests[1].passed);
        assert_eq!(
            tests[1].message.as_deref(),
            Some("exercise 1.2: with 2 threads, the results are not in input order")
        );
        assert_eq!(state_of(Id(1, 2), &tests), State::NotStarted);
        assert_eq!(
            state_of(Id(1, 2), &tests[..2]),
            State::Failing(
                "exercise 1.2: with 2 threads, the results are not in input order".into()
            )
        );
        assert_eq!(state_of(Id(1, 2), &tests[..1]), State::Done);
    }
}
