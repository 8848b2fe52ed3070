//! The generator's promises: same bytes every time, consistent bars, correlated sectors,
//! repair of an interrupted run, and `--check` finding damage.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use data::model::daily_bars;
use data::spec::{SYMBOLS, trading_days};
use data::{Options, Plan, Size, Spec, check, generate};
use shared::stats::{log_returns, pearson};

/// Every file under `root`, relative path → bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// A small spec with enough days to spread over threads.
fn week() -> Spec {
    Spec {
        start: NaiveDate::from_ymd_opt(2016, 3, 1).unwrap(),
        end: NaiveDate::from_ymd_opt(2016, 3, 14).unwrap(),
        json_days: 5,
        ..Size::Tiny.spec()
    }
}

#[test]
fn same_bytes_whatever_the_thread_count_and_run() {
    let runs: Vec<_> = [1, 4, 4]
        .into_iter()
        .map(|threads| {
            let dir = tempfile::tempdir().unwrap();
            with_threads(threads, || {
                generate(&week(), dir.path(), Options::default())
            })
            .unwrap();
            snapshot(dir.path())
        })
        .collect();
    assert_eq!(
        runs[0].len(),
        4 * 10 + 4 + 1,
        "files: {:?}",
        runs[0].keys().collect::<Vec<_>>()
    );
    assert!(
        runs[0] == runs[1] && runs[1] == runs[2],
        "runs with 1 and 4 threads differ"
    );
}

#[test]
fn tiny_is_well_under_a_megabyte_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = data::make(dir.path(), Size::Tiny).unwrap();
    let total: u64 = dataset.manifest().total_bytes;
    assert!(total < 700_000, "tiny is {total} bytes");
    for path in shared::columnar::ensure(&dataset).unwrap() {
        let columns = shared::columnar::read_columns(&path).unwrap();
        assert_eq!(columns.len(), 3 * 240, "{}", path.display());
    }
    let files = dataset.minute_files("AAPL");
    assert_eq!(files.len(), 3);
    assert_eq!(shared::read::read_csv(&files[0]).unwrap().len(), 240);
}

#[test]
fn minute_files_match_their_daily_bars() {
    let dir = tempfile::tempdir().unwrap();
    let spec = week();
    let dataset = data::make_spec(dir.path(), &spec).unwrap();
    let plan = Plan::new(&spec).unwrap();
    for (&symbol, ticker) in plan.symbols.iter().zip(dataset.symbols()) {
        let days = daily_bars(spec.seed, symbol, &plan.days);
        let files = dataset.minute_files(ticker);
        assert_eq!(files.len(), days.len());
        for (day, file) in days.iter().zip(&files) {
            let bars = shared::read::read_csv(file).unwrap();
            let mills = |p: f64| (p * 1000.0).round() as i64;
            assert_eq!(mills(bars[0].open), day.open, "{}", file.display());
            assert_eq!(
                mills(bars[bars.len() - 1].close),
                day.close,
                "{}",
                file.display()
            );
            assert_eq!(
                bars.iter().map(|b| mills(b.high)).max(),
                Some(day.high),
                "{}",
                file.display()
            );
            assert_eq!(
                bars.iter().map(|b| mills(b.low)).min(),
                Some(day.low),
                "{}",
                file.display()
            );
            assert!(
                bars.iter()
                    .all(|b| b.low <= b.open.min(b.close) && b.open.max(b.close) <= b.high)
            );
            assert!(bars.iter().all(|b| b.timestamp.date() == day.date));
        }
    }
}

#[test]
fn sector_peers_correlate_more_than_strangers() {
    let days = trading_days(
        NaiveDate::from_ymd_opt(2014, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2015, 12, 31).unwrap(),
    );
    let returns: Vec<Vec<f64>> = (0..SYMBOLS.len())
        .map(|s| {
            log_returns(
                &daily_bars(7, s, &days)
                    .iter()
                    .map(|d| d.close as f64)
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let (mut peers, mut strangers) = (Vec::new(), Vec::new());
    for a in 0..SYMBOLS.len() {
        for b in a + 1..SYMBOLS.len() {
            let r = pearson(&returns[a], &returns[b]).unwrap();
            if SYMBOLS[a].sector == SYMBOLS[b].sector {
                peers.push(r)
            } else {
                strangers.push(r)
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (p, s) = (mean(&peers), mean(&strangers));
    assert!(
        p > s + 0.1,
        "sector peers correlate at {p:.3} on average, strangers at {s:.3}"
    );
    assert!(
        s > 0.1,
        "all stocks share the market, so strangers correlate too: {s:.3}"
    );
}

#[test]
fn a_rerun_does_nothing_and_an_interrupted_run_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let first = generate(&week(), root, Options::default()).unwrap();
    assert_eq!(first.written_files, first.files);
    let original = snapshot(root);

    let again = generate(&week(), root, Options::default()).unwrap();
    assert_eq!(
        again.written_files, 0,
        "a rerun with the same spec rewrote files"
    );

    // What a kill midway could leave, and worse: a missing file, a truncated one, a leftover.
    fs::remove_file(root.join("minute/GOOG/2016-03-02.csv")).unwrap();
    let json = root.join("json/JPM.json");
    fs::write(&json, &fs::read(&json).unwrap()[..1000]).unwrap();
    fs::write(
        root.join("minute/AAPL/.2016-03-03.csv.999.tmp"),
        b"half a fi",
    )
    .unwrap();

    let repair = generate(&week(), root, Options::default()).unwrap();
    assert_eq!(repair.written_files, 2);
    assert_eq!(snapshot(root), original);
}

#[test]
fn a_new_spec_replaces_the_old_files() {
    let dir = tempfile::tempdir().unwrap();
    generate(&week(), dir.path(), Options::default()).unwrap();
    let fewer = Spec {
        symbols: vec!["aapl".into()],
        ..week()
    };
    let summary = generate(&fewer, dir.path(), Options::default()).unwrap();
    assert_eq!(summary.removed_files, 3 * 11);
    let fresh = tempfile::tempdir().unwrap();
    generate(&fewer, fresh.path(), Options::default()).unwrap();
    assert_eq!(snapshot(dir.path()), snapshot(fresh.path()));
}

#[test]
fn check_finds_a_corrupted_file_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    data::make(root, Size::Tiny).unwrap();
    assert_eq!(check(root, false).unwrap().problems, vec![]);

    // Same size, one digit changed on line 3: a rerun cannot see it, --check must.
    let csv = root.join("minute/USB/2016-01-05.csv");
    let mut bytes = fs::read(&csv).unwrap();
    let third_line = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    let digit = third_line + 20;
    bytes[digit] = if bytes[digit] == b'7' { b'8' } else { b'7' };
    fs::write(&csv, &bytes).unwrap();
    let json = root.join("json/AAPL.json");
    fs::write(&json, &fs::read(&json).unwrap()[..500]).unwrap();

    let report = check(root, false).unwrap();
    let found: Vec<(&Path, &str)> = report
        .problems
        .iter()
        .map(|p| (p.path.as_path(), p.what.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, json);
    assert!(found[0].1.contains("cut short"), "{found:?}");
    assert_eq!(found[1].0, csv);
    assert!(found[1].1.starts_with("line 3 differs"), "{found:?}");
}

#[test]
fn bad_specs_are_refused_with_reasons() {
    let unknown = Spec {
        symbols: vec!["MSFT".into()],
        ..week()
    };
    let err = Plan::new(&unknown).unwrap_err().to_string();
    assert!(err.contains("MSFT") && err.contains("AAPL"), "{err}");
    let backwards = Spec {
        start: week().end,
        end: week().start,
        ..week()
    };
    assert!(
        Plan::new(&backwards)
            .unwrap_err()
            .to_string()
            .contains("no trading days")
    );
}

fn data_cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_data"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_generates_reruns_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (ok, stdout, _) = data_cli(&["--size", "tiny", "--out", out, "--quiet"]);
    assert!(ok && stdout.contains("Wrote 16 files"), "{stdout}");
    let first = snapshot(dir.path());
    let (ok, stdout, _) = data_cli(&["--size", "tiny", "--out", out, "--quiet"]);
    assert!(ok && stdout.contains("nothing to do"), "{stdout}");
    let (ok, _, _) = data_cli(&["--size", "tiny", "--out", out, "--quiet", "--force"]);
    assert!(ok);
    assert_eq!(snapshot(dir.path()), first, "--force wrote different bytes");

    let csv = dir.path().join("minute/GOOG/2016-01-06.csv");
    let mut bytes = fs::read(&csv).unwrap();
    let last = bytes.len() - 3;
    bytes[last] = b'x';
    fs::write(&csv, bytes).unwrap();
    let (ok, _, stderr) = data_cli(&["--check", "--out", out, "--quiet"]);
    assert!(!ok, "--check passed a corrupted file");
    assert!(
        stderr.contains("2016-01-06.csv: line 241 differs") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn cli_explains_a_missing_dataset_for_check() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = data_cli(&["--check", "--out", dir.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains("cargo run --release -p data") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// Lessons 2 and later read `columnar/`, which given code makes from the JSON files when it
/// is missing or stale: they never depend on what a learner's lesson 1 wrote.
#[test]
fn columnar_files_are_made_when_missing_and_remade_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = data::make(dir.path(), Size::Tiny).unwrap();
    let columnar = dir.path().join(shared::dataset::COLUMNAR_DIR);
    assert!(!columnar.exists());
    let files = shared::columnar::ensure(&dataset).unwrap();
    assert_eq!(files.len(), dataset.symbols().len());
    let first = shared::columnar::read_columns(&files[0]).unwrap();

    std::fs::remove_dir_all(&columnar).unwrap();
    assert_eq!(shared::columnar::ensure(&dataset).unwrap(), files);
    assert_eq!(shared::columnar::read_columns(&files[0]).unwrap(), first);

    // A learner's damaged or foreign file is replaced once its JSON source is newer.
    std::fs::write(&files[1], b"not parquet").unwrap();
    let json = &dataset.json_files()[1];
    let bytes = std::fs::read(json).unwrap();
    std::fs::write(json, bytes).unwrap();
    shared::columnar::ensure(&dataset).unwrap();
    shared::columnar::read_columns(&files[1]).unwrap();
}

/// Runs the "run this" hint in `message` that ends with `flag`, verbatim, through a shell:
/// only `cargo run --release -p data --` is replaced by the generator binary cargo built.
fn run_hint(message: &str, flag: &str) -> (bool, String) {
    let command = message
        .split('`')
        .find(|part| part.starts_with("cargo run --release -p data") && part.ends_with(flag))
        .unwrap_or_else(|| panic!("no `cargo run … {flag}` hint in: {message}"));
    let binary = format!("'{}'", env!("CARGO_BIN_EXE_data"));
    let command = command.replacen("cargo run --release -p data --", &binary, 1);
    let out = Command::new("sh")
        .args(["-c", &format!("{command} --quiet")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), format!("$ {command}\n{text}"))
}

/// The probe's finding: after `--check` finds same-size damage in a `small` dataset, running
/// its repair hint verbatim must repair THAT dataset, not write the full one in its place.
#[test]
fn the_repair_hint_run_verbatim_keeps_the_dataset_and_repairs_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my data"); // a space, so the hint must quote the folder
    let out = root.to_str().unwrap();
    let spec = Spec {
        seed: 99,
        ..Size::Tiny.spec()
    };
    let (ok, _, stderr) = data_cli(&["--size", "tiny", "--seed", "99", "--out", out, "-q"]);
    assert!(ok, "{stderr}");
    let before = snapshot(&root);
    let csv = root.join("minute/JPM/2016-01-05.csv");
    let mut bytes = fs::read(&csv).unwrap();
    let at = bytes.len() - 5;
    bytes[at] = b'x'; // same size, no longer a number
    fs::write(&csv, bytes).unwrap();

    // A lesson reading the damaged file prints both hints: run its --check verbatim.
    let read_error = shared::read::read_csv(&csv).unwrap_err().to_string();
    let (ok, output) = run_hint(&read_error, "--check");
    assert!(!ok && output.contains("1 problem in"), "{output}");
    let (ok, _, stderr) = data_cli(&["--check", "--out", out, "--quiet"]);
    assert!(!ok, "--check passed a damaged file");
    let (ok, output) = run_hint(&stderr, "--force");
    assert!(ok, "{output}");
    assert_eq!(
        data::Dataset::open(&root).unwrap().manifest().spec,
        spec,
        "{output}"
    );
    assert_eq!(
        snapshot(&root),
        before,
        "the repaired dataset differs: {output}"
    );
    let (ok, stdout, stderr) = data_cli(&["--check", "--out", out, "--quiet"]);
    assert!(ok, "{stdout}{stderr}");
}

/// A run of another spec that was killed midway leaves files the manifest does not list:
/// the next run removes them, and `--check` reports any it finds.
#[test]
fn files_of_an_interrupted_run_of_another_spec_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generate(&week(), root, Options::default()).unwrap();
    // What a killed run of a bigger spec leaves: its record, and some of its files.
    let bigger = Spec {
        symbols: vec![
            "AAPL".into(),
            "GOOG".into(),
            "JPM".into(),
            "USB".into(),
            "IBM".into(),
        ],
        ..week()
    };
    fs::write(
        root.join(data::generate::GENERATING),
        serde_json::to_string(&bigger).unwrap(),
    )
    .unwrap();
    fs::create_dir_all(root.join("minute/IBM")).unwrap();
    fs::write(root.join("minute/IBM/2016-03-01.csv"), b"x").unwrap();
    fs::write(root.join("json/IBM.json"), b"x").unwrap();
    let report = check(root, false).unwrap();
    let strays: Vec<_> = report.problems.iter().map(|p| p.path.clone()).collect();
    assert_eq!(
        strays,
        [
            root.join("json/IBM.json"),
            root.join("minute/IBM/2016-03-01.csv")
        ],
        "--check must report the files the manifest does not list"
    );

    let summary = generate(&week(), root, Options::default()).unwrap();
    assert_eq!(summary.removed_files, 2);
    assert!(!root.join("minute/IBM").exists());
    assert!(!root.join(data::generate::GENERATING).exists());
    assert_eq!(check(root, false).unwrap().problems, vec![]);
}

/// A killed run of spec B over a dataset of spec A deletes A's manifest; if the next run is
/// of a third spec C, neither record names A's files any more. They go all the same.
#[test]
fn files_of_a_forgotten_spec_are_removed_by_any_later_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = Spec {
        symbols: vec!["AAPL".into(), "IBM".into()],
        ..week()
    };
    generate(&a, root, Options::default()).unwrap();
    let b = Spec {
        symbols: vec!["GOOG".into()],
        ..week()
    };
    // What the killed run of B left: no manifest (it removes A's first), and its record.
    fs::remove_file(root.join(shared::dataset::MANIFEST)).unwrap();
    fs::write(
        root.join(data::generate::GENERATING),
        serde_json::to_string(&b).unwrap(),
    )
    .unwrap();
    let c = Spec {
        symbols: vec!["JPM".into()],
        ..week()
    };
    generate(&c, root, Options::default()).unwrap();
    assert!(!root.join("json/AAPL.json").exists());
    assert!(!root.join("minute/IBM").exists(), "A's folders go too");
    assert_eq!(check(root, false).unwrap().problems, vec![]);
}

/// With no manifest but the record of an interrupted run, the "no dataset" message offers
/// to finish THAT run (not the full dataset), and its command, run verbatim, does.
#[test]
fn the_hint_after_an_interrupted_run_finishes_that_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("d");
    let out = root.to_str().unwrap();
    let spec = Spec {
        seed: 7,
        ..Size::Tiny.spec()
    };
    let (ok, _, stderr) = data_cli(&["--size", "tiny", "--seed", "7", "--out", out, "-q"]);
    assert!(ok, "{stderr}");
    let before = snapshot(&root);
    // What a kill leaves between the first file and the manifest.
    fs::remove_file(root.join(shared::dataset::MANIFEST)).unwrap();
    fs::remove_file(root.join("json/AAPL.json")).unwrap();
    let record = shared::dataset::Unfinished {
        spec: spec.clone(),
        generator_args: data::spec::generator_args(&spec),
    };
    fs::write(
        root.join(data::generate::GENERATING),
        serde_json::to_string(&record).unwrap(),
    )
    .unwrap();
    let message = data::Dataset::open(&root).unwrap_err().to_string();
    assert!(message.contains("interrupted"), "{message}");
    let command = message
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("cargo run --release -p data"))
        .unwrap_or_else(|| panic!("no command in: {message}"));
    let (ok, output) = run_hint(&format!("`{command}`"), "");
    assert!(ok, "{output}");
    assert_eq!(snapshot(&root), before, "{output}");
}

/// A folder where a file of the dataset belongs: an empty one is replaced, one with
/// contents is left alone with a message that says how to remove it.
#[test]
fn a_folder_in_place_of_a_file_is_replaced_or_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generate(&week(), root, Options::default()).unwrap();
    let file = root.join("json/AAPL.json");
    fs::remove_file(&file).unwrap();
    fs::create_dir(&file).unwrap();
    generate(&week(), root, Options::default()).unwrap();
    assert!(
        file.is_file(),
        "an empty folder in the way is replaced by the file"
    );

    fs::remove_file(&file).unwrap();
    fs::create_dir(&file).unwrap();
    fs::write(file.join("notes.txt"), b"mine").unwrap();
    let err = generate(&week(), root, Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("AAPL.json is a folder") && err.contains("rm -r"),
        "{err}"
    );
    assert!(file.join("notes.txt").exists(), "somebody's folder is kept");

    // The same for the manifest, which --force rewrites.
    fs::remove_dir_all(&file).unwrap();
    let manifest = root.join(shared::dataset::MANIFEST);
    fs::remove_file(&manifest).unwrap();
    fs::create_dir(&manifest).unwrap();
    let force = Options {
        force: true,
        ..Options::default()
    };
    generate(&week(), root, force).unwrap();
    assert!(
        manifest.is_file(),
        "an empty folder in the manifest's place is replaced"
    );
    fs::remove_file(&manifest).unwrap();
    fs::create_dir(&manifest).unwrap();
    fs::write(manifest.join("notes.txt"), b"mine").unwrap();
    let err = generate(&week(), root, force).unwrap_err().to_string();
    assert!(
        err.contains("manifest.json is a folder") && err.contains("rm -r"),
        "{err}"
    );
    assert!(
        manifest.join("notes.txt").exists(),
        "somebody's folder is kept"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_folder_no_one_may_write_in_is_named_as_such_not_as_a_full_disk() {
    let err = generate(
        &week(),
        Path::new("/proc/parallel-rust"),
        Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("cannot write in /proc/parallel-rust"),
        "{err}"
    );
    assert!(err.contains("--out") && !err.contains("free"), "{err}");
}

/// Dates the files cannot hold, and huge specs, are refused before anything is written.
#[test]
fn impossible_and_huge_specs_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let out_str = out.to_str().unwrap();
    let (ok, _, stderr) = data_cli(&[
        "--start",
        "9999-12-28",
        "--end",
        "+10000-01-05",
        "--out",
        out_str,
        "-q",
    ]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("outside the years 0000 to 9999"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "something was written");

    let (ok, _, stderr) = data_cli(&[
        "--start",
        "1800-01-01",
        "--end",
        "2200-12-31",
        "--out",
        out_str,
        "-q",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("--allow-large") && stderr.contains("GB"),
        "{stderr}"
    );
    assert!(!out.exists(), "something was written");
}

#[test]
fn bad_arguments_get_one_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = data_cli(&[
        "--threads",
        "0",
        "--size",
        "tiny",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("--threads"), "{stderr}");
    let file = dir.path().join("a-file");
    fs::write(&file, b"").unwrap();
    let (ok, _, stderr) = data_cli(&["--size", "tiny", "--out", file.to_str().unwrap(), "-q"]);
    assert!(!ok);
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");
    assert!(!stderr.contains("disk"), "{stderr}");
}

/// The size estimate behind the large-spec refusal and the free-space check is close to what
/// the presets really write (961.7 MB and 40.8 MB, as `cargo run --release -p data` reports).
#[test]
fn size_estimates_are_within_five_percent() {
    for (size, real) in [(Size::Full, 961_691_597.0), (Size::Small, 40_800_000.0)] {
        let estimate = Plan::new(&size.spec()).unwrap().estimated_bytes() as f64;
        assert!(
            (estimate / real - 1.0).abs() < 0.05,
            "{size:?}: {estimate} vs {real}"
        );
    }
}

/// A run killed after making its folders, before writing a file: the next run, of another
/// spec with symbols in common, must not delete the folders it is about to write in.
#[test]
fn a_run_after_one_killed_before_its_files_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let other = Spec {
        symbols: vec!["AAPL".into(), "GOOG".into(), "IBM".into()],
        ..week()
    };
    fs::write(
        root.join(data::generate::GENERATING),
        serde_json::to_string(&other).unwrap(),
    )
    .unwrap();
    for symbol in &other.symbols {
        fs::create_dir_all(root.join("minute").join(symbol)).unwrap();
    }
    fs::create_dir_all(root.join("json")).unwrap();
    let summary = generate(&week(), root, Options::default()).unwrap();
    assert!(summary.written_files > 0);
    assert!(
        !root.join("minute/IBM").exists(),
        "the killed run's own folder goes"
    );
    assert_eq!(check(root, false).unwrap().problems, vec![]);
}
