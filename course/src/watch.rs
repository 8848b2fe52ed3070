//! `cargo course watch`: re-run the current exercise's tests whenever a file of its lesson
//! changes, and say what to do next.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_mini::new_debouncer;
use notify_debouncer_mini::notify::RecursiveMode;

use crate::lessons::{self, Lesson};
use crate::run::{self, State};
use crate::{Style, describe, first_unfinished, spinner, states};

/// Saves come in bursts (an editor writes a file, a backup, a swap file): wait until the
/// files have been quiet this long, then run once.
const QUIET: Duration = Duration::from_millis(300);

/// Watches until Ctrl-C, or until `max_runs` re-runs have happened.
pub fn watch(root: &Path, max_runs: Option<usize>) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let mut all = states(root, &lessons)?;
    let (events, changes) = mpsc::channel();
    let mut debouncer = new_debouncer(QUIET, events).context("cannot watch files")?;
    let shared = Some(root.join("shared")).filter(|dir| dir.is_dir());
    for dir in lessons.iter().map(|l| l.dir.clone()).chain(shared) {
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    let mut runs = 0;
    let mut previous = None;
    loop {
        let Some((lesson, id)) = first_unfinished(&lessons, &all) else {
            println!("Every exercise is done. Well done!");
            return Ok(true);
        };
        show(root, lesson, id, &all[&id]);
        if let Some(done) = previous.filter(|&p| p != id) {
            println!(
                "{}",
                Style::stdout().green(&format!("✓ Exercise {done} is done."))
            );
        }
        previous = Some(id);
        if max_runs.is_some_and(|max| runs >= max) {
            return Ok(true);
        }
        // Wait for a change to a source file (not to build output).
        loop {
            let batch = changes.recv().context("the file watcher stopped")?;
            let Ok(batch) = batch else { continue };
            let relevant = batch.iter().any(|event| {
                !event
                    .path
                    .components()
                    .any(|c| c.as_os_str() == "target" || c.as_os_str() == ".git")
            });
            if relevant {
                break;
            }
        }
        runs += 1;
        let spinner = spinner();
        let show_progress = |what: &str| spinner.set_message(what.to_string());
        let results = run::run_exercises(root, lesson, &[id], false, &show_progress)?;
        spinner.finish_and_clear();
        for (id, (state, _)) in results {
            all.insert(id, state);
        }
    }
}

/// Clears a terminal and shows the current exercise and what to do.
fn show(root: &Path, lesson: &Lesson, id: lessons::Id, state: &State) {
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
