//! Which lesson the learner is on, so that `cargo course next` and `watch` follow them
//! instead of starting at lesson 1: the lesson they last asked for by number (`next 4`,
//! `watch 4.3`, `list 4`, `hint 4.2`, `reset 4.1`), or the lesson whose exercise file they
//! last edited, whichever happened later.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::lessons::Lesson;

/// What the runner remembers: the lesson last asked for, and when; and the modification
/// time at which it first saw each exercise file (to tell an edit outside a git checkout).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Focus {
    asked: Option<Asked>,
    first_seen: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Asked {
    lesson: u32,
    /// Seconds since the Unix epoch, as a float (file times have sub-second precision).
    at: f64,
}

fn path(root: &Path) -> PathBuf {
    root.join("target").join("course").join("focus.json")
}

impl Focus {
    fn load(root: &Path) -> Focus {
        fs::read_to_string(path(root))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// A failure only costs the next `cargo course next` its guess, so it is ignored.
    fn save(&self, root: &Path) {
        crate::cache::save_quietly(&path(root), self);
    }
}

/// Remembers that the learner asked for `lesson` now.
pub fn remember(root: &Path, lesson: u32) {
    let mut focus = Focus::load(root);
    focus.asked = Some(Asked {
        lesson,
        at: seconds(SystemTime::now()),
    });
    focus.save(root);
}

/// The number of the lesson the learner is on, if they asked for one or edited one.
pub fn followed(root: &Path, lessons: &[Lesson]) -> Option<u32> {
    let mut focus = Focus::load(root);
    let asked = focus
        .asked
        .as_ref()
        .filter(|asked| lessons.iter().any(|l| l.number() == Some(asked.lesson)))
        .map(|asked| (asked.at, asked.lesson));
    let edited = last_edited(root, lessons, &mut focus);
    focus.save(root);
    match (asked, edited) {
        (Some(a), Some(e)) => Some(if e.0 > a.0 { e.1 } else { a.1 }),
        (a, e) => a.or(e).map(|(_, lesson)| lesson),
    }
}

/// The lesson whose exercise file was edited last, with when: among the exercise files
/// that differ from git's `HEAD` (edited before the runner first ran) or whose modification
/// time changed since the runner first saw them (edited since, committed or not).
fn last_edited(root: &Path, lessons: &[Lesson], focus: &mut Focus) -> Option<(f64, u32)> {
    let modified = modified_by_git(root, lessons);
    lessons
        .iter()
        .filter_map(|lesson| {
            let file = lesson.exercise_file();
            let changed = seconds(fs::metadata(&file).and_then(|m| m.modified()).ok()?);
            let first = *focus
                .first_seen
                .entry(lesson.dir_name.clone())
                .or_insert(changed);
            let edited = changed != first
                || modified
                    .as_ref()
                    .is_some_and(|modified| modified.contains(&file));
            let number = lesson.number().filter(|_| edited)?;
            Some((changed, number))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// The exercise files that differ from git's `HEAD`, or `None` when git cannot tell (no
/// git, or not a checkout).
fn modified_by_git(root: &Path, lessons: &[Lesson]) -> Option<Vec<PathBuf>> {
    let files: Vec<PathBuf> = lessons.iter().map(Lesson::exercise_file).collect();
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "--untracked-files=no", "--"])
        .args(&files)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let listed = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(
        files
            .into_iter()
            .filter(|file| {
                let relative = file.strip_prefix(root).unwrap_or(file);
                let relative = relative.to_string_lossy().replace('\\', "/");
                listed.lines().any(|line| line.ends_with(relative.as_str()))
            })
            .collect(),
    )
}

fn seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
