//! `cargo course watch`: re-run the current exercise's tests whenever a source file of its
//! lesson (or of a crate the lesson uses) changes, and say what to do next.
//!
//! What counts is what changed, not that something happened: the watcher wakes on any
//! event under the watched folders (a build reads every source file, an editor writes swap
//! files), and the tests run again only when the lesson's stamp (the sizes and times of its
//! source files, as the cache uses) differs from the one its last run saw.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::lessons::{self, Id, Lesson, Target};
use crate::run::{self, State};
use crate::{Style, cache, describe, first_unfinished_from, spinner, starting_point};

/// Saves come in bursts (an editor writes a file, a backup, a swap file): wait until the
/// files have been quiet this long, then look.
const QUIET: Duration = Duration::from_millis(300);

/// Watches until Ctrl-C, or until `max_runs` re-runs have happened.
pub fn watch(root: &Path, target: Option<Target>, max_runs: Option<usize>) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let Some((mut lesson, mut id, mut state)) = starting_point(root, &lessons, target)? else {
        println!("Every exercise is done. Well done!");
        return Ok(true);
    };
    let (events, changes) = mpsc::channel();
    let mut watching = Watching::new(events)?;
    let mut runs = 0;
    let mut done_before: Option<Id> = None;
    // The stamp of the files that `state` was computed from: the cache's, taken before
    // that build, so that an edit saved during it is not missed.
    let mut seen = cached_stamp(root, lesson);
    loop {
        watching.follow(root, lesson)?;
        show(root, lesson, id, &state);
        if let Some(done) = done_before.take() {
            println!(
                "{}",
                Style::stdout().green(&format!("✓ Exercise {done} is done."))
            );
        }
        if max_runs.is_some_and(|max| runs >= max) {
            return Ok(true);
        }
        if cache::stamp(root, lesson) == seen {
            wait_for_a_change(root, lesson, seen, &changes)?;
        }
        seen = cache::stamp(root, lesson);
        runs += 1;
        let spinner = spinner();
        let show_progress = |what: &str| spinner.set_message(what.to_string());
        let results = run::run_exercises(root, lesson, &[id], false, &show_progress)?;
        spinner.finish_and_clear();
        state = results
            .get(&id)
            .map_or(State::NotStarted, |(state, _)| state.clone());
        if state.is_done() {
            // On to the next unfinished exercise: this lesson's, else a later lesson's.
            let number = lesson.number().unwrap_or(1);
            let Some((l, next, s)) = first_unfinished_from(root, &lessons, number)? else {
                show(root, lesson, id, &state);
                println!("Every exercise is done. Well done!");
                return Ok(true);
            };
            done_before = Some(id);
            (lesson, id, state) = (l, next, s);
            seen = cached_stamp(root, lesson);
        }
    }
}

/// The stamp under which the cache holds `lesson`'s results (else the files' stamp now).
fn cached_stamp(root: &Path, lesson: &Lesson) -> u64 {
    cache::Cache::load(root)
        .stamp_of(lesson)
        .unwrap_or_else(|| cache::stamp(root, lesson))
}

/// Blocks until the source files of `lesson` differ from `seen` (their stamp).
fn wait_for_a_change(
    root: &Path,
    lesson: &Lesson,
    seen: u64,
    changes: &mpsc::Receiver<DebounceEventResult>,
) -> anyhow::Result<()> {
    loop {
        // Any batch, even an error, is a reason to look; the stamp says if anything changed.
        let _batch = changes.recv().context("the file watcher stopped")?;
        if cache::stamp(root, lesson) != seen {
            return Ok(());
        }
    }
}

/// The folders being watched: the current lesson's, and those of the crates it uses.
struct Watching {
    debouncer: Debouncer<RecommendedWatcher>,
    folders: Vec<PathBuf>,
}

impl Watching {
    fn new(events: mpsc::Sender<DebounceEventResult>) -> anyhow::Result<Watching> {
        let debouncer = new_debouncer(QUIET, events).context("cannot watch files")?;
        Ok(Watching {
            debouncer,
            folders: Vec::new(),
        })
    }

    /// Watches `lesson`'s folder and those of the workspace crates it depends on (and no
    /// `target/`), instead of whatever was watched before.
    fn follow(&mut self, root: &Path, lesson: &Lesson) -> anyhow::Result<()> {
        let mut wanted = vec![lesson.dir.clone()];
        wanted.extend(cache::path_dependencies(root, &lesson.dir));
        if wanted == self.folders {
            return Ok(());
        }
        for old in self.folders.drain(..) {
            let _ = self.debouncer.watcher().unwatch(&old);
        }
        for dir in &wanted {
            self.debouncer
                .watcher()
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
        self.folders = wanted;
        Ok(())
    }
}

/// Clears a terminal and shows the current exercise and what to do.
fn show(root: &Path, lesson: &Lesson, id: Id, state: &State) {
    let style = Style::stdout();
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        print!("\x1b[2J\x1b[H");
    }
    print!("{}", describe(root, lesson, id, state));
    println!(
        "\n{}",
        style.dim("Watching for changes: save a file to re-run the tests. Ctrl-C quits.")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson of one file in a temporary folder.
    fn lesson() -> (tempfile::TempDir, Lesson) {
        let dir = tempfile::tempdir().unwrap();
        let lesson_dir = dir.path().join("01-x");
        std::fs::create_dir_all(lesson_dir.join("src")).unwrap();
        std::fs::write(lesson_dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::write(lesson_dir.join("src/exercise.rs"), "// stub\n").unwrap();
        let lesson = Lesson {
            dir_name: "01-x".into(),
            dir: lesson_dir,
            package: "x".into(),
            exercises: vec![],
        };
        (dir, lesson)
    }

    /// Events with nothing changed (a build opening every file, writes elsewhere) never
    /// end the wait: only the watcher stopping does, here, as an error.
    #[test]
    fn events_without_a_change_do_not_wake_it() {
        let (dir, lesson) = lesson();
        let seen = cache::stamp(dir.path(), &lesson);
        let (events, changes) = mpsc::channel();
        for _ in 0..5 {
            events.send(Ok(Vec::new())).unwrap();
        }
        std::fs::write(dir.path().join("elsewhere.txt"), "x").unwrap();
        drop(events);
        let waited = wait_for_a_change(dir.path(), &lesson, seen, &changes);
        assert!(waited.is_err(), "it woke up with nothing changed");
    }

    #[test]
    fn a_changed_source_file_wakes_it() {
        let (dir, lesson) = lesson();
        let seen = cache::stamp(dir.path(), &lesson);
        let (events, changes) = mpsc::channel();
        events.send(Ok(Vec::new())).unwrap();
        std::fs::write(lesson.dir.join("src/exercise.rs"), "// an answer\n").unwrap();
        events.send(Ok(Vec::new())).unwrap();
        drop(events);
        assert!(wait_for_a_change(dir.path(), &lesson, seen, &changes).is_ok());
    }
}
