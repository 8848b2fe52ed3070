//! Exercise 4.3: a bounded pipeline, reader → parsers → aggregator. `cargo test -p
//! lesson-04-threads-processes --test ex4_3`.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `04-threads-processes/mutants/4.3-*.rs`, checked by `cargo course verify --mutants --exercise 4.3`):
//! - channels unbounded whatever `bound` says: `ex4_3_never_holds_more_than_the_bound`;
//! - the chunks' channel bounded, the records' channel not:
//!   `ex4_3_a_slow_aggregator_holds_the_parsers_back` (it passed every test before that one).
//!   This one is a margin, not a forced interleaving: a send that blocks cannot be seen
//!   from outside, so the test lets the parsers run and measures how far they get. Unbounded,
//!   they got 49 to 60 batches ahead where 4 are allowed, in 30 of 30 runs;
//! - one parser: `ex4_3_parses_on_several_threads_at_once`;
//! - the aggregator keeps a sender of its own channel (its loop never ends):
//!   `ex4_3_delivers_every_record_exactly_once`.

mod common;

use std::sync::{Condvar, Mutex};

use common::Collect;
use lesson_04_threads_processes::aggregate::Aggregate;
use lesson_04_threads_processes::answer::pipeline;
use shared::testing::{PATIENCE, Rendezvous, within};

#[test]
fn ex4_3_delivers_every_record_exactly_once() {
    within("4.3", || {
        for (count, bound, parsers) in [
            (0, Some(2), 2),
            (1, Some(1), 1),
            (200, Some(2), 3),
            (200, None, 3),
        ] {
            // Chunk i parses into records 3i, 3i + 1, 3i + 2.
            let got: Collect = pipeline(
                count,
                |i| i as u32,
                |i| vec![3 * i, 3 * i + 1, 3 * i + 2],
                bound,
                parsers,
            );
            if let Err(e) = common::exactly_once(&got.0, 3 * count as u32) {
                panic!(
                    "exercise 4.3: {count} chunks, bound {bound:?}, {parsers} parsers: {e}; see book section 4.3"
                );
            }
        }
    });
}

#[test]
fn ex4_3_parses_on_several_threads_at_once() {
    within("4.3", || {
        let meeting = Rendezvous::new();
        let got: Collect = pipeline(
            30,
            |i| i as u32,
            |i| {
                meeting.arrive();
                vec![i]
            },
            Some(4),
            3,
        );
        assert_eq!(
            got.0.len(),
            30,
            "exercise 4.3: 30 chunks of one record each gave {} records",
            got.0.len()
        );
        assert!(
            meeting.thread_count() >= 2 && !meeting.gave_up(),
            "exercise 4.3: with 3 parsers, `parse` ran on {} thread(s), never two at once: start `parsers` threads \
             that all take chunks from the same channel; see book section 4.3",
            meeting.thread_count()
        );
    });
}

/// How far the reader has run ahead of the parser.
#[derive(Default)]
struct Lead {
    state: Mutex<(usize, usize, usize)>, // reads started, parses started, highest lead seen
    changed: Condvar,
}

#[test]
fn ex4_3_never_holds_more_than_the_bound() {
    within("4.3", || {
        for bound in [1, 4] {
            let count = 100;
            let lead = Lead::default();
            let lock = || lead.state.lock().unwrap_or_else(|p| p.into_inner());
            let got: Collect = pipeline(
                count,
                |i| {
                    let mut state = lock();
                    state.0 += 1;
                    state.2 = state.2.max(state.0 - state.1);
                    lead.changed.notify_all();
                    i as u32
                },
                |i| {
                    // A slow parser: chunk i is parsed only once the reader has read as far
                    // ahead as a channel of `bound` messages lets it, so it runs ahead as far
                    // as it can.
                    let mut state = lock();
                    state.1 += 1;
                    let ahead = count.min(i as usize + bound + 2);
                    let _ = lead
                        .changed
                        .wait_timeout_while(state, PATIENCE, |s| s.0 < ahead);
                    vec![i]
                },
                Some(bound),
                1,
            );
            assert_eq!(
                got.0.len(),
                count,
                "exercise 4.3: {count} chunks gave {} records",
                got.0.len()
            );
            let highest = lock().2;
            // At most `bound` chunks in the channel, one in the reader's hands and one in
            // the parser's, between receiving it and calling `parse`.
            assert!(
                highest <= bound + 2,
                "exercise 4.3: with bound {bound} and a slow parser, the reader ran {highest} chunks ahead of it; a \
                 channel of {bound} messages allows {}. Make the channels `crossbeam_channel::bounded(n)` when \
                 `bound` is `Some(n)`; see book section 4.3",
                bound + 2
            );
        }
    });
}

/// How far the parsers have got ahead of a slow aggregator: (batches parsed, records
/// added, the largest difference seen). One test uses it, so a static is safe.
static AHEAD: Mutex<(usize, usize, usize)> = Mutex::new((0, 0, 0));
static AHEAD_CHANGED: Condvar = Condvar::new();

fn ahead() -> std::sync::MutexGuard<'static, (usize, usize, usize)> {
    AHEAD.lock().unwrap_or_else(|p| p.into_inner())
}

/// An aggregate whose `add` waits until the parsers have run as far ahead of it as the
/// bound lets them (or `PATIENCE`), so they run ahead as far as they can.
#[derive(Default)]
struct SlowAggregate(Vec<u32>);

/// (count, bound, parsers) of the run in progress.
static SLOW_RUN: Mutex<(usize, usize, usize)> = Mutex::new((0, 0, 0));

impl Aggregate for SlowAggregate {
    type Record = u32;

    fn add(&mut self, record: &u32) {
        let (count, bound, parsers) = *SLOW_RUN.lock().unwrap_or_else(|p| p.into_inner());
        let state = ahead();
        let target = count.min(state.1 + bound + parsers + 1);
        let state = AHEAD_CHANGED
            .wait_timeout_while(state, PATIENCE, |s| s.0 < target)
            .unwrap_or_else(|p| p.into_inner())
            .0;
        // The parsers have filled every slot a bounded pipeline has. Unbounded, they are not
        // held back, and get further while this thread lets them run.
        drop(state);
        for _ in 0..200 {
            std::thread::yield_now();
        }
        ahead().1 += 1;
        self.0.push(*record);
    }

    fn merge(&mut self, other: SlowAggregate) {
        self.0.extend(other.0);
    }
}

#[test]
fn ex4_3_a_slow_aggregator_holds_the_parsers_back() {
    within("4.3", || {
        for (bound, parsers) in [(1, 2), (4, 2)] {
            let count = 60;
            *SLOW_RUN.lock().unwrap_or_else(|p| p.into_inner()) = (count, bound, parsers);
            *ahead() = (0, 0, 0);
            let got: SlowAggregate = pipeline(
                count,
                |i| i as u32,
                |i| {
                    let mut state = ahead();
                    state.0 += 1;
                    state.2 = state.2.max(state.0 - state.1);
                    AHEAD_CHANGED.notify_all();
                    vec![i]
                },
                Some(bound),
                parsers,
            );
            assert_eq!(
                got.0.len(),
                count,
                "exercise 4.3: {count} chunks, one record each"
            );
            let highest = ahead().2;
            // `bound` batches in the records' channel, one finished batch in each parser's
            // hands (waiting to be sent), and the one the aggregator is adding.
            let allowed = bound + parsers + 1;
            assert!(
                highest <= allowed,
                "exercise 4.3: with bound {bound}, {parsers} parsers and a slow aggregator, the parsers got \
                 {highest} batches ahead of it; a records channel of {bound} messages allows {allowed}. \
                 Every channel of the pipeline is bounded when `bound` is `Some(n)`, the one into the \
                 aggregator too; see book section 4.3"
            );
        }
    });
}
