//! Writing a file so that nobody ever sees half of it.
//!
//! Bytes go to a temporary file beside the target (same directory, so the same file system)
//! and a `rename` puts it in place once complete: on POSIX the rename is atomic, so a reader
//! sees either the old file or the new one. If the program dies or the write fails before
//! [`AtomicFile::commit`], the temporary is removed on drop (or left as `*.tmp` if the
//! process was killed, which the dataset generator cleans up on its next run).
//! This protects against crashes of the program, not of the machine: there is no fsync.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A file being written under a temporary name; [`commit`](Self::commit) moves it into place.
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    tmp: PathBuf,
    target: PathBuf,
}

/// A fresh temporary name for writing `target`: `.NAME.PID.N.tmp` in the same directory.
/// `N` counts the writers of this process, so two threads (or two runs of a loop) writing the
/// same target never share a temporary file.
pub fn temp_path(target: &Path) -> PathBuf {
    static WRITERS: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let writer = WRITERS.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}.{writer}.tmp", std::process::id()))
}

impl AtomicFile {
    /// Starts writing `target`; nothing appears under that name until `commit`.
    pub fn create(target: &Path) -> io::Result<Self> {
        let tmp = temp_path(target);
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            tmp,
            target: target.into(),
        })
    }

    /// Flushes and renames the file into place. On failure the temporary file is deleted:
    /// nothing is left behind, under either name.
    pub fn commit(mut self) -> io::Result<()> {
        let result = match self.writer.take() {
            Some(writer) => writer
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|_file| fs::rename(&self.tmp, &self.target)),
            None => Err(io::Error::other("AtomicFile committed twice")),
        };
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        result
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("AtomicFile written after commit"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `target` atomically in one call.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(target);
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"hello").unwrap();
        assert!(!target.exists());
        file.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"hello");

        let mut abandoned = AtomicFile::create(&target).unwrap();
        abandoned.write_all(b"half").unwrap();
        drop(abandoned);
        assert_eq!(fs::read(&target).unwrap(), b"hello");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_commit_leaves_nothing_and_writers_never_share_a_temporary() {
        let dir = tempfile::tempdir().unwrap();
        // The rename fails: the target is a non-empty folder.
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"data").unwrap();
        assert!(file.commit().is_err());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only the folder is left"
        );

        let one = dir.path().join("same.csv");
        assert_ne!(temp_path(&one), temp_path(&one));
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let one = one.clone();
                std::thread::spawn(move || write_atomic(&one, format!("writer {i}").as_bytes()))
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        assert!(fs::read_to_string(&one).unwrap().starts_with("writer "));
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporaries left"
        );
    }

    #[test]
    fn write_atomic_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.csv");
        write_atomic(&target, b"long old contents").unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
