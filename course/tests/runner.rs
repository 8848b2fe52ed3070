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

/// A course in `root`: workspace, lesson `01-demo`, book page, hints.
fn demo_course(root: &Path) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"01-demo\"]\n",
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
    assert!(list.contains("0 of 2 exercises done"), "{list}");

    solve(root, STUB_1, "x * 2");
    let list = stdout(&course(root, &["list"]));
    assert!(list.contains("✓ 1.1  done"), "{list}");
    assert!(list.contains("1 of 2 exercises done"), "{list}");

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
        err.contains("there is no exercise 9.9; the exercises are 1.1, 1.2"),
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
    let child = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root)
        .args(["watch", "--max-runs", "1"])
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
    let wait_for = |text: &str| {
        let mut seen = Vec::new();
        loop {
            match output.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(text) => return,
                Ok(line) => seen.push(line),
                Err(_) => panic!(
                    "watch never printed {text:?}; it printed:\n{}",
                    seen.join("\n")
                ),
            }
        }
    };
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
        (vec!["next", "--help"], "The first unfinished exercise"),
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
    for args in [vec!["lsit"], vec!["hint", "one.two"]] {
        let output = course(root, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("try '--help'"), "{args:?}: {stderr}");
    }
}
