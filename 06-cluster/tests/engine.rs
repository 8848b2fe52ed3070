//! The engine layer on its own: an aggregation by key gives the same answer on one worker,
//! on three, and on two processes of two workers; progress comes from the probe; a
//! worker's panic comes back with its message; a layout that cannot run says why.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lesson_06_cluster::engine::connect::{HELLO_LEN, Hello, join, label};
use shared::secret::{Nonce, Secret};

use lesson_06_cluster::engine::{
    Feed, Layout, LayoutError, ROUNDS, RunError, aggregate_by_key, job, run, share,
};
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Inspect, Probe};

/// Sums of 0..1000 by their remainder mod 7, computed by `layout`; `None` outside process 0.
fn sums(layout: &Layout) -> Option<Vec<(u64, u64)>> {
    let numbers: Vec<u64> = (0..1000).collect();
    let sum = job(|numbers, _| {
        aggregate_by_key(
            numbers.map(|n: u64| (n % 7, n)),
            "Sum",
            |sum: &mut u64, n| *sum += n,
        )
    });
    let mut answer = run(layout, numbers, Feed::Shared, sum, None).expect("the job runs")?;
    answer.sort();
    Some(answer)
}

fn expected() -> Vec<(u64, u64)> {
    (0..7)
        .map(|r| (r, (0..1000).filter(|n| n % 7 == r).sum()))
        .collect()
}

#[test]
fn an_aggregation_by_key_is_the_same_on_one_worker_and_on_three() {
    assert_eq!(sums(&Layout::threads(1)), Some(expected()));
    assert_eq!(sums(&Layout::threads(3)), Some(expected()));
}

#[test]
fn two_processes_of_two_workers_give_the_same_answer_on_loopback() {
    let test = "two_processes_of_two_workers_give_the_same_answer_on_loopback";
    let data = common::tiny_data();
    if let Some(answer) = common::cluster("engine", test, &data, (2, 2), sums) {
        assert_eq!(answer, expected());
    }
}

#[test]
fn shares_cover_every_item_once() {
    let items: Vec<u32> = (0..10).collect();
    let mut all: Vec<u32> = (0..3).flat_map(|i| share(&items, i, 3)).collect();
    all.sort();
    assert_eq!(all, items);
    assert_eq!(share(&items, 1, 3), vec![1, 4, 7]);
}

#[test]
fn progress_counts_rounds_up_to_the_end() {
    let told: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let log = Arc::clone(&told);
    let progress = Arc::new(move |done, rounds| log.lock().expect("the log").push((done, rounds)));
    let items: Vec<u64> = (0..1000).collect();
    let pass = job(|items, probe| items.map(|n: u64| n * 2).probe_with(probe));
    let answer = run(
        &Layout::threads(2),
        items,
        Feed::Shared,
        pass,
        Some(progress),
    )
    .expect("the job runs")
    .expect("process 0");
    assert_eq!(answer.len(), 1000);
    let told = told.lock().expect("the log");
    assert_eq!(
        told.last(),
        Some(&(ROUNDS, ROUNDS)),
        "the last report is the end: {told:?}"
    );
    assert!(told.len() > 2, "progress moved in steps: {told:?}");
    assert!(
        told.windows(2).all(|w| w[0].0 < w[1].0),
        "progress only grows: {told:?}"
    );
}

#[test]
fn items_fed_at_the_first_worker_start_there() {
    let seen: Arc<Mutex<Vec<usize>>> = Arc::default();
    let log = Arc::clone(&seen);
    let record = job(move |items, _| {
        let worker = items.scope().index();
        let log = Arc::clone(&log);
        items.inspect(move |_: &u32| log.lock().expect("the log").push(worker))
    });
    run(
        &Layout::threads(3),
        (0..50).collect(),
        Feed::AtFirstWorker,
        record,
        None,
    )
    .expect("the job runs");
    let seen = seen.lock().expect("the log");
    assert_eq!(seen.len(), 50);
    assert!(
        seen.iter().all(|&w| w == 0),
        "every item entered at worker 0: {seen:?}"
    );
}

#[test]
fn a_panicking_worker_comes_back_with_its_message() {
    let boom = job(|items, _| {
        items.map(|n: u32| {
            assert!(n != 7, "item 7 is bad");
            n
        })
    });
    let result = run(
        &Layout::threads(2),
        (0..10).collect(),
        Feed::Shared,
        boom,
        None,
    );
    match result {
        Err(RunError::Worker(message)) => assert!(message.contains("item 7 is bad"), "{message}"),
        other => panic!("expected the worker's panic, got {other:?}"),
    }
}

#[test]
fn a_layout_that_cannot_run_says_why() {
    let mut layout = Layout::threads(1);
    layout.processes = 2;
    assert!(matches!(
        layout.config(),
        Err(LayoutError::NoHostfile { processes: 2 })
    ));
    layout.process = 2;
    let error = layout.config().expect_err("-p 2 of -n 2");
    assert!(error.to_string().contains("numbered from 0"), "{error}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    std::fs::write(&hostfile, "127.0.0.1:2101\n").expect("a hostfile");
    let layout = Layout {
        workers: 1,
        processes: 2,
        process: 0,
        hostfile: Some(hostfile),
        start_timeout: 60,
        silence: 120,
        secret_file: None,
    };
    let error = layout.config().expect_err("one address for two processes");
    assert!(
        error.to_string().contains("1 address(es) for -n 2"),
        "{error}"
    );
}

#[test]
fn a_hostfile_line_that_is_not_an_address_or_repeats_one_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    for (text, said) in [
        (
            "127.0.0.1:2101\n\nnot an address\n",
            "line 3: \"not an address\" is not HOST:PORT",
        ),
        (
            "127.0.0.1:2101\n127.0.0.1:2101\n",
            "line 2: \"127.0.0.1:2101\" repeats the address of process 0",
        ),
        (
            "127.0.0.1:2101\nno-such-host.invalid:2102\n",
            "line 2: \"no-such-host.invalid:2102\" does not resolve",
        ),
    ] {
        std::fs::write(&hostfile, text).expect("a hostfile");
        let layout = Layout {
            workers: 1,
            processes: 2,
            process: 0,
            hostfile: Some(hostfile.clone()),
            start_timeout: 60,
            silence: 120,
            secret_file: None,
        };
        let error = layout.config().expect_err("a bad hostfile").to_string();
        assert!(error.contains(said), "{error}");
    }
}

/// Process 0 of two, whose hostfile (in `dir`) names its own port and a peer's, both free
/// now: nothing listens on the peer's. Returns the layout and the two addresses.
fn process_0_of_2(
    dir: &std::path::Path,
    start_timeout: u64,
) -> (Layout, std::net::SocketAddr, std::net::SocketAddr) {
    let free = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address")
    };
    let (mine, theirs) = (free(), free());
    let hostfile = dir.join("hosts.txt");
    std::fs::write(&hostfile, format!("{mine}\n{theirs}\n")).expect("a hostfile");
    let layout = Layout {
        workers: 1,
        processes: 2,
        process: 0,
        hostfile: Some(hostfile),
        start_timeout,
        silence: 120,
        secret_file: Some(dir.join("cluster.secret")),
    };
    (layout, mine, theirs)
}

/// Runs a job that only passes its items through, on `layout`.
fn pass_through(layout: &Layout) -> Result<Option<Vec<u64>>, RunError> {
    run(
        layout,
        vec![1_u64],
        Feed::Shared,
        job(|items, probe| items.probe_with(probe)),
        None,
    )
}

#[test]
fn a_process_whose_peer_never_comes_stops_at_its_deadline_naming_the_peer() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (layout, _, theirs) = process_0_of_2(dir.path(), 2);
    let started = Instant::now();
    let error = pass_through(&layout)
        .expect_err("a cluster of one process cannot start")
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it waited {:?}",
        started.elapsed()
    );
    assert!(error.contains("did not start within 2 s"), "{error}");
    assert!(
        error.contains(&format!("process 1 at {theirs}")),
        "it names the peer: {error}"
    );
}

/// Process `process` of two, on `hosts` (process 0's address, then process 1's), with
/// `deadline` seconds for both the start-up and a silent peer.
fn one_of_2(
    dir: &std::path::Path,
    hosts: [SocketAddr; 2],
    process: usize,
    deadline: u64,
) -> Layout {
    one_of(dir, &hosts, process, deadline)
}

/// Process `process` of as many as `hosts` (line `i` for process `i`), with `deadline`
/// seconds for both the start-up and a silent peer, and the secret in `dir`.
fn one_of(dir: &std::path::Path, hosts: &[SocketAddr], process: usize, deadline: u64) -> Layout {
    let hostfile = dir.join(format!("hosts-{process}.txt"));
    let lines: Vec<String> = hosts.iter().map(|h| format!("{h}\n")).collect();
    std::fs::write(&hostfile, lines.concat()).expect("a hostfile");
    Layout {
        workers: 1,
        processes: hosts.len(),
        process,
        hostfile: Some(hostfile),
        start_timeout: deadline,
        silence: deadline,
        secret_file: Some(dir.join("cluster.secret")),
    }
}

/// Connects to `to` as process 1 of 2 would (with the secret in `dir`, which process 0
/// made before it listened), and goes through the start of the connection.
fn fake_process_1(to: SocketAddr, dir: &std::path::Path) -> TcpStream {
    let mut stream = connect_within(to, Duration::from_secs(20));
    let secret = Secret::load(&dir.join("cluster.secret")).expect("process 0's secret");
    let mine = Hello {
        process: 1,
        processes: 2,
        workers: 1,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let theirs = join(&mut stream, mine, &secret, 0, deadline).expect("process 0 lets it in");
    assert_eq!(theirs, Hello { process: 0, ..mine });
    stream
}

/// What `thread` returned, waiting at most a minute (a hang fails the test).
fn joined<T: Send + 'static>(thread: std::thread::JoinHandle<T>) -> T {
    let limit = Duration::from_secs(60);
    shared::testing::within_for("engine", limit, move || thread.join()).expect("process 0")
}

/// A connection to `to`, retried until `limit` (the process may not listen yet).
fn connect_within(to: SocketAddr, limit: Duration) -> TcpStream {
    let started = Instant::now();
    loop {
        match TcpStream::connect(to) {
            Ok(stream) => return stream,
            Err(e) if started.elapsed() > limit => panic!("{to} never listened: {e}"),
            Err(_) => std::thread::yield_now(),
        }
    }
}

/// Starts process 0 of two and lets `stranger` at its port first (it returns the
/// connection once it has said its piece): process 0 must close that connection without
/// a word (`letting_in` is what it did otherwise), and the real process 1 must still join.
fn refused_and_the_peer_joins(letting_in: &str, stranger: impl FnOnce(TcpStream) -> TcpStream) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, mine, theirs) = process_0_of_2(dir.path(), 20);
    let hosts = [mine, theirs];
    let first = one_of_2(dir.path(), hosts, 0, 20);
    let process_0 = std::thread::spawn(move || pass_through(&first));
    let mut stranger = stranger(connect_within(mine, Duration::from_secs(20)));
    let mut answer = [0; 1];
    assert_eq!(stranger.read(&mut answer).ok(), Some(0), "{letting_in}");
    let second = one_of_2(dir.path(), hosts, 1, 20);
    let started = Instant::now();
    let peer = pass_through(&second).expect("process 1 runs");
    assert_eq!(peer, None, "only process 0 collects");
    let answer = joined(process_0).expect("process 0 runs");
    assert_eq!(answer, Some(vec![1]));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_stray_connection_during_start_up_is_ignored_and_the_real_peer_still_joins() {
    // 32 bytes of garbage.
    refused_and_the_peer_joins("it answered a stranger", |mut stranger| {
        stranger.write_all(&[0xff; HELLO_LEN]).expect("garbage");
        stranger
    });
}

#[test]
fn a_stranger_who_knows_the_protocol_but_not_the_secret_is_refused_and_the_peer_joins() {
    // Process 1's hello with a nonce, then, after process 0's reply, a proof made with a
    // secret of its own.
    refused_and_the_peer_joins("it let in a peer without the secret", |mut stranger| {
        let hello = Hello {
            process: 1,
            processes: 2,
            workers: 1,
        };
        let nonce = Nonce::random().expect("a nonce");
        let mut opening = hello.to_bytes().to_vec();
        opening.extend_from_slice(&nonce.0);
        stranger.write_all(&opening).expect("a hello");
        let mut reply = [0; HELLO_LEN + 2 * shared::secret::LEN];
        stranger.read_exact(&mut reply).expect("process 0's reply");
        let process_0 = Hello {
            process: 0,
            ..hello
        };
        let challenge = Nonce(
            reply[HELLO_LEN..HELLO_LEN + 32]
                .try_into()
                .expect("32 bytes"),
        );
        let wrong = Secret::random().expect("a secret");
        stranger
            .write_all(&wrong.prove(label(false, hello, process_0), &challenge, &nonce))
            .expect("a proof");
        stranger
    });
}

#[test]
fn a_peer_that_accepts_but_never_says_hello_is_named_at_the_deadline() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // "Process 0" is a port that accepts connections (the kernel does, from its backlog)
    // and never says anything: a stopped process, or another program.
    let (_mute, hosts) = in_place_of_process_0();
    let error = process_1_gives_up_within(dir.path(), hosts, Duration::from_secs(20));
    not_started_for(
        &error,
        hosts[0],
        "it accepted the connection but sent no hello",
    );
}

#[test]
fn a_peer_that_goes_silent_after_the_start_up_is_named_at_the_silence_deadline() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, mine, theirs) = process_0_of_2(dir.path(), 2);
    let layout = one_of_2(dir.path(), [mine, theirs], 0, 2);
    let process_0 = std::thread::spawn(move || pass_through(&layout));
    // Process 1 says hello, then nothing more: stopped, as by SIGSTOP.
    let _silent = fake_process_1(mine, dir.path());
    // The hostfile goes once the cluster runs, as the launcher's does: the error still
    // names the address.
    std::fs::remove_file(dir.path().join("hosts-0.txt")).expect("the hostfile was there");
    let started = Instant::now();
    let error = joined(process_0).expect_err("it cannot finish");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let error = error.to_string();
    assert!(
        error.contains(&format!(
            "process 1 at {theirs} has sent nothing for 2 s (--silence)"
        )),
        "{error}"
    );
}

#[test]
fn a_peer_whose_connection_ends_during_the_job_is_named() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, mine, theirs) = process_0_of_2(dir.path(), 20);
    let layout = one_of_2(dir.path(), [mine, theirs], 0, 20);
    let process_0 = std::thread::spawn(move || pass_through(&layout));
    // Process 1 says hello, then its connection closes: it crashed. Its hostfile is gone
    // by then, as the launcher's is.
    let process_1 = fake_process_1(mine, dir.path());
    std::fs::remove_file(dir.path().join("hosts-0.txt")).expect("the hostfile was there");
    drop(process_1);
    let error = joined(process_0).expect_err("it cannot finish");
    let error = error.to_string();
    assert!(
        error.contains(&format!(
            "the connection to process 1 at {theirs} ended during the job"
        )),
        "{error}"
    );
}

/// A program at a port that runs `answer` on every connection, each in a thread of its own
/// (so that one waiting connection holds up no other), until dropped (which wakes the
/// accepting thread and joins it; each connection's reads give up after 10 s).
struct Fake {
    at: SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn fake(listener: TcpListener, answer: impl Fn(TcpStream) + Send + Sync + 'static) -> Fake {
    let at = listener.local_addr().expect("an address");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let answer = Arc::new(answer);
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let answer = answer.clone();
            std::thread::spawn(move || answer(stream));
        }
    });
    Fake {
        at,
        stop,
        thread: Some(thread),
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(TcpStream::connect(self.at)); // wakes it up to see the stop
        // During a failed test's unwinding, `joined` (which sets a panic hook) would abort
        // the test binary: the thread is left to end on its own then.
        if let Some(thread) = self.thread.take().filter(|_| !std::thread::panicking()) {
            joined(thread);
        }
    }
}

/// Runs process 1 of two on `hosts` with a 2-s start-up, which must fail within `limit`:
/// its error.
fn process_1_gives_up_within(
    dir: &std::path::Path,
    hosts: [SocketAddr; 2],
    limit: Duration,
) -> String {
    let layout = one_of_2(dir, hosts, 1, 2);
    let started = Instant::now();
    let error = pass_through(&layout).expect_err("no cluster").to_string();
    let waited = started.elapsed();
    assert!(waited < limit, "it waited {waited:?}: {error}");
    error
}

/// Checks that `error` is process 1's at its 2-s start-up deadline, naming process 0 at
/// `at` with `why`.
fn not_started_for(error: &str, at: SocketAddr, why: &str) {
    assert!(error.contains("did not start within 2 s"), "{error}");
    let named = format!("process 0 at {at}: {why}");
    assert!(error.contains(&named), "{error}");
}

/// A port standing in for process 0 (what the test makes of it), and the addresses of a
/// hostfile for a real process 1: that port's, then a free one.
fn in_place_of_process_0() -> (TcpListener, [SocketAddr; 2]) {
    let port = TcpListener::bind("127.0.0.1:0").expect("a port");
    let free = TcpListener::bind("127.0.0.1:0").expect("a port");
    let hosts = [port.local_addr(), free.local_addr()].map(|a| a.expect("an address"));
    (port, hosts)
}

/// The first bytes a connecting process sends: its hello and its nonce.
fn opening_of(stream: &mut TcpStream) -> Option<(Hello, [u8; HELLO_LEN + 32])> {
    let mut opening = [0; HELLO_LEN + 32];
    stream.read_exact(&mut opening).ok()?;
    let hello = Hello::from_bytes(opening[..HELLO_LEN].try_into().ok()?).ok()?;
    Some((hello, opening))
}

#[test]
fn a_process_that_answers_without_the_secret_is_not_joined() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // "Process 0" answers every hello as the real one would, but with another secret.
    let (listener, hosts) = in_place_of_process_0();
    let wrong = Secret::random().expect("a secret");
    let _impostor = fake(listener, move |mut stream| {
        let Some((connecting, opening)) = opening_of(&mut stream) else {
            return;
        };
        let answer = Nonce(opening[HELLO_LEN..].try_into().expect("32 bytes"));
        let challenge = Nonce::random().expect("a nonce");
        let accepted = Hello {
            process: 0,
            ..connecting
        };
        let mut reply = accepted.to_bytes().to_vec();
        reply.extend_from_slice(&challenge.0);
        let proof = wrong.prove(label(true, connecting, accepted), &challenge, &answer);
        reply.extend_from_slice(&proof);
        let _ = stream.write_all(&reply);
        let _ = stream.read(&mut [0; 1]);
    });
    let layout = one_of_2(dir.path(), hosts, 1, 2);
    let error = pass_through(&layout).expect_err("no cluster").to_string();
    not_started_for(
        &error,
        hosts[0],
        "it does not prove that it holds this cluster's secret",
    );
}

#[test]
fn a_stranger_cannot_pass_one_process_s_proof_off_as_another_s() {
    let (error, proofs, hosts) = relayed_by_a_stranger(true);
    assert!(
        error.contains(&format!(
            "process 0 at {}: it does not prove that it holds this cluster's secret",
            hosts[0]
        )),
        "{error}"
    );
    assert_eq!(proofs, 0, "process 2 proved itself to the stranger");
}

#[test]
fn a_stranger_that_relays_another_process_s_answer_unchanged_gets_no_proof() {
    let (error, proofs, hosts) = relayed_by_a_stranger(false);
    assert!(
        error.contains(&format!("process 0 at {}: process 1 answers", hosts[0])),
        "{error}"
    );
    // Process 2's proof, relayed to process 1, would let the stranger in as process 2.
    assert_eq!(proofs, 0, "process 2 proved itself to the stranger");
}

/// Processes 1 and 2 are real; a stranger holds process 0's port. When process 2 dials
/// it, the stranger dials process 1 with process 2's own opening and hands process 1's
/// answer back to process 2: with its hello rewritten to say process 0 (`forge`) or as
/// it came. Returns process 2's error, how many proofs process 2 gave the stranger (which
/// it relays to process 1), and the hostfile's addresses.
fn relayed_by_a_stranger(forge: bool) -> (String, usize, [SocketAddr; 3]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let free = || {
        let port = TcpListener::bind("127.0.0.1:0").expect("a port");
        port.local_addr().expect("an address")
    };
    let hosts = [listener.local_addr().expect("an address"), free(), free()];
    let to_1 = hosts[1];
    // (replies relayed to process 2, proofs it gave back)
    let counts = Arc::new(Mutex::new((0_usize, 0_usize)));
    let count = counts.clone();
    let _stranger = fake(listener, move |mut from| {
        let Some((connecting, opening)) = opening_of(&mut from) else {
            return;
        };
        if connecting.process != 2 {
            return;
        }
        let Ok(mut to) = TcpStream::connect(to_1) else {
            return;
        };
        let _ = to.set_read_timeout(Some(Duration::from_secs(10)));
        if to.write_all(&opening).is_err() {
            return;
        }
        let mut reply = [0; HELLO_LEN + 64];
        if to.read_exact(&mut reply).is_err() {
            return;
        }
        if forge {
            let process_0 = Hello {
                process: 0,
                ..connecting
            };
            reply[..HELLO_LEN].copy_from_slice(&process_0.to_bytes());
        }
        let _ = from.write_all(&reply);
        count.lock().expect("the counts").0 += 1;
        let mut proof = [0; 32];
        if from.read_exact(&mut proof).is_ok() {
            count.lock().expect("the counts").1 += 1;
            let _ = to.write_all(&proof);
        }
    });
    // Process 1 waits longer than process 2, so that the stranger can reach it to the end.
    let (first, second) = (
        one_of(dir.path(), &hosts, 1, 5),
        one_of(dir.path(), &hosts, 2, 3),
    );
    let process_1 = std::thread::spawn(move || pass_through(&first));
    let error = pass_through(&second)
        .expect_err("process 2 joins no stranger")
        .to_string();
    assert!(
        joined(process_1).is_err(),
        "process 1 has no process 0 either"
    );
    let (relayed, proofs) = *counts.lock().expect("the counts");
    assert!(relayed > 0, "the stranger never relayed");
    (error, proofs, hosts)
}

#[test]
fn connections_that_say_nothing_hold_up_no_real_peer() {
    // Three connections that say nothing, there before the real peer: greeted one after
    // another, each would hold the port for the whole start-up.
    a_real_peer_joins_after(|port| {
        (0..3)
            .map(|_| connect_within(port, Duration::from_secs(20)))
            .collect()
    });
}

#[test]
fn connections_that_close_at_once_leave_the_port_greeting() {
    // More than the greetings allowed at once, one after another: a greeting that ended
    // and was still counted would leave the port closing every connection unread.
    a_real_peer_joins_after(|port| {
        for _ in 0..100 {
            drop(connect_within(port, Duration::from_secs(20)));
        }
        Vec::new()
    });
}

/// Starts process 0 of two, lets `strangers` at its port first (what they return stays
/// open), then starts process 1: both must run, within a 4-s start-up.
fn a_real_peer_joins_after(strangers: impl FnOnce(SocketAddr) -> Vec<TcpStream>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, mine, theirs) = process_0_of_2(dir.path(), 4);
    let layout = one_of_2(dir.path(), [mine, theirs], 0, 4);
    let process_0 = std::thread::spawn(move || pass_through(&layout));
    let _open = strangers(mine);
    let process_1 = pass_through(&one_of_2(dir.path(), [mine, theirs], 1, 4));
    assert!(process_1.is_ok(), "process 1 joins: {process_1:?}");
    let process_0 = joined(process_0);
    assert!(process_0.is_ok(), "process 0 runs: {process_0:?}");
}

#[test]
fn a_peer_that_trickles_its_hello_is_given_up_on_at_the_deadline() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // "Process 0" sends one byte of a hello every 300 ms: 32 bytes would take 10 s.
    let (listener, hosts) = in_place_of_process_0();
    let hello = Hello {
        process: 0,
        processes: 2,
        workers: 1,
    };
    let _slow = fake(listener, move |mut stream| {
        for byte in hello.to_bytes() {
            if stream.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    // A bound per read, not per start, would take 10 s.
    let error = process_1_gives_up_within(dir.path(), hosts, Duration::from_secs(8));
    assert!(
        error.contains("it accepted the connection but sent no hello within 2 s"),
        "{error}"
    );
}

#[test]
fn a_process_started_with_other_workers_is_told_why_it_was_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, mine, theirs) = process_0_of_2(dir.path(), 2);
    let hosts = [mine, theirs];
    // Process 0 waits longer than process 1, so that its port is still open (a port
    // closed with connections waiting resets them) when process 1 gives up.
    let first = one_of_2(dir.path(), hosts, 0, 4);
    let process_0 = std::thread::spawn(move || pass_through(&first));
    let mut second = one_of_2(dir.path(), hosts, 1, 2);
    second.workers = 2;
    let error = pass_through(&second).expect_err("no cluster").to_string();
    assert!(
        error.contains("it closed the connection without a whole hello")
            && error.contains("another -n or -w"),
        "process 0 refuses it without a reset: {error}"
    );
    assert!(
        joined(process_0).is_err(),
        "process 0 has no process 1 either"
    );
}
