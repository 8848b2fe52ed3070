//! What several test files share: a tiny generated dataset's close series, a named pool,
//! and a record of which threads ran something. Given code only; nothing here calls an
//! exercise.
#![allow(dead_code)] // each test file uses part of it

use std::collections::HashSet;
use std::sync::Mutex;

use futures::executor::ThreadPool;
use lesson_02_futures::correlate::Closes;

/// The close series of a tiny dataset (4 symbols × 3 days), made in a temporary folder.
pub fn tiny_closes() -> Closes {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dataset = data::make(dir.path(), data::Size::Tiny).expect("tiny dataset");
    let paths = shared::columnar::ensure(&dataset).expect("columnar files");
    Closes::load(&paths).expect("the tiny dataset's series")
}

/// A futures `ThreadPool` of `threads` threads whose names start with `{name}-`.
pub fn pool(threads: usize, name: &str) -> ThreadPool {
    lesson_02_futures::submit::thread_pool(threads, name).expect("a thread pool")
}

/// The names of the threads that called [`record`](Self::record).
#[derive(Default)]
pub struct Threads(Mutex<HashSet<String>>);

impl Threads {
    pub fn record(&self) {
        let name = std::thread::current()
            .name()
            .unwrap_or("(unnamed)")
            .to_string();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name);
    }

    /// Fails unless every recorded thread's name starts with `prefix`.
    pub fn check_all_in(&self, prefix: &str, exercise: &str, what: &str) {
        let names = self.0.lock().unwrap_or_else(|p| p.into_inner());
        assert!(!names.is_empty(), "exercise {exercise}: {what} never ran");
        let outside: Vec<_> = names.iter().filter(|n| !n.starts_with(prefix)).collect();
        assert!(
            outside.is_empty(),
            "exercise {exercise}: {what} ran on {outside:?}, not only on the pool's threads ({prefix}…): \
             submit each call to the pool you are given; see book section {exercise}"
        );
    }
}
