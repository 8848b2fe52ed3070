//! Which paths a reader may open: regular files of a plausible size. Opening a FIFO waits
//! for a writer for ever, and a sparse file of terabytes would be read to the end; both are
//! refused, by name, before anything is opened.

use std::fs;
use std::path::Path;

/// The largest file any reader of the course takes: a dataset file is at most tens of
/// megabytes (a symbol's JSON Lines), so a file far larger is not one (a sparse file, a
/// disk image) and is refused before anything is read.
pub const MAX_FILE: u64 = 1 << 30;

/// Checks, without opening it, that `path` is a regular file (not a folder, a FIFO, whose
/// open would wait for a writer for ever, or a device) of at most `max` bytes.
pub fn check_regular(path: &Path, max: u64) -> std::io::Result<()> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, a socket or a device)"
        };
        return Err(std::io::Error::other(format!("it is {what}")));
    }
    if meta.len() > max {
        let size = crate::report::fmt_bytes;
        return Err(std::io::Error::other(format!(
            "it is {}, more than the {} that the course reads of a file of this kind",
            size(meta.len()),
            size(max)
        )));
    }
    Ok(())
}
