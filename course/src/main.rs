//! `cargo course`: the course's own runner. Where you stand on every exercise, the next one
//! and its hints, and a watch mode that re-runs the tests when you save.
//!
//! It builds and runs each lesson's `tests/exN_M.rs` files one by one (cargo's own
//! `cargo test` stops at the first failing file, which hides the others), and remembers the
//! results until a file changes.

mod cache;
mod lessons;
mod run;
mod watch;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::cache::Cache;
use crate::lessons::{Id, Lesson};
use crate::run::State;

/// The course's runner: where you stand on every exercise, the next one, its hints, and a
/// watch mode. Run it as `cargo course` from anywhere in the repository.
#[derive(Debug, Parser)]
#[command(
    after_help = "Examples:\n  cargo course              # every exercise: done, failing or not started\n  cargo course next         # what to do next, and how to test it\n  cargo course hint 1.2     # the hints of exercise 1.2\n  cargo course watch        # re-run the current exercise's tests on every save"
)]
struct Args {
    /// The course's folder. Default: the repository this runner was built from.
    #[arg(long, value_name = "DIR", global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every lesson and exercise, with its state (the default).
    List,
    /// The first unfinished exercise: its statement, the file and line to edit, the book
    /// section and the command that tests it.
    Next,
    /// The hints of one exercise, e.g. `cargo course hint 1.2`.
    Hint {
        /// The exercise, as N.M.
        id: Id,
    },
    /// Re-run the current exercise's tests whenever a file of its lesson changes. Ctrl-C quits.
    Watch {
        /// Stop after this many re-runs (for tests).
        #[arg(long, hide = true)]
        max_runs: Option<usize>,
    },
    /// For instructors: every reference solution passes its tests, and every exercise test
    /// fails on the untouched stubs.
    Verify {
        /// Only the stub check (what scripts/check-stubs.sh runs).
        #[arg(long)]
        stubs: bool,
        /// Only these lesson folders, e.g. 01-map. Default: every lesson.
        lessons: Vec<String>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let result = match args.command.unwrap_or(Command::List) {
        Command::List => list(&root),
        Command::Next => next(&root),
        Command::Hint { id } => hint(&root, id),
        Command::Watch { max_runs } => watch::watch(&root, max_runs),
        Command::Verify { stubs, lessons } => verify(&root, stubs, &lessons),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Colours for a terminal; plain text anywhere else.
pub struct Style {
    colour: bool,
}

impl Style {
    pub fn stdout() -> Style {
        Style {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(&self, code: &str, text: &str) -> String {
        match self.colour {
            true => format!("\x1b[{code}m{text}\x1b[0m"),
            false => text.to_string(),
        }
    }
    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// A spinner on stderr while lessons build and run (hidden when stderr is not a terminal,
/// indicatif's default, or when `PARALLEL_RUST_NO_PROGRESS` is set).
pub fn spinner() -> indicatif::ProgressBar {
    let quiet = std::env::var_os("PARALLEL_RUST_NO_PROGRESS").is_some_and(|v| !v.is_empty());
    let bar = match quiet {
        true => indicatif::ProgressBar::hidden(),
        false => indicatif::ProgressBar::new_spinner(),
    };
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

/// The states of every exercise of every lesson: from the cache where nothing changed,
/// else built and run.
pub fn states(root: &Path, lessons: &[Lesson]) -> anyhow::Result<BTreeMap<Id, State>> {
    let mut cache = Cache::load(root);
    let mut all = BTreeMap::new();
    let mut stale = Vec::new();
    for lesson in lessons {
        match cache.get(root, lesson) {
            Some(states) => all.extend(states),
            None => stale.push(lesson),
        }
    }
    // A bar of the exercises to test, moved on as each lesson is done; the message says
    // what runs now (cargo's build of a lesson is most of the time, on a first call).
    let bar = spinner();
    let exercises: usize = stale.iter().map(|lesson| lesson.exercises.len()).sum();
    bar.set_length(exercises as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:20}] {pos}/{len} exercises · {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    for lesson in stale {
        let show = |what: &str| bar.set_message(what.to_string());
        let stamp = cache::stamp(root, lesson);
        let results = run::run_exercises(root, lesson, &lesson.exercises, false, &show)?;
        let states: BTreeMap<Id, State> = results.into_iter().map(|(id, (s, _))| (id, s)).collect();
        cache.put(lesson, stamp, &states);
        all.extend(states);
        bar.inc(lesson.exercises.len() as u64);
    }
    bar.finish_and_clear();
    cache.save(root);
    Ok(all)
}

fn list(root: &Path) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let states = states(root, &lessons)?;
    let style = Style::stdout();
    for lesson in &lessons {
        let file = lesson.exercise_file();
        let file = file.strip_prefix(root).unwrap_or(&file);
        println!(
            "{}  {}",
            style.bold(&format!("Lesson {} ({})", lesson.dir_name, lesson.package)),
            style.dim(&format!("edit {}", file.display()))
        );
        if lesson.exercises.is_empty() {
            println!("  (no exercises yet)");
        }
        for &id in &lesson.exercises {
            let title = lessons::section(root, id).map_or(String::new(), |s| s.title);
            // Pad before colouring: colour codes would count as width.
            let (mark, state) = match &states[&id] {
                State::Done => (style.green("✓"), style.green(&format!("{:<11}", "done"))),
                State::NotStarted => (style.dim("·"), style.dim("not started")),
                State::Failing(_) => (style.red("✗"), style.red(&format!("{:<11}", "failing"))),
                State::DoesNotCompile(_) => (style.red("✗"), style.red("does not compile")),
            };
            println!(
                "  {mark} {id:<4} {state}  {title}  {}",
                style.dim(&format!("(book section {id})"))
            );
            if let State::Failing(line) | State::DoesNotCompile(line) = &states[&id] {
                let first = line.lines().next().unwrap_or_default();
                println!("          {}", shorten(first, 110));
            }
        }
    }
    let done = states.values().filter(|s| s.is_done()).count();
    println!(
        "\n{done} of {} exercises done.{}",
        states.len(),
        match done == states.len() {
            true => " All done!".to_string(),
            false => " Next: `cargo course next`.".to_string(),
        }
    );
    Ok(true)
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The first exercise not done, with its lesson.
pub fn first_unfinished<'a>(
    lessons: &'a [Lesson],
    states: &BTreeMap<Id, State>,
) -> Option<(&'a Lesson, Id)> {
    lessons.iter().find_map(|lesson| {
        let id = lesson.exercises.iter().find(|id| !states[*id].is_done())?;
        Some((lesson, *id))
    })
}

fn next(root: &Path) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let states = states(root, &lessons)?;
    match first_unfinished(&lessons, &states) {
        Some((lesson, id)) => print!("{}", describe(root, lesson, id, &states[&id])),
        None => println!("Every exercise is done. Well done!"),
    }
    Ok(true)
}

/// What to do about exercise `id`: its state, statement, file and line, section and command.
pub fn describe(root: &Path, lesson: &Lesson, id: Id, state: &State) -> String {
    let style = Style::stdout();
    let mut out = String::new();
    let section = lessons::section(root, id);
    let title = section
        .as_ref()
        .map_or(String::new(), |s| format!(": {}", s.title));
    out += &style.bold(&format!("Exercise {id}{title}"));
    out += match state {
        State::Done => " (done)\n",
        State::NotStarted => " (not started)\n",
        State::Failing(_) => " (failing)\n",
        State::DoesNotCompile(_) => " (does not compile)\n",
    };
    if let State::Failing(line) | State::DoesNotCompile(line) = state {
        out += &format!("\n{}\n", style.red(line));
    }
    let file = lesson.exercise_file();
    let file = file
        .strip_prefix(root)
        .unwrap_or(&file)
        .display()
        .to_string();
    match lessons::statement(lesson, id) {
        Some((doc, line)) => {
            out += &format!("\n{doc}\n\nEdit:  {file}:{line}\n");
        }
        None => out += &format!("\nEdit:  {file}\n"),
    }
    if let Some(section) = section {
        out += &format!("Read:  book section {id}, in {}\n", section.page);
    }
    out += &format!("Test:  {}\n", lesson.test_command(id));
    out += &format!("Hints: cargo course hint {id}\n");
    out
}

fn hint(root: &Path, id: Id) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let Some(lesson) = lessons.iter().find(|l| l.exercises.contains(&id)) else {
        let all: Vec<String> = lessons
            .iter()
            .flat_map(|l| l.exercises.iter().map(Id::to_string))
            .collect();
        bail!(
            "there is no exercise {id}; the exercises are {}",
            all.join(", ")
        );
    };
    let file = lessons::hints_file(lesson, id);
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("exercise {id} has no hints file ({})", file.display()))?;
    println!("Hints for exercise {id} (also in book section {id}):\n");
    print!("{text}");
    Ok(true)
}

fn verify(root: &Path, stubs_only: bool, only: &[String]) -> anyhow::Result<bool> {
    let lessons: Vec<Lesson> = lessons::discover(root)?
        .into_iter()
        .filter(|l| only.is_empty() || only.iter().any(|o| o.trim_end_matches('/') == l.dir_name))
        .collect();
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
