//! The runner on a tiny course of its own, made in a temporary folder: one lesson with two
//! exercises and no dependencies, so it builds in a second or two. The real lessons follow
//! the same layout; the runner knows nothing else about them.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const STUB_1: &str = r#"todo!("exercise 1.1: double it — see book section 1.1")"#;
const STUB_2: &str = r#"todo!("exercise 1.2: triple it — see book section 1.2")"#;
const STUB_3: &str = r#"todo!("exercise 2.1: add one — see book section 2.1")"#;

/// A course in `root`: workspace, lesson `01-demo`, book page, hints.
fn demo_course(root: &Path) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"01-demo\", \"02-demo\"]\n",
    );
    write(
        "01-demo/Cargo.toml",
        "[package]\nname = \"lesson-01-demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[features]\nsolution = []\n",
    );
    write(
        "01-demo/src/lib.rs",
        "pub mod exercise;\n\n/// What the tests check: a stand-in for shared::testing::within.\npub fn within<R>(id: &str, f: impl FnOnce() -> R + std::panic::UnwindSafe) -> R {\n    match std::panic::catch_unwind(f) {\n        Ok(r) => r,\n        Err(p) => {\n            let m = p.downcast_ref::<String>().cloned().or(p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();\n            if m.starts_with(\"not yet implemented\") { panic!(\"exercise {id} is not done yet: {m}\") }\n            panic!(\"{m}\")\n        }\n    }\n}\n",
    );
    write(
        "01-demo/src/exercise.rs",
        &format!(
            "/// Exercise 1.1: return twice `x`.\npub fn double(x: u32) -> u32 {{\n    let _ = x;\n    {STUB_1}\n}}\n\n/// Exercise 1.2: return three times `x`.\npub fn triple(x: u32) -> u32 {{\n    let _ = x;\n    {STUB_2}\n}}\n"
        ),
    );
    write(
        "01-demo/tests/ex1_1.rs",
        "#[test]\nfn ex1_1_doubles() {\n    lesson_01_demo::within(\"1.1\", || assert_eq!(lesson_01_demo::exercise::double(2), 4, \"exercise 1.1: double(2)\"));\n}\n",
    );
    write(
        "01-demo/tests/ex1_2.rs",
        "#[test]\nfn ex1_2_triples() {\n    lesson_01_demo::within(\"1.2\", || assert_eq!(lesson_01_demo::exercise::triple(2), 6, \"exercise 1.2: triple(2)\"));\n}\n",
    );
    write(
        "02-demo/Cargo.toml",
        "[package]\nname = \"lesson-02-demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nlesson-01-demo = { path = \"../01-demo\" }\n",
    );
    write(
        "02-demo/src/lib.rs",
        "pub mod exercise;\npub use lesson_01_demo::within;\n",
    );
    write(
        "02-demo/src/exercise.rs",
        &format!(
            "/// Exercise 2.1: return `x` plus one.\npub fn succ(x: u32) -> u32 {{\n    let _ = x;\n    {STUB_3}\n}}\n"
        ),
    );
    write(
        "02-demo/tests/ex2_1.rs",
        "#[test]\nfn ex2_1_adds_one() {\n    lesson_02_demo::within(\"2.1\", || assert_eq!(lesson_02_demo::exercise::succ(2), 3, \"exercise 2.1: succ(2)\"));\n}\n",
    );
    write(
        "book/src/02-demo.md",
        "# 2. Demo again\n\n## 2.1 Exercise: add one\n",
    );
    write("01-demo/hints/1.1.md", "- Multiply by two.\n");
    write(
        "book/src/01-demo.md",
        "# 1. Demo\n\n## 1.1 Exercise: double it\n\n## 1.2 Exercise: triple it\n",
    );
    // A clone of the course comes with its Cargo.lock; without one, the first build would
    // write it, and the cache would rightly see a changed file.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
}

fn course(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("PARALLEL_RUST_NO_PROGRESS", "1")
        .output()
        .expect("the runner runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn solve(root: &Path, stub: &str, answer: &str) {
    let file = root.join("01-demo/src/exercise.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace(stub, answer)).unwrap();
}

#[test]
fn lists_states_points_to_the_next_exercise_and_prints_hints() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);

    let list = stdout(&course(root, &[]));
    assert!(list.contains("· 1.1  not started  double it"), "{list}");
    assert!(list.contains("· 1.2  not started  triple it"), "{list}");
    assert!(list.contains("0 of 3 exercises done"), "{list}");

    solve(root, STUB_1, "x * 2");
    let list = stdout(&course(root, &["list"]));
    assert!(list.contains("✓ 1.1  done"), "{list}");
    assert!(list.contains("1 of 3 exercises done"), "{list}");

    let next = stdout(&course(root, &["next"]));
    assert!(
        next.starts_with("Exercise 1.2: triple it (not started)"),
        "{next}"
    );
    assert!(
        next.contains("Exercise 1.2: return three times `x`."),
        "{next}"
    );
    assert!(next.contains("Edit:  01-demo/src/exercise.rs:10"), "{next}");
    assert!(
        next.contains("Read:  book section 1.2, in book/src/01-demo.md"),
        "{next}"
    );
    assert!(
        next.contains("Test:  cargo test -p lesson-01-demo --test ex1_2"),
        "{next}"
    );

    // A wrong answer: failing, with the test's own message.
    solve(root, STUB_2, "x * 4");
    let list = stdout(&course(root, &[]));
    assert!(list.contains("✗ 1.2  failing"), "{list}");
    assert!(list.contains("exercise 1.2: triple(2)"), "{list}");

    let hint = course(root, &["hint", "1.1"]);
    assert!(
        stdout(&hint).contains("- Multiply by two."),
        "{}",
        stdout(&hint)
    );
    let missing = course(root, &["hint", "1.2"]);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && err.contains("no hints file"),
        "{err}"
    );
    let unknown = course(root, &["hint", "9.9"]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("there is no exercise 9.9; the exercises are 1.1, 1.2, 2.1"),
        "{err}"
    );
}

#[test]
fn a_second_call_with_nothing_changed_answers_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    let first = stdout(&course(root, &[]));
    // Remove cargo from the runner's reach: only the cache can answer now.
    let cached = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root)
        .env("CARGO", "/nonexistent/cargo")
        .env("PARALLEL_RUST_NO_PROGRESS", "1")
        .output()
        .unwrap();
    assert_eq!(stdout(&cached), first);
}

/// Kills the watcher when the test ends, whatever happens.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_reruns_the_tests_when_a_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    let (mut child, wait_for) = start_watch(root, &["watch", "--max-runs", "1"]);
    wait_for("Watching for changes");
    solve(root, STUB_1, "x * 2");
    wait_for("Exercise 1.2: triple it (not started)");
    wait_for("✓ Exercise 1.1 is done.");
    let status = child.0.wait().unwrap();
    assert!(status.success());
}

/// `--help` on the runner and on each command says what it does; a wrong command or id
/// says what is wrong and points to `--help`, never a panic.
#[test]
fn every_command_has_help_and_bad_input_gets_usage() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (args, expected) in [
        (vec!["--help"], "Usage: course"),
        (vec!["list", "--help"], "Every lesson and exercise"),
        (vec!["next", "--help"], "The exercise to do next"),
        (vec!["reset", "--help"], "Put exercise N.M's stub back"),
        (vec!["hint", "--help"], "The hints of one exercise"),
        (vec!["watch", "--help"], "Re-run the current exercise"),
        (vec!["verify", "--help"], "For instructors"),
    ] {
        let output = course(root, &args);
        assert!(output.status.success(), "{args:?}");
        assert!(
            stdout(&output).contains(expected),
            "{args:?}: {}",
            stdout(&output)
        );
    }
    for args in [
        vec!["lsit"],
        vec!["hint", "one.two"],
        vec!["next", "four"],
        vec!["4", "5"],
    ] {
        let output = course(root, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("try '--help'"), "{args:?}: {stderr}");
    }
}

/// `next` and `watch` follow the learner: a lesson or exercise asked for by number, else
/// the lesson whose exercise file was edited last; `cargo course N` lists lesson N alone.
#[test]
fn next_follows_the_lesson_asked_for_or_edited() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);

    let next = stdout(&course(root, &["next", "2"]));
    assert!(
        next.starts_with("Exercise 2.1: add one (not started)"),
        "{next}"
    );
    // Asked for lesson 2: a plain `next` stays there.
    let next = stdout(&course(root, &["next"]));
    assert!(next.starts_with("Exercise 2.1"), "{next}");
    let next = stdout(&course(root, &["next", "1.2"]));
    assert!(
        next.starts_with("Exercise 1.2: triple it (not started)"),
        "{next}"
    );
    let next = stdout(&course(root, &["next"]));
    assert!(next.starts_with("Exercise 1.1"), "{next}");
    // A typo does not lose your place.
    assert!(!course(root, &["next", "9"]).status.success());
    assert!(!course(root, &["next", "2.7"]).status.success());
    let next = stdout(&course(root, &["next"]));
    assert!(next.starts_with("Exercise 1.1"), "{next}");

    // An edit to lesson 2's file, after the last question: `next` goes there.
    solve_in(root, "02-demo", STUB_3, "x + 2");
    let next = stdout(&course(root, &["next"]));
    assert!(
        next.starts_with("Exercise 2.1: add one (failing)"),
        "{next}"
    );

    // One lesson alone: it is the only one listed (and the only one built).
    let list = stdout(&course(root, &["1"]));
    assert!(list.contains("1.1  not started"), "{list}");
    assert!(!list.contains("2.1"), "{list}");
    assert!(list.contains("0 of 2 exercises of lesson 1 done"), "{list}");
    let missing = course(root, &["list", "7"]);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("there is no lesson 7; the lessons are 1 (01-demo), 2 (02-demo)"),
        "{err}"
    );
}

fn solve_in(root: &Path, lesson: &str, stub: &str, answer: &str) {
    let file = root.join(lesson).join("src/exercise.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(stub), "{}", file.display());
    std::fs::write(&file, text.replace(stub, answer)).unwrap();
}

/// A test binary that dies (here by `abort`, whether or not its other test passed first)
/// is failing, with the signal named, never done; an `assert_eq!` failure shows both values whole; a compile
/// error shows its file and line.
#[test]
fn crashes_differences_and_compile_errors_are_shown_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    // 1.1's answer is right, but a second test of the file aborts the process.
    std::fs::write(
        root.join("01-demo/tests/ex1_1.rs"),
        "#[test]\nfn ex1_1_doubles() {\n    assert_eq!(lesson_01_demo::exercise::double(2), 4);\n}\n\
         #[test]\nfn ex1_1_zzz_aborts() {\n    std::process::abort();\n}\n",
    )
    .unwrap();
    solve(root, STUB_1, "x * 2");
    solve(root, STUB_2, "x * 4");
    let list = stdout(&course(root, &["1"]));
    assert!(list.contains("✗ 1.1  failing"), "{list}");
    assert!(list.contains("killed by signal 6 (SIGABRT"), "{list}");
    assert!(
        list.contains("run `cargo test -p lesson-01-demo --test ex1_1`"),
        "{list}"
    );
    // 1.2's failure, whole: the message and both values.
    assert!(list.contains("exercise 1.2: triple(2)"), "{list}");
    assert!(list.contains("left: 8"), "{list}");
    assert!(list.contains("right: 6"), "{list}");

    solve(root, "x * 4", "x * \"three\"");
    let list = stdout(&course(root, &["1"]));
    assert!(list.contains("does not compile"), "{list}");
    assert!(list.contains("01-demo/src/exercise.rs:10:"), "{list}");
    assert!(list.contains("error[E0277]"), "{list}");
}

/// `reset N.M` puts N.M's stub back from git and keeps the other answers; it asks first
/// (and, with no terminal to ask on, refuses without `--yes`).
#[test]
fn reset_restores_one_stub_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(root)
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "the course"]);
    solve(root, STUB_1, "x * 2");
    solve(root, STUB_2, "{ let y = x * 3; y }");
    // An answer committed by the learner: the stub still comes from the course's commit.
    git(&["commit", "-q", "-am", "my answers"]);

    let asked = course(root, &["reset", "1.2"]);
    let err = String::from_utf8_lossy(&asked.stderr);
    assert!(!asked.status.success(), "{err}");
    assert!(err.contains("cargo course reset 1.2 --yes"), "{err}");

    let reset = course(root, &["reset", "1.2", "--yes"]);
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    let text = std::fs::read_to_string(root.join("01-demo/src/exercise.rs")).unwrap();
    assert!(text.contains(STUB_2), "{text}");
    assert!(text.contains("x * 2") && !text.contains(STUB_1), "{text}");
    let again = stdout(&course(root, &["reset", "1.2", "--yes"]));
    assert!(again.contains("already the stub"), "{again}");
}

/// `watch` runs the tests again only when a source file of its lesson changes: a build
/// that reads every source file and writes under `target/`, and a change to another
/// lesson, redraw nothing. With `--max-runs 1`, the one re-run it makes must be the edit's.
#[test]
fn watch_ignores_reads_its_own_writes_and_other_lessons() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    let (mut child, wait_for) = start_watch(root, &["watch", "1", "--max-runs", "1"]);
    wait_for("Watching for changes");
    // What the watcher saw so far of its own first run is behind us; now a build reads
    // every source file of lesson 1 and writes under target/, and lesson 2 changes.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "test",
            "--no-run",
            "--offline",
            "-q",
            "-p",
            "lesson-01-demo",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(built.success());
    std::fs::write(root.join("target/written-by-a-test"), "x").unwrap();
    solve_in(root, "02-demo", STUB_3, "x + 1");
    let _ = std::fs::read_to_string(root.join("01-demo/src/exercise.rs")).unwrap();
    // The edit: the only change that may wake it.
    solve(root, STUB_1, "x * 2");
    wait_for("✓ Exercise 1.1 is done.");
    let status = child.0.wait().unwrap();
    assert!(status.success());
}

type WaitFor = Box<dyn Fn(&str)>;

/// Starts `cargo course ARGS` in `root`, its output read line by line; the closure waits
/// (at most two minutes) for a line containing a text, and fails the test with what was
/// printed if that line never comes.
fn start_watch(root: &Path, args: &[&str]) -> (KillOnDrop, WaitFor) {
    let child = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("PARALLEL_RUST_NO_PROGRESS", "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let (lines, output) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let seen = std::cell::RefCell::new(Vec::<String>::new());
    let wait_for = move |text: &str| loop {
        match output.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.contains(text) => return,
            Ok(line) => seen.borrow_mut().push(line),
            Err(_) => panic!(
                "watch never printed {text:?}; it printed:\n{}",
                seen.borrow().join("\n")
            ),
        }
    };
    (child, Box::new(wait_for))
}

/// Hints unfold: `hint N.M` prints the first level and names the command for the next;
/// the last says it was the last; `--all` prints every level.
#[test]
fn hints_unfold_one_level_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    std::fs::write(
        root.join("01-demo/hints/1.2.md"),
        "<!-- ANCHOR: level1 -->\nThink of it as doubling, once more.\n<!-- ANCHOR_END: level1 -->\n\n\
         <!-- ANCHOR: level2 -->\nMultiplication is `*`.\n<!-- ANCHOR_END: level2 -->\n",
    )
    .unwrap();
    let first = stdout(&course(root, &["hint", "1.2"]));
    assert!(first.contains("Hint 1 of 2 for exercise 1.2"), "{first}");
    assert!(first.contains("Think of it as doubling"), "{first}");
    assert!(!first.contains("Multiplication"), "{first}");
    assert!(first.contains("`cargo course hint 1.2 2`"), "{first}");
    assert!(!first.contains("ANCHOR"), "{first}");
    let second = stdout(&course(root, &["hint", "1.2", "2"]));
    assert!(second.contains("Multiplication is `*`."), "{second}");
    assert!(second.contains("That was the last hint"), "{second}");
    let all = stdout(&course(root, &["hint", "1.2", "--all"]));
    assert!(
        all.contains("doubling") && all.contains("Multiplication"),
        "{all}"
    );
    let beyond = course(root, &["hint", "1.2", "3"]);
    let err = String::from_utf8_lossy(&beyond.stderr);
    assert!(err.contains("exercise 1.2 has hints 1 to 2"), "{err}");
}

#[test]
fn verify_mutants_patches_each_wrong_answer_in_and_puts_the_file_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo_course(root);
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // Mutants are judged against the reference first: give the demo one.
    let lib = std::fs::read_to_string(root.join("01-demo/src/lib.rs")).unwrap();
    write(
        "01-demo/src/lib.rs",
        &format!(
            "{lib}\n#[cfg(not(feature = \"solution\"))]\npub use exercise as answer;\n#[cfg(feature = \"solution\")]\npub mod answer {{\n    pub fn double(x: u32) -> u32 {{\n        x * 2\n    }}\n}}\n"
        ),
    );
    write(
        "01-demo/tests/ex1_1.rs",
        "#[test]\nfn ex1_1_doubles() {\n    lesson_01_demo::within(\"1.1\", || assert_eq!(lesson_01_demo::answer::double(2), 4, \"exercise 1.1: double(2)\"));\n}\n",
    );
    // The demo's test checks double(2) only: `x + 2` slips through it, `x * 3` does not.
    write(
        "01-demo/mutants/1.1-b-plus-two.rs",
        "//! x + 2: right for 2 only.\n//! Caught by: ex1_1_doubles\npub fn double(x: u32) -> u32 {\n    x + 2\n}\n",
    );
    write(
        "01-demo/mutants/1.1-a-times-three.rs",
        "//! Three times, not two.\n//! Caught by: ex1_1_doubles\npub fn double(x: u32) -> u32 {\n    helper(x)\n}\n\nfn helper(x: u32) -> u32 {\n    x * 3\n}\n",
    );
    let exercise = root.join("01-demo/src/exercise.rs");
    let before = std::fs::read_to_string(&exercise).unwrap();
    let out = course(root, &["verify", "--mutants", "--runs", "2"]);
    let text = stdout(&out);
    assert!(!out.status.success(), "one mutant escapes: {text}");
    assert!(
        text.contains("1.1-a-times-three: caught in 2 of 2 runs"),
        "{text}"
    );
    assert!(
        text.contains("1.1-b-plus-two: caught in 0 of 2 runs  <- ESCAPES"),
        "{text}"
    );
    assert!(text.contains("1 of 2 caught on every run"), "{text}");
    // A header that names a test the file does not have catches nothing.
    write(
        "01-demo/mutants/1.1-misnamed.rs",
        "//! Named wrong.\n//! Caught by: ex1_1_quadruples\npub fn double(x: u32) -> u32 {\n    x * 3\n}\n",
    );
    let text = stdout(&course(root, &["verify", "--mutants"]));
    assert!(
        text.contains("it names ex1_1_quadruples, which tests/ex1_1.rs does not have"),
        "{text}"
    );
    std::fs::remove_file(root.join("01-demo/mutants/1.1-misnamed.rs")).unwrap();
    assert_eq!(
        std::fs::read_to_string(&exercise).unwrap(),
        before,
        "the exercise file is as it was"
    );
    // ...and cargo sees it as changed: the stub is built again, not the last mutant
    // (`x + 2`, which passes the demo's test).
    let text = stdout(&course(root, &["list", "1"]));
    assert!(
        text.contains("0 of 2 exercises of lesson 1 done") && !text.contains("✓ 1.1  done"),
        "{text}"
    );
    let backup = root.join("target/course/mutants/01-demo-exercise.rs");
    assert!(!backup.exists(), "no copy is left behind");

    // A run that was killed left its copy: the next run puts the file back first.
    std::fs::write(&backup, &before).unwrap();
    std::fs::write(&exercise, "half a mutant {").unwrap();
    let out = course(root, &["verify", "--mutants", "--exercise", "1.1"]);
    let text = stdout(&out);
    assert!(text.contains("an earlier run was stopped"), "{text}");
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), before);
}

#[test]
fn doctor_names_the_missing_dataset_and_build_with_their_commands_then_says_all_is_in_place() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nrust-version = \"1.60\"\n",
    )
    .expect("a Cargo.toml");
    let data = root.join("dataset");
    let doctor = || {
        Command::new(env!("CARGO_BIN_EXE_course"))
            .args(["--root"])
            .arg(root)
            .arg("doctor")
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env("PARALLEL_RUST_DATA", &data)
            .output()
            .expect("the runner runs")
    };
    let before = doctor();
    let said = String::from_utf8_lossy(&before.stdout);
    assert!(!before.status.success(), "{said}");
    assert!(said.contains("MISSING dataset"), "{said}");
    assert!(
        said.contains(&format!(
            "cargo run --release -p data -- --out {}",
            data.display()
        )),
        "{said}"
    );
    assert!(
        said.contains("MISSING build") && said.contains("cargo build --release --workspace"),
        "{said}"
    );

    // A manifest that is not the generator's is damaged, not "generated".
    std::fs::create_dir_all(&data).expect("a dataset folder");
    for garbage in ["{ not json", "{}", "[1, 2]"] {
        std::fs::write(data.join("manifest.json"), garbage).expect("a manifest");
        let said = String::from_utf8_lossy(&doctor().stdout).to_string();
        assert!(
            said.contains("MISSING dataset") && said.contains("a damaged manifest"),
            "{garbage}: {said}"
        );
        assert!(
            said.contains(&format!("-- --out {} --force", data.display())),
            "{said}"
        );
    }
    let manifest = r#"{"spec": {"symbols": ["AAPL"]}, "files": [{"path": "json/AAPL.json"}]}"#;
    std::fs::write(data.join("manifest.json"), manifest).expect("a manifest");
    let release = root.join("target").join("release");
    std::fs::create_dir_all(&release).expect("a release folder");
    for n in 1..=6 {
        for bin in [format!("exercise-0{n}"), format!("solution-0{n}")] {
            std::fs::write(release.join(bin), "").expect("a program");
        }
    }
    let after = doctor();
    let said = String::from_utf8_lossy(&after.stdout);
    assert!(after.status.success(), "{said}");
    assert!(!said.contains("MISSING"), "{said}");
    assert!(said.contains("All in place"), "{said}");

    // A --root that is not the course is refused, not reported on.
    let missing = root.join("nowhere");
    let out = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(&missing)
        .arg("doctor")
        .output()
        .expect("the runner runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("is not the course's folder"), "{said}");
}
