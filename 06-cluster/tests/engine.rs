//! The engine layer on its own: an aggregation by key gives the same answer on one worker
//! and on several, and the answer arrives at worker 0 only.

use lesson_06_cluster::engine::{Layout, aggregate_by_key, run, share, source};
use timely::dataflow::operators::vec::Map;

/// Sums of 0..1000 by their remainder mod 7, computed by `layout`.
fn sums(layout: &Layout) -> Vec<(u64, u64)> {
    let numbers: Vec<u64> = (0..1000).collect();
    let mut answer = run(layout, move |scope, index, peers| {
        let mine = source(scope, share(&numbers, index, peers));
        aggregate_by_key(mine.map(|n| (n % 7, n)), "Sum", |sum: &mut u64, n| {
            *sum += n
        })
    })
    .expect("the job runs")
    .expect("this is process 0");
    answer.sort();
    answer
}

#[test]
fn an_aggregation_by_key_is_the_same_on_one_worker_and_on_three() {
    let expected: Vec<(u64, u64)> = (0..7)
        .map(|r| (r, (0..1000).filter(|n| n % 7 == r).sum()))
        .collect();
    assert_eq!(sums(&Layout::threads(1)), expected);
    assert_eq!(sums(&Layout::threads(3)), expected);
}

#[test]
fn shares_cover_every_item_once() {
    let items: Vec<u32> = (0..10).collect();
    let mut all: Vec<u32> = (0..3).flat_map(|i| share(&items, i, 3)).collect();
    all.sort();
    assert_eq!(all, items);
    assert_eq!(share(&items, 1, 3), vec![1, 4, 7]);
}

/// Environment variables that make this test binary play one process of a cluster.
const PROCESS: &str = "LESSON_06_ENGINE_PROCESS";
const HOSTFILE: &str = "LESSON_06_ENGINE_HOSTFILE";

/// Process `p` of the two-process run below: a test that does nothing unless started by it.
#[test]
fn cluster_process() {
    let (Some(process), Some(hostfile)) = (std::env::var_os(PROCESS), std::env::var_os(HOSTFILE))
    else {
        return;
    };
    let layout = Layout {
        workers: 2,
        processes: 2,
        process: process.to_string_lossy().parse().expect("a process number"),
        hostfile: Some(hostfile.into()),
    };
    if layout.process == 0 {
        println!("ANSWER {:?}", sums(&layout));
    } else {
        sums_elsewhere(&layout);
    }
}

/// Process 1's part: the same job; worker 0 is elsewhere, so nothing comes back here.
fn sums_elsewhere(layout: &Layout) {
    let numbers: Vec<u64> = (0..1000).collect();
    let answer = run(layout, move |scope, index, peers| {
        let mine = source(scope, share(&numbers, index, peers));
        aggregate_by_key(mine.map(|n| (n % 7, n)), "Sum", |sum: &mut u64, n| {
            *sum += n
        })
    })
    .expect("the job runs");
    assert!(answer.is_none(), "only process 0 collects");
}

#[test]
fn two_processes_of_two_workers_give_the_same_answer_on_loopback() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    // Two free ports on loopback, released just before the processes take them.
    let ports: Vec<std::net::TcpListener> = (0..2)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a port"))
        .collect();
    let hosts: Vec<String> = ports
        .iter()
        .map(|p| p.local_addr().expect("an address").to_string())
        .collect();
    std::fs::write(&hostfile, hosts.join("\n")).expect("the hostfile");
    drop(ports);
    let me = std::env::current_exe().expect("this test binary");
    let children: Vec<_> = (0..2)
        .map(|p| {
            let (me, hostfile) = (me.clone(), hostfile.clone());
            std::thread::spawn(move || {
                shared::testing::run_bounded(
                    std::process::Command::new(me)
                        .args(["cluster_process", "--exact", "--nocapture"])
                        .env(PROCESS, p.to_string())
                        .env(HOSTFILE, hostfile),
                    std::time::Duration::from_secs(60),
                )
            })
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|child| child.join().expect("the process ran"))
        .collect();
    for (p, output) in outputs.iter().enumerate() {
        assert!(
            output.status.success(),
            "process {p} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&outputs[0].stdout);
    let expected = format!("ANSWER {:?}", sums(&Layout::threads(1)));
    assert!(stdout.contains(&expected), "process 0 printed: {stdout}");
}
