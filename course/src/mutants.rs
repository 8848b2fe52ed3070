//! `cargo course verify --mutants`: the wrong answers a learner would plausibly write, each
//! patched into the exercise file in turn, must fail that exercise's tests on every run.
//!
//! The stub check's idea, applied to wrong answers. A mutant is a file
//! `NN-lesson/mutants/N.M-what-it-gets-wrong.rs`:
//!
//! ```text
//! //! The mean as a parallel sum (`par_iter().sum()`): its bits depend on the splits.
//! //! Caught by: ex3_7_sums_each_candidates_scores_in_year_order
//! pub fn search<F>(…) -> Search { … }
//! ```
//!
//! Its first `//!` line says what it gets wrong; `Caught by:` names the tests that must fail
//! on it (every one of them, on every run). Each top-level `fn` replaces the function of the
//! same name in `src/exercise.rs`; any other item (a helper, a `use`) is added at the end.
//! While it runs, the exercise file holds the mutant; a copy of the original waits in
//! `target/course/mutants/`, and is put back at the end, or at the next run if this one was
//! killed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::lessons::{Id, Lesson};
use crate::reset;
use crate::run::{self, State};

/// One wrong answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    pub id: Id,
    /// `3.7-parallel-sum`
    pub name: String,
    pub file: PathBuf,
    /// The first `//!` line: what it gets wrong.
    pub about: String,
    /// The tests that must fail on it.
    pub caught_by: Vec<String>,
    /// The code, without its `//!` header.
    pub code: String,
}

/// The mutants of `lesson`, in file-name order.
pub fn discover(lesson: &Lesson) -> anyhow::Result<Vec<Mutant>> {
    let dir = lesson.dir.join("mutants");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files.iter().map(|file| read(file)).collect()
}

fn read(file: &Path) -> anyhow::Result<Mutant> {
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let id: Id = name
        .split('-')
        .next()
        .and_then(|n| n.parse().ok())
        .with_context(|| {
            format!(
                "{}: a mutant's file name starts with its exercise, as in 3.7-parallel-sum.rs",
                file.display()
            )
        })?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let header: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect();
    let about = header.first().map(|s| s.to_string()).unwrap_or_default();
    let caught_by: Vec<String> = header
        .iter()
        .filter_map(|l| l.strip_prefix("Caught by:"))
        .flat_map(|l| l.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if about.is_empty() || caught_by.is_empty() {
        bail!(
            "{}: a mutant starts with `//! what it gets wrong` and `//! Caught by: ex{}_{}_…`",
            file.display(),
            id.0,
            id.1
        );
    }
    if let Some(other) = caught_by.iter().find(|t| !t.starts_with(&id.test())) {
        bail!(
            "{}: `{other}` is not one of exercise {id}'s tests ({}_…)",
            file.display(),
            id.test()
        );
    }
    let code = text
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Mutant {
        id,
        name,
        file: file.to_path_buf(),
        about,
        caught_by,
        code,
    })
}

/// `exercise` with the mutant in it: each of its top-level functions replaces the one of
/// the same name, and the rest of it (helpers, `use`s) is added at the end.
pub fn patch(exercise: &str, mutant: &Mutant) -> anyhow::Result<String> {
    let mut rest = mutant.code.clone();
    let mut added = String::new();
    let mut patched = exercise.to_string();
    let mut replaced = 0;
    while let Some(range) = reset::first_top_level_fn(&rest) {
        let item = rest[range.clone()].to_string();
        rest.replace_range(range, "");
        let name = reset::function_name(&item).context("a function without a name")?;
        match reset::top_level_item_named(&patched, &name) {
            Some(target) => {
                patched.replace_range(target, &item);
                replaced += 1;
            }
            None => added.push_str(&format!("\n{item}")),
        }
    }
    if replaced == 0 {
        bail!(
            "{}: none of its functions is in the exercise file, so it would change nothing",
            mutant.file.display()
        );
    }
    for text in [rest.trim(), added.trim()] {
        if !text.is_empty() {
            patched.push('\n');
            patched.push_str(text);
            patched.push('\n');
        }
    }
    Ok(patched)
}

/// How one mutant fared.
#[derive(Debug)]
pub struct Outcome {
    /// Runs in which every test of `caught_by` failed.
    pub caught: usize,
    pub runs: usize,
    /// A run's problem that is not a catch: it did not compile, reached a `todo!`, or a
    /// named test passed.
    pub escaped: Vec<String>,
    /// The tests that failed on the first run.
    pub failed: Vec<String>,
    /// What the first test of `caught_by` said on the first run.
    pub said: Option<String>,
}

/// The exercise file, patched for the time of a run and put back when it ends.
struct Patched {
    file: PathBuf,
    backup: PathBuf,
}

impl Patched {
    /// Keeps a copy of `file` in `backup` (restoring the file from it first if an earlier
    /// run left it there; what the file held then is kept beside the copy).
    fn new(file: PathBuf, backup: PathBuf) -> anyhow::Result<Patched> {
        if backup.is_file() {
            let replaced = backup.with_extension("rs.replaced");
            std::fs::copy(&file, &replaced)
                .with_context(|| format!("cannot keep {} aside", file.display()))?;
            put_back(&backup, &file)?;
            println!(
                "verify --mutants: an earlier run was stopped while {} held a mutant; it is put back \
                 (what it held is in {}).",
                file.display(),
                replaced.display()
            );
        }
        if let Some(dir) = backup.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // Copied under another name, then renamed: a run killed mid-copy leaves no half a
        // backup for the next run to restore.
        let partial = backup.with_extension("rs.partial");
        std::fs::copy(&file, &partial)
            .with_context(|| format!("cannot copy {} to {}", file.display(), partial.display()))?;
        std::fs::rename(&partial, &backup).with_context(|| {
            format!(
                "cannot rename {} to {}",
                partial.display(),
                backup.display()
            )
        })?;
        Ok(Patched { file, backup })
    }

    fn original(&self) -> anyhow::Result<String> {
        std::fs::read_to_string(&self.backup)
            .with_context(|| format!("cannot read {}", self.backup.display()))
    }

    fn write(&self, text: &str) -> anyhow::Result<()> {
        std::fs::write(&self.file, text)
            .with_context(|| format!("cannot write {}", self.file.display()))
    }
}

/// Moves `backup` over `file` (copying if they are on different file systems), and dates
/// the file now: the backup is older than the last mutant's build, and cargo rebuilds only
/// from a source newer than its outputs.
fn put_back(backup: &Path, file: &Path) -> anyhow::Result<()> {
    if std::fs::rename(backup, file).is_err() {
        std::fs::copy(backup, file).with_context(|| {
            format!(
                "cannot put {} back from {}",
                file.display(),
                backup.display()
            )
        })?;
        let _ = std::fs::remove_file(backup);
    }
    std::fs::File::options()
        .write(true)
        .open(file)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .with_context(|| format!("cannot date {} now", file.display()))
}

impl Drop for Patched {
    fn drop(&mut self) {
        if let Err(err) = put_back(&self.backup, &self.file) {
            eprintln!(
                "verify --mutants: {err:#}; copy it from {}, then `touch` it so that cargo rebuilds",
                self.backup.display()
            );
        }
    }
}

/// Runs every mutant of `lesson` (or of the exercises in `only`) `runs` times.
pub fn verify(
    root: &Path,
    lesson: &Lesson,
    only: &[Id],
    runs: usize,
) -> anyhow::Result<BTreeMap<String, Outcome>> {
    let mutants: Vec<Mutant> = discover(lesson)?
        .into_iter()
        .filter(|m| only.is_empty() || only.contains(&m.id))
        .collect();
    let mut outcomes = BTreeMap::new();
    if mutants.is_empty() {
        return Ok(outcomes);
    }
    let unsound = unsound(root, lesson, &mutants)?;
    let backup = root
        .join("target/course/mutants")
        .join(format!("{}-exercise.rs", lesson.dir_name));
    let patched = Patched::new(lesson.exercise_file(), backup)?;
    let original = patched.original()?;
    for mutant in &mutants {
        let outcome = match unsound.get(&mutant.name) {
            Some(problem) => Outcome {
                caught: 0,
                runs,
                escaped: vec![problem.clone()],
                failed: Vec::new(),
                said: None,
            },
            None => {
                patched.write(&patch(&original, mutant)?)?;
                run_mutant(root, lesson, mutant, runs)?
            }
        };
        outcomes.insert(mutant.name.clone(), outcome);
    }
    drop(patched);
    Ok(outcomes)
}

/// The mutants whose named tests cannot judge them, and why. Each test a mutant names must
/// exist and pass on the reference: a test that fails anyway (for the machine, or broken
/// itself) would "catch" every mutant.
fn unsound(
    root: &Path,
    lesson: &Lesson,
    mutants: &[Mutant],
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut ids: Vec<Id> = mutants.iter().map(|m| m.id).collect();
    ids.dedup();
    let reference = run::run_exercises(root, lesson, &ids, true, &|_| {})?;
    let mut unsound = BTreeMap::new();
    for mutant in mutants {
        let tests = reference
            .get(&mutant.id)
            .map(|(_, t)| t.as_slice())
            .unwrap_or(&[]);
        for name in &mutant.caught_by {
            let problem = match tests.iter().find(|t| t.name == *name) {
                None => format!(
                    "it names {name}, which tests/{}.rs does not have",
                    mutant.id.test()
                ),
                Some(t) if !t.passed => {
                    format!("{name} fails on the reference too, so it catches nothing")
                }
                Some(_) => continue,
            };
            unsound.insert(mutant.name.clone(), problem);
        }
    }
    Ok(unsound)
}

/// Runs the tests of the mutant patched in now, `runs` times, and counts the runs in which
/// every test it names failed.
fn run_mutant(
    root: &Path,
    lesson: &Lesson,
    mutant: &Mutant,
    runs: usize,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome {
        caught: 0,
        runs,
        escaped: Vec::new(),
        failed: Vec::new(),
        said: None,
    };
    for _ in 0..runs {
        let results = run::run_exercises(root, lesson, &[mutant.id], false, &|_| {})?;
        let Some((state, tests)) = results.get(&mutant.id) else {
            bail!("no results for exercise {}", mutant.id);
        };
        match state {
            State::DoesNotCompile(error) => {
                outcome
                    .escaped
                    .push(format!("it does not compile:\n{error}"));
                break;
            }
            State::NotStarted => {
                outcome
                    .escaped
                    .push("it reaches a stub's todo!, so it checks nothing".into());
                break;
            }
            State::Done => outcome.escaped.push("every test passed".into()),
            State::Failing(_) => {
                if outcome.failed.is_empty() {
                    outcome.failed = (tests.iter())
                        .filter(|t| !t.passed)
                        .map(|t| t.name.clone())
                        .collect();
                    outcome.said = (tests.iter())
                        .find(|t| Some(&t.name) == mutant.caught_by.first())
                        .and_then(|t| t.message.clone());
                }
                let passed: Vec<&str> = mutant
                    .caught_by
                    .iter()
                    .filter(|name| !tests.iter().any(|t| t.name == **name && !t.passed))
                    .map(|name| name.as_str())
                    .collect();
                if passed.is_empty() {
                    outcome.caught += 1;
                } else {
                    outcome
                        .escaped
                        .push(format!("{} did not fail", passed.join(", ")));
                }
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXERCISE: &str = "use x;\n\n/// Exercise 1.1: twice.\npub fn double(x: u32) -> u32 {\n    let _ = x;\n    todo!(\"exercise 1.1: double it\")\n}\n\n/// Exercise 1.2.\npub fn triple(x: u32) -> u32 {\n    todo!(\"exercise 1.2: triple it\")\n}\n";

    fn mutant(code: &str) -> Mutant {
        Mutant {
            id: Id(1, 1),
            name: "1.1-x".into(),
            file: "01-x/mutants/1.1-x.rs".into(),
            about: "x".into(),
            caught_by: vec!["ex1_1_x".into()],
            code: code.into(),
        }
    }

    #[test]
    fn a_mutant_replaces_its_functions_and_adds_the_rest() {
        let code = "/// Off by one.\npub fn double(x: u32) -> u32 {\n    helper(x) + 1\n}\n\nfn helper(x: u32) -> u32 {\n    x * 2\n}\n";
        let patched = patch(EXERCISE, &mutant(code)).unwrap();
        assert!(
            patched.contains(
                "/// Off by one.\npub fn double(x: u32) -> u32 {\n    helper(x) + 1\n}\n"
            )
        );
        assert!(!patched.contains("double it"));
        assert!(
            patched.contains("triple it"),
            "the other exercise is left alone"
        );
        assert!(patched.ends_with("fn helper(x: u32) -> u32 {\n    x * 2\n}\n"));
    }

    #[test]
    fn a_mutant_of_a_function_the_file_lacks_is_an_error() {
        let err = patch(EXERCISE, &mutant("pub fn quadruple() {}\n")).unwrap_err();
        assert!(err.to_string().contains("would change nothing"), "{err}");
    }

    #[test]
    fn the_header_says_what_and_which_tests() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("3.7-parallel-sum.rs");
        std::fs::write(
            &file,
            "//! The mean as a parallel sum.\n//! Caught by: ex3_7_a, ex3_7_b\npub fn search() {}\n",
        )
        .unwrap();
        let m = read(&file).unwrap();
        assert_eq!(m.id, Id(3, 7));
        assert_eq!(m.about, "The mean as a parallel sum.");
        assert_eq!(m.caught_by, ["ex3_7_a", "ex3_7_b"]);
        assert_eq!(m.code, "pub fn search() {}");
        std::fs::write(&file, "//! No list.\npub fn search() {}\n").unwrap();
        assert!(read(&file).is_err());
        std::fs::write(&file, "//! Wrong.\n//! Caught by: ex3_6_x\n").unwrap();
        assert!(read(&file).is_err(), "a test of another exercise");
    }
}
