//! Remembering each lesson's results, so that a second `cargo course` with nothing changed
//! answers at once. A lesson's results are valid while its stamp is unchanged: the sizes
//! and modification times of every file the results depend on (the lesson's folder, the
//! `shared` and `data` crates, the workspace's manifests, and this runner itself).

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
        let path = path(root);
        if let (Some(dir), Ok(text)) = (path.parent(), serde_json::to_string_pretty(self)) {
            let tmp = path.with_extension("json.tmp");
            let _ = fs::create_dir_all(dir)
                .and_then(|()| fs::write(&tmp, text))
                .and_then(|()| fs::rename(&tmp, &path));
        }
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

/// A hash of the path, size and modification time of every file `lesson`'s results depend on.
pub fn stamp(root: &Path, lesson: &Lesson) -> u64 {
    let mut files = Vec::new();
    collect(&lesson.dir, &mut files);
    collect(&root.join("shared").join("src"), &mut files);
    collect(&root.join("data").join("src"), &mut files); // the tests' fixtures
    files.extend(["Cargo.toml", "Cargo.lock", "shared/Cargo.toml"].map(|f| root.join(f)));
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
