//! What exercise 4.3's pipeline runs in the program (read a file's bytes; parse them into
//! records) and how the program measures what it holds in memory.

use std::path::PathBuf;
use std::sync::Mutex;

use shared::read::ReadError;

use crate::aggregate::Record;

// ANCHOR: stages
/// What the reader hands on: file `index`'s bytes (or why they could not be read), and its
/// symbol.
pub struct Chunk {
    pub index: usize,
    pub symbol: u16,
    pub bytes: Result<Vec<u8>, ReadError>,
}

/// The reader's step: reads file `i` of `files`, whose symbol is `symbols[i]`.
pub fn read_chunk(files: &[PathBuf], symbols: &[u16], i: usize) -> Chunk {
    Chunk {
        index: i,
        symbol: symbols[i],
        bytes: shared::read::read_bytes(&files[i]),
    }
}

/// A parser's step: the records of one file. A file that cannot be read or parsed adds no
/// records; its error goes into `errors` (naming the file, and the line) and the pipeline
/// goes on with the other files.
pub fn parse_chunk(files: &[PathBuf], chunk: Chunk, errors: &Mutex<Vec<ReadError>>) -> Vec<Record> {
    let mut records = Vec::new();
    let symbol = chunk.symbol;
    let parsed = chunk.bytes.and_then(|bytes| {
        shared::read::for_each_close_in(&files[chunk.index], &bytes, |_, close| {
            records.push(Record { symbol, close });
        })
    });
    match parsed {
        Ok(_) => records,
        Err(e) => {
            errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
            Vec::new()
        }
    }
}
// ANCHOR_END: stages

// ANCHOR: memory
/// The process's resident memory now and at its peak, in bytes, from `/proc/self/status`
/// (`VmRSS`, `VmHWM`). `None` where there is no `/proc` (not Linux).
pub fn resident_memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the peak (`VmHWM`) to the memory resident now, so that the next peak read is the
/// peak of what runs in between. Returns false where the kernel does not allow it.
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs `work` and returns its output and how far the resident memory rose above what it was
/// before, at the peak; `None` for the rise where it cannot be measured.
pub fn peak_rise<T>(work: impl FnOnce() -> T) -> (T, Option<u64>) {
    let before = reset_peak_memory().then(resident_memory).flatten();
    let output = work();
    let rise = before.and_then(|(rss, _)| {
        let (_, peak) = resident_memory()?;
        Some(peak.saturating_sub(rss))
    });
    (output, rise)
}
// ANCHOR_END: memory
