//! Tests of the lesson's given code: frames, the worker's loop, the tasks, the aggregations
//! and counters that the exercises are compared with, Amdahl's fit, memory measurement.

use std::io::Cursor;

use lesson_04_threads_processes::aggregate::{
    AtomicExtremes, Record, SymbolStats, atomic_extremes, extremes_of, sequential, shared_mutex,
    summary,
};
use lesson_04_threads_processes::pipeline::peak_rise;
use lesson_04_threads_processes::pool::{
    Done, FrameError, Job, MAX_FRAME, Output, Task, read_frame, run_threads, serve, write_frame,
};
use lesson_04_threads_processes::program::amdahl_fit;
use lesson_04_threads_processes::sharing::{count_packed, count_padded};

fn records() -> Vec<Record> {
    (0..5000u32)
        .map(|i| Record {
            symbol: (i % 7) as u16,
            close: 1.0 + f64::from(i * 7919 % 1000),
        })
        .collect()
}

#[test]
fn frames_round_trip_and_end_cleanly() {
    let mut pipe = Vec::new();
    let job = Job {
        id: 7,
        task: Task::Sum(vec![1.0, 2.5]),
    };
    write_frame(&mut pipe, &job).unwrap();
    write_frame(
        &mut pipe,
        &Task::Simulate {
            seed: 1,
            paths: 2,
            steps: 3,
        },
    )
    .unwrap();
    let mut input = Cursor::new(pipe);
    let back: Job = read_frame(&mut input).unwrap().unwrap();
    assert_eq!((back.id, back.task), (7, Task::Sum(vec![1.0, 2.5])));
    let task: Task = read_frame(&mut input).unwrap().unwrap();
    assert_eq!(
        task,
        Task::Simulate {
            seed: 1,
            paths: 2,
            steps: 3
        }
    );
    assert!(
        read_frame::<Task>(&mut input).unwrap().is_none(),
        "end of stream between frames"
    );
}

#[test]
fn frames_refuse_oversized_truncated_and_foreign_input() {
    let huge = ((MAX_FRAME + 1) as u32).to_le_bytes();
    let err = read_frame::<Task>(&mut Cursor::new(huge.to_vec())).unwrap_err();
    assert!(
        matches!(err, FrameError::TooLarge(n) if n == MAX_FRAME + 1),
        "{err}"
    );

    let mut pipe = Vec::new();
    write_frame(&mut pipe, &Task::Sum(vec![1.0; 10])).unwrap();
    pipe.truncate(pipe.len() - 3);
    let err = read_frame::<Task>(&mut Cursor::new(pipe)).unwrap_err();
    assert!(
        matches!(err, FrameError::Truncated { got, .. } if got > 0),
        "an end inside a frame is an error that says so: {err}"
    );
    assert!(err.to_string().contains("stopped in the middle"), "{err}");

    let mut pipe = Vec::new();
    write_frame(&mut pipe, &Task::Sum(vec![1.0; 10])).unwrap();
    let body = u32::from_le_bytes(pipe[..4].try_into().unwrap()) + 2;
    pipe[..4].copy_from_slice(&body.to_le_bytes());
    pipe.extend([0, 0]);
    let err = read_frame::<Task>(&mut Cursor::new(pipe)).unwrap_err();
    assert!(
        matches!(err, FrameError::Trailing(2)),
        "bytes after the message: {err}"
    );

    let mut pipe = 3u32.to_le_bytes().to_vec();
    pipe.extend([0xff, 0xff, 0xff]);
    let err = read_frame::<Task>(&mut Cursor::new(pipe)).unwrap_err();
    assert!(matches!(err, FrameError::Decode(_)), "{err}");
}

#[test]
fn the_worker_loop_answers_every_job_with_its_id() {
    let mut jobs = Vec::new();
    let tasks = [
        Task::Sum(vec![1.0, 2.0]),
        Task::Simulate {
            seed: 3,
            paths: 10,
            steps: 5,
        },
    ];
    for (id, task) in tasks.iter().enumerate() {
        write_frame(
            &mut jobs,
            &Job {
                id: id as u64 + 10,
                task: task.clone(),
            },
        )
        .unwrap();
    }
    let mut answers = Vec::new();
    serve(&mut Cursor::new(jobs), &mut answers).unwrap();
    let mut answers = Cursor::new(answers);
    for (id, task) in tasks.iter().enumerate() {
        let done: Done = read_frame(&mut answers).unwrap().unwrap();
        assert_eq!((done.id, done.output), (id as u64 + 10, task.run()));
    }
    assert!(read_frame::<Done>(&mut answers).unwrap().is_none());
}

#[test]
fn tasks_are_deterministic_and_threads_keep_their_order() {
    assert_eq!(Task::Sum(vec![1.0, 2.0, 3.5]).run(), Output::Sum(6.5));
    let sim = Task::Simulate {
        seed: 9,
        paths: 200,
        steps: 390,
    };
    let Output::Simulated { mean, p5 } = sim.run() else {
        panic!("a simulation gives Simulated")
    };
    assert_eq!(
        sim.run(),
        Output::Simulated { mean, p5 },
        "same seed, same output"
    );
    assert!(
        (90.0..110.0).contains(&mean) && p5 < mean,
        "mean {mean}, 5 % quantile {p5}"
    );
    let tasks: Vec<Task> = (0..50).map(|i| Task::Sum(vec![f64::from(i)])).collect();
    let outputs = run_threads(&tasks, 3).unwrap();
    let expected: Vec<Output> = (0..50).map(|i| Output::Sum(f64::from(i))).collect();
    assert_eq!(outputs, expected);
}

#[test]
fn the_shared_mutex_and_the_atomic_driver_agree_with_one_thread() {
    let records = records();
    let expected: SymbolStats = sequential(&records);
    for threads in [1, 3] {
        assert_eq!(
            summary(&shared_mutex(&records, threads)),
            summary(&expected)
        );
    }
    // The driver of exercise 4.2, with a given (locking) update, to test the driver alone.
    fn add_locked(table: &[AtomicExtremes], r: &Record) {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = LOCK.lock().unwrap();
        let slot = &table[usize::from(r.symbol)];
        use std::sync::atomic::Ordering::Relaxed;
        slot.count.store(slot.count.load(Relaxed) + 1, Relaxed);
        let bits = r.close.to_bits();
        slot.min.store(slot.min.load(Relaxed).min(bits), Relaxed);
        slot.max.store(slot.max.load(Relaxed).max(bits), Relaxed);
    }
    assert_eq!(
        atomic_extremes(&records, 8, 3, add_locked),
        extremes_of(&expected, 8)
    );
}

#[test]
fn packed_and_padded_counters_count_every_step() {
    assert_eq!(count_packed(3, 1000), vec![1000; 3]);
    assert_eq!(count_padded(3, 1000), vec![1000; 3]);
}

#[test]
fn amdahl_fit_recovers_the_serial_fraction() {
    let law = |s: f64, p: f64| 1.0 / (s + (1.0 - s) / p);
    let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
        .iter()
        .map(|&p| (p, law(0.1, p)))
        .collect();
    assert!((amdahl_fit(&points, 8) - 0.1).abs() < 1e-12);
    // Beyond the cores, more threads are no more processors: those points are left out.
    let on_two = [(1.0, 1.0), (2.0, law(0.2, 2.0)), (4.0, 1.0), (8.0, 0.5)];
    assert!((amdahl_fit(&on_two, 2) - 0.2).abs() < 1e-12);
    assert_eq!(amdahl_fit(&[(1.0, 1.0)], 1), 0.0, "no point to fit");
}

#[test]
fn peak_rise_sees_a_large_allocation() {
    let (len, rise) = peak_rise(|| {
        let v = vec![1u8; 64 << 20];
        std::hint::black_box(&v).len()
    });
    assert_eq!(len, 64 << 20);
    if let Some(rise) = rise {
        assert!(
            rise >= 60 << 20,
            "a 64 MiB vector in use raised the peak by only {rise} bytes"
        );
    }
}

#[test]
fn a_task_that_asks_for_too_much_is_refused_before_anything_is_allocated() {
    let mut jobs = Vec::new();
    let greedy = Task::Simulate {
        seed: 1,
        paths: u32::MAX,
        steps: 1,
    };
    write_frame(
        &mut jobs,
        &Job {
            id: 7,
            task: greedy,
        },
    )
    .unwrap();
    let mut answers = Vec::new();
    let err = serve(&mut Cursor::new(jobs), &mut answers).unwrap_err();
    assert!(err.to_string().contains("4294967295 paths"), "{err}");
    assert!(answers.is_empty(), "no answer for a refused task");
}

#[test]
fn a_worker_that_stops_answering_is_killed_at_its_deadline_and_its_task_lost() {
    #[cfg(feature = "solution")]
    const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-04");
    #[cfg(not(feature = "solution"))]
    const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-04");
    let mut command = lesson_04_threads_processes::pool::WorkerCommand::new(PROGRAM);
    command.envs.push((
        lesson_04_threads_processes::pool::HANG_ENV.into(),
        "5".into(),
    ));
    let mut worker = command
        .start()
        .expect("a worker starts")
        .with_deadline(std::time::Duration::from_millis(500));
    let pid = worker.pid();
    assert_eq!(
        worker
            .call(4, &Task::Sum(vec![1.0, 2.0]))
            .expect("an answer"),
        Output::Sum(3.0)
    );
    let lost = worker.call(5, &Task::Sum(vec![1.0])).unwrap_err();
    assert!(
        lost.to_string().contains("silent for 500ms on job 5"),
        "{lost}"
    );
    drop(worker);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the silent worker {pid} was not reaped"
    );
}

proptest::proptest! {
    /// Any bytes at all, read as frames of jobs: an error or a job, never a panic, and
    /// never more memory than the bytes themselves (a declared length or count is not
    /// trusted). A declared length is honoured only up to the bytes that came.
    #[test]
    fn frames_of_any_bytes_give_an_error_or_a_job(
        bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
        length in 0u32..600,
    ) {
        // Half the cases with a plausible length prefix, so that decoding is reached.
        let framed = [&length.to_le_bytes()[..], &bytes].concat();
        for input in [bytes, framed] {
            let mut input = Cursor::new(input);
            while let Ok(Some(job)) = read_frame::<Job>(&mut input) {
                let _ = job.task.check();
            }
        }
    }
}
