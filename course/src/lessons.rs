//! What the course holds, found on disk: lessons are the `NN-topic/` folders with a
//! `Cargo.toml`, and a lesson's exercises are its `tests/exN_M.rs` files. A new lesson needs
//! no change here.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// An exercise id, `N.M`: exercise M of lesson N, explained in book section N.M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub u32, pub u32);

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{id:<5}` lines up columns.
        f.pad(&format!("{}.{}", self.0, self.1))
    }
}

impl std::str::FromStr for Id {
    type Err = String;
    fn from_str(s: &str) -> Result<Id, String> {
        let parse = |part: Option<&str>| part.and_then(|p| p.parse().ok());
        let mut parts = s.split('.');
        match (parse(parts.next()), parse(parts.next()), parts.next()) {
            (Some(n), Some(m), None) => Ok(Id(n, m)),
            _ => Err(format!(
                "{s:?} is not an exercise id; write it as N.M, e.g. 1.2"
            )),
        }
    }
}

impl Id {
    /// The name of its test file and test target: `ex1_2`.
    pub fn test(self) -> String {
        format!("ex{}_{}", self.0, self.1)
    }
}

/// What a command is pointed at: a lesson (`4`) or one exercise (`4.3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Lesson(u32),
    Exercise(Id),
}

impl Target {
    pub fn lesson(self) -> u32 {
        match self {
            Target::Lesson(n) | Target::Exercise(Id(n, _)) => n,
        }
    }
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Target, String> {
        match s.parse::<u32>() {
            Ok(n) => Ok(Target::Lesson(n)),
            Err(_) => s.parse().map(Target::Exercise).map_err(|_| {
                format!(
                    "{s:?} is neither a lesson nor an exercise; write N (e.g. 4) or N.M (e.g. 4.3)"
                )
            }),
        }
    }
}

/// One lesson crate.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// `01-map`
    pub dir_name: String,
    pub dir: PathBuf,
    /// `lesson-01-map`
    pub package: String,
    /// Its exercises, in order.
    pub exercises: Vec<Id>,
}

impl Lesson {
    /// Its number: 1 for `01-map`.
    pub fn number(&self) -> Option<u32> {
        self.dir_name.get(..2)?.parse().ok()
    }

    /// The file a learner edits.
    pub fn exercise_file(&self) -> PathBuf {
        self.dir.join("src").join("exercise.rs")
    }

    /// `cargo test -p lesson-01-map --test ex1_2`
    pub fn test_command(&self, id: Id) -> String {
        format!("cargo test -p {} --test {}", self.package, id.test())
    }
}

/// Every lesson under `root`, in order.
pub fn discover(root: &Path) -> anyhow::Result<Vec<Lesson>> {
    let entries = fs::read_dir(root)
        .with_context(|| format!("cannot list the course folder {}", root.display()))?;
    let mut lessons = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let numbered = name.len() > 3
            && name.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            && name.as_bytes()[2] == b'-';
        let manifest = entry.path().join("Cargo.toml");
        if !numbered || !manifest.is_file() {
            continue;
        }
        let package = package_name(&manifest)?;
        let mut exercises: Vec<Id> = fs::read_dir(entry.path().join("tests"))
            .map(|files| {
                files
                    .flatten()
                    .filter_map(|f| exercise_of(&f.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        exercises.sort();
        lessons.push(Lesson {
            dir_name: name,
            dir: entry.path(),
            package,
            exercises,
        });
    }
    lessons.sort_by(|a, b| a.dir_name.cmp(&b.dir_name));
    if lessons.is_empty() {
        bail!(
            "no lessons (NN-topic/ folders with a Cargo.toml) in {}; is this the course's folder?",
            root.display()
        );
    }
    Ok(lessons)
}

/// `ex1_2.rs` → 1.2
fn exercise_of(file_name: &str) -> Option<Id> {
    let stem = file_name.strip_prefix("ex")?.strip_suffix(".rs")?;
    let (n, m) = stem.split_once('_')?;
    Some(Id(n.parse().ok()?, m.parse().ok()?))
}

fn package_name(manifest: &Path) -> anyhow::Result<String> {
    let text = fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    text.lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
        .with_context(|| format!("{} has no package name", manifest.display()))
}

/// Where exercise `id` is explained: the book page and the heading "N.M Exercise: …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Relative to the course root: `book/src/01-map.md`.
    pub page: String,
    /// `a parallel map with rayon`
    pub title: String,
}

/// Finds the book heading of exercise `id` (`## 1.2 Exercise: the same map by hand`).
pub fn section(root: &Path, id: Id) -> Option<Section> {
    let book = root.join("book").join("src");
    let mut pages: Vec<PathBuf> = fs::read_dir(&book)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    let prefix = format!("{id} Exercise");
    pages.into_iter().find_map(|page| {
        let text = fs::read_to_string(&page).ok()?;
        let heading = text.lines().find_map(|line| {
            let heading = line.trim_start_matches('#').trim();
            (line.starts_with('#') && heading.starts_with(&prefix)).then_some(heading)
        })?;
        let title = heading[prefix.len()..].trim_start_matches(':').trim();
        Some(Section {
            page: page
                .strip_prefix(root)
                .unwrap_or(&page)
                .display()
                .to_string(),
            title: title.to_string(),
        })
    })
}

/// The statement of exercise `id` as its stub states it: the doc comment above the function
/// whose `todo!` names the exercise, and the line of that `todo!` (1-based).
pub fn statement(lesson: &Lesson, id: Id) -> Option<(String, usize)> {
    let text = fs::read_to_string(lesson.exercise_file()).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let marker = format!("\"exercise {id}:");
    let todo = lines.iter().position(|l| l.contains(&marker))?;
    let todo = match lines[todo].contains("todo!") {
        true => todo,
        // A multi-line `todo!(` puts the message on the next line.
        false => todo.checked_sub(1)?,
    };
    // Up from the todo! to the signature, then up through the doc comment.
    let signature = (0..todo).rev().find(|&i| {
        let l = lines[i].trim_start();
        l.starts_with("pub fn") || l.starts_with("pub async fn")
    })?;
    let mut doc: Vec<&str> = lines[..signature]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("///") || l.trim_start().starts_with("#["))
        .filter_map(|l| l.trim_start().strip_prefix("///"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    doc.reverse();
    Some((doc.join("\n"), todo + 1))
}

/// The hints file of exercise `id`: `NN-topic/hints/N.M.md`.
pub fn hints_file(lesson: &Lesson, id: Id) -> PathBuf {
    lesson.dir.join("hints").join(format!("{id}.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_name_their_tests() {
        assert_eq!("1.2".parse::<Id>(), Ok(Id(1, 2)));
        assert!("1".parse::<Id>().is_err() && "1.2.3".parse::<Id>().is_err());
        assert_eq!(Id(3, 10).test(), "ex3_10");
        assert_eq!(exercise_of("ex3_10.rs"), Some(Id(3, 10)));
        assert_eq!(exercise_of("given.rs"), None);
        assert!(Id(1, 9) < Id(1, 10) && Id(1, 10) < Id(2, 1));
        assert_eq!("4".parse::<Target>(), Ok(Target::Lesson(4)));
        assert_eq!("4.3".parse::<Target>(), Ok(Target::Exercise(Id(4, 3))));
        assert!("four".parse::<Target>().is_err());
    }
}
