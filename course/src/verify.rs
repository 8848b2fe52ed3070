//! `cargo course verify`: for instructors. Every reference passes its tests, every test fails
//! on the untouched stubs, the hints hand over no answer, and every mutant is caught.

use std::path::Path;

use anyhow::{Context, bail};

use crate::lessons::{self, Id, Lesson};
use crate::run::{self, State};
use crate::{hints, mutants};

/// `verify --hints`: what the hints hand over. A first level holds no code at all; across
/// the course, at most `max` spans of code of [`hints::LONG`]+ characters appear verbatim
/// (whitespace ignored) in a lesson's `solution.rs`.
pub fn verify_hints(root: &Path, max: usize, only: &[String]) -> anyhow::Result<bool> {
    let lessons = lessons_named(root, only)?;
    let mut ok = true;
    let mut leaks = 0;
    let mut unfolded = Vec::new();
    for lesson in &lessons {
        let solution =
            std::fs::read_to_string(lesson.dir.join("src").join("solution.rs")).unwrap_or_default();
        for &id in &lesson.exercises {
            let file = lessons::hints_file(lesson, id);
            let shown = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            let Ok(text) = std::fs::read_to_string(&file) else {
                println!("check-hints: {shown} is missing");
                ok = false;
                continue;
            };
            if !hints::has_levels(&text) {
                unfolded.push(id.to_string());
            }
            for (i, level) in hints::levels(&text).iter().enumerate() {
                if i == 0 && hints::has_levels(&text) && !hints::code_spans(level).is_empty() {
                    println!(
                        "check-hints: {shown}: its first level holds code; it should be an idea in words"
                    );
                    ok = false;
                }
                for span in hints::leaks(level, &solution) {
                    println!(
                        "check-hints: {shown}, level {}: `{}` is in solution.rs",
                        i + 1,
                        span.trim()
                    );
                    leaks += 1;
                }
            }
        }
    }
    if !unfolded.is_empty() {
        println!(
            "check-hints: not in levels (<!-- ANCHOR: level1 --> …): {}",
            unfolded.join(", ")
        );
        ok = false;
    }
    println!(
        "check-hints: {leaks} span{} of code of {}+ characters in the hints appear verbatim in a solution.rs (at most {max} allowed).",
        if leaks == 1 { "" } else { "s" },
        hints::LONG
    );
    Ok(ok && leaks <= max)
}

/// The lessons whose folders `only` names (e.g. `01-map`), or every lesson.
pub fn lessons_named(root: &Path, only: &[String]) -> anyhow::Result<Vec<Lesson>> {
    Ok(lessons::discover(root)?
        .into_iter()
        .filter(|l| only.is_empty() || only.iter().any(|o| o.trim_end_matches('/') == l.dir_name))
        .collect())
}

pub fn verify(root: &Path, stubs_only: bool, only: &[String]) -> anyhow::Result<bool> {
    let lessons = lessons_named(root, only)?;
    if lessons.is_empty() {
        bail!("no lesson folder named {}", only.join(", "));
    }
    let mut ok = true;
    for lesson in &lessons {
        if !stubs_only {
            ok &= verify_solution(root, lesson)?;
        }
        ok &= verify_stubs(root, lesson)?;
    }
    Ok(ok)
}

/// Every mutant of the lessons named (or of `exercises`) is caught on each of `runs` runs.
pub fn verify_mutants(
    root: &Path,
    runs: usize,
    exercises: &[Id],
    only: &[String],
) -> anyhow::Result<bool> {
    let lessons: Vec<Lesson> = lessons_named(root, only)?
        .into_iter()
        .filter(|l| exercises.is_empty() || exercises.iter().any(|id| l.exercises.contains(id)))
        .collect();
    if lessons.is_empty() {
        bail!("no lesson has those exercises or folders");
    }
    let runs = runs.max(1);
    let (mut caught, mut total) = (0, 0);
    for lesson in &lessons {
        let outcomes = mutants::verify(root, lesson, exercises, runs)?;
        if outcomes.is_empty() {
            println!(
                "mutants: {}: none in {}/mutants",
                lesson.package, lesson.dir_name
            );
        }
        for (name, outcome) in &outcomes {
            total += 1;
            let every_time = outcome.caught == outcome.runs;
            caught += usize::from(every_time);
            println!(
                "mutants: {}: {name}: caught in {} of {} runs{}",
                lesson.package,
                outcome.caught,
                outcome.runs,
                if every_time { "" } else { "  <- ESCAPES" }
            );
            if !outcome.failed.is_empty() {
                println!("    failed: {}", outcome.failed.join(", "));
            }
            if let Some(said) = &outcome.said {
                let said: String = said.split_whitespace().collect::<Vec<_>>().join(" ");
                let cut: String = said.chars().take(300).collect();
                let more = if cut.len() < said.len() { "…" } else { "" };
                println!("    it says: {cut}{more}");
            }
            for problem in outcome.escaped.iter().take(3) {
                println!("    {problem}");
            }
        }
    }
    println!("mutants: {caught} of {total} caught on every run.");
    Ok(caught == total)
}

/// `cargo test -p LESSON --features solution`: every test of the lesson passes.
fn verify_solution(root: &Path, lesson: &Lesson) -> anyhow::Result<bool> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args([
            "test",
            "-q",
            "-p",
            &lesson.package,
            "--features",
            "solution",
        ])
        .status()
        .context("cannot run cargo")?;
    match status.success() {
        true => println!(
            "verify: {}: the reference passes every test.",
            lesson.package
        ),
        false => println!(
            "verify: {}: the reference FAILS tests (above).",
            lesson.package
        ),
    }
    Ok(status.success())
}

/// Every test in `tests/exN_M.rs` fails on the untouched stubs, is named `exN_M_…`, and
/// says "exercise N.M is not done yet": a test that passes on a `todo!()` checks nothing.
fn verify_stubs(root: &Path, lesson: &Lesson) -> anyhow::Result<bool> {
    if lesson.exercises.is_empty() {
        println!("check-stubs: {}: no tests/exN_M.rs files.", lesson.package);
        return Ok(false);
    }
    let results = run::run_exercises(root, lesson, &lesson.exercises, false, &|_| {})?;
    let mut problems = Vec::new();
    let mut failed = 0;
    for (id, (state, tests)) in &results {
        if let State::DoesNotCompile(error) = state {
            problems.push(format!("the untouched stubs do not compile:\n{error}"));
            break;
        }
        let prefix = format!("{}_", id.test());
        for test in tests {
            if test.passed {
                problems.push(format!(
                    "{} PASSES on the untouched stubs, so it checks nothing",
                    test.name
                ));
            } else {
                failed += 1;
            }
            if !test.name.starts_with(&prefix) {
                problems.push(format!(
                    "{} is in tests/{}.rs but not named {prefix}…",
                    test.name,
                    id.test()
                ));
            }
        }
        if tests.iter().all(|t| t.passed) {
            problems.push(format!(
                "tests/{}.rs has no test failing on the stubs",
                id.test()
            ));
        } else if *state != State::NotStarted {
            problems.push(format!(
                "no failure of tests/{}.rs says \"exercise {id} is not done yet\" (run it through shared::testing::within)",
                id.test()
            ));
        }
    }
    for problem in &problems {
        println!("check-stubs: {}: {problem}", lesson.package);
    }
    if problems.is_empty() {
        println!(
            "check-stubs: {}: all {failed} exercise tests fail on the stubs, as they should.",
            lesson.package
        );
    }
    Ok(problems.is_empty())
}
