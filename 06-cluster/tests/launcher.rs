//! The local launcher, with stand-in processes (`sh -c …`) that misbehave on purpose.

use std::time::{Duration, Instant};

use lesson_06_cluster::launcher::{Launch, LaunchError, launch};

/// A launch of `processes` copies of `sh -c script`; the launcher's flags land in `$@`.
fn shells(script: &str, processes: usize, silence: Duration) -> Launch {
    Launch {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into(), "sh".into()],
        processes,
        workers: 1,
        label: None,
        silence,
    }
}

#[cfg(unix)]
#[test]
fn a_stopped_process_stops_the_launch_at_its_silence_deadline_and_is_named() {
    let started = Instant::now();
    let err = launch(&shells("kill -STOP $$", 2, Duration::from_secs(1)))
        .expect_err("stopped processes never finish");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let said = err.to_string();
    assert!(matches!(err, LaunchError::Silent { .. }), "{said}");
    assert!(
        said.contains("process 0 (pid") && said.contains("stopped (SIGSTOP?)"),
        "{said}"
    );
}

#[test]
fn a_failed_process_that_said_nothing_is_reported_without_an_empty_quote() {
    let err = launch(&shells("exit 3", 1, Duration::from_secs(60))).expect_err("it fails");
    let said = err.to_string();
    assert!(said.contains("It wrote nothing on stderr."), "{said}");
    assert!(!said.contains("Its last lines:"), "{said}");
}
