//! Remembering each lesson's results, so that a second `cargo course` with nothing changed
//! answers at once. A lesson's results are valid while its stamp is unchanged: the sizes
//! and modification times of every file the results depend on (the lesson's folder, the
//! sources of every workspace crate it depends on, directly or not — `shared`, `data`, and
//! lesson 3 for lessons 5 and 6 —, the workspace's manifests, and this runner itself).

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::lessons::{Id, Lesson};
use crate::run::State;

/// The saved results: package → (stamp, state of each exercise).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    lessons: BTreeMap<String, Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    stamp: u64,
    states: Vec<(String, State)>,
}

fn path(root: &Path) -> PathBuf {
    root.join("target").join("course").join("status.json")
}

impl Cache {
    /// The cache of the course in `root`; empty if there is none or it cannot be read.
    pub fn load(root: &Path) -> Cache {
        fs::read_to_string(path(root))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Saves the cache; a failure only costs a slower next call, so it is ignored.
    pub fn save(&self, root: &Path) {
        save_quietly(&path(root), self);
    }

    /// The saved states of `lesson`, if nothing they depend on changed since.
    pub fn get(&self, root: &Path, lesson: &Lesson) -> Option<BTreeMap<Id, State>> {
        let entry = self.lessons.get(&lesson.package)?;
        if entry.stamp != stamp(root, lesson) {
            return None;
        }
        let states: BTreeMap<Id, State> = entry
            .states
            .iter()
            .filter_map(|(id, state)| Some((id.parse().ok()?, state.clone())))
            .collect();
        // A new or removed exercise file changes the stamp too; this is belt and braces.
        (states.keys().copied().collect::<Vec<_>>() == lesson.exercises).then_some(states)
    }

    /// The stamp of the files `lesson`'s saved results were computed from.
    pub fn stamp_of(&self, lesson: &Lesson) -> Option<u64> {
        self.lessons.get(&lesson.package).map(|entry| entry.stamp)
    }

    /// Saves `states` under `stamp`, taken BEFORE the build: a file saved while the tests
    /// ran then changes the stamp, and the next call runs them again.
    pub fn put(&mut self, lesson: &Lesson, stamp: u64, states: &BTreeMap<Id, State>) {
        let entry = Entry {
            stamp,
            states: states
                .iter()
                .map(|(id, state)| (id.to_string(), state.clone()))
                .collect(),
        };
        self.lessons.insert(lesson.package.clone(), entry);
    }
}

/// Writes `value` as JSON to `path` (its folder made if need be), through a temporary file
/// renamed into place, so that no reader sees half of it. A failure is ignored: what the
/// runner remembers only saves time.
pub fn save_quietly(path: &Path, value: &impl Serialize) {
    if let (Some(dir), Ok(text)) = (path.parent(), serde_json::to_string_pretty(value)) {
        let tmp = path.with_extension("json.tmp");
        let _ = fs::create_dir_all(dir)
            .and_then(|()| fs::write(&tmp, text))
            .and_then(|()| fs::rename(&tmp, path));
    }
}

/// A hash of the path, size and modification time of every file `lesson`'s results depend on.
pub fn stamp(root: &Path, lesson: &Lesson) -> u64 {
    let mut files = Vec::new();
    collect(&lesson.dir, &mut files);
    for crate_dir in path_dependencies(root, &lesson.dir) {
        collect(&crate_dir.join("src"), &mut files);
        files.push(crate_dir.join("Cargo.toml"));
    }
    files.extend(["Cargo.toml", "Cargo.lock"].map(|f| root.join(f)));
    // A rebuilt runner may read results differently: its own executable counts too.
    files.extend(std::env::current_exe());
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        let Ok(meta) = fs::metadata(&file) else {
            continue;
        };
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (file, meta.len(), modified).hash(&mut hasher);
    }
    hasher.finish()
}

/// The folders of the workspace crates that the crate in `dir` depends on, directly or
/// through each other (dev-dependencies included: the tests build them too). Read from
/// the manifests' `path = "…"` entries, in the crate's own `Cargo.toml` or, for a
/// `name.workspace = true` dependency, in the workspace's `[workspace.dependencies]`.
pub fn path_dependencies(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let text = |dir: &Path| fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let workspace: Vec<(String, PathBuf)> = path_entries(&text(root))
        .map(|(name, path)| (name, root.join(path)))
        .collect();
    let mut found: Vec<PathBuf> = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let manifest = text(&dir);
        let own = path_entries(&manifest).map(|(_, path)| dir.join(path));
        let inherited = workspace
            .iter()
            .filter(|(name, _)| {
                manifest.lines().any(|line| {
                    let line = line.trim_start();
                    line.starts_with(&format!("{name}.workspace"))
                        || line.starts_with(&format!("{name} = {{ workspace"))
                })
            })
            .map(|(_, path)| path.clone());
        for dep in own.chain(inherited) {
            let dep = fs::canonicalize(&dep).unwrap_or(dep);
            if !found.contains(&dep) {
                found.push(dep.clone());
                todo.push(dep);
            }
        }
    }
    found.sort();
    found
}

/// The `name = { path = "dir", … }` lines of a manifest, as (name, dir).
fn path_entries(manifest: &str) -> impl Iterator<Item = (String, String)> + '_ {
    manifest.lines().filter_map(|line| {
        let (name, rest) = line.split_once('=')?;
        let (_, after) = rest.split_once("path = \"")?;
        let (path, _) = after.split_once('"')?;
        Some((name.trim().to_string(), path.to_string()))
    })
}

/// Every file under `dir`, skipping build output and hidden files.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lesson 5 depends on lesson 3 through the workspace's dependency table: a change to
    /// lesson 3's sources must change lesson 5's stamp (it did not, and a compile error fixed
    /// in lesson 3 stayed cached as lesson 5's).
    #[test]
    fn a_change_in_a_crate_the_lesson_depends_on_changes_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write(
            "Cargo.toml",
            "[workspace.dependencies]\nshared = { path = \"shared\" }\n\
             lesson-03-x = { path = \"03-x\" }\nserde = \"1\"\n",
        );
        write(
            "shared/Cargo.toml",
            "[dependencies]\nserde.workspace = true\n",
        );
        write("shared/src/lib.rs", "");
        write(
            "03-x/Cargo.toml",
            "[dependencies]\nshared.workspace = true\n",
        );
        write("03-x/src/lib.rs", "pub fn a() {}");
        write(
            "05-y/Cargo.toml",
            "[dependencies]\nlesson-03-x.workspace = true\n",
        );
        write("05-y/src/lib.rs", "");
        write(
            "01-z/Cargo.toml",
            "[dependencies]\nshared.workspace = true\n",
        );
        let canonical = |p: &str| fs::canonicalize(root.join(p)).unwrap();
        assert_eq!(
            path_dependencies(root, &root.join("05-y")),
            vec![canonical("03-x"), canonical("shared")]
        );
        assert_eq!(
            path_dependencies(root, &root.join("01-z")),
            vec![canonical("shared")]
        );
        let lesson = Lesson {
            dir_name: "05-y".into(),
            dir: root.join("05-y"),
            package: "lesson-05-y".into(),
            exercises: vec![],
        };
        let before = stamp(root, &lesson);
        assert_eq!(stamp(root, &lesson), before);
        write("03-x/src/lib.rs", "pub fn a() { }");
        assert_ne!(stamp(root, &lesson), before);
    }
}
