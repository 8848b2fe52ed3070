//! Property tests: the readers, fed arbitrary bytes and valid files with random damage,
//! return an error or bars, and never panic. The number of cases per property is
//! proptest's default (256); for a longer search set `PROPTEST_CASES`, e.g.
//! `PROPTEST_CASES=100000 cargo test --release -p shared fuzz`.

use std::path::Path;

use proptest::prelude::*;

use crate::bar::{Bar, Timestamp};
use crate::columnar::{Columns, read_columns, write_columns};
use crate::read::{parse_csv, parse_json_lines};

const JSON: &str = concat!(
    r#"{"timestamp":"2016-01-04T09:00:00","open":47.144,"high":47.145,"low":47.137,"close":47.137,"volume":1264015}"#,
    "\n",
    r#"{"timestamp":"2016-01-04T09:02:00","open":47.137,"high":47.2,"low":47.1,"close":47.15,"volume":9}"#,
    "\n"
);
const CSV: &str = "timestamp,open,high,low,close,volume\n\
2016-01-04T09:00:00,47.144,47.145,47.137,47.137,1264015\n\
2016-01-04T09:02:00,47.137,47.200,47.100,47.150,9\n";

/// `valid` with some bytes replaced, inserted or removed.
fn damaged(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = valid.len();
    prop::collection::vec((0..len.max(1), any::<u8>(), 0..3u8), 1..8).prop_map(move |edits| {
        let mut bytes = valid.clone();
        for (at, byte, kind) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match kind {
                0 if !bytes.is_empty() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if !bytes.is_empty() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        bytes
    })
}

fn parquet_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.parquet");
    let columns: Columns = (0..50)
        .map(|i| Bar {
            timestamp: Timestamp(1_451_898_000 + 120 * i),
            open: 10.0,
            high: 11.0,
            low: 9.0,
            close: 10.5,
            volume: i as u64,
        })
        .collect();
    write_columns(&path, &columns).unwrap();
    std::fs::read(path).unwrap()
}

/// Reads `bytes` as a columnar file; the result does not matter, only that it returns.
fn read_as_parquet(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.parquet");
    std::fs::write(&path, bytes).unwrap();
    let _ = read_columns(&path);
}

proptest! {
    #[test]
    fn json_lines_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_json_lines(Path::new("fuzz.json"), &bytes);
    }

    #[test]
    fn json_lines_reader_never_panics_on_damaged_files(bytes in damaged(JSON.as_bytes().to_vec())) {
        let _ = parse_json_lines(Path::new("fuzz.json"), &bytes);
    }

    #[test]
    fn csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_csv(Path::new("fuzz.csv"), &bytes);
    }

    #[test]
    fn csv_reader_never_panics_on_damaged_files(bytes in damaged(CSV.as_bytes().to_vec())) {
        let _ = parse_csv(Path::new("fuzz.csv"), &bytes);
    }

    #[test]
    fn columnar_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read_as_parquet(&bytes);
    }

    #[test]
    fn columnar_reader_never_panics_on_damaged_files(bytes in damaged(parquet_bytes())) {
        read_as_parquet(&bytes);
    }
}

/// What stands at a path that a program was told to read.
#[derive(Debug, Clone)]
enum Entry {
    File(u64),
    Folder,
    #[cfg(unix)]
    Fifo,
    Missing,
    /// A symbolic link to another entry.
    #[cfg(unix)]
    Link(Box<Entry>),
    /// A link to itself: opening it loops.
    #[cfg(unix)]
    Loop,
}

fn entry() -> impl Strategy<Value = Entry> {
    let leaf = prop_oneof![
        (0u64..64).prop_map(Entry::File),
        Just(Entry::Folder),
        #[cfg(unix)]
        Just(Entry::Fifo),
        Just(Entry::Missing),
        #[cfg(unix)]
        Just(Entry::Loop),
    ];
    #[cfg(unix)]
    let leaf = leaf.prop_recursive(2, 4, 1, |inner| {
        inner.prop_map(|e| Entry::Link(Box::new(e)))
    });
    leaf
}

/// Makes `entry` at `path`; returns whether a reader should take it: a regular file (through
/// any links) of at most `max` bytes.
fn make(path: &Path, entry: &Entry, max: u64) -> bool {
    match entry {
        Entry::File(len) => {
            std::fs::write(path, vec![b'x'; *len as usize]).expect("a file");
            *len <= max
        }
        Entry::Folder => {
            std::fs::create_dir(path).expect("a folder");
            false
        }
        #[cfg(unix)]
        Entry::Fifo => {
            let made = std::process::Command::new("mkfifo").arg(path).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a FIFO");
            false
        }
        Entry::Missing => false,
        #[cfg(unix)]
        Entry::Link(to) => {
            let mut target = path.as_os_str().to_owned();
            target.push(".to");
            let target = std::path::PathBuf::from(target);
            let ok = make(&target, to, max);
            std::os::unix::fs::symlink(&target, path).expect("a link");
            ok
        }
        #[cfg(unix)]
        Entry::Loop => {
            std::os::unix::fs::symlink(path, path).expect("a link to itself");
            false
        }
    }
}

proptest! {
    /// The not-a-regular-file check: a FIFO, a folder, a link loop, a missing path or a
    /// file over the limit is refused, at once (a FIFO is never opened), and a regular
    /// file within it, through links or not, is taken.
    #[test]
    fn only_regular_files_within_the_limit_pass_the_check(entry in entry(), max in 0u64..64) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("input");
        let wanted = make(&path, &entry, max);
        let checked = crate::regular::check_regular(&path, max);
        prop_assert_eq!(checked.is_ok(), wanted, "{:?} with a limit of {}: {:?}", entry, max, checked);
    }
}
