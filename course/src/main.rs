//! `cargo course`: the course's own runner. Where you stand on every exercise, the next one
//! and its hints, and a watch mode that re-runs the tests when you save.
//!
//! It builds and runs each lesson's `tests/exN_M.rs` files one by one (cargo's own
//! `cargo test` stops at the first failing file, which hides the others), and remembers the
//! results until a file changes.

mod cache;
mod commands;
mod doctor;
mod focus;
mod hints;
mod lessons;
mod mutants;
mod reset;
mod run;
mod verify;
mod watch;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::cache::Cache;
use crate::lessons::{Id, Lesson, Target};
use crate::run::State;

/// The course's runner: where you stand on every exercise, the next one, its hints, and a
/// watch mode. Run it as `cargo course` from anywhere in the repository.
#[derive(Debug, Parser)]
#[command(
    after_help = "Examples:\n  cargo course              # every exercise: done, failing or not started\n  cargo course 4            # lesson 4 only (builds and tests nothing else)\n  cargo course next         # what to do next, in the lesson you are on\n  cargo course next 4       # the first unfinished exercise of lesson 4\n  cargo course hint 1.2     # the hints of exercise 1.2\n  cargo course watch        # re-run the current exercise's tests on every save\n  cargo course reset 1.2    # put exercise 1.2's stub back"
)]
struct Args {
    /// The course's folder. Default: the course around the current folder.
    #[arg(long, value_name = "DIR", global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every lesson and exercise, with its state (the default). With a lesson number, that
    /// lesson only: it builds and tests nothing else.
    List {
        /// Only this lesson, e.g. 4.
        lesson: Option<u32>,
    },
    /// The exercise to do next: its statement, the file and line to edit, the book section
    /// and the command that tests it. Without an argument, the first unfinished exercise of
    /// the lesson you last edited or asked for (lesson 1 at first).
    Next {
        /// A lesson (N: its first unfinished exercise) or an exercise (N.M).
        target: Option<Target>,
    },
    /// The hints of one exercise, one level at a time: `cargo course hint 1.2` prints the
    /// first (an idea), `cargo course hint 1.2 2` the second (the API), and so on.
    Hint {
        /// The exercise, as N.M.
        id: Id,
        /// Which level (1 = the idea, 2 = the API, 3 = a sketch).
        #[arg(default_value_t = 1)]
        level: usize,
        /// Every level at once.
        #[arg(long)]
        all: bool,
    },
    /// Re-run the current exercise's tests whenever a source file of its lesson (or of a
    /// crate it uses) changes. Ctrl-C quits.
    Watch {
        /// A lesson (N) or an exercise (N.M) to start at. Default: as for `next`.
        target: Option<Target>,
        /// Stop after this many re-runs (for tests).
        #[arg(long, hide = true)]
        max_runs: Option<usize>,
    },
    /// Put exercise N.M's stub back as the course shipped it (read from git), leaving the
    /// rest of the exercise file alone. Asks before throwing your answer away.
    Reset {
        /// The exercise, as N.M.
        id: Id,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Is this machine ready for the course? Cores, memory, disk, the toolchain, the dataset
    /// and the build, each with the command that fixes what is missing.
    Doctor,
    /// `cargo course 4`: lesson 4 only, as `cargo course list 4`.
    #[command(external_subcommand)]
    Lesson(Vec<String>),
    /// For instructors: every reference solution passes its tests, and every exercise test
    /// fails on the untouched stubs.
    Verify {
        /// Only the stub check (what scripts/check-stubs.sh runs).
        #[arg(long)]
        stubs: bool,
        /// Only the hints check: no code in a first level, and at most `--max-leaks` spans
        /// of code of 20+ characters that appear verbatim in a `solution.rs`.
        #[arg(long)]
        hints: bool,
        /// With `--hints`: how many such spans the course may hold.
        #[arg(long, default_value_t = 8)]
        max_leaks: usize,
        /// Only the mutants check: each wrong answer in a lesson's `mutants/` folder, patched
        /// into its exercise file, fails that exercise's tests on every run.
        #[arg(long)]
        mutants: bool,
        /// With `--mutants`: how many runs of each (the course's bar is 10).
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// With `--mutants`: only this exercise's mutants (N.M); may be given more than once.
        #[arg(long = "exercise", value_name = "N.M")]
        exercises: Vec<Id>,
        /// Only these lesson folders, e.g. 01-map. Default: every lesson.
        lessons: Vec<String>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let root = args.root.clone().unwrap_or_else(course_root);
    let command = args.command.unwrap_or(Command::List { lesson: None });
    // A mistyped command is a usage error first, wherever the runner is.
    let mistyped = matches!(&command, Command::Lesson(words)
        if !matches!(words.as_slice(), [n] if n.parse::<u32>().is_ok()));
    if !mistyped && !is_workspace(&root) {
        eprintln!(
            "error: {} is not the course's folder (it has no workspace Cargo.toml): give the \
             folder you cloned with --root, or leave --root out inside it",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    let result = match command {
        Command::List { lesson } => list(&root, lesson),
        Command::Lesson(words) => match words.as_slice() {
            [number] if number.parse::<u32>().is_ok() => list(&root, number.parse().ok()),
            [word] if word.parse::<Id>().is_ok() => Err(anyhow::anyhow!(
                "`cargo course {word}` is not a command; for exercise {word}, run `cargo course \
                 next {word}` (or `watch {word}`, `hint {word}`)"
            )),
            _ => {
                use clap::CommandFactory;
                Args::command()
                    .error(
                        clap::error::ErrorKind::InvalidSubcommand,
                        format!(
                            "unrecognized subcommand '{}': a command (list, next, hint, watch, \
                             reset, verify) or a lesson number",
                            words.join(" ")
                        ),
                    )
                    .exit()
            }
        },
        Command::Next { target } => next(&root, target),
        Command::Hint { id, level, all } => commands::hint(&root, id, level, all),
        Command::Watch { target, max_runs } => watch::watch(&root, target, max_runs),
        Command::Reset { id, yes } => commands::reset(&root, id, yes),
        Command::Doctor => doctor::doctor(&root),
        Command::Verify {
            hints: true,
            max_leaks,
            lessons,
            ..
        } => verify::verify_hints(&root, max_leaks, &lessons),
        Command::Verify {
            mutants: true,
            runs,
            exercises,
            lessons,
            ..
        } => verify::verify_mutants(&root, runs, &exercises, &lessons),
        Command::Verify { stubs, lessons, .. } => verify::verify(&root, stubs, &lessons),
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

/// The course around the current folder (the nearest folder above it with a workspace
/// `Cargo.toml` and a `course/` crate), else the one this runner was built from.
fn course_root() -> PathBuf {
    let is_course =
        |dir: &Path| dir.join("course").join("Cargo.toml").is_file() && is_workspace(dir);
    std::env::current_dir()
        .ok()
        .and_then(|dir| {
            dir.ancestors()
                .find(|d| is_course(d))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// Whether `dir` has a workspace `Cargo.toml`.
fn is_workspace(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
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

/// The lesson numbered `number`, or an error that lists the lessons.
pub fn lesson_numbered(lessons: &[Lesson], number: u32) -> anyhow::Result<&Lesson> {
    lessons
        .iter()
        .find(|l| l.number() == Some(number))
        .with_context(|| {
            let all: Vec<String> = lessons
                .iter()
                .map(|l| format!("{} ({})", l.number().unwrap_or(0), l.dir_name))
                .collect();
            format!(
                "there is no lesson {number}; the lessons are {}",
                all.join(", ")
            )
        })
}

/// The lesson of exercise `id`, or an error that lists the exercises.
pub fn lesson_of(lessons: &[Lesson], id: Id) -> anyhow::Result<&Lesson> {
    lessons
        .iter()
        .find(|l| l.exercises.contains(&id))
        .with_context(|| {
            let all: Vec<String> = lessons
                .iter()
                .flat_map(|l| l.exercises.iter().map(Id::to_string))
                .collect();
            format!(
                "there is no exercise {id}; the exercises are {}",
                all.join(", ")
            )
        })
}

/// How many lines of a failure `list` shows under an exercise.
const FAILURE_LINES: usize = 12;

fn list(root: &Path, only: Option<u32>) -> anyhow::Result<bool> {
    let mut lessons = lessons::discover(root)?;
    if let Some(number) = only {
        let lesson = lesson_numbered(&lessons, number)?.clone();
        focus::remember(root, number);
        lessons = vec![lesson];
    }
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
            if let State::Failing(text) | State::DoesNotCompile(text) = &states[&id] {
                // Whole lines: the difference an assertion found is often at the end.
                let lines: Vec<&str> = text.lines().collect();
                for line in lines.iter().take(FAILURE_LINES) {
                    println!("          {line}");
                }
                if lines.len() > FAILURE_LINES {
                    println!(
                        "          {}",
                        style.dim(&format!(
                            "… {} more lines: `cargo course next {id}`",
                            lines.len() - FAILURE_LINES
                        ))
                    );
                }
            }
        }
    }
    let done = states.values().filter(|s| s.is_done()).count();
    let of_what = match only {
        Some(number) => format!(" of lesson {number}"),
        None => String::new(),
    };
    println!(
        "\n{done} of {} exercises{of_what} done.{}",
        states.len(),
        match done == states.len() {
            true => " All done!".to_string(),
            false => " Next: `cargo course next`.".to_string(),
        }
    );
    Ok(true)
}

/// The first exercise not done, looking at the lessons in order from lesson number `start`
/// and wrapping around to the first; each lesson is built and tested only when reached.
pub fn first_unfinished_from<'a>(
    root: &Path,
    lessons: &'a [Lesson],
    start: u32,
) -> anyhow::Result<Option<(&'a Lesson, Id, State)>> {
    let at = lessons
        .iter()
        .position(|l| l.number() == Some(start))
        .unwrap_or(0);
    for lesson in lessons[at..].iter().chain(&lessons[..at]) {
        let states = states(root, std::slice::from_ref(lesson))?;
        if let Some((&id, state)) = states.iter().find(|(_, s)| !s.is_done()) {
            return Ok(Some((lesson, id, state.clone())));
        }
    }
    Ok(None)
}

/// Where `next` and `watch` start: the exercise named, the first unfinished one of the
/// lesson named, else of the lesson the learner is on ([`focus::followed`]).
pub fn starting_point<'a>(
    root: &Path,
    lessons: &'a [Lesson],
    target: Option<Target>,
) -> anyhow::Result<Option<(&'a Lesson, Id, State)>> {
    // Remembered only once it names a real lesson or exercise: a typo keeps your place.
    match target {
        Some(Target::Exercise(id)) => {
            let lesson = lesson_of(lessons, id)?;
            focus::remember(root, id.0);
            let states = states(root, std::slice::from_ref(lesson))?;
            Ok(Some((lesson, id, states[&id].clone())))
        }
        Some(Target::Lesson(number)) => {
            lesson_numbered(lessons, number)?;
            focus::remember(root, number);
            first_unfinished_from(root, lessons, number)
        }
        None => {
            let start = focus::followed(root, lessons)
                .or_else(|| lessons.first().and_then(Lesson::number))
                .unwrap_or(1);
            first_unfinished_from(root, lessons, start)
        }
    }
}

fn next(root: &Path, target: Option<Target>) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    if let Some(Target::Lesson(number)) = target {
        let lesson = lesson_numbered(&lessons, number)?;
        let states = states(root, std::slice::from_ref(lesson))?;
        if states.values().all(State::is_done) {
            println!("Every exercise of lesson {number} is done.\n");
        }
    }
    match starting_point(root, &lessons, target)? {
        Some((lesson, id, state)) => print!("{}", describe(root, lesson, id, &state)),
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
