//! Every bounded flag of `solution-05`, `scheduler-05`, `worker-05` and `client-05`,
//! fuzzed: any number is either taken, inside the flag's range, or refused with an error
//! that names the flag; never a panic, never a value outside the range (which is how a
//! count of 99999999999 once aborted on an allocation).

use lesson_05_distributed::program::{Args, ClientArgs, SchedulerArgs, WorkerArgs};
use proptest::prelude::*;
use shared::testing::{Flag, check_flag, edges, flag_and_value};

const DEPTH: i128 = lesson_05_distributed::protocol::MAX_DEPTH as i128;

fn program() -> Vec<Flag> {
    vec![
        (&[], "--runs", 1..=100),
        (&[], "--tasks", 1..=1_000_000),
        (&[], "--workers", 1..=64),
        (&[], "--year", 1..=9999),
        (&[], "--years", 1..=100),
        (&[], "--files-per-task", 1..=100_000),
        (&[], "--grid", 2..=256),
        (&[], "--lost-tasks", 10..=1_000_000),
        (&[], "--depth", 1..=DEPTH),
    ]
}

fn scheduler() -> Vec<Flag> {
    vec![
        (&[], "--heartbeat-ms", 1..=3_600_000),
        (&[], "--timeout-ms", 2..=86_400_000),
        (&[], "--depth", 1..=DEPTH),
        (&[], "--max-tasks", 1..=100_000_000),
        (&[], "--max-outbox-mb", 1..=4096),
    ]
}

fn client() -> Vec<Flag> {
    vec![
        (&["empty"], "--tasks", 1..=1_000_000),
        (&["graph"], "--numbers", 1..=1_000_000_000_000),
        (&["graph"], "--leaves", 1..=100_000),
        (&["yearly"], "--year", 1..=9999),
        (&["yearly"], "--years", 1..=100),
        (&["yearly"], "--files-per-task", 1..=100_000),
    ]
}

proptest! {
    #[test]
    fn the_programs_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(program())) {
        check_flag::<Args>(before, flag, &range, value);
    }

    #[test]
    fn the_schedulers_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(scheduler())) {
        check_flag::<SchedulerArgs>(before, flag, &range, value);
    }

    #[test]
    fn the_clients_bounded_flags_take_only_their_range(((before, flag, range), value) in flag_and_value(client())) {
        check_flag::<ClientArgs>(before, flag, &range, value);
    }

    #[test]
    fn the_workers_threads_take_only_their_range(value in prop_oneof![proptest::sample::select(edges(&(1..=1024))), -(1i128 << 70)..(1i128 << 70)]) {
        check_flag::<WorkerArgs>(&[], "--threads", &(1..=1024), value);
    }
}
