//! Every bounded flag of `solution-06` (the tour, `launch` and `process`), fuzzed: any
//! number is taken inside the flag's range or refused naming the flag (see
//! `shared::testing::check_flag`).

use lesson_06_cluster::engine::{MAX_PROCESSES, MAX_WORKERS};
use lesson_06_cluster::program::Cli;
use proptest::prelude::*;
use shared::testing::{Flag, check_flag, flag_and_value};

fn flags() -> Vec<Flag> {
    let (processes, workers) = (MAX_PROCESSES as i128, MAX_WORKERS as i128);
    vec![
        (&[], "--runs", 1..=100),
        (&[], "--grid", 2..=256),
        (&["launch", "search"], "--processes", 1..=processes),
        (&["launch", "search"], "--workers", 1..=workers),
        (&["launch", "search"], "--grid", 2..=256),
        (&["process", "groupby"], "--processes", 1..=processes),
        (&["process", "groupby"], "--workers", 1..=workers),
        (&["process", "groupby"], "--start-timeout", 1..=86_400),
        (&["process", "groupby"], "--silence", 1..=86_400),
    ]
}

proptest! {
    #[test]
    fn the_programs_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(flags())) {
        check_flag::<Cli>(before, flag, &range, value);
    }
}
