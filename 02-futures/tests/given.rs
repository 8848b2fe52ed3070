//! Tests of the given code: the slow calls, the four ways to submit, the correlation job,
//! the waits and the fixes of the dangerous exercise. Ordinary tests; they pass on the stubs.

mod common;

use std::time::Duration;

use common::{pool, tiny_closes};
use lesson_02_futures::correlate::{
    Closes, Correlation, LoadError, chart_pair, correlate, correlations_sequential,
    correlations_standardised, most_correlated, pairs,
};
use lesson_02_futures::dangerous::{not_shared, shared_with_a_lock};
use lesson_02_futures::slow::{Slow, double_loop_calls, double_loop_sequential};
use lesson_02_futures::submit::{
    naps_as_completed, submit_futures, submit_many, submit_rayon, submit_std_thread, submit_tokio,
    tokio_runtime,
};
use lesson_02_futures::waits::{fake_request, fixed_pool, one_thread_each};

#[test]
fn the_double_loop_adds_above_and_subtracts_below_the_diagonal() {
    let slow = Slow::new(Duration::ZERO);
    // i=0: 0+1, 0+2; i=1: 1-0, 1+2; i=2: 2-0, 2-1.
    assert_eq!(double_loop_sequential(3, &slow), [1, 2, 1, 3, 2, 1]);
    assert_eq!(double_loop_calls(3), 6);
    assert_eq!(double_loop_sequential(0, &slow), Vec::<i64>::new());
    assert_eq!(double_loop_calls(5), 20);
}

#[test]
fn every_way_to_submit_returns_the_call_result() {
    let slow = Slow::new(Duration::from_millis(1));
    assert_eq!(submit_std_thread(&slow), 3);
    assert_eq!(submit_rayon(&slow), 3);
    assert_eq!(submit_futures(&pool(2, "given"), &slow), 3);
    assert_eq!(submit_tokio(&tokio_runtime(1).unwrap(), &slow), 3);
    assert_eq!(submit_many(&pool(4, "given"), &slow, 5), [0, 2, 4, 6, 8]);
}

#[test]
fn naps_as_completed_reports_every_nap_once_and_counts_them() {
    let runtime = tokio_runtime(2).unwrap();
    let progress = shared::progress::ProgressBar::hidden();
    let naps = [
        Duration::from_millis(3),
        Duration::ZERO,
        Duration::from_millis(1),
    ];
    let mut order = naps_as_completed(&runtime, &naps, &progress);
    order.sort();
    assert_eq!(order, [0, 1, 2]);
    assert_eq!(progress.position(), 3);
}

#[test]
fn pairs_are_in_order_and_each_once() {
    let all: Vec<_> = pairs(4).collect();
    assert_eq!(all, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
    assert_eq!(pairs(1).count(), 0);
    assert_eq!(pairs(29).count(), 29 * 28 / 2);
}

#[test]
fn closes_load_the_tiny_dataset_on_shared_timestamps() {
    let closes = tiny_closes();
    assert_eq!(closes.symbols.len(), closes.series.len());
    assert!(closes.series.len() >= 3);
    for s in &closes.series {
        assert_eq!(s.len(), closes.timestamps.len());
    }
    // 3 trading days: one daily close per day and symbol.
    assert!(closes.daily().iter().all(|d| d.len() == 3));
}

#[test]
fn misaligned_series_are_refused_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = data::make(dir.path(), data::Size::Tiny).unwrap();
    let paths = shared::columnar::ensure(&dataset).unwrap();
    let mut columns = shared::columnar::read_columns(&paths[2]).unwrap();
    columns.timestamp[5] += 60;
    shared::columnar::write_columns(&paths[2], &columns).unwrap();
    let err = Closes::load(&paths).unwrap_err();
    assert!(matches!(err, LoadError::Misaligned { row: 5, .. }), "{err}");
    assert!(
        err.to_string().contains(&paths[2].display().to_string()),
        "{err}"
    );
    assert!(matches!(Closes::load(&[]), Err(LoadError::Empty)));
}

#[test]
fn a_constant_series_has_no_correlation_and_is_never_the_best() {
    let series = vec![
        vec![1.0, 2.0, 3.0, 4.0],
        vec![5.0, 5.0, 5.0, 5.0],
        vec![2.0, 4.0, 6.0, 8.5],
    ];
    assert_eq!(correlate(&series, 0, 1).r, None);
    let all = correlations_sequential(&series);
    let best = most_correlated(&all).unwrap();
    assert_eq!((best.a, best.b), (0, 2));
    let none = [Correlation {
        a: 0,
        b: 1,
        r: None,
    }];
    assert_eq!(most_correlated(&none), None);
}

#[test]
fn standardised_correlations_agree_with_pearson() {
    let mut series = tiny_closes().series;
    series[1] = vec![7.0; series[1].len()];
    let pearson = correlations_sequential(&series);
    let fast = correlations_standardised(&series);
    assert_eq!(pearson.len(), fast.len());
    for (p, f) in pearson.iter().zip(&fast) {
        assert_eq!((p.a, p.b), (f.a, f.b));
        match (p.r, f.r) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{p:?} {f:?}"),
            (None, None) => {}
            _ => panic!("{p:?} vs {f:?}"),
        }
    }
}

#[test]
fn the_pair_chart_is_written() {
    let closes = tiny_closes();
    let best = most_correlated(&correlations_sequential(&closes.series)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pair.png");
    chart_pair(&path, &closes, best).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);
}

#[test]
fn waits_with_threads_and_a_pool_answer_in_order() {
    let wait = Duration::from_millis(1);
    let expected: Vec<usize> = (0..40).collect();
    assert_eq!(one_thread_each(40, wait).unwrap(), expected);
    assert_eq!(fixed_pool(40, wait, 4).unwrap(), expected);
    let runtime = tokio_runtime(1).unwrap();
    assert_eq!(runtime.block_on(fake_request(7, wait)), 7);
}

#[test]
fn the_fixes_of_the_dangerous_exercise_gather_every_value() {
    assert_eq!(shared_with_a_lock(4), [0.0, 1.0, 2.0, 3.0]);
    assert_eq!(not_shared(4), [0.0, 1.0, 2.0, 3.0]);
}

/// The book quotes the compiler's verdict on the dangerous exercise: keep it true. Compiles
/// the snippet of `src/dangerous/rc_across_threads.md` with `$RUSTC` if set, else the
/// `rustc` on the PATH (rustup's, beside cargo). If a newer compiler words it differently,
/// update the quote in book section 2.8 and here together.
#[test]
fn the_dangerous_exercise_fails_to_compile_as_the_book_says() {
    let markdown = include_str!("../src/dangerous/rc_across_threads.md");
    let code: String = markdown
        .lines()
        .filter(|line| !line.starts_with("```"))
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("rc.rs");
    std::fs::write(&source, code).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(&rustc)
        .args(["--edition", "2024", "--emit", "metadata", "--out-dir"])
        .arg(dir.path())
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {rustc}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "it compiled:\n{stderr}");
    for quoted in [
        "error[E0277]: `Rc<RefCell<Vec<f64>>>` cannot be sent between threads safely",
        "the trait `Send` is not implemented for `Rc<RefCell<Vec<f64>>>`",
    ] {
        assert!(
            stderr.contains(quoted),
            "the book quotes {quoted:?}; rustc said:\n{stderr}"
        );
    }
}
