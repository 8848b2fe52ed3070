//! The report helpers, tested.

use std::time::Duration;

use super::comparison::ComparisonRow;
use super::*;

#[test]
fn median_and_formats() {
    let ms = Duration::from_millis;
    assert_eq!(
        Timing {
            runs: vec![ms(5), ms(1), ms(3)]
        }
        .median(),
        ms(3)
    );
    assert_eq!(
        Timing {
            runs: vec![ms(4), ms(1), ms(3), ms(2)]
        }
        .median(),
        ms(2)
    );
    assert_eq!(fmt_duration(ms(1500)), "1.50 s");
    assert_eq!(fmt_duration(ms(12)), "12.0 ms");
    assert_eq!(fmt_rate(600_000_000, ms(1000)), "600 MB/s");
    assert_eq!(fmt_bytes(1_060_000_000), "1.06 GB");
    assert_eq!(fmt_speedup(ms(2000), ms(1000)), "2.00×");
    assert_eq!(fmt_count(12_345_678), "12,345,678");
    assert_eq!(fmt_count(999), "999");
}

#[test]
fn spreads_read_in_the_slowest_runs_unit() {
    let ms = Duration::from_millis;
    let t = |runs: &[u64]| Timing {
        runs: runs.iter().map(|&r| ms(r)).collect(),
    };
    assert_eq!(t(&[1350, 1200, 1300]).fmt_spread(), "1.20–1.35 s");
    assert_eq!(t(&[900, 1200]).fmt_spread(), "0.90–1.20 s");
    assert_eq!(t(&[12, 15]).fmt_spread(), "12.0–15.0 ms");
    assert_eq!(t(&[12]).fmt_spread(), "one run");
    assert_eq!(t(&[10, 30]).spread_ratio(), 3.0);
}

fn row(name: &str, runs: &[u64], limit: bool) -> ComparisonRow {
    ComparisonRow {
        name: name.into(),
        exercise: String::new(),
        outcome: Ok(Timing {
            runs: runs.iter().map(|&r| Duration::from_millis(r)).collect(),
        }),
        limit,
    }
}

/// A busy machine, a wide spread and a variant that beats a limit it contains each
/// make the table doubt its figures; a one-thread limit may be beaten.
#[test]
fn a_table_says_when_its_figures_cannot_be_trusted() {
    let mut c: Comparison<()> = Comparison::new("job", 3);
    c.rows.push(row("steady", &[20, 21, 22], false));
    c.rows
        .push(row("limit: parse, 1 thread", &[30, 30, 30], false));
    assert!(c.doubts(None).is_empty(), "{:?}", c.doubts(None));
    let busy = Some("the 1-minute load average is 5.0 on 2 cores".to_string());
    assert_eq!(c.doubts(busy.clone()), vec![busy.clone().unwrap()]);

    c.rows.push(row("noisy", &[10, 11, 30], false));
    c.rows.push(row("limit: read only", &[13, 13, 13], true));
    // 5% under a limit is noise, not a warning.
    let close = [(
        "close",
        &Timing {
            runs: vec![Duration::from_millis(95)],
        },
    )];
    let limit = [(
        "limit",
        &Timing {
            runs: vec![Duration::from_millis(100)],
        },
    )];
    assert_eq!(beaten_limit(&close, &limit), None);
    let doubts = c.doubts(None);
    assert_eq!(doubts.len(), 2, "{doubts:?}");
    assert!(doubts[0].contains("noisy (3.0×)"), "{doubts:?}");
    assert!(
        doubts[1].contains("noisy beat limit: read only, work it contains"),
        "{doubts:?}"
    );
    let text = c.finish().to_string();
    assert!(text.lines().nth(1).unwrap().contains("min–max"), "{text}");
    assert!(text.contains("10.0–30.0 ms"), "{text}");
    let warning = untrusted_warning(&doubts).unwrap();
    assert!(warning.starts_with("warning: these figures are not comparable with the book's"));
}

#[test]
fn table_aligns_columns() {
    let mut t = Table::new(["variant", "MB/s"]).with_title("Lesson");
    t.row(["seq", "80"])
        .row(["parallel-typed", "1200"])
        .note("2 cores");
    let text = t.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Lesson",
            "variant         MB/s",
            "--------------------",
            "seq               80",
            "parallel-typed  1200",
            "2 cores"
        ]
    );
}

#[test]
fn comparison_counts_items_per_second() {
    let mut c = Comparison::new("calls", 1).with_items(1_000, "tasks/s");
    c.variant("sleeps", "", || {
        std::thread::sleep(Duration::from_millis(20))
    });
    let text = c.finish().to_string();
    let header = text.lines().nth(1).unwrap();
    assert!(header.contains("tasks/s"), "{text}");
    // 1,000 tasks in at least 20 ms: at most 50,000 tasks/s.
    let row = text.lines().nth(3).unwrap();
    let words: Vec<&str> = row.split_whitespace().collect();
    let unit = words.iter().position(|w| *w == "tasks/s").unwrap();
    let rate: u64 = words[unit - 1].replace(',', "").parse().unwrap();
    assert!(rate <= 50_000 && rate > 0, "{text}");
}

#[test]
fn interleaved_runs_round_by_round_and_checks_like_variant() {
    let order = std::cell::RefCell::new(Vec::new());
    let mut c = Comparison::new("job", 3).check_output(|n: &u32| n.to_string());
    let outputs = c.interleaved(vec![
        (
            "a".into(),
            "given".into(),
            Box::new(|| {
                order.borrow_mut().push('a');
                1
            }),
        ),
        (
            "b".into(),
            "4.1".into(),
            Box::new(|| {
                order.borrow_mut().push('b');
                2
            }),
        ),
        (
            "c".into(),
            "4.2".into(),
            Box::new(|| -> u32 {
                order.borrow_mut().push('c');
                todo!("exercise 4.2")
            }),
        ),
    ]);
    assert_eq!(outputs, [Some(1), Some(2), None]);
    // Round by round; the panicking variant ran once only.
    assert_eq!(order.borrow().iter().collect::<String>(), "abcabab");
    assert!(c.median("a").is_some() && c.median("c").is_none());
    assert_eq!(c.problems(), ["b: wrong output: 2, expected 1"]);
    assert!(c.finish().to_string().contains("not done yet"));
}

#[test]
fn comparison_marks_todo_panics_and_wrong_outputs() {
    let mut c = Comparison::new("job", 2)
        .with_bytes(1_000_000)
        .check_output(|n: &u32| format!("{n} rows"));
    c.variant("baseline", "given", || 3);
    c.variant("same", "1.1", || 3);
    c.variant("skips work", "1.2", || 2);
    c.variant("todo", "1.3", || -> u32 { todo!("exercise 1.3") });
    c.variant("bug", "1.4", || -> u32 { panic!("index out of bounds") });
    c.limit("read only", || 0u8);
    let text = c.finish().to_string();
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    assert!(row("same").ends_with("×"), "{text}");
    assert!(row("skips work").contains("wrong output"), "{text}");
    assert!(row("todo").contains("not done yet"), "{text}");
    assert!(row("bug").contains("panicked"), "{text}");
    assert!(row("limit: read only").contains(" - "), "{text}");
    assert!(
        text.starts_with("job (median of 2 runs)\nvariant "),
        "{text}"
    );
    assert!(text.lines().nth(1).unwrap().contains("exercise"), "{text}");
    assert_eq!(
        c.problems(),
        [
            "skips work: wrong output: 2 rows, expected 3 rows",
            "bug: panicked: index out of bounds"
        ]
    );
}

#[test]
fn time_runs_runs_the_work_each_time() {
    let mut calls = 0;
    let (timing, last) = time_runs(3, || {
        calls += 1;
        calls
    });
    assert_eq!((timing.runs.len(), last), (3, 3));
}

#[test]
fn a_todo_on_a_scoped_thread_reads_as_the_todo() {
    let got = catch_quietly(|| {
        std::thread::scope(|s| {
            s.spawn(|| todo!("exercise 4.2: count, min and max"));
        })
    });
    let message = got.expect_err("the scope panics");
    assert!(
        crate::panic::is_todo(&message) && message.contains("exercise 4.2"),
        "not std's words: {message}"
    );
}
