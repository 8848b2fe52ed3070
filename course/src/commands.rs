//! `cargo course hint N.M` and `cargo course reset N.M`.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, bail};

use crate::lessons::{self, Id};
use crate::{Style, focus, hints, lesson_of, reset as stub};

pub fn hint(root: &Path, id: Id, level: usize, all: bool) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let lesson = lesson_of(&lessons, id)?;
    focus::remember(root, id.0);
    let file = lessons::hints_file(lesson, id);
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("exercise {id} has no hints file ({})", file.display()))?;
    let levels = hints::levels(&text);
    let count = levels.len();
    if all || count == 1 {
        println!("Hints for exercise {id} (also in book section {id}):\n");
        println!("{}", levels.join("\n\n"));
        return Ok(true);
    }
    let Some(text) = level.checked_sub(1).and_then(|i| levels.get(i)) else {
        bail!("exercise {id} has hints 1 to {count}; try `cargo course hint {id} 1`");
    };
    println!("Hint {level} of {count} for exercise {id} (book section {id} folds them all):\n");
    println!("{text}");
    let style = Style::stdout();
    match level < count {
        true => println!(
            "\n{}",
            style.dim(&format!(
                "Still stuck? The next hint: `cargo course hint {id} {}`",
                level + 1
            ))
        ),
        false => println!(
            "\n{}",
            style.dim("That was the last hint: the decisive lines are yours to write.")
        ),
    }
    Ok(true)
}

pub fn reset(root: &Path, id: Id, yes: bool) -> anyhow::Result<bool> {
    let lessons = lessons::discover(root)?;
    let lesson = lesson_of(&lessons, id)?;
    focus::remember(root, id.0);
    let file = lesson.exercise_file();
    let shown = file
        .strip_prefix(root)
        .unwrap_or(&file)
        .display()
        .to_string();
    let (file_text, discarded) = match stub::plan(root, lesson, id)? {
        stub::Reset::AlreadyTheStub => {
            println!("Exercise {id} in {shown} is already the stub: nothing to reset.");
            return Ok(true);
        }
        stub::Reset::Replace {
            file_text,
            discarded,
        } => (file_text, discarded),
    };
    if !yes {
        let lines = discarded.lines().count();
        if !std::io::stdin().is_terminal() {
            bail!(
                "resetting exercise {id} throws away your {lines}-line answer in {shown}; \
                 run `cargo course reset {id} --yes` to do it without asking"
            );
        }
        print!(
            "Throw away your {lines}-line answer to {id} in {shown} and put the stub back? [y/N] "
        );
        std::io::Write::flush(&mut std::io::stdout())?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(true);
        }
    }
    let tmp = file.with_extension("rs.tmp");
    std::fs::write(&tmp, &file_text)
        .and_then(|()| std::fs::rename(&tmp, &file))
        .with_context(|| format!("cannot write {}", file.display()))?;
    println!(
        "Exercise {id} is the stub again in {shown}; the rest of the file is as it was.\nNext: `cargo course next {id}`."
    );
    Ok(true)
}
