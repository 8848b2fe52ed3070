//! The count as a `load` then a `store`: another thread's increment in between is lost.
//! Caught by: ex4_2_loses_no_update_when_two_threads_take_turns
pub fn add_atomic(table: &[AtomicExtremes], record: &Record) {
    use std::sync::atomic::Ordering;
    let slot = &table[usize::from(record.symbol)];
    let bits = record.close.to_bits();
    let count = slot.count.load(Ordering::Relaxed);
    slot.count.store(count + 1, Ordering::Relaxed);
    slot.min.fetch_min(bits, Ordering::Relaxed);
    slot.max.fetch_max(bits, Ordering::Relaxed);
}
