//! Tests of the given code: the bag's one-liners, the time buckets, the strategy's score,
//! the grid and the sampler. Ordinary tests: they pass on the untouched stubs.

use lesson_03_datasets::bag;
use lesson_03_datasets::frame::{Period, files_of_year, symbol_of};
use lesson_03_datasets::strategy::{Window, grid, log_spaced, sample, score};
use shared::Timestamp;

#[test]
fn the_bag_matches_the_2016_notebook() {
    let b: Vec<i64> = (0..5).collect();
    assert_eq!(bag::squares(&b), [0, 1, 4, 9, 16]);
    assert_eq!(bag::evens(&b), [0, 2, 4]);
    assert_eq!(bag::product(&b).len(), 25);
    assert_eq!(bag::product(&b)[..3], [(0, 0), (0, 1), (0, 2)]);
    assert_eq!(bag::chained(&b)[..2], [(0, 0), (0, 1)]);
    assert_eq!(bag::chained(&b).len(), 15); // squares 0, 4, 16 are even
    assert_eq!(bag::max(&b), Some(4));
    assert_eq!(bag::max(&[]), None);
    assert_eq!(bag::sum_of_squares(&b), 30);
    let groups = bag::count_by_remainder(&(0..10).collect::<Vec<_>>(), 3);
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        [(0, 4), (1, 3), (2, 3)]
    );
    assert_eq!(bag::laziness(&b), (0, 5));
}

#[test]
fn the_sequential_loop_keeps_the_first_of_equal_pairs() {
    let items = [1.0, 2.0, 3.0];
    let best = bag::max_correlation_sequential(&items, |_, _| Some(0.5)).unwrap();
    assert_eq!((best.a, best.b), (0, 1));
    assert!(bag::max_correlation_sequential(&items, |_, _| None).is_none());
}

#[test]
fn periods_start_at_the_hour_and_on_monday() {
    let t = Timestamp::parse("2016-01-07T10:34:00").unwrap(); // a Thursday
    assert_eq!(
        Period::Hour.start(t),
        Timestamp::parse("2016-01-07T10:00:00").unwrap()
    );
    assert_eq!(
        Period::Week.start(t),
        Timestamp::parse("2016-01-04T00:00:00").unwrap()
    );
    let sunday = Timestamp::parse("2016-01-03T23:59:00").unwrap();
    assert_eq!(
        Period::Week.start(sunday),
        Timestamp::parse("2015-12-28T00:00:00").unwrap()
    );
}

#[test]
fn files_are_picked_by_year_and_named_by_folder() {
    let files: Vec<std::path::PathBuf> = [
        "m/AIG/2011-12-30.csv",
        "m/AIG/2012-01-03.csv",
        "m/AIG/x2012-.csv",
    ]
    .iter()
    .map(Into::into)
    .collect();
    assert_eq!(files_of_year(&files, 2012), [files[1].clone()]);
    assert_eq!(symbol_of(&files[0]), Some("AIG"));
    assert_eq!(symbol_of(std::path::Path::new("x.csv")), None);
}

#[test]
fn the_grid_and_the_sample_keep_fast_below_slow() {
    assert_eq!(log_spaced(2, 200, 3), [2, 20, 200]);
    let g = grid(&[2, 10, 50], &[5, 50]);
    assert_eq!(
        g,
        [
            Window { fast: 2, slow: 5 },
            Window { fast: 2, slow: 50 },
            Window { fast: 10, slow: 50 }
        ]
    );
    let s = sample((2, 240), (10, 2400), 50, 1);
    assert_eq!(s.len(), 50);
    assert!(
        s.iter()
            .all(|w| w.fast < w.slow && (2..=240).contains(&w.fast))
    );
    assert_eq!(s, sample((2, 240), (10, 2400), 50, 1));
    assert_ne!(s, sample((2, 240), (10, 2400), 50, 2));
    assert!(
        sample((50, 60), (2, 10), 5, 1).is_empty(),
        "no fast < slow exists"
    );
}

#[test]
fn the_score_rewards_holding_a_rising_stock_and_is_zero_when_it_cannot_trade() {
    // A steady rise with small wiggles: the fast mean stays above the slow one, the
    // strategy holds, and every return is positive.
    let rising: Vec<f64> = (0..500)
        .map(|i| 100.0 * 1.001f64.powi(i) * (1.0 + 0.0005 * f64::from(i % 3)))
        .collect();
    assert!(score(&rising, Window { fast: 2, slow: 10 }) > 1.0);
    let falling: Vec<f64> = rising.iter().rev().copied().collect();
    assert!(score(&falling, Window { fast: 2, slow: 10 }) <= 0.0);
    assert_eq!(
        score(&rising, Window { fast: 10, slow: 10 }),
        0.0,
        "fast must be below slow"
    );
    assert_eq!(
        score(&rising[..5], Window { fast: 2, slow: 10 }),
        0.0,
        "too few bars"
    );
}

#[test]
fn the_lean_reader_gives_the_closes_read_csv_gives() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = data::make(dir.path(), data::Size::Tiny).unwrap();
    for file in dataset.all_minute_files() {
        let bars = shared::read::read_csv(&file).unwrap();
        let mut rows = Vec::new();
        let n = shared::read::for_each_close(&file, |t, c| rows.push((t, c))).unwrap();
        assert_eq!(n as usize, bars.len());
        assert!(
            rows.iter()
                .zip(&bars)
                .all(|((t, c), b)| *t == b.timestamp && *c == b.close)
        );
    }
}
