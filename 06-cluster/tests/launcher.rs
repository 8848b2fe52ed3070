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

#[test]
fn a_failed_launch_says_its_verdict_and_folds_process_0s_panic_below_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let said = dir.path().join("said");
    // Process 0 reports a panic as timely's would when its peer goes, then waits; process 1
    // fails once process 0 has spoken.
    let script = format!(
        r#"case " $* " in
  *" -p 0 "*) echo "thread 'worker' panicked at networking.rs:1:1:" >&2
              echo "socket closed" >&2
              echo 'note: run with `RUST_BACKTRACE=1` for a backtrace' >&2
              touch {said}; exec sleep 60 ;;
  *) while [ ! -e {said} ]; do :; done; echo "cannot read the data" >&2; exit 3 ;;
esac"#,
        said = said.display()
    );
    let err = launch(&shells(&script, 2, Duration::from_secs(60))).expect_err("process 1 fails");
    let said = err.to_string();
    let verdict = said.find("process 1 of 2 failed").expect("the verdict");
    let panic = said
        .find("  | thread 'worker' panicked")
        .expect("process 0's panic, folded");
    assert!(verdict < panic, "the verdict comes first:\n{said}");
    assert!(
        said.contains("cannot read the data"),
        "process 1's own last words:\n{said}"
    );
}

#[test]
fn the_hostfile_and_secret_are_removed_once_process_0_runs() {
    // Process 0 reports a round, waits until the folder of its hostfile and secret is
    // gone, and reports the last: a launcher that kept the folder to the end would see it
    // fall silent instead.
    let script = r#"while [ $# -gt 0 ]; do [ "$1" = -h ] && hosts=$2; shift; done
[ -e "$(dirname "$hosts")/cluster.secret" ] || { echo "no secret beside $hosts" >&2; exit 4; }
echo "progress 0 2"
while [ -e "$(dirname "$hosts")" ]; do :; done
echo "progress 2 2"
echo done"#;
    let launched = launch(&shells(script, 1, Duration::from_secs(20)));
    let launched = launched.expect("the folder goes while process 0 runs");
    assert_eq!(launched.output, "done\n");
}
