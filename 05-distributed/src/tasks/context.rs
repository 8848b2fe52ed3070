//! What a running task sees of its worker: its name, the data scattered to it, and the one
//! folder whose files it may read.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::de::DeserializeOwned;

use crate::protocol::Key;

/// What a running task can see of its worker: its name and the data scattered to it.
pub struct Context {
    pub worker: String,
    store: Mutex<HashMap<Key, Slot>>,
    /// The one folder whose files tasks may read (canonical); `None`: no files at all.
    data: Option<PathBuf>,
    /// Keys whose data did not fit in the store.
    full: Mutex<std::collections::HashSet<Key>>,
    /// The bytes the store holds, changed only while its lock is held: summing the slots
    /// at each insert would make keeping n results cost n².
    held: std::sync::atomic::AtomicUsize,
}

/// The most bytes of scattered data a worker keeps: past it, new data is refused (and the
/// tasks that need it fail, saying so) rather than exhaust the machine's memory.
pub const MAX_STORE: usize = 1 << 30;

/// The largest file a task may read: a day of minute bars is about 30 kB, so 64 MiB is
/// far beyond any dataset file and far below a worker's memory.
pub const MAX_TASK_FILE: u64 = 64 << 20;

/// One piece of scattered data: its bytes, and the value they decode to once a task has
/// asked for it (so that a thousand tasks on the same data decode it once).
struct Slot {
    bytes: Arc<Vec<u8>>,
    decoded: Option<(TypeId, Arc<dyn Any + Send + Sync>)>,
}

impl Context {
    /// A context for worker `worker` whose tasks read no files.
    pub fn new(worker: impl Into<String>) -> Context {
        Context {
            worker: worker.into(),
            store: Mutex::new(HashMap::new()),
            data: None,
            full: Mutex::new(std::collections::HashSet::new()),
            held: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Why `key` is not here, for a task that needs it.
    fn missing(&self, key: &str) -> String {
        let full = self.full.lock().unwrap_or_else(PoisonError::into_inner);
        if full.contains(key) {
            format!(
                "worker {} could not keep the data named {key:?}: its store holds at most \
                 {MAX_STORE} bytes (release data the client no longer needs)",
                self.worker
            )
        } else {
            format!("worker {} holds no data named {key:?}", self.worker)
        }
    }

    /// This context, with tasks allowed to read the files under `folder` (and nothing
    /// else). A folder that does not exist allows nothing.
    pub fn reading(mut self, folder: Option<&Path>) -> Context {
        self.data = folder.and_then(|f| f.canonicalize().ok());
        self
    }

    /// `path`, resolved, if a task may read it: a regular file (no folder, FIFO, device, or
    /// link out) inside the worker's data folder, of at most [`MAX_TASK_FILE`] bytes. The
    /// error is the same for a file that is outside and one that does not exist, so that a
    /// client cannot probe the worker's disk; it quotes nothing of any file.
    pub fn data_file(&self, path: &Path) -> Result<PathBuf, String> {
        let Some(root) = &self.data else {
            return Err(format!(
                "worker {} reads no files: start it where the dataset is, or with --data DIR",
                self.worker
            ));
        };
        let outside = || {
            format!(
                "{}: not a file in worker {}'s dataset folder",
                path.display(),
                self.worker
            )
        };
        let resolved = path.canonicalize().map_err(|_| outside())?;
        let meta = std::fs::metadata(&resolved).map_err(|_| outside())?;
        if !resolved.starts_with(root) || !meta.is_file() {
            return Err(outside());
        }
        if meta.len() > MAX_TASK_FILE {
            return Err(format!(
                "{}: {} bytes, more than a task may read ({MAX_TASK_FILE})",
                path.display(),
                meta.len()
            ));
        }
        Ok(resolved)
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<Key, Slot>> {
        // A task that panics never holds this lock, but be safe: the map stays consistent.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `bytes` under `key`, replacing what was there, unless the store would then
    /// hold more than [`MAX_STORE`] bytes: then the data is not kept (`false`), and a task
    /// that needs it fails and says why.
    pub fn insert(&self, key: Key, bytes: Vec<u8>) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let mut slots = self.slots();
        let old = slots.get(&key).map_or(0, |slot| slot.bytes.len());
        let held = self.held.load(Relaxed) - old;
        if held + bytes.len() > MAX_STORE {
            slots.remove(&key);
            self.held.store(held, Relaxed);
            drop(slots);
            let mut full = self.full.lock().unwrap_or_else(PoisonError::into_inner);
            full.insert(key);
            return false;
        }
        self.held.store(held + bytes.len(), Relaxed);
        let slot = Slot {
            bytes: Arc::new(bytes),
            decoded: None,
        };
        slots.insert(key, slot);
        true
    }

    /// The bytes under `key`, as stored, or why they are not here.
    pub fn bytes(&self, key: &str) -> Result<Arc<Vec<u8>>, String> {
        let slots = self.slots();
        match slots.get(key) {
            Some(slot) => Ok(Arc::clone(&slot.bytes)),
            None => {
                drop(slots);
                Err(self.missing(key))
            }
        }
    }

    /// Forgets the data under `key`.
    pub fn remove(&self, key: &str) {
        let mut slots = self.slots();
        if let Some(slot) = slots.remove(key) {
            let held = self.held.load(std::sync::atomic::Ordering::Relaxed);
            let held = held - slot.bytes.len();
            self.held.store(held, std::sync::atomic::Ordering::Relaxed);
        }
        drop(slots);
        self.full
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// The keys of the data held here, sorted.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.slots().keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The data under `key`, decoded as a `T` (the first time only).
    pub fn data<T>(&self, key: &str) -> Result<Arc<T>, String>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let bytes = {
            let slots = self.slots();
            let slot = slots.get(key).ok_or_else(|| self.missing(key))?;
            if let Some((type_id, value)) = &slot.decoded
                && *type_id == TypeId::of::<T>()
                && let Ok(value) = Arc::clone(value).downcast::<T>()
            {
                return Ok(value);
            }
            Arc::clone(&slot.bytes)
        };
        // Decode without holding the lock: other tasks go on meanwhile.
        let value: Arc<T> = Arc::new(
            postcard::from_bytes(&bytes)
                .map_err(|err| format!("the data {key:?} does not decode: {err}"))?,
        );
        // Unless a new value replaced these bytes meanwhile: its decoding is not this one.
        if let Some(slot) = self.slots().get_mut(key)
            && Arc::ptr_eq(&slot.bytes, &bytes)
        {
            let shared: Arc<dyn Any + Send + Sync> = value.clone();
            slot.decoded = Some((TypeId::of::<T>(), shared));
        }
        Ok(value)
    }
}
