//! Every bounded flag of `solution-02`, fuzzed: any number is taken inside the flag's
//! range or refused naming the flag (see `shared::testing::check_flag`).

use lesson_02_futures::program::Args;
use proptest::prelude::*;
use shared::testing::{Flag, check_flag, flag_and_value};

fn flags() -> Vec<Flag> {
    vec![
        (&[], "--runs", 1..=100),
        (&[], "--threads", 1..=1024),
        (&[], "--slow-n", 1..=10_000),
        (&[], "--slow-ms", 0..=60_000),
        (&[], "--slow-threads", 1..=1024),
        (&[], "--waits", 1..=1_000_000),
        (&[], "--wait-ms", 0..=60_000),
        (&[], "--wait-pool", 1..=10_000),
    ]
}

proptest! {
    #[test]
    fn the_programs_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(flags())) {
        check_flag::<Args>(before, flag, &range, value);
    }
}
