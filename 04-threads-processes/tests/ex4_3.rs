//! Exercise 4.3: a bounded pipeline, reader → parsers → aggregator. `cargo test -p
//! lesson-04-threads-processes --test ex4_3`.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `04-threads-processes/mutants/4.3-*.rs`, checked by `cargo course verify --mutants --exercise 4.3`):
//! - channels unbounded whatever `bound` says: `ex4_3_never_holds_more_than_the_bound`;
//! - one parser: `ex4_3_parses_on_several_threads_at_once`;
//! - the aggregator keeps a sender of its own channel (its loop never ends):
//!   `ex4_3_delivers_every_record_exactly_once`.

mod common;

use std::sync::{Condvar, Mutex};

use common::Collect;
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
