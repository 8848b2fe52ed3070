//! Every bounded flag of `solution-04`, fuzzed: any number is taken inside the flag's
//! range or refused naming the flag (see `shared::testing::check_flag`).

use lesson_04_threads_processes::program::Args;
use proptest::prelude::*;
use shared::testing::{Flag, check_flag, flag_and_value};

fn flags() -> Vec<Flag> {
    vec![
        (&[], "--runs", 1..=100),
        (&[], "--year", 1..=9999),
        (&[], "--years", 1..=100),
        (&[], "--max-threads", 1..=1024),
        (&[], "--bound", 1..=1_000_000),
        (&[], "--parsers", 1..=1024),
        (&[], "--workers", 1..=1024),
        (&[], "--tiny-tasks", 1..=10_000_000),
        (&[], "--large-tasks", 1..=100_000),
    ]
}

proptest! {
    #[test]
    fn the_programs_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(flags())) {
        check_flag::<Args>(before, flag, &range, value);
    }
}
