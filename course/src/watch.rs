//! `cargo course watch`: re-run the current exercise's tests whenever a source file of its
//! lesson (or of a crate the lesson uses) changes, and say what to do next.
//!
//! What counts is what changed, not that something happened. Files being opened or read
//! (a build reads every source file, and so does the stamp below) are no events at all;
//! any other event under the watched folders (a write, an editor's swap file) makes it look,
//! and the tests run again only when the lesson's stamp (the sizes and times of its source
//! files, as the cache uses) differs from the one its last run saw.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_mini::notify::{
    self, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher,
};

use crate::lessons::{self, Id, Lesson, Target};
use crate::run::{self, State};
use crate::{Style, cache, describe, first_unfinished_from, spinner, starting_point};

/// Saves come in bursts (an editor writes a file, a backup, a swap file): after an event,
/// wait until the files have been quiet this long, then look.
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

/// What the watcher sends: a change (an event other than a file being opened or read), or
/// the watcher's error.
type Change = Result<(), notify::Error>;

/// Blocks until the source files of `lesson` differ from `seen` (their stamp).
fn wait_for_a_change(
    root: &Path,
    lesson: &Lesson,
    seen: u64,
    changes: &mpsc::Receiver<Change>,
) -> anyhow::Result<()> {
    loop {
        // A change, even an error, is a reason to look; the stamp says if anything changed.
        let _change = changes.recv().context("the file watcher stopped")?;
        // The rest of the burst.
        while changes.recv_timeout(QUIET).is_ok() {}
        if cache::stamp(root, lesson) != seen {
            return Ok(());
        }
    }
}

/// Whether a file event is a change worth looking at: not a file or folder being opened,
/// read or closed without a write (inotify reports those too).
fn is_a_change(event: &Event) -> bool {
    !matches!(
        event.kind,
        EventKind::Access(notify::event::AccessKind::Open(_))
            | EventKind::Access(notify::event::AccessKind::Read)
            | EventKind::Access(notify::event::AccessKind::Close(
                notify::event::AccessMode::Read
            ))
            | EventKind::Access(notify::event::AccessKind::Close(
                notify::event::AccessMode::Execute
            ))
    )
}

/// The folders being watched: the current lesson's, and the sources and manifests of the
/// crates it uses (never `data/`'s dataset, nor `target/`).
struct Watching {
    watcher: RecommendedWatcher,
    paths: Vec<PathBuf>,
}

impl Watching {
    fn new(changes: mpsc::Sender<Change>) -> anyhow::Result<Watching> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            let change = match event {
                Ok(event) if !is_a_change(&event) => return,
                Ok(_) => Ok(()),
                Err(error) => Err(error),
            };
            let _ = changes.send(change);
        })
        .context("cannot watch files")?;
        Ok(Watching {
            watcher,
            paths: Vec::new(),
        })
    }

    /// Watches `lesson`'s folder and the `src/` and `Cargo.toml` of each workspace crate it
    /// depends on, instead of whatever was watched before.
    fn follow(&mut self, root: &Path, lesson: &Lesson) -> anyhow::Result<()> {
        let mut wanted = vec![lesson.dir.clone()];
        for dep in cache::path_dependencies(root, &lesson.dir) {
            wanted.extend([dep.join("src"), dep.join("Cargo.toml")]);
        }
        wanted.retain(|path| path.exists());
        if wanted == self.paths {
            return Ok(());
        }
        for old in self.paths.drain(..) {
            let _ = self.watcher.unwatch(&old);
        }
        for path in &wanted {
            self.watcher
                .watch(path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
        self.paths = wanted;
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
            events.send(Ok(())).unwrap();
        }
        std::fs::write(dir.path().join("elsewhere.txt"), "x").unwrap();
        drop(events);
        let waited = wait_for_a_change(dir.path(), &lesson, seen, &changes);
        assert!(waited.is_err(), "it woke up with nothing changed");
    }

    /// Opening and reading files is what a build (and the stamp itself) does all the time:
    /// those events are dropped before they wake anything; writes are not.
    #[test]
    fn opening_and_reading_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
        let event = |kind| Event::new(kind);
        assert!(!is_a_change(&event(EventKind::Access(AccessKind::Open(
            AccessMode::Any
        )))));
        assert!(!is_a_change(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        )))));
        assert!(is_a_change(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        )))));
        assert!(is_a_change(&event(EventKind::Modify(ModifyKind::Any))));
        assert!(is_a_change(&event(EventKind::Create(CreateKind::File))));
    }

    #[test]
    fn a_changed_source_file_wakes_it() {
        let (dir, lesson) = lesson();
        let seen = cache::stamp(dir.path(), &lesson);
        let (events, changes) = mpsc::channel();
        events.send(Ok(())).unwrap();
        std::fs::write(lesson.dir.join("src/exercise.rs"), "// an answer\n").unwrap();
        events.send(Ok(())).unwrap();
        drop(events);
        assert!(wait_for_a_change(dir.path(), &lesson, seen, &changes).is_ok());
    }
}
